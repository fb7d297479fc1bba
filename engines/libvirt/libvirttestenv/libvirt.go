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
	"syscall"
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
	lockLibvirtd(t)
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
	args := []string{libvirtd, "-f", conf, "-p", filepath.Join(dir, "libvirtd.pid")}
	bin := libvirtd
	if _, err := os.Stat("/dev/kvm"); err == nil {
		// A /dev/kvm that exists but cannot run a VM (this VM's nested
		// case) makes libvirtd re-probe QEMU's capabilities on every
		// domain define and start (~16 s each): it keeps finding KVM
		// "usable now". Tests run TCG, so libvirtd gets its own mount
		// namespace where /dev/kvm is an unusable file, and a qemu.conf
		// with no per-domain namespaces (which would try to mount it).
		bin, args = maskKVM(t, dir, args)
	}
	p, err := testenv.Start(t, "libvirtd", nil, bin, args...)
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

// maskKVM returns the command that runs args (libvirtd and its flags) in
// a private mount namespace with /dev/kvm covered by a mode-000 file and
// /etc/libvirt/qemu.conf by a copy that adds namespaces = [].
func maskKVM(t testing.TB, dir string, args []string) (string, []string) {
	t.Helper()
	unshare := testenv.LookPath(t, "unshare (util-linux)", "apt-get install -y util-linux", "unshare")
	noKVM := filepath.Join(dir, "no-kvm")
	if err := os.WriteFile(noKVM, nil, 0o000); err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile("/etc/libvirt/qemu.conf")
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	qemuConf := filepath.Join(dir, "qemu.conf")
	if err := os.WriteFile(qemuConf, append(base, "\nnamespaces = []\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	script := fmt.Sprintf("mount --bind '%s' /dev/kvm && mount --bind '%s' /etc/libvirt/qemu.conf && exec %s",
		noKVM, qemuConf, strings.Join(quoted, " "))
	return unshare, []string{"--mount", "--propagation", "private", "sh", "-c", script}
}

// lockLibvirtd makes this test binary the only one running a libvirtd
// until t ends: the system QEMU driver's state (/run/libvirt, the
// persistent domains, virtlogd's socket) is one per machine, and test
// packages run in parallel. A second call in the same binary waits for
// the first one's test to end.
func lockLibvirtd(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "flock-libvirttestenv.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatalf("libvirttestenv: lock: %v", err)
	}
	t.Cleanup(func() { f.Close() }) // closing releases the lock
}
