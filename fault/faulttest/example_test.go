package faulttest_test

import (
	"context"
	"fmt"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulttest"
)

// The fake reporter records a daemon's calls and can fail on demand.
func ExampleFakeReporter() {
	ctx := context.Background()
	r := faulttest.NewFakeReporter()
	r.FailNext(1, nil)
	_, err := r.SetAlarm(ctx, faulttest.CPUAlarm("edge-1", fault.SeverityMajor))
	fmt.Println(err != nil)
	_, _ = r.SetAlarm(ctx, faulttest.CPUAlarm("edge-1", fault.SeverityMajor))
	_, active := r.Active("100.101", "host=edge-1")
	fmt.Println(len(r.Calls()), active)
	// Output:
	// true
	// 1 true
}
