// Package heartbeat is host maintenance's link between the controller and
// each host's agent: StarlingX's hbsAgent/hbsClient (heartbeat pulses)
// and the mtcAgent/mtcClient messages (mtcAlive, commands), over UDP,
// one socket per network, every packet authenticated with HMAC-SHA256
// under a per-host key the controller issues.
//
// THIS FILE IS THE AGREED API (skeleton); the engine fills it in.
package heartbeat

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeflock/flock/hostmgmt"
)

// Config configures the controller's side. The zero value of a field
// means its default (StarlingX's, §2.5).
type Config struct {
	Period           time.Duration `yaml:"period"`            // 100 ms (100 ms–1 s)
	MinorThreshold   int           `yaml:"minor_threshold"`   // 4
	DegradeThreshold int           `yaml:"degrade_threshold"` // 6 (4–100)
	FailureThreshold int           `yaml:"failure_threshold"` // 10 (10–100)
	MNFAThreshold    int           `yaml:"mnfa_threshold"`    // 2 (2–100)
	MNFATimeout      time.Duration `yaml:"mnfa_timeout"`      // 0 = none, else 100 s–86400 s
	// OfflineTimeout: a host whose mtcAlive has not been heard for this
	// long is reported ObsOffline (default 10 s: 100 ms × 90).
	OfflineTimeout time.Duration `yaml:"offline_timeout"`
	// CommandTimeout bounds one try of delivering a command (default
	// 200 ms); Send retries until its ctx ends.
	CommandTimeout time.Duration `yaml:"command_timeout"`
}

// Validate names the first bad field.
func (c Config) Validate() error { return errors.New("heartbeat: not implemented") }

// Controller is the controller's side: it pulses the monitored hosts on
// every network they answer on, counts misses, reports health changes,
// mtcAlive, command results and MNFA to its Observer, and delivers
// commands. It implements hostmgmt.Heartbeat and hostmgmt.Agents.
type Controller struct{}

// NewController returns a controller side that uses conns (one bound UDP
// socket per network; the caller owns them) and reports to obs. reg, if
// not nil, gets its metrics; log may be nil.
func NewController(conns map[hostmgmt.Network]*net.UDPConn, obs hostmgmt.Observer, cfg Config, reg prometheus.Registerer, log *slog.Logger) (*Controller, error) {
	return nil, errors.New("heartbeat: not implemented")
}

// SetKey implements hostmgmt.Heartbeat.
func (c *Controller) SetKey(hostUUID string, key []byte) {}

// Monitor implements hostmgmt.Heartbeat.
func (c *Controller) Monitor(hostUUID string, on bool) {}

// Send implements hostmgmt.Agents.
func (c *Controller) Send(ctx context.Context, hostUUID string, cmd hostmgmt.Command) error {
	return errors.New("heartbeat: not implemented")
}

// Run serves until ctx ends.
func (c *Controller) Run(ctx context.Context) error { return errors.New("heartbeat: not implemented") }

// Status is what a host's agent reports about itself.
type Status struct {
	// Configured is StarlingX's I_AM_CONFIGURED: the host applied its
	// configuration.
	Configured bool
	// BootID changes at every boot; the controller compares it to tell a
	// reboot from a network outage.
	BootID string
	// Uptime since boot.
	Uptime time.Duration
	// Flags are the local health flags.
	Flags hostmgmt.HealthFlags
}

// Handler is the agent's side of the commands.
type Handler interface {
	// Status is read for every pulse answer and mtcAlive; it must be
	// cheap and must not allocate.
	Status() Status
	// Command runs a command. The client acknowledges the command before
	// it calls Command, and sends the result (error or nil) to the
	// controller when Command returns (for reboot, the host goes down
	// and there is none).
	Command(ctx context.Context, cmd hostmgmt.Command) error
}

// ClientConfig configures a host's side.
type ClientConfig struct {
	// Link is what the controller issued to the host.
	Link hostmgmt.LinkConfig
	// Local is the local address to bind per network (default: any
	// address, any port).
	Local map[hostmgmt.Network]netip.AddrPort
	// AliveInterval between mtcAlive messages (default 1 s).
	AliveInterval time.Duration
}

// Client is a host's side (hbsClient and mtcClient's link): it answers
// pulses on each network, sends mtcAlive, and runs commands through its
// Handler.
type Client struct{}

// NewClient returns a host's side; Run opens its sockets.
func NewClient(cfg ClientConfig, h Handler, log *slog.Logger) (*Client, error) {
	return nil, errors.New("heartbeat: not implemented")
}

// Run serves until ctx ends.
func (c *Client) Run(ctx context.Context) error { return errors.New("heartbeat: not implemented") }
