// Package hatest holds test helpers for service management: FakeAPI, an
// in-memory two-controller ha.API, and RunAPISuite, the conformance
// suite every ha.API implementation must pass.
package hatest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/edgeflock/flock/ha"
)

// FakeAPI is an in-memory ha.API over two controllers, controller-0 and
// controller-1, both unlocked-enabled-available. It is built from a
// model: every group of every domain is assigned to both nodes, N + M
// groups active on controller-0 and standby on controller-1, groups
// active on two nodes (N, n_active ≥ 2) active on both. Swact moves the
// N + M groups at once. Setters put a node locked or disabled, or a
// group in any state, to exercise the pre-checks. It is safe for
// concurrent use.
type FakeAPI struct {
	model *ha.Model

	mu       sync.Mutex
	nodes    []ha.ServiceNode
	groups   []ha.Assignment
	swacts   int
	failNext error
}

var _ ha.API = (*FakeAPI)(nil)

// The names of FakeAPI's nodes.
const (
	FakeNode0 = "controller-0"
	FakeNode1 = "controller-1"
)

func fakeNodes() [2]string { return [2]string{FakeNode0, FakeNode1} }

// NewFakeAPI returns a FakeAPI over m (ha.DefaultModel() if nil), with
// the N + M groups active on controller-0.
func NewFakeAPI(m *ha.Model) *FakeAPI {
	if m == nil {
		m = ha.DefaultModel()
	}
	f := &FakeAPI{model: m}
	for i, name := range fakeNodes() {
		f.nodes = append(f.nodes, ha.ServiceNode{ID: i + 1, Name: name,
			AdministrativeState: ha.AdminUnlocked, OperationalState: ha.OperEnabled,
			AvailabilityStatus: ha.AvailAvailable, ReadyState: ha.ReadyEnabled})
	}
	for _, node := range fakeNodes() {
		for _, d := range m.Domains {
			for _, mem := range d.Members {
				st := ha.GroupStandby
				if node == FakeNode0 || (mem.RedundancyModel == ha.RedundancyN && mem.NActive >= 2) {
					st = ha.GroupActive
				}
				f.groups = append(f.groups, ha.Assignment{ID: len(f.groups) + 1,
					UUID: ha.AssignmentUUID(d.Name, mem.ServiceGroup, node), Name: d.Name, NodeName: node,
					ServiceGroupName: mem.ServiceGroup, DesiredState: st, State: st})
			}
		}
	}
	return f
}

// Model returns the model the fake was built from.
func (f *FakeAPI) Model() *ha.Model { return f.model }

// Swacts returns how many swacts moved groups (forced or not; pre-check
// only and refused ones do not count).
func (f *FakeAPI) Swacts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.swacts
}

// SetNodeState sets a node's administrative and operational state (and
// its availability and readiness to match: available and enabled when
// unlocked-enabled, else failed/disabled for a disabled node).
func (f *FakeAPI) SetNodeState(node string, admin ha.AdminState, oper ha.OperState) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.nodes {
		if f.nodes[i].Name == node {
			n := &f.nodes[i]
			n.AdministrativeState, n.OperationalState = admin, oper
			n.AvailabilityStatus, n.ReadyState = ha.AvailAvailable, ha.ReadyEnabled
			if oper != ha.OperEnabled {
				n.AvailabilityStatus, n.ReadyState = ha.AvailFailed, ha.ReadyDisabled
			}
			return nil
		}
	}
	return fmt.Errorf("node %q: %w", node, ha.ErrNotFound)
}

// SetGroup sets a group's assignment on a node: desired state, state,
// status and condition. A desired state other than the state makes the
// group transitioning.
func (f *FakeAPI) SetGroup(node, group string, desired, state ha.GroupState, status ha.Status, cond ha.Condition) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.find(node, group)
	if a == nil {
		return fmt.Errorf("service group %q on %q: %w", group, node, ha.ErrNotFound)
	}
	a.DesiredState, a.State, a.Status, a.Condition = desired, state, status, cond
	return nil
}

// SetGroupTransitioning makes group on node transitioning toward desired
// (its state stays).
func (f *FakeAPI) SetGroupTransitioning(node, group string, desired ha.GroupState) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.find(node, group)
	if a == nil {
		return fmt.Errorf("service group %q on %q: %w", group, node, ha.ErrNotFound)
	}
	a.DesiredState = desired
	return nil
}

// FailNextSwact makes the next swact that passes its pre-checks fail
// with err (a *ha.RuleError with ha.RuleSwactFailed if err is nil),
// moving nothing: a group that would not go active on the target.
func (f *FakeAPI) FailNextSwact(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		err = &ha.RuleError{Rule: ha.RuleSwactFailed, Reason: "swact failed: a service group did not go active on the target"}
	}
	f.failNext = err
}

func (f *FakeAPI) find(node, group string) *ha.Assignment {
	for i := range f.groups {
		if f.groups[i].NodeName == node && f.groups[i].ServiceGroupName == group {
			return &f.groups[i]
		}
	}
	return nil
}

// localNode is the node whose services the fake reports: the one that
// holds most N + M groups active (the floating address's), controller-0
// on a tie.
func (f *FakeAPI) localNode() string {
	count := map[string]int{}
	for _, g := range f.groups {
		if g.State == ha.GroupActive && !aa(f.model, g) {
			count[g.NodeName]++
		}
	}
	if count[FakeNode1] > count[FakeNode0] {
		return FakeNode1
	}
	return FakeNode0
}

func aa(m *ha.Model, g ha.Assignment) bool {
	for _, d := range m.Domains {
		if d.Name == g.Name {
			for _, mem := range d.Members {
				if mem.ServiceGroup == g.ServiceGroupName {
					return mem.RedundancyModel == ha.RedundancyN && mem.NActive >= 2
				}
			}
		}
	}
	return false
}

