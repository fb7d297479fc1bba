package faultwal

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultsql"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/fault/internal/wire"
)

// countingSQL counts the records the journal hands over encoded and the
// ones it leaves to the store.
type countingSQL struct {
	*faultsql.Store
	withBody, without int
}

func (c *countingSQL) CommitBatch(ctx context.Context, b *wire.Batch) error {
	for i, op := range b.Ops {
		if op.Alarm == nil && op.Event == nil {
			continue
		}
		if b.Body(i) != "" {
			c.withBody++
		} else {
			c.without++
		}
	}
	return c.Store.CommitBatch(ctx, b)
}

// TestQueuedBodiesAreBounded: past maxBodies bytes of encoded records
// queued, the journal hands the store bare ops, which it encodes itself;
// SQLite alone then reads back every alarm either way.
func TestQueuedBodiesAreBounded(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	url := "sqlite://" + filepath.Join(dir, "flock.db")
	sq, err := faultsql.Open(ctx, url)
	require.NoError(t, err)
	inner := &countingSQL{Store: sq}
	s, err := Open(ctx, inner, filepath.Join(dir, "j"), &Options{ApplyDelay: time.Hour})
	require.NoError(t, err)
	s.maxBodies = 4000 // a few records' worth
	m, err := fault.Open(ctx, s, nil)
	require.NoError(t, err)
	for i := range 50 {
		_, err := m.SetAlarm(ctx, faulttest.CPUAlarm(fmt.Sprintf("compute-%d", i), fault.SeverityMajor))
		require.NoError(t, err)
	}
	require.NoError(t, s.Flush(ctx)) // one batch of 100 records
	assert.Positive(t, inner.withBody)
	assert.Positive(t, inner.without)
	assert.Equal(t, 100, inner.withBody+inner.without)
	want, err := m.ListAlarms(ctx, fault.AlarmQuery{})
	require.NoError(t, err)
	require.NoError(t, m.Close(ctx))

	alone, err := faultsql.Open(ctx, url)
	require.NoError(t, err)
	m2, err := fault.Open(ctx, alone, nil)
	require.NoError(t, err)
	defer m2.Close(ctx)
	got, err := m2.ListAlarms(ctx, fault.AlarmQuery{})
	require.NoError(t, err)
	assert.Equal(t, want, got)
}
