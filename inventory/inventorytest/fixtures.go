package inventorytest

import (
	"fmt"
	"hash/fnv"
	"net"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
)

// reportConfig is what ReportFor builds.
type reportConfig struct {
	hostname  string
	nodes     int
	cores     int // physical cores per node
	threads   int // threads per core
	memMiB    int // per node
	disks     int
	ports     int
	swVersion string
}

// ReportOption changes what ReportFor builds.
type ReportOption func(*reportConfig)

// WithHostname sets the hostname the agent reports.
func WithHostname(name string) ReportOption { return func(c *reportConfig) { c.hostname = name } }

// WithNodes sets the number of NUMA nodes (default 2).
func WithNodes(n int) ReportOption { return func(c *reportConfig) { c.nodes = n } }

// WithCores sets the physical cores per NUMA node (default 4).
func WithCores(n int) ReportOption { return func(c *reportConfig) { c.cores = n } }

// WithThreads sets the threads per physical core: 2 with hyperthreading
// (the default), 1 without.
func WithThreads(n int) ReportOption { return func(c *reportConfig) { c.threads = n } }

// WithMemoryMiB sets each NUMA node's memory (default 32768 MiB).
func WithMemoryMiB(n int) ReportOption { return func(c *reportConfig) { c.memMiB = n } }

// WithDisks sets the number of disks (default 2): the first an SSD
// holding the root filesystem, the others empty HDDs.
func WithDisks(n int) ReportOption { return func(c *reportConfig) { c.disks = n } }

// WithPorts sets the number of Ethernet ports (default 2), named eno1,
// eno2, ...; the first has the management MAC.
func WithPorts(n int) ReportOption { return func(c *reportConfig) { c.ports = n } }

// WithSWVersion sets the software load the agent reports.
func WithSWVersion(v string) ReportOption { return func(c *reportConfig) { c.swVersion = v } }

// Fixture constants: what ReportFor's hardware looks like.
const (
	// PlatformReservedNode0MiB and PlatformReservedMiB are the platform
	// memory reserved on NUMA node 0 and on the other nodes.
	PlatformReservedNode0MiB = 8000
	PlatformReservedMiB      = 2000
	// RootDiskMiB and DataDiskMiB are the sizes of the first disk and of
	// the others; RootDiskAvailMiB is what the installed root leaves free
	// on the first.
	RootDiskMiB      = 512000
	RootDiskAvailMiB = 300000
	DataDiskMiB      = 1907729
)

// ReportFor returns a realistic agent report for the host whose
// management MAC is mac: by default 2 NUMA nodes of 4 physical cores
// with 2 threads each (16 logical CPUs, numbered as Linux does: the first
// threads of every core, then their siblings), 32 GiB per node, an SSD
// root disk and an empty HDD, and 2 Ethernet ports (eno1 with mac, eno2).
// CPUs carry no allocated function: the service assigns them.
func ReportFor(mac string, opts ...ReportOption) inventory.Report {
	c := reportConfig{nodes: 2, cores: 4, threads: 2, memMiB: 32768, disks: 2, ports: 2}
	for _, o := range opts {
		o(&c)
	}
	r := inventory.Report{MgmtMAC: mac, Hostname: c.hostname, SWVersion: c.swVersion}
	for n := range c.nodes {
		r.Nodes = append(r.Nodes, inventory.Node{NumaNode: n})
	}
	for t := range c.threads {
		for n := range c.nodes {
			for core := range c.cores {
				r.CPUs = append(r.CPUs, inventory.CPU{
					CPU:      t*c.nodes*c.cores + n*c.cores + core,
					NumaNode: n, Core: core, Thread: t,
					CPUFamily: "6",
					CPUModel:  "Intel(R) Xeon(R) Gold 6338N CPU @ 2.20GHz",
				})
			}
		}
	}
	for n := range c.nodes {
		reserved := PlatformReservedMiB
		if n == 0 {
			reserved = PlatformReservedNode0MiB
		}
		total := c.memMiB - reserved
		if total < 0 {
			total = 0
		}
		r.Memory = append(r.Memory, inventory.Memory{
			NumaNode:                n,
			MemTotalMiB:             total,
			MemAvailMiB:             total,
			PlatformReservedMiB:     reserved,
			NodeMemTotalMiB:         c.memMiB,
			HugepagesConfigured:     true,
			VswitchHugepagesSizeMiB: 1024,
			VMHugepagesNr4K:         total * 256,
			VMHugepagesPossible2M:   total / 2,
			VMHugepagesPossible1G:   total / 1024,
			VMHugepagesAvail2M:      total / 2,
			VMHugepagesAvail1G:      total / 1024,
		})
	}
	for i := range c.disks {
		d := inventory.Disk{
			DeviceNode: "/dev/sd" + diskLetters(i),
			DeviceNum:  2048 + 16*i,
			DevicePath: fmt.Sprintf("/dev/disk/by-path/pci-0000:00:17.0-ata-%d.0", i+1),
			DeviceWWN:  fmt.Sprintf("0x5000c500%08x", i+1),
			SerialID:   fmt.Sprintf("S4EVNX0R%06d", i+1),
			DeviceID:   fmt.Sprintf("ata-DISK_%06d", i+1),
		}
		if i == 0 {
			d.DeviceType, d.SizeMiB, d.AvailableMiB, d.RPM = inventory.DiskSSD, RootDiskMiB, RootDiskAvailMiB, "Undetermined"
			d.Capabilities = map[string]any{"stor_function": "rootfs", "model_num": "SAMSUNG MZ7LH480"}
		} else {
			d.DeviceType, d.SizeMiB, d.AvailableMiB, d.RPM = inventory.DiskHDD, DataDiskMiB, DataDiskMiB, "7200"
			d.Capabilities = map[string]any{"model_num": "ST2000NM0055"}
		}
		r.Disks = append(r.Disks, d)
	}
	hw, err := net.ParseMAC(mac)
	for i := range c.ports {
		pmac := mac
		if err == nil && len(hw) == 6 {
			p := append(net.HardwareAddr(nil), hw...)
			p[5] += byte(i)
			pmac = p.String()
		}
		r.Ports = append(r.Ports, inventory.Port{
			Name:    PortName(i),
			PCIAddr: fmt.Sprintf("0000:%02x:00.%d", 0x18+i/2, i%2),
			PClass:  "Ethernet controller", PVendor: "Intel Corporation",
			PDevice: "Ethernet Controller X710 for 10GbE SFP+", PSVendor: "Intel Corporation",
			PSDevice: "Ethernet Converged Network Adapter X710-2", DPDKSupport: true,
			NumaNode: i % c.nodes, SRIOVTotalVFs: 64, Driver: "i40e",
			MAC: pmac, MTU: 1500, Speed: 10000, LinkMode: "0", BootP: i == 0,
		})
	}
	return r
}

