package hatest_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFakeWitnessSuite(t *testing.T) {
	hatest.RunWitnessSuite(t, func(t *testing.T) (ha.Witness, ha.Witness) {
		clock := hatest.NewWitnessClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		w := hatest.NewFakeWitness(2*time.Second, clock.Now)
		return hatest.WitnessWithClock{Witness: w, WitnessClock: clock}, w
	})
}

func TestFakeWitnessFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := hatest.NewFakeWitness(time.Second, nil)
		ctx := t.Context()
		w.FailNext(2)
		for range 2 {
			_, err := w.Acquire(ctx, "a")
			require.ErrorIs(t, err, ha.ErrUnavailable)
		}
		until, err := w.Acquire(ctx, "a")
		require.NoError(t, err)
		assert.Equal(t, time.Now().Add(time.Second), until)

		// Partitioned from the witness, the holder cannot renew, and its
		// lease runs out all the same.
		w.SetUnavailable(true)
		_, err = w.Acquire(ctx, "a")
		require.ErrorIs(t, err, ha.ErrUnavailable)
		require.ErrorIs(t, w.Release(ctx, "a"), ha.ErrUnavailable)
		_, err = w.Lease(ctx, "a")
		require.ErrorIs(t, err, ha.ErrUnavailable)
		time.Sleep(time.Second)
		holder, _ := w.Holder()
		assert.Empty(t, holder)
		w.SetUnavailable(false)
		_, err = w.Acquire(ctx, "b")
		require.NoError(t, err)

		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err = w.Lease(cancelled, "b")
		require.True(t, errors.Is(err, context.Canceled) && errors.Is(err, ha.ErrUnavailable), "%v", err)
		assert.Equal(t, []string{"acquire a", "acquire a", "acquire a", "acquire a", "release a", "lease a", "acquire b", "lease b"}, w.Calls())
	})
}
