package hostmgmt

import (
	"context"
	"time"
)

// Service is host maintenance's API: the admin actions and each host's
// maintenance state. *Manager implements it in-process;
// hostmgmthttp.Client implements it over REST.
type Service interface {
	// Act requests an admin action on a host (named by hostname, uuid or
	// id). It returns once the action is accepted and its first step is
	// durable; the action's FSM runs on in the background. An action
	// refused by a rule is a *RuleError wrapping ErrInvalidTransition,
	// with StarlingX's reason, and changes nothing.
	Act(ctx context.Context, host string, a AdminAction) (HostState, error)
	// GetHostState returns one host's maintenance state.
	GetHostState(ctx context.Context, host string) (HostState, error)
	// ListHostStates returns every host's maintenance state, by host id.
	ListHostStates(ctx context.Context) ([]HostState, error)
}

// HostState is one host's maintenance state as the API shows it: the
// FSM's State and the health of its heartbeat on each network.
type HostState struct {
	UUID     string `json:"uuid"`
	Hostname string `json:"hostname"`
	State
	// Heartbeat is the heartbeat health per network the host has, while
	// maintenance monitors it.
	Heartbeat map[Network]Health `json:"heartbeat,omitempty"`
	// Flags are the health flags the host's agent last reported.
	Flags HealthFlags `json:"flags,omitempty"`
	// UpdatedAt is when the state last changed.
	UpdatedAt time.Time `json:"updated_at"`
	// BMC is what the last audit of the host's BMC read; nil until one
	// has run, or when the host has no BMC.
	BMC *BMCStatus `json:"bmc,omitempty"`
}

// BMCStatus is the last audit of a host's BMC: its power state and
// sensor readings, or why they could not be read.
type BMCStatus struct {
	Power   PowerState `json:"power"`
	Sensors []Sensor   `json:"sensors"`
	// Error is the last audit's failure ("" when it succeeded); Power and
	// Sensors then keep the last values read.
	Error  string    `json:"error,omitempty"`
	ReadAt time.Time `json:"read_at"`
}

// Network is a platform network that maintenance heartbeats on.
type Network string

// Networks that carry heartbeat (§2.5), each with its own loss alarm.
const (
	NetworkMgmt        Network = "mgmt"
	NetworkClusterHost Network = "cluster-host"
)

var networks = enumValues[Network]{"network", []Network{NetworkMgmt, NetworkClusterHost}}

// Valid reports whether n is a heartbeat network.
func (n Network) Valid() bool { return networks.valid(n) }

// UnmarshalText parses a network name.
func (n *Network) UnmarshalText(b []byte) error { return networks.unmarshal(n, b) }

// Health is a host's heartbeat health on one network, from the count of
// consecutive missed pulses against the thresholds (minor 4, degrade 6,
// failure 10 by default).
type Health string

// Heartbeat health levels.
const (
	HealthOK       Health = "ok"
	HealthMinor    Health = "minor"
	HealthDegraded Health = "degraded"
	HealthFailed   Health = "failed"
)

var healths = enumValues[Health]{"health", []Health{HealthOK, HealthMinor, HealthDegraded, HealthFailed}}

// Valid reports whether h is a health level.
func (h Health) Valid() bool { return healths.valid(h) }

// UnmarshalText parses a health level.
func (h *Health) UnmarshalText(b []byte) error { return healths.unmarshal(h, b) }

// HealthFlags are the local health conditions a host's agent reports
// with its heartbeat answers and mtcAlive (StarlingX's pmond and fsmond
// flags). A set flag degrades an enabled host.
type HealthFlags uint32

// Health flags.
const (
	// FlagProcessStalled: the agent's process monitor has stalled.
	FlagProcessStalled HealthFlags = 1 << iota
	// FlagDiskFull: a monitored filesystem is full.
	FlagDiskFull
	// FlagProcessFailed: a monitored process failed.
	FlagProcessFailed
	// FlagConfigFailed: the host failed to apply its configuration
	// (StarlingX's I_AM_NOT_HEALTHY); an enable waiting for the host
	// fails with a configuration failure (200.011).
	FlagConfigFailed
)

// Command is a request maintenance sends to a host's agent (mtcClient's
// commands).
type Command string

// Commands.
const (
	CmdReboot        Command = "reboot"         // reboot the host; acknowledged before it goes down
	CmdGoenabled     Command = "goenabled"      // run the in-service tests
	CmdStartServices Command = "start-services" // start host services
	CmdStopServices  Command = "stop-services"  // stop host services
	CmdMtcAlive      Command = "mtcalive"       // send an mtcAlive now
)

var commands = enumValues[Command]{"command", []Command{CmdReboot, CmdGoenabled, CmdStartServices, CmdStopServices, CmdMtcAlive}}

