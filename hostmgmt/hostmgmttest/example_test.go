package hostmgmttest_test

import (
	"context"
	"fmt"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
)

// The fake BMC records power operations and fails on demand.
func ExampleFakeBMCs() {
	ctx := context.Background()
	bmcs := hostmgmttest.NewFakeBMCs(nil)
	b, _ := bmcs.BMC(ctx, "host-1")
	_ = b.Power(ctx, hostmgmt.OpPowerOff)
	p, _ := b.PowerState(ctx)
	fmt.Println(p, bmcs.Get("host-1").Ops())
	bmcs.Get("host-1").Fail(fmt.Errorf("connection refused"))
	fmt.Println(b.Power(ctx, hostmgmt.OpPowerOn))
	// Output:
	// off [off]
	// connection refused
}
