package faultsql_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/internal/testenv"
)

// BenchmarkCommit: one commit of a typical group-committed batch: 32
// alarms set (an overwrite of a ~600-byte JSON document, over 10,000
// stored alarms) with their events, and the trim that keeps the event
// log at 10,000. On PostgreSQL the server runs with fsync off: the figure
// is the round trips, not the disk.
func BenchmarkCommit(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchCommit(b, sqliteURL(b)) })
	b.Run("postgres", func(b *testing.B) {
		pg := testenv.StartPostgres(b)
		benchCommit(b, pg.NewDatabase(b))
	})
}

func benchCommit(b *testing.B, url string) {
	st := open(b, url)
	const batch, alarms, events = 32, 10_000, 10_000
	alarm := func(seq int64) []byte {
		return fmt.Appendf(nil, `{"uuid":"5b1e2a3c-0000-4000-8000-%012d","alarm_id":"100.101","alarm_state":"set",`+
			`"entity_type_id":"host","entity_instance_id":"host=compute-%d","timestamp":"2026-11-21T12:00:00.123456Z",`+
			`"severity":"major","reason_text":"Platform CPU threshold exceeded; threshold 90%%, actual 97%%",`+
			`"alarm_type":"operational-violation","probable_cause":"threshold-crossed",`+
			`"proposed_repair_action":"Monitor and if condition persists, contact next level of support",`+
			`"service_affecting":false,"suppression":true,"inhibit_alarms":false,"mgmt_affecting":true,`+
			`"degrade_affecting":false,"masked":false,"seq":%d,"pad":"%s"}`, seq, seq, seq, strings.Repeat("x", 40))
	}
	event := func(seq int64) []byte {
		return fmt.Appendf(nil, `{"uuid":"7c2e2a3c-0000-4000-8000-%012d","event_log_id":"100.101","state":"set",`+
			`"entity_instance_id":"host=compute-%d","timestamp":"2026-11-21T12:00:00.123456Z","severity":"major",`+
			`"reason_text":"Platform CPU threshold exceeded; threshold 90%%, actual 97%%","seq":%d}`, seq, seq%alarms, seq)
	}
	// The documents are made once: the benchmark measures the store.
	alarmBodies, eventBodies := make([][]byte, alarms), make([][]byte, events)
	for i := range alarmBodies {
		alarmBodies[i] = alarm(int64(i + 1))
	}
	for i := range eventBodies {
		eventBodies[i] = event(int64(i + 1))
	}
	var ops []faultstore.Op
	var next int64 // events written so far
	commit := func() {
		ops = ops[:0]
		for range batch {
			next++
			ops = append(ops,
				faultstore.Op{Kind: faultstore.PutAlarm, Seq: next%alarms + 1, Body: alarmBodies[next%alarms]},
				faultstore.Op{Kind: faultstore.PutEvent, Seq: next, Body: eventBodies[next%events]})
		}
		ops = append(ops, faultstore.Op{Kind: faultstore.TrimEvents, Seq: next - events})
		require.NoError(b, st.Commit(b.Context(), ops))
	}
	for next < max(alarms, events) {
		commit()
	}
	b.SetBytes(int64(len(alarm(1))+len(event(1))) * batch)
	// The process's CPU time per commit, which a busy host changes less
	// than the wall time: the store's own cost, the driver's included.
	cpu0 := cpuTime(b)
	for b.Loop() {
		commit()
	}
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "sets/s")
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
