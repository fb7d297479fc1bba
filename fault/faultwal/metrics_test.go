package faultwal_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/fault/faultwal"
)

// metric returns the value of the counter or gauge name in reg, or the
// sample count of the histogram name; it fails the test if reg has none.
func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		switch {
		case m.GetHistogram() != nil:
			return float64(m.GetHistogram().GetSampleCount())
		case m.GetCounter() != nil:
			return m.GetCounter().GetValue()
		default:
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// failFirst fails its first n commits.
type failFirst struct {
	fault.Store
	n atomic.Int64
}

func (f *failFirst) Commit(ctx context.Context, ops []fault.Op) error {
	if f.n.Add(-1) >= 0 {
		return errors.New("store down")
	}
	return f.Store.Commit(ctx, ops)
}

// TestMetrics: the applier's writes and their failures, the commits it
// is behind, and the resets of a journal that fills, as Prometheus sees
// them; a closed journal leaves the registry.
func TestMetrics(t *testing.T) {
	ctx := t.Context()
	t.Run("behind", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		m := journaled(t, fault.NewMemoryStore(), filepath.Join(t.TempDir(), "j"),
			&faultwal.Options{ApplyBatch: 1 << 20, ApplyDelay: time.Hour, Registerer: reg}, nil)
		for i := range 3 {
			_, err := m.SetAlarm(ctx, faulttest.CPUAlarm("compute-"+strconv.Itoa(i), fault.SeverityMajor))
			require.NoError(t, err)
		}
		assert.GreaterOrEqual(t, metric(t, reg, "flock_fault_journal_unapplied_commits"), 1.0, "nothing applied yet")
		assert.Zero(t, metric(t, reg, "flock_fault_journal_apply_seconds"))
		require.NoError(t, m.Flush(ctx))
		assert.Zero(t, metric(t, reg, "flock_fault_journal_unapplied_commits"))
		assert.Equal(t, 1.0, metric(t, reg, "flock_fault_journal_apply_seconds"), "one write of everything queued")
		require.NoError(t, m.Close(ctx))
		mfs, err := reg.Gather()
		require.NoError(t, err)
		assert.Empty(t, mfs, "Close unregisters")
	})
	t.Run("errors-and-resets", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		inner := &failFirst{Store: fault.NewMemoryStore()}
		inner.n.Store(1)
		m := journaled(t, inner, filepath.Join(t.TempDir(), "j"),
			&faultwal.Options{MaxJournal: 64 << 10, ApplyDelay: time.Millisecond, Registerer: reg}, &fault.Options{EventLogSize: 50})
		load(t, m)
		require.NoError(t, m.Flush(ctx))
		assert.Equal(t, 1.0, metric(t, reg, "flock_fault_journal_apply_errors_total"))
		assert.Greater(t, metric(t, reg, "flock_fault_journal_apply_seconds"), 1.0)
		assert.Zero(t, metric(t, reg, "flock_fault_journal_unapplied_commits"))
		// 400 sets fill the 64 KiB journal past half many times over. The
		// applier resets it after it applies, which may be after Flush
		// returned (when the load fit into the retry's backoff).
		require.Eventually(t, func() bool { return metric(t, reg, "flock_fault_journal_resets_total") > 0 },
			10*time.Second, time.Millisecond)
	})
}
