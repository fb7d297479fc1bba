package hostmgmthttp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmthttp"
	"github.com/edgeflock/flock/inventory"
)

// remote serves a fakeMtce in front of a fakeInventory and returns a
// client of it.
func remote(t *testing.T) (*fakeMtce, *hostmgmthttp.Client) {
	m := newFakeMtce()
	srv := httptest.NewServer(hostmgmthttp.NewHandler(m, &fakeInventory{mtce: m}, nil))
	t.Cleanup(srv.Close)
	return m, hostmgmthttp.NewClient(srv.URL, nil)
}

func TestClientAct(t *testing.T) {
	m, c := remote(t)
	ctx := t.Context()
	for _, name := range []string{"worker-0", workerUUID, "3"} {
		m2, c2 := remote(t)
		st, err := c2.Act(ctx, name, hostmgmt.ActionUnlock)
		require.NoError(t, err, name)
		want, err := m2.GetHostState(ctx, "worker-0")
		require.NoError(t, err)
		assert.Equal(t, want, st, "the state after the action, by %s", name)
		assert.Equal(t, inventory.AdminUnlocked, st.Administrative)
		assert.Equal(t, hostmgmt.ActionUnlock, st.Action)
		assert.Equal(t, hostmgmt.StageResetProgression, st.Stage)
		assert.False(t, st.Deadline.IsZero())
	}

	st, err := c.Act(ctx, "controller-1", hostmgmt.ActionLock)
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.StageLockHooks, st.Stage)
	assert.Equal(t, hostmgmt.TaskLocking, st.Task)
	assert.Equal(t, "controller-1", st.Hostname)
	assert.Equal(t, []string{"act controller-1 lock", "GET /v1/ihosts/" + ctrl1UUID}, *m.log)
}

func TestClientErrorsSurvive(t *testing.T) {
	m, c := remote(t)
	ctx := t.Context()

	t.Run("refused by a rule", func(t *testing.T) {
		_, err := c.Act(ctx, "controller-0", hostmgmt.ActionLock)
		require.ErrorIs(t, err, hostmgmt.ErrInvalidTransition)
		var re *hostmgmt.RuleError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, hostmgmt.RuleActiveController, re.Rule)
		assert.Equal(t, "controller-0 : Rejected: Can not lock an active controller.", re.Reason)
		assert.NotErrorIs(t, err, hostmgmt.ErrInvalid)

		_, err = c.Act(ctx, "worker-0", hostmgmt.ActionLock)
		require.ErrorAs(t, err, &re)
		assert.Equal(t, hostmgmt.RuleAlreadyLocked, re.Rule)
	})
	t.Run("no such host", func(t *testing.T) {
		for _, name := range []string{"nosuch", "99", "", ".."} {
			_, err := c.Act(ctx, name, hostmgmt.ActionLock)
			assert.ErrorIs(t, err, hostmgmt.ErrNotFound, "%q", name)
			_, err = c.GetHostState(ctx, name)
			assert.ErrorIs(t, err, hostmgmt.ErrNotFound, "%q", name)
		}
	})
	t.Run("bad action", func(t *testing.T) {
		for _, a := range []hostmgmt.AdminAction{"dance", "", hostmgmt.ActionDelete, hostmgmt.ActionRecovery, hostmgmt.ActionNone} {
			_, err := c.Act(ctx, "worker-0", a)
			require.ErrorIs(t, err, hostmgmt.ErrInvalid, "%q", a)
			var fe *hostmgmt.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "action", fe.Field)
		}
	})
	t.Run("unavailable", func(t *testing.T) {
		m.err = fmt.Errorf("BMC of worker-0: %w", hostmgmt.ErrUnavailable)
		defer func() { m.err = nil }()
		_, err := c.Act(ctx, "worker-0", hostmgmt.ActionReset)
		assert.ErrorIs(t, err, hostmgmt.ErrUnavailable)
		_, err = c.GetHostState(ctx, "worker-0")
		assert.ErrorIs(t, err, hostmgmt.ErrUnavailable)
		_, err = c.ListHostStates(ctx)
		assert.ErrorIs(t, err, hostmgmt.ErrUnavailable)
	})
	t.Run("no BMC", func(t *testing.T) {
		m.err = fmt.Errorf("worker-0: %w", hostmgmt.ErrNoBMC)
		defer func() { m.err = nil }()
		_, err := c.Act(ctx, "worker-0", hostmgmt.ActionPowerOff)
		assert.ErrorIs(t, err, hostmgmt.ErrNoBMC)
	})
	t.Run("the inventory's errors", func(t *testing.T) {
		defer func() { m.err = nil }()
		m.err = fmt.Errorf("unlock worker-0: %w", inventory.Rulef(inventory.RulePersonalityRequired, "host worker-0 has no personality"))
		_, err := c.Act(ctx, "worker-0", hostmgmt.ActionUnlock)
		require.ErrorIs(t, err, hostmgmt.ErrInvalidTransition)
		var re *hostmgmt.RuleError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, inventory.RulePersonalityRequired, re.Rule)
		assert.Equal(t, "host worker-0 has no personality", re.Reason)

		m.err = fmt.Errorf("get host: %w", inventory.ErrNotFound)
		_, err = c.Act(ctx, "worker-0", hostmgmt.ActionUnlock)
		assert.ErrorIs(t, err, hostmgmt.ErrNotFound)

		m.err = inventory.Fieldf("personality", "is required")
		_, err = c.Act(ctx, "worker-0", hostmgmt.ActionUnlock)
		var fe *hostmgmt.FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "personality", fe.Field)

		m.err = fmt.Errorf("db: %w", inventory.ErrUnavailable)
		_, err = c.Act(ctx, "worker-0", hostmgmt.ActionUnlock)
		assert.ErrorIs(t, err, hostmgmt.ErrUnavailable)
	})
	t.Run("server down", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		_, err := hostmgmthttp.NewClient(srv.URL, &hostmgmthttp.ClientOptions{Timeout: time.Second}).Act(ctx, "worker-0", hostmgmt.ActionLock)
		assert.ErrorIs(t, err, hostmgmt.ErrUnavailable)
	})
	t.Run("not a host maintenance", func(t *testing.T) {
		// An inventory alone refuses /action naming the field.
		inv := httptest.NewServer(&fakeInventory{mtce: newFakeMtce()})
		defer inv.Close()
		_, err := hostmgmthttp.NewClient(inv.URL, nil).Act(ctx, "worker-0", hostmgmt.ActionLock)
		var fe *hostmgmt.FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "action", fe.Field)
	})
	assert.NotContains(t, *m.log, "act worker-0 dance", "a bad action never reached the service")
}

