package inventory_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
)

// snapshot builds a system of n workers, each with cpus logical CPUs on
// 2 NUMA nodes, 8 disks with a partition each, 6 ports each under an
// interface, one label and a route.
func snapshot(n, cpus int) inventory.Snapshot {
	s := inventory.Snapshot{
		System: inventory.System{Name: "edge", SystemType: inventory.SystemStandard, SystemMode: inventory.ModeDuplex,
			DNSServers: []string{"8.8.8.8"}, NTPServers: []string{"0.pool.ntp.org"}},
		Nodes: map[string][]inventory.Node{}, CPUs: map[string][]inventory.CPU{}, Memory: map[string][]inventory.Memory{},
		Disks: map[string][]inventory.Disk{}, Partitions: map[string][]inventory.Partition{}, Ports: map[string][]inventory.Port{},
		Interfaces: map[string][]inventory.Interface{}, Labels: map[string][]inventory.Label{}, Routes: map[string][]inventory.Route{},
		Addresses: map[string][]inventory.Address{}, LVGs: map[string][]inventory.LVG{}, PVs: map[string][]inventory.PV{},
		Stors: map[string][]inventory.Stor{},
	}
	for h := range n {
		hu := fmt.Sprintf("h-%04d", h)
		s.Hosts = append(s.Hosts, inventory.Host{UUID: hu, Hostname: fmt.Sprintf("worker-%d", h), Personality: inventory.PersonalityWorker, Subfunctions: "worker"})
		for c := range cpus {
			f := inventory.CPUApplication
			if c%(cpus/2) == 0 {
				f = inventory.CPUPlatform
			}
			s.CPUs[hu] = append(s.CPUs[hu], inventory.CPU{UUID: fmt.Sprintf("%s-c%d", hu, c), CPU: c, NumaNode: c / (cpus / 2), Core: c % (cpus / 4), Thread: c % 2, AllocatedFunction: f})
		}
		for node := range 2 {
			s.Memory[hu] = append(s.Memory[hu], inventory.Memory{NumaNode: 1 - node, MemTotalMiB: 65536, PlatformReservedMiB: 2000, VMHugepagesNr2M: 100})
		}
		for d := range 8 {
			du := fmt.Sprintf("%s-d%d", hu, d)
			s.Disks[hu] = append(s.Disks[hu], inventory.Disk{UUID: du, DevicePath: fmt.Sprintf("/dev/disk/by-path/pci-0000:00:1f.2-ata-%d", d), SizeMiB: 1 << 20})
			s.Partitions[hu] = append(s.Partitions[hu], inventory.Partition{UUID: du + "-p1", DiskUUID: du, DevicePath: fmt.Sprintf("/dev/disk/by-path/pci-0000:00:1f.2-ata-%d-part1", d), StartMiB: 1, SizeMiB: 1024, TypeGUID: inventory.LVMPartitionType})
		}
		for p := range 6 {
			iu := fmt.Sprintf("%s-i%d", hu, p)
			s.Ports[hu] = append(s.Ports[hu], inventory.Port{Name: fmt.Sprintf("eth%d", p), InterfaceUUID: iu})
			s.Interfaces[hu] = append(s.Interfaces[hu], inventory.Interface{UUID: iu, IfName: fmt.Sprintf("if%d", 5-p), IfType: inventory.IfEthernet, IfClass: inventory.IfClassPlatform, IMTU: 1500, Networks: []string{"mgmt", "cluster-host"}})
		}
		s.Addresses[hu] = append(s.Addresses[hu], inventory.Address{InterfaceUUID: hu + "-i0", Address: fmt.Sprintf("192.168.204.%d", h%250+2), Prefix: 24})
		s.Routes[hu] = append(s.Routes[hu], inventory.Route{IfName: "if5", Network: "10.10.0.0", Prefix: 16, Gateway: "192.168.204.1", Metric: 1})
		s.Labels[hu] = append(s.Labels[hu], inventory.Label{LabelKey: "sriov", LabelValue: "enabled"})
	}
	s.ServiceParameters = []inventory.ServiceParameter{
		{Service: "platform", Section: "kernel", Name: "audit", Value: "enabled", Personality: "worker"},
		{Service: "platform", Section: "config", Name: "only-controller", Value: "1", Personality: "controller"},
	}
	return s
}

