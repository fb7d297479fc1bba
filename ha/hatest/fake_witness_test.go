package hatest_test

import (
	"testing"
	"time"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hatest"
)

func TestFakeWitnessSuite(t *testing.T) {
	hatest.RunWitnessSuite(t, func(t *testing.T) (ha.Witness, ha.Witness) {
		clock := hatest.NewWitnessClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		w := hatest.NewFakeWitness(2*time.Second, clock.Now)
		return hatest.WitnessWithClock{Witness: w, WitnessClock: clock}, w
	})
}
