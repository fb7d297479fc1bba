// Package qemubmc is the QEMU engine of hostmgmt.BMC: it manages a
// qemu-system VM as a board management controller manages a server,
// over the VM's QMP monitor socket (github.com/digitalocean/go-qemu).
// The BMC URL scheme qemu+unix:///path/to/qmp.sock maps to New.
//
// # The VM
//
// Start QEMU with a QMP unix socket (-qmp unix:PATH,server=on,wait=off)
// and with -no-shutdown, so that a guest that powers itself off leaves
// QEMU running in state "shutdown" (powered off, still manageable)
// instead of exiting. -S starts it powered off (state "prelaunch").
// QEMU serves one client per QMP socket; give the VM a second -qmp
// socket for anything else that talks to it.
//
// # Power
//
// The power state comes from query-status: "running" is on, and so is
// "suspended" (the guest sleeps in ACPI S3 on a powered board); every
// other state QEMU names (prelaunch, paused, shutdown, guest-panicked,
// inmigrate, ...) is off, since no vCPU runs; a state QEMU adds later is
// unknown. The operations:
//
//   - on: nothing if running; system_wakeup if suspended; else
//     system_reset then cont, a fresh boot (a VM paused by someone else
//     is booted afresh, not resumed).
//   - off (forced): stop then system_reset. The VM waits in prelaunch
//     with its machine state gone, and the next on boots fresh. Nothing
//     is sent for a VM already off.
//   - reset (forced restart): system_reset then cont, so the reset of a
//     powered-off VM powers it on, as on a real server.
//   - cycle: stop (if on), system_reset, cont.
//   - soft-off: system_powerdown, the ACPI power button. Only a guest OS
//     acts on it; firmware alone (or a guest that ignores ACPI) does
//     nothing, and the call still succeeds: it was delivered.
//   - graceful-restart: hostmgmt.ErrUnimplemented. ACPI has no restart
//     button and QMP no command for it.
//
// Every reset waits for QEMU's RESET event, so a power call returns with
// the new state already in place.
//
// # Boot device
//
// QEMU has no one-time boot device at run time (-boot once= exists only
// on the command line). SetBootDevice reorders the devices' bootindex
// properties instead (qom-set; a device kind is found by walking the QOM
// tree: a NIC is PXE, an ide-cd or scsi-cd is CD, another device with a
// drive is disk): every device of the chosen kind comes first, in its
// old relative order, the others after. QEMU hands the order to the
// firmware at the next boot (the fw_cfg "bootorder" file, read when the
// firmware asks for it), so the peer itself shows the next boot device:
// the device with the lowest bootindex. A VM without a device of the
// chosen kind gets a *hostmgmt.FieldError naming boot_device, and
// nothing is changed.
//
// The choice is one-time as far as QEMU allows: the next power on,
// reset or cycle through this BMC boots from it, and the power call
// after that (or an off) first puts the VM's own order back. QEMU reads
// the order lazily, so it cannot be put back at once; until then a
// reboot the guest does itself boots from the chosen device again. The
// VM's own order is remembered by this BMC value only: a program that
// restarts in between leaves the chosen device first until the next
// SetBootDevice.
//
// # Info and sensors
//
// Info: manufacturer "QEMU"; model the machine type (qom-get /machine
// type, e.g. "pc-i440fx-7.2"); BMC firmware the QEMU version
// (query-version, with its package); serial number the VM's UUID
// (query-uuid), or its -name when it has no UUID (QMP cannot read
// -smbios type=1,serial=); the MAC addresses of its NICs (qom-get mac).
// The firmware version stays empty: QMP does not show SeaBIOS's or
// OVMF's version.
//
// Sensors: QEMU's x86 machines emulate no temperature, fan, voltage or
// power sensors. Sensors checks that the monitor answers (query-status)
// and returns an empty list.
//
// # Connections
//
// New does no I/O. The first call dials the socket and does the QMP
// handshake, bounded by the call's context and Options.ConnectTimeout;
// the connection is kept for later calls, which are serialised, and is
// dropped after an I/O error or a call whose context ended (closing it
// is what stops the wait for an answer), so the next call connects
// again. QEMU refusing a command keeps it.
//
// The connection is the engine's own small QMP client, which implements
// go-qemu's qmp.Monitor; go-qemu's qemu.Domain runs on it. go-qemu's
// qmp.SocketMonitor is not used: its reader hands out each answer in
// its bufio.Scanner's buffer and reads the next line into that same
// buffer, so an answer followed by an event (system_reset's RESET) can
// be overwritten while it is decoded. As gives the go-qemu client
// (**qemu.Domain or *qmp.Monitor), connecting if needed.
//
// # Errors
//
// Bad input is a *hostmgmt.FieldError (power_op, boot_device) and sends
// nothing. A socket that cannot be dialled (no such file, connection
// refused) wraps hostmgmt.ErrNotSent: nothing reached QEMU. Everything
// else, including a handshake that never completes and a call whose
// context ended while QEMU had it, does not: the command may have run.
// QEMU's own refusals come back as errors naming the QMP command.
//
// # Differences from StarlingX
//
// StarlingX manages servers through IPMI or Redfish BMCs only; this
// engine exists so that a whole Flock lab runs on QEMU VMs.
package qemubmc
