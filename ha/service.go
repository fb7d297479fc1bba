package ha

import (
	"time"
)

// ServiceRun is one service's run-time state on this node: what
// StepService reads and returns. The daemon persists it as is (JSON), so
// a state machine resumes after a restart.
type ServiceRun struct {
	Name      string       `json:"name"`
	State     ServiceState `json:"state"`
	Status    Status       `json:"status,omitempty"`
	Condition Condition    `json:"condition,omitempty"`
	// Action is the action whose plugin is running; empty when none.
	Action ActionName `json:"action,omitempty"`
	// Deadline is when the running action times out or, with no action
	// running, when the next audit is due. Zero: none.
	Deadline time.Time `json:"deadline,omitzero"`
	// Retries counts the retries of the running action.
	Retries int `json:"retries,omitempty"`
	// Failures is the failure count. Each failure adds one; every
	// fail_countdown_interval takes fail_countdown off. Past
	// max_failures the service is failed (Status failed) and not
	// restarted.
	Failures int `json:"failures,omitempty"`
	// CountdownAt is when fail_countdown is next taken off Failures.
	CountdownAt time.Time `json:"countdown_at,omitzero"`
	// BadAudits counts bad audits in a row, for audit_debounce.
	BadAudits int `json:"bad_audits,omitempty"`
}

// Failed reports whether the service is failed and will not be restarted
// (until recovered).
func (s ServiceRun) Failed() bool { return s.Status == StatusFailed }

// NextDeadline is when the caller must next feed EventTimer: the earlier
// of Deadline and CountdownAt; zero for none.
func (s ServiceRun) NextDeadline() time.Time { return earliest(s.Deadline, s.CountdownAt) }

func earliest(ts ...time.Time) time.Time {
	var t time.Time
	for _, x := range ts {
		if !x.IsZero() && (t.IsZero() || x.Before(t)) {
			t = x
		}
	}
	return t
}

// ServiceEvent is an input of StepService.
type ServiceEvent struct {
	Kind ServiceEventKind `json:"kind"`
	// State is, for audit-success, the state the audit found the service
	// in (enabled-active, enabled-standby or disabled).
	State ServiceState `json:"state,omitempty"`
	// Fatal marks a failed action whose plugin said retrying cannot help
	// (ActionResult fatal): the service is failed at once.
	Fatal bool `json:"fatal,omitempty"`
}

// ResultEvent turns a plugin's result for action a into the event to
// feed back.
func ResultEvent(a ActionName, r ActionResult) ServiceEvent {
	prefix := string(a)
	if a == ActionAuditEnabled || a == ActionAuditDisabled {
		prefix = "audit"
	}
	switch r {
	case ResultSuccess:
		return ServiceEvent{Kind: ServiceEventKind(prefix + "-success")}
	case ResultTimeout:
		return ServiceEvent{Kind: ServiceEventKind(prefix + "-timeout")}
	case ResultFatal:
		return ServiceEvent{Kind: ServiceEventKind(prefix + "-failed"), Fatal: true}
	}
	return ServiceEvent{Kind: ServiceEventKind(prefix + "-failed")}
}

// OCFResult maps an OCF resource agent's exit code for action a to a
// result and, for audits, the state found (OCF_SUCCESS 0: running;
// OCF_NOT_RUNNING 7: stopped; OCF_RUNNING_MASTER 8: active;
// OCF_ERR_ARGS 2, OCF_ERR_UNIMPLEMENTED 3, OCF_ERR_INSTALLED 5 and
// OCF_ERR_CONFIGURED 6 are fatal). A running service's audit reports
// enabled-active on the node where the group is meant to be active:
// pass active for that.
func OCFResult(a ActionName, code int, active bool) (ActionResult, ServiceState) {
	running := ServiceEnabledStandby
	if active {
		running = ServiceEnabledActive
	}
	switch code {
	case 0:
		if a == ActionAuditEnabled || a == ActionAuditDisabled {
			return ResultSuccess, running
		}
		return ResultSuccess, ""
	case 7:
		if (a == ActionAuditEnabled || a == ActionAuditDisabled) && !active {
			return ResultSuccess, ServiceEnabledStandby // a 1+1 service's standby is stopped
		}
		if a == ActionAuditEnabled || a == ActionAuditDisabled || a == ActionDisable || a == ActionGoStandby {
			return ResultSuccess, ServiceDisabled // stopping a stopped service succeeds
		}
		return ResultFailed, ""
	case 8:
		return ResultSuccess, ServiceEnabledActive
	case 2, 3, 5, 6:
		return ResultFatal, ""
	}
	return ResultFailed, ""
}

