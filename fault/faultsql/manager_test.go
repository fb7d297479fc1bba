package faultsql_test

import (
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultsql"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/internal/testenv"
)

// The fault manager over this store: the service conformance suite, a
// restart, and the sequence a journal once lost an acknowledged write in.

func openManager(t *testing.T, url string, opts *fault.Options) *fault.Manager {
	t.Helper()
	st, err := faultsql.Open(t.Context(), url)
	require.NoError(t, err)
	m, err := fault.Open(t.Context(), st, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close(t.Context()) })
	return m
}

func TestSQLiteConformance(t *testing.T) {
	faulttest.RunServiceSuite(t, func(t *testing.T) fault.Service { return openManager(t, sqliteURL(t), nil) })
}

func TestPostgresConformance(t *testing.T) {
	pg := testenv.StartPostgres(t)
	faulttest.RunServiceSuite(t, func(t *testing.T) fault.Service { return openManager(t, pg.NewDatabase(t), nil) })
}

// TestReopenKeepsState: every kind of write is read back by a new manager
// over the same database.
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
				_, err = m.SetAlarm(ctx, faulttest.HeartbeatAlarm("compute-"+strconv.Itoa(i), fault.SeverityMajor))
				require.NoError(t, err)
			}
			require.NoError(t, m.ClearAlarm(ctx, "200.005", "host=compute-2"))
			sp, err := m.SetSuppression(ctx, "200.005", fault.Suppressed)
			require.NoError(t, err)
			wantAlarms, err := m.ListAlarms(ctx, fault.AlarmQuery{IncludeSuppressed: true, IncludeMasked: true})
			require.NoError(t, err)
			wantEvents, err := m.ListEvents(ctx, fault.EventQuery{IncludeSuppressed: true})
			require.NoError(t, err)
			require.Len(t, wantEvents, 5, "the event log keeps the newest 5 of 7")
			require.NoError(t, m.Close(ctx))

			m2 := openManager(t, url, opts)
			gotAlarms, err := m2.ListAlarms(ctx, fault.AlarmQuery{IncludeSuppressed: true, IncludeMasked: true})
			require.NoError(t, err)
			require.Len(t, gotAlarms, len(wantAlarms))
			for i := range wantAlarms {
				w, g := wantAlarms[i], gotAlarms[i]
				assert.True(t, w.Timestamp.Equal(g.Timestamp), "timestamp of %s", w.UUID)
				require.Equal(t, w.Ack == nil, g.Ack == nil)
				if w.Ack != nil {
					assert.True(t, w.Ack.At.Equal(g.Ack.At))
					w.Ack, g.Ack = nil, nil
				}
				g.Timestamp = w.Timestamp
				assert.Equal(t, w, g)
			}
			gotEvents, err := m2.ListEvents(ctx, fault.EventQuery{IncludeSuppressed: true})
			require.NoError(t, err)
			require.Len(t, gotEvents, len(wantEvents))
			for i := range wantEvents {
				assert.Equal(t, wantEvents[i].UUID, gotEvents[i].UUID)
			}
			a, err := m2.ListAlarms(ctx, fault.AlarmQuery{AlarmID: "100.101", IncludeMasked: true})
			require.NoError(t, err)
			require.Len(t, a, 1)
			require.NotNil(t, a[0].Ack)
			assert.Equal(t, "alice", a[0].Ack.By)
			assert.True(t, a[0].Masked, "the lock still masks after a restart")
			sps, err := m2.ListSuppressions(ctx)
			require.NoError(t, err)
			for _, s := range sps {
				if s.AlarmID == "200.005" {
					assert.Equal(t, sp.UUID, s.UUID, "suppression uuids are stable")
					assert.Equal(t, fault.Suppressed, s.SuppressionStatus)
				}
			}
			_, err = m2.Log(ctx, fault.Alarm{AlarmID: "200.020", State: fault.StateLog, EntityTypeID: "host",
				EntityInstanceID: "host=compute-9", Severity: fault.SeverityWarning, ReasonText: "discovered"})
			require.NoError(t, err)
			ev, err := m2.ListEvents(ctx, fault.EventQuery{Limit: 1})
			require.NoError(t, err)
			assert.Greater(t, ev[0].Seq, wantEvents[0].Seq, "new events continue the sequence")
			require.NoError(t, m2.DeleteAlarm(ctx, lock))
		})
	}
}

