package hanode

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/edgeflock/flock/ha"
)

// The Node is an ha.API: sm-api's view of the two controllers, from
// this node (its own services and groups, and its peer's groups as last
// reported).
var _ ha.API = (*Node)(nil)

// ListServices returns this node's services, each with the desired
// state of its group.
func (n *Node) ListServices(ctx context.Context) ([]ha.ServiceInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := n.Status()
	desired := map[string]ha.GroupState{}
	runs := map[string]ha.ServiceRun{}
	for _, g := range st.Groups {
		for _, s := range g.Services {
			desired[s.Name], runs[s.Name] = g.DesiredState, s
		}
	}
	out := make([]ha.ServiceInfo, 0, len(n.model.Services))
	for i, s := range n.model.Services {
		r, ok := runs[s.Name]
		if !ok {
			continue // not in this domain
		}
		out = append(out, ha.ServiceInfo{ID: i + 1, Name: s.Name, DesiredState: desiredService(desired[s.Name]),
			State: r.State, Status: r.Status, NodeName: st.Node})
	}
	return out, nil
}

func desiredService(g ha.GroupState) ha.ServiceState {
	switch g {
	case ha.GroupActive:
		return ha.ServiceEnabledActive
	case ha.GroupStandby:
		return ha.ServiceEnabledStandby
	case ha.GroupDisabled:
		return ha.ServiceDisabled
	}
	return ha.ServiceInitial
}

// GetService returns one of ListServices by name or id.
func (n *Node) GetService(ctx context.Context, nameOrID string) (ha.ServiceInfo, error) {
	all, err := n.ListServices(ctx)
	if err != nil {
		return ha.ServiceInfo{}, err
	}
	for _, s := range all {
		if s.Name == nameOrID || strconv.Itoa(s.ID) == nameOrID {
			return s, nil
		}
	}
	return ha.ServiceInfo{}, fmt.Errorf("service %q: %w", nameOrID, ha.ErrNotFound)
}

// ListServiceNodes returns the two controllers. Their administrative
// and operational states come from Options.NodeState (host
// maintenance's); without it a node is unlocked, and enabled while
// heard (this node always).
func (n *Node) ListServiceNodes(ctx context.Context) ([]ha.ServiceNode, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return n.serviceNodes(n.Status()), nil
}

func (n *Node) serviceNodes(st Status) []ha.ServiceNode {
	names := []string{st.Node, st.Peer}
	slices.Sort(names)
	out := make([]ha.ServiceNode, 0, 2)
	for i, name := range names {
		alive := name == st.Node || st.PeerAlive
		sn := ha.ServiceNode{ID: i + 1, Name: name, AdministrativeState: ha.AdminUnlocked,
			OperationalState: ha.OperEnabled, AvailabilityStatus: ha.AvailAvailable, ReadyState: ha.ReadyEnabled}
		if n.opts.NodeState != nil {
			sn.AdministrativeState, sn.OperationalState = n.opts.NodeState(name)
		}
		if !alive || (name == st.Node && st.Failed) {
			sn.OperationalState, sn.AvailabilityStatus, sn.ReadyState = ha.OperDisabled, ha.AvailFailed, ha.ReadyDisabled
		}
		out = append(out, sn)
	}
	return out
}

// GetServiceNode returns one of ListServiceNodes by name or id.
func (n *Node) GetServiceNode(ctx context.Context, nameOrID string) (ha.ServiceNode, error) {
	all, err := n.ListServiceNodes(ctx)
	if err != nil {
		return ha.ServiceNode{}, err
	}
	for _, s := range all {
		if s.Name == nameOrID || strconv.Itoa(s.ID) == nameOrID {
			return s, nil
		}
	}
	return ha.ServiceNode{}, fmt.Errorf("service node %q: %w", nameOrID, ha.ErrNotFound)
}

// ListServiceGroups returns the service domain assignments: each group
// on each controller (the peer's as last reported; none while it is not
// heard).
func (n *Node) ListServiceGroups(ctx context.Context) ([]ha.Assignment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return n.assignments(n.Status()), nil
}

func (n *Node) assignments(st Status) []ha.Assignment {
	var out []ha.Assignment
	// An assignment's id is fixed by its node (in name order) and its
	// group (in the domain's order), whether or not the peer is heard.
	pos := map[string]int{}
	for i, g := range n.order {
		pos[g] = i
	}
	add := func(ni int, node string, gs []GroupStatus) {
		for _, g := range gs {
			out = append(out, ha.Assignment{ID: ni*len(n.order) + pos[g.Name] + 1,
				UUID: ha.AssignmentUUID(n.domain.Name, g.Name, node), Name: n.domain.Name,
				NodeName: node, ServiceGroupName: g.Name, DesiredState: g.DesiredState, State: g.State,
				Status: g.Status, Condition: g.Condition})
		}
	}
	nodes := []string{st.Node, st.Peer}
	slices.Sort(nodes)
	for ni, node := range nodes {
		if node == st.Node {
			add(ni, node, st.Groups)
		} else if st.PeerAlive {
			add(ni, node, st.PeerGroups)
		}
	}
	return out
}

// GetServiceGroup returns one of ListServiceGroups by uuid or id.
func (n *Node) GetServiceGroup(ctx context.Context, uuidOrID string) (ha.Assignment, error) {
	all, err := n.ListServiceGroups(ctx)
	if err != nil {
		return ha.Assignment{}, err
	}
	for _, a := range all {
		if a.UUID == uuidOrID || strconv.Itoa(a.ID) == uuidOrID {
			return a, nil
		}
	}
	return ha.Assignment{}, fmt.Errorf("service group %q: %w", uuidOrID, ha.ErrNotFound)
}
