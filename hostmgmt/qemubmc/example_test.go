package qemubmc_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/qemubmc"
)

// A BMC for a VM started with
// -qmp unix:/run/vm1/qmp.sock,server=on,wait=off -no-shutdown. New does
// no I/O; the first call connects. Here no VM listens: the call fails
// before sending anything, so the shared layer (hostmgmt.Retry) may try
// it again. Bad input is refused before any I/O.
func Example() {
	b, err := qemubmc.New("/run/vm1/qmp.sock", &qemubmc.Options{ConnectTimeout: 2 * time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	_, err = b.PowerState(ctx)
	fmt.Println("not sent:", errors.Is(err, hostmgmt.ErrNotSent))
	fmt.Println(b.SetBootDevice(ctx, "floppy"))
	// Output:
	// not sent: true
	// invalid boot_device: "floppy" is not one of pxe, disk, cd
}