// resultState is where a successful action leaves the service.
func resultState(a ActionName) ServiceState {
	switch a {
	case ActionEnable, ActionGoStandby:
		return ServiceEnabledStandby
	case ActionGoActive:
		return ServiceEnabledActive
	case ActionDisable:
		return ServiceDisabled
	}
	return ""
}

// transitionState is the state while action a runs.
func transitionState(a ActionName) ServiceState {
	switch a {
	case ActionEnable:
		return ServiceEnabling
	case ActionGoStandby:
		return ServiceEnabledGoStandby
	case ActionGoActive:
		return ServiceEnabledGoActive
	case ActionDisable:
		return ServiceDisabling
	}
	return ""
}

func isAudit(a ActionName) bool { return a == ActionAuditEnabled || a == ActionAuditDisabled }

func stable(st ServiceState) bool {
	return st == ServiceEnabledActive || st == ServiceEnabledStandby || st == ServiceDisabled
}

// result events: which action they answer and how.
var resultEvents = map[ServiceEventKind]struct {
	action ActionName
	result ActionResult
}{
	EventEnableSuccess: {ActionEnable, ResultSuccess}, EventEnableFailed: {ActionEnable, ResultFailed}, EventEnableTimeout: {ActionEnable, ResultTimeout},
	EventGoActiveSuccess: {ActionGoActive, ResultSuccess}, EventGoActiveFailed: {ActionGoActive, ResultFailed}, EventGoActiveTimeout: {ActionGoActive, ResultTimeout},
	EventGoStandbySuccess: {ActionGoStandby, ResultSuccess}, EventGoStandbyFailed: {ActionGoStandby, ResultFailed}, EventGoStandbyTimeout: {ActionGoStandby, ResultTimeout},
	EventDisableSuccess: {ActionDisable, ResultSuccess}, EventDisableFailed: {ActionDisable, ResultFailed}, EventDisableTimeout: {ActionDisable, ResultTimeout},
}

// StepService is a service's state machine: it returns the service's
// next state and the actions the caller must perform, given the current
// state, one event, the current time and the service's model. It does no
// I/O and keeps nothing.
//
// Commands (enable, go-active, go-standby, disable) start the action's
// plugin with a deadline of the action's timeout; an action the service
// does not define succeeds at once. Results move the service on;
// failed and timed-out actions are retried up to the action's
// max_*_retries, then count as a failure. A failure (process failure,
// heartbeat failure, audit_debounce bad audits in a row, an action out of
// retries) stops the service (disable) so that its group restarts it;
// past max_failures within the countdown, or on a fatal result, the
// service is failed (Status failed) and stays stopped until recovered.
// When Deadline passes, the caller feeds EventTimer: a running action
// times out (its plugin is cancelled), or the periodic audit starts.
//
// Results of an action that is no longer running (stale) and timers
// before the deadline are ignored. Commands that do not apply in the
// state return s unchanged and a *RuleError; a malformed event a
// *FieldError.
func StepService(s ServiceRun, ev ServiceEvent, now time.Time, cfg *Service) (ServiceRun, []Action, error) {
	if s.Name == "" {
		s.Name = cfg.Name
	}
	if s.State == "" {
		s.State = ServiceInitial
	}
	if !ev.Kind.Valid() {
		return s, nil, invalid("kind", "%q is not a service event", ev.Kind)
	}
	if s.State == ServiceShutdown {
		if ev.Kind == EventTimer || ev.Kind == EventShutdown {
			return s, nil, nil
		}
		return s, nil, refuse(RuleShutdown, "service %s is shut down", s.Name)
	}
	st := &serviceStep{s: s, now: now, cfg: cfg}
	if err := st.step(ev); err != nil {
		return s, nil, err
	}
	return st.s, st.acts, nil
}

type serviceStep struct {
	s    ServiceRun
	now  time.Time
	cfg  *Service
	acts []Action
}

