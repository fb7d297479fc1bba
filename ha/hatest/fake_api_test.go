package hatest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hatest"
)

func TestFakeAPISuite(t *testing.T) {
	hatest.RunAPISuite(t, func(*testing.T) hatest.APIRig { return hatest.FakeAPIRig(hatest.NewFakeAPI(nil), nil) })
}

func TestFakeAPIServicesFollowTheActive(t *testing.T) {
	f := hatest.NewFakeAPI(nil)
	s, err := f.GetService(t.Context(), "oam-ip")
	require.NoError(t, err)
	assert.Equal(t, hatest.FakeNode0, s.NodeName)
	assert.Equal(t, ha.ServiceEnabledActive, s.State)

	require.NoError(t, f.Swact(t.Context(), ha.SwactRequest{Node: hatest.FakeNode0}))
	s, err = f.GetService(t.Context(), "oam-ip")
	require.NoError(t, err)
	assert.Equal(t, hatest.FakeNode1, s.NodeName, "sm-api answers from the new active")
	assert.Equal(t, ha.ServiceEnabledActive, s.State)
	assert.Equal(t, 1, f.Swacts())
}

func TestFakeAPIFailNextSwact(t *testing.T) {
	f := hatest.NewFakeAPI(nil)
	before, err := f.ListServiceGroups(t.Context())
	require.NoError(t, err)
	f.FailNextSwact(nil)
	err = f.Swact(t.Context(), ha.SwactRequest{Node: hatest.FakeNode0})
	re, ok := err.(*ha.RuleError)
	require.True(t, ok, "%v", err)
	assert.Equal(t, ha.RuleSwactFailed, re.Rule)
	after, err := f.ListServiceGroups(t.Context())
	require.NoError(t, err)
	assert.Equal(t, before, after)
	assert.Zero(t, f.Swacts())
	require.NoError(t, f.Swact(t.Context(), ha.SwactRequest{Node: hatest.FakeNode0}), "only the next one fails")
}

func TestFakeAPIForcedSwactToLockedNodeFails(t *testing.T) {
	f := hatest.NewFakeAPI(nil)
	require.NoError(t, f.SetNodeState(hatest.FakeNode1, ha.AdminLocked, ha.OperDisabled))
	err := f.Swact(t.Context(), ha.SwactRequest{Node: hatest.FakeNode0, Force: true})
	assert.ErrorIs(t, err, ha.ErrInvalidTransition)
	assert.Contains(t, err.Error(), ha.RuleSwactFailed)
	assert.ErrorIs(t, f.SetNodeState("controller-7", ha.AdminLocked, ha.OperDisabled), ha.ErrNotFound)
	assert.ErrorIs(t, f.SetGroup("controller-7", "oam-services", "", "", "", ""), ha.ErrNotFound)
	assert.ErrorIs(t, f.SetGroupTransitioning(hatest.FakeNode0, "no-group", ha.GroupActive), ha.ErrNotFound)
}
