package inventorysql_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorysql"
)

// opener opens an empty Manager with opts for a test.
type opener func(t *testing.T, opts *inventorysql.Options) *inventorysql.Manager

// openMemory opens a Manager over SQLite in memory.
func openMemory(t *testing.T, opts *inventorysql.Options) *inventorysql.Manager {
	t.Helper()
	m, err := inventorysql.OpenMemory(t.Context(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// openURL returns an opener over the database at url.
func openURL(url string) opener {
	return func(t *testing.T, opts *inventorysql.Options) *inventorysql.Manager {
		t.Helper()
		m, err := inventorysql.Open(t.Context(), url, opts)
		require.NoError(t, err)
		t.Cleanup(func() { _ = m.Close() })
		return m
	}
}

func sqliteURL(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "flock.db") }

// alarms is a fault.Reporter that records the 250.001 alarms raised.
type alarms struct {
	mu     sync.Mutex
	active map[string]fault.Alarm // by entity instance id
	sets   int
	clears int
	fail   error
}

func newAlarms() *alarms { return &alarms{active: map[string]fault.Alarm{}} }

func (a *alarms) SetAlarm(_ context.Context, al fault.Alarm) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return "", a.fail
	}
	a.sets++
	a.active[al.EntityInstanceID] = al
	return "uuid", nil
}

func (a *alarms) ClearAlarm(_ context.Context, id, eid string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return a.fail
	}
	if _, ok := a.active[eid]; !ok {
		return fault.ErrNotFound
	}
	a.clears++
	delete(a.active, eid)
	return nil
}

func (a *alarms) has(host string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.active["host="+host]
	return ok
}

// hardware is an agent's report for a host with mac: nodes NUMA nodes
// of coresPerNode physical cores with two threads each, 32 GiB per
// node, disks disks of 100 GiB and ports ports.
func hardware(mac string, nodes, coresPerNode, disks, ports int) inventory.Report {
	r := inventory.Report{MgmtMAC: mac, SWVersion: "24.09"}
	cpu := 0
	for n := range nodes {
		r.Nodes = append(r.Nodes, inventory.Node{NumaNode: n})
		for thread := range 2 {
			for core := range coresPerNode {
				r.CPUs = append(r.CPUs, inventory.CPU{CPU: cpu, NumaNode: n, Core: n*coresPerNode + core, Thread: thread,
					CPUFamily: "6", CPUModel: "Intel(R) Xeon(R) Gold 6248"})
				cpu++
			}
		}
		r.Memory = append(r.Memory, inventory.Memory{NumaNode: n, MemTotalMiB: 30720, MemAvailMiB: 28000,
			PlatformReservedMiB: 2048, NodeMemTotalMiB: 32768, VswitchHugepagesSizeMiB: 1024, VMHugepagesPossible2M: 15000})
	}
	for d := range disks {
		name := fmt.Sprintf("sd%c", 'a'+d)
		r.Disks = append(r.Disks, inventory.Disk{DeviceNode: "/dev/" + name, DeviceNum: 2048 + d, DeviceType: inventory.DiskSSD,
			DevicePath: fmt.Sprintf("/dev/disk/by-path/pci-0000:00:1f.2-ata-%d.0", d+1), SizeMiB: 102400, AvailableMiB: 102400,
			SerialID: fmt.Sprintf("SN%04d", d)})
	}
	for p := range ports {
		r.Ports = append(r.Ports, inventory.Port{Name: fmt.Sprintf("enp0s%d", p+3), PCIAddr: fmt.Sprintf("0000:00:%02x.0", p+3),
			MAC: fmt.Sprintf("%s:%02x", mac[:14], p+16), MTU: 1500, Speed: 10000, Driver: "ixgbe", DPDKSupport: true})
	}
	return r
}

// macOf returns the management MAC of host number i.
func macOf(i int) string {
	return fmt.Sprintf("08:00:%02x:%02x:%02x:01", i>>16&0xff, i>>8&0xff, i&0xff)
}

