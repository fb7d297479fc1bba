package hatest

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
)

// APIRig is one fresh two-controller system under test for RunAPISuite:
// the API and the means to put the system into the states the swact
// pre-checks refuse.
type APIRig struct {
	// API is the implementation under test.
	API ha.API
	// Model is the model it runs (its groups' names and redundancy).
	Model *ha.Model
	// SetNodeState sets a node's administrative and operational state.
	SetNodeState func(node string, admin ha.AdminState, oper ha.OperState) error
	// SetGroup sets a group's assignment on a node.
	SetGroup func(node, group string, desired, state ha.GroupState, status ha.Status, cond ha.Condition) error
}

// FakeAPIRig returns the rig of f, with api as the API under test (f
// itself if nil: pass an HTTP client of f's handler to test the
// transport).
func FakeAPIRig(f *FakeAPI, api ha.API) APIRig {
	if api == nil {
		api = f
	}
	return APIRig{API: api, Model: f.Model(), SetNodeState: f.SetNodeState, SetGroup: f.SetGroup}
}

// RunAPISuite checks that an ha.API behaves as the interface says. Every
// subtest calls newRig for a fresh system: two controllers, both
// unlocked-enabled, every N + M group active on one and standby on the
// other, nothing transitioning or unhealthy.
func RunAPISuite(t *testing.T, newRig func(t *testing.T) APIRig) {
	t.Run("ListsAndGetsAgree", func(t *testing.T) { apiListsAndGets(t, newRig(t)) })
	t.Run("NotFound", func(t *testing.T) { apiNotFound(t, newRig(t)) })
	t.Run("InitialPlacement", func(t *testing.T) {
		r := newRig(t)
		src, dst := apiSides(t, r)
		assert.NotEqual(t, src, dst)
	})
	t.Run("SwactPreChecks", func(t *testing.T) { apiPreChecks(t, newRig) })
	t.Run("SwactCheckOnlyMovesNothing", func(t *testing.T) {
		r := newRig(t)
		src, _ := apiSides(t, r)
		before := apiGroups(t, r)
		require.NoError(t, r.API.Swact(t.Context(), ha.SwactRequest{Node: src, CheckOnly: true}))
		assert.Equal(t, before, apiGroups(t, r))
	})
	t.Run("SwactCompletes", func(t *testing.T) {
		r := newRig(t)
		src, dst := apiSides(t, r)
		require.NoError(t, r.API.Swact(t.Context(), ha.SwactRequest{Node: src}))
		groups := apiGroups(t, r)
		assert.True(t, ha.SwactComplete(r.Model, groups, src), "after the swact returned: %+v", groups)
		for _, g := range groups {
			if apiAA(r.Model, g) {
				assert.Equal(t, ha.GroupActive, g.State, "%s on %s: an active/active group stays active", g.ServiceGroupName, g.NodeName)
				continue
			}
			want := ha.GroupActive
			if g.NodeName == src {
				want = ha.GroupStandby
			}
			assert.Contains(t, []ha.GroupState{want, disabledIfStandby(want)}, g.State, "%s on %s", g.ServiceGroupName, g.NodeName)
		}
		// The source is now the standby: a second swact from it is refused,
		// one from the new active brings every group back.
		assertRule(t, r.API.Swact(t.Context(), ha.SwactRequest{Node: src}), ha.RuleSwactNotActive)
		require.NoError(t, r.API.Swact(t.Context(), ha.SwactRequest{Node: dst}))
		assert.True(t, ha.SwactComplete(r.Model, apiGroups(t, r), dst))
		src2, _ := apiSides(t, r)
		assert.Equal(t, src, src2)
	})
	t.Run("ForcedSwactOfStandbyMovesNothing", func(t *testing.T) {
		r := newRig(t)
		_, dst := apiSides(t, r)
		before := apiGroups(t, r)
		require.NoError(t, r.API.Swact(t.Context(), ha.SwactRequest{Node: dst, Force: true}))
		assert.Equal(t, before, apiGroups(t, r))
	})
}

func disabledIfStandby(s ha.GroupState) ha.GroupState {
	if s == ha.GroupStandby {
		return ha.GroupDisabled
	}
	return s
}

func apiAA(m *ha.Model, g ha.Assignment) bool { return aa(m, g) }

// apiGroups lists the assignments, failing the test on error.
func apiGroups(t *testing.T, r APIRig) []ha.Assignment {
	t.Helper()
	groups, err := r.API.ListServiceGroups(t.Context())
	require.NoError(t, err)
	return groups
}

// apiSwactable returns the model's N + M groups.
func apiSwactable(m *ha.Model) []string {
	var out []string
	for _, d := range m.Domains {
		for _, mem := range d.Members {
			if !(mem.RedundancyModel == ha.RedundancyN && mem.NActive >= 2) {
				out = append(out, mem.ServiceGroup)
			}
		}
	}
	return out
}

