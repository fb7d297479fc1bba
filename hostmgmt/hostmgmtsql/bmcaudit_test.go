package hostmgmtsql_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmtsql"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// TestBMCAudit: sensors past a threshold raise 200.007 in hwmon's words
// (critical, major for a caution threshold), readings back in range clear
// it, a restarted Manager clears what recovered while it was down, an
// unreadable BMC shows its error and counts towards 200.010, and a
// deprovisioned BMC clears its sensor alarms.
func TestBMCAudit(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	fm, err := fault.Open(ctx, faultstore.NewMemoryStore(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { fm.Close(context.Background()) })
	inventorytest.PlatformNetworks(t, f.inv)
	h := inventorytest.NewReadyHost(t, f.inv, "worker-0", inventory.PersonalityWorker)
	f.agents.AddHost(h.UUID)
	open := func() *hostmgmtsql.Manager {
		tm := hostmgmttest.Timings()
		m, err := hostmgmtsql.Open(ctx, f.url, hostmgmtsql.Options{Inventory: f.inv, Faults: fm, BMCs: f.bmcs, Timings: &tm})
		require.NoError(t, err)
		_, err = m.GetHostState(ctx, h.UUID)
		require.NoError(t, err)
		return m
	}
	m := open()
	bmc := f.bmcs.Get(h.UUID)
	limit := func(v float64) *float64 { return &v }
	th := hostmgmt.Thresholds{UpperCaution: limit(80), UpperCritical: limit(90)}
	read := func(celsius float64) {
		bmc.SetSensors([]hostmgmt.Sensor{
			{Name: "CPU Temp", Type: hostmgmt.SensorTemperature, Reading: celsius, Units: "Cel", Status: th.Status(celsius), Thresholds: th},
			{Name: "Fan 1", Type: hostmgmt.SensorFan, Reading: 5000, Units: "RPM", Status: hostmgmt.SensorOK},
		})
	}
	sensorAlarm := func() (fault.Alarm, bool) {
		as, err := fm.ListAlarms(ctx, fault.AlarmQuery{})
		require.NoError(t, err)
		var found []fault.Alarm
		for _, a := range as {
			if a.AlarmID == "200.007" {
				found = append(found, a)
			}
		}
		require.LessOrEqual(t, len(found), 1, "one alarm per sensor out of range: %+v", found)
		if len(found) == 0 {
			return fault.Alarm{}, false
		}
		return found[0], true
	}

	read(95)
	m.AuditBMCs(ctx)
	a, ok := sensorAlarm()
	require.True(t, ok, "a critical reading raises 200.007")
	assert.Equal(t, fault.SeverityCritical, a.Severity)
	assert.Equal(t, "host=worker-0.sensor=CPU Temp", a.EntityInstanceID)
	assert.Equal(t, "worker-0 is reporting a 'critical' out-of-tolerance reading from the 'CPU Temp' sensor", a.ReasonText)
	st, err := m.GetHostState(ctx, "worker-0")
	require.NoError(t, err)
	require.NotNil(t, st.BMC)
	assert.Equal(t, hostmgmt.PowerOn, st.BMC.Power)
	require.Len(t, st.BMC.Sensors, 2)
	assert.Equal(t, 95.0, st.BMC.Sensors[0].Reading)
	assert.Empty(t, st.BMC.Error)

	read(85)
	m.AuditBMCs(ctx)
	a, ok = sensorAlarm()
	require.True(t, ok)
	assert.Equal(t, fault.SeverityMajor, a.Severity, "past the caution threshold only")

	// Back in range while maintenance is down: the next Manager clears it.
	require.NoError(t, m.Close())
	read(40)
	m = open()
	defer m.Close()
	m.AuditBMCs(ctx)
	_, ok = sensorAlarm()
	assert.False(t, ok, "a reading back in range clears 200.007, even after a restart")

	// An unreadable BMC keeps the last readings, says why, and the fifth
	// failure in a row raises 200.010.
	bmc.Fail(errors.New("connection reset by peer"))
	for range 5 {
		m.AuditBMCs(ctx)
	}
	st, err = m.GetHostState(ctx, "worker-0")
	require.NoError(t, err)
	require.NotNil(t, st.BMC)
	assert.Contains(t, st.BMC.Error, "connection reset by peer")
	assert.Len(t, st.BMC.Sensors, 2, "the last readings are kept")
	as, err := fm.ListAlarms(ctx, fault.AlarmQuery{AlarmID: "200.010"})
	require.NoError(t, err)
	assert.Len(t, as, 1, "five failed audits in a row raise 200.010")
	bmc.Fail(nil)
	read(99)
	m.AuditBMCs(ctx)
	as, err = fm.ListAlarms(ctx, fault.AlarmQuery{AlarmID: "200.010"})
	require.NoError(t, err)
	assert.Empty(t, as, "a successful audit clears 200.010")
	_, ok = sensorAlarm()
	require.True(t, ok)

	// A refused BMC (nothing was sent) is not retried by the audit, and
	// counts: 200.010 from the fifth audit on.
	bmc.Fail(fmt.Errorf("%w: connection refused", hostmgmt.ErrNotSent))
	for range 6 {
		m.AuditBMCs(ctx)
	}
	as, err = fm.ListAlarms(ctx, fault.AlarmQuery{AlarmID: "200.010"})
	require.NoError(t, err)
	assert.Len(t, as, 1, "a refusing BMC raises 200.010")
	// Sensors sharing a name (one per chassis) are one alarm at the
	// worst of their statuses.
	bmc.Fail(nil)
	bmc.SetSensors([]hostmgmt.Sensor{
		{Name: "Inlet", Type: hostmgmt.SensorTemperature, Reading: 99, Units: "Cel", Status: hostmgmt.SensorCritical},
		{Name: "Inlet", Type: hostmgmt.SensorTemperature, Reading: 20, Units: "Cel", Status: hostmgmt.SensorOK},
		{Name: "Bad", Type: hostmgmt.SensorVoltage, Reading: math.NaN(), Units: "V", Status: hostmgmt.SensorOK},
	})
	m.AuditBMCs(ctx)
	m.AuditBMCs(ctx)
	a, ok = sensorAlarm()
	require.True(t, ok)
	assert.Equal(t, "host=worker-0.sensor=Inlet", a.EntityInstanceID)
	assert.Equal(t, fault.SeverityCritical, a.Severity)
	st, err = m.GetHostState(ctx, "worker-0")
	require.NoError(t, err)
	_, err = json.Marshal(st)
	require.NoError(t, err, "a reading that is not a number is carried as no reading")
	assert.Equal(t, hostmgmt.SensorUnknown, st.BMC.Sensors[2].Status)

	bmc.Fail(fmt.Errorf("%w: connection refused", hostmgmt.ErrNotSent))
	for range 5 {
		m.AuditBMCs(ctx)
	}
	f.bmcs.Deprovision(h.UUID)
	m.AuditBMCs(ctx)
	_, ok = sensorAlarm()
	assert.False(t, ok, "a host without a BMC has no sensor alarms")
	as, err = fm.ListAlarms(ctx, fault.AlarmQuery{AlarmID: "200.010"})
	require.NoError(t, err)
	assert.Empty(t, as, "nor a BMC access alarm")
	st, err = m.GetHostState(ctx, "worker-0")
	require.NoError(t, err)
	assert.Nil(t, st.BMC)
}
