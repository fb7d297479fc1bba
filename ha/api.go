package ha

import (
	"context"
	"crypto/sha1"
	"fmt"
)

// API is the operator's view of service management, as StarlingX's
// sm-api serves it (§3.7): the services, the nodes, the service groups'
// assignments to nodes, and the swact. The daemon (ha/hanode), the fake
// (hatest.FakeAPI) and the HTTP client (hahttp.Client) implement it, and
// hatest.RunAPISuite checks any implementation.
//
// Lookups by a name or id that matches nothing return an error wrapping
// ErrNotFound. A refused swact is a *RuleError (wrapping
// ErrInvalidTransition) naming one of the RuleSwact* rules.
type API interface {
	// ListServices returns the services as the node answering sees them
	// (sm-api answers for the node it runs on, which the floating
	// address makes the active controller), ordered by ID.
	ListServices(ctx context.Context) ([]ServiceInfo, error)
	// GetService returns one service by name or by its decimal ID.
	GetService(ctx context.Context, nameOrID string) (ServiceInfo, error)
	// ListServiceNodes returns the nodes (the controllers), ordered by ID.
	ListServiceNodes(ctx context.Context) ([]ServiceNode, error)
	// GetServiceNode returns one node by name or by its decimal ID.
	GetServiceNode(ctx context.Context, nameOrID string) (ServiceNode, error)
	// ListServiceGroups returns every service domain assignment: one row
	// per service group and node, with the group's desired state, state,
	// status and condition on that node, ordered by ID. These are the
	// rows sm-api serves under /v1/sm_sda (and, the same rows, under
	// /v1/service_groups) and that sysinv relays as /v1/servicegroup
	// ("system servicegroup-list").
	ListServiceGroups(ctx context.Context) ([]Assignment, error)
	// GetServiceGroup returns one assignment by its UUID or decimal ID.
	GetServiceGroup(ctx context.Context, uuidOrID string) (Assignment, error)
	// Swact moves every N + M service group active on req.Node to the
	// other node, in dependency order, and returns once the swact is
	// complete (SwactComplete holds) or has failed (a *RuleError with
	// RuleSwactFailed), or when ctx ends (its error). The pre-checks
	// (CheckSwact) run first unless req.Force; with req.CheckOnly only
	// they run. An unknown req.Node is ErrNotFound.
	Swact(ctx context.Context, req SwactRequest) error
}

// ServiceInfo is one service as sm-api shows it (GET /v1/services: the
// SERVICES table's id, name, desired_state, state, status). NodeName is
// the node whose state this is; sm-api leaves it out and sysinv fills in
// its own hostname, which cgts-client prints as "hostname".
type ServiceInfo struct {
	ID           int          `json:"id"`
	Name         string       `json:"name"`
	DesiredState ServiceState `json:"desired_state"`
	State        ServiceState `json:"state"`
	// Status is "" when healthy, else warn, degraded or failed.
	Status   Status `json:"status"`
	NodeName string `json:"node_name,omitempty"`
}

// ServiceNode is one node as sm-api shows it (GET /v1/nodes, sysinv's GET
// /v1/servicenodes: the NODES table).
type ServiceNode struct {
	ID                  int         `json:"id"`
	Name                string      `json:"name"`
	AdministrativeState AdminState  `json:"administrative_state"`
	OperationalState    OperState   `json:"operational_state"`
	AvailabilityStatus  AvailStatus `json:"availability_status"`
	ReadyState          ReadyState  `json:"ready_state"`
}

// UnlockedEnabled reports whether n may take service: unlocked and
// enabled, as the swact pre-check wants its target.
func (n ServiceNode) UnlockedEnabled() bool {
	return n.AdministrativeState == AdminUnlocked && n.OperationalState == OperEnabled
}

