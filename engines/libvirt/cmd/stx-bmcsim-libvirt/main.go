// Command stx-bmcsim-libvirt is stx-bmcsim (Flock's Redfish BMC emulator,
// see cmd/stx-bmcsim) with one more backend: a libvirt domain,
//
//	--system NAME=libvirt:///DOMAIN?uri=qemu:///system
//
// so that a Redfish reset of the emulated BMC really resets the domain.
// It links libvirt (cgo): build it with -tags libvirt; without the tag
// the libvirt backend answers that the binary was built without it.
package main

import (
	"fmt"
	"net/url"
	"os"

	"github.com/edgeflock/flock/engines/libvirt/libvirtbmc"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/internal/bmcsimcmd"
)

func main() {
	extra := map[string]bmcsimcmd.Backend{
		"libvirt": func(u *url.URL) (hostmgmt.BMC, error) { return libvirtbmc.NewFromURL(u, nil) },
	}
	if err := bmcsimcmd.Run(os.Args[1:], os.Stderr, extra); err != nil {
		fmt.Fprintln(os.Stderr, "stx-bmcsim-libvirt:", err)
		os.Exit(1)
	}
}