// TestAcknowledgedSetSurvivesCrashAfterCleanRestart is the sequence in
// which a journal in front of the database lost an acknowledged write:
// run 1 sets alarm a, deletes it and closes cleanly; run 2 sets a again,
// is told it succeeded, and is killed with SIGKILL; after a restart a
// must be active. Each run is a child process.
func TestAcknowledgedSetSurvivesCrashAfterCleanRestart(t *testing.T) {
	if step := os.Getenv("FLOCK_CRASH_STEP"); step != "" {
		crashChild(t, step, os.Getenv("FLOCK_CRASH_URL"))
		return
	}
	pg := testenv.StartPostgres(t)
	for name, url := range map[string]string{"sqlite": sqliteURL(t), "postgres": pg.NewDatabase(t)} {
		t.Run(name, func(t *testing.T) {
			for _, step := range []string{"set-delete-close", "set-and-die"} {
				cmd := exec.Command(os.Args[0], "-test.run=^TestAcknowledgedSetSurvivesCrashAfterCleanRestart$", "-test.count=1")
				cmd.Env = append(os.Environ(), "FLOCK_CRASH_STEP="+step, "FLOCK_CRASH_URL="+url)
				out, err := cmd.CombinedOutput()
				if step == "set-and-die" {
					var ee *exec.ExitError
					require.ErrorAs(t, err, &ee, "%s", out)
					require.Equal(t, syscall.SIGKILL, ee.Sys().(syscall.WaitStatus).Signal(), "%s", out)
				} else {
					require.NoError(t, err, "%s", out)
				}
			}
			m := openManager(t, url, nil)
			as, err := m.ListAlarms(t.Context(), fault.AlarmQuery{})
			require.NoError(t, err)
			require.Len(t, as, 1, "the acknowledged set of the second run")
			assert.Equal(t, "second run", as[0].ReasonText)
		})
	}
}

func crashChild(t *testing.T, step, url string) {
	st, err := faultsql.Open(t.Context(), url)
	require.NoError(t, err)
	m, err := fault.Open(t.Context(), st, nil)
	require.NoError(t, err)
	a := faulttest.CPUAlarm("a", fault.SeverityMajor)
	switch step {
	case "set-delete-close":
		u, err := m.SetAlarm(t.Context(), a)
		require.NoError(t, err)
		require.NoError(t, m.DeleteAlarm(t.Context(), u))
		require.NoError(t, m.Close(t.Context()))
	case "set-and-die":
		a.ReasonText = "second run"
		_, err := m.SetAlarm(t.Context(), a)
		require.NoError(t, err) // acknowledged
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
}

// BenchmarkSetAlarmSQLite: durable sets through the Go API over SQLite
// (WAL, synchronous=FULL), 128 concurrent callers whose writes share
// commits, over 100,000 active alarms.
func BenchmarkSetAlarmSQLite(b *testing.B) {
	st, err := faultsql.Open(b.Context(), "sqlite://"+b.TempDir()+"/bench.db")
	require.NoError(b, err)
	reg := prometheus.NewRegistry()
	m, err := fault.Open(b.Context(), st, &fault.Options{Registerer: reg})
	require.NoError(b, err)
	b.Cleanup(func() { _ = m.Close(b.Context()) })
	const n = 100_000
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				if _, err := m.SetAlarm(b.Context(), faulttest.CPUAlarm("compute-"+strconv.Itoa(i), fault.SeverityMajor)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.SetParallelism(64)
	next.Store(0)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			a := faulttest.CPUAlarm("compute-"+strconv.Itoa(int(next.Add(1))%n), fault.SeverityMajor)
			a.ReasonText = "updated"
			if _, err := m.SetAlarm(b.Context(), a); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sets/s")
	commits, secs := commitStats(b, reg)
	b.ReportMetric(float64(commits), "commits")
	b.ReportMetric(secs/float64(commits)*1e6, "commit-µs")
}

// commitStats reads the manager's commit histogram: how many commits, and
// their total time.
func commitStats(b *testing.B, reg *prometheus.Registry) (int, float64) {
	mfs, err := reg.Gather()
	require.NoError(b, err)
	for _, mf := range mfs {
		if mf.GetName() == "flock_fault_commit_seconds" {
			h := mf.GetMetric()[0].GetHistogram()
			return int(h.GetSampleCount()), h.GetSampleSum()
		}
	}
	return 0, 0
}
