package hatest_test

import (
	"context"
	"fmt"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hatest"
)

// A FakeAPI refuses a swact while a group on the standby is
// transitioning, and a forced one skips that check.
func ExampleFakeAPI() {
	ctx := context.Background()
	sm := hatest.NewFakeAPI(nil)
	_ = sm.SetGroupTransitioning(hatest.FakeNode1, "controller-services", ha.GroupDisabled)

	fmt.Println(sm.Swact(ctx, ha.SwactRequest{Node: hatest.FakeNode0}))
	fmt.Println(sm.Swact(ctx, ha.SwactRequest{Node: hatest.FakeNode0, Force: true}))
	s, _ := sm.GetService(ctx, "stx-controller-api")
	fmt.Println(s.Name, s.NodeName, s.State)
	// Output:
	// controller-services on controller-1 is not ready to take service, services transitioning state (rule swact-transitioning)
	// <nil>
	// stx-controller-api controller-1 enabled-active
}
