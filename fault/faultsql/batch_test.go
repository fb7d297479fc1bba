package faultsql_test

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultsql"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/fault/internal/wire"
	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/internal/testenv"
)

// TestCommitBatchWritesTheJournaledBodies: a record handed over encoded is
// stored as those bytes (the journal's copy, not a second encoding), and
// records without a body, and ops without a record, still land.
func TestCommitBatchWritesTheJournaledBodies(t *testing.T) {
	st, err := faultsql.Open(t.Context(), sqliteURL(t))
	require.NoError(t, err)
	defer st.Close()
	ts := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	a := &fault.StoredAlarm{Alarm: faulttest.CPUAlarm("controller-0", fault.SeverityMajor), Seq: 1}
	a.UUID, a.Timestamp = "a1", ts
	journaled := *a
	journaled.ReasonText = "as the journal wrote it"
	b := &fault.StoredAlarm{Alarm: faulttest.LockedAlarm("controller-1"), Seq: 2}
	b.UUID, b.Timestamp = "b2", ts
	ev := func(seq int64) *fault.Event {
		return &fault.Event{UUID: "e", EventLogID: "100.101", State: fault.StateSet, EntityInstanceID: "host=controller-0",
			Timestamp: ts, Severity: fault.SeverityMajor, Seq: seq}
	}

	var batch wire.Batch
	batch.Add(fault.Op{Kind: fault.OpPutAlarm, Alarm: a}, wire.AppendStored(nil, &journaled))
	batch.Add(fault.Op{Kind: fault.OpAppendEvent, Event: ev(1)}, wire.AppendEvent(nil, ev(1)))
	batch.Add(fault.Op{Kind: fault.OpAppendEvent, Event: ev(2)}, wire.AppendEvent(nil, ev(2)))
	batch.Add(fault.Op{Kind: fault.OpTrimEvents, TrimSeq: 1}, nil)
	batch.Add(fault.Op{Kind: fault.OpPutAlarm, Alarm: b}, nil)
	require.NoError(t, st.CommitBatch(t.Context(), &batch))

	snap, err := st.Load(t.Context())
	require.NoError(t, err)
	require.Len(t, snap.Alarms, 2)
	assert.Equal(t, "as the journal wrote it", snap.Alarms[0].ReasonText, "the journaled body is what is stored")
	assert.Equal(t, "a1", snap.Alarms[0].UUID)
	assert.Equal(t, b.ReasonText, snap.Alarms[1].ReasonText, "a record without a body is encoded")
	require.Len(t, snap.Events, 1, "the trim applies")
	assert.Equal(t, int64(2), snap.Events[0].Seq)
}

// BenchmarkCommitBatch: what the journal's applier costs SQLite per alarm
// record: batches of 16,384 overwrites (the applier's default batch), with
// their records already encoded, over 100,000 stored alarms. One op is
// one row.
func BenchmarkCommitBatch(b *testing.B) {
	st, err := faultsql.Open(b.Context(), "sqlite://"+b.TempDir()+"/bench.db")
	require.NoError(b, err)
	b.Cleanup(func() { st.Close() })
	const n, size = 100_000, 16_384
	ts := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	alarms := make([]*fault.StoredAlarm, n)
	bodies := make([][]byte, n)
	for i := range alarms {
		a := &fault.StoredAlarm{Alarm: faulttest.CPUAlarm("compute-"+strconv.Itoa(i), fault.SeverityMajor), Seq: int64(i + 1)}
		a.UUID, a.Timestamp = fmt.Sprintf("5b1e2a3c-0000-4000-8000-%012d", i), ts
		alarms[i], bodies[i] = a, wire.AppendStored(nil, a)
	}
	var batch wire.Batch
	commit := func(from, to int) {
		batch.Reset()
		for i := from; i < to; i++ {
			batch.Add(fault.Op{Kind: fault.OpPutAlarm, Alarm: alarms[i%n]}, bodies[i%n])
		}
		require.NoError(b, st.CommitBatch(b.Context(), &batch))
	}
	for i := 0; i < n; i += size {
		commit(i, min(i+size, n))
	}
	next := 0
	for b.Loop() {
		commit(next, next+size)
		next += size
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size)/1000, "µs/row")
}