// diskLetters names disk i as Linux does: a ... z, aa, ab ...
func diskLetters(i int) string {
	if i < 26 {
		return string(rune('a' + i))
	}
	return diskLetters(i/26-1) + string(rune('a'+i%26))
}

// PortName returns the name ReportFor gives the i-th port (from 0):
// eno1, eno2, ...
func PortName(i int) string { return fmt.Sprintf("eno%d", i+1) }

// MAC returns a locally administered MAC address derived from name, the
// same for the same name, so that tests need not invent them.
func MAC(name string) string {
	h := fnv.New64a()
	h.Write([]byte(name))
	s := h.Sum64()
	hw := net.HardwareAddr{0x02, byte(s >> 32), byte(s >> 24), byte(s >> 16), byte(s >> 8), byte(s)}
	return hw.String()
}

// NewLockedHost adds a host named name with personality p and the
// management MAC MAC(name), then reports its hardware (ReportFor with
// opts) as its agent would, and returns the host as the service has it
// now: locked, with its inventory. It fails the test on any error.
func NewLockedHost(t testing.TB, svc inventory.Service, name string, p inventory.Personality, opts ...ReportOption) inventory.Host {
	t.Helper()
	ctx := t.Context()
	h, err := svc.AddHost(ctx, inventory.HostSpec{Hostname: name, Personality: p, MgmtMAC: MAC(name)})
	require.NoError(t, err, "add host %s", name)
	rh, err := svc.ReportInventory(ctx, ReportFor(MAC(name), opts...))
	require.NoError(t, err, "report inventory of %s", name)
	require.Equal(t, h.UUID, rh.UUID, "the report of %s's MAC went to another host", name)
	h, err = svc.GetHost(ctx, h.UUID)
	require.NoError(t, err)
	require.Equal(t, inventory.AdminLocked, h.Administrative, "a new host starts locked")
	return h
}

// PlatformNetworks creates the platform networks a host needs before it
// can be unlocked (mgmt and cluster-host, dynamic, and oam) with their
// address pools. Call it once per service.
func PlatformNetworks(t *testing.T, svc inventory.Service) {
	t.Helper()
	platformNetworks(t, svc)
}

// NewReadyHost is NewLockedHost followed by what the operator does
// before the first unlock: a platform interface on the first port,
// assigned to the mgmt and cluster-host networks (PlatformNetworks must
// exist). CheckUnlock accepts the host it returns.
func NewReadyHost(t *testing.T, svc inventory.Service, name string, p inventory.Personality, opts ...ReportOption) inventory.Host {
	t.Helper()
	h := NewLockedHost(t, svc, name, p, opts...)
	readyHost(t, svc, h.UUID)
	require.NoError(t, svc.CheckUnlock(t.Context(), h.UUID), "CheckUnlock of the ready host %s", name)
	h, err := svc.GetHost(t.Context(), h.UUID)
	require.NoError(t, err)
	return h
}
