package inventorysql_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/inventory"
)

// runConfigVersioning: every change of a host's document moves its
// config_target, with the reboot bit when a lock/unlock is needed, and
// sticky while not applied; the host is out of date (alarm 250.001)
// until it reports the target applied.
func runConfigVersioning(t *testing.T, open opener) {
	f := newFixture(t, open)
	ctx := f.ctx

	h, err := f.m.GetHost(ctx, "worker-0")
	require.NoError(t, err)
	require.NotEmpty(t, h.ConfigTarget, "a host with hardware has a document")
	assert.Equal(t, inventory.ConfigOutOfDate, h.ConfigStatus, "its agent reported, and has not applied the target")
	assert.True(t, h.RebootNeeded)
	assert.True(t, f.alarms.has("worker-0"), "alarm 250.001 raised")
	doc, err := f.m.HostConfig(ctx, "worker-0")
	require.NoError(t, err)
	assert.Equal(t, h.ConfigTarget, doc.UUID)
	assert.Equal(t, "worker-0", doc.Hostname)
	assert.NotEmpty(t, doc.CPUs.Platform)

	// A host that never had an agent is not out of date.
	added, err := f.m.AddHost(ctx, inventory.HostSpec{Hostname: "worker-5", Personality: inventory.PersonalityWorker})
	require.NoError(t, err)
	assert.NotEmpty(t, added.ConfigTarget)
	assert.Empty(t, added.ConfigStatus)
	assert.False(t, f.alarms.has("worker-5"))

	// Applied: current, alarm cleared.
	h, err = f.m.ReportConfigApplied(ctx, "worker-0", h.ConfigTarget)
	require.NoError(t, err)
	assert.Empty(t, h.ConfigStatus)
	assert.False(t, h.RebootNeeded)
	assert.False(t, f.alarms.has("worker-0"), "alarm 250.001 cleared")

	// A change applied at run time: new target without the reboot bit.
	applied := h.ConfigTarget
	_, err = f.m.AssignLabels(ctx, "worker-0", map[string]string{"sriov": "enabled"}, false)
	require.NoError(t, err)
	h, err = f.m.GetHost(ctx, "worker-0")
	require.NoError(t, err)
	assert.NotEqual(t, applied, h.ConfigTarget)
	assert.False(t, inventory.ConfigRebootRequired(h.ConfigTarget), "labels apply at run time")
	assert.Equal(t, inventory.ConfigOutOfDate, h.ConfigStatus)
	assert.False(t, h.RebootNeeded)
	assert.True(t, f.alarms.has("worker-0"))
	doc, err = f.m.HostConfig(ctx, "worker-0")
	require.NoError(t, err)
	assert.Equal(t, "enabled", doc.Labels["sriov"])

	// A change needing a reboot, then one that does not: the bit stays.
	_, err = f.m.ModifyCPUs(ctx, "worker-0", inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{0: 2}})
	require.NoError(t, err)
	h, err = f.m.GetHost(ctx, "worker-0")
	require.NoError(t, err)
	assert.True(t, inventory.ConfigRebootRequired(h.ConfigTarget), "CPU functions need a lock/unlock")
	assert.True(t, h.RebootNeeded)
	_, err = f.m.AssignLabels(ctx, "worker-0", map[string]string{"sriov": "disabled"}, true)
	require.NoError(t, err)
	h2, err := f.m.GetHost(ctx, "worker-0")
	require.NoError(t, err)
	assert.NotEqual(t, h.ConfigTarget, h2.ConfigTarget)
	assert.True(t, inventory.ConfigRebootRequired(h2.ConfigTarget), "the reboot bit sticks until applied")

	// A write that does not change the document leaves the target.
	_, err = f.m.UpdateHost(ctx, "worker-0", inventory.HostUpdate{Location: &map[string]any{"locn": "rack 4"}})
	require.NoError(t, err)
	h3, err := f.m.GetHost(ctx, "worker-0")
	require.NoError(t, err)
	assert.Equal(t, h2.ConfigTarget, h3.ConfigTarget)

	// An older UUID applied leaves the host out of date.
	h3, err = f.m.ReportConfigApplied(ctx, "worker-0", applied)
	require.NoError(t, err)
	assert.Equal(t, inventory.ConfigOutOfDate, h3.ConfigStatus)

	// A system-wide change moves every host's target.
	before, err := f.m.ListHosts(ctx)
	require.NoError(t, err)
	_, err = f.m.UpdateSystem(ctx, inventory.SystemUpdate{DNSServers: &[]string{"8.8.8.8", "2001:4860:4860::8888"}})
	require.NoError(t, err)
	after, err := f.m.ListHosts(ctx)
	require.NoError(t, err)
	for i := range before {
		assert.NotEqual(t, before[i].ConfigTarget, after[i].ConfigTarget, before[i].Hostname)
	}
	doc, err = f.m.HostConfig(ctx, "controller-0")
	require.NoError(t, err)
	assert.Equal(t, []string{"8.8.8.8", "2001:4860:4860::8888"}, doc.System.DNSServers)

	// A network assignment gives the host an address in its document.
	_, err = f.m.AssignInterfaceNetwork(ctx, f.ctrlIfs["enp0s3"].UUID, "mgmt")
	require.NoError(t, err)
	doc, err = f.m.HostConfig(ctx, "controller-0")
	require.NoError(t, err)
	var found bool
	for _, i := range doc.Interfaces {
		if i.Name == "enp0s3" {
			found = true
			assert.Equal(t, []string{"192.168.204.3/24"}, i.Addresses, "controller-0 gets the pool's controller0 address")
		}
	}
	assert.True(t, found)
	c0, err := f.m.GetHost(ctx, "controller-0")
	require.NoError(t, err)
	assert.Equal(t, "192.168.204.3", c0.MgmtIP)

	// Deleting an out-of-date host clears its alarm.
	require.True(t, f.alarms.has("worker-0"))
	require.NoError(t, f.m.DeleteHost(ctx, "worker-0"))
	assert.False(t, f.alarms.has("worker-0"))
}

