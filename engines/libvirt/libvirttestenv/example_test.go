package libvirttestenv_test

import (
	"testing"

	"github.com/edgeflock/flock/engines/libvirt/libvirttestenv"
)

// In a test, start a VM and talk QMP to it (go-qemu's
// qmp.NewSocketMonitor("unix", vm.QMP, timeout)); the VM is killed in
// t.Cleanup.
func ExampleStartQEMU() {
	var t testing.TB // the test's *testing.T
	vm := libvirttestenv.StartQEMU(t)
	_ = vm.QMP
}

// In a test (built with -tags libvirt, run as root), start libvirtd and
// connect to its QEMU driver with libvirt.NewConnect(l.URI).
func ExampleStartLibvirtd() {
	var t testing.TB // the test's *testing.T
	l := libvirttestenv.StartLibvirtd(t)
	_ = l.URI
}
