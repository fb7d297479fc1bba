package hostmgmt

import (
	"maps"
	"strings"
	"time"

	"github.com/edgeflock/flock/inventory"
)

// Step is the whole state machine: it returns the host's next state and
// the actions the manager must perform, given the current state, one
// event and the current time. It does no I/O and keeps no state; the
// same inputs always give the same outputs.
//
// One function serves all FSMs (add, enable, disable/lock, force-lock,
// reboot, reset, reinstall, power-on/off, swact, delete, failure and
// recovery) because they share the host's state: which FSM an event
// feeds is given by s.Action and s.Stage. The next deadline is the
// returned State.Deadline.
//
// An operator action refused by a rule of §2.3, and an event that does
// not apply to the current stage, return s unchanged, no actions and a
// *RuleError wrapping ErrInvalidTransition. Stale events that the
// manager may legitimately race with (a timer whose deadline has moved,
// an mtcAlive while idle) are ignored without error.
func Step(s State, ev Event, now time.Time, t Timings, sys SystemContext) (State, []Action, error) {
	s.Failures = maps.Clone(s.Failures)
	switch ev.Kind {
	case EventAdd:
		return add(s)
	case EventAdmin:
		if !ev.Action.Valid() || ev.Action == ActionNone || ev.Action == ActionRecovery || ev.Action == ActionEnable {
			return s, nil, &FieldError{Field: "action", Reason: "\"" + string(ev.Action) + "\" is not an operator action"}
		}
		return admin(s, ev.Action, now, t, sys)
	case EventTimer:
		if s.Deadline.IsZero() || now.Before(s.Deadline) {
			return s, nil, nil // stale timer
		}
		return timer(s, now, t, sys)
	case EventMtcAlive, EventOffline, EventRebootAck, EventBMCResult, EventGoenabled,
		EventHostServices, EventHeartbeatOK, EventHeartbeatLoss, EventHooksDone, EventSwactDone:
		return observe(s, ev, now, t, sys)
	case EventDegrade:
		return degrade(s, ev.Degraded), nil, nil
	}
	return s, nil, &FieldError{Field: "event", Reason: "\"" + string(ev.Kind) + "\" is not a known event"}
}

// maxTask is the longest task text StarlingX stores.
const maxTask = 63

func add(s State) (State, []Action, error) {
	if s.Administrative != "" {
		return s, nil, refuse(RuleEvent, "Host already added")
	}
	return State{
		Administrative: inventory.AdminLocked,
		Operational:    inventory.OperDisabled,
		Availability:   inventory.AvailOffline,
		Action:         ActionNone,
	}, nil, nil
}

func idle(s State) State {
	s.Stage, s.Action, s.Deadline, s.Retries = StageIdle, ActionNone, time.Time{}, 0
	return s
}

func locked(s State) bool { return s.Administrative == inventory.AdminLocked }

