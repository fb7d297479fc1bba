package hahttp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hahttp"
	"github.com/edgeflock/flock/ha/hatest"
)

// Serve an ha.API (here the fake) on sm-api's paths and swact through
// the client: refused while the standby is locked, complete once it is
// unlocked.
func Example() {
	ctx := context.Background()
	sm := hatest.NewFakeAPI(nil)
	srv := httptest.NewServer(hahttp.NewHandler(sm, nil))
	defer srv.Close()
	c := hahttp.NewClient(srv.URL, nil)

	_ = sm.SetNodeState("controller-1", ha.AdminLocked, ha.OperEnabled)
	err := c.Swact(ctx, ha.SwactRequest{Node: "controller-0"})
	if re, ok := errors.AsType[*ha.RuleError](err); ok {
		fmt.Println("refused:", re.Rule, "-", re.Reason)
	}

	_ = sm.SetNodeState("controller-1", ha.AdminUnlocked, ha.OperEnabled)
	if err := c.Swact(ctx, ha.SwactRequest{Node: "controller-0"}); err != nil {
		fmt.Println(err)
		return
	}
	groups, _ := c.ListServiceGroups(ctx)
	for _, g := range groups {
		fmt.Println(g.ServiceGroupName, g.NodeName, g.State)
	}
	// Output:
	// refused: swact-target-locked - controller-1 is not ready to take service, controller-1 is locked
	// oam-services controller-0 standby
	// controller-services controller-0 standby
	// directory-services controller-0 active
	// oam-services controller-1 active
	// controller-services controller-1 active
	// directory-services controller-1 active
}