// TestFailedCommitLeavesNothing: a commit that fails part way (here the
// second suppression reuses the first one's uuid, which the table keeps
// unique) writes none of its ops, and the store takes the next commit.
func TestFailedCommitLeavesNothing(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *sqlstore.DB) {
		st, err := faultsql.New(t.Context(), db)
		require.NoError(t, err)
		defer st.Close()
		ts := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
		put := func(host string, seq int64) fault.Op {
			a := &fault.StoredAlarm{Alarm: faulttest.CPUAlarm(host, fault.SeverityMajor), Seq: seq}
			a.UUID, a.Timestamp = "u-"+host, ts
			return fault.Op{Kind: fault.OpPutAlarm, Alarm: a}
		}
		supp := func(id, uuid string) fault.Op {
			return fault.Op{Kind: fault.OpPutSuppression, Suppression: &fault.SuppressionRecord{AlarmID: id, UUID: uuid, Status: fault.Suppressed}}
		}
		require.NoError(t, st.Commit(t.Context(), []fault.Op{put("controller-0", 1)}))
		err = st.Commit(t.Context(), []fault.Op{put("controller-1", 2), put("controller-0", 1), supp("100.101", "s1"), supp("200.005", "s1")})
		require.Error(t, err)
		snap, err := st.Load(t.Context())
		require.NoError(t, err)
		require.Len(t, snap.Alarms, 1, "the failed commit's new alarm is not there")
		assert.Equal(t, int64(1), snap.Alarms[0].Seq)
		assert.Empty(t, snap.Suppressions)

		require.NoError(t, st.Commit(t.Context(), []fault.Op{put("controller-1", 2), supp("100.101", "s1")}))
		snap, err = st.Load(t.Context())
		require.NoError(t, err)
		assert.Len(t, snap.Alarms, 2)
		assert.Len(t, snap.Suppressions, 1)
	})
}

// TestEventRowsAreReused: the event table stays the size of the event log
// through thousands of appends: each new event is written over the slot
// of the one the log dropped, in commits of one and of many. Reopened,
// the store gives back the log in order, and a journal-style replay of
// events it holds changes nothing.
func TestEventRowsAreReused(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		st, err := faultsql.New(ctx, db)
		require.NoError(t, err)
		const size = 20
		m, err := fault.Open(ctx, st, &fault.Options{EventLogSize: size})
		require.NoError(t, err)
		for i := range 300 { // one commit each
			_, err := m.SetAlarm(ctx, faulttest.CPUAlarm(fmt.Sprintf("c-%d", i%50), fault.SeverityMajor))
			require.NoError(t, err)
		}
		var wg sync.WaitGroup // many per commit
		for g := range 16 {
			wg.Go(func() {
				for i := range 100 {
					_, err := m.SetAlarm(ctx, faulttest.CPUAlarm(fmt.Sprintf("g%d-%d", g, i%7), fault.SeverityCritical))
					assert.NoError(t, err)
				}
			})
		}
		wg.Wait()
		want, err := m.ListEvents(ctx, fault.EventQuery{IncludeSuppressed: true})
		require.NoError(t, err)
		require.Len(t, want, size)
		require.NoError(t, m.Close(ctx))

		var rows, maxSlot int64
		require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*), MAX(slot) FROM fault_event`).Scan(&rows, &maxSlot))
		assert.EqualValues(t, size, rows, "one row per event in the log")
		assert.Less(t, maxSlot, int64(2*size), "slots are reused, not new ones taken")

		st2, err := faultsql.New(ctx, db)
		require.NoError(t, err)
		snap, err := st2.Load(ctx)
		require.NoError(t, err)
		require.Len(t, snap.Events, size)
		for i := range want { // ListEvents is newest first
			assert.Equal(t, want[size-1-i].UUID, snap.Events[i].UUID)
		}
		replay := make([]fault.Op, 0, size)
		for i := range snap.Events {
			replay = append(replay, fault.Op{Kind: fault.OpAppendEvent, Event: &snap.Events[i]})
		}
		require.NoError(t, st2.Commit(ctx, replay))
		require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM fault_event`).Scan(&rows))
		assert.EqualValues(t, size, rows, "a replay writes the same rows")
		require.NoError(t, st2.Close())
	})
}