func TestClientReads(t *testing.T) {
	m, c := remote(t)
	ctx := t.Context()
	st, err := c.GetHostState(ctx, "controller-0")
	require.NoError(t, err)
	want, err := m.GetHostState(ctx, "controller-0")
	require.NoError(t, err)
	assert.Equal(t, want, st)
	assert.Equal(t, hostmgmt.HealthOK, st.Heartbeat[hostmgmt.NetworkClusterHost])

	all, err := c.ListHostStates(ctx)
	require.NoError(t, err)
	wantAll, err := m.ListHostStates(ctx)
	require.NoError(t, err)
	assert.Equal(t, wantAll, all)
	assert.Len(t, all, 3)

	m.hosts = nil
	all, err = c.ListHostStates(ctx)
	require.NoError(t, err)
	assert.NotNil(t, all)
	assert.Empty(t, all)
}

// TestClientKeepsEveryField: a state with every field set comes back
// equal.
func TestClientKeepsEveryField(t *testing.T) {
	m, c := remote(t)
	h := m.hosts[2]
	h.st = hostmgmt.State{Administrative: inventory.AdminUnlocked, Operational: inventory.OperDisabled,
		Availability: inventory.AvailFailed, Task: hostmgmt.TaskConfigFailed, Action: hostmgmt.ActionEnable,
		Stage: hostmgmt.StageFailureWait, Deadline: time.Date(2026, 1, 2, 3, 5, 0, 123456789, time.UTC), Degraded: true,
		Cause: hostmgmt.CauseConfig, Failures: map[hostmgmt.Cause]int{hostmgmt.CauseConfig: 1, hostmgmt.CauseHeartbeat: 1},
		Retries: 2, GracefulRecoveries: 3}
	h.flags = hostmgmt.FlagDiskFull | hostmgmt.FlagProcessFailed
	st, err := c.GetHostState(t.Context(), "worker-0")
	require.NoError(t, err)
	assert.Equal(t, h.state(), st)
}
