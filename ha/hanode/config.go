package hanode

import (
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hapeer"
)

// Config configures a Node. Node, Peer, Link.Key, Link.Paths and
// StateDir are required; the rest has defaults.
type Config struct {
	// Model is what the node manages (nil: ha.DefaultModel()).
	Model *ha.Model `yaml:"-"`
	// Domain is the service domain of the model the two controllers
	// share (default: the model's first).
	Domain string `yaml:"domain"`
	// Link is the peer protocol: paths, key and timing. Its Node and
	// Peer are this Config's, its Generation the persisted one raised at
	// each start; leave them zero.
	Link hapeer.Config `yaml:"link"`
	// StateDir holds state.json (generation, was-active); it must
	// survive restarts.
	StateDir string `yaml:"state_dir"`
	// Addresses are the floating addresses by network ("oam",
	// "management" ...), for the model's ip services that do not name
	// their own.
	Addresses map[string]Address `yaml:"addresses"`
	// Failover tunes survivor selection: DriftMargin, WaitInterval,
	// FailPendingDelay, RetryInterval, SwactTimeout (zero: ha's
	// defaults). Node, Peer, Paths, Fence, Witness and
	// SplitBrainRecovery are filled in by New.
	Failover ha.FailoverConfig `yaml:"-"`
	// FenceTimeout bounds one fence attempt (default 10 s).
	FenceTimeout time.Duration `yaml:"fence_timeout"`
}

// Address is a floating address on a network.
type Address struct {
	// Address in CIDR form ("10.10.10.2/24").
	Address string `yaml:"address"`
	// Interface is the device it goes on ("eth0").
	Interface string `yaml:"interface"`
}

// Options are a Node's optional parts; nil means all defaults.
type Options struct {
	// Logger (nil: discard).
	Logger *slog.Logger
	// Registry gets the node's and the link's metrics (nil: none).
	Registry prometheus.Registerer
	// Plugins run the services' actions (nil: none; every action with a
	// plugin then fails fatally).
	Plugins ha.Plugins
	// Fencer powers the silent peer off before a takeover; Witness
	// grants the active its lease. With neither, a standby never takes
	// over from a silent peer (it raises 400.002 instead).
	Fencer  ha.Fencer
	Witness ha.Witness
	// Alarms raise and clear 400.001, 400.002 and 400.005; pass a
	// fault.AsyncReporter so that a slow fault service never delays
	// failover (nil: alarms are only logged).
	Alarms fault.Reporter
	// Listen opens the peer paths' sockets (nil: UDP), for tests'
	// in-memory networks.
	Listen func(hapeer.Path) (hapeer.Conn, error)
	// NodeState gives a controller's administrative and operational
	// states (host maintenance's), for the swact pre-checks and the
	// service node list; nil: unlocked, and enabled while heard.
	NodeState func(node string) (ha.AdminState, ha.OperState)
	// OnFailed is called once this node has lost survivor selection and
	// disabled its services (StarlingX reboots the node); nil: the node
	// stays failed until restarted.
	OnFailed func()
}

func (c *Config) check() error {
	switch {
	case c.Link.Node == "":
		return bad("link.node", "empty")
	case c.Link.Peer == "" || c.Link.Peer == c.Link.Node:
		return bad("link.peer", "%q must be set and differ from node %q", c.Link.Peer, c.Link.Node)
	case c.StateDir == "":
		return bad("state_dir", "empty")
	case c.FenceTimeout < 0:
		return bad("fence_timeout", "negative")
	}
	for n, a := range c.Addresses {
		if _, err := netip.ParsePrefix(a.Address); err != nil {
			return bad("addresses."+n+".address", "%v", err)
		}
		if a.Interface == "" {
			return bad("addresses."+n+".interface", "empty")
		}
	}
	return nil
}

func bad(field, format string, args ...any) error {
	return &ha.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
