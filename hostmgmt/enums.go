package hostmgmt

import (
	"fmt"
	"slices"
	"strings"
)

type enumValues[T ~string] struct {
	field  string // JSON field name, used in errors
	values []T
}

func (e enumValues[T]) valid(v T) bool { return slices.Contains(e.values, v) }

func (e enumValues[T]) parse(v string) (T, error) {
	if e.valid(T(v)) {
		return T(v), nil
	}
	names := make([]string, len(e.values))
	for i, x := range e.values {
		names[i] = string(x)
	}
	return "", &FieldError{Field: e.field, Reason: fmt.Sprintf("%q is not one of %s", v, strings.Join(names, ", "))}
}

func (e enumValues[T]) unmarshal(p *T, b []byte) error {
	if len(b) == 0 {
		*p = ""
		return nil
	}
	v, err := e.parse(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// AdminAction is an administrative action on a host, with StarlingX's
// strings (sysinv's ihost.action and mtce's admin actions).
type AdminAction string

// Administrative actions.
const (
	ActionNone      AdminAction = "none"
	ActionLock      AdminAction = "lock"
	ActionForceLock AdminAction = "force-lock"
	ActionUnlock    AdminAction = "unlock"
	// ActionForceUnlock unlocks without the pre-unlock checks of
	// inventory (sysinv's force-unlock).
	ActionForceUnlock AdminAction = "force-unlock"
	ActionReboot      AdminAction = "reboot"
	ActionReset       AdminAction = "reset"
	ActionReinstall   AdminAction = "reinstall"
	ActionPowerOn     AdminAction = "power-on"
	ActionPowerOff    AdminAction = "power-off"
	ActionSwact       AdminAction = "swact"
	// ActionForceSwact swacts even without a healthy standby.
	ActionForceSwact AdminAction = "force-swact"
	ActionDelete     AdminAction = "delete"
	// ActionRecovery is not requested by operators: maintenance sets it
	// while it recovers a failed host.
	ActionRecovery AdminAction = "recovery"
	// ActionEnable is not requested by operators either: maintenance
	// sets it while it re-enables a failed host (auto-recovery).
	ActionEnable AdminAction = "enable"
)

var adminActions = enumValues[AdminAction]{"action", []AdminAction{ActionNone, ActionLock, ActionForceLock, ActionUnlock, ActionForceUnlock, ActionReboot, ActionReset, ActionReinstall, ActionPowerOn, ActionPowerOff, ActionSwact, ActionForceSwact, ActionDelete, ActionRecovery, ActionEnable}}

// Valid reports whether a is a known action.
func (a AdminAction) Valid() bool { return adminActions.valid(a) }

// String returns StarlingX's string.
func (a AdminAction) String() string { return string(a) }

// ParseAdminAction parses an action string; a bad one is a *FieldError
// for field "action".
func ParseAdminAction(s string) (AdminAction, error) { return adminActions.parse(s) }

// UnmarshalText parses an action; empty means none set.
func (a *AdminAction) UnmarshalText(b []byte) error { return adminActions.unmarshal(a, b) }

// Task is the progress text maintenance shows in a host's task field
// (StarlingX's MTC_TASK_* strings, at most 63 characters). The empty
// task means nothing is in progress. Tasks that carry a reason ("Lock
// Rejected: ...") start with one of the prefixes below.
type Task string

// Tasks, with the texts of mtce's MTC_TASK_* (nodeBase.h) except
// Locking, Deleting, Powering On/Off and the lock hooks' timeout, which
// mtce does not have.
const (
	TaskNone             Task = ""
	TaskBooting          Task = "Booting"
	TaskTesting          Task = "Testing"
	TaskInitializing     Task = "Initializing"
	TaskEnabling         Task = "Enabling"
	TaskRebooting        Task = "Rebooting"
	TaskReinstalling     Task = "Reinstalling"
	TaskResetting        Task = "Resetting"
	TaskPoweringOn       Task = "Powering On"
	TaskPoweringOff      Task = "Powering Off"
	TaskLocking          Task = "Locking"
	TaskGracefulRecovery Task = "Graceful Recovery"
	TaskSwact            Task = "Swact: In-Progress"
	TaskForceLock        Task = "Force Lock Reset in Progress"
	TaskDeleting         Task = "Deleting"
	TaskReinstallFailed  Task = "Reinstall Failed"
	TaskPowerOnFailed    Task = "Power-On Failed"
	TaskPowerOffFailed   Task = "Power-Off Failed"
	TaskResetFailed      Task = "Reset Failed"
	TaskSwactFailed      Task = "Swact: Failed"
	TaskSwactTimeout     Task = "Swact: Timeout"
	// Tasks of an enable that failed and will be retried.
	TaskBootFailed          Task = "Boot Failed, rebooting"
	TaskRebootTimeout       Task = "Reboot/Reset Timeout"
	TaskConfigFailed        Task = "Configuration Failed, re-enabling"
	TaskIntestFailed        Task = "In-Test Failed, re-enabling"
	TaskIntestTimeout       Task = "In-Test Timeout, re-enabling"
	TaskServicesFailed      Task = "Start Services Failed, re-enabling"
	TaskServicesTimeout     Task = "Start Services Timeout, re-enabling"
	TaskEnableHeartbeatFail Task = "Enable Heartbeat Failure, re-enabling"
	TaskRecoveryFailed      Task = "Graceful Recovery Failed, re-enabling"
	// TaskLockRejectedPrefix starts the task of a lock refused by a
	// pre-lock hook; the hook's reason follows.
	TaskLockRejectedPrefix Task = "Lock Rejected: "
	TaskConfigThreshold    Task = "Configuration failure, threshold reached, Lock/Unlock to retry"
	TaskGoenableThreshold  Task = "In-Test Failure, threshold reached, Lock/Unlock to retry"
	TaskServicesThreshold  Task = "Service Failure, threshold reached, Lock/Unlock to retry"
	TaskHeartbeatThreshold Task = "Heartbeat Failure, threshold reached, Lock/Unlock to retry"
	// TaskEnableThreshold: an all-in-one controller without a standby
	// failed autorecovery_threshold times in a row.
	TaskEnableThreshold Task = "Enable Failure, threshold reached, Lock/Unlock to retry"
	// Tasks of a failed active controller, with a standby to swact to
	// and without one.
	TaskFailedSwactRequest Task = "Critical failure.Requesting SWACT to enabled standby controller"
	TaskFailedNoBackup     Task = "Critical failure.Please provision/enable standby controller"
	// TaskSimplexUnlock is the unlock's task on a simplex system, whose
	// only controller reboots.
	TaskSimplexUnlock Task = "Unlocking, please stand-by while the system gracefully reboots"
	// TaskBMCNotProvisioned refuses a BMC action on a host without one.
	TaskBMCNotProvisioned Task = "Request Failed, Management Controller Not Provisioned"
)

// String returns the task text.
func (t Task) String() string { return string(t) }

// Stage is where a host is in the FSM of its current action, with the
// names of mtce's stage enums (nodeBase.h) where §2.4 gives them. The
// empty stage means no FSM is running.
type Stage string

// Stages.
const (
	StageIdle Stage = ""
	// Enable sequence (§2.4). START, HEARTBEAT_STOP_CMD, INTEST_START,
	// MTCALIVE_PURGE and STATE_CHANGE take no time: their actions are
	// emitted by the transition that passes through them.
	StageResetProgression Stage = "reset-progression"
	StageMtcAliveWait     Stage = "mtcalive-wait"
	StageGoenabledWait    Stage = "goenabled-wait"
	StageHostServicesWait Stage = "host-services-wait"
	StageHeartbeatWait    Stage = "heartbeat-wait"
	StageHeartbeatSoak    Stage = "heartbeat-soak"
	StageFailureWait      Stage = "failure-wait"      // FAILURE: waiting the retry interval
	StageFailureThreshold Stage = "failure-threshold" // auto-recovery stopped
	// Disable (lock) and force-lock.
	StageLockHooks      Stage = "lock-hooks"
	StageForceLockReset Stage = "force-lock-reset"
	// Reboot, reset, reinstall, power.
	StageRebootWait    Stage = "reboot-wait"
	StageResetWait     Stage = "reset-wait"
	StageOfflineWait   Stage = "offline-wait"
	StageOnlineWait    Stage = "online-wait"
	StageReinstallWait Stage = "reinstall-wait"
	StagePowerOffWait  Stage = "power-off-wait"
	StagePowerOnWait   Stage = "power-on-wait"
	StageSwactWait     Stage = "swact-wait"
	StageDeleting      Stage = "deleting"
	// Graceful recovery (§2.5).
	StageRecoveryMtcAlive Stage = "recovery-mtcalive-wait"
	StageRecoveryResetDly Stage = "recovery-reset-delay"
)

var stages = enumValues[Stage]{"stage", []Stage{StageIdle, StageResetProgression, StageMtcAliveWait, StageGoenabledWait, StageHostServicesWait, StageHeartbeatWait, StageHeartbeatSoak, StageFailureWait, StageFailureThreshold, StageLockHooks, StageForceLockReset, StageRebootWait, StageResetWait, StageOfflineWait, StageOnlineWait, StageReinstallWait, StagePowerOffWait, StagePowerOnWait, StageSwactWait, StageDeleting, StageRecoveryMtcAlive, StageRecoveryResetDly}}

// String returns the stage name.
func (s Stage) String() string { return string(s) }

// Stages returns every stage, idle first.
func Stages() []Stage { return slices.Clone(stages.values) }

// UnmarshalText parses a stage; empty is idle.
func (s *Stage) UnmarshalText(b []byte) error { return stages.unmarshal(s, b) }

// Cause is a failure cause with its own auto-recovery threshold (§2.4).
type Cause string

// Failure causes.
const (
	CauseNone         Cause = ""
	CauseConfig       Cause = "config"
	CauseGoenable     Cause = "goenable"
	CauseHostServices Cause = "hostservices"
	CauseHeartbeat    Cause = "heartbeat"
	CauseBoot         Cause = "boot" // no mtcAlive within the boot timeout; retried without threshold
	CauseReset        Cause = "reset"
)

var causes = enumValues[Cause]{"cause", []Cause{CauseNone, CauseConfig, CauseGoenable, CauseHostServices, CauseHeartbeat, CauseBoot, CauseReset}}

// UnmarshalText parses a cause.
func (c *Cause) UnmarshalText(b []byte) error { return causes.unmarshal(c, b) }

// EventKind names an input of the state machine.
type EventKind string

// Event kinds. The manager turns what it observes into these.
const (
	EventAdd           EventKind = "add"            // host added to inventory
	EventAdmin         EventKind = "admin"          // operator action (Event.Action)
	EventMtcAlive      EventKind = "mtcalive"       // mtcAlive from the host (Configured, Rebooted)
	EventOffline       EventKind = "offline"        // mtcAlive missed offline_threshold times
	EventRebootAck     EventKind = "reboot-ack"     // mtcClient acknowledged the reboot command
	EventBMCResult     EventKind = "bmc-result"     // the BMC action finished (OK)
	EventGoenabled     EventKind = "goenabled"      // in-service tests finished (OK)
	EventHostServices  EventKind = "host-services"  // host services started (OK)
	EventHeartbeatOK   EventKind = "heartbeat-ok"   // heartbeat answered on every network
	EventHeartbeatLoss EventKind = "heartbeat-loss" // heartbeat failure threshold reached
	EventHooksDone     EventKind = "hooks-done"     // pre-lock hooks finished (OK, Reason)
	EventSwactDone     EventKind = "swact-done"     // service management finished the swact (OK)
	EventTimer         EventKind = "timer"          // State.Deadline passed
	EventDegrade       EventKind = "degrade"        // a degrade cause appeared or went (Degraded)
)

var eventKinds = enumValues[EventKind]{"event", []EventKind{EventAdd, EventAdmin, EventMtcAlive, EventOffline, EventRebootAck, EventBMCResult, EventGoenabled, EventHostServices, EventHeartbeatOK, EventHeartbeatLoss, EventHooksDone, EventSwactDone, EventTimer, EventDegrade}}

// String returns the kind's name.
func (k EventKind) String() string { return string(k) }

// ParseEventKind parses an event kind; a bad one is a *FieldError for
// field "event".
func ParseEventKind(s string) (EventKind, error) { return eventKinds.parse(s) }

// UnmarshalText parses an event kind.
func (k *EventKind) UnmarshalText(b []byte) error { return eventKinds.unmarshal(k, b) }