func admin(s State, a AdminAction, now time.Time, t Timings, sys SystemContext) (State, []Action, error) {
	if s.Administrative == "" {
		return s, nil, refuse(RuleEvent, "Host not added")
	}
	// Waiting for a host to come online (or go offline) after an action
	// has ended (power-on) is not being busy: mtce takes a new action.
	waiting := s.Action == ActionNone && (s.Stage == StageOnlineWait || s.Stage == StageOfflineWait)
	busy := s.Stage != StageIdle && s.Stage != StageFailureWait && s.Stage != StageFailureThreshold && !waiting
	switch a {
	case ActionLock, ActionForceLock:
		if locked(s) {
			return s, nil, refuse(RuleAlreadyLocked, "Avoiding %s action on already 'locked' host %s", a, sys.name())
		}
		if sys.Personality == inventory.PersonalityController && !sys.Simplex {
			if sys.ActiveController {
				return s, nil, refuse(RuleActiveController, "%s : Rejected: Can not lock an active controller.", sys.name())
			}
			if s.Operational == inventory.OperEnabled && sys.EnabledControllers <= 1 {
				return s, nil, refuse(RuleLastController, "Can not lock the only enabled controller")
			}
		}
		if a == ActionForceLock {
			return forceLock(s, now, t)
		}
		if busy && s.Stage == StageLockHooks {
			return s, nil, refuse(RuleBusy, "Lock already in progress")
		}
		s = idle(s)
		s.Action, s.Stage, s.Task = ActionLock, StageLockHooks, TaskLocking
		s.Deadline = now.Add(t.LockHooksTimeout)
		return s, []Action{{Kind: DoRunLockHooks}}, nil
	case ActionUnlock, ActionForceUnlock:
		if !locked(s) {
			return s, nil, refuse(RuleAlreadyUnlocked, "Avoiding 'unlock' action on already 'unlocked' host %s", sys.name())
		}
		if s.Availability == inventory.AvailPowerOff {
			return s, nil, refuse(RulePowerState, "Can not 'Unlock a Powered-Off' host %s; Power-on, wait for 'online' status and then 'unlock'", sys.name())
		}
		if busy {
			return s, nil, refuse(RuleBusy, "Host is busy with action %s", s.Action)
		}
		s.Failures, s.GracefulRecoveries, s.Cause = nil, 0, CauseNone
		s.Administrative = inventory.AdminUnlocked
		s.Action = ActionUnlock
		s, acts, err := enableStart(s, now, t)
		if sys.Simplex && sys.Personality == inventory.PersonalityController {
			s.Task = TaskSimplexUnlock
		}
		return s, acts, err
	case ActionSwact, ActionForceSwact:
		switch {
		case sys.Personality != inventory.PersonalityController:
			return s, nil, refuse(RuleSwact, "Swact action not allowed for non controller host %s.", sys.name())
		case locked(s):
			return s, nil, refuse(RuleSwact, "Controller is Locked ; No services to Swact")
		case sys.Simplex:
			return s, nil, refuse(RuleSwact, "Swact action not allowed for a simplex system.")
		case !sys.ActiveController:
			return s, nil, refuse(RuleSwact, "Swact action not allowed for a host that is not the active controller")
		case a == ActionSwact && !sys.StandbyHealthy:
			return s, nil, refuse(RuleSwact, "Swact action not allowed: no healthy standby controller")
		}
		if busy {
			return s, nil, refuse(RuleBusy, "Host is busy with action %s", s.Action)
		}
		s.Action, s.Stage, s.Task, s.Deadline = a, StageSwactWait, TaskSwact, now.Add(t.SwactTimeout)
		return s, []Action{{Kind: DoRequestSwact}}, nil
	}
	// The remaining actions need the host locked, and some a system
	// with more than one host; in sysinv's order and words.
	verb := sysinvVerb[a]
	simplexFirst := a == ActionReset || a == ActionPowerOff || a == ActionReinstall
	if simplexFirst && sys.Simplex {
		return s, nil, refuse(RuleSimplex, "%s", simplexRefusal[a])
	}
	if !locked(s) {
		if a == ActionPowerOn {
			return s, nil, refuse(RuleNeedsLocked, "Can not 'Power-On' an already Powered-on and 'unlocked' host %s", sys.name())
		}
		return s, nil, refuse(RuleNeedsLocked, "Can not '%s' an 'unlocked' host %s; Please 'Lock' first", verb, sys.name())
	}
	if a == ActionPowerOn && sys.Simplex {
		return s, nil, refuse(RuleSimplex, "%s", simplexRefusal[a])
	}
	if busy {
		return s, nil, refuse(RuleBusy, "Host is busy with action %s", s.Action)
	}
	switch a {
	case ActionReboot:
		if s.Availability == inventory.AvailPowerOff || s.Availability == inventory.AvailOffline {
			return s, nil, refuse(RulePowerState, "Can not 'Reboot' host %s while it is '%s'", sys.name(), s.Availability)
		}
		s.Action, s.Stage, s.Task, s.Deadline = a, StageRebootWait, TaskRebooting, now.Add(t.RebootAckTimeout)
		return s, []Action{{Kind: DoRebootCommand}}, nil
	case ActionReset:
		s.Action, s.Stage, s.Task, s.Deadline = a, StageResetWait, TaskResetting, now.Add(t.ResetRetryDelay)
		return s, []Action{{Kind: DoBMCReset}}, nil
	case ActionReinstall:
		s.Action, s.Stage, s.Task, s.Deadline = a, StageReinstallWait, TaskReinstalling, now.Add(t.ReinstallTimeout)
		s.Availability = inventory.AvailOffline
		return s, []Action{{Kind: DoNetboot}}, nil
	case ActionPowerOff:
		if s.Availability == inventory.AvailPowerOff {
			return s, nil, refuse(RulePowerState, "Host %s is already powered off", sys.name())
		}
		s.Action, s.Stage, s.Task, s.Deadline = a, StagePowerOffWait, TaskPoweringOff, now.Add(t.PowerOffTimeout)
		return s, []Action{{Kind: DoBMCPowerOff}}, nil
	case ActionPowerOn:
		if s.Availability != inventory.AvailPowerOff {
			return s, nil, refuse(RulePowerState, "Host %s is already powered on", sys.name())
		}
		s.Action, s.Stage, s.Task, s.Deadline = a, StagePowerOnWait, TaskPoweringOn, now.Add(t.PowerOnTimeout)
		return s, []Action{{Kind: DoBMCPowerOn}}, nil
	case ActionDelete:
		s.Action, s.Stage, s.Task = a, StageDeleting, TaskDeleting
		return s, []Action{{Kind: DoHeartbeatStop}, {Kind: DoDeleteHost}}, nil
	}
	return s, nil, &FieldError{Field: "action", Reason: "\"" + string(a) + "\" is not an operator action"}
}

