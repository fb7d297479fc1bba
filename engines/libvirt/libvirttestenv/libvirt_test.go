//go:build libvirt

package libvirttestenv_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"libvirt.org/go/libvirt"

	"github.com/edgeflock/flock/engines/libvirt/libvirttestenv"
)

// lifecycle defines, starts, suspends, resumes, destroys and undefines a
// domain, checking its state after each step.
func lifecycle(t *testing.T, uri, xml string) {
	t.Helper()
	c, err := libvirt.NewConnect(uri)
	require.NoError(t, err)
	defer c.Close()
	d, err := c.DomainDefineXML(xml)
	require.NoError(t, err)
	defer d.Free()
	state := func() libvirt.DomainState {
		s, _, err := d.GetState()
		require.NoError(t, err)
		return s
	}
	require.Equal(t, libvirt.DOMAIN_SHUTOFF, state())
	require.NoError(t, d.Create())
	require.Equal(t, libvirt.DOMAIN_RUNNING, state())
	require.NoError(t, d.Suspend())
	require.Equal(t, libvirt.DOMAIN_PAUSED, state())
	require.NoError(t, d.Resume())
	require.Equal(t, libvirt.DOMAIN_RUNNING, state())
	require.NoError(t, d.Destroy())
	require.Equal(t, libvirt.DOMAIN_SHUTOFF, state())
	require.NoError(t, d.Undefine())
}

// TestLibvirtTestDriver uses libvirt's in-process test driver: no daemon.
func TestLibvirtTestDriver(t *testing.T) {
	lifecycle(t, "test:///default", `<domain type="test"><name>smoke</name><memory>65536</memory>
		<os><type>hvm</type></os></domain>`)
}

// TestLibvirtd runs a real QEMU domain (TCG, 64 MiB, no disk) through a
// libvirtd started by the harness.
func TestLibvirtd(t *testing.T) {
	start := time.Now()
	l := libvirttestenv.StartLibvirtd(t)
	t.Logf("libvirtd answered after %v", time.Since(start).Round(time.Millisecond))
	lifecycle(t, l.URI, `<domain type="qemu"><name>flock-smoke</name>
		<memory unit="MiB">64</memory><vcpu>1</vcpu>
		<os><type arch="x86_64" machine="pc">hvm</type></os>
		<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>`)
}