// Assignment is one service domain assignment (SERVICE_DOMAIN_ASSIGNMENTS,
// sm-api's sm_sda): a service group on a node.
type Assignment struct {
	ID   int    `json:"id"`
	UUID string `json:"uuid"`
	// Name is the service domain's ("controller").
	Name             string     `json:"name"`
	NodeName         string     `json:"node_name"`
	ServiceGroupName string     `json:"service_group_name"`
	DesiredState     GroupState `json:"desired_state"`
	State            GroupState `json:"state"`
	// Status is "" when healthy, else warn, degraded or failed.
	Status Status `json:"status"`
	// Condition says why a status is not healthy (data-syncing ...).
	Condition Condition `json:"condition"`
}

// Transitioning reports whether the group is on its way to another state
// on this node: its desired state differs from its state.
func (a Assignment) Transitioning() bool { return a.DesiredState != a.State }

// SwactRequest asks for a swact: StarlingX's node actions swact,
// swact-force and swact-pre-check (PATCH /v1/servicenode/{hostname}).
type SwactRequest struct {
	// Node is the controller to move the services away from (sm-api's
	// hostname: the active controller).
	Node string
	// Force skips the pre-checks (swact-force). The swact still fails if
	// the other node cannot take the services.
	Force bool
	// CheckOnly runs the pre-checks and moves nothing (swact-pre-check).
	CheckOnly bool
}

// aaGroup reports whether group of domain is active on two nodes at once
// (redundancy N with n_active ≥ 2, sm-api's _is_aa_service_group): a
// swact does not move it and its health on the target does not block one.
func aaGroup(m *Model, domain, group string) bool {
	if m == nil {
		return false
	}
	for _, d := range m.Domains {
		if d.Name != domain {
			continue
		}
		for _, mem := range d.Members {
			if mem.ServiceGroup == group {
				return mem.RedundancyModel == RedundancyN && mem.NActive >= 2
			}
		}
	}
	return false
}

func activeSide(s GroupState) bool { return s == GroupActive || s == GroupGoActive }

