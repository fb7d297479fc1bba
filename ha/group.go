package ha

import (
	"fmt"
	"slices"
	"time"
)

// Action is what StepService and StepGroup ask the caller to do.
type Action struct {
	Kind ActionKind `json:"kind"`
	// Service and Action: for run and cancel, the service and which of
	// its actions (whose plugin, timeout and parameters are in the model).
	Service string     `json:"service,omitempty"`
	Action  ActionName `json:"action,omitempty"`
	// Group, State, Status and Condition: for report, the group's new
	// values.
	Group     string     `json:"group,omitempty"`
	State     GroupState `json:"state,omitempty"`
	Status    Status     `json:"status,omitempty"`
	Condition Condition  `json:"condition,omitempty"`
}

// GroupRun is one service group's run-time state on this node, with its
// members' states: what StepGroup reads and returns.
type GroupRun struct {
	Name string `json:"name"`
	// DesiredState is where the group is going: active, standby or
	// disabled (initial before the first command).
	DesiredState GroupState `json:"desired_state"`
	State        GroupState `json:"state"`
	Status       Status     `json:"status,omitempty"`
	Condition    Condition  `json:"condition,omitempty"`
	// DebounceUntil: the status is held at its worse value until then
	// (failure_debounce), unless it gets worse again.
	DebounceUntil time.Time `json:"debounce_until,omitzero"`
	// Services are the members' states, in the group's member order.
	Services []ServiceRun `json:"services"`
}

// NewGroupRun returns the initial state of the named group of m.
func NewGroupRun(m *Model, group string) (GroupRun, error) {
	g, err := m.Group(group)
	if err != nil {
		return GroupRun{}, err
	}
	r := GroupRun{Name: g.Name, DesiredState: GroupInitial, State: GroupInitial}
	for _, mem := range g.Services {
		r.Services = append(r.Services, ServiceRun{Name: mem.Service, State: ServiceInitial})
	}
	return r, nil
}

// Service returns the named member's state.
func (g GroupRun) Service(name string) (ServiceRun, bool) {
	for _, s := range g.Services {
		if s.Name == name {
			return s, true
		}
	}
	return ServiceRun{}, false
}

// NextDeadline is when the caller must next feed a timer event: the
// earliest deadline of the group and its members; zero for none.
func (g GroupRun) NextDeadline() time.Time {
	t := g.DebounceUntil
	for _, s := range g.Services {
		t = earliest(t, s.NextDeadline())
	}
	return t
}

// GroupEvent is an input of StepGroup.
type GroupEvent struct {
	Kind GroupEventKind `json:"kind"`
	// Service and Event: for kind service, the member and its event.
	Service string       `json:"service,omitempty"`
	Event   ServiceEvent `json:"event,omitzero"`
}

// GroupConfig is what StepGroup needs besides the group's state.
type GroupConfig struct {
	// Model is a valid model (from LoadModel or DefaultModel).
	Model *Model
	// Others are the states on this node of services outside the group
	// that its members depend on; one missing is not in any state, so
	// its dependents wait. After a change, feed GroupEventAudit.
	Others map[string]ServiceState
}

// StepGroup is a service group's state machine on one node. Given the
// group's state (with its members'), one event, the current time and the
// model, it returns the next state and the actions to perform, doing no
// I/O.
//
// Commands set the group's desired state (go-active → every member
// enabled-active, go-standby → enabled-standby, disable → disabled); the
// group then moves its members there in dependency order, emitting each
// member's next action only when what it depends on is in the required
// state (go-active and enable after their dependencies, go-standby and
// disable only after their dependents). As each action completes (the
// caller feeds the member's result), the next ones follow. A member
// stopped after a failure is restarted the same way; a failed member
// (past max_failures, or fatal) is left stopped and, with auto_recover,
// restarted once its failure count has counted down.
//
// The group's state aggregates its non-failed members' (active once all
// are enabled-active; go-active while some are on their way ...); its
// status is the worst of its members' through their failure impact
// (a failed critical member fails the group, major degrades it, minor
// warns), held for failure_debounce before it improves. Every change of
// state, status or condition is reported with a report action.
func StepGroup(g GroupRun, ev GroupEvent, now time.Time, cfg GroupConfig) (GroupRun, []Action, error) {
	spec, err := cfg.Model.Group(g.Name)
	if err != nil {
		return g, nil, err
	}
	orig := g
	g.Services = slices.Clone(g.Services)
	if len(g.Services) != len(spec.Services) {
		return orig, nil, invalid("services", "group %s has %d members, its state %d", g.Name, len(spec.Services), len(g.Services))
	}
	for i, mem := range spec.Services {
		if g.Services[i].Name != mem.Service {
			return orig, nil, invalid(fmt.Sprintf("services[%d].name", i), "%q is not member %d of group %s (%s)", g.Services[i].Name, i, g.Name, mem.Service)
		}
	}
	if g.State == GroupShutdown && ev.Kind != GroupEventTimer {
		return orig, nil, refuse(RuleShutdown, "service group %s is shut down", g.Name)
	}
	st := &groupStep{g: g, spec: spec, cfg: cfg, now: now}
	if err := st.event(ev); err != nil {
		return orig, nil, err
	}
	st.autoRecover()
	if err := st.reconcile(); err != nil {
		return orig, nil, err
	}
	st.aggregate(orig)
	return st.g, st.acts, nil
}

