package agent_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/agent/agenttest"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

const (
	hostUUID = "6f1c2c8e-0000-4000-8000-000000000001"
	config1  = "1a2b3c4d-0000-4000-8000-000000000001"
	config2  = "1a2b3c4d-0000-4000-8000-000000000002"
)

var mac = inventorytest.MAC("worker-0")

// rig is an agent over fakes, run in the test's synctest bubble.
type rig struct {
	ctrl *agenttest.Controller
	disc *agenttest.Discoverer
	app  *agenttest.Applier
	dir  string
	opts agent.Options
	a    *agent.Agent
	stop func() error
}

func newRig(t *testing.T) *rig {
	t.Helper()
	return &rig{
		ctrl: agenttest.NewController(hostUUID),
		disc: agenttest.NewDiscoverer(inventorytest.ReportFor(mac)),
		app:  &agenttest.Applier{},
		dir:  t.TempDir(),
		opts: agent.Options{MinBackoff: time.Second, MaxBackoff: 8 * time.Second},
	}
}

// start runs a new agent until stop; stop returns Run's error.
func (r *rig) start(t *testing.T) {
	t.Helper()
	a, err := agent.New(r.ctrl, r.disc, r.app, r.dir, &r.opts)
	require.NoError(t, err)
	r.a = a
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	r.stop = func() error {
		cancel()
		return <-done
	}
	synctest.Wait()
}

// after advances the bubble's clock by d and lets the agent settle.
func after(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

// TestReportSchedule: a report on start, one per interval, none in
// between while the hardware stays the same.
func TestReportSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		r.start(t)
		require.Len(t, r.ctrl.Reports(), 1, "a report on start")
		assert.Equal(t, mac, r.ctrl.Reports()[0].MgmtMAC)
		after(59 * time.Second)
		assert.Len(t, r.ctrl.Reports(), 1, "none before the interval")
		assert.GreaterOrEqual(t, r.disc.Calls(), 12, "a discovery every poll")
		after(2 * time.Second)
		assert.Len(t, r.ctrl.Reports(), 2, "one per interval")
		require.NoError(t, r.stop())
		st := r.a.State()
		assert.Equal(t, hostUUID, st.HostUUID)
		assert.Nil(t, st.Pending)
		require.NotNil(t, st.LastReport)
	})
}

// TestChangeDetection: a new disk or port is reported at the next poll;
// a change of load (free memory, link speed) is not.
func TestChangeDetection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		r.start(t)
		require.Len(t, r.ctrl.Reports(), 1)

		rep := inventorytest.ReportFor(mac)
		rep.Memory[0].MemAvailMiB /= 2
		rep.Ports[0].Speed = 100
		r.disc.Set(rep)
		after(20 * time.Second)
		assert.Len(t, r.ctrl.Reports(), 1, "load is no hardware change")

		r.disc.Set(inventorytest.ReportFor(mac, inventorytest.WithDisks(3)))
		after(4 * time.Second)
		require.Len(t, r.ctrl.Reports(), 1, "seen at the next poll, not before")
		after(2 * time.Second)
		require.Len(t, r.ctrl.Reports(), 2, "a new disk is reported at the next poll")
		assert.Len(t, r.ctrl.Reports()[1].Disks, 3)

		r.disc.Set(inventorytest.ReportFor(mac, inventorytest.WithDisks(3), inventorytest.WithPorts(3)))
		after(5 * time.Second)
		assert.Len(t, r.ctrl.Reports(), 3, "a new port too")
		require.NoError(t, r.stop())
	})
}

// TestRetryBackoff: while the controller is down the report is retried
// with a backoff that doubles up to MaxBackoff; once it is back the
// report arrives within MaxBackoff, and the schedule is back to normal.
func TestRetryBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		r.ctrl.SetDown(true)
		r.start(t)
		require.Equal(t, 1, r.ctrl.Calls(), "tried on start")
		after(400 * time.Millisecond)
		assert.Equal(t, 1, r.ctrl.Calls(), "no retry before half the first backoff")
		after(700 * time.Millisecond)
		assert.Equal(t, 2, r.ctrl.Calls(), "retried within the first backoff")
		after(120 * time.Second)
		// Backoffs 1, 2, 4, then 8 s, each jittered into its upper half.
		calls := r.ctrl.Calls()
		assert.GreaterOrEqual(t, calls, 2+120/8-2)
		assert.LessOrEqual(t, calls, 2+120/4+3)
		st := r.a.State()
		require.NotNil(t, st.Pending, "the report waits on disk")
		assert.Empty(t, r.ctrl.Reports())

		r.ctrl.SetDown(false)
		after(8 * time.Second)
		require.Len(t, r.ctrl.Reports(), 1, "sent within max_backoff of the controller's return")
		assert.Nil(t, r.a.State().Pending)
		after(61 * time.Second)
		assert.Len(t, r.ctrl.Reports(), 2, "then once per interval")
		require.NoError(t, r.stop())
	})
}

