package testenv

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// QEMU is a running qemu-system-x86_64: a small PC under TCG (no KVM
// needed) with two QMP sockets, started with -no-shutdown so a guest
// power-off leaves the process (and its monitors) alive in state
// "shutdown".
//
// Unless QEMUOptions.NoDevices, it has one device of each boot kind, all
// with a bootindex (disk 1, CD 2, NIC 3): an IDE disk reading zeros, an
// empty IDE CD drive and an e1000 NIC with iPXE's option ROM on a
// restricted user-mode network. SeaBIOS finds nothing to boot and
// retries, so the VM idles; its debug console (FirmwareLog) shows each
// boot's "boot order:" and "Booting from ..." lines.
type QEMU struct {
	// QMP is the path of the QMP socket for the code under test. QEMU
	// serves one client per socket at a time: a second client gets no
	// greeting until the first leaves.
	QMP string
	// Watch is a second QMP socket, for the test's own look at the VM.
	Watch string
	// FirmwareLog is the path of the file SeaBIOS's debug output
	// (isa-debugcon, port 0x402) goes to.
	FirmwareLog string
	// Name and UUID are the VM's -name and -uuid.
	Name, UUID string
	// MAC is the NIC's MAC address; Disk, CD and NIC the QOM paths of
	// the boot devices (empty with NoDevices).
	MAC           string
	Disk, CD, NIC string
	Proc          *Proc
}

// QEMUOptions shape the VM; nil means the defaults.
type QEMUOptions struct {
	// Paused starts the VM with -S: it waits in state "prelaunch" for a
	// QMP "cont", powered off as a BMC sees it.
	Paused bool
	// NoDevices leaves out the disk, the CD drive and the NIC.
	NoDevices bool
}

const qemuInstall = "apt-get install -y qemu-system-x86"

// The boot devices' QOM paths follow from their -device ids.
const (
	qemuDisk = "/machine/peripheral/disk0"
	qemuCD   = "/machine/peripheral/cd0"
	qemuNIC  = "/machine/peripheral/nic0"
)

// StartQEMU starts a 64 MiB, one-CPU VM and returns once its QMP sockets
// accept connections. The VM is killed in t.Cleanup.
func StartQEMU(t testing.TB, opts *QEMUOptions) *QEMU {
	t.Helper()
	if opts == nil {
		opts = &QEMUOptions{}
	}
	bin := LookPath(t, "QEMU", qemuInstall, "qemu-system-x86_64")
	dir := t.TempDir()
	vm := &QEMU{
		QMP:         filepath.Join(dir, "qmp.sock"),
		Watch:       filepath.Join(dir, "watch.sock"),
		FirmwareLog: filepath.Join(dir, "firmware.log"),
		Name:        "flock-" + randomToken(t)[:8],
		UUID:        uuidFrom(randomToken(t)),
	}
	args := []string{"-machine", "pc", "-accel", "tcg", "-m", "64", "-smp", "1",
		"-nodefaults", "-nographic", "-display", "none", "-serial", "none",
		"-no-shutdown", "-name", vm.Name, "-uuid", vm.UUID,
		"-chardev", "file,id=firmware,path=" + vm.FirmwareLog,
		"-device", "isa-debugcon,iobase=0x402,chardev=firmware",
		"-qmp", "unix:" + vm.QMP + ",server=on,wait=off",
		"-qmp", "unix:" + vm.Watch + ",server=on,wait=off"}
	if opts.Paused {
		args = append(args, "-S")
	}
	if !opts.NoDevices {
		vm.MAC = "52:54:00:" + strings.Join([]string{randomToken(t)[:2], randomToken(t)[:2], randomToken(t)[:2]}, ":")
		vm.Disk, vm.CD, vm.NIC = qemuDisk, qemuCD, qemuNIC
		args = append(args,
			"-blockdev", "null-co,node-name=hd0,size=16777216,read-zeroes=on",
			"-device", "ide-hd,drive=hd0,id=disk0,bootindex=1",
			"-device", "ide-cd,id=cd0,bootindex=2",
			"-netdev", "user,id=net0,restrict=on",
			"-device", "e1000,netdev=net0,id=nic0,mac="+vm.MAC+",bootindex=3")
	}
	p, err := Start(t, "qemu", nil, bin, args...)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	vm.Proc = p
	err = WaitFor(p, 30*time.Second, func() error {
		for _, sock := range []string{vm.QMP, vm.Watch} {
			if _, err := os.Stat(sock); err != nil {
				return err
			}
		}
		// A dial takes QEMU's one client slot until it is closed; QEMU
		// frees it again at once.
		c, err := net.Dial("unix", vm.Watch)
		if err != nil {
			return err
		}
		return c.Close()
	})
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return vm
}

// uuidFrom formats 32 hex digits as a UUID.
func uuidFrom(h string) string {
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
