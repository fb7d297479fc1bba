package faultwal_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
// (its own encoded records, through resets) is read back by SQLite alone.
func TestSQLiteGetsTheJournaledRecords(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	url := "sqlite://" + filepath.Join(dir, "flock.db")
	inner, err := faultsql.Open(ctx, url)
	require.NoError(t, err)
	mopts := &fault.Options{EventLogSize: 50}
	m := journaled(t, inner, filepath.Join(dir, "j"), &faultwal.Options{MaxJournal: 64 << 10, ApplyDelay: time.Millisecond}, mopts)
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