func TestConfigVersioningSQLite(t *testing.T) { runConfigVersioning(t, openMemory) }

// TestReporterFailureDoesNotFailWrites: the write is committed and
// returned; the reporter's error is only logged.
func TestReporterFailureDoesNotFailWrites(t *testing.T) {
	f := newFixture(t, openMemory)
	f.alarms.fail = errors.New("fault manager down")
	_, err := f.m.AssignLabels(f.ctx, "worker-0", map[string]string{"a": "b"}, false)
	require.NoError(t, err)
	ls, err := f.m.ListLabels(f.ctx, "worker-0")
	require.NoError(t, err)
	require.Len(t, ls, 1)
}

// TestAlarmFields: 250.001 as the catalog has it.
func TestAlarmFields(t *testing.T) {
	f := newFixture(t, openMemory)
	a := f.alarms.active["host=worker-0"]
	assert.Equal(t, "250.001", a.AlarmID)
	assert.Equal(t, "host", a.EntityTypeID)
	assert.Equal(t, fault.SeverityMajor, a.Severity)
	assert.Equal(t, "processing-error", a.AlarmType.String())
	assert.Equal(t, "configuration-out-of-date", a.ProbableCause.String())
	assert.True(t, strings.HasPrefix(a.ReasonText, "worker-0 Configuration is out-of-date."), a.ReasonText)
}

// TestRenameMovesAlarm: the alarm follows the host's new name.
func TestRenameMovesAlarm(t *testing.T) {
	f := newFixture(t, openMemory)
	require.True(t, f.alarms.has("worker-0"))
	_, err := f.m.UpdateHost(f.ctx, "worker-0", inventory.HostUpdate{Hostname: ptr("compute-0")})
	require.NoError(t, err)
	assert.False(t, f.alarms.has("worker-0"))
	assert.True(t, f.alarms.has("compute-0"))
}

// TestReconcileAlarms: a reporter that fails after a commit leaves alarm
// 250.001 wrong; ReconcileAlarms, run at start, puts it right both ways,
// asking to keep an alarm that is already active as it is.
func TestReconcileAlarms(t *testing.T) {
	f := newFixture(t, openMemory)
	ctx := f.ctx
	h, err := f.m.GetHost(ctx, "worker-0")
	require.NoError(t, err)
	_, err = f.m.ReportConfigApplied(ctx, "worker-0", h.ConfigTarget)
	require.NoError(t, err)
	require.False(t, f.alarms.has("worker-0"))

	// The reporter is down while a change makes the host out of date:
	// the write stands, the alarm is missing.
	f.alarms.mu.Lock()
	f.alarms.fail = errors.New("fault manager unreachable")
	f.alarms.mu.Unlock()
	_, err = f.m.AssignLabels(ctx, "worker-0", map[string]string{"site": "b"}, false)
	require.NoError(t, err)
	require.False(t, f.alarms.has("worker-0"))

	f.alarms.mu.Lock()
	f.alarms.fail = nil
	f.alarms.mu.Unlock()
	require.NoError(t, f.m.ReconcileAlarms(ctx))
	assert.True(t, f.alarms.has("worker-0"), "raised by the reconcile")
	f.alarms.mu.Lock()
	assert.True(t, f.alarms.active["host=worker-0"].KeepExisting, "an alarm already active is kept as it is")
	f.alarms.mu.Unlock()

	// And a host that caught up while the reporter was down is cleared.
	h, err = f.m.GetHost(ctx, "worker-0")
	require.NoError(t, err)
	f.alarms.mu.Lock()
	f.alarms.fail = errors.New("fault manager unreachable")
	f.alarms.mu.Unlock()
	_, err = f.m.ReportConfigApplied(ctx, "worker-0", h.ConfigTarget)
	require.NoError(t, err)
	f.alarms.mu.Lock()
	f.alarms.fail = nil
	f.alarms.mu.Unlock()
	require.True(t, f.alarms.has("worker-0"))
	require.NoError(t, f.m.ReconcileAlarms(ctx))
	assert.False(t, f.alarms.has("worker-0"))
}
