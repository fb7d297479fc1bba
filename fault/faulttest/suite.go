// Package faulttest holds the conformance suite that every fault.Service
// implementation must pass, and a fake fault.Reporter for the tests of
// daemons that raise alarms.
//
// Flock runs the suite against the in-memory, SQLite and PostgreSQL stores
// and against the HTTP client talking to the HTTP server. An integrator runs
// it against their own implementation:
//
//	func TestMyService(t *testing.T) {
//		faulttest.RunServiceSuite(t, func(t *testing.T) fault.Service { return newMine(t) })
//	}
//
// The suite uses ids from fault.DefaultCatalog and expects a service that
// checks the catalog, starts empty and keeps StarlingX's default suppression
// thresholds.
package faulttest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
)

// CPUAlarm returns a valid 100.101 (platform CPU threshold) alarm on host.
func CPUAlarm(host string, sev fault.Severity) fault.Alarm {
	return fault.Alarm{
		AlarmID: "100.101", State: fault.StateSet, EntityTypeID: "host",
		EntityInstanceID: fault.Entity("host", host), Severity: sev,
		ReasonText: "Platform CPU threshold exceeded", AlarmType: fault.AlarmTypeOperationalViolation,
		ProbableCause: fault.CauseThresholdCrossed, ProposedRepairAction: "Reduce the load",
		Suppression: true,
	}
}

// LockedAlarm returns the 200.001 (host locked) alarm, which inhibits
// the alarms below it.
func LockedAlarm(host string) fault.Alarm {
	return fault.Alarm{
		AlarmID: "200.001", State: fault.StateSet, EntityTypeID: "host",
		EntityInstanceID: fault.Entity("host", host), Severity: fault.SeverityWarning,
		ReasonText: host + " was administratively locked", AlarmType: fault.AlarmTypeOperationalViolation,
		ProbableCause: fault.CauseOutOfService, ServiceAffecting: true, InhibitAlarms: true,
	}
}

// HeartbeatAlarm returns a 200.005 (management heartbeat loss) alarm.
func HeartbeatAlarm(host string, sev fault.Severity) fault.Alarm {
	return fault.Alarm{
		AlarmID: "200.005", State: fault.StateSet, EntityTypeID: "host",
		EntityInstanceID: fault.Entity("host", host, "network", "mgmt"), Severity: sev,
		ReasonText: host + " lost heartbeat on mgmt", AlarmType: fault.AlarmTypeCommunication,
		ProbableCause: fault.CauseUnderlyingResourceUnavail, ServiceAffecting: true, Suppression: true,
	}
}

// RunServiceSuite runs the conformance suite. newService is called once per
// subtest and must return an empty service; it registers its own cleanup.
func RunServiceSuite(t *testing.T, newService func(t *testing.T) fault.Service) {
	t.Helper()
	for _, tc := range suiteCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, newService(t))
		})
	}
}

type suiteCase struct {
	name string
	run  func(t *testing.T, s fault.Service)
}

func ctxOf(t *testing.T) context.Context { return t.Context() }

func mustSet(t *testing.T, s fault.Service, a fault.Alarm) string {
	t.Helper()
	u, err := s.SetAlarm(ctxOf(t), a)
	require.NoError(t, err)
	require.Len(t, u, 36)
	return u
}

func list(t *testing.T, s fault.Service, q fault.AlarmQuery) []fault.Alarm {
	t.Helper()
	as, err := s.ListAlarms(ctxOf(t), q)
	require.NoError(t, err)
	return as
}

func ids(as []fault.Alarm) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.AlarmID + "@" + a.EntityInstanceID
	}
	return out
}

func events(t *testing.T, s fault.Service, q fault.EventQuery) []fault.Event {
	t.Helper()
	es, err := s.ListEvents(ctxOf(t), q)
	require.NoError(t, err)
	return es
}

