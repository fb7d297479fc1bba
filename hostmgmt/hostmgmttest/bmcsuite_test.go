package hostmgmttest_test

import (
	"fmt"
	"testing"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
)

// TestFakeBMCConformance: the fake passes the suite every engine passes.
func TestFakeBMCConformance(t *testing.T) {
	bmcs := hostmgmttest.NewFakeBMCs(nil)
	n := 0
	open := func(t *testing.T, setup func(*hostmgmttest.FakeBMC)) hostmgmt.BMC {
		n++
		uuid := fmt.Sprintf("host-%d", n)
		setup(bmcs.Get(uuid))
		b, err := bmcs.BMC(t.Context(), uuid)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var last *hostmgmttest.FakeBMC
	hostmgmttest.RunBMCSuite(t, hostmgmttest.BMCRig{
		New: func(t *testing.T) hostmgmt.BMC {
			return open(t, func(b *hostmgmttest.FakeBMC) { last = b })
		},
		Unreachable: func(t *testing.T) hostmgmt.BMC {
			return open(t, func(b *hostmgmttest.FakeBMC) {
				b.Fail(fmt.Errorf("%w: connection refused", hostmgmt.ErrNotSent))
			})
		},
		Slow: func(t *testing.T) hostmgmt.BMC {
			return open(t, func(b *hostmgmttest.FakeBMC) { b.Hang(true) })
		},
		NextBoot: func(t *testing.T) hostmgmt.BootDevice {
			_, d := last.State()
			return d
		},
		MinSensors:     1,
		Graceful:       true,
		RefusedNotSent: true,
		Native:         new(*hostmgmttest.FakeBMC),
	})
}
