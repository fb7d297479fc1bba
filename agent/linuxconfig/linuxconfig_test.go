package linuxconfig_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/agent/linuxconfig"
	"github.com/edgeflock/flock/inventory"
)

func hostConfig() inventory.HostConfig {
	return inventory.HostConfig{
		UUID: "1a2b3c4d-0000-4000-8000-000000000001", Hostname: "worker-0",
		Interfaces: []inventory.InterfaceConfig{
			{Name: "mgmt0", Type: inventory.IfEthernet, Port: "enp0s3", MAC: "52:54:00:00:00:01", MTU: 1500, Addresses: []string{"192.168.204.3/24"}},
			{Name: "cluster0", Type: inventory.IfVLAN, VLANID: 100, MTU: 1500, Uses: []string{"mgmt0"}, Addresses: []string{"192.168.206.3/24"}},
			{Name: "data0", Type: inventory.IfEthernet, Port: "enp1s0", MTU: 9000},
			{Name: "data1", Type: inventory.IfEthernet, Port: "enp2s0", MTU: 9000},
			{Name: "ae0", Type: inventory.IfAE, MTU: 9000, AEMode: "802.3ad", TxHashPolicy: "layer3+4", Uses: []string{"data0", "data1"}},
			{Name: "sriov0", Type: inventory.IfVF, Uses: []string{"data0"}},
		},
		Routes: []inventory.RouteConfig{{Interface: "mgmt0", Network: "10.0.0.0/8", Gateway: "192.168.204.1", Metric: 1}},
		CPUs:   inventory.CPUConfig{Platform: []int{0, 1}, ApplicationIsolated: []int{5, 2, 3, 4, 8}},
		Memory: []inventory.MemoryConfig{
			{NumaNode: 0, VMHugepages2M: 512, VMHugepages1G: 1, VswitchHugepages: 1, VswitchHugepageSizeMiB: 1024},
			{NumaNode: 1, VMHugepages2M: 256},
		},
	}
}

// TestFiles: each interface, VLAN and bond gets networkd's files with its
// MTU, addresses and routes; hugepages and isolated CPUs their sysctl
// and kernel arguments; a VF is left out and said so.
func TestFiles(t *testing.T) {
	files, skipped := linuxconfig.Files(hostConfig())
	assert.Equal(t, []string{"sriov0"}, skipped)
	want := map[string]string{
		"etc/systemd/network/50-flock-enp0s3.network": "[Match]\nName=enp0s3\nMACAddress=52:54:00:00:00:01\n\n[Link]\nMTUBytes=1500\n\n" +
			"[Network]\nAddress=192.168.204.3/24\nVLAN=cluster0\n\n[Route]\nDestination=10.0.0.0/8\nGateway=192.168.204.1\nMetric=1\n",
		"etc/systemd/network/50-flock-cluster0.netdev":  "[NetDev]\nName=cluster0\nKind=vlan\nMTUBytes=1500\n\n[VLAN]\nId=100\n",
		"etc/systemd/network/50-flock-cluster0.network": "[Match]\nName=cluster0\n\n[Link]\nMTUBytes=1500\n\n[Network]\nAddress=192.168.206.3/24\n",
		"etc/systemd/network/50-flock-enp1s0.network":   "[Match]\nName=enp1s0\n\n[Link]\nMTUBytes=9000\n\n[Network]\nBond=ae0\n",
		"etc/systemd/network/50-flock-enp2s0.network":   "[Match]\nName=enp2s0\n\n[Link]\nMTUBytes=9000\n\n[Network]\nBond=ae0\n",
		"etc/systemd/network/50-flock-ae0.netdev":       "[NetDev]\nName=ae0\nKind=bond\nMTUBytes=9000\n\n[Bond]\nMode=802.3ad\nTransmitHashPolicy=layer3+4\n",
		"etc/systemd/network/50-flock-ae0.network":      "[Match]\nName=ae0\n\n[Link]\nMTUBytes=9000\n\n[Network]\nLinkLocalAddressing=no\n",
		"etc/sysctl.d/90-flock-hugepages.conf":          "# Written by the Flock agent (linuxconfig): 2 MiB hugepages of every NUMA node.\nvm.nr_hugepages = 768\n",
		"etc/default/grub.d/90-flock.cfg": "# Written by the Flock agent (linuxconfig): kernel arguments, read at the next boot.\n" +
			"GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX hugepagesz=1G hugepages=2 isolcpus=managed_irq,domain,2-5,8 nohz_full=2-5,8 rcu_nocbs=2-5,8\"\n",
	}
	assert.Equal(t, want, files)
}

// TestApplyDryRun: Apply writes the files under its root, leaves
// unchanged ones alone, removes those a new configuration no longer has,
// and calls Activate with what changed.
func TestApplyDryRun(t *testing.T) {
	root := t.TempDir()
	var changed [][]string
	a, err := linuxconfig.New(root, &linuxconfig.Options{Activate: func(_ context.Context, c []string) error {
		changed = append(changed, c)
		return nil
	}})
	require.NoError(t, err)
	c := hostConfig()
	require.NoError(t, a.Apply(t.Context(), c))
	want, _ := linuxconfig.Files(c)
	for p, body := range want {
		got, err := os.ReadFile(filepath.Join(root, p))
		require.NoError(t, err, p)
		assert.Equal(t, body, string(got), p)
	}
	require.Len(t, changed, 1)
	assert.Len(t, changed[0], len(want))

	require.NoError(t, a.Apply(t.Context(), c))
	assert.Len(t, changed, 1, "nothing changed, nothing activated")

	// The VLAN and the isolated CPUs go; another's file stays.
	other := filepath.Join(root, linuxconfig.NetworkDir, "10-admin.network")
	require.NoError(t, os.WriteFile(other, []byte("[Match]\n"), 0o644))
	c.Interfaces = c.Interfaces[:1]
	c.Interfaces[0].Addresses = nil
	c.CPUs.ApplicationIsolated = nil
	c.Memory = nil
	require.NoError(t, a.Apply(t.Context(), c))
	ents, err := os.ReadDir(filepath.Join(root, linuxconfig.NetworkDir))
	require.NoError(t, err)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"10-admin.network", "50-flock-enp0s3.network"}, names)
	assert.NoFileExists(t, filepath.Join(root, linuxconfig.SysctlFile))
	assert.NoFileExists(t, filepath.Join(root, linuxconfig.GrubFile))
	require.Len(t, changed, 2)
	assert.Contains(t, changed[1], "etc/systemd/network/50-flock-cluster0.netdev")
}

func TestNewNeedsRoot(t *testing.T) {
	_, err := linuxconfig.New("", nil)
	assert.ErrorContains(t, err, "root")
}
