package hostmgmt

import (
	"fmt"
	"time"

	"github.com/edgeflock/flock/inventory"
)

// State is one host's maintenance state: what Step reads and returns.
// The manager persists it as is, so an FSM resumes after a restart at the
// stage it was in.
type State struct {
	Administrative inventory.AdminState   `json:"administrative"`
	Operational    inventory.OperState    `json:"operational"`
	Availability   inventory.Availability `json:"availability"`
	Task           Task                   `json:"task,omitempty"`
	// Action is the admin action whose FSM is running (ActionNone or
	// empty when idle).
	Action AdminAction `json:"action,omitempty"`
	Stage  Stage       `json:"stage,omitempty"`
	// Deadline is when the current stage times out; the manager feeds
	// EventTimer once it passes. Zero means no deadline.
	Deadline time.Time `json:"deadline,omitzero"`
	// Degraded is set while a degrade cause is present; an enable then
	// ends in degraded rather than available.
	Degraded bool `json:"degraded,omitempty"`
	// Cause is the cause of the last failure.
	Cause Cause `json:"cause,omitempty"`
	// Failures counts consecutive enable failures per cause, for the
	// auto-recovery thresholds. Cleared by a successful enable and by
	// lock.
	Failures map[Cause]int `json:"failures,omitempty"`
	// Retries counts retries of the current step (reset commands, power
	// commands).
	Retries int `json:"retries,omitempty"`
	// GracefulRecoveries counts graceful recoveries since the last full
	// enable (at most Timings.MaxGracefulRecoveries).
	GracefulRecoveries int `json:"graceful_recoveries,omitempty"`
}

// Timings are the timeouts, retry counts and auto-recovery thresholds of
// the FSMs, with StarlingX's defaults from DefaultTimings (§2.3–§2.5).
// The struct is what a daemon's config file unmarshals into.
type Timings struct {
	ControllerBootTimeout time.Duration `json:"controller_boot_timeout"` // 1200 s (1200–1800)
	WorkerBootTimeout     time.Duration `json:"worker_boot_timeout"`     // 720 s (720–1800)
	GoenabledTimeout      time.Duration `json:"goenabled_timeout"`       // 600 s
	HostServicesTimeout   time.Duration `json:"host_services_timeout"`   // 300 s
	HeartbeatWaitTimeout  time.Duration `json:"heartbeat_wait_timeout"`  // 1 min
	HeartbeatSoak         time.Duration `json:"heartbeat_soak"`          // 11 s
	RebootAckTimeout      time.Duration `json:"reboot_ack_timeout"`      // wait for mtcClient's ACK before a BMC reset: 10 s
	ResetRetries          int           `json:"reset_retries"`           // 10
	ResetRetryDelay       time.Duration `json:"reset_retry_delay"`       // 10 s
	PowerRetries          int           `json:"power_retries"`           // 5
	PowerRetryDelay       time.Duration `json:"power_retry_delay"`       // 20 s
	PowerOffTimeout       time.Duration `json:"power_off_timeout"`       // 60 s
	PowerOnTimeout        time.Duration `json:"power_on_timeout"`        // 30 s
	OfflineTimeout        time.Duration `json:"offline_timeout"`         // power-off/reboot → offline: 200 s
	OnlineTimeout         time.Duration `json:"online_timeout"`          // power-on → online: 900 s
	ReinstallTimeout      time.Duration `json:"reinstall_timeout"`       // 2400 s (60 s–4 h)
	SwactTimeout          time.Duration `json:"swact_timeout"`           // 120 s
	LockHooksTimeout      time.Duration `json:"lock_hooks_timeout"`      // pod_drain_timeout 180 s
	RecoveryTimeout       time.Duration `json:"loc_recovery_timeout"`    // 5 s
	BMCResetDelay         time.Duration `json:"bmc_reset_delay"`         // 300 s
	MaxGracefulRecoveries int           `json:"max_fast_enables"`        // 5
	// AutoRecoveryThreshold: failures of an all-in-one (simplex)
	// controller, whatever their causes, after which auto-recovery stops
	// (autorecovery_threshold, 3; 0: none).
	AutoRecoveryThreshold int `json:"autorecovery_threshold"`
	// Thresholds are the auto-recovery thresholds per cause (ar_*_threshold,
	// 2 each); a cause absent or 0 has none.
	Thresholds map[Cause]int `json:"thresholds"`
	// Intervals are the auto-recovery retry intervals per cause (30 s,
	// heartbeat 600 s); a cause absent uses DefaultInterval.
	Intervals       map[Cause]time.Duration `json:"intervals"`
	DefaultInterval time.Duration           `json:"default_interval"` // 30 s
}