// Valid reports whether c is a known command.
func (c Command) Valid() bool { return commands.valid(c) }

// UnmarshalText parses a command.
func (c *Command) UnmarshalText(b []byte) error { return commands.unmarshal(c, b) }

// Agents sends commands to the hosts' agents. The heartbeat engine
// implements it over the same authenticated UDP link that carries the
// pulses. Send returns once the agent acknowledged the command, or an
// error if it could not be delivered before ctx ends; the outcome of a
// long command (goenabled, start-services) comes back later as an
// Observation of kind ObsCommandResult.
type Agents interface {
	Send(ctx context.Context, hostUUID string, c Command) error
}

// Heartbeat starts and stops the heartbeat of hosts. The heartbeat
// engine implements it and reports what it sees to an Observer.
type Heartbeat interface {
	// SetKey admits a host to the link with its HMAC-SHA256 key, or
	// removes it (key nil). Packets of unknown hosts are dropped.
	SetKey(hostUUID string, key []byte)
	// Monitor starts (on) or stops heartbeating a host. Starting resets
	// the host's miss counts.
	Monitor(hostUUID string, on bool)
}

// LinkConfig is what a host's agent needs to join the maintenance link:
// its key and the controller's UDP endpoint on each network. The
// controller serves it to the host's agent (GET
// /v1/ihosts/{id}/mtce_link, with the host's agent token).
type LinkConfig struct {
	HostUUID string `json:"host_uuid"`
	// Key is the host's HMAC-SHA256 key (base64 in JSON), issued by the
	// controller.
	Key []byte `json:"key"`
	// PeriodMS is the heartbeat period in milliseconds.
	PeriodMS int `json:"heartbeat_period_ms"`
	// Controller is the controller's "ip:port" per network.
	Controller map[Network]string `json:"controller"`
}

// Observer receives what the hosts' agents and the heartbeat report. The
// Manager implements it; the heartbeat engine calls it.
type Observer interface {
	// Observe takes one observation about a host. It must not block
	// long: the heartbeat engine calls it from its receive loop.
	Observe(hostUUID string, o Observation)
}

// ObservationKind names an Observation.
type ObservationKind string

// Observation kinds.
const (
	// ObsMtcAlive: the host's agent announced itself (Configured, BootID,
	// Uptime, Flags).
	ObsMtcAlive ObservationKind = "mtcalive"
	// ObsCommandResult: a long command finished (Command, OK, Reason).
	ObsCommandResult ObservationKind = "command-result"
	// ObsHeartbeat: the host's heartbeat health on Network changed to
	// Health (Flags carry the agent's flags).
	ObsHeartbeat ObservationKind = "heartbeat"
	// ObsOffline: no mtcAlive for the offline period.
	ObsOffline ObservationKind = "offline"
	// ObsMNFAEnter and ObsMNFAExit: at least mnfa_threshold hosts lost
	// heartbeat on Network at once (Count of them), and the event ended.
	// hostUUID is empty.
	ObsMNFAEnter ObservationKind = "mnfa-enter"
	ObsMNFAExit  ObservationKind = "mnfa-exit"
)

// Observation is one thing seen about a host.
type Observation struct {
	Kind       ObservationKind `json:"kind"`
	Network    Network         `json:"network,omitempty"`
	Health     Health          `json:"health,omitempty"`
	Command    Command         `json:"command,omitempty"`
	OK         bool            `json:"ok,omitempty"`
	Reason     string          `json:"reason,omitempty"`
	Configured bool            `json:"configured,omitempty"`
	BootID     string          `json:"boot_id,omitempty"`
	Uptime     time.Duration   `json:"uptime,omitempty"`
	Flags      HealthFlags     `json:"flags,omitempty"`
	Count      int             `json:"count,omitempty"`
}

// LockHook runs before a host is locked (instances migrated, pods
// drained): a non-nil error refuses the lock, its text the reason shown
// in the host's task ("Lock Rejected: <reason>"). Force-lock skips the
// hooks.
type LockHook interface {
	// Name names the hook in logs.
	Name() string
	// PreLock prepares hostUUID for the lock, within ctx's deadline
	// (lock_hooks_timeout).
	PreLock(ctx context.Context, hostUUID string) error
}

// Swacter asks service management to move the controller services off a
// controller (§3.7). Service management is issue 20; until then stx
// wires a Swacter that refuses.
type Swacter interface {
	// Swact moves services away from hostUUID; it returns once the move
	// is done or failed.
	Swact(ctx context.Context, hostUUID string, force bool) error
	// Active reports which controller is active and whether a healthy
	// standby exists.
	Active(ctx context.Context) (activeUUID string, standbyHealthy bool, err error)
}
