package faultsql_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault/faultsql"
	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/fault/faultstore/storetest"
	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/internal/testenv"
)

// sqliteURL returns the URL of a new SQLite database file.
func sqliteURL(t testing.TB) string { return "sqlite://" + filepath.Join(t.TempDir(), "flock.db") }

// open opens a store over url, closed when t ends.
func open(t testing.TB, url string) *faultsql.Store {
	t.Helper()
	st, err := faultsql.Open(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestSQLite(t *testing.T) { runStoreTests(t, sqlite) }

// TestPostgres runs every store test on one PostgreSQL server, a new
// database each.
func TestPostgres(t *testing.T) {
	pg := testenv.StartPostgres(t)
	runStoreTests(t, backend{name: "postgres", dialect: faultsql.Postgres, newURL: pg.NewDatabase})
}

// backend is a database engine the tests run on.
type backend struct {
	name    string
	dialect faultsql.Dialect
	// newURL returns the URL of a new, empty database.
	newURL func(t testing.TB) string
}

var sqlite = backend{name: "sqlite", dialect: faultsql.SQLite, newURL: sqliteURL}

func runStoreTests(t *testing.T, b backend) {
	t.Run("Suite", func(t *testing.T) {
		storetest.RunStoreSuite(t, func(t *testing.T) storetest.Opener {
			url := b.newURL(t)
			return func(t *testing.T) faultstore.Store { return open(t, url) }
		})
	})
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, b backend)
	}{
		{"FailedCommitChangesNothing", testFailedCommitChangesNothing},
		{"CancelledWhileBlocked", testCancelledWhileBlocked},
		{"DeadlineInLongCommit", testDeadlineInLongCommit},
		{"MigrationFromEventSlots", testMigrationFromEventSlots},
		{"SharedDatabase", testSharedDatabase},
		{"BodiesStayText", testBodiesStayText},
		{"Closed", testClosed},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, b) })
	}
}

func body(s string) []byte { return []byte(`{"k":"` + s + `"}`) }

func putAlarm(seq int64, b string) faultstore.Op {
	return faultstore.Op{Kind: faultstore.PutAlarm, Seq: seq, Body: body(b)}
}

func putEvent(seq int64) faultstore.Op {
	return faultstore.Op{Kind: faultstore.PutEvent, Seq: seq, Body: body(fmt.Sprint("e", seq))}
}

func putSupp(id, uuid string) faultstore.Op {
	return faultstore.Op{Kind: faultstore.PutSuppression, Suppression: faultstore.Suppression{AlarmID: id, UUID: uuid, Status: "suppressed"}}
}

// seqs returns the keys of rs.
func seqs(rs []faultstore.Record) []int64 {
	out := []int64{}
	for _, r := range rs {
		out = append(out, r.Seq)
	}
	return out
}

func load(t *testing.T, st faultstore.Store) *faultstore.Snapshot {
	t.Helper()
	snap, err := st.Load(t.Context())
	require.NoError(t, err)
	return snap
}