func forceLock(s State, now time.Time, t Timings) (State, []Action, error) {
	old := s
	s = idle(s)
	s.Administrative, s.Operational = inventory.AdminLocked, inventory.OperDisabled
	s.Action, s.Stage, s.Task = ActionForceLock, StageForceLockReset, TaskForceLock
	if s.Availability != inventory.AvailOffline && s.Availability != inventory.AvailPowerOff {
		s.Availability = inventory.AvailOnline
	}
	s.Deadline = now.Add(t.RebootAckTimeout)
	s.Failures, s.Cause, s.GracefulRecoveries = nil, CauseNone, 0
	return s, append(append([]Action{{Kind: DoHeartbeatStop}, {Kind: DoStopServices}}, clearAlarms(old)...), Action{Kind: DoRebootCommand}), nil
}

// clearAlarms clears the failure alarms: 200.004 always (clearing an
// alarm that is not raised does nothing), 200.011 when a configuration
// failure raised it since the last enable or lock.
func clearAlarms(s State) []Action {
	acts := []Action{{Kind: DoClearAlarm, ID: AlarmHostFailed}}
	if s.Failures[CauseConfig] > 0 {
		acts = append(acts, Action{Kind: DoClearAlarm, ID: AlarmConfigFailure})
	}
	return acts
}

// enableStart runs START, HEARTBEAT_STOP_CMD and the first step of
// RESET_PROGRESSION: the host goes unlocked-disabled and is rebooted.
func enableStart(s State, now time.Time, t Timings) (State, []Action, error) {
	s.Operational = inventory.OperDisabled
	if s.Availability != inventory.AvailFailed {
		s.Availability = inventory.AvailOffline
	}
	s.Degraded = false
	s.Stage, s.Task, s.Retries = StageResetProgression, TaskRebooting, 0
	s.Deadline = now.Add(t.RebootAckTimeout)
	return s, []Action{{Kind: DoHeartbeatStop}, {Kind: DoRebootCommand}}, nil
}

func bootTimeout(t Timings, sys SystemContext) time.Duration {
	if sys.Personality == inventory.PersonalityController {
		return t.ControllerBootTimeout
	}
	return t.WorkerBootTimeout
}

