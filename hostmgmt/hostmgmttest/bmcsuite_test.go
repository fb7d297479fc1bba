package hostmgmttest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// TestRetryWithFakeFaults: through hostmgmt.Retry, a reset that surely
// never left is sent again until it goes through, once; a reset whose
// answer was lost is not sent again.
func TestRetryWithFakeFaults(t *testing.T) {
	bmcs := hostmgmttest.NewFakeBMCs(nil)
	fake := bmcs.Get("h")
	b, err := bmcs.BMC(t.Context(), "h")
	require.NoError(t, err)
	reset := func(ctx context.Context) error { return b.Power(ctx, hostmgmt.OpReset) }

	fake.FailNext(2, fmt.Errorf("%w: connection refused", hostmgmt.ErrNotSent))
	require.NoError(t, hostmgmt.Retry(t.Context(), reset))
	assert.Equal(t, []hostmgmt.PowerOp{hostmgmt.OpReset}, fake.Ops(), "two refusals, then one reset")

	fake.LoseAnswers(1)
	require.Error(t, hostmgmt.Retry(t.Context(), reset))
	assert.Equal(t, []hostmgmt.PowerOp{hostmgmt.OpReset, hostmgmt.OpReset}, fake.Ops(), "the reset acted once and was not repeated")
}
