package ipmibmc_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/ipmibmc"
)

// New checks its input and does no I/O; a call that IPMI cannot do, or
// bad input, fails before anything is sent.
func Example() {
	bmc, err := ipmibmc.New("192.0.2.10", &ipmibmc.Options{Username: "admin", Password: "secret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bmc.Close()
	ctx := context.Background()
	err = bmc.Power(ctx, hostmgmt.OpGracefulRestart)
	fmt.Println(errors.Is(err, hostmgmt.ErrUnimplemented))
	err = bmc.SetBootDevice(ctx, "floppy")
	fmt.Println(errors.Is(err, hostmgmt.ErrInvalid))

	_, err = ipmibmc.New("192.0.2.10:623", &ipmibmc.Options{Interface: "serial"})
	fmt.Println(err)
	// Output:
	// true
	// true
	// invalid interface: "serial" is not lan or lanplus
}