// serviceState is a member service's state for its group's state.
func serviceState(g ha.GroupState) ha.ServiceState {
	switch g {
	case ha.GroupActive:
		return ha.ServiceEnabledActive
	case ha.GroupStandby:
		return ha.ServiceEnabledStandby
	case ha.GroupGoActive:
		return ha.ServiceEnabledGoActive
	case ha.GroupGoStandby:
		return ha.ServiceEnabledGoStandby
	case ha.GroupDisabling:
		return ha.ServiceDisabling
	case ha.GroupDisabled:
		return ha.ServiceDisabled
	case ha.GroupShutdown:
		return ha.ServiceShutdown
	case ha.GroupUnknown:
		return ha.ServiceUnknown
	}
	return ha.ServiceInitial
}

// ListServices returns the model's services as the node holding the
// N + M groups active sees them: each in the state of its group there.
func (f *FakeAPI) ListServices(ctx context.Context) ([]ha.ServiceInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	node := f.localNode()
	out := make([]ha.ServiceInfo, 0, len(f.model.Services))
	for i, s := range f.model.Services {
		info := ha.ServiceInfo{ID: i + 1, Name: s.Name, DesiredState: ha.ServiceInitial, State: ha.ServiceInitial, NodeName: node}
		for _, g := range f.model.ServiceGroups {
			if !slices.ContainsFunc(g.Services, func(m ha.GroupMember) bool { return m.Service == s.Name }) {
				continue
			}
			if a := f.find(node, g.Name); a != nil {
				info.DesiredState, info.State = serviceState(a.DesiredState), serviceState(a.State)
				if a.Status == ha.StatusFailed {
					info.Status = ha.StatusFailed
				}
			}
		}
		out = append(out, info)
	}
	return out, nil
}

// GetService returns a service by name or ID.
func (f *FakeAPI) GetService(ctx context.Context, nameOrID string) (ha.ServiceInfo, error) {
	list, err := f.ListServices(ctx)
	if err != nil {
		return ha.ServiceInfo{}, err
	}
	for _, s := range list {
		if s.Name == nameOrID || strconv.Itoa(s.ID) == nameOrID {
			return s, nil
		}
	}
	return ha.ServiceInfo{}, fmt.Errorf("service %q: %w", nameOrID, ha.ErrNotFound)
}

// ListServiceNodes returns the two controllers.
func (f *FakeAPI) ListServiceNodes(ctx context.Context) ([]ha.ServiceNode, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.nodes), nil
}

// GetServiceNode returns a controller by name or ID.
func (f *FakeAPI) GetServiceNode(ctx context.Context, nameOrID string) (ha.ServiceNode, error) {
	list, err := f.ListServiceNodes(ctx)
	if err != nil {
		return ha.ServiceNode{}, err
	}
	for _, n := range list {
		if n.Name == nameOrID || strconv.Itoa(n.ID) == nameOrID {
			return n, nil
		}
	}
	return ha.ServiceNode{}, fmt.Errorf("service node %q: %w", nameOrID, ha.ErrNotFound)
}

// ListServiceGroups returns every group's assignment on both nodes.
func (f *FakeAPI) ListServiceGroups(ctx context.Context) ([]ha.Assignment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.groups), nil
}

// GetServiceGroup returns an assignment by UUID or ID.
func (f *FakeAPI) GetServiceGroup(ctx context.Context, uuidOrID string) (ha.Assignment, error) {
	list, err := f.ListServiceGroups(ctx)
	if err != nil {
		return ha.Assignment{}, err
	}
	for _, a := range list {
		if a.UUID == uuidOrID || strconv.Itoa(a.ID) == uuidOrID {
			return a, nil
		}
	}
	return ha.Assignment{}, fmt.Errorf("service group %q: %w", uuidOrID, ha.ErrNotFound)
}

// Swact runs ha.CheckSwact (unless forced) and then moves every N + M
// group active on req.Node to the other controller at once. A forced
// swact to a node that is not unlocked-enabled fails with
// ha.RuleSwactFailed and moves nothing.
func (f *FakeAPI) Swact(ctx context.Context, req ha.SwactRequest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := ha.CheckSwact(f.model, f.nodes, f.groups, req); err != nil {
		return err
	}
	if req.CheckOnly {
		return nil
	}
	var target *ha.ServiceNode
	for i := range f.nodes {
		if f.nodes[i].Name != req.Node {
			target = &f.nodes[i]
		}
	}
	if target == nil {
		return &ha.RuleError{Rule: ha.RuleSwactNoPeer, Reason: "no peer available"}
	}
	if !target.UnlockedEnabled() {
		return &ha.RuleError{Rule: ha.RuleSwactFailed,
			Reason: fmt.Sprintf("swact failed: %s cannot take service (%s-%s)", target.Name, target.AdministrativeState, target.OperationalState)}
	}
	if err := f.failNext; err != nil {
		f.failNext = nil
		return err
	}
	for i := range f.groups {
		g := &f.groups[i]
		if g.NodeName != req.Node || aa(f.model, *g) || !(g.State == ha.GroupActive || g.State == ha.GroupGoActive || g.DesiredState == ha.GroupActive) {
			continue
		}
		g.DesiredState, g.State = ha.GroupStandby, ha.GroupStandby
		if t := f.find(target.Name, g.ServiceGroupName); t != nil {
			t.DesiredState, t.State, t.Status, t.Condition = ha.GroupActive, ha.GroupActive, ha.StatusNone, ha.ConditionNone
		}
	}
	f.swacts++
	return nil
}