// TestEventSlotsMigration: a database of the first schema, with events
// keyed by seq, keeps its event log through the migration to slots, and
// the next appends reuse the trimmed ones' rows.
func TestEventSlotsMigration(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		for _, q := range []string{
			`CREATE TABLE flock_migrations (service TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (service, version))`,
			`INSERT INTO flock_migrations VALUES ('fault', 1, '0001_init.sql')`,
			`CREATE TABLE fault_alarm (seq BIGINT PRIMARY KEY, body TEXT NOT NULL)`,
			`CREATE TABLE fault_event (seq BIGINT PRIMARY KEY, body TEXT NOT NULL)`,
			`CREATE TABLE fault_suppression (alarm_id TEXT NOT NULL PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, suppression_status TEXT NOT NULL)`,
		} {
			_, err := db.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
		ts := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
		ev := func(seq int64) *fault.Event {
			return &fault.Event{UUID: fmt.Sprintf("e%d", seq), EventLogID: "100.101", State: fault.StateSet,
				EntityInstanceID: "host=controller-0", Timestamp: ts, Severity: fault.SeverityMajor, Seq: seq}
		}
		for seq := int64(11); seq <= 13; seq++ {
			_, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO fault_event (seq, body) VALUES (?, ?)`), seq, string(wire.AppendEvent(nil, ev(seq))))
			require.NoError(t, err)
		}

		st, err := faultsql.New(ctx, db)
		require.NoError(t, err)
		defer st.Close()
		snap, err := st.Load(ctx)
		require.NoError(t, err)
		require.Len(t, snap.Events, 3)
		assert.Equal(t, []string{"e11", "e12", "e13"}, []string{snap.Events[0].UUID, snap.Events[1].UUID, snap.Events[2].UUID})

		require.NoError(t, st.Commit(ctx, []fault.Op{
			{Kind: fault.OpAppendEvent, Event: ev(14)}, {Kind: fault.OpTrimEvents, TrimSeq: 11},
			{Kind: fault.OpAppendEvent, Event: ev(15)}, {Kind: fault.OpTrimEvents, TrimSeq: 12},
		}))
		snap, err = st.Load(ctx)
		require.NoError(t, err)
		var got []string
		for _, e := range snap.Events {
			got = append(got, e.UUID)
		}
		assert.Equal(t, []string{"e13", "e14", "e15"}, got)
		var maxSlot int64
		require.NoError(t, db.QueryRowContext(ctx, `SELECT MAX(slot) FROM fault_event`).Scan(&maxSlot))
		assert.EqualValues(t, 13, maxSlot, "the new events took the trimmed rows' slots")

		// The same event twice in one commit is written once.
		require.NoError(t, st.Commit(ctx, []fault.Op{{Kind: fault.OpAppendEvent, Event: ev(16)}, {Kind: fault.OpAppendEvent, Event: ev(16)}}))
		snap, err = st.Load(ctx)
		require.NoError(t, err)
		require.Len(t, snap.Events, 4)
		assert.Equal(t, "e16", snap.Events[3].UUID)
	})
}

// eachDatabase runs fn on a new SQLite database and a new PostgreSQL one.
func eachDatabase(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	pg := testenv.StartPostgres(t)
	for name, url := range map[string]string{"sqlite": sqliteURL(t), "postgres": pg.NewDatabase(t)} {
		t.Run(name, func(t *testing.T) {
			db, err := sqlstore.Open(t.Context(), url)
			require.NoError(t, err)
			defer db.Close()
			fn(t, db)
		})
	}
}