type groupStep struct {
	g    GroupRun
	spec *ServiceGroup
	cfg  GroupConfig
	now  time.Time
	acts []Action
}

func (st *groupStep) service(i int) *Service {
	s, err := st.cfg.Model.Service(st.g.Services[i].Name)
	if err != nil {
		panic("ha: model and group out of step: " + err.Error()) // checked by LoadModel
	}
	return s
}

func (st *groupStep) stepService(i int, ev ServiceEvent) error {
	next, acts, err := StepService(st.g.Services[i], ev, st.now, st.service(i))
	if err != nil {
		return err
	}
	st.g.Services[i] = next
	st.acts = append(st.acts, acts...)
	return nil
}

func (st *groupStep) event(ev GroupEvent) error {
	g := &st.g
	switch ev.Kind {
	case GroupEventGoActive:
		g.DesiredState = GroupActive
	case GroupEventGoStandby:
		g.DesiredState = GroupStandby
	case GroupEventDisable:
		g.DesiredState = GroupDisabled
	case GroupEventAudit:
	case GroupEventRecover:
		for i := range g.Services {
			if err := st.stepService(i, ServiceEvent{Kind: EventRecover}); err != nil {
				return err
			}
		}
	case GroupEventService:
		i := slices.IndexFunc(g.Services, func(s ServiceRun) bool { return s.Name == ev.Service })
		if i < 0 {
			return fmt.Errorf("service %q in group %s: %w", ev.Service, g.Name, ErrNotFound)
		}
		switch ev.Event.Kind {
		case EventEnable, EventGoActive, EventGoStandby, EventDisable:
			return invalid("event.kind", "%q is a command the group gives its members itself", ev.Event.Kind)
		}
		return st.stepService(i, ev.Event)
	case GroupEventTimer:
		for i, s := range g.Services {
			if d := s.NextDeadline(); !d.IsZero() && !st.now.Before(d) {
				if err := st.stepService(i, ServiceEvent{Kind: EventTimer}); err != nil {
					return err
				}
			}
		}
	default:
		return invalid("kind", "%q is not a service group event", ev.Kind)
	}
	return nil
}

// autoRecover clears failed members whose count is back to
// max_failures, in a group with auto_recover.
func (st *groupStep) autoRecover() {
	if !st.spec.AutoRecover {
		return
	}
	for i := range st.g.Services {
		s := &st.g.Services[i]
		if s.Failed() && s.Condition == ConditionRecoveryFailure && s.State == ServiceDisabled && s.Failures <= st.service(i).MaxFailures {
			s.Status, s.Condition = StatusNone, ConditionNone
		}
	}
}

func (st *groupStep) target() ServiceState {
	switch st.g.DesiredState {
	case GroupActive:
		return ServiceEnabledActive
	case GroupStandby:
		return ServiceEnabledStandby
	case GroupDisabled:
		return ServiceDisabled
	}
	return ""
}

// nextCommand is the action that moves a member from its state towards
// target.
func nextCommand(from, target ServiceState) ActionName {
	switch target {
	case ServiceEnabledActive:
		switch from {
		case ServiceInitial, ServiceUnknown, ServiceDisabled:
			return ActionEnable
		case ServiceEnabledStandby:
			return ActionGoActive
		}
	case ServiceEnabledStandby:
		switch from {
		case ServiceInitial, ServiceUnknown, ServiceDisabled:
			return ActionEnable
		case ServiceEnabledActive:
			return ActionGoStandby
		}
	case ServiceDisabled:
		switch from {
		case ServiceInitial, ServiceEnabledActive, ServiceEnabledStandby:
			return ActionDisable
		}
	}
	return ""
}