// apiSides returns the node holding every N + M group active and the one
// holding them standby, failing the test if the placement is otherwise.
func apiSides(t *testing.T, r APIRig) (active, standby string) {
	t.Helper()
	groups := apiGroups(t, r)
	swactable := apiSwactable(r.Model)
	require.NotEmpty(t, swactable, "the model has no N + M group to swact")
	for _, name := range swactable {
		var act, stb []string
		for _, g := range groups {
			if g.ServiceGroupName != name {
				continue
			}
			switch g.State {
			case ha.GroupActive:
				act = append(act, g.NodeName)
			case ha.GroupStandby:
				stb = append(stb, g.NodeName)
			}
		}
		require.Len(t, act, 1, "%s: one node active", name)
		require.Len(t, stb, 1, "%s: one node standby", name)
		if active == "" {
			active, standby = act[0], stb[0]
		}
		require.Equal(t, active, act[0], "%s: every N + M group active on the same node", name)
		require.Equal(t, standby, stb[0], "%s: every N + M group standby on the same node", name)
	}
	return active, standby
}

func assertRule(t *testing.T, err error, rule string) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, ha.ErrInvalidTransition)
	re, ok := errors.AsType[*ha.RuleError](err)
	require.True(t, ok, "want a *ha.RuleError, got %T %v", err, err)
	assert.Equal(t, rule, re.Rule, "rule of %v", err)
	assert.NotEmpty(t, re.Reason)
}

func apiListsAndGets(t *testing.T, r APIRig) {
	ctx := t.Context()
	nodes, err := r.API.ListServiceNodes(ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(nodes), 2, "two controllers")
	names := map[string]bool{}
	for i, n := range nodes {
		assert.False(t, names[n.Name], "node names are unique: %s", n.Name)
		names[n.Name] = true
		if i > 0 {
			assert.Less(t, nodes[i-1].ID, n.ID, "nodes ordered by id")
		}
		assert.True(t, n.UnlockedEnabled(), "%s starts unlocked-enabled", n.Name)
		for _, key := range []string{n.Name, strconv.Itoa(n.ID)} {
			got, err := r.API.GetServiceNode(ctx, key)
			require.NoError(t, err, key)
			assert.Equal(t, n, got, "GetServiceNode(%q)", key)
		}
	}

	services, err := r.API.ListServices(ctx)
	require.NoError(t, err)
	var svcNames []string
	for i, s := range services {
		svcNames = append(svcNames, s.Name)
		if i > 0 {
			assert.Less(t, services[i-1].ID, s.ID, "services ordered by id")
		}
		assert.True(t, s.State.Valid() && s.DesiredState.Valid() && s.Status.Valid(), "%+v", s)
		for _, key := range []string{s.Name, strconv.Itoa(s.ID)} {
			got, err := r.API.GetService(ctx, key)
			require.NoError(t, err, key)
			assert.Equal(t, s, got, "GetService(%q)", key)
		}
	}
	for _, s := range r.Model.Services {
		assert.Contains(t, svcNames, s.Name, "every service of the model is listed")
	}

	groups := apiGroups(t, r)
	uuids := map[string]bool{}
	for i, g := range groups {
		assert.NotEmpty(t, g.UUID)
		assert.False(t, uuids[g.UUID], "assignment uuids are unique: %s", g.UUID)
		uuids[g.UUID] = true
		if i > 0 {
			assert.Less(t, groups[i-1].ID, g.ID, "assignments ordered by id")
		}
		assert.True(t, names[g.NodeName], "%s is assigned to a listed node, not %q", g.ServiceGroupName, g.NodeName)
		assert.True(t, g.State.Valid() && g.DesiredState.Valid() && g.Status.Valid() && g.Condition.Valid(), "%+v", g)
		for _, key := range []string{g.UUID, strconv.Itoa(g.ID)} {
			got, err := r.API.GetServiceGroup(ctx, key)
			require.NoError(t, err, key)
			assert.Equal(t, g, got, "GetServiceGroup(%q)", key)
		}
	}
	for _, d := range r.Model.Domains {
		for _, mem := range d.Members {
			for n := range names {
				assert.True(t, slices.ContainsFunc(groups, func(g ha.Assignment) bool {
					return g.Name == d.Name && g.ServiceGroupName == mem.ServiceGroup && g.NodeName == n
				}), "%s/%s is assigned to %s", d.Name, mem.ServiceGroup, n)
			}
		}
	}
}

