package fault_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/fault/faulttest"
)

// slowCommits takes at least d per commit, as a synchronous write does.
type slowCommits struct {
	faultstore.Store
	d time.Duration
}

func (s slowCommits) Commit(ctx context.Context, ops []faultstore.Op) error {
	time.Sleep(s.d)
	return s.Store.Commit(ctx, ops)
}

// TestCommitMetrics: each commit of writes is counted with its writes and
// its time (flock_fault_commit_batch_writes, flock_fault_commit_seconds).
func TestCommitMetrics(t *testing.T) {
	ctx := t.Context()
	reg := prometheus.NewRegistry()
	m, err := fault.Open(ctx, slowCommits{faultstore.NewMemoryStore(), 3 * time.Millisecond}, &fault.Options{Registerer: reg})
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close(ctx) })
	_, err = m.SetAlarm(ctx, faulttest.CPUAlarm("compute-0", fault.SeverityMajor))
	require.NoError(t, err)
	require.NoError(t, m.ClearAlarm(ctx, "100.101", "host=compute-0"))

	hist := func(name string) (count uint64, sum float64) {
		mfs, err := reg.Gather()
		require.NoError(t, err)
		for _, mf := range mfs {
			if mf.GetName() == name {
				h := mf.GetMetric()[0].GetHistogram()
				return h.GetSampleCount(), h.GetSampleSum()
			}
		}
		t.Fatalf("no metric %s", name)
		return 0, 0
	}
	n, secs := hist("flock_fault_commit_seconds")
	assert.Equal(t, uint64(2), n, "one commit per write here")
	assert.GreaterOrEqual(t, secs, 0.006, "each commit took at least 3 ms")
	assert.Less(t, secs, 5.0)
	n, writes := hist("flock_fault_commit_batch_writes")
	assert.Equal(t, uint64(2), n)
	assert.Equal(t, 2.0, writes)
}
