// Command stx-bmcsim is Flock's Redfish BMC emulator (package
// hostmgmt/bmcsim): one Redfish service whose systems are virtual hosts,
// for labs and tests that need BMCs without hardware.
//
//	stx-bmcsim [--listen ADDR] [--mockup DIR] [--username NAME]
//	           (--password PASS | --password-file FILE)
//	           [--system NAME[=BACKEND]]... [--session-timeout D]
//	           [--tls-cert FILE --tls-key FILE] [--log-level LEVEL]
//
// It listens on --listen (127.0.0.1:8000) with plain HTTP, which Flock's
// redfish+http:// BMC addresses are for, or HTTPS with --tls-cert and
// --tls-key. The tree is the mockup directory --mockup (DMTF's layout,
// one system to clone) or the embedded DMTF public-rackmount1. The one
// account is --username (admin) with the password of --password or of
// the first line of --password-file.
//
// Each --system NAME (repeatable; default one system named "1") is served
// at /redfish/v1/Systems/NAME. Its backend, the host it powers, is
// chosen by BACKEND's scheme in the table openBackend: memory (the
// default: an in-memory host, powered on; "memory:?off=1" starts it off)
// or a QEMU VM through its QMP socket (qemu+unix:///path/to/qmp.sock, the
// VM started with -no-shutdown), so a Redfish reset really resets the VM.
// A libvirt domain backend (libvirt:///DOMAIN?uri=qemu:///system) needs
// the cgo engine of engines/libvirt: its stx-bmcsim-libvirt is this
// command with that backend added.
//
// On SIGTERM or SIGINT it stops taking connections, lets requests in
// flight finish (up to 10 s) and exits 0.
package main

import (
	"fmt"
	"os"

	"github.com/edgeflock/flock/internal/bmcsimcmd"
)

func main() {
	if err := bmcsimcmd.Run(os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "stx-bmcsim:", err)
		os.Exit(1)
	}
}
