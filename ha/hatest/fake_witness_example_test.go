package hatest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hatest"
)

// A FakeWitness on a manual clock: controller-1 is refused until
// controller-0's lease has ended.
func ExampleFakeWitness() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := hatest.NewWitnessClock(start)
	w := hatest.NewFakeWitness(2*time.Second, clock.Now)
	ctx := context.Background()

	until, _ := w.Acquire(ctx, "controller-0")
	fmt.Println("controller-0 holds it for", until.Sub(start))
	_, err := w.Acquire(ctx, "controller-1")
	var held *ha.LeaseHeldError
	fmt.Println("controller-1 refused:", errors.As(err, &held), held.Holder)
	clock.Advance(2 * time.Second)
	_, err = w.Acquire(ctx, "controller-1")
	fmt.Println("after the end, controller-1 acquires:", err)
	// Output:
	// controller-0 holds it for 2s
	// controller-1 refused: true controller-0
	// after the end, controller-1 acquires: <nil>
}