// DefaultTimings returns StarlingX's defaults.
func DefaultTimings() Timings {
	return Timings{
		ControllerBootTimeout: 1200 * time.Second,
		WorkerBootTimeout:     720 * time.Second,
		GoenabledTimeout:      600 * time.Second,
		HostServicesTimeout:   300 * time.Second,
		HeartbeatWaitTimeout:  time.Minute,
		HeartbeatSoak:         11 * time.Second,
		RebootAckTimeout:      10 * time.Second,
		ResetRetries:          10,
		ResetRetryDelay:       10 * time.Second,
		PowerRetries:          5,
		PowerRetryDelay:       20 * time.Second,
		PowerOffTimeout:       60 * time.Second,
		PowerOnTimeout:        30 * time.Second,
		OfflineTimeout:        200 * time.Second,
		OnlineTimeout:         900 * time.Second,
		ReinstallTimeout:      2400 * time.Second,
		SwactTimeout:          120 * time.Second,
		LockHooksTimeout:      180 * time.Second,
		RecoveryTimeout:       5 * time.Second,
		BMCResetDelay:         300 * time.Second,
		MaxGracefulRecoveries: 5,
		AutoRecoveryThreshold: 3,
		Thresholds: map[Cause]int{
			CauseConfig: 2, CauseGoenable: 2, CauseHostServices: 2, CauseHeartbeat: 2,
		},
		Intervals:       map[Cause]time.Duration{CauseHeartbeat: 600 * time.Second},
		DefaultInterval: 30 * time.Second,
	}
}

// SystemContext is what Step needs to know about the rest of the system
// to apply the refusal rules of §2.3. The manager fills it in from
// inventory and service management.
type SystemContext struct {
	// Hostname is the host's name, for the refusals' texts.
	Hostname string `json:"hostname,omitempty"`
	// Personality is the host's personality.
	Personality inventory.Personality `json:"personality"`
	// Simplex is true on a single-host (AIO-SX) system.
	Simplex bool `json:"simplex,omitempty"`
	// ActiveController is true when the host is the active controller.
	ActiveController bool `json:"active_controller,omitempty"`
	// EnabledControllers counts unlocked-enabled controllers, this host
	// included.
	EnabledControllers int `json:"enabled_controllers,omitempty"`
	// StandbyHealthy is true when a healthy standby controller exists.
	StandbyHealthy bool `json:"standby_healthy,omitempty"`
}

// Event is one input of Step.
type Event struct {
	Kind EventKind `json:"kind"`
	// Action is the operator's action, for EventAdmin.
	Action AdminAction `json:"action,omitempty"`
	// OK is the result of EventBMCResult, EventGoenabled,
	// EventHostServices, EventHooksDone and EventSwactDone.
	OK bool `json:"ok,omitempty"`
	// Reason explains a failed result (a hook's refusal).
	Reason string `json:"reason,omitempty"`
	// Configured and Rebooted qualify EventMtcAlive: the host reports
	// I_AM_CONFIGURED, and its uptime shows it rebooted since the last
	// mtcAlive.
	Configured bool `json:"configured,omitempty"`
	Rebooted   bool `json:"rebooted,omitempty"`
	// ConfigFailed qualifies EventMtcAlive: the host failed to apply its
	// configuration (StarlingX's I_AM_NOT_HEALTHY). A host that is only
	// not configured yet is waited for until the boot timeout.
	ConfigFailed bool `json:"config_failed,omitempty"`
	// Degraded qualifies EventDegrade: a degrade cause is present
	// (heartbeat degraded on one network, a health flag) or all are gone.
	Degraded bool `json:"degraded,omitempty"`
}

// ActionKind names an Action.
type ActionKind string

