package faultwal

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulttest"
)

// slowStore is an inner store that spends 1 µs of CPU per op, as a real
// database does in bulk, so that commits pile up while a batch applies.
type slowStore struct{ fault.Store }

func (s slowStore) Commit(ctx context.Context, ops []fault.Op) error {
	for t0 := time.Now(); time.Since(t0) < time.Duration(len(ops))*time.Microsecond; {
	}
	return s.Store.Commit(ctx, ops)
}

// TestResetWaitsForFewOps: under a steady stream of writers, a journal
// reset makes writers wait for at most resetCatchUp queued ops (the
// applier catches up without gathering first), never for everything that
// arrived while a large batch was being applied; and nothing is lost.
func TestResetWaitsForFewOps(t *testing.T) {
	ctx := t.Context()
	inner := fault.NewMemoryStore()
	s, err := Open(ctx, slowStore{inner}, filepath.Join(t.TempDir(), "j"),
		&Options{MaxJournal: 1 << 20, ApplyBatch: 4000, ApplyDelay: time.Hour})
	require.NoError(t, err)
	m, err := fault.Open(ctx, s, &fault.Options{EventLogSize: 100})
	require.NoError(t, err)

	var resets, most atomic.Int64
	s.wmu.Lock()
	last := s.epoch
	s.wmu.Unlock()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_, err := m.SetAlarm(ctx, faulttest.CPUAlarm(fmt.Sprintf("w%d-%d", w, i%500), fault.SeverityMajor))
				if !assert.NoError(t, err) {
					return
				}
			}
		})
	}
	// Watch the resets: the epoch moves on at each one, and resetWaited
	// (written before it, under wmu) says how many ops it applied.
	deadline := time.Now().Add(20 * time.Second)
	for resets.Load() < 5 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
		s.wmu.Lock()
		if s.epoch != last {
			last = s.epoch
			resets.Add(1)
			most.Store(max(most.Load(), int64(s.resetWaited)))
		}
		s.wmu.Unlock()
	}
	close(stop)
	wg.Wait()
	t.Logf("%d resets; writers waited for at most %d ops", resets.Load(), most.Load())
	require.GreaterOrEqual(t, resets.Load(), int64(5), "the journal was not reset under load")
	assert.LessOrEqual(t, most.Load(), int64(resetCatchUp), "writers waited for this many ops in a reset")

	want, err := m.ListAlarms(ctx, fault.AlarmQuery{})
	require.NoError(t, err)
	require.NoError(t, m.Close(ctx))
	got, err := inner.Load(ctx)
	require.NoError(t, err)
	assert.Len(t, got.Alarms, len(want), "every alarm reached the inner store")
}