// fail enters FAILURE: unlocked-disabled-failed, alarm, and either a retry
// after the cause's interval (with task, StarlingX's "..., re-enabling")
// or, at the cause's threshold, no more
// auto-recovery.
func fail(s State, c Cause, task Task, now time.Time, t Timings, sys SystemContext) (State, []Action, error) {
	alarm := AlarmHostFailed
	if c == CauseConfig {
		alarm = AlarmConfigFailure
	}
	var acts []Action
	if sys.ActiveController && sys.StandbyHealthy {
		acts = append(acts, Action{Kind: DoRequestSwact})
	}
	acts = append(acts, Action{Kind: DoHeartbeatStop}, Action{Kind: DoRaiseAlarm, ID: alarm})
	s.Operational, s.Availability, s.Cause, s.Retries = inventory.OperDisabled, inventory.AvailFailed, c, 0
	s.Action = ActionEnable
	if s.Failures == nil {
		s.Failures = map[Cause]int{}
	}
	s.Failures[c]++
	if sys.ActiveController && sys.Personality == inventory.PersonalityController {
		// The active controller itself failed: with a standby, services
		// move there first; without one, an all-in-one system stops
		// auto-recovery after autorecovery_threshold attempts.
		total := 0
		for _, n := range s.Failures {
			total += n
		}
		if !sys.StandbyHealthy && sys.Simplex && t.AutoRecoveryThreshold > 0 && total >= t.AutoRecoveryThreshold {
			s.Stage, s.Deadline, s.Task = StageFailureThreshold, time.Time{}, TaskEnableThreshold
			return s, acts, nil
		}
	}
	if th := t.Thresholds[c]; th > 0 && s.Failures[c] >= th {
		s.Stage, s.Deadline = StageFailureThreshold, time.Time{}
		s.Task = map[Cause]Task{CauseConfig: TaskConfigThreshold, CauseGoenable: TaskGoenableThreshold,
			CauseHostServices: TaskServicesThreshold, CauseHeartbeat: TaskHeartbeatThreshold}[c]
		return s, acts, nil
	}
	iv, ok := t.Intervals[c]
	if !ok {
		iv = t.DefaultInterval
	}
	switch {
	case sys.ActiveController && sys.StandbyHealthy:
		task = TaskFailedSwactRequest
	case sys.ActiveController && !sys.Simplex:
		task = TaskFailedNoBackup
	}
	s.Stage, s.Task, s.Deadline = StageFailureWait, task, now.Add(iv)
	return s, acts, nil
}

func timer(s State, now time.Time, t Timings, sys SystemContext) (State, []Action, error) {
	switch s.Stage {
	case StageResetProgression, StageForceLockReset, StageRebootWait, StageResetWait:
		// No ACK to the reboot command, or the reset did not take the
		// host down: (another) BMC reset, up to ResetRetries.
		if s.Retries >= t.ResetRetries {
			if s.Stage == StageResetProgression {
				return fail(s, CauseReset, TaskRebootTimeout, now, t, sys)
			}
			s = idle(s)
			s.Task = TaskResetFailed
			return s, nil, nil
		}
		s.Retries++
		s.Deadline = now.Add(t.ResetRetryDelay)
		return s, []Action{{Kind: DoBMCReset}}, nil
	case StageMtcAliveWait:
		return fail(s, CauseBoot, TaskBootFailed, now, t, sys)
	case StageGoenabledWait:
		return fail(s, CauseGoenable, TaskIntestTimeout, now, t, sys)
	case StageHostServicesWait:
		return fail(s, CauseHostServices, TaskServicesTimeout, now, t, sys)
	case StageHeartbeatWait:
		return fail(s, CauseHeartbeat, TaskEnableHeartbeatFail, now, t, sys)
	case StageHeartbeatSoak:
		// STATE_CHANGE, then ENABLED.
		avail := inventory.AvailAvailable
		if s.Degraded {
			avail = inventory.AvailDegraded
		}
		acts := clearAlarms(s)
		s = idle(s)
		s.Operational, s.Availability, s.Task, s.Cause, s.Failures = inventory.OperEnabled, avail, TaskNone, CauseNone, nil
		return s, acts, nil
	case StageFailureWait:
		return enableStart(s, now, t)
	case StageLockHooks:
		s = idle(s)
		s.Task = TaskLockRejectedPrefix + "pre-lock hooks timed out"
		return s, nil, nil
	case StagePowerOffWait, StagePowerOnWait:
		if s.Retries >= t.PowerRetries {
			s.Task = TaskPowerOnFailed
			if s.Stage == StagePowerOffWait {
				s.Task = TaskPowerOffFailed
			}
			s = idle(s)
			return s, nil, nil
		}
		s.Retries++
		s.Deadline = now.Add(t.PowerRetryDelay)
		if s.Stage == StagePowerOffWait {
			return s, []Action{{Kind: DoBMCPowerOff}}, nil
		}
		return s, []Action{{Kind: DoBMCPowerOn}}, nil
	case StageOfflineWait, StageOnlineWait:
		// The host did not go down, or did not come back: the action is
		// over; its availability tells the operator which.
		s = idle(s)
		s.Task = TaskNone
		return s, nil, nil
	case StageReinstallWait:
		s = idle(s)
		s.Task = TaskReinstallFailed
		return s, nil, nil
	case StageSwactWait:
		s = idle(s)
		s.Task = TaskSwactTimeout
		return s, nil, nil
	case StageRecoveryMtcAlive:
		// No answer in the recovery window: reset path after the delay
		// that leaves time for a crash dump.
		s.Stage, s.Deadline = StageRecoveryResetDly, now.Add(t.BMCResetDelay)
		return s, nil, nil
	case StageRecoveryResetDly:
		s.Stage, s.Task, s.Retries = StageResetProgression, TaskRebooting, 0
		s.Deadline = now.Add(t.ResetRetryDelay)
		return s, []Action{{Kind: DoBMCReset}}, nil
	}
	return s, nil, nil
}

