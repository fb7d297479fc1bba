// Package libvirtbmc is a hostmgmt.BMC over a libvirt domain: the host is
// a virtual machine, and libvirt (libvirt.org/go/libvirt, cgo) plays its
// board management controller.
//
// The engine needs cgo and libvirt's C library, so it is built only with
// the build tag libvirt (go build -tags libvirt, which make test uses).
// Without the tag the package still builds (with CGO_ENABLED=0 too), and
// New returns an error wrapping hostmgmt.ErrUnimplemented.
//
//	b, err := libvirtbmc.New("qemu:///system", "controller-0", nil)
//	...
//	defer b.Close()
//	err = b.Power(ctx, hostmgmt.OpReset)
//
// # Engines
//
// The uri is any libvirt connection URI: qemu:///system, a remote
// qemu+ssh://host/system, qemu+unix:///system?socket=/path, or the
// in-process test:///default driver. The domain is a name or a UUID.
// New only checks its arguments; the connection is opened on the first
// call, kept (the test driver's domains live as long as a connection to
// it does), given keepalive, and opened again after it breaks. Each BMC
// holds one connection.
//
// The power state follows the domain's state: running, blocked, paused
// (the VM holds its memory and resumes where it was) and pmsuspended
// (ACPI S3 keeps power) are on; shut off, crashed and being shut down
// are off, as a Redfish BMC's PoweringOff is; nostate is unknown.
//
// Power operations, by the domain's state:
//
//	on                Create a shut-off domain, Resume a paused one,
//	                  PMWakeup a suspended one; a crashed domain or one
//	                  being shut down is Destroyed and Created; a running
//	                  one is left alone.
//	off               Destroy (forced); nothing when shut off.
//	reset             Reset (the guest's hardware reset) and Resume if it
//	                  was paused; Create when shut off. A suspended or
//	                  crashed domain, or one whose next boot device was
//	                  set, is Destroyed and Created instead: QEMU's reset
//	                  keeps the boot order the VM started with.
//	cycle             Destroy, then Create.
//	soft-off          Shutdown: an ACPI power button press, which acts
//	                  only when a guest OS handles it; nothing when off.
//	graceful-restart  Reboot (ACPI, through the guest); Create when shut
//	                  off, as reset does.
//
// # Boot device
//
// libvirt has no one-time boot override, so SetBootDevice makes one out of
// the domain's persistent definition: it sets the <os><boot dev=.../>
// elements to the device asked for (network, hd, cdrom), followed by the
// previous order as the firmware's fallback, and records that previous
// order in the domain's metadata (namespace MetadataNS). The next start
// through this engine (on, reset, cycle, graceful-restart of a shut-off
// domain) boots with it and then puts the previous order back, so it
// holds for one boot; the running VM keeps what it booted with. A start
// by other means (virsh start) boots from the device too, and the order
// is restored at the engine's next start. Domains that order their boot
// per device (<boot order=.../> inside <disk> or <interface>) are
// refused: the two forms cannot be mixed, and rewriting device boot
// orders is left to the domain's owner. Transient domains have no next
// start and are refused too.
//
// Info: the manufacturer is the hypervisor's type ("QEMU", "TEST"), the
// model the machine type (pc-i440fx-..., or the OS type "hvm" when none
// is set), the serial number the domain's UUID, the firmware version the
// hypervisor's ("QEMU 9.2.0") and the BMC firmware version libvirt's
// ("libvirt 11.1.0"); a <sysinfo type='smbios'> in the domain overrides
// manufacturer, model (product), serial and firmware (bios version). MAC
// addresses come from the running domain's <interface><mac/> elements.
//
// Sensors: libvirt exposes no hardware sensors, so Sensors returns an
// empty list, after checking the domain can be reached (so an unreachable
// BMC is still reported as one).
//
// As reaches the native client: a **libvirt.Connect or a **libvirt.Domain
// (the BMC's own handles: do not close or free them; they are valid until
// Close or until the engine reopens a broken connection). It reports
// false before the first call has connected.
//
// # Errors
//
// Bad input (an unknown power operation or boot device) is a
// *hostmgmt.FieldError, returned before anything is sent. An error
// opening the connection (the daemon's socket missing or refusing,
// authentication refused) wraps hostmgmt.ErrNotSent: no domain call was
// made. Any other failure may have reached libvirt and is not ErrNotSent.
// An operation the driver lacks (VIR_ERR_NO_SUPPORT) wraps
// hostmgmt.ErrUnimplemented, a missing domain hostmgmt.ErrNotFound; the
// *libvirt.Error stays reachable with errors.As.
//
// libvirt's calls take no context. Each call runs in a goroutine of its
// own and returns ctx's error when ctx ends first; the libvirt call goes
// on until libvirt returns (a power sequence such as cycle completes), and
// nothing new is sent after ctx has ended. libvirt's keepalive (which
// needs the program to run libvirt's event loop:
// libvirt.EventRegisterDefaultImpl before the first connection, and a
// goroutine calling libvirt.EventRunDefaultImpl) notices a dead peer and
// fails the calls waiting on it; without an event loop there is no
// keepalive, and a call to a dead peer ends only by its ctx.
//
// # Differences from StarlingX
//
// StarlingX drives BMCs with ipmitool and redfishtool only; a virtual lab
// puts a Redfish emulator (sushy-tools) or virtualbmc in front of libvirt.
// This engine drives libvirt directly. Its power mapping follows
// sushy-tools' libvirt driver, except that reset and graceful-restart of
// a shut-off domain start it (sushy-tools does nothing) and a domain being
// shut down reads off; its boot device holds for one boot (sushy-tools'
// and virtualbmc's stays).
package libvirtbmc

import (
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
)

// MetadataNS is the XML namespace of the engine's element in a domain's
// <metadata>: <boot restore="hd cdrom"/>, the boot order to put back
// after the next start.
const MetadataNS = "https://github.com/edgeflock/flock/engines/libvirt/libvirtbmc"

// Options tunes a BMC; nil or zero values mean the defaults.
type Options struct {
	// KeepAliveInterval is how long the connection may be idle before
	// libvirt sends a keepalive probe; 0 means 5 s, negative turns
	// keepalive off.
	KeepAliveInterval time.Duration `json:"keepalive_interval,omitempty" yaml:"keepalive_interval,omitempty"`
	// KeepAliveCount is how many probes may go unanswered before the
	// connection counts as broken; 0 means 3.
	KeepAliveCount uint `json:"keepalive_count,omitempty" yaml:"keepalive_count,omitempty"`
	// Logger gets the engine's debug messages (keepalive refused,
	// reconnects); nil discards them.
	Logger *slog.Logger `json:"-" yaml:"-"`
}

// checkArgs validates New's arguments.
func checkArgs(uri, domain string) error {
	if uri == "" {
		return &hostmgmt.FieldError{Field: "uri", Reason: "empty"}
	}
	u, err := url.Parse(uri)
	if err != nil {
		return &hostmgmt.FieldError{Field: "uri", Reason: err.Error()}
	}
	if u.Scheme == "" {
		return &hostmgmt.FieldError{Field: "uri", Reason: fmt.Sprintf("%q has no scheme (qemu:///system, test:///default ...)", uri)}
	}
	if domain == "" {
		return &hostmgmt.FieldError{Field: "domain", Reason: "empty"}
	}
	return nil
}