// testFailedCommitChangesNothing: a commit that fails part way, in the
// database (the second suppression reuses the first one's uuid, which the
// table keeps unique), writes none of its ops, and the store takes the
// next commit.
func testFailedCommitChangesNothing(t *testing.T, b backend) {
	st := open(t, b.newURL(t))
	ctx := t.Context()
	require.NoError(t, st.Commit(ctx, []faultstore.Op{putAlarm(1, "a"), putEvent(1)}))
	err := st.Commit(ctx, []faultstore.Op{
		putAlarm(2, "b"), putAlarm(1, "a2"), putEvent(2), {Kind: faultstore.TrimEvents, Seq: 1},
		putSupp("100.101", "s1"), putSupp("200.005", "s1"),
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "put-suppression")
	snap := load(t, st)
	assert.Equal(t, []string{`{"k":"a"}`}, []string{string(snap.Alarms[0].Body)})
	assert.Equal(t, []int64{1}, seqs(snap.Alarms), "the failed commit's alarm is not there")
	assert.Equal(t, []int64{1}, seqs(snap.Events), "nor its event, and its trim did not apply")
	assert.Empty(t, snap.Suppressions)

	require.NoError(t, st.Commit(ctx, []faultstore.Op{putAlarm(2, "b"), putSupp("100.101", "s1")}))
	snap = load(t, st)
	assert.Equal(t, []int64{1, 2}, seqs(snap.Alarms))
	assert.Len(t, snap.Suppressions, 1)
}

// testCancelledWhileBlocked: a commit whose context ends while it waits
// for a lock another connection holds returns the context's error (not
// after the lock is released, nor after SQLite's busy timeout), applies
// none of its ops, and the store commits again once the lock is free. On
// SQLite the commit waits for the write lock at BEGIN; on PostgreSQL it
// waits inside the transaction, after its first op is written.
func testCancelledWhileBlocked(t *testing.T, b backend) {
	url := b.newURL(t)
	st := open(t, url)
	require.NoError(t, st.Commit(t.Context(), []faultstore.Op{putAlarm(1, "a")}))

	db, err := sqlstore.Open(t.Context(), url)
	require.NoError(t, err)
	defer db.Close()
	lock, err := db.BeginTx(t.Context(), nil)
	require.NoError(t, err)
	defer lock.Rollback()
	if b.dialect == faultsql.Postgres {
		_, err = lock.ExecContext(t.Context(), "LOCK TABLE fault_event IN ACCESS EXCLUSIVE MODE")
		require.NoError(t, err)
	} // SQLite: BeginTx took the write lock (BEGIN IMMEDIATE).

	// On PostgreSQL the test sees the commit wait and cancels it; SQLite
	// shows no sign of a connection waiting for its lock, so there the
	// commit is given a deadline that passes while it waits.
	ctx, cancel := context.WithCancel(t.Context())
	want := context.Canceled
	if b.dialect == faultsql.SQLite {
		ctx, cancel = context.WithTimeout(t.Context(), 100*time.Millisecond)
		want = context.DeadlineExceeded
	}
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- st.Commit(ctx, []faultstore.Op{putAlarm(2, "b"), putEvent(1)}) }()
	if b.dialect == faultsql.Postgres {
		require.Eventually(t, func() bool {
			var n int
			require.NoError(t, db.QueryRowContext(t.Context(),
				`SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO fault_event%'`).Scan(&n))
			return n == 1
		}, 10*time.Second, 10*time.Millisecond, "the commit waits for the event table")
		cancel()
	}
	err = <-done
	elapsed := time.Since(start)
	require.Error(t, err)
	assert.True(t, errors.Is(err, want), "got %v", err)
	assert.Less(t, elapsed, 5*time.Second, "the commit ended with its context, not with SQLite's busy timeout")
	require.NoError(t, lock.Rollback())

	assert.Equal(t, []int64{1}, seqs(load(t, st).Alarms), "the cancelled commit's first op is not applied")
	require.NoError(t, st.Commit(t.Context(), []faultstore.Op{putAlarm(2, "b"), putEvent(1)}))
	snap := load(t, st)
	assert.Equal(t, []int64{1, 2}, seqs(snap.Alarms))
	assert.Equal(t, []int64{1}, seqs(snap.Events))
}

// testDeadlineInLongCommit: a commit far too long for its deadline ends
// with the deadline, part way, and applies none of its ops.
func testDeadlineInLongCommit(t *testing.T, b backend) {
	st := open(t, b.newURL(t))
	ops := make([]faultstore.Op, 0, 300_000)
	for seq := range int64(cap(ops)) {
		ops = append(ops, faultstore.Op{Kind: faultstore.PutEvent, Seq: seq + 1, Body: body("e")})
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	err := st.Commit(ctx, ops)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
	assert.Empty(t, load(t, st).Events)
	require.NoError(t, st.Commit(t.Context(), ops[:3]), "the store commits after")
	assert.Equal(t, []int64{1, 2, 3}, seqs(load(t, st).Events))
}

// testMigrationFromEventSlots: a database at migration 0002, whose event
// rows are keyed by slot (slots in no order of seq, as the ring left
// them), keeps every row through migration 0003, and its events come
// back ascending seq, trimmed and appended by seq.
func testMigrationFromEventSlots(t *testing.T, b backend) {
	ctx := t.Context()
	url := b.newURL(t)
	db, err := sqlstore.Open(ctx, url)
	require.NoError(t, err)
	upTo2 := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(os.DirFS("migrations"), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || name > "0003" {
			return err
		}
		data, err := os.ReadFile(filepath.Join("migrations", name))
		upTo2[name] = &fstest.MapFile{Data: data}
		return err
	}))
	require.Len(t, upTo2, 4, "0001 and 0002, for each dialect")
	require.NoError(t, db.Migrate(ctx, "fault", upTo2))
	for _, q := range []string{
		`INSERT INTO fault_alarm (seq, body) VALUES (7, '{"k":"a7"}'), (3, '{"k":"a3"}')`,
		// The ring had wrapped: the newest events took the oldest slots.
		`INSERT INTO fault_event (slot, seq, body) VALUES (0, 14, '{"k":"e14"}'), (1, 15, '{"k":"e15"}'),
			(2, 11, '{"k":"e11"}'), (3, 12, '{"k":"e12"}'), (4, 13, '{"k":"e13"}')`,
		`INSERT INTO fault_suppression (alarm_id, uuid, suppression_status) VALUES ('100.101', 's1', 'suppressed')`,
	} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	require.NoError(t, db.Close())

	st := open(t, url)
	snap := load(t, st)
	assert.Equal(t, []int64{3, 7}, seqs(snap.Alarms))
	assert.Equal(t, []int64{11, 12, 13, 14, 15}, seqs(snap.Events))
	assert.Equal(t, `{"k":"e11"}`, string(snap.Events[0].Body))
	assert.Equal(t, []faultstore.Suppression{{AlarmID: "100.101", UUID: "s1", Status: "suppressed"}}, snap.Suppressions)

	require.NoError(t, st.Commit(ctx, []faultstore.Op{putEvent(16), {Kind: faultstore.TrimEvents, Seq: 12}, putEvent(16)}))
	assert.Equal(t, []int64{13, 14, 15, 16}, seqs(load(t, st).Events))
	require.NoError(t, st.Close())
	st = open(t, url)
	assert.Equal(t, []int64{13, 14, 15, 16}, seqs(load(t, st).Events), "reopened: the migration ran once")
}

