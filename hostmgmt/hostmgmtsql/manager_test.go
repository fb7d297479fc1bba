package hostmgmtsql_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmtsql"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorysql"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// fixture is a Manager over a SQLite file with an inventory in memory.
type fixture struct {
	url    string
	inv    *inventorysql.Manager
	agents *hostmgmttest.FakeAgents
	bmcs   *hostmgmttest.FakeBMCs
}

func newFixture(t *testing.T) *fixture {
	inv, err := inventorysql.OpenMemory(t.Context(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { inv.Close() })
	agents := hostmgmttest.NewFakeAgents()
	t.Cleanup(agents.Wait)
	return &fixture{url: "sqlite://" + filepath.Join(t.TempDir(), "flock.db"), inv: inv, agents: agents, bmcs: hostmgmttest.NewFakeBMCs(agents)}
}

func (f *fixture) open(t *testing.T) *hostmgmtsql.Manager {
	tm := hostmgmttest.Timings()
	m, err := hostmgmtsql.Open(t.Context(), f.url, hostmgmtsql.Options{
		Inventory: f.inv, Agents: f.agents, Heartbeat: f.agents, BMCs: f.bmcs, Timings: &tm,
		Link: hostmgmtsql.LinkOptions{Controller: map[hostmgmt.Network]string{hostmgmt.NetworkMgmt: "192.168.204.2:2103"}},
	})
	require.NoError(t, err)
	f.agents.SetObserver(m)
	return m
}

func run(t *testing.T, m *hostmgmtsql.Manager) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); assert.NoError(t, m.Run(ctx)) }()
	return func() { cancel(); <-done; m.Close() }
}

// TestOutboxAfterRestart: of the actions a transition committed but a
// crash kept from being performed, those that are safe to repeat are
// performed at the next start, and a reboot command or a BMC reset is
// never sent again — the stage's timer retries it, counted.
func TestOutboxAfterRestart(t *testing.T) {
	f := newFixture(t)
	inventorytest.PlatformNetworks(t, f.inv)
	h := inventorytest.NewReadyHost(t, f.inv, "worker-0", inventory.PersonalityWorker)
	f.agents.AddHost(h.UUID)
	m := f.open(t)
	_, err := m.GetHostState(t.Context(), h.UUID)
	require.NoError(t, err)
	require.NoError(t, m.Close())

	// What a crash right after the unlock's commit leaves: the state in
	// reset-progression, the outbox holding heartbeat-stop and the
	// reboot command, and a BMC reset of a retry.
	db, err := sql.Open("sqlite", filepath.Join(filepath.Dir(f.url[len("sqlite://"):]), "flock.db"))
	require.NoError(t, err)
	defer db.Close()
	st := hostmgmt.State{Administrative: inventory.AdminUnlocked, Operational: inventory.OperDisabled,
		Availability: inventory.AvailOffline, Action: hostmgmt.ActionUnlock, Stage: hostmgmt.StageResetProgression,
		Task: hostmgmt.TaskRebooting, Deadline: time.Now().Add(-time.Hour)}
	body, err := json.Marshal(st)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE hm_host SET state = ? WHERE uuid = ?`, string(body), h.UUID)
	require.NoError(t, err)
	for i, k := range []hostmgmt.ActionKind{hostmgmt.DoHeartbeatStop, hostmgmt.DoRebootCommand, hostmgmt.DoBMCReset} {
		_, err = db.Exec(`INSERT INTO hm_action (id, host_uuid, seq, kind) VALUES (?, ?, ?, ?)`, h.UUID+"/x"+string(rune('0'+i)), h.UUID, i+1, string(k))
		require.NoError(t, err)
	}
	f.agents.Update(h.UUID, func(fh *hostmgmttest.FakeHost) { fh.Monitored = true })

	m = f.open(t)
	hs, err := m.GetHostState(t.Context(), h.UUID)
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.StageResetProgression, hs.Stage)
	assert.True(t, hs.Deadline.After(time.Now()), "the deadline that passed while the controller was down is recomputed from the restart")
	stop := run(t, m)
	defer stop()
	assert.Eventually(t, func() bool { return !f.agents.Host(h.UUID).Monitored }, 5*time.Second, 5*time.Millisecond, "heartbeat-stop is repeated")
	// Neither the reboot command nor the reset is repeated: the timer,
	// RebootAckTimeout after the restart, sends the next reset.
	time.Sleep(200 * time.Millisecond)
	assert.Zero(t, f.agents.Count(h.UUID, hostmgmt.CmdReboot), "the reboot command is not sent again")
	assert.Empty(t, f.bmcs.Get(h.UUID).Ops(), "the BMC reset is not sent again")
	var n int
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM hm_action`).Scan(&n))
	assert.Zero(t, n, "the outbox is empty")
	assert.Eventually(t, func() bool { return len(f.bmcs.Get(h.UUID).Ops()) > 0 }, 10*time.Second, 10*time.Millisecond, "the timer resets the host")
	hostState(t, m, h.UUID, "unlocked-enabled-available")
}

