package qemubmc_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/go-qemu/qemu"
	"github.com/digitalocean/go-qemu/qmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
	"github.com/edgeflock/flock/hostmgmt/qemubmc"
	"github.com/edgeflock/flock/internal/testenv"
)

// open returns the engine's BMC on vm's QMP socket, closed in cleanup.
func open(t testing.TB, sock string) *qemubmc.BMC {
	t.Helper()
	b, err := qemubmc.New(sock, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// watcher is the test's own QMP connection to a VM, on its second
// socket: a few lines of JSON, so that the check does not share code
// with the engine (and go-qemu's qmp.SocketMonitor corrupts answers
// followed by events; see monitor.go).
type watcher struct {
	c      net.Conn
	r      *bufio.Reader
	events []string // the events seen while waiting for answers
}

// watch connects to vm's Watch socket.
func watch(t testing.TB, vm *testenv.QEMU) *watcher {
	t.Helper()
	c, err := net.Dial("unix", vm.Watch)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(30*time.Second)))
	w := &watcher{c: c, r: bufio.NewReader(c)}
	_, err = w.r.ReadBytes('\n') // the greeting
	require.NoError(t, err)
	w.run(t, "qmp_capabilities", nil, nil)
	return w
}

// line reads one line from QEMU.
func (w *watcher) line(t testing.TB) map[string]json.RawMessage {
	t.Helper()
	line, err := w.r.ReadBytes('\n')
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(line, &m))
	return m
}

// run sends a command and decodes its return into out.
func (w *watcher) run(t testing.TB, execute string, args, out any) {
	t.Helper()
	req := map[string]any{"execute": execute}
	if args != nil {
		req["arguments"] = args
	}
	cmd, err := json.Marshal(req)
	require.NoError(t, err)
	_, err = w.c.Write(append(cmd, '\n'))
	require.NoError(t, err)
	for {
		m := w.line(t)
		if ev, ok := m["event"]; ok {
			w.events = append(w.events, strings.Trim(string(ev), `"`))
			continue
		}
		require.NotContains(t, m, "error", "%s: %s", execute, m["error"])
		if out != nil {
			require.NoError(t, json.Unmarshal(m["return"], out))
		}
		return
	}
}

// waitEvent reads until QEMU sends the event called name.
func (w *watcher) waitEvent(t testing.TB, name string) {
	t.Helper()
	if slices.Contains(w.events, name) {
		return
	}
	for {
		m := w.line(t)
		if ev, ok := m["event"]; ok && strings.Trim(string(ev), `"`) == name {
			return
		}
	}
}

// qomGet reads a QOM property.
func qomGet(t testing.TB, w *watcher, path, prop string, out any) {
	t.Helper()
	w.run(t, "qom-get", map[string]any{"path": path, "property": prop}, out)
}

// nextBoot reads the boot device kinds' bootindex from QEMU itself and
// returns the kind that comes first.
func nextBoot(t testing.TB, vm *testenv.QEMU, d *watcher) hostmgmt.BootDevice {
	t.Helper()
	best, first := -1, hostmgmt.BootDevice("")
	for kind, path := range map[hostmgmt.BootDevice]string{hostmgmt.BootDisk: vm.Disk, hostmgmt.BootCD: vm.CD, hostmgmt.BootPXE: vm.NIC} {
		var i int
		qomGet(t, d, path, "bootindex", &i)
		if i >= 0 && (best < 0 || i < best) {
			best, first = i, kind
		}
	}
	return first
}

// refusedSocket returns the path of a unix socket nobody listens on.
func refusedSocket(t testing.TB) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "refused.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	require.NoError(t, l.Close())
	return sock
}

// silentSocket returns the path of a unix socket that accepts
// connections and never says a word, not even QMP's greeting.
func silentSocket(t testing.TB) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "silent.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	conns := make(chan net.Conn, 64)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		for {
			select {
			case c := <-conns:
				_ = c.Close()
			default:
				return
			}
		}
	})
	return sock
}