func wrongStage(s State, ev Event) (State, []Action, error) {
	return s, nil, refuse(RuleEvent, "Event %s does not apply in stage %q", ev.Kind, s.Stage)
}

func observe(s State, ev Event, now time.Time, t Timings, sys SystemContext) (State, []Action, error) {
	switch ev.Kind {
	case EventOffline:
		if s.Availability == inventory.AvailPowerOff {
			return s, nil, nil
		}
		if s.Stage == StageResetProgression {
			// The host went down: INTEST_START, MTCALIVE_PURGE, MTCALIVE_WAIT.
			s.Stage, s.Task, s.Deadline, s.Retries = StageMtcAliveWait, TaskBooting, now.Add(bootTimeout(t, sys)), 0
			return s, nil, nil
		}
		if locked(s) {
			s.Availability = inventory.AvailOffline
			switch s.Stage {
			case StageForceLockReset, StageRebootWait, StageResetWait, StageOfflineWait:
				s = idle(s)
				s.Stage, s.Action, s.Deadline = StageOnlineWait, ActionNone, now.Add(t.OnlineTimeout)
				return s, nil, nil
			}
		}
		return s, nil, nil
	case EventRebootAck:
		switch s.Stage {
		case StageResetProgression:
			s.Stage, s.Task, s.Deadline, s.Retries = StageMtcAliveWait, TaskBooting, now.Add(bootTimeout(t, sys)), 0
			return s, nil, nil
		case StageForceLockReset, StageRebootWait:
			s.Stage, s.Deadline, s.Retries = StageOfflineWait, now.Add(t.OfflineTimeout), 0
			return s, nil, nil
		}
		return s, nil, nil // late ACK
	case EventMtcAlive:
		switch s.Stage {
		case StageMtcAliveWait:
			if !ev.Rebooted {
				// From before the reboot (the command was acknowledged,
				// the host not down yet): the rebooted host's is awaited.
				return s, nil, nil
			}
			if ev.ConfigFailed {
				return fail(s, CauseConfig, TaskConfigFailed, now, t, sys)
			}
			if !ev.Configured {
				return s, nil, nil // still applying its configuration
			}
			s.Availability = inventory.AvailIntest
			s.Stage, s.Task, s.Deadline = StageGoenabledWait, TaskTesting, now.Add(t.GoenabledTimeout)
			return s, []Action{{Kind: DoStartGoenabled}}, nil
		case StageRecoveryMtcAlive:
			if ev.ConfigFailed || !ev.Configured {
				// Not configured or not healthy: a full enable with the
				// configuration alarm (§2.5).
				return fail(s, CauseConfig, TaskConfigFailed, now, t, sys)
			}
			if ev.Rebooted {
				s.Availability = inventory.AvailIntest
				s.Stage, s.Task, s.Deadline = StageGoenabledWait, TaskTesting, now.Add(t.GoenabledTimeout)
				return s, []Action{{Kind: DoStartGoenabled}}, nil
			}
			// Graceful: back without a reboot, after a heartbeat soak.
			s.Stage, s.Deadline = StageHeartbeatWait, now.Add(t.HeartbeatWaitTimeout)
			return s, []Action{{Kind: DoHeartbeatStart}}, nil
		}
		if locked(s) && (s.Availability == inventory.AvailOffline || s.Availability == inventory.AvailNotInstalled) {
			s.Availability = inventory.AvailOnline
			switch s.Stage {
			case StageOnlineWait, StageOfflineWait, StageReinstallWait, StagePowerOnWait:
				s = idle(s)
				s.Task = TaskNone
			}
		}
		return s, nil, nil
	case EventBMCResult:
		switch s.Stage {
		case StagePowerOffWait:
			if !ev.OK {
				return s, nil, nil // the timer retries
			}
			s = idle(s)
			s.Availability, s.Task = inventory.AvailPowerOff, TaskNone
			return s, nil, nil
		case StagePowerOnWait:
			if !ev.OK {
				return s, nil, nil
			}
			s = idle(s)
			s.Availability, s.Task = inventory.AvailOffline, TaskNone
			s.Stage, s.Deadline = StageOnlineWait, now.Add(t.OnlineTimeout)
			return s, nil, nil
		case StageResetWait:
			if ev.OK {
				s.Stage, s.Deadline, s.Retries = StageOfflineWait, now.Add(t.OfflineTimeout), 0
			}
			return s, nil, nil
		}
		return s, nil, nil
	case EventGoenabled:
		if s.Stage != StageGoenabledWait {
			return wrongStage(s, ev)
		}
		if !ev.OK {
			return fail(s, CauseGoenable, TaskIntestFailed, now, t, sys)
		}
		s.Stage, s.Task, s.Deadline = StageHostServicesWait, TaskInitializing, now.Add(t.HostServicesTimeout)
		return s, []Action{{Kind: DoStartServices}}, nil
	case EventHostServices:
		if s.Stage != StageHostServicesWait {
			return wrongStage(s, ev)
		}
		if !ev.OK {
			return fail(s, CauseHostServices, TaskServicesFailed, now, t, sys)
		}
		s.Stage, s.Task, s.Deadline = StageHeartbeatWait, TaskEnabling, now.Add(t.HeartbeatWaitTimeout)
		return s, []Action{{Kind: DoHeartbeatStart}}, nil
	case EventHeartbeatOK:
		if s.Stage != StageHeartbeatWait {
			return s, nil, nil
		}
		s.Stage, s.Deadline = StageHeartbeatSoak, now.Add(t.HeartbeatSoak)
		return s, nil, nil
	case EventHeartbeatLoss:
		switch s.Stage {
		case StageHeartbeatSoak, StageHeartbeatWait:
			if s.Action == ActionRecovery {
				// Lost again during the recovery soak: the reset path.
				s.Stage, s.Deadline = StageRecoveryResetDly, now.Add(t.BMCResetDelay)
				return s, []Action{{Kind: DoHeartbeatStop}}, nil
			}
			return fail(s, CauseHeartbeat, TaskEnableHeartbeatFail, now, t, sys)
		case StageIdle:
			if s.Administrative != inventory.AdminUnlocked || s.Operational != inventory.OperEnabled {
				return s, nil, nil
			}
			if s.GracefulRecoveries >= t.MaxGracefulRecoveries {
				st, acts, err := fail(s, CauseHeartbeat, TaskRecoveryFailed, now, t, sys)
				return st, acts, err
			}
			s.GracefulRecoveries++
			s.Operational, s.Availability = inventory.OperDisabled, inventory.AvailFailed
			s.Action, s.Stage, s.Task = ActionRecovery, StageRecoveryMtcAlive, TaskGracefulRecovery
			s.Deadline = now.Add(t.RecoveryTimeout)
			return s, []Action{{Kind: DoHeartbeatStop}, {Kind: DoRaiseAlarm, ID: AlarmHostFailed}, {Kind: DoRequestMtcAlive}}, nil
		}
		return s, nil, nil // already handled, or not in service
	case EventHooksDone:
		if s.Stage != StageLockHooks {
			return wrongStage(s, ev)
		}
		if !ev.OK {
			s = idle(s)
			s.Task = TaskLockRejectedPrefix + Task(ev.Reason)
			if len(s.Task) > maxTask {
				s.Task = Task(strings.ToValidUTF8(string(s.Task[:maxTask]), ""))
			}
			return s, nil, nil
		}
		acts := append([]Action{{Kind: DoHeartbeatStop}, {Kind: DoStopServices}}, clearAlarms(s)...)
		s = idle(s)
		s.Administrative, s.Operational, s.Task = inventory.AdminLocked, inventory.OperDisabled, TaskNone
		if s.Availability != inventory.AvailOffline && s.Availability != inventory.AvailPowerOff {
			s.Availability = inventory.AvailOnline
		}
		s.Failures, s.Cause, s.GracefulRecoveries, s.Degraded = nil, CauseNone, 0, false
		return s, acts, nil
	case EventSwactDone:
		if s.Stage != StageSwactWait {
			return wrongStage(s, ev)
		}
		s = idle(s)
		s.Task = TaskNone
		if !ev.OK {
			s.Task = TaskSwactFailed
		}
		return s, nil, nil
	}
	return wrongStage(s, ev)
}

