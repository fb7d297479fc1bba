package agenttest_test

import (
	"context"
	"fmt"

	"github.com/edgeflock/flock/agent/agenttest"
	"github.com/edgeflock/flock/inventory"
)

// The fake controller refuses every call while it is down.
func ExampleController() {
	ctx := context.Background()
	c := agenttest.NewController("6f1c2c8e-0000-4000-8000-000000000001")
	c.SetDown(true)
	_, err := c.ReportInventory(ctx, inventory.Report{MgmtMAC: "52:54:00:12:34:56"})
	fmt.Println(err != nil)
	c.SetDown(false)
	h, _ := c.ReportInventory(ctx, inventory.Report{MgmtMAC: "52:54:00:12:34:56"})
	fmt.Println(h.MgmtMAC, len(c.Reports()), c.Calls())
	// Output:
	// true
	// 52:54:00:12:34:56 1 2
}