func hostState(t *testing.T, m *hostmgmtsql.Manager, uuid, want string) {
	t.Helper()
	assert.Eventually(t, func() bool {
		hs, err := m.GetHostState(t.Context(), uuid)
		return err == nil && hs.Stage == hostmgmt.StageIdle &&
			string(hs.Administrative)+"-"+string(hs.Operational)+"-"+string(hs.Availability) == want
	}, 15*time.Second, 10*time.Millisecond, "host never reached %s", want)
}

// TestLinkConfig: a host's key is issued once, survives a restart, goes
// to the heartbeat engine, and is forgotten with the host.
func TestLinkConfig(t *testing.T) {
	f := newFixture(t)
	h := inventorytest.NewLockedHost(t, f.inv, "worker-0", inventory.PersonalityWorker)
	m := f.open(t)
	lc, err := m.LinkConfig(t.Context(), "worker-0")
	require.NoError(t, err)
	assert.Equal(t, h.UUID, lc.HostUUID)
	assert.Len(t, lc.Key, 32)
	assert.Equal(t, 100, lc.PeriodMS)
	assert.Equal(t, map[hostmgmt.Network]string{hostmgmt.NetworkMgmt: "192.168.204.2:2103"}, lc.Controller)
	assert.Equal(t, lc.Key, f.agents.Key(h.UUID), "the engine has the key")
	again, err := m.LinkConfig(t.Context(), h.UUID)
	require.NoError(t, err)
	assert.Equal(t, lc.Key, again.Key, "one key per host")
	require.NoError(t, m.Close())

	f.agents.SetKey(h.UUID, nil)
	m = f.open(t)
	stop := run(t, m)
	assert.Eventually(t, func() bool { return string(f.agents.Key(h.UUID)) == string(lc.Key) }, 5*time.Second, 5*time.Millisecond,
		"keys are given to the engine again at start")
	_, err = m.LinkConfig(t.Context(), "worker-9")
	assert.ErrorIs(t, err, hostmgmt.ErrNotFound)

	require.NoError(t, f.inv.DeleteHost(t.Context(), h.UUID))
	assert.Eventually(t, func() bool { return f.agents.Key(h.UUID) == nil }, 10*time.Second, 10*time.Millisecond,
		"a host deleted from inventory leaves the link")
	stop()
}

// TestOptions: a Manager needs inventory and usable timings.
func TestOptions(t *testing.T) {
	_, err := hostmgmtsql.Open(t.Context(), "sqlite://"+filepath.Join(t.TempDir(), "x.db"), hostmgmtsql.Options{})
	assert.ErrorContains(t, err, "Inventory")
	f := newFixture(t)
	tm := hostmgmt.DefaultTimings()
	tm.WorkerBootTimeout = time.Second
	_, err = hostmgmtsql.Open(t.Context(), f.url, hostmgmtsql.Options{Inventory: f.inv, Timings: &tm})
	var fe *hostmgmt.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "worker_boot_timeout", fe.Field)
}