func (st *serviceStep) emit(kind ActionKind, a ActionName) {
	st.acts = append(st.acts, Action{Kind: kind, Service: st.s.Name, Action: a})
}

func (st *serviceStep) step(ev ServiceEvent) error {
	s := &st.s
	switch ev.Kind {
	case EventEnable, EventGoActive, EventGoStandby, EventDisable:
		return st.command(ActionName(ev.Kind))
	case EventAudit:
		if s.Action != "" {
			return nil // an action or audit is running; the next audit follows it
		}
		st.startAudit()
	case EventTimer:
		if !s.CountdownAt.IsZero() && !st.now.Before(s.CountdownAt) {
			s.Failures = max(0, s.Failures-st.cfg.FailCountdown)
			s.CountdownAt = time.Time{}
			if s.Failures > 0 {
				s.CountdownAt = st.now.Add(st.cfg.FailCountdownInterval)
			}
		}
		if s.Deadline.IsZero() || st.now.Before(s.Deadline) {
			return nil
		}
		switch {
		case isAudit(s.Action):
			st.emit(DoCancel, s.Action)
			st.badAudit()
		case s.Action != "":
			st.actionFailed(ResultTimeout, false)
		default:
			st.startAudit()
		}
	case EventAuditSuccess:
		if !st.auditable() {
			return nil
		}
		if ev.State == "" {
			return invalid("state", "required with audit-success")
		}
		if !ev.State.Valid() {
			return invalid("state", "%q is not a service state", ev.State)
		}
		if ev.State != s.State {
			st.badAudit()
			return nil
		}
		s.BadAudits = 0
		s.Action = ""
		st.scheduleAudit()
	case EventAuditFailed, EventAuditTimeout, EventAuditMismatch:
		if st.auditable() {
			st.badAudit()
		}
	case EventHeartbeatOkay:
		if s.Status == StatusWarn || s.Status == StatusDegraded {
			s.Status, s.Condition = StatusNone, ConditionNone
		}
	case EventHeartbeatWarn, EventHeartbeatDegrade:
		if s.Status != StatusFailed {
			s.Status = map[ServiceEventKind]Status{EventHeartbeatWarn: StatusWarn, EventHeartbeatDegrade: StatusDegraded}[ev.Kind]
		}
	case EventHeartbeatFail, EventProcessFailure:
		if s.Status != StatusFailed && s.State != ServiceDisabled && s.State != ServiceDisabling {
			st.failure(ConditionRecoveryFailure, false)
		}
	case EventShutdown:
		if s.Action != "" {
			st.emit(DoCancel, s.Action)
		}
		s.State, s.Action, s.Deadline, s.Retries = ServiceShutdown, "", time.Time{}, 0
	case EventRecover:
		s.Status, s.Condition, s.Failures, s.CountdownAt, s.BadAudits = StatusNone, ConditionNone, 0, time.Time{}, 0
	default:
		r, ok := resultEvents[ev.Kind]
		if !ok {
			return invalid("kind", "%q is not an input of the service state machine", ev.Kind)
		}
		if s.Action != r.action {
			return nil // stale: the action was cancelled or overtaken
		}
		if r.result == ResultSuccess {
			st.done(r.action)
			return nil
		}
		st.actionFailed(r.result, ev.Fatal)
	}
	return nil
}

// auditable: an audit result counts only while the service is stable.
func (st *serviceStep) auditable() bool {
	return stable(st.s.State) && (st.s.Action == "" || isAudit(st.s.Action))
}

func (st *serviceStep) command(a ActionName) error {
	s := &st.s
	if s.Status == StatusFailed && a != ActionDisable {
		return refuse(RuleFailed, "service %s is failed (%s); recover it first", s.Name, s.Condition)
	}
	switch a {
	case ActionEnable:
		switch s.State {
		case ServiceEnabledActive, ServiceEnabledStandby, ServiceEnabling:
			return nil
		case ServiceInitial, ServiceUnknown, ServiceDisabled:
		default:
			return refuse(RuleEvent, "service %s cannot enable while %s", s.Name, s.State)
		}
	case ActionGoActive:
		switch s.State {
		case ServiceEnabledActive, ServiceEnabledGoActive:
			return nil
		case ServiceEnabledStandby:
		default:
			return refuse(RuleEvent, "service %s cannot go active while %s; enable it first", s.Name, s.State)
		}
	case ActionGoStandby:
		switch s.State {
		case ServiceEnabledStandby, ServiceEnabledGoStandby:
			return nil
		case ServiceEnabledActive:
		default:
			return refuse(RuleEvent, "service %s cannot go standby while %s", s.Name, s.State)
		}
	case ActionDisable:
		if s.State == ServiceDisabled || s.State == ServiceDisabling {
			return nil
		}
	}
	if s.Action != "" {
		st.emit(DoCancel, s.Action) // an audit, or a transition overtaken by disable
	}
	s.Retries = 0
	st.start(a)
	return nil
}

