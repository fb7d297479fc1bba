package libvirttestenv

import (
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/edgeflock/flock/internal/testenv"
)

// QEMU is a running qemu-system-x86_64 with a QMP socket: a small PC
// under TCG (no KVM needed) with no disk, so its firmware idles.
type QEMU struct {
	// QMP is the path of the QMP unix socket.
	QMP  string
	Proc *testenv.Proc
}

const qemuInstall = "apt-get install -y qemu-system-x86"

// StartQEMU starts a 64 MiB, one-CPU VM and returns once its QMP socket
// accepts connections.
func StartQEMU(t testing.TB) *QEMU {
	t.Helper()
	bin := testenv.LookPath(t, "QEMU", qemuInstall, "qemu-system-x86_64")
	sock := filepath.Join(t.TempDir(), "qmp.sock")
	p, err := testenv.Start(t, "qemu", nil, bin, "-machine", "pc", "-accel", "tcg", "-m", "64", "-smp", "1",
		"-nodefaults", "-nographic", "-display", "none", "-serial", "none",
		"-qmp", "unix:"+sock+",server=on,wait=off")
	if err != nil {
		t.Fatalf("libvirttestenv: %v", err)
	}
	err = testenv.WaitFor(p, 30*time.Second, func() error {
		c, err := net.Dial("unix", sock)
		if err != nil {
			return err
		}
		return c.Close()
	})
	if err != nil {
		t.Fatalf("libvirttestenv: %v", err)
	}
	return &QEMU{QMP: sock, Proc: p}
}