// TestConformance: the engine passes the BMC suite against a real QEMU
// VM (one per case), the next boot device read from QEMU itself.
func TestConformance(t *testing.T) {
	var last *testenv.QEMU
	var lastWatch *watcher
	hostmgmttest.RunBMCSuite(t, hostmgmttest.BMCRig{
		New: func(t *testing.T) hostmgmt.BMC {
			last, lastWatch = testenv.StartQEMU(t, nil), nil
			return open(t, last.QMP)
		},
		Unreachable: func(t *testing.T) hostmgmt.BMC { return open(t, refusedSocket(t)) },
		Slow:        func(t *testing.T) hostmgmt.BMC { return open(t, silentSocket(t)) },
		NextBoot: func(t *testing.T) hostmgmt.BootDevice {
			if lastWatch == nil {
				// QEMU serves one client per socket: one watch per VM.
				lastWatch = watch(t, last)
			}
			return nextBoot(t, last, lastWatch)
		},
		Info: func(t *testing.T, info hostmgmt.BMCInfo) {
			assert.Equal(t, "QEMU", info.Manufacturer)
			assert.True(t, strings.HasPrefix(info.Model, "pc-i440fx-"), "model %q is the machine type", info.Model)
			assert.Equal(t, last.UUID, info.SerialNumber)
			assert.Equal(t, []string{last.MAC}, info.MACAddresses)
			assert.Regexp(t, `^\d+\.\d+\.\d+`, info.BMCFirmwareVersion)
		},
		MinSensors:     0,
		RefusedNotSent: true,
		Native:         new(*qemu.Domain),
	})
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// firmwareBoots returns, for each boot SeaBIOS logged so far, the first
// device path of its boot order.
func firmwareBoots(t testing.TB, vm *testenv.QEMU) []string {
	t.Helper()
	data, err := os.ReadFile(vm.FirmwareLog)
	require.NoError(t, err)
	var first []string
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "boot order:" && i+1 < len(lines) {
			first = append(first, strings.TrimSpace(lines[i+1]))
		}
	}
	return first
}

// waitBoots waits until SeaBIOS has logged n boots and returns the
// first device of each.
func waitBoots(t testing.TB, vm *testenv.QEMU, n int) []string {
	t.Helper()
	var boots []string
	require.Eventually(t, func() bool {
		boots = firmwareBoots(t, vm)
		return len(boots) >= n
	}, 30*time.Second, 20*time.Millisecond, "SeaBIOS logged %d boots, want %d", len(boots), n)
	return boots
}

// TestOneTimeBootDevice: the firmware itself boots from the chosen
// device at the reset after SetBootDevice, and from the VM's own order
// at the reset after that.
func TestOneTimeBootDevice(t *testing.T) {
	vm := testenv.StartQEMU(t, nil)
	b := open(t, vm.QMP)
	w := watch(t, vm)
	boots := waitBoots(t, vm, 1)
	assert.Contains(t, boots[0], "disk@0", "the VM's own order starts with the disk")

	require.NoError(t, b.SetBootDevice(ctx(t), hostmgmt.BootPXE))
	assert.Equal(t, hostmgmt.BootPXE, nextBoot(t, vm, w))
	require.NoError(t, b.Power(ctx(t), hostmgmt.OpReset))
	boots = waitBoots(t, vm, 2)
	assert.Contains(t, boots[1], "ethernet", "the boot after the reset tries the NIC first")

	require.NoError(t, b.Power(ctx(t), hostmgmt.OpReset))
	boots = waitBoots(t, vm, 3)
	assert.Contains(t, boots[2], "disk@0", "the next reset boots from the VM's own order again")
	assert.Equal(t, hostmgmt.BootDisk, nextBoot(t, vm, w))
	var idx [3]int
	for i, path := range []string{vm.Disk, vm.CD, vm.NIC} {
		qomGet(t, w, path, "bootindex", &idx[i])
	}
	assert.Equal(t, [3]int{1, 2, 3}, idx, "the VM's own bootindex values are back")
}

// TestOffThenOnBootsFresh: off stops the VM (no boot while off) and on
// boots it afresh, the firmware running again from the start.
func TestOffThenOnBootsFresh(t *testing.T) {
	vm := testenv.StartQEMU(t, nil)
	b := open(t, vm.QMP)
	waitBoots(t, vm, 1)
	require.NoError(t, b.Power(ctx(t), hostmgmt.OpPowerOff))
	st, err := b.PowerState(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.PowerOff, st, "off at once: the call waited for the reset")
	assert.Len(t, firmwareBoots(t, vm), 1, "no firmware runs while off")
	require.NoError(t, b.Power(ctx(t), hostmgmt.OpPowerOff), "off of an off VM")
	require.NoError(t, b.Power(ctx(t), hostmgmt.OpPowerOn))
	st, err = b.PowerState(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.PowerOn, st)
	waitBoots(t, vm, 2)
}