// CheckSwact runs the swact pre-checks of §3.7 (sm-api's
// _swact_pre_check) for req against nodes and groups (ListServiceNodes,
// ListServiceGroups); m gives the groups' redundancy (nil: every group
// is N + M). It is pure. It returns nil when the swact may go ahead; a
// req.Node not in nodes is ErrNotFound; req.Force skips every other
// check. The checks, in order, each a *RuleError:
//
//   - RuleSwactNotActive: req.Node holds no N + M group active or
//     going active (Flock's: StarlingX's sysinv refuses to swact a
//     standby controller before asking SM);
//   - for each group on another node (the target), skipping groups
//     active on both nodes (N with n_active ≥ 2) after the node checks:
//     RuleSwactTargetLocked, RuleSwactTargetDisabled (the target must be
//     unlocked-enabled), RuleSwactTransitioning (neither active nor
//     standby and not in the source's state, or desired state ≠ state),
//     RuleSwactTargetUnhealthy (status failed or degraded);
//   - RuleSwactTransitioning: a group on req.Node is transitioning
//     (Flock's: a swact already under way);
//   - RuleSwactNoPeer: no group is assigned to another node (StarlingX's
//     -1002, "no peer available").
func CheckSwact(m *Model, nodes []ServiceNode, groups []Assignment, req SwactRequest) error {
	byName := make(map[string]ServiceNode, len(nodes))
	for _, n := range nodes {
		byName[n.Name] = n
	}
	if _, ok := byName[req.Node]; !ok {
		return fmt.Errorf("swact: node %q: %w", req.Node, ErrNotFound)
	}
	if req.Force {
		return nil
	}
	origin := map[string]GroupState{}
	holds := false
	for _, g := range groups {
		if g.NodeName == req.Node {
			origin[g.ServiceGroupName] = g.State
			if !aaGroup(m, g.Name, g.ServiceGroupName) && (activeSide(g.State) || activeSide(g.DesiredState)) {
				holds = true
			}
		}
	}
	if !holds {
		return refuse(RuleSwactNotActive, "%s has no active services to swact", req.Node)
	}
	peer := false
	for _, g := range groups {
		if g.NodeName == req.Node {
			continue
		}
		peer = true
		target := byName[g.NodeName]
		if target.Name == "" {
			target = ServiceNode{Name: g.NodeName}
		}
		if target.AdministrativeState == AdminLocked {
			return refuse(RuleSwactTargetLocked, "%s is not ready to take service, %s is locked", g.NodeName, g.NodeName)
		}
		if target.OperationalState != OperEnabled {
			return refuse(RuleSwactTargetDisabled, "%s is not ready to take service, %s is disabled", g.NodeName, g.NodeName)
		}
		if aaGroup(m, g.Name, g.ServiceGroupName) {
			continue
		}
		if st, ok := origin[g.ServiceGroupName]; ok && g.State != GroupActive && g.State != GroupStandby && st != g.State {
			return refuse(RuleSwactTransitioning, "%s on %s is not ready to take service, service not in the active or standby state",
				g.ServiceGroupName, g.NodeName)
		}
		if g.Transitioning() {
			return refuse(RuleSwactTransitioning, "%s on %s is not ready to take service, services transitioning state",
				g.ServiceGroupName, g.NodeName)
		}
		switch g.Status {
		case StatusFailed:
			return refuse(RuleSwactTargetUnhealthy, "%s on %s is not ready to take service, service is failed",
				g.ServiceGroupName, g.NodeName)
		case StatusDegraded:
			switch g.Condition {
			case ConditionDataSyncing:
				return refuse(RuleSwactTargetUnhealthy, "%s on %s is not ready to take service, service is syncing data",
					g.ServiceGroupName, g.NodeName)
			case ConditionNone:
				return refuse(RuleSwactTargetUnhealthy, "%s on %s is not ready to take service, service is degraded",
					g.ServiceGroupName, g.NodeName)
			default:
				return refuse(RuleSwactTargetUnhealthy, "%s on %s is not ready to take service, service is degraded, %s",
					g.ServiceGroupName, g.NodeName, g.Condition)
			}
		}
	}
	for _, g := range groups {
		if g.NodeName == req.Node && g.Transitioning() {
			return refuse(RuleSwactTransitioning, "%s on %s is transitioning state (%s to %s)",
				g.ServiceGroupName, g.NodeName, g.State, g.DesiredState)
		}
	}
	if !peer {
		return refuse(RuleSwactNoPeer, "no peer available")
	}
	return nil
}

// SwactComplete reports whether a swact away from source is complete in
// groups: every N + M group assigned to source is standby or disabled
// there and not transitioning, and active (not transitioning) on some
// other node. Groups active on both nodes (m: N with n_active ≥ 2) are
// not moved and not looked at; m nil treats every group as N + M.
func SwactComplete(m *Model, groups []Assignment, source string) bool {
	activeElsewhere := map[string]bool{}
	for _, g := range groups {
		if g.NodeName != source && g.State == GroupActive && !g.Transitioning() {
			activeElsewhere[g.Name+"\x00"+g.ServiceGroupName] = true
		}
	}
	for _, g := range groups {
		if g.NodeName != source || aaGroup(m, g.Name, g.ServiceGroupName) {
			continue
		}
		if g.Transitioning() || (g.State != GroupStandby && g.State != GroupDisabled) {
			return false
		}
		if !activeElsewhere[g.Name+"\x00"+g.ServiceGroupName] {
			return false
		}
	}
	return true
}

// AssignmentUUID is the stable uuid of group's assignment to node in
// domain (a name-based UUID, version 5 layout over SHA-1): the same for
// every implementation of API, so a uuid read from one controller names
// the same row on the other.
func AssignmentUUID(domain, group, node string) string {
	h := sha1.Sum([]byte("flock-ha-sda:" + domain + "/" + group + "/" + node))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