// TestRestartResumes: a report the controller did not take is on disk; a
// restarted agent sends it even if discovery fails now.
func TestRestartResumes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		r.ctrl.SetDown(true)
		want := inventorytest.ReportFor(mac, inventorytest.WithDisks(4))
		r.disc.Set(want)
		r.start(t)
		require.NoError(t, r.stop())
		require.FileExists(t, filepath.Join(r.dir, agent.StateFile))

		r.ctrl.SetDown(false)
		r.disc = agenttest.NewDiscoverer(inventory.Report{})
		r.disc.Fail(errors.New("no sysfs"))
		r.start(t)
		require.Len(t, r.ctrl.Reports(), 1)
		assert.Equal(t, want, r.ctrl.Reports()[0], "the report kept on disk")
		require.NoError(t, r.stop())
	})
}

// TestApplyThenReport: the configuration is applied before
// config_applied is reported, and not reported while it fails to apply.
func TestApplyThenReport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		r.ctrl.SetConfig(inventory.HostConfig{UUID: config1, Hostname: "worker-0"})
		var appliedAtApply []string
		r.app.OnApply = func(inventory.HostConfig) { appliedAtApply = r.ctrl.Applied() }
		r.app.Fail(errors.New("disk full"))
		r.start(t)
		assert.Empty(t, r.ctrl.Applied(), "nothing reported while the apply fails")
		assert.Empty(t, r.a.State().AppliedConfig)

		r.app.Fail(nil)
		after(2 * time.Second)
		assert.Equal(t, []string{config1}, r.app.Applied())
		assert.Empty(t, appliedAtApply, "applied before config_applied")
		assert.Equal(t, []string{config1}, r.ctrl.Applied())

		// An operator's change: applied at the next report.
		r.ctrl.SetConfig(inventory.HostConfig{UUID: config2, Hostname: "worker-0"})
		after(61 * time.Second)
		assert.Equal(t, []string{config1, config2}, r.app.Applied())
		assert.Equal(t, []string{config1, config2}, r.ctrl.Applied())
		require.NoError(t, r.stop())
		assert.Equal(t, config2, r.a.State().AppliedConfig)
	})
}

// TestNeverAppliedTwice: a configuration applied whose config_applied
// did not reach the controller is reported after a restart, not applied
// again; nor is one the controller forgot it was told of.
func TestNeverAppliedTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		r.ctrl.SetConfig(inventory.HostConfig{UUID: config1})
		r.app.OnApply = func(inventory.HostConfig) { r.ctrl.SetDown(true) }
		r.start(t)
		require.Equal(t, []string{config1}, r.app.Applied())
		assert.Empty(t, r.ctrl.Applied())
		assert.Equal(t, config1, r.a.State().PendingApplied)
		require.NoError(t, r.stop())

		r.app.OnApply = nil
		r.ctrl.SetDown(false)
		r.start(t)
		assert.Equal(t, []string{config1}, r.app.Applied(), "not applied again")
		assert.Equal(t, []string{config1}, r.ctrl.Applied(), "reported after the restart")
		require.NoError(t, r.stop())

		// A controller that lost the record (restored from a backup).
		r.ctrl = agenttest.NewController(hostUUID)
		r.ctrl.SetConfig(inventory.HostConfig{UUID: config1})
		r.start(t)
		assert.Equal(t, []string{config1}, r.app.Applied(), "not applied again")
		assert.Equal(t, []string{config1}, r.ctrl.Applied(), "told again")
		require.NoError(t, r.stop())
	})
}

// TestRefusedReport: a report the controller refuses is not retried
// until the next interval.
func TestRefusedReport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		r.disc.Set(inventory.Report{Hostname: "no-mac"})
		r.start(t)
		assert.Equal(t, 1, r.ctrl.Calls())
		after(30 * time.Second)
		assert.Equal(t, 1, r.ctrl.Calls(), "not retried")
		assert.Nil(t, r.a.State().Pending)
		after(31 * time.Second)
		assert.Equal(t, 2, r.ctrl.Calls(), "tried again at the interval")
		require.NoError(t, r.stop())
	})
}

// TestCorruptState: a state file that does not decode stops Run with an
// error naming the file; the agent does not start afresh behind the
// operator's back.
func TestCorruptState(t *testing.T) {
	r := newRig(t)
	require.NoError(t, os.WriteFile(filepath.Join(r.dir, agent.StateFile), []byte(`{"version":1,"bogus":true}`), 0o600))
	a, err := agent.New(r.ctrl, r.disc, r.app, r.dir, nil)
	require.NoError(t, err)
	err = a.Run(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), agent.StateFile)
	assert.Contains(t, err.Error(), "bogus")
	assert.Zero(t, r.ctrl.Calls())
}

// TestNewOptions: bad options are refused naming the field.
func TestNewOptions(t *testing.T) {
	r := newRig(t)
	for _, tc := range []struct {
		name  string
		opts  agent.Options
		field string
	}{
		{"negative interval", agent.Options{Interval: -1}, "interval"},
		{"negative poll", agent.Options{PollInterval: -time.Second}, "poll_interval"},
		{"bad mac", agent.Options{MgmtMAC: "zz"}, "mgmt_mac"},
		{"backoffs", agent.Options{MinBackoff: time.Minute, MaxBackoff: time.Second}, "min_backoff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := agent.New(r.ctrl, r.disc, r.app, r.dir, &tc.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.field)
		})
	}
	_, err := agent.New(r.ctrl, r.disc, r.app, "", nil)
	assert.ErrorContains(t, err, "state_dir")
}