// start runs action a, or completes it at once if the service has none.
func (st *serviceStep) start(a ActionName) {
	s := &st.s
	spec := st.cfg.Action(a)
	if spec == nil {
		st.done(a)
		return
	}
	s.State, s.Action, s.Deadline = transitionState(a), a, st.now.Add(spec.Timeout)
	st.emit(DoRun, a)
}

func (st *serviceStep) done(a ActionName) {
	s := &st.s
	s.State, s.Action, s.Retries, s.BadAudits = resultState(a), "", 0, 0
	st.scheduleAudit()
}

func (st *serviceStep) auditAction() *ActionSpec {
	switch st.s.State {
	case ServiceEnabledActive, ServiceEnabledStandby:
		return st.cfg.Action(ActionAuditEnabled)
	case ServiceDisabled:
		return st.cfg.Action(ActionAuditDisabled)
	}
	return nil
}

func (st *serviceStep) scheduleAudit() {
	st.s.Deadline = time.Time{}
	if spec := st.auditAction(); spec != nil && spec.Interval > 0 {
		st.s.Deadline = st.now.Add(spec.Interval)
	}
}

func (st *serviceStep) startAudit() {
	spec := st.auditAction()
	if spec == nil {
		st.s.Deadline = time.Time{}
		return
	}
	st.s.Action, st.s.Deadline = spec.Action, st.now.Add(spec.Timeout)
	st.emit(DoRun, spec.Action)
}

func (st *serviceStep) badAudit() {
	s := &st.s
	s.Action = ""
	s.BadAudits++
	if s.BadAudits < max(1, st.cfg.AuditDebounce) {
		st.scheduleAudit()
		return
	}
	s.BadAudits = 0
	st.failure(ConditionRecoveryFailure, false)
}

func (st *serviceStep) actionFailed(r ActionResult, fatal bool) {
	s := &st.s
	a := s.Action
	spec := st.cfg.Action(a)
	if r == ResultTimeout {
		st.emit(DoCancel, a)
	}
	if !fatal && spec != nil {
		limit := spec.MaxFailureRetries
		if r == ResultTimeout {
			limit = spec.MaxTimeoutRetries
		}
		if s.Retries < limit && (spec.MaxTotalRetries == 0 || s.Retries < spec.MaxTotalRetries) {
			s.Retries++
			s.Deadline = st.now.Add(spec.Timeout)
			st.emit(DoRun, a)
			return
		}
	}
	s.Retries = 0
	if a == ActionDisable {
		// The service may still run: it is failed, in an unknown state.
		s.State, s.Action, s.Deadline = ServiceUnknown, "", time.Time{}
		s.Status, s.Condition = StatusFailed, ConditionActionFailure
		if fatal {
			s.Condition = ConditionFatalFailure
		}
		return
	}
	cond := ConditionActionFailure
	if fatal {
		cond = ConditionFatalFailure
	}
	s.Action = ""
	st.failure(cond, fatal)
}

// failure counts a failure and stops the service: to be restarted by its
// group, or for good past max_failures or when fatal.
func (st *serviceStep) failure(cond Condition, fatal bool) {
	s := &st.s
	if isAudit(s.Action) || s.Action != "" {
		st.emit(DoCancel, s.Action)
		s.Action = ""
	}
	s.BadAudits = 0
	s.Failures++
	if s.CountdownAt.IsZero() {
		s.CountdownAt = st.now.Add(st.cfg.FailCountdownInterval)
	}
	if fatal || s.Failures > st.cfg.MaxFailures {
		s.Status, s.Condition = StatusFailed, cond
	}
	s.Retries = 0
	st.start(ActionDisable)
}