func fieldOf(err error) string {
	var fe *fault.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

var suiteCases = []suiteCase{
	{"SetGetRoundTrip", func(t *testing.T, s fault.Service) {
		a := CPUAlarm("controller-0", fault.SeverityCritical)
		u := mustSet(t, s, a)
		got, err := s.GetAlarm(ctxOf(t), u)
		require.NoError(t, err)
		assert.Equal(t, u, got.UUID)
		assert.Equal(t, "100.101", got.AlarmID)
		assert.Equal(t, fault.StateSet, got.State)
		assert.Equal(t, "host", got.EntityTypeID)
		assert.Equal(t, "host=controller-0", got.EntityInstanceID)
		assert.Equal(t, fault.SeverityCritical, got.Severity)
		assert.Equal(t, a.ReasonText, got.ReasonText)
		assert.Equal(t, fault.AlarmTypeOperationalViolation, got.AlarmType)
		assert.Equal(t, fault.CauseThresholdCrossed, got.ProbableCause)
		assert.Equal(t, a.ProposedRepairAction, got.ProposedRepairAction)
		assert.True(t, got.Suppression)
		assert.False(t, got.Masked)
		assert.False(t, got.Timestamp.IsZero())
		assert.Equal(t, fault.Unsuppressed, got.SuppressionStatus)
		// 100.101: management-affecting from major, degrade-affecting at critical.
		assert.True(t, got.MgmtAffecting)
		assert.True(t, got.DegradeAffecting)
		assert.Nil(t, got.Ack)
	}},
	{"AffectingThresholds", func(t *testing.T, s fault.Service) {
		u := mustSet(t, s, CPUAlarm("controller-0", fault.SeverityMajor))
		got, err := s.GetAlarm(ctxOf(t), u)
		require.NoError(t, err)
		assert.True(t, got.MgmtAffecting, "major reaches 100.101's major management threshold")
		assert.False(t, got.DegradeAffecting, "major is below 100.101's critical degrade threshold")
		mustSet(t, s, LockedAlarm("compute-1")) // warning, mgmt from warning
		assert.Len(t, list(t, s, fault.AlarmQuery{MgmtAffecting: true}), 2)
		deg := list(t, s, fault.AlarmQuery{DegradeAffecting: true})
		assert.Empty(t, deg)
	}},
	{"IdentityOverwritesWithFreshUUID", func(t *testing.T, s fault.Service) {
		u1 := mustSet(t, s, CPUAlarm("controller-0", fault.SeverityMajor))
		u2 := mustSet(t, s, CPUAlarm("controller-0", fault.SeverityCritical))
		assert.NotEqual(t, u1, u2, "every set makes a fresh uuid")
		as := list(t, s, fault.AlarmQuery{})
		require.Len(t, as, 1, "same (alarm_id, entity_instance_id) is one alarm")
		assert.Equal(t, u2, as[0].UUID)
		assert.Equal(t, fault.SeverityCritical, as[0].Severity)
		_, err := s.GetAlarm(ctxOf(t), u1)
		assert.ErrorIs(t, err, fault.ErrNotFound)
		es := events(t, s, fault.EventQuery{})
		require.Len(t, es, 2)
		assert.Equal(t, fault.StateSet, es[0].State)
		assert.Equal(t, fault.SeverityCritical, es[0].Severity, "newest first")
	}},
	{"CallerUUID", func(t *testing.T, s fault.Service) {
		a := CPUAlarm("controller-0", fault.SeverityMajor)
		a.UUID = "0b0f6c1e-8f0a-4d7e-9d7a-2f5a3c9e1b11"
		assert.Equal(t, a.UUID, mustSet(t, s, a))
		b := CPUAlarm("controller-1", fault.SeverityMajor)
		b.UUID = a.UUID
		_, err := s.SetAlarm(ctxOf(t), b)
		assert.ErrorIs(t, err, fault.ErrConflict, "a uuid cannot name two alarms")
	}},
	{"KeepExisting", func(t *testing.T, s fault.Service) {
		u1 := mustSet(t, s, CPUAlarm("controller-0", fault.SeverityMajor))
		a := CPUAlarm("controller-0", fault.SeverityCritical)
		a.KeepExisting = true
		assert.Equal(t, u1, mustSet(t, s, a))
		got, err := s.GetAlarm(ctxOf(t), u1)
		require.NoError(t, err)
		assert.Equal(t, fault.SeverityMajor, got.Severity, "keep_existing leaves the alarm alone")
		assert.Len(t, events(t, s, fault.EventQuery{}), 1)
		b := CPUAlarm("controller-1", fault.SeverityCritical)
		b.KeepExisting = true
		u2 := mustSet(t, s, b)
		assert.NotEqual(t, u1, u2, "keep_existing raises a missing alarm")
	}},
	{"ClearMatchesWholeComponents", func(t *testing.T, s fault.Service) {
		mustSet(t, s, HeartbeatAlarm("controller-1", fault.SeverityCritical))
		mustSet(t, s, HeartbeatAlarm("controller-10", fault.SeverityCritical))
		require.NoError(t, s.ClearAlarm(ctxOf(t), "200.005", "host=controller-1"))
		as := list(t, s, fault.AlarmQuery{})
		require.Len(t, as, 1, "host=controller-1 must not clear host=controller-10")
		assert.Equal(t, "host=controller-10.network=mgmt", as[0].EntityInstanceID)
		es := events(t, s, fault.EventQuery{})
		require.Len(t, es, 3)
		assert.Equal(t, fault.StateClear, es[0].State)
		assert.Equal(t, "host=controller-1.network=mgmt", es[0].EntityInstanceID)
		err := s.ClearAlarm(ctxOf(t), "200.005", "host=controller-1")
		assert.ErrorIs(t, err, fault.ErrNotFound)
	}},
	{"ClearOneEventPerAlarm", func(t *testing.T, s fault.Service) {
		for _, n := range []string{"mgmt", "oam", "cluster-host"} {
			a := HeartbeatAlarm("controller-0", fault.SeverityMajor)
			a.AlarmID = "400.005"
			a.EntityInstanceID = fault.Entity("host", "controller-0", "network", n)
			mustSet(t, s, a)
		}
		require.NoError(t, s.ClearAlarm(ctxOf(t), "400.005", "host=controller-0"))
		assert.Empty(t, list(t, s, fault.AlarmQuery{}))
		clears := 0
		for _, e := range events(t, s, fault.EventQuery{}) {
			if e.State == fault.StateClear {
				clears++
				assert.Equal(t, "400.005", e.EventLogID)
			}
		}
		assert.Equal(t, 3, clears)
	}},
	{"ClearAllIsOneHierarchicalEvent", func(t *testing.T, s fault.Service) {
		mustSet(t, s, CPUAlarm("compute-0", fault.SeverityMajor))
		mustSet(t, s, HeartbeatAlarm("compute-0", fault.SeverityMajor))
		mustSet(t, s, HeartbeatAlarm("compute-00", fault.SeverityMajor))
		n, err := s.ClearAll(ctxOf(t), "host=compute-0")
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		assert.Len(t, list(t, s, fault.AlarmQuery{}), 1)
		es := events(t, s, fault.EventQuery{})
		require.Len(t, es, 4, "three sets and one hierarchical clear")
		assert.Equal(t, fault.StateClear, es[0].State)
		assert.Equal(t, fault.HierarchicalClearReason, es[0].ReasonText)
		assert.Equal(t, "host=compute-0", es[0].EntityInstanceID)
		n, err = s.ClearAll(ctxOf(t), "host=compute-7")
		require.NoError(t, err)
		assert.Zero(t, n)
	}},
	{"InhibitMasks", func(t *testing.T, s fault.Service) {
		cpu := mustSet(t, s, CPUAlarm("compute-0", fault.SeverityMajor))
		noSupp := HeartbeatAlarm("compute-0", fault.SeverityMajor)
		noSupp.Suppression = false
		hb := mustSet(t, s, noSupp)
		other := mustSet(t, s, CPUAlarm("compute-01", fault.SeverityMajor))
		lock := mustSet(t, s, LockedAlarm("compute-0"))
		got := ids(list(t, s, fault.AlarmQuery{}))
		assert.ElementsMatch(t, []string{"200.005@host=compute-0.network=mgmt", "100.101@host=compute-01", "200.001@host=compute-0"}, got)
		_, err := s.GetAlarm(ctxOf(t), cpu)
		assert.ErrorIs(t, err, fault.ErrNotFound, "a masked alarm is not shown")
		_, err = s.GetAlarm(ctxOf(t), hb)
		assert.NoError(t, err, "an alarm that does not allow suppression is never masked")
		_, err = s.GetAlarm(ctxOf(t), other)
		assert.NoError(t, err)
		sum, err := s.Summary(ctxOf(t), false)
		require.NoError(t, err)
		assert.Equal(t, 2, sum.Major, "masked alarms are not counted")
		masked := list(t, s, fault.AlarmQuery{IncludeMasked: true})
		assert.Len(t, masked, 4)
		// An alarm raised under an active inhibitor is masked too.
		mustSet(t, s, CPUAlarm("compute-0", fault.SeverityCritical))
		assert.Len(t, list(t, s, fault.AlarmQuery{}), 3)
		require.NoError(t, s.DeleteAlarm(ctxOf(t), lock))
		assert.Len(t, list(t, s, fault.AlarmQuery{}), 3, "clearing the inhibitor unmasks")
		_, err = s.GetAlarm(ctxOf(t), cpu)
		assert.ErrorIs(t, err, fault.ErrNotFound, "re-set gave the cpu alarm a new uuid")
		as := list(t, s, fault.AlarmQuery{AlarmID: "100.101", EntityPrefix: "host=compute-0"})
		require.Len(t, as, 1)
		assert.False(t, as[0].Masked)
	}},
	{"OverwriteKeepsIndexes", func(t *testing.T, s fault.Service) {
		first := mustSet(t, s, CPUAlarm("compute-0", fault.SeverityMajor))
		lock := LockedAlarm("compute-0")
		mustSet(t, s, lock)
		mustSet(t, s, CPUAlarm("compute-1", fault.SeverityMajor))
		assert.Len(t, list(t, s, fault.AlarmQuery{}), 2, "the lock masks the cpu alarm of compute-0")
		// The inhibitor, overwritten without inhibiting, unmasks; again
		// with it, masks.
		lock.InhibitAlarms = false
		u := mustSet(t, s, lock)
		assert.Len(t, list(t, s, fault.AlarmQuery{}), 3)
		lock.InhibitAlarms = true
		mustSet(t, s, lock)
		assert.Len(t, list(t, s, fault.AlarmQuery{}), 2)
		_, err := s.GetAlarm(ctxOf(t), u)
		assert.ErrorIs(t, err, fault.ErrNotFound, "the overwritten uuid is gone")
		// Overwritten twice, the cpu alarm keeps its place in raise order
		// and is found once by id and by entity, under its newest uuid.
		mustSet(t, s, CPUAlarm("compute-0", fault.SeverityCritical))
		newest := mustSet(t, s, CPUAlarm("compute-0", fault.SeverityMajor))
		all := list(t, s, fault.AlarmQuery{IncludeMasked: true})
		require.Len(t, all, 3)
		assert.Equal(t, newest, all[0].UUID)
		assert.NotEqual(t, first, newest)
		byID := list(t, s, fault.AlarmQuery{AlarmID: "100.101", IncludeMasked: true})
		assert.Len(t, byID, 2)
		byEntity := list(t, s, fault.AlarmQuery{EntityPrefix: "host=compute-0", IncludeMasked: true})
		assert.Len(t, byEntity, 2)
		assert.Equal(t, fault.SeverityMajor, all[0].Severity)
		assert.True(t, all[0].Masked, "the lock masks it again")
		// Deleted by its newest uuid, it leaves every index.
		require.NoError(t, s.DeleteAlarm(ctxOf(t), newest))
		assert.Len(t, list(t, s, fault.AlarmQuery{AlarmID: "100.101", IncludeMasked: true}), 1)
		assert.Len(t, list(t, s, fault.AlarmQuery{EntityPrefix: "host=compute-0", IncludeMasked: true}), 1)
		again := mustSet(t, s, CPUAlarm("compute-0", fault.SeverityMajor))
		all = list(t, s, fault.AlarmQuery{IncludeMasked: true})
		require.Len(t, all, 3)
		assert.Equal(t, again, all[2].UUID, "raised anew, it comes last")
	}},
	{"OperatorSuppression", func(t *testing.T, s fault.Service) {
		mustSet(t, s, CPUAlarm("controller-0", fault.SeverityCritical))
		mustSet(t, s, HeartbeatAlarm("controller-0", fault.SeverityMajor))
		sp, err := s.SetSuppression(ctxOf(t), "100.101", fault.Suppressed)
		require.NoError(t, err)
		assert.Equal(t, fault.Suppressed, sp.SuppressionStatus)
		assert.Equal(t, "100.101", sp.AlarmID)
		assert.Len(t, sp.UUID, 36)
		assert.Equal(t, []string{"200.005@host=controller-0.network=mgmt"}, ids(list(t, s, fault.AlarmQuery{})))
		all := list(t, s, fault.AlarmQuery{IncludeSuppressed: true})
		require.Len(t, all, 2)
		sum, err := s.Summary(ctxOf(t), false)
		require.NoError(t, err)
		assert.Equal(t, fault.Summary{Major: 1, Status: "degraded"}, sum)
		sum, err = s.Summary(ctxOf(t), true)
		require.NoError(t, err)
		assert.Equal(t, fault.Summary{Critical: 1, Major: 1, Status: "critical"}, sum)
		// History is still written for a suppressed id, and hidden unless asked.
		mustSet(t, s, CPUAlarm("controller-1", fault.SeverityMajor))
		assert.Len(t, events(t, s, fault.EventQuery{}), 1, "only 200.005 is unsuppressed")
		assert.Len(t, events(t, s, fault.EventQuery{IncludeSuppressed: true}), 3)
		// By uuid, back to unsuppressed.
		sp, err = s.SetSuppression(ctxOf(t), sp.UUID, fault.Unsuppressed)
		require.NoError(t, err)
		assert.Equal(t, fault.Unsuppressed, sp.SuppressionStatus)
		assert.Len(t, list(t, s, fault.AlarmQuery{}), 3)
		sps, err := s.ListSuppressions(ctxOf(t))
		require.NoError(t, err)
		assert.Greater(t, len(sps), 30)
		for _, x := range sps {
			assert.Equal(t, fault.Unsuppressed, x.SuppressionStatus, x.AlarmID)
		}
		_, err = s.SetSuppression(ctxOf(t), "999.999", fault.Suppressed)
		assert.ErrorIs(t, err, fault.ErrNotFound)
		_, err = s.SetSuppression(ctxOf(t), "100.101", "hidden")
		assert.ErrorIs(t, err, fault.ErrInvalid)
	}},
	{"Summary", func(t *testing.T, s fault.Service) {
		sum, err := s.Summary(ctxOf(t), false)
		require.NoError(t, err)
		assert.Equal(t, fault.Summary{Status: "OK"}, sum)
		mustSet(t, s, LockedAlarm("compute-3"))
		sum, err = s.Summary(ctxOf(t), false)
		require.NoError(t, err)
		assert.Equal(t, fault.Summary{Warnings: 1, Status: "OK"}, sum)
		mustSet(t, s, HeartbeatAlarm("compute-4", fault.SeverityMajor))
		sum, err = s.Summary(ctxOf(t), false)
		require.NoError(t, err)
		assert.Equal(t, "degraded", sum.Status)
		mustSet(t, s, CPUAlarm("compute-5", fault.SeverityCritical))
		sum, err = s.Summary(ctxOf(t), false)
		require.NoError(t, err)
		assert.Equal(t, fault.Summary{Critical: 1, Major: 1, Warnings: 1, Status: "critical"}, sum)
	}},
	{"ListFiltersSortPaging", func(t *testing.T, s fault.Service) {
		for i := range 5 {
			mustSet(t, s, CPUAlarm(fmt.Sprintf("compute-%d", i), fault.SeverityMajor))
			mustSet(t, s, HeartbeatAlarm(fmt.Sprintf("compute-%d", i), fault.SeverityCritical))
		}
		assert.Len(t, list(t, s, fault.AlarmQuery{AlarmID: "100.101"}), 5)
		assert.Len(t, list(t, s, fault.AlarmQuery{Severity: fault.SeverityCritical}), 5)
		assert.Len(t, list(t, s, fault.AlarmQuery{EntityPrefix: "host=compute-3"}), 2)
		assert.Len(t, list(t, s, fault.AlarmQuery{EntityTypeID: "host"}), 10)
		assert.Empty(t, list(t, s, fault.AlarmQuery{EntityTypeID: "port"}))
		one := list(t, s, fault.AlarmQuery{AlarmID: "200.005", EntityPrefix: "host=compute-2"})
		require.Len(t, one, 1)
		assert.Equal(t, "host=compute-2.network=mgmt", one[0].EntityInstanceID)
		// Default order is raise order.
		all := list(t, s, fault.AlarmQuery{})
		require.Len(t, all, 10)
		assert.Equal(t, "100.101@host=compute-0", ids(all)[0])
		assert.Equal(t, "200.005@host=compute-4.network=mgmt", ids(all)[9])
		desc := list(t, s, fault.AlarmQuery{SortKey: "entity_instance_id", SortDesc: true})
		assert.Equal(t, "host=compute-4.network=mgmt", desc[0].EntityInstanceID)
		// Paging with marker and limit covers everything once.
		var pages []string
		marker := ""
		for {
			page := list(t, s, fault.AlarmQuery{Limit: 3, Marker: marker})
			if len(page) == 0 {
				break
			}
			require.LessOrEqual(t, len(page), 3)
			pages = append(pages, ids(page)...)
			marker = page[len(page)-1].UUID
		}
		assert.Equal(t, ids(all), pages)
		_, err := s.ListAlarms(ctxOf(t), fault.AlarmQuery{Marker: "00000000-0000-4000-8000-000000000000"})
		assert.ErrorIs(t, err, fault.ErrInvalid)
		_, err = s.ListAlarms(ctxOf(t), fault.AlarmQuery{SortKey: "colour"})
		assert.Equal(t, "sort_key", fieldOf(err))
	}},
	{"LogRecords", func(t *testing.T, s fault.Service) {
		l := fault.Alarm{AlarmID: "200.021", State: fault.StateLog, EntityTypeID: "host",
			EntityInstanceID: "host=controller-0.command=lock", Severity: fault.SeverityWarning,
			ReasonText: "controller-0 lock requested", AlarmType: fault.AlarmTypeOther}
		u, err := s.Log(ctxOf(t), l)
		require.NoError(t, err)
		e, err := s.GetEvent(ctxOf(t), u)
		require.NoError(t, err)
		assert.Equal(t, fault.StateLog, e.State)
		assert.Equal(t, "200.021", e.EventLogID)
		assert.Equal(t, l.ReasonText, e.ReasonText)
		msg := l
		msg.State = fault.StateMsg
		_, err = s.Log(ctxOf(t), msg)
		require.NoError(t, err)
		mustSet(t, s, CPUAlarm("controller-0", fault.SeverityMajor))
		assert.Len(t, events(t, s, fault.EventQuery{LogsOnly: true}), 2, "msg is stored as log")
		assert.Len(t, events(t, s, fault.EventQuery{AlarmsOnly: true}), 1)
		assert.Empty(t, list(t, s, fault.AlarmQuery{AlarmID: "200.021"}), "a log is not an active alarm")
		_, err = s.Log(ctxOf(t), CPUAlarm("controller-0", fault.SeverityMajor))
		assert.Equal(t, "alarm_state", fieldOf(err))
		_, err = s.GetEvent(ctxOf(t), "00000000-0000-4000-8000-000000000000")
		assert.ErrorIs(t, err, fault.ErrNotFound)
	}},
	{"EventQueries", func(t *testing.T, s fault.Service) {
		for i := range 4 {
			mustSet(t, s, CPUAlarm(fmt.Sprintf("compute-%d", i), fault.SeverityMajor))
		}
		require.NoError(t, s.ClearAlarm(ctxOf(t), "100.101", "host=compute-1"))
		assert.Len(t, events(t, s, fault.EventQuery{EntityPrefix: "host=compute-1"}), 2)
		assert.Len(t, events(t, s, fault.EventQuery{EventLogID: "100.101"}), 5)
		assert.Len(t, events(t, s, fault.EventQuery{Severity: fault.SeverityMajor}), 5)
		first := events(t, s, fault.EventQuery{Limit: 2})
		require.Len(t, first, 2)
		rest := events(t, s, fault.EventQuery{Marker: first[1].UUID})
		assert.Len(t, rest, 3)
		assert.Greater(t, first[1].Seq, rest[0].Seq, "newest first across pages")
		_, err := s.ListEvents(ctxOf(t), fault.EventQuery{AlarmsOnly: true, LogsOnly: true})
		assert.ErrorIs(t, err, fault.ErrInvalid)
	}},
	{"IndexesFollowClears", func(t *testing.T, s fault.Service) {
		byEntity := func(prefix string) []string {
			return ids(list(t, s, fault.AlarmQuery{EntityPrefix: prefix, IncludeMasked: true}))
		}
		byID := func(id string) []string {
			return ids(list(t, s, fault.AlarmQuery{AlarmID: id, IncludeMasked: true}))
		}
		// An entity's only alarm, cleared, leaves no trace in the
		// entity's and the id's indexes.
		mustSet(t, s, CPUAlarm("compute-0", fault.SeverityMajor))
		require.NoError(t, s.ClearAlarm(ctxOf(t), "100.101", "host=compute-0"))
		assert.Empty(t, byEntity("host=compute-0"))
		assert.Empty(t, byID("100.101"))
		n, err := s.ClearAll(ctxOf(t), "host=compute-0")
		require.NoError(t, err)
		assert.Zero(t, n)
		// Raised again, and with a second and a third alarm beside it,
		// then cleared one by one.
		mustSet(t, s, HeartbeatAlarm("compute-0", fault.SeverityMajor))
		assert.Equal(t, []string{"200.005@host=compute-0.network=mgmt"}, byEntity("host=compute-0"))
		mustSet(t, s, CPUAlarm("compute-0", fault.SeverityMajor))
		mustSet(t, s, LockedAlarm("compute-0"))
		assert.Len(t, byEntity("host=compute-0"), 3)
		require.NoError(t, s.ClearAlarm(ctxOf(t), "200.005", "host=compute-0"))
		assert.ElementsMatch(t, []string{"100.101@host=compute-0", "200.001@host=compute-0"}, byEntity("host=compute-0"))
		require.NoError(t, s.ClearAlarm(ctxOf(t), "200.001", "host=compute-0"))
		assert.Equal(t, []string{"100.101@host=compute-0"}, byEntity("host=compute-0"))
		u := mustSet(t, s, CPUAlarm("compute-0", fault.SeverityCritical))
		require.NoError(t, s.DeleteAlarm(ctxOf(t), u))
		assert.Empty(t, byEntity("host=compute-0"))
		// An id on many hosts, cleared host by host.
		for i := range 12 {
			mustSet(t, s, CPUAlarm(fmt.Sprintf("compute-%d", i), fault.SeverityMajor))
		}
		assert.Len(t, byID("100.101"), 12)
		for i := range 11 {
			require.NoError(t, s.ClearAlarm(ctxOf(t), "100.101", fmt.Sprintf("host=compute-%d", i)))
		}
		assert.Equal(t, []string{"100.101@host=compute-11"}, byID("100.101"))
		assert.Empty(t, byEntity("host=compute-3"))
		assert.Len(t, list(t, s, fault.AlarmQuery{EntityPrefix: "host=compute-11"}), 1)
	}},
	{"DeleteByUUID", func(t *testing.T, s fault.Service) {
		u := mustSet(t, s, CPUAlarm("controller-0", fault.SeverityMajor))
		require.NoError(t, s.DeleteAlarm(ctxOf(t), u))
		assert.Empty(t, list(t, s, fault.AlarmQuery{}))
		es := events(t, s, fault.EventQuery{})
		require.Len(t, es, 2)
		assert.Equal(t, fault.StateClear, es[0].State)
		assert.ErrorIs(t, s.DeleteAlarm(ctxOf(t), u), fault.ErrNotFound)
	}},
	{"Acknowledge", func(t *testing.T, s fault.Service) {
		u := mustSet(t, s, CPUAlarm("controller-0", fault.SeverityMajor))
		a, err := s.AckAlarm(ctxOf(t), u, "alice")
		require.NoError(t, err)
		require.NotNil(t, a.Ack)
		assert.Equal(t, "alice", a.Ack.By)
		assert.False(t, a.Ack.At.IsZero())
		got, err := s.GetAlarm(ctxOf(t), u)
		require.NoError(t, err)
		require.NotNil(t, got.Ack)
		assert.Equal(t, "alice", got.Ack.By)
		// A re-raise at the same severity keeps the acknowledgement ...
		u2 := mustSet(t, s, CPUAlarm("controller-0", fault.SeverityMajor))
		got, err = s.GetAlarm(ctxOf(t), u2)
		require.NoError(t, err)
		require.NotNil(t, got.Ack)
		// ... a rise in severity needs a new one.
		u3 := mustSet(t, s, CPUAlarm("controller-0", fault.SeverityCritical))
		got, err = s.GetAlarm(ctxOf(t), u3)
		require.NoError(t, err)
		assert.Nil(t, got.Ack)
		_, err = s.AckAlarm(ctxOf(t), u3, "")
		assert.Equal(t, "by", fieldOf(err))
		_, err = s.AckAlarm(ctxOf(t), u, "bob")
		assert.ErrorIs(t, err, fault.ErrNotFound)
	}},
	{"InvalidInputChangesNothing", func(t *testing.T, s fault.Service) {
		bad := []struct {
			field string
			mod   func(a *fault.Alarm)
		}{
			{"alarm_id", func(a *fault.Alarm) { a.AlarmID = "100101" }},
			{"alarm_id", func(a *fault.Alarm) { a.AlarmID = "999.999" }},
			{"alarm_id", func(a *fault.Alarm) { a.AlarmID = "200.020" }}, // a log id
			{"severity", func(a *fault.Alarm) { a.Severity = fault.SeverityWarning }},
			{"severity", func(a *fault.Alarm) { a.Severity = fault.SeverityClear }},
			{"entity_instance_id", func(a *fault.Alarm) { a.EntityInstanceID = "" }},
			{"entity_instance_id", func(a *fault.Alarm) { a.EntityInstanceID = "host" }},
			{"entity_type_id", func(a *fault.Alarm) { a.EntityTypeID = "" }},
			{"alarm_type", func(a *fault.Alarm) { a.AlarmType = 11 }},
			{"probable_cause", func(a *fault.Alarm) { a.ProbableCause = 78 }},
			{"reason_text", func(a *fault.Alarm) { a.ReasonText = string(make([]byte, 256)) }},
			{"uuid", func(a *fault.Alarm) { a.UUID = "not-a-uuid" }},
			{"alarm_state", func(a *fault.Alarm) { a.State = fault.StateLog }},
		}
		for _, b := range bad {
			a := CPUAlarm("controller-0", fault.SeverityMajor)
			b.mod(&a)
			_, err := s.SetAlarm(ctxOf(t), a)
			assert.ErrorIs(t, err, fault.ErrInvalid, b.field)
			assert.Equal(t, b.field, fieldOf(err), "field named in %v", err)
		}
		assert.Empty(t, list(t, s, fault.AlarmQuery{IncludeSuppressed: true, IncludeMasked: true}))
		assert.Empty(t, events(t, s, fault.EventQuery{IncludeSuppressed: true}))
		assert.ErrorIs(t, s.ClearAlarm(ctxOf(t), "1.1", "host=a"), fault.ErrInvalid)
		assert.ErrorIs(t, s.ClearAlarm(ctxOf(t), "100.101", "no-equals"), fault.ErrInvalid)
		_, err := s.ClearAll(ctxOf(t), "")
		assert.ErrorIs(t, err, fault.ErrInvalid)
	}},
}
