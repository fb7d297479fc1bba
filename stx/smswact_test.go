package stx

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hatest"
	"github.com/edgeflock/flock/inventory"
)

// hostsByName is a HostReader of two controllers.
type hostsByName map[string]inventory.Host

func (h hostsByName) GetHost(_ context.Context, id string) (inventory.Host, error) {
	for _, x := range h {
		if x.Hostname == id || x.UUID == id {
			return x, nil
		}
	}
	return inventory.Host{}, inventory.ErrNotFound
}

func (h hostsByName) ListHosts(context.Context) ([]inventory.Host, error) { return nil, nil }

// With service management, host maintenance's swact moves the services
// (by hostname) and its view of the active controller follows them.
func TestSMSwacter(t *testing.T) {
	inv := hostsByName{"c0": {Hostname: "controller-0", UUID: "uuid-0"}, "c1": {Hostname: "controller-1", UUID: "uuid-1"}}
	f := hatest.NewFakeAPI(nil)
	s := swacter(inv, "", f)
	ctx := t.Context()
	active, standby, err := s.Active(ctx)
	require.NoError(t, err)
	assert.Equal(t, "uuid-0", active)
	assert.True(t, standby)

	require.NoError(t, s.Swact(ctx, "uuid-0", false))
	assert.Equal(t, 1, f.Swacts())
	active, standby, err = s.Active(ctx)
	require.NoError(t, err)
	assert.Equal(t, "uuid-1", active)
	assert.True(t, standby)

	require.NoError(t, f.SetGroup("controller-0", "controller-services", ha.GroupStandby, ha.GroupStandby, ha.StatusFailed, ha.ConditionNone))
	_, standby, err = s.Active(ctx)
	require.NoError(t, err)
	assert.False(t, standby, "a failed standby group is no healthy standby")
	err = s.Swact(ctx, "uuid-1", false)
	assert.ErrorIs(t, err, ha.ErrInvalidTransition, "the pre-check refuses a swact to a failed standby")

	// Without SM: the configured controller, swacts refused.
	l := swacter(inv, "controller-0", nil)
	active, _, err = l.Active(ctx)
	require.NoError(t, err)
	assert.Equal(t, "uuid-0", active)
	assert.Error(t, l.Swact(ctx, "uuid-0", false))
}