// stateOf is a service's state on this node, in the group or not.
func (st *groupStep) stateOf(name string) ServiceState {
	if s, ok := st.g.Service(name); ok {
		return s.State
	}
	return st.cfg.Others[name]
}

// ready reports whether member i may run action a now.
func (st *groupStep) ready(i int, a ActionName) bool {
	me := st.g.Services[i].Name
	switch a {
	case ActionEnable, ActionGoActive:
		for _, d := range st.service(i).Dependencies {
			applies := (d.Type == DependencyAction && d.Action == a) || (d.Type == DependencyState && d.State == resultState(a))
			if applies && st.stateOf(d.Dependent) != d.DependentState {
				return false
			}
		}
	case ActionGoStandby, ActionDisable:
		// Reverse order: wait for the members that depend on this one.
		for j, other := range st.g.Services {
			if j == i || !slices.ContainsFunc(st.service(j).Dependencies, func(d Dependency) bool { return d.Dependent == me }) {
				continue
			}
			if a == ActionGoStandby && (other.State == ServiceEnabledActive || other.State == ServiceEnabledGoActive || other.State == ServiceEnabledGoStandby) {
				return false
			}
			if a == ActionDisable && !other.Failed() && other.State != ServiceDisabled && other.State != ServiceInitial && other.State != ServiceUnknown {
				return false
			}
		}
	}
	return true
}

// reconcile gives each member whose state differs from the group's
// target its next action, in dependency order; actions that complete at
// once (not defined) may unblock others, hence the passes.
func (st *groupStep) reconcile() error {
	target := st.target()
	if target == "" {
		return nil
	}
	for range len(st.g.Services) + 1 {
		changed := false
		for i := range st.g.Services {
			s := st.g.Services[i]
			if s.Failed() || s.State == target || s.State == ServiceShutdown || (s.Action != "" && !isAudit(s.Action)) {
				continue
			}
			a := nextCommand(s.State, target)
			if a == "" || !st.ready(i, a) {
				continue
			}
			if err := st.stepService(i, ServiceEvent{Kind: ServiceEventKind(a)}); err != nil {
				return err
			}
			changed = true
		}
		if !changed {
			break
		}
	}
	return nil
}

// statusRank orders statuses from healthy to failed.
func statusRank(s Status) int {
	return slices.Index([]Status{StatusNone, StatusWarn, StatusDegraded, StatusFailed}, s)
}

// memberStatus is what a member's status does to its group.
func memberStatus(s Status, impact FailureImpact) Status {
	if impact == ImpactNone || s == StatusNone {
		return StatusNone
	}
	switch {
	case s == StatusFailed && impact == ImpactCritical:
		return StatusFailed
	case (s == StatusFailed || s == StatusDegraded) && impact != ImpactMinor:
		return StatusDegraded
	}
	return StatusWarn
}

func (st *groupStep) aggregate(orig GroupRun) {
	g := &st.g
	target := st.target()
	state := GroupInitial
	if target != "" {
		all, any := true, false
		for _, s := range g.Services {
			if s.Failed() {
				continue
			}
			any = true
			if s.State != target {
				all = false
			}
		}
		switch {
		case !any:
			state = GroupDisabled
		case all:
			state = g.DesiredState
		default:
			state = map[GroupState]GroupState{GroupActive: GroupGoActive, GroupStandby: GroupGoStandby, GroupDisabled: GroupDisabling}[g.DesiredState]
		}
	}
	status, cond := StatusNone, ConditionNone
	for i, s := range g.Services {
		if ms := memberStatus(s.Status, st.spec.Services[i].FailureImpact); statusRank(ms) > statusRank(status) {
			status, cond = ms, s.Condition
		}
	}
	g.State = state
	switch {
	case statusRank(status) >= statusRank(g.Status) || st.spec.FailureDebounce == 0:
		g.Status, g.Condition, g.DebounceUntil = status, cond, time.Time{}
	case g.DebounceUntil.IsZero():
		g.DebounceUntil = st.now.Add(st.spec.FailureDebounce)
	case !st.now.Before(g.DebounceUntil):
		g.Status, g.Condition, g.DebounceUntil = status, cond, time.Time{}
	}
	if g.State != orig.State || g.Status != orig.Status || g.Condition != orig.Condition {
		st.acts = append(st.acts, Action{Kind: DoReport, Group: g.Name, State: g.State, Status: g.Status, Condition: g.Condition})
	}
}