// fixture is a small system: a management and an OAM network over their
// pools, a data network, a controller and a worker with hardware, both
// locked.
type fixture struct {
	m                  *inventorysql.Manager
	alarms             *alarms
	controller, worker inventory.Host
	mgmt, oam          inventory.Network
	mgmtPool           inventory.AddressPool
	physnet            inventory.DataNetwork
	workerIfs, ctrlIfs map[string]inventory.Interface // by name
	workerDisks        []inventory.Disk
	workerMem          []inventory.Memory
	storageHost        inventory.Host
	ctx                context.Context
	workerMAC, ctrlMAC string
	storageMAC         string
	oamPool            inventory.AddressPool
	workerCPUs         []inventory.CPU
}

func newFixture(t *testing.T, open opener) *fixture {
	t.Helper()
	ctx := t.Context()
	f := &fixture{alarms: newAlarms(), ctx: ctx, workerMAC: macOf(1), ctrlMAC: macOf(2), storageMAC: macOf(3)}
	f.m = open(t, &inventorysql.Options{Reporter: f.alarms})
	var err error
	f.mgmtPool, err = f.m.AddAddressPool(ctx, inventory.AddressPoolSpec{Name: "management", Network: "192.168.204.0", Prefix: 24,
		FloatingAddress: "192.168.204.2", Controller0Address: "192.168.204.3", Controller1Address: "192.168.204.4"})
	require.NoError(t, err)
	f.mgmt, err = f.m.AddNetwork(ctx, inventory.NetworkSpec{Name: "mgmt", Type: inventory.NetMgmt, PoolUUID: f.mgmtPool.UUID})
	require.NoError(t, err)
	f.oamPool, err = f.m.AddAddressPool(ctx, inventory.AddressPoolSpec{Name: "oam", Network: "10.10.10.0", Prefix: 24})
	require.NoError(t, err)
	f.oam, err = f.m.AddNetwork(ctx, inventory.NetworkSpec{Name: "oam", Type: inventory.NetOAM, PoolUUID: f.oamPool.UUID})
	require.NoError(t, err)
	f.physnet, err = f.m.AddDataNetwork(ctx, inventory.DataNetwork{Name: "physnet0", NetworkType: inventory.DataNetVLAN})
	require.NoError(t, err)

	f.controller, err = f.m.AddHost(ctx, inventory.HostSpec{Hostname: "controller-0", Personality: inventory.PersonalityController, MgmtMAC: f.ctrlMAC})
	require.NoError(t, err)
	f.worker, err = f.m.AddHost(ctx, inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker, MgmtMAC: f.workerMAC,
		BMIP: "10.0.0.5", BMType: "redfish", BMUsername: "root", BMPassword: "s3cr3t-bmc-pw"})
	require.NoError(t, err)
	f.storageHost, err = f.m.AddHost(ctx, inventory.HostSpec{Hostname: "storage-0", Personality: inventory.PersonalityStorage, MgmtMAC: f.storageMAC})
	require.NoError(t, err)
	for _, mac := range []string{f.ctrlMAC, f.workerMAC, f.storageMAC} {
		_, err = f.m.ReportInventory(ctx, hardware(mac, 2, 4, 3, 3))
		require.NoError(t, err)
	}
	f.workerIfs = f.ifs(t, "worker-0")
	f.ctrlIfs = f.ifs(t, "controller-0")
	f.workerDisks, err = f.m.ListDisks(ctx, "worker-0")
	require.NoError(t, err)
	f.workerMem, err = f.m.ListMemory(ctx, "worker-0")
	require.NoError(t, err)
	f.workerCPUs, err = f.m.ListCPUs(ctx, "worker-0")
	require.NoError(t, err)
	return f
}

// ifs returns a host's interfaces by name.
func (f *fixture) ifs(t *testing.T, host string) map[string]inventory.Interface {
	t.Helper()
	ifs, err := f.m.ListInterfaces(f.ctx, host)
	require.NoError(t, err)
	out := map[string]inventory.Interface{}
	for _, i := range ifs {
		out[i.IfName] = i
	}
	return out
}

// unlock unlocks a host as host maintenance does.
func (f *fixture) unlock(t *testing.T, host string) {
	t.Helper()
	_, err := f.m.SetHostStatus(f.ctx, host, inventory.HostStatus{Administrative: ptr(inventory.AdminUnlocked)})
	require.NoError(t, err)
}

func ptr[T any](v T) *T { return &v }