// Action kinds: what the manager must do after a transition.
const (
	DoRebootCommand   ActionKind = "reboot-command"   // ask mtcClient to reboot the host
	DoBMCReset        ActionKind = "bmc-reset"        // reset through the BMC
	DoBMCPowerOn      ActionKind = "bmc-power-on"     // power on through the BMC
	DoBMCPowerOff     ActionKind = "bmc-power-off"    // power off through the BMC
	DoNetboot         ActionKind = "netboot"          // set PXE boot and reset (reinstall)
	DoHeartbeatStart  ActionKind = "heartbeat-start"  // start heartbeating the host
	DoHeartbeatStop   ActionKind = "heartbeat-stop"   // stop heartbeating the host
	DoRequestMtcAlive ActionKind = "request-mtcalive" // ask the host for mtcAlive
	DoStartGoenabled  ActionKind = "start-goenabled"  // run the in-service tests
	DoStartServices   ActionKind = "start-services"   // start host services
	DoStopServices    ActionKind = "stop-services"    // disable host services
	DoRunLockHooks    ActionKind = "run-lock-hooks"   // run the pre-lock hooks (migrate, drain)
	DoRequestSwact    ActionKind = "request-swact"    // ask service management to swact away
	DoRaiseAlarm      ActionKind = "raise-alarm"      // raise alarm ID
	DoClearAlarm      ActionKind = "clear-alarm"      // clear alarm ID
	DoDeleteHost      ActionKind = "delete-host"      // remove the host from inventory
)

// Action is something the manager must do after a transition. It is
// data; Step never performs it.
type Action struct {
	Kind ActionKind `json:"kind"`
	// ID is the alarm ID of raise-alarm and clear-alarm.
	ID string `json:"id,omitempty"`
}

// Alarm IDs host maintenance raises (§2.4, events.yaml).
const (
	AlarmHostFailed    = "200.004"
	AlarmConfigFailure = "200.011"
)

// Validate checks t against StarlingX's allowed ranges where §2 gives
// them (boot timeouts, reinstall timeout) and that every other duration
// and count is usable. A bad value is a *FieldError naming the field.
func (t Timings) Validate() error {
	ranges := []struct {
		field    string
		v        time.Duration
		min, max time.Duration
	}{
		{"controller_boot_timeout", t.ControllerBootTimeout, 1200 * time.Second, 1800 * time.Second},
		{"worker_boot_timeout", t.WorkerBootTimeout, 720 * time.Second, 1800 * time.Second},
		{"reinstall_timeout", t.ReinstallTimeout, 60 * time.Second, 4 * time.Hour},
	}
	for _, r := range ranges {
		if r.v < r.min || r.v > r.max {
			return &FieldError{Field: r.field, Reason: fmt.Sprintf("%s is outside %s–%s", r.v, r.min, r.max)}
		}
	}
	positive := []struct {
		field string
		v     time.Duration
	}{
		{"goenabled_timeout", t.GoenabledTimeout}, {"host_services_timeout", t.HostServicesTimeout},
		{"heartbeat_wait_timeout", t.HeartbeatWaitTimeout}, {"heartbeat_soak", t.HeartbeatSoak},
		{"reboot_ack_timeout", t.RebootAckTimeout}, {"reset_retry_delay", t.ResetRetryDelay},
		{"power_retry_delay", t.PowerRetryDelay}, {"power_off_timeout", t.PowerOffTimeout},
		{"power_on_timeout", t.PowerOnTimeout}, {"offline_timeout", t.OfflineTimeout},
		{"online_timeout", t.OnlineTimeout}, {"swact_timeout", t.SwactTimeout},
		{"lock_hooks_timeout", t.LockHooksTimeout}, {"loc_recovery_timeout", t.RecoveryTimeout},
		{"bmc_reset_delay", t.BMCResetDelay}, {"default_interval", t.DefaultInterval},
	}
	for _, p := range positive {
		if p.v <= 0 {
			return &FieldError{Field: p.field, Reason: fmt.Sprintf("%s is not positive", p.v)}
		}
	}
	for c, d := range t.Intervals {
		if d <= 0 {
			return &FieldError{Field: "intervals", Reason: fmt.Sprintf("%s: %s is not positive", c, d)}
		}
	}
	counts := []struct {
		field string
		v     int
	}{{"reset_retries", t.ResetRetries}, {"power_retries", t.PowerRetries}, {"max_fast_enables", t.MaxGracefulRecoveries}, {"autorecovery_threshold", t.AutoRecoveryThreshold}}
	for _, c := range counts {
		if c.v < 0 {
			return &FieldError{Field: c.field, Reason: fmt.Sprintf("%d is negative", c.v)}
		}
	}
	for c, n := range t.Thresholds {
		if n < 0 {
			return &FieldError{Field: "thresholds", Reason: fmt.Sprintf("%s: %d is negative", c, n)}
		}
	}
	return nil
}

// name is the host's name for messages ("host" when unknown).
func (sys SystemContext) name() string {
	if sys.Hostname == "" {
		return "host"
	}
	return sys.Hostname
}
