package hatest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/edgeflock/flock/ha"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The node names RunWitnessSuite uses: newWitness returns the witness
// of WitnessNodeA first, WitnessNodeB second.
const (
	WitnessNodeA = "controller-0"
	WitnessNodeB = "controller-1"
)

// RunWitnessSuite checks an ha.Witness implementation: newWitness
// returns, for a fresh witness with no lease granted, the witness as
// seen by node A (WitnessNodeA) and by node B (WitnessNodeB); they may
// be one value. It checks that
//
//   - one node at a time holds the lease: the other's Acquire is a
//     *ha.LeaseHeldError wrapping ha.ErrInvalidTransition, naming the
//     holder, whose Until is not before the holder's own end;
//   - the holder renews (its end never moves back), Lease reports its
//     end to either node (never before the holder's own) and zero for a
//     node holding none;
//   - Release lets the other node in at once, and releasing a lease
//     not held changes nothing.
//
// A's witness must implement WitnessAdvancer (the clock shared by the
// witness and both clients; wrap a real one with WitnessWithClock): the
// suite moves that clock to check that the other node is refused until
// the lease ends and granted once it has, that a renewal holds the other
// off past the first end, and that an ended lease is reported as none.
// Without it those checks fail: a witness whose leases never end must
// not pass.
func RunWitnessSuite(t *testing.T, newWitness func(t *testing.T) (ha.Witness, ha.Witness)) {
	t.Helper()
	ctx := func(t *testing.T) context.Context {
		c, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		t.Cleanup(cancel)
		return c
	}
	held := func(t *testing.T, err error, holder string) *ha.LeaseHeldError {
		t.Helper()
		require.Error(t, err)
		require.ErrorIs(t, err, ha.ErrInvalidTransition)
		var lh *ha.LeaseHeldError
		require.ErrorAs(t, err, &lh)
		assert.Equal(t, holder, lh.Holder)
		return lh
	}

	t.Run("OneHolder", func(t *testing.T) {
		a, b := newWitness(t)
		c := ctx(t)
		ua, err := a.Acquire(c, WitnessNodeA)
		require.NoError(t, err)
		require.False(t, ua.IsZero())
		_, err = b.Acquire(c, WitnessNodeB)
		lh := held(t, err, WitnessNodeA)
		assert.False(t, lh.Until.Before(ua), "refusal's end %v before the holder's own %v", lh.Until, ua)

		la, err := b.Lease(c, WitnessNodeA)
		require.NoError(t, err)
		assert.False(t, la.Before(ua), "Lease %v before the holder's end %v", la, ua)
		lb, err := a.Lease(c, WitnessNodeB)
		require.NoError(t, err)
		assert.True(t, lb.IsZero(), "B holds nothing, Lease says %v", lb)
	})

	t.Run("HolderRenews", func(t *testing.T) {
		a, b := newWitness(t)
		c := ctx(t)
		u1, err := a.Acquire(c, WitnessNodeA)
		require.NoError(t, err)
		u2, err := a.Acquire(c, WitnessNodeA)
		require.NoError(t, err)
		assert.False(t, u2.Before(u1), "renewal moved the end back from %v to %v", u1, u2)
		_, err = b.Acquire(c, WitnessNodeB)
		held(t, err, WitnessNodeA)
	})

	t.Run("ReleaseLetsOtherIn", func(t *testing.T) {
		a, b := newWitness(t)
		c := ctx(t)
		_, err := a.Acquire(c, WitnessNodeA)
		require.NoError(t, err)
		require.NoError(t, a.Release(c, WitnessNodeA))
		la, err := b.Lease(c, WitnessNodeA)
		require.NoError(t, err)
		assert.True(t, la.IsZero(), "released, Lease says %v", la)
		ub, err := b.Acquire(c, WitnessNodeB)
		require.NoError(t, err, "released: B gets the lease at once")
		_, err = a.Acquire(c, WitnessNodeA)
		lh := held(t, err, WitnessNodeB)
		assert.False(t, lh.Until.Before(ub))
	})

	t.Run("ReleaseNotHeld", func(t *testing.T) {
		a, b := newWitness(t)
		c := ctx(t)
		require.NoError(t, a.Release(c, WitnessNodeA), "nothing held")
		_, err := a.Acquire(c, WitnessNodeA)
		require.NoError(t, err)
		require.NoError(t, b.Release(c, WitnessNodeB), "B holds nothing")
		_, err = b.Acquire(c, WitnessNodeB)
		held(t, err, WitnessNodeA)
	})

	clocked := func(t *testing.T) (ha.Witness, ha.Witness, WitnessAdvancer) {
		a, b := newWitness(t)
		adv, ok := a.(WitnessAdvancer)
		if !ok {
			t.Fatal("node A's witness does not implement hatest.WitnessAdvancer: the expiry checks cannot run (wrap it with WitnessWithClock)")
		}
		return a, b, adv
	}

	t.Run("RefusedUntilExpiry", func(t *testing.T) {
		a, b, clock := clocked(t)
		c := ctx(t)
		ua, err := a.Acquire(c, WitnessNodeA)
		require.NoError(t, err)
		_, err = b.Acquire(c, WitnessNodeB)
		lh := held(t, err, WitnessNodeA)
		require.True(t, ua.After(clock.Now()), "lease end %v not after now %v", ua, clock.Now())

		// Just before the holder's own end, the witness's is still ahead.
		clock.Advance(ua.Sub(clock.Now()) - time.Millisecond)
		_, err = b.Acquire(c, WitnessNodeB)
		held(t, err, WitnessNodeA)
		// At the refusal's end, the witness's has passed.
		if d := lh.Until.Sub(clock.Now()); d > 0 {
			clock.Advance(d)
		}
		ub, err := b.Acquire(c, WitnessNodeB)
		require.NoError(t, err, "the lease ended: B gets it")
		assert.True(t, ub.After(clock.Now()))
		_, err = a.Acquire(c, WitnessNodeA)
		held(t, err, WitnessNodeB)
	})

	t.Run("RenewalHoldsOthersOff", func(t *testing.T) {
		a, b, clock := clocked(t)
		c := ctx(t)
		u1, err := a.Acquire(c, WitnessNodeA)
		require.NoError(t, err)
		clock.Advance(u1.Sub(clock.Now()) / 2)
		u2, err := a.Acquire(c, WitnessNodeA)
		require.NoError(t, err)
		require.True(t, u2.After(u1), "renewed halfway, the end %v is not after %v", u2, u1)
		clock.Advance(u1.Sub(clock.Now()))
		_, err = b.Acquire(c, WitnessNodeB)
		held(t, err, WitnessNodeA)
		la, err := b.Lease(c, WitnessNodeA)
		require.NoError(t, err)
		assert.False(t, la.Before(u2))
	})

	t.Run("EndedLeaseIsNone", func(t *testing.T) {
		a, b, clock := clocked(t)
		c := ctx(t)
		_, err := a.Acquire(c, WitnessNodeA)
		require.NoError(t, err)
		_, err = b.Acquire(c, WitnessNodeB)
		lh := held(t, err, WitnessNodeA)
		clock.Advance(lh.Until.Sub(clock.Now()))
		for _, w := range []ha.Witness{a, b} {
			l, err := w.Lease(c, WitnessNodeA)
			require.NoError(t, err)
			assert.True(t, l.IsZero(), "ended, Lease says %v", l)
		}
		// The former holder gets it again as a new lease.
		_, err = a.Acquire(c, WitnessNodeA)
		require.NoError(t, err)
	})

	t.Run("CancelledContext", func(t *testing.T) {
		a, _ := newWitness(t)
		c, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := a.Acquire(c, WitnessNodeA)
		require.Error(t, err)
		assert.True(t, errors.Is(err, ha.ErrUnavailable) || errors.Is(err, context.Canceled), "%v", err)
	})
}
