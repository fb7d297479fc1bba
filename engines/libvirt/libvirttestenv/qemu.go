package libvirttestenv

import (
	"testing"

	"github.com/edgeflock/flock/internal/testenv"
)

// QEMU is a running qemu-system-x86_64 with QMP sockets: the core
// module's testenv.QEMU.
type QEMU = testenv.QEMU

// StartQEMU starts a 64 MiB, one-CPU VM with no disk, CD or NIC, so its
// firmware idles, and returns once its QMP socket accepts connections
// (testenv.StartQEMU with NoDevices).
func StartQEMU(t testing.TB) *QEMU {
	t.Helper()
	return testenv.StartQEMU(t, &testenv.QEMUOptions{NoDevices: true})
}
