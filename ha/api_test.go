package ha_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
)

func apiNodes() []ha.ServiceNode {
	return []ha.ServiceNode{
		{ID: 1, Name: "controller-0", AdministrativeState: ha.AdminUnlocked, OperationalState: ha.OperEnabled},
		{ID: 2, Name: "controller-1", AdministrativeState: ha.AdminUnlocked, OperationalState: ha.OperEnabled},
	}
}

func sda(node, group string, st ha.GroupState) ha.Assignment {
	return ha.Assignment{Name: "controller", NodeName: node, ServiceGroupName: group, DesiredState: st, State: st}
}

// The checks of CheckSwact the conformance suite cannot reach through a
// two-controller system, and their order.
func TestCheckSwact(t *testing.T) {
	m := ha.DefaultModel()
	healthy := func() []ha.Assignment {
		return []ha.Assignment{
			sda("controller-0", "oam-services", ha.GroupActive), sda("controller-0", "directory-services", ha.GroupActive),
			sda("controller-1", "oam-services", ha.GroupStandby), sda("controller-1", "directory-services", ha.GroupActive),
		}
	}
	tests := []struct {
		name   string
		model  *ha.Model
		groups func() []ha.Assignment
		req    ha.SwactRequest
		rule   string
	}{
		{"Healthy", m, healthy, ha.SwactRequest{Node: "controller-0"}, ""},
		{"NoPeer", m, func() []ha.Assignment { return healthy()[:2] }, ha.SwactRequest{Node: "controller-0"}, ha.RuleSwactNoPeer},
		{"NoPeerForced", m, func() []ha.Assignment { return healthy()[:2] }, ha.SwactRequest{Node: "controller-0", Force: true}, ""},
		{"AAGroupDegradedOnTargetDoesNotBlock", m, func() []ha.Assignment {
			g := healthy()
			g[3].Status, g[3].Condition = ha.StatusFailed, ha.ConditionFatalFailure
			return g
		}, ha.SwactRequest{Node: "controller-0"}, ""},
		{"WithoutModelEveryGroupCounts", nil, func() []ha.Assignment {
			g := healthy()
			g[3].Status = ha.StatusFailed
			return g
		}, ha.SwactRequest{Node: "controller-0"}, ha.RuleSwactTargetUnhealthy},
		{"OnlyAAGroupsActiveIsNotActive", m, func() []ha.Assignment {
			g := healthy()
			g[0].State, g[0].DesiredState = ha.GroupStandby, ha.GroupStandby
			return g
		}, ha.SwactRequest{Node: "controller-0"}, ha.RuleSwactNotActive},
		{"DegradedOutdated", m, func() []ha.Assignment {
			g := healthy()
			g[2].Status, g[2].Condition = ha.StatusDegraded, ha.ConditionDataOutdated
			return g
		}, ha.SwactRequest{Node: "controller-0"}, ha.RuleSwactTargetUnhealthy},
		{"TargetDesiredDiffers", m, func() []ha.Assignment {
			g := healthy()
			g[2].DesiredState = ha.GroupActive
			return g
		}, ha.SwactRequest{Node: "controller-0"}, ha.RuleSwactTransitioning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ha.CheckSwact(tt.model, apiNodes(), tt.groups(), tt.req)
			if tt.rule == "" {
				require.NoError(t, err)
				return
			}
			re, ok := errors.AsType[*ha.RuleError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, tt.rule, re.Rule)
			assert.ErrorIs(t, err, ha.ErrInvalidTransition)
		})
	}
	// The target's lock is checked before its groups.
	nodes := apiNodes()
	nodes[1].AdministrativeState = ha.AdminLocked
	g := healthy()
	g[2].Status = ha.StatusFailed
	err := ha.CheckSwact(m, nodes, g, ha.SwactRequest{Node: "controller-0"})
	assert.ErrorContains(t, err, ha.RuleSwactTargetLocked)
	assert.ErrorIs(t, ha.CheckSwact(m, nodes, g, ha.SwactRequest{Node: "controller-5", Force: true}), ha.ErrNotFound)
}

func TestSwactComplete(t *testing.T) {
	m := ha.DefaultModel()
	done := []ha.Assignment{
		sda("controller-0", "oam-services", ha.GroupStandby), sda("controller-0", "directory-services", ha.GroupActive),
		sda("controller-1", "oam-services", ha.GroupActive), sda("controller-1", "directory-services", ha.GroupActive),
	}
	assert.True(t, ha.SwactComplete(m, done, "controller-0"))
	assert.False(t, ha.SwactComplete(nil, done, "controller-0"), "without the model directory-services counts as N + M")
	going := append([]ha.Assignment(nil), done...)
	going[2].State = ha.GroupGoActive
	assert.False(t, ha.SwactComplete(m, going, "controller-0"), "not yet active on the target")
	disabled := append([]ha.Assignment(nil), done...)
	disabled[0].State, disabled[0].DesiredState = ha.GroupDisabled, ha.GroupDisabled
	assert.True(t, ha.SwactComplete(m, disabled, "controller-0"), "disabled on the source is complete too")
	assert.False(t, ha.SwactComplete(m, done, "controller-1"), "the other way round it is not")
}
