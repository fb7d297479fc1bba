// Package ha is Flock's service management: StarlingX's SM (the "ha"
// repository, §3 of the reference). It keeps the controller services
// active on exactly one controller (or on both for N-active groups) and
// moves them on failure or on request.
//
// This part of the package is the data-driven model and the pure state
// machines; the peer protocol, survivor selection, the REST API and the
// daemon build on it.
//
// # The model
//
// A Model holds service domains, service groups and services with their
// actions (enable, disable, go-active, go-standby, audit-enabled,
// audit-disabled), each run by a plugin (an OCF script with a timeout, a
// systemd unit, a Go function registered by name, or Flock's floating
// address), dependencies between services, failure impacts, debounce,
// max failures within a countdown and auto-recovery. LoadModel reads
// one from YAML with StarlingX's column names and validates it fully;
// DefaultModel is Flock's own controller services.
//
// # The state machines
//
// StepService and StepGroup are pure functions:
//
//	next, actions, err := ha.StepGroup(group, event, now, ha.GroupConfig{Model: m})
//
// They do no I/O, start nothing and keep nothing. The caller persists
// next, performs the actions (run or cancel a service's plugin; report
// the group's new state, status and condition, raising or clearing alarm
// 400.001) and feeds the results back as events. When
// next.NextDeadline() passes, it feeds a timer event: a running action
// times out, the periodic audit starts, a failure count counts down, a
// debounced status heals.
//
// # Failover
//
// StepFailover is the failover decision of §3.6, also pure: this node's
// role, the peer's per-path state (hapeer's events), the peer's reported
// role and health, this node's health score, host maintenance's cluster
// view and the fence and witness results go in; go-active, go-standby,
// fail, request-fence, request-lease, renew-lease, release-lease and
// alarms 400.005 and 400.002 come out. It selects the survivor as
// StarlingX does and adds Flock's rule: a standby takes over from a
// silent peer only after fencing it or once the peer's witness lease has
// ended, and an active that cannot renew its lease demotes itself first.
// See StepFailover for the rules and the invariant.
//
// # Errors
//
// Every error wraps one of ErrInvalid (a *FieldError naming the field by
// its path), ErrInvalidTransition (a *RuleError naming the rule),
// ErrNotFound or ErrUnavailable; check them with errors.Is.
package ha
