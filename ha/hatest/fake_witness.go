package hatest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/edgeflock/flock/ha"
)

// WitnessClock is a manual clock for witnesses under test: it moves
// only when Advance is called. It is safe for concurrent use.
type WitnessClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewWitnessClock returns a clock reading start.
func NewWitnessClock(start time.Time) *WitnessClock { return &WitnessClock{t: start} }

// Now returns the clock's time.
func (c *WitnessClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock d forward.
func (c *WitnessClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// WitnessAdvancer is what RunWitnessSuite needs of node A's witness to
// run its time-dependent checks: the clock shared by the witness and
// both nodes' clients, and a way to move it. Without it those checks
// are skipped.
type WitnessAdvancer interface {
	Now() time.Time
	Advance(d time.Duration)
}

// WitnessWithClock is a witness under test with the clock it runs on;
// it implements WitnessAdvancer.
type WitnessWithClock struct {
	ha.Witness
	*WitnessClock
}

// FakeWitness is an in-memory ha.Witness on an injectable clock: one
// lease at a time, granted for a fixed duration, extended (never
// shortened) when its holder asks again. Times are returned on its
// clock exactly (there is no network to account for). It can fail
// calls, like an unreachable witness, and records them. It is safe for
// concurrent use; both nodes may share one.
type FakeWitness struct {
	mu     sync.Mutex
	now    func() time.Time
	lease  time.Duration
	holder string
	end    time.Time
	down   bool
	failN  int
	calls  []string
}

var _ ha.Witness = (*FakeWitness)(nil)

// NewFakeWitness returns a witness granting leases of duration lease,
// on the clock now (nil: time.Now).
func NewFakeWitness(lease time.Duration, now func() time.Time) *FakeWitness {
	if now == nil {
		now = time.Now
	}
	return &FakeWitness{now: now, lease: lease}
}

// SetUnavailable makes every call fail with ha.ErrUnavailable (a
// partition between the caller and the witness) until called with
// false. The leases still run out meanwhile.
func (f *FakeWitness) SetUnavailable(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

// FailNext makes the next n calls fail with ha.ErrUnavailable.
func (f *FakeWitness) FailNext(n int) {
	f.mu.Lock()
	f.failN = n
	f.mu.Unlock()
}

// Calls returns the calls made so far, as "acquire controller-0".
func (f *FakeWitness) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// Holder returns the lease's holder and its end (empty: none).
func (f *FakeWitness) Holder() (string, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.holder != "" && !f.now().Before(f.end) {
		f.holder, f.end = "", time.Time{}
	}
	return f.holder, f.end
}

// enter records a call and says whether it fails; f.mu is held.
func (f *FakeWitness) enter(ctx context.Context, op, node string) error {
	f.calls = append(f.calls, op+" "+node)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("hatest: witness %s %s: %w: %w", op, node, ha.ErrUnavailable, err)
	}
	if f.down || f.failN > 0 {
		if f.failN > 0 {
			f.failN--
		}
		return fmt.Errorf("hatest: witness %s %s: %w", op, node, ha.ErrUnavailable)
	}
	if f.holder != "" && !f.now().Before(f.end) {
		f.holder, f.end = "", time.Time{}
	}
	return nil
}

// Acquire implements ha.Witness.
func (f *FakeWitness) Acquire(ctx context.Context, node string) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "acquire", node); err != nil {
		return time.Time{}, err
	}
	now := f.now()
	if f.holder != "" && f.holder != node {
		return time.Time{}, fmt.Errorf("hatest: witness acquire %s: %w", node, &ha.LeaseHeldError{Holder: f.holder, Until: f.end})
	}
	if end := now.Add(f.lease); f.holder == "" || end.After(f.end) {
		f.end = end
	}
	f.holder = node
	return f.end, nil
}

// Release implements ha.Witness.
func (f *FakeWitness) Release(ctx context.Context, node string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "release", node); err != nil {
		return err
	}
	if f.holder == node {
		f.holder, f.end = "", time.Time{}
	}
	return nil
}

// Lease implements ha.Witness.
func (f *FakeWitness) Lease(ctx context.Context, node string) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(ctx, "lease", node); err != nil {
		return time.Time{}, err
	}
	if f.holder == node {
		return f.end, nil
	}
	return time.Time{}, nil
}
