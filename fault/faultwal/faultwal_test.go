package faultwal_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultsql"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/fault/faultwal"
)

// small keeps the tests' journals at 256 KiB.
var small = &faultwal.Options{MaxJournal: 256 << 10}

func open(t *testing.T, dir string) *fault.Manager {
	t.Helper()
	inner, err := faultsql.Open(t.Context(), "sqlite://"+filepath.Join(dir, "flock.db"))
	require.NoError(t, err)
	return journaled(t, inner, filepath.Join(dir, "fault.journal"), small, nil)
}

// journaled opens a manager over a journal at path in front of inner. The
// test's cleanup closes it; a test may close it earlier (Close is
// idempotent).
func journaled(t *testing.T, inner fault.Store, path string, opts *faultwal.Options, mopts *fault.Options) *fault.Manager {
	t.Helper()
	st, err := faultwal.Open(t.Context(), inner, path, opts)
	require.NoError(t, err)
	m, err := fault.Open(t.Context(), st, mopts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return m
}

func TestJournalOverSQLiteConformance(t *testing.T) {
	faulttest.RunServiceSuite(t, func(t *testing.T) fault.Service { return open(t, t.TempDir()) })
}

func TestJournalOverMemoryConformance(t *testing.T) {
	faulttest.RunServiceSuite(t, func(t *testing.T) fault.Service {
		return journaled(t, fault.NewMemoryStore(), filepath.Join(t.TempDir(), "j"), small, nil)
	})
}

// TestReplay writes a journal that the inner store never saw (as after a
// crash between the fdatasync and the applier) and checks Open replays it,
// ignoring a torn frame at the end.
func TestReplay(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	mem := fault.NewMemoryStore()
	m := journaled(t, mem, filepath.Join(dir, "j"), small, nil)
	u, err := m.SetAlarm(ctx, faulttest.CPUAlarm("controller-0", fault.SeverityMajor))
	require.NoError(t, err)
	// Copy the journal as it is now: it holds the set, whether or not the
	// applier has run.
	data, err := os.ReadFile(filepath.Join(dir, "j"))
	require.NoError(t, err)
	require.NotEmpty(t, data)
	require.NoError(t, m.Close(ctx))

	torn := append(append([]byte(nil), data...), data[:len(data)/2]...)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "j2"), torn, 0o600))
	fresh := fault.NewMemoryStore()
	m2 := journaled(t, fresh, filepath.Join(dir, "j2"), small, nil)
	a, err := m2.GetAlarm(ctx, u)
	require.NoError(t, err, "the journaled set is replayed into a store that never saw it")
	assert.Equal(t, fault.SeverityMajor, a.Severity)
	require.NoError(t, m2.Close(ctx))
	st3, err := faultwal.Open(ctx, fault.NewMemoryStore(), filepath.Join(dir, "j2"), small)
	require.NoError(t, err)
	snap, err := st3.Load(ctx)
	require.NoError(t, err)
	assert.Empty(t, snap.Alarms, "a replayed journal is reset: its old frames are not replayed again")
	require.NoError(t, st3.Close())
}

func TestDecodeFrameRejectsGarbage(t *testing.T) {
	for _, in := range []string{"", "{", `{"k":1}`, `{"k":9,"t":1}`, "null"} {
		_, err := faultwal.DecodeFrame([]byte(in))
		assert.Error(t, err, "%q", in)
	}
}

