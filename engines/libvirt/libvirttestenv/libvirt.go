// Package libvirttestenv starts the virtualisation components the libvirt
// engines are tested against: libvirtd (with virtlogd) driving the system
// QEMU, and a bare QEMU with a QMP socket, as child processes stopped in
// t.Cleanup (see internal/testenv). It lives in the engines/libvirt module
// so that only the tests which need them link libvirt.org/go/libvirt (cgo,
// build tag libvirt) or go-qemu.
package libvirttestenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeflock/flock/internal/testenv"
)

// Libvirtd is a running libvirtd (with its virtlogd) whose sockets are in
// a test directory. Its QEMU driver is the system one (qemu:///system):
// libvirtd runs as root, so domain state lives under /run/libvirt as usual
// and domains run under TCG when there is no KVM.
type Libvirtd struct {
	// URI reaches the QEMU driver through this daemon.
	URI string
	// TestURI reaches the daemon's test driver (test:///default).
	TestURI string
}

const libvirtInstall = "apt-get install -y libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86"

// StartLibvirtd starts virtlogd and libvirtd in the foreground (so they
// die with the test binary) and returns once libvirtd answers, which
// takes several seconds of capability probing on first start.
func StartLibvirtd(t testing.TB) *Libvirtd {
	t.Helper()
	libvirtd := testenv.LookPath(t, "libvirtd", libvirtInstall, "libvirtd")
	virtlogd := testenv.LookPath(t, "virtlogd", libvirtInstall, "virtlogd")
	virsh := testenv.LookPath(t, "virsh", libvirtInstall, "virsh")
	if os.Getuid() != 0 {
		testenv.Missing(t, "libvirtd", "run the tests as root (libvirtd's QEMU driver as a user needs a session setup)", fmt.Errorf("uid %d", os.Getuid()))
	}
	dir := t.TempDir()
	lp, err := testenv.Start(t, "virtlogd", nil, virtlogd, "-p", filepath.Join(dir, "virtlogd.pid"))
	if err != nil {
		t.Fatalf("libvirttestenv: %v", err)
	}
	// Both take up to 15 s to stop gracefully; their state is throwaway.
	lp.Grace = time.Second
	conf := filepath.Join(dir, "libvirtd.conf")
	body := fmt.Sprintf("unix_sock_dir = %q\nunix_sock_rw_perms = \"0700\"\nauth_unix_rw = \"none\"\nauth_unix_ro = \"none\"\nlog_outputs = \"3:stderr\"\n", dir)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := testenv.Start(t, "libvirtd", nil, libvirtd, "-f", conf, "-p", filepath.Join(dir, "libvirtd.pid"))
	if err != nil {
		t.Fatalf("libvirttestenv: %v", err)
	}
	p.Grace = time.Second
	sock := filepath.Join(dir, "libvirt-sock")
	l := &Libvirtd{URI: "qemu:///system?socket=" + sock, TestURI: "test:///default?socket=" + sock}
	err = testenv.WaitFor(p, 60*time.Second, func() error {
		out, err := exec.Command(virsh, "-c", l.URI, "version").CombinedOutput()
		if err != nil {
			return fmt.Errorf("virsh version: %v: %s", err, strings.TrimSpace(string(out)))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("libvirttestenv: %v", err)
	}
	return l
}