// TestStartedPaused: a VM started with -S is off until powered on.
func TestStartedPaused(t *testing.T) {
	vm := testenv.StartQEMU(t, &testenv.QEMUOptions{Paused: true})
	b := open(t, vm.QMP)
	st, err := b.PowerState(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.PowerOff, st)
	require.NoError(t, b.Power(ctx(t), hostmgmt.OpPowerOn))
	st, err = b.PowerState(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.PowerOn, st)
}

// TestSoftOffPressesThePowerButton: soft-off reaches QEMU as an ACPI
// power button press (the POWERDOWN event); the firmware ignores it.
func TestSoftOffPressesThePowerButton(t *testing.T) {
	vm := testenv.StartQEMU(t, nil)
	b := open(t, vm.QMP)
	w := watch(t, vm)
	require.NoError(t, b.Power(ctx(t), hostmgmt.OpGraceful))
	w.waitEvent(t, "POWERDOWN")
}

// TestGracefulRestartIsUnimplemented: QEMU has no ACPI restart.
func TestGracefulRestartIsUnimplemented(t *testing.T) {
	b := open(t, refusedSocket(t))
	require.ErrorIs(t, b.Power(ctx(t), hostmgmt.OpGracefulRestart), hostmgmt.ErrUnimplemented)
}

// TestMissingBootDevice: a VM without a CD drive gets an error naming
// boot_device.
func TestMissingBootDevice(t *testing.T) {
	vm := testenv.StartQEMU(t, &testenv.QEMUOptions{NoDevices: true})
	b := open(t, vm.QMP)
	err := b.SetBootDevice(ctx(t), hostmgmt.BootCD)
	require.ErrorIs(t, err, hostmgmt.ErrInvalid)
	var fe *hostmgmt.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "boot_device", fe.Field)
	assert.Contains(t, fe.Reason, "no cd device")
}

// TestNoSocketIsNotSent: a socket file that does not exist is a dial
// error: nothing was sent.
func TestNoSocketIsNotSent(t *testing.T) {
	b := open(t, filepath.Join(t.TempDir(), "nothing.sock"))
	err := b.Power(ctx(t), hostmgmt.OpReset)
	require.ErrorIs(t, err, hostmgmt.ErrNotSent)
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestReconnect: after its connection breaks, the BMC connects again.
func TestReconnect(t *testing.T) {
	vm := testenv.StartQEMU(t, nil)
	b := open(t, vm.QMP)
	var mon qmp.Monitor
	require.True(t, b.As(&mon))
	var dom *qemu.Domain
	require.True(t, b.As(&dom), "As(**qemu.Domain)")
	require.NoError(t, mon.Disconnect())
	_, err := b.PowerState(ctx(t))
	require.Error(t, err, "the call on the broken connection")
	st, err := b.PowerState(ctx(t))
	require.NoError(t, err, "the next call connects again")
	assert.Equal(t, hostmgmt.PowerOn, st)
}

// TestClose: calls after Close fail.
func TestClose(t *testing.T) {
	vm := testenv.StartQEMU(t, nil)
	b := open(t, vm.QMP)
	_, err := b.PowerState(ctx(t))
	require.NoError(t, err)
	require.NoError(t, b.Close())
	_, err = b.PowerState(ctx(t))
	require.ErrorIs(t, err, qemubmc.ErrClosed)
}

// TestNewChecksItsArguments: an empty socket path and a negative
// timeout are refused, naming the field.
func TestNewChecksItsArguments(t *testing.T) {
	for name, tc := range map[string]struct {
		sock  string
		opts  *qemubmc.Options
		field string
	}{
		"no socket":        {"", nil, "socket"},
		"negative timeout": {"/x.sock", &qemubmc.Options{ConnectTimeout: -time.Second}, "connect_timeout"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := qemubmc.New(tc.sock, tc.opts)
			var fe *hostmgmt.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
}

// BenchmarkPowerState: a query-status round trip over the kept
// connection to a real QEMU.
func BenchmarkPowerState(b *testing.B) {
	vm := testenv.StartQEMU(b, nil)
	bmc := open(b, vm.QMP)
	c := ctx(b)
	for b.Loop() {
		if _, err := bmc.PowerState(c); err != nil {
			b.Fatal(err)
		}
	}
}