func apiNotFound(t *testing.T, r APIRig) {
	ctx := t.Context()
	_, err := r.API.GetService(ctx, "no-such-service")
	assert.ErrorIs(t, err, ha.ErrNotFound, "GetService")
	_, err = r.API.GetService(ctx, "987654")
	assert.ErrorIs(t, err, ha.ErrNotFound, "GetService by an unknown id")
	_, err = r.API.GetServiceNode(ctx, "controller-9")
	assert.ErrorIs(t, err, ha.ErrNotFound, "GetServiceNode")
	_, err = r.API.GetServiceGroup(ctx, "00000000-0000-5000-8000-000000000000")
	assert.ErrorIs(t, err, ha.ErrNotFound, "GetServiceGroup")
	_, err = r.API.GetServiceGroup(ctx, "oam-services")
	assert.ErrorIs(t, err, ha.ErrNotFound, "GetServiceGroup takes a uuid or id, not a group name")
	before := apiGroups(t, r)
	for _, req := range []ha.SwactRequest{{Node: "controller-9"}, {Node: "controller-9", Force: true}, {Node: "controller-9", CheckOnly: true}} {
		err = r.API.Swact(ctx, req)
		assert.ErrorIs(t, err, ha.ErrNotFound, "Swact %+v", req)
	}
	assert.Equal(t, before, apiGroups(t, r), "a refused swact changes nothing")
}

// apiPreChecks: each state the pre-checks refuse is refused with its rule,
// by a swact and by a pre-check alone, changing nothing; a forced swact
// skips the checks that concern the groups and completes.
func apiPreChecks(t *testing.T, newRig func(t *testing.T) APIRig) {
	type setup func(t *testing.T, r APIRig, src, dst, group string)
	tests := []struct {
		name        string
		set         setup
		rule        string
		forceWorks  bool
		swactTarget bool // swact from the standby (dst) instead
	}{
		{"TargetLocked", func(t *testing.T, r APIRig, _, dst, _ string) {
			require.NoError(t, r.SetNodeState(dst, ha.AdminLocked, ha.OperEnabled))
		}, ha.RuleSwactTargetLocked, false, false},
		{"TargetDisabled", func(t *testing.T, r APIRig, _, dst, _ string) {
			require.NoError(t, r.SetNodeState(dst, ha.AdminUnlocked, ha.OperDisabled))
		}, ha.RuleSwactTargetDisabled, false, false},
		{"TargetGroupTransitioning", func(t *testing.T, r APIRig, _, dst, g string) {
			require.NoError(t, r.SetGroup(dst, g, ha.GroupStandby, ha.GroupGoStandby, ha.StatusNone, ha.ConditionNone))
		}, ha.RuleSwactTransitioning, true, false},
		{"TargetGroupDesiredDiffers", func(t *testing.T, r APIRig, _, dst, g string) {
			require.NoError(t, r.SetGroup(dst, g, ha.GroupDisabled, ha.GroupStandby, ha.StatusNone, ha.ConditionNone))
		}, ha.RuleSwactTransitioning, true, false},
		{"SourceGroupTransitioning", func(t *testing.T, r APIRig, src, _, g string) {
			require.NoError(t, r.SetGroup(src, g, ha.GroupActive, ha.GroupGoActive, ha.StatusNone, ha.ConditionNone))
		}, ha.RuleSwactTransitioning, true, false},
		{"TargetGroupFailed", func(t *testing.T, r APIRig, _, dst, g string) {
			require.NoError(t, r.SetGroup(dst, g, ha.GroupStandby, ha.GroupStandby, ha.StatusFailed, ha.ConditionFatalFailure))
		}, ha.RuleSwactTargetUnhealthy, true, false},
		{"TargetGroupSyncing", func(t *testing.T, r APIRig, _, dst, g string) {
			require.NoError(t, r.SetGroup(dst, g, ha.GroupStandby, ha.GroupStandby, ha.StatusDegraded, ha.ConditionDataSyncing))
		}, ha.RuleSwactTargetUnhealthy, true, false},
		{"NothingActiveOnNode", func(*testing.T, APIRig, string, string, string) {}, ha.RuleSwactNotActive, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			src, dst := apiSides(t, r)
			group := apiSwactable(r.Model)[0]
			tt.set(t, r, src, dst, group)
			node := src
			if tt.swactTarget {
				node = dst
			}
			before := apiGroups(t, r)
			assertRule(t, r.API.Swact(t.Context(), ha.SwactRequest{Node: node, CheckOnly: true}), tt.rule)
			assertRule(t, r.API.Swact(t.Context(), ha.SwactRequest{Node: node}), tt.rule)
			assert.Equal(t, before, apiGroups(t, r), "a refused swact changes nothing")
			if !tt.forceWorks {
				return
			}
			require.NoError(t, r.API.Swact(t.Context(), ha.SwactRequest{Node: node, Force: true}), "force skips the pre-checks")
			require.NoError(t, r.API.Swact(t.Context(), ha.SwactRequest{Node: node, Force: true, CheckOnly: true}), "a forced pre-check passes")
			if tt.swactTarget {
				return
			}
			groups := apiGroups(t, r)
			assert.True(t, ha.SwactComplete(r.Model, groups, src), "a forced swact completes: %+v", groups)
		})
	}
}