// degrade records whether a degrade cause is present; an in-service host
// goes degraded or back to available at once, one being enabled ends its
// enable in the matching availability.
func degrade(s State, on bool) State {
	s.Degraded = on
	if s.Administrative == inventory.AdminUnlocked && s.Operational == inventory.OperEnabled && s.Stage == StageIdle {
		s.Availability = inventory.AvailAvailable
		if on {
			s.Availability = inventory.AvailDegraded
		}
	}
	return s
}

// Resume returns s as it must continue after the manager restarted at
// now: a stage that was waiting gets its deadline recomputed from now
// with the stage's full timeout, so time the controller spent down is not
// held against the host; an idle state is unchanged.
func Resume(s State, now time.Time, t Timings, sys SystemContext) State {
	if s.Deadline.IsZero() {
		return s
	}
	d := StageTimeout(s.Stage, t, sys)
	if s.Stage == StageFailureWait {
		iv, ok := t.Intervals[s.Cause]
		if !ok {
			iv = t.DefaultInterval
		}
		d = iv
	}
	if d > 0 {
		s.Deadline = now.Add(d)
	}
	return s
}

// StageTimeout returns how long a stage waits before its timer fires (0
// for stages without one).
func StageTimeout(st Stage, t Timings, sys SystemContext) time.Duration {
	switch st {
	case StageResetProgression, StageForceLockReset, StageRebootWait:
		return t.RebootAckTimeout
	case StageResetWait:
		return t.ResetRetryDelay
	case StageMtcAliveWait:
		return bootTimeout(t, sys)
	case StageGoenabledWait:
		return t.GoenabledTimeout
	case StageHostServicesWait:
		return t.HostServicesTimeout
	case StageHeartbeatWait:
		return t.HeartbeatWaitTimeout
	case StageHeartbeatSoak:
		return t.HeartbeatSoak
	case StageFailureWait:
		return t.DefaultInterval
	case StageLockHooks:
		return t.LockHooksTimeout
	case StageOfflineWait:
		return t.OfflineTimeout
	case StageOnlineWait:
		return t.OnlineTimeout
	case StageReinstallWait:
		return t.ReinstallTimeout
	case StagePowerOffWait:
		return t.PowerOffTimeout
	case StagePowerOnWait:
		return t.PowerOnTimeout
	case StageSwactWait:
		return t.SwactTimeout
	case StageRecoveryMtcAlive:
		return t.RecoveryTimeout
	case StageRecoveryResetDly:
		return t.BMCResetDelay
	}
	return 0
}

// sysinvVerb is how sysinv names an action in its refusals.
var sysinvVerb = map[AdminAction]string{
	ActionReboot: "Reboot", ActionReset: "Reset", ActionReinstall: "Reinstall",
	ActionPowerOn: "Power-On", ActionPowerOff: "Power-Off", ActionDelete: "Delete",
}

// simplexRefusal is sysinv's refusal of an action on a simplex system.
var simplexRefusal = map[AdminAction]string{
	ActionReset:     "Can not 'Reset' a simplex system",
	ActionPowerOff:  "Can not 'Power-Off' a simplex system via system commands",
	ActionReinstall: "Reinstalling a simplex system is not allowed.",
	ActionPowerOn:   "Can not 'Power-On' an already Powered-on simplex system",
}
