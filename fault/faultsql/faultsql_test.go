package faultsql_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultsql"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/internal/testenv"
)

func openManager(t *testing.T, url string, opts *fault.Options) *fault.Manager {
	t.Helper()
	st, err := faultsql.Open(t.Context(), url)
	require.NoError(t, err)
	m, err := fault.Open(t.Context(), st, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close(t.Context()) })
	return m
}

func sqliteURL(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "flock.db") }

func TestSQLiteConformance(t *testing.T) {
	faulttest.RunServiceSuite(t, func(t *testing.T) fault.Service { return openManager(t, sqliteURL(t), nil) })
}

func TestPostgresConformance(t *testing.T) {
	pg := testenv.StartPostgres(t)
	faulttest.RunServiceSuite(t, func(t *testing.T) fault.Service { return openManager(t, pg.NewDatabase(t), nil) })
}

// TestReopenKeepsState checks that every kind of write is read back by a
// new manager over the same database.
func TestReopenKeepsState(t *testing.T) {
	pg := testenv.StartPostgres(t)
	for name, url := range map[string]string{"sqlite": sqliteURL(t), "postgres": pg.NewDatabase(t)} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			opts := &fault.Options{EventLogSize: 5}
			m := openManager(t, url, opts)
			u1, err := m.SetAlarm(ctx, faulttest.CPUAlarm("controller-0", fault.SeverityMajor))
			require.NoError(t, err)
			_, err = m.AckAlarm(ctx, u1, "alice")
			require.NoError(t, err)
			lock, err := m.SetAlarm(ctx, faulttest.LockedAlarm("controller-0"))
			require.NoError(t, err)
			for i := range 3 {
				_, err = m.SetAlarm(ctx, faulttest.HeartbeatAlarm("compute-"+string(rune('0'+i)), fault.SeverityMajor))
				require.NoError(t, err)
			}
			require.NoError(t, m.ClearAlarm(ctx, "200.005", "host=compute-2"))
			sp, err := m.SetSuppression(ctx, "200.005", fault.Suppressed)
			require.NoError(t, err)
			wantAlarms, err := m.ListAlarms(ctx, fault.AlarmQuery{IncludeSuppressed: true, IncludeMasked: true})
			require.NoError(t, err)
			wantEvents, err := m.ListEvents(ctx, fault.EventQuery{IncludeSuppressed: true})
			require.NoError(t, err)
			require.Len(t, wantEvents, 5, "ring buffer keeps the newest 5 of 7")
			require.NoError(t, m.Close(ctx))

			m2 := openManager(t, url, opts)
			gotAlarms, err := m2.ListAlarms(ctx, fault.AlarmQuery{IncludeSuppressed: true, IncludeMasked: true})
			require.NoError(t, err)
			assertSameAlarms(t, wantAlarms, gotAlarms)
			gotEvents, err := m2.ListEvents(ctx, fault.EventQuery{IncludeSuppressed: true})
			require.NoError(t, err)
			require.Len(t, gotEvents, len(wantEvents))
			for i := range wantEvents {
				assert.Equal(t, wantEvents[i].UUID, gotEvents[i].UUID)
				assert.True(t, wantEvents[i].Timestamp.Equal(gotEvents[i].Timestamp))
			}
			a, err := m2.ListAlarms(ctx, fault.AlarmQuery{AlarmID: "100.101", IncludeMasked: true})
			require.NoError(t, err)
			require.Len(t, a, 1)
			require.NotNil(t, a[0].Ack)
			assert.Equal(t, "alice", a[0].Ack.By)
			assert.True(t, a[0].Masked, "the lock still masks after restart")
			sps, err := m2.ListSuppressions(ctx)
			require.NoError(t, err)
			for _, s := range sps {
				if s.AlarmID == "200.005" {
					assert.Equal(t, sp.UUID, s.UUID, "suppression uuids are stable")
					assert.Equal(t, fault.Suppressed, s.SuppressionStatus)
				}
			}
			// New writes continue the sequences.
			_, err = m2.Log(ctx, fault.Alarm{AlarmID: "200.020", State: fault.StateLog, EntityTypeID: "host",
				EntityInstanceID: "host=compute-9", Severity: fault.SeverityWarning, ReasonText: "discovered"})
			require.NoError(t, err)
			ev, err := m2.ListEvents(ctx, fault.EventQuery{Limit: 1})
			require.NoError(t, err)
			assert.Greater(t, ev[0].Seq, wantEvents[0].Seq)
			require.NoError(t, m2.DeleteAlarm(ctx, lock))
		})
	}
}

func assertSameAlarms(t *testing.T, want, got []fault.Alarm) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		w, g := want[i], got[i]
		assert.True(t, w.Timestamp.Equal(g.Timestamp), "timestamp of %s", w.UUID)
		w.Timestamp, g.Timestamp = w.Timestamp.Truncate(0), g.Timestamp.Truncate(0)
		if w.Ack != nil && g.Ack != nil {
			assert.True(t, w.Ack.At.Equal(g.Ack.At))
			w.Ack, g.Ack = nil, nil
		}
		g.Timestamp = w.Timestamp
		assert.Equal(t, w, g)
	}
}