func FuzzDecodeFrame(f *testing.F) {
	f.Add(faultwal.EncodeFrame([]fault.Op{{Kind: fault.OpTrimEvents, TrimSeq: 4}}))
	f.Add([]byte(`{"k":1,"a":{"alarm_id":"100.101"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, err := faultwal.DecodeFrame(data)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes and decodes to the same ops.
		again, err := faultwal.DecodeFrame(faultwal.EncodeFrame(ops))
		require.NoError(t, err)
		require.Len(t, again, len(ops))
	})
}

// TestResetUnderLoad writes well past the journal size so that it is reset
// many times while writers keep going, then reopens: nothing is lost and
// nothing old comes back.
func TestResetUnderLoad(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	opts := &faultwal.Options{MaxJournal: 64 << 10, ApplyDelay: time.Millisecond}
	mem := fault.NewMemoryStore()
	m := journaled(t, mem, filepath.Join(dir, "j"), opts, &fault.Options{EventLogSize: 50})
	load(t, m)
	want, err := m.ListAlarms(ctx, fault.AlarmQuery{})
	require.NoError(t, err)
	require.NoError(t, m.Close(ctx))
	m2 := journaled(t, mem, filepath.Join(dir, "j"), opts, &fault.Options{EventLogSize: 50})
	got, err := m2.ListAlarms(ctx, fault.AlarmQuery{})
	require.NoError(t, err)
	require.Len(t, got, len(want))
	for i := range want {
		assert.Equal(t, want[i].UUID, got[i].UUID)
	}
}

// load sets and clears alarms on 40 hosts, 400 sets in all.
func load(t *testing.T, m *fault.Manager) {
	for i := range 400 {
		_, err := m.SetAlarm(t.Context(), faulttest.CPUAlarm(fmt.Sprintf("compute-%d", i%40), fault.SeverityMajor))
		require.NoError(t, err)
		if i%7 == 0 {
			require.NoError(t, m.ClearAlarm(t.Context(), "100.101", fmt.Sprintf("host=compute-%d", i%40)))
		}
	}
}

// TestSQLiteGetsTheJournaledRecords: what the journal applies to SQLite
// (its own encoded records, through resets) is read back by SQLite alone,
// also when the applier's batches fill and it holds the event log back
// (then the last ops go out at Close).
func TestSQLiteGetsTheJournaledRecords(t *testing.T) {
	t.Run("batches-time-out", func(t *testing.T) {
		sqliteGetsTheJournaledRecords(t, &faultwal.Options{MaxJournal: 64 << 10, ApplyDelay: time.Millisecond})
	})
	t.Run("batches-fill", func(t *testing.T) {
		sqliteGetsTheJournaledRecords(t, &faultwal.Options{MaxJournal: 64 << 10, ApplyBatch: 16, ApplyDelay: time.Hour})
	})
}

func sqliteGetsTheJournaledRecords(t *testing.T, opts *faultwal.Options) {
	ctx := t.Context()
	dir := t.TempDir()
	url := "sqlite://" + filepath.Join(dir, "flock.db")
	inner, err := faultsql.Open(ctx, url)
	require.NoError(t, err)
	mopts := &fault.Options{EventLogSize: 50}
	m := journaled(t, inner, filepath.Join(dir, "j"), opts, mopts)
	load(t, m)
	all := fault.AlarmQuery{IncludeSuppressed: true, IncludeMasked: true}
	want, err := m.ListAlarms(ctx, all)
	require.NoError(t, err)
	wantEvents, err := m.ListEvents(ctx, fault.EventQuery{})
	require.NoError(t, err)
	require.NoError(t, m.Close(ctx))

	alone, err := faultsql.Open(ctx, url)
	require.NoError(t, err)
	m2, err := fault.Open(ctx, alone, mopts)
	require.NoError(t, err)
	defer m2.Close(ctx)
	got, err := m2.ListAlarms(ctx, all)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	gotEvents, err := m2.ListEvents(ctx, fault.EventQuery{})
	require.NoError(t, err)
	assert.Equal(t, wantEvents, gotEvents)
}

// TestCrashCopyReplays copies the journal while its applier has not run
// (what a crash leaves) after many commits of different sizes, which
// cross block boundaries, and checks that a store which never saw them
// gets every one back. Direct and buffered writes alike.
func TestCrashCopyReplays(t *testing.T) {
	for _, buffered := range []bool{false, true} {
		t.Run(fmt.Sprintf("buffered=%v", buffered), func(t *testing.T) {
			ctx := t.Context()
			dir := t.TempDir()
			opts := &faultwal.Options{MaxJournal: 8 << 20, ApplyBatch: 1 << 20, ApplyDelay: time.Hour, BufferedWrites: buffered}
			m := journaled(t, fault.NewMemoryStore(), filepath.Join(dir, "j"), opts, nil)
			for i := range 300 {
				a := faulttest.CPUAlarm(fmt.Sprintf("compute-%d", i), fault.SeverityMajor)
				a.ReasonText = strings.Repeat("x", i*37%255+1)
				_, err := m.SetAlarm(ctx, a)
				require.NoError(t, err)
			}
			want, err := m.ListAlarms(ctx, fault.AlarmQuery{})
			require.NoError(t, err)
			data, err := os.ReadFile(filepath.Join(dir, "j"))
			require.NoError(t, err)
			require.NoError(t, m.Close(ctx))

			require.NoError(t, os.WriteFile(filepath.Join(dir, "copy"), data, 0o600))
			m2 := journaled(t, fault.NewMemoryStore(), filepath.Join(dir, "copy"), opts, nil)
			got, err := m2.ListAlarms(ctx, fault.AlarmQuery{})
			require.NoError(t, err)
			require.Len(t, got, len(want))
			for i := range want {
				assert.Equal(t, want[i].UUID, got[i].UUID)
				assert.Equal(t, want[i].ReasonText, got[i].ReasonText)
			}
		})
	}
}

// Manager.Flush returns once the database behind the journal holds what
// was acknowledged, although the applier would wait an hour.
func TestManagerFlushWaitsForTheDatabase(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "flock.db")
	inner, err := faultsql.Open(ctx, "sqlite://"+path)
	require.NoError(t, err)
	m := journaled(t, inner, path+".journal", &faultwal.Options{ApplyBatch: 1 << 20, ApplyDelay: time.Hour}, nil)
	_, err = m.SetAlarm(ctx, faulttest.CPUAlarm("compute-0", fault.SeverityMajor))
	require.NoError(t, err)
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows := func() (n int) {
		require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM fault_alarm").Scan(&n))
		return n
	}
	require.Equal(t, 0, rows(), "the applier has not run yet")
	require.NoError(t, m.Flush(ctx))
	assert.Equal(t, 1, rows())
}

// eventCounter counts the event records its store is handed.
type eventCounter struct {
	fault.Store
	events atomic.Int64
}

func (c *eventCounter) Commit(ctx context.Context, ops []fault.Op) error {
	for _, op := range ops {
		if op.Kind == fault.OpAppendEvent {
			c.events.Add(1)
		}
	}
	return c.Store.Commit(ctx, ops)
}

// TestEventLogHeldWhileBatchesFill: while the applier's batches fill up,
// event records that a later trim deletes never reach the store: of 1,000
// events through a 20-record log, the store gets the last ones only, at
// Flush, and then holds the same log as the manager. Without the hold it
// is handed all 1,000.
func TestEventLogHeldWhileBatchesFill(t *testing.T) {
	ctx := t.Context()
	mem := fault.NewMemoryStore()
	inner := &eventCounter{Store: mem}
	mopts := &fault.Options{EventLogSize: 20}
	m := journaled(t, inner, filepath.Join(t.TempDir(), "j"), &faultwal.Options{ApplyBatch: 30, ApplyDelay: time.Hour}, mopts)
	for i := range 1000 {
		_, err := m.SetAlarm(ctx, faulttest.CPUAlarm(fmt.Sprintf("compute-%d", i%40), fault.SeverityMajor))
		require.NoError(t, err)
	}
	require.NoError(t, m.Flush(ctx))
	assert.LessOrEqual(t, inner.events.Load(), int64(20+30), "events handed to the store")
	want, err := m.ListEvents(ctx, fault.EventQuery{})
	require.NoError(t, err)
	require.Len(t, want, 20)
	require.NoError(t, m.Close(ctx))
	alone, err := fault.Open(ctx, mem, mopts)
	require.NoError(t, err)
	defer alone.Close(ctx)
	got, err := alone.ListEvents(ctx, fault.EventQuery{})
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

// TestEventLogNotHeldWhenQuiet: when a batch does not fill (a quiet
// system), its events go to the store with it, without a Flush.
func TestEventLogNotHeldWhenQuiet(t *testing.T) {
	inner := &eventCounter{Store: fault.NewMemoryStore()}
	m := journaled(t, inner, filepath.Join(t.TempDir(), "j"), &faultwal.Options{ApplyBatch: 30, ApplyDelay: 10 * time.Millisecond}, nil)
	_, err := m.SetAlarm(t.Context(), faulttest.CPUAlarm("compute-0", fault.SeverityMajor))
	require.NoError(t, err)
	assert.Eventually(t, func() bool { return inner.events.Load() == 1 }, 10*time.Second, 5*time.Millisecond)
}