func TestRender(t *testing.T) {
	s := snapshot(2, 8)
	c, err := inventory.Render(s, "h-0001")
	require.NoError(t, err)
	assert.Equal(t, "worker-1", c.Hostname)
	assert.Equal(t, []int{0, 4}, c.CPUs.Platform)
	assert.Equal(t, []int{1, 2, 3, 5, 6, 7}, c.CPUs.Application)
	require.Len(t, c.Interfaces, 6)
	assert.Equal(t, "if0", c.Interfaces[0].Name, "interfaces sorted by name")
	assert.Equal(t, "eth5", c.Interfaces[0].Port)
	assert.Equal(t, []string{"cluster-host", "mgmt"}, c.Interfaces[0].Networks)
	assert.Equal(t, []string{"192.168.204.3/24"}, c.Interfaces[5].Addresses)
	assert.Equal(t, []inventory.RouteConfig{{Interface: "if5", Network: "10.10.0.0/16", Gateway: "192.168.204.1", Metric: 1}}, c.Routes)
	require.Len(t, c.Memory, 2)
	assert.Equal(t, 0, c.Memory[0].NumaNode, "memory sorted by node")
	assert.Len(t, c.Storage.Partitions, 8)
	assert.Equal(t, map[string]string{"sriov": "enabled"}, c.Labels)
	assert.Equal(t, map[string]string{"platform.kernel.audit": "enabled"}, c.ServiceParameters, "only the worker's parameters")
	assert.Equal(t, []string{"8.8.8.8"}, c.System.DNSServers)

	_, err = inventory.Render(s, "nope")
	assert.ErrorIs(t, err, inventory.ErrNotFound)
}

func TestRenderIsDeterministicAndSurvivesJSON(t *testing.T) {
	s := snapshot(1, 8)
	a, err := inventory.Render(s, "h-0000")
	require.NoError(t, err)
	// Shuffle the order records come in: the document must not change.
	cpus := s.CPUs["h-0000"]
	for i, j := 0, len(cpus)-1; i < j; i, j = i+1, j-1 {
		cpus[i], cpus[j] = cpus[j], cpus[i]
	}
	b, err := inventory.Render(s, "h-0000")
	require.NoError(t, err)
	assert.True(t, inventory.SameConfig(a, b))

	js, err := json.Marshal(a)
	require.NoError(t, err)
	var back inventory.HostConfig
	require.NoError(t, json.Unmarshal(js, &back))
	assert.True(t, inventory.SameConfig(a, back), "a stored document compares equal to a fresh render")
}

func TestRebootRequired(t *testing.T) {
	base := snapshot(1, 8)
	old, err := inventory.Render(base, "h-0000")
	require.NoError(t, err)
	cases := []struct {
		name   string
		change func(s *inventory.Snapshot)
		same   bool
		reboot bool
	}{
		{"nothing", func(*inventory.Snapshot) {}, true, false},
		{"dns servers", func(s *inventory.Snapshot) { s.System.DNSServers = []string{"1.1.1.1"} }, false, false},
		{"label", func(s *inventory.Snapshot) { s.Labels["h-0000"][0].LabelValue = "disabled" }, false, false},
		{"cpu function", func(s *inventory.Snapshot) { s.CPUs["h-0000"][1].AllocatedFunction = inventory.CPUPlatform }, false, true},
		{"interface mtu", func(s *inventory.Snapshot) { s.Interfaces["h-0000"][0].IMTU = 9000 }, false, true},
		{"hugepages requested", func(s *inventory.Snapshot) { n := 10; s.Memory["h-0000"][0].VMHugepagesNr2MPending = &n }, false, true},
		{"partition", func(s *inventory.Snapshot) { s.Partitions["h-0000"][0].SizeMiB = 2048 }, false, true},
		{"another host's cpus", func(s *inventory.Snapshot) { s.CPUs["h-other"] = []inventory.CPU{{CPU: 0}} }, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := snapshot(1, 8)
			tc.change(&s)
			nw, err := inventory.Render(s, "h-0000")
			require.NoError(t, err)
			assert.Equal(t, tc.same, inventory.SameConfig(old, nw))
			assert.Equal(t, tc.reboot, inventory.RebootRequired(old, nw))
		})
	}
}

func TestConfigUUID(t *testing.T) {
	for range 100 {
		r := inventory.NewConfigUUID(true)
		n := inventory.NewConfigUUID(false)
		assert.True(t, inventory.ConfigRebootRequired(r), r)
		assert.False(t, inventory.ConfigRebootRequired(n), n)
		assert.Regexp(t, `^[89a-f][0-9a-f]{7}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, r)
		assert.NotEqual(t, r, n)
	}
	// StarlingX sets the bit with int | (1 << 127) on the uuid's integer.
	assert.True(t, inventory.ConfigRebootRequired("8a3e1f2c-0000-4000-8000-000000000000"))
	assert.False(t, inventory.ConfigRebootRequired("7a3e1f2c-0000-4000-8000-000000000000"))
	assert.False(t, inventory.ConfigRebootRequired(""))
	assert.False(t, inventory.ConfigRebootRequired("zz"))
}

func BenchmarkRenderAll1000(b *testing.B) {
	s := snapshot(1000, 64)
	b.ReportAllocs()
	for b.Loop() {
		for _, h := range s.Hosts {
			if _, err := inventory.Render(s, h.UUID); err != nil {
				b.Fatal(err)
			}
		}
	}
}