// testSharedDatabase: New works over a database the caller opened and
// shares, and Close leaves that database open.
func testSharedDatabase(t *testing.T, b backend) {
	ctx := t.Context()
	db, err := sqlstore.Open(ctx, b.newURL(t))
	require.NoError(t, err)
	defer db.Close()
	st, err := faultsql.New(ctx, db.DB, b.dialect)
	require.NoError(t, err)
	require.NoError(t, st.Commit(ctx, []faultstore.Op{putAlarm(1, "a")}))
	require.NoError(t, st.Close())
	var n int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM fault_alarm`).Scan(&n), "the database is still open")
	assert.Equal(t, 1, n)

	st, err = faultsql.New(ctx, db.DB, b.dialect)
	require.NoError(t, err, "a second store over the same tables")
	defer st.Close()
	assert.Equal(t, []int64{1}, seqs(load(t, st).Alarms))

	_, err = faultsql.New(ctx, db.DB, "mysql")
	assert.ErrorContains(t, err, `unknown dialect "mysql"`)
}

// testBodiesStayText: bodies are stored as text, so that SQL can query
// them as JSON (SQLite reads a BLOB as JSONB).
func testBodiesStayText(t *testing.T, b backend) {
	url := b.newURL(t)
	st := open(t, url)
	require.NoError(t, st.Commit(t.Context(), []faultstore.Op{
		{Kind: faultstore.PutAlarm, Seq: 1, Body: []byte(`{"alarm_id":"100.101","severity":"major"}`)},
	}))
	db, err := sqlstore.Open(t.Context(), url)
	require.NoError(t, err)
	defer db.Close()
	q := `SELECT json_extract(body, '$.severity') FROM fault_alarm`
	if b.dialect == faultsql.Postgres {
		q = `SELECT body::json->>'severity' FROM fault_alarm`
	}
	var sev string
	require.NoError(t, db.QueryRowContext(t.Context(), q).Scan(&sev))
	assert.Equal(t, "major", sev)
}

// testClosed: a closed store says so.
func testClosed(t *testing.T, b backend) {
	st := open(t, b.newURL(t))
	require.NoError(t, st.Close())
	require.NoError(t, st.Close(), "a second Close is harmless")
	assert.ErrorIs(t, st.Commit(t.Context(), []faultstore.Op{putAlarm(1, "a")}), faultstore.ErrClosed)
	_, err := st.Load(t.Context())
	assert.ErrorIs(t, err, faultstore.ErrClosed)
}

// TestNewRefusesUndurableSQLite: a SQLite database whose commits are not
// synced to disk is refused.
func TestNewRefusesUndurableSQLite(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "f.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	require.NoError(t, err)
	defer db.Close()
	_, err = faultsql.New(t.Context(), db, faultsql.SQLite)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not FULL")
}

// TestDiskFull: with SQLite on a full file system, a commit fails at once
// (no hang), changes nothing, and reads keep working; once space is free
// again, the same store commits, without being reopened. It needs to
// mount a small tmpfs (root).
func TestDiskFull(t *testing.T) {
	dir := testenv.MountTmpfs(t, "4m")
	ctx := t.Context()
	st := open(t, "sqlite://"+filepath.Join(dir, "flock.db"))
	require.NoError(t, st.Commit(ctx, []faultstore.Op{putAlarm(1, "before"), putEvent(1)}))

	// Fill the file system.
	filler, err := os.Create(filepath.Join(dir, "filler"))
	require.NoError(t, err)
	chunk := make([]byte, 64<<10)
	for {
		if _, err = filler.Write(chunk); err != nil {
			break
		}
	}
	require.ErrorIs(t, err, syscall.ENOSPC)
	require.NoError(t, filler.Close())

	// A batch larger than anything written so far, so that the WAL must
	// grow.
	big := make([]faultstore.Op, 0, 1000)
	pad := strings.Repeat("x", 1000)
	for seq := int64(2); seq < 1002; seq++ {
		big = append(big, putAlarm(seq, pad))
	}
	wait, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err = st.Commit(wait, big)
	require.Error(t, err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the commit failed by itself")
	assert.Contains(t, err.Error(), "full")
	snap := load(t, st)
	assert.Equal(t, []int64{1}, seqs(snap.Alarms), "reads work, and the failed commit left nothing")
	require.Error(t, st.Commit(ctx, big), "still full")

	require.NoError(t, os.Remove(filepath.Join(dir, "filler")))
	require.NoError(t, st.Commit(ctx, big), "space is back: the same store commits")
	assert.Len(t, load(t, st).Alarms, 1001)
}
