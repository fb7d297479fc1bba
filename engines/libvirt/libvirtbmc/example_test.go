//go:build libvirt

package libvirtbmc_test

import (
	"context"
	"fmt"
	"time"

	"github.com/edgeflock/flock/engines/libvirt/libvirtbmc"
	"github.com/edgeflock/flock/hostmgmt"
)

// The BMC of the domain "test" of libvirt's in-process test driver, which
// starts running: power it off and read its power state.
func Example() {
	b, err := libvirtbmc.New("test:///default", "test", nil)
	if err != nil {
		panic(err)
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	before, err := b.PowerState(ctx)
	if err != nil {
		panic(err)
	}
	if err := b.Power(ctx, hostmgmt.OpPowerOff); err != nil {
		panic(err)
	}
	after, err := b.PowerState(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println(before, "->", after)
	// Output: on -> off
}
