package libvirttestenv_test

import (
	"testing"
	"time"

	"github.com/digitalocean/go-qemu/qemu"
	"github.com/digitalocean/go-qemu/qmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/engines/libvirt/libvirttestenv"
)

// TestQEMU: status, stop/cont, the POWERDOWN event of system_powerdown,
// and quit, with go-qemu over QMP.
func TestQEMU(t *testing.T) {
	vm := libvirttestenv.StartQEMU(t)
	mon, err := qmp.NewSocketMonitor("unix", vm.QMP, 2*time.Second)
	require.NoError(t, err)
	require.NoError(t, mon.Connect())
	d, err := qemu.NewDomain(mon, "smoke")
	require.NoError(t, err)
	defer d.Close()
	events, done, err := d.Events()
	require.NoError(t, err)
	defer close(done)

	st, err := d.Status()
	require.NoError(t, err)
	assert.Equal(t, qemu.StatusRunning, st)

	_, err = d.Run(qmp.Command{Execute: "stop"})
	require.NoError(t, err)
	waitEvent(t, events, "STOP")
	st, err = d.Status()
	require.NoError(t, err)
	assert.Equal(t, qemu.StatusPaused, st)

	_, err = d.Run(qmp.Command{Execute: "cont"})
	require.NoError(t, err)
	waitEvent(t, events, "RESUME")
	st, err = d.Status()
	require.NoError(t, err)
	assert.Equal(t, qemu.StatusRunning, st)

	require.NoError(t, d.SystemPowerdown())
	waitEvent(t, events, "POWERDOWN")

	_, err = d.Run(qmp.Command{Execute: "quit"})
	require.NoError(t, err)
	select {
	case <-vm.Proc.Exited:
	case <-time.After(10 * time.Second):
		t.Fatal("qemu did not exit after quit")
	}
}

func waitEvent(t *testing.T, events <-chan qmp.Event, name string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-events:
			if e.Event == name {
				return
			}
		case <-timeout:
			t.Fatalf("no %s event within 10 s", name)
		}
	}
}
