package inventorysql_test

import (
	"database/sql"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultsql"
	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorysql"
)

// TestFieldErrors: bad input is a *FieldError naming the JSON field, and
// nothing is written.
func TestFieldErrors(t *testing.T) {
	f := newFixture(t, openMemory)
	ctx := f.ctx
	m := f.m
	ifUUID := f.workerIfs["enp0s3"].UUID
	cases := []struct {
		name  string
		field string
		do    func() error
	}{
		{"hostname with underscore", "hostname", func() error {
			_, err := m.AddHost(ctx, inventory.HostSpec{Hostname: "worker_1", Personality: inventory.PersonalityWorker})
			return err
		}},
		{"hostname label too long", "hostname", func() error {
			_, err := m.AddHost(ctx, inventory.HostSpec{Hostname: "a234567890123456789012345678901234567890123456789012345678901234", Personality: inventory.PersonalityWorker})
			return err
		}},
		{"hostname ending with a hyphen", "hostname", func() error {
			_, err := m.AddHost(ctx, inventory.HostSpec{Hostname: "worker-", Personality: inventory.PersonalityWorker})
			return err
		}},
		{"unknown personality", "personality", func() error {
			_, err := m.AddHost(ctx, inventory.HostSpec{Hostname: "w1", Personality: "compute"})
			return err
		}},
		{"missing personality", "personality", func() error {
			_, err := m.AddHost(ctx, inventory.HostSpec{Hostname: "w1"})
			return err
		}},
		{"bad MAC", "mgmt_mac", func() error {
			_, err := m.AddHost(ctx, inventory.HostSpec{Hostname: "w1", Personality: inventory.PersonalityWorker, MgmtMAC: "08:00:27:zz:00:01"})
			return err
		}},
		{"bad BMC address", "bm_ip", func() error {
			_, err := m.AddHost(ctx, inventory.HostSpec{Hostname: "w1", Personality: inventory.PersonalityWorker, BMIP: "10.0.0.300"})
			return err
		}},
		{"bad BMC type", "bm_type", func() error {
			_, err := m.AddHost(ctx, inventory.HostSpec{Hostname: "w1", Personality: inventory.PersonalityWorker, BMType: "ilo"})
			return err
		}},
		{"bad subfunctions", "subfunctions", func() error {
			_, err := m.AddHost(ctx, inventory.HostSpec{Hostname: "w1", Personality: inventory.PersonalityWorker, Subfunctions: "worker,gpu"})
			return err
		}},
		{"bad install output", "install_output", func() error {
			_, err := m.AddHost(ctx, inventory.HostSpec{Hostname: "w1", Personality: inventory.PersonalityWorker, InstallOutput: "vga"})
			return err
		}},
		{"bad host in a bulk add", "mgmt_mac", func() error {
			_, err := m.AddHosts(ctx, []inventory.HostSpec{{Hostname: "w1", Personality: inventory.PersonalityWorker},
				{Hostname: "w2", Personality: inventory.PersonalityWorker, MgmtMAC: "nope"}})
			return err
		}},
		{"bad status", "administrative", func() error {
			_, err := m.SetHostStatus(ctx, "worker-0", inventory.HostStatus{Administrative: ptr(inventory.AdminState("open"))})
			return err
		}},
		{"negative uptime", "uptime", func() error {
			_, err := m.SetHostStatus(ctx, "worker-0", inventory.HostStatus{Uptime: ptr[int64](-1)})
			return err
		}},
		{"CPU function application", "function", func() error {
			_, err := m.ModifyCPUs(ctx, "worker-0", inventory.CPUModify{Function: inventory.CPUApplication, Cores: map[int]int{0: 1}})
			return err
		}},
		{"more cores than the processor has", "cores", func() error {
			_, err := m.ModifyCPUs(ctx, "worker-0", inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{0: 5}})
			return err
		}},
		{"no such processor", "cores", func() error {
			_, err := m.ModifyCPUs(ctx, "worker-0", inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{3: 1}})
			return err
		}},
		{"negative hugepages", "vm_hugepages_nr_2M_pending", func() error {
			_, err := m.ModifyMemory(ctx, "worker-0", 0, inventory.MemoryUpdate{VMHugepagesNr2M: ptr(-1)})
			return err
		}},
		{"bad vswitch page size", "vswitch_hugepages_size_mib", func() error {
			_, err := m.ModifyMemory(ctx, "worker-0", 0, inventory.MemoryUpdate{VswitchHugepagesSizeMiB: ptr(4)})
			return err
		}},
		{"partition of size 0", "size_mib", func() error {
			_, err := m.AddPartition(ctx, "worker-0", inventory.PartitionSpec{DiskUUID: f.workerDisks[1].UUID})
			return err
		}},
		{"unknown volume group", "lvm_vg_name", func() error {
			_, err := m.AddLVG(ctx, "worker-0", "data-vg")
			return err
		}},
		{"bad stor function", "function", func() error {
			_, err := m.AddStor(ctx, "worker-0", inventory.StorSpec{Function: "mon", DiskUUID: f.workerDisks[1].UUID})
			return err
		}},
		{"interface name too long", "ifname", func() error {
			_, err := m.AddInterface(ctx, "worker-0", inventory.InterfaceSpec{IfName: "a-very-long-interface", IfType: inventory.IfVirtual})
			return err
		}},
		{"bad interface type", "iftype", func() error {
			_, err := m.AddInterface(ctx, "worker-0", inventory.InterfaceSpec{IfName: "x0", IfType: "bridge"})
			return err
		}},
		{"VLAN id 0", "vlan_id", func() error {
			_, err := m.AddInterface(ctx, "worker-0", inventory.InterfaceSpec{IfName: "v0", IfType: inventory.IfVLAN, Uses: []string{"enp0s3"}})
			return err
		}},
		{"VLAN over a missing interface", "uses", func() error {
			_, err := m.AddInterface(ctx, "worker-0", inventory.InterfaceSpec{IfName: "v0", IfType: inventory.IfVLAN, VLANID: 5, Uses: []string{"eth9"}})
			return err
		}},
		{"bad AE mode", "aemode", func() error {
			_, err := m.AddInterface(ctx, "worker-0", inventory.InterfaceSpec{IfName: "bond0", IfType: inventory.IfAE, AEMode: "round-robin", Uses: []string{"enp0s3"}})
			return err
		}},
		{"MTU too small", "imtu", func() error {
			_, err := m.UpdateInterface(ctx, ifUUID, inventory.InterfaceUpdate{IMTU: ptr(100)})
			return err
		}},
		{"data network on a platform interface", "datanetworks", func() error {
			_, err := m.UpdateInterface(ctx, ifUUID, inventory.InterfaceUpdate{IfClass: ptr(inventory.IfClassPlatform), DataNetworks: &[]string{"physnet0"}})
			return err
		}},
		{"unknown data network", "datanetworks", func() error {
			_, err := m.UpdateInterface(ctx, ifUUID, inventory.InterfaceUpdate{IfClass: ptr(inventory.IfClassData), DataNetworks: &[]string{"physnet9"}})
			return err
		}},
		{"ethernet interface on a missing port", "port", func() error {
			_, err := m.AddInterface(ctx, "worker-0", inventory.InterfaceSpec{IfName: "e9", IfType: inventory.IfEthernet, Port: "eth9"})
			return err
		}},
		{"network type", "type", func() error {
			_, err := m.AddNetwork(ctx, inventory.NetworkSpec{Name: "n", Type: "public", PoolUUID: f.oamPool.UUID})
			return err
		}},
		{"network pool", "pool_uuid", func() error {
			_, err := m.AddNetwork(ctx, inventory.NetworkSpec{Name: "n", Type: inventory.NetStorage, PoolUUID: "nope"})
			return err
		}},
		{"pool network with host bits", "network", func() error {
			_, err := m.AddAddressPool(ctx, inventory.AddressPoolSpec{Name: "p", Network: "10.30.0.1", Prefix: 24})
			return err
		}},
		{"pool prefix", "prefix", func() error {
			_, err := m.AddAddressPool(ctx, inventory.AddressPoolSpec{Name: "p", Network: "10.30.0.0", Prefix: 33})
			return err
		}},
		{"pool gateway outside", "gateway_address", func() error {
			_, err := m.AddAddressPool(ctx, inventory.AddressPoolSpec{Name: "p", Network: "10.30.0.0", Prefix: 24, GatewayAddress: "10.31.0.1"})
			return err
		}},
		{"pool order", "order", func() error {
			_, err := m.AddAddressPool(ctx, inventory.AddressPoolSpec{Name: "p", Network: "10.30.0.0", Prefix: 24, Order: "first"})
			return err
		}},
		{"data network type", "network_type", func() error {
			_, err := m.AddDataNetwork(ctx, inventory.DataNetwork{Name: "d", NetworkType: "gre"})
			return err
		}},
		{"vxlan multicast group", "multicast_group", func() error {
			_, err := m.AddDataNetwork(ctx, inventory.DataNetwork{Name: "d", NetworkType: inventory.DataNetVXLAN, MulticastGroup: "10.0.0.1"})
			return err
		}},
		{"label key", "label_key", func() error {
			_, err := m.AssignLabels(ctx, "worker-0", map[string]string{"-bad": "x"}, false)
			return err
		}},
		{"label value", "label_value", func() error {
			_, err := m.AssignLabels(ctx, "worker-0", map[string]string{"ok": "has space"}, false)
			return err
		}},
		{"DNS server", "dns_servers", func() error {
			_, err := m.UpdateSystem(ctx, inventory.SystemUpdate{DNSServers: &[]string{"dns.example.com"}})
			return err
		}},
		{"too many NTP servers", "ntp_servers", func() error {
			_, err := m.UpdateSystem(ctx, inventory.SystemUpdate{NTPServers: &[]string{"a", "b", "c", "d"}})
			return err
		}},
		{"system mode", "system_mode", func() error {
			_, err := m.UpdateSystem(ctx, inventory.SystemUpdate{SystemMode: ptr(inventory.SystemMode("triplex"))})
			return err
		}},
		{"storage backend", "backend", func() error {
			_, err := m.AddStorageBackend(ctx, inventory.StorageBackendSpec{Backend: "nfs"})
			return err
		}},
		{"service parameter section", "section", func() error {
			_, err := m.AddServiceParameters(ctx, "platform", "", map[string]string{"a": "b"}, "", "")
			return err
		}},
		{"service parameter personality", "personality", func() error {
			_, err := m.AddServiceParameters(ctx, "platform", "config", map[string]string{"a": "b"}, "compute", "")
			return err
		}},
		{"report without MAC", "mgmt_mac", func() error {
			_, err := m.ReportInventory(ctx, inventory.Report{})
			return err
		}},
		{"report with a CPU twice", "icpus", func() error {
			r := hardware(macOf(50), 1, 1, 0, 0)
			r.CPUs[1].CPU = 0
			_, err := m.ReportInventory(ctx, r)
			return err
		}},
		{"config uuid", "config_applied", func() error {
			_, err := m.ReportConfigApplied(ctx, "worker-0", "not-a-uuid")
			return err
		}},
	}
	before, err := m.Snapshot(ctx)
	require.NoError(t, err)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			var fe *inventory.FieldError
			require.ErrorAs(t, err, &fe, "%v", err)
			assert.Equal(t, tc.field, fe.Field, "%v", err)
			assert.ErrorIs(t, err, inventory.ErrInvalid)
		})
	}
	after, err := m.Snapshot(ctx)
	require.NoError(t, err)
	assert.Equal(t, before, after, "nothing written")
}

// TestCPUModify: on each processor named, the first N physical cores
// (both threads) get the function, in sysinv's order.
func TestCPUModify(t *testing.T) {
	f := newFixture(t, openMemory)
	ctx := f.ctx
	fn := func(cpus []inventory.CPU) map[int]inventory.CPUFunction {
		out := map[int]inventory.CPUFunction{}
		for _, c := range cpus {
			out[c.CPU] = c.AllocatedFunction
		}
		return out
	}
	// 2 nodes × 4 cores × 2 threads: node 0 cores 0-3 are cpus 0-3 and
	// 4-7, node 1 cores 4-7 are cpus 8-11 and 12-15.
	initial := fn(f.workerCPUs)
	assert.Equal(t, inventory.CPUPlatform, initial[0])
	assert.Equal(t, inventory.CPUPlatform, initial[4], "the hyperthread of core 0")
	assert.Equal(t, inventory.CPUApplication, initial[1])

	cpus, err := f.m.ModifyCPUs(ctx, "worker-0", inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{0: 2}})
	require.NoError(t, err)
	got := fn(cpus)
	for cpu, want := range map[int]inventory.CPUFunction{0: "Platform", 1: "Platform", 4: "Platform", 5: "Platform", 2: "Application", 6: "Application", 8: "Application"} {
		assert.Equal(t, want, got[cpu], "cpu %d", cpu)
	}
	cpus, err = f.m.ModifyCPUs(ctx, "worker-0", inventory.CPUModify{Function: inventory.CPUVswitch, Cores: map[int]int{0: 1, 1: 2}})
	require.NoError(t, err)
	got = fn(cpus)
	for cpu, want := range map[int]inventory.CPUFunction{0: "Platform", 1: "Platform", 2: "Vswitch", 6: "Vswitch", 3: "Application",
		8: "Vswitch", 9: "Vswitch", 12: "Vswitch", 13: "Vswitch", 10: "Application"} {
		assert.Equal(t, want, got[cpu], "cpu %d", cpu)
	}
	cpus, err = f.m.ModifyCPUs(ctx, "worker-0", inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{0: 1}})
	require.NoError(t, err)
	got = fn(cpus)
	for cpu, want := range map[int]inventory.CPUFunction{0: "Platform", 4: "Platform", 1: "Vswitch", 5: "Vswitch", 2: "Application"} {
		assert.Equal(t, want, got[cpu], "cpu %d: fewer platform cores, the vswitch core moves up", cpu)
	}
	listed, err := f.m.ListCPUs(ctx, "worker-0")
	require.NoError(t, err)
	assert.Equal(t, cpus, listed)
}

// TestProvisioning: invprovision follows the first unlock and the first
// enable; the host is locked, disabled, offline when added.
func TestProvisioning(t *testing.T) {
	f := newFixture(t, openMemory)
	ctx := f.ctx
	h := f.worker
	assert.Equal(t, inventory.AdminLocked, h.Administrative)
	assert.Equal(t, inventory.OperDisabled, h.Operational)
	assert.Equal(t, inventory.AvailOffline, h.Availability)
	assert.Equal(t, inventory.Unprovisioned, h.InvProvision)
	h, err := f.m.SetHostStatus(ctx, "worker-0", inventory.HostStatus{Availability: ptr(inventory.AvailOnline)})
	require.NoError(t, err)
	assert.Equal(t, inventory.Unprovisioned, h.InvProvision)
	h, err = f.m.SetHostStatus(ctx, h.UUID, inventory.HostStatus{Administrative: ptr(inventory.AdminUnlocked)})
	require.NoError(t, err)
	assert.Equal(t, inventory.Provisioning, h.InvProvision)
	h, err = f.m.SetHostStatus(ctx, "worker-0", inventory.HostStatus{Operational: ptr(inventory.OperEnabled),
		Availability: ptr(inventory.AvailAvailable), Task: ptr(""), Uptime: ptr[int64](120)})
	require.NoError(t, err)
	assert.Equal(t, inventory.Provisioned, h.InvProvision)
	assert.Equal(t, int64(120), h.Uptime)
	h, err = f.m.SetHostStatus(ctx, "worker-0", inventory.HostStatus{Administrative: ptr(inventory.AdminLocked), Operational: ptr(inventory.OperDisabled)})
	require.NoError(t, err)
	assert.Equal(t, inventory.Provisioned, h.InvProvision, "provisioned stays")
	byID, err := f.m.GetHost(ctx, itoa(h.ID))
	require.NoError(t, err)
	assert.Equal(t, h, byID, "a host is named by its id too")
}

// TestReportInventory: an unknown MAC makes a host with only its MAC;
// a second report replaces the hardware but keeps what operators set.
func TestReportInventory(t *testing.T) {
	f := newFixture(t, openMemory)
	ctx := f.ctx
	mac := macOf(77)
	h, err := f.m.ReportInventory(ctx, hardware(mac, 1, 2, 2, 2))
	require.NoError(t, err)
	assert.Equal(t, mac, h.MgmtMAC)
	assert.Empty(t, h.Personality)
	assert.Empty(t, h.Hostname)
	assert.Empty(t, h.ConfigTarget, "no document before it has a personality")
	cpus, err := f.m.ListCPUs(ctx, h.UUID)
	require.NoError(t, err)
	assert.Len(t, cpus, 4)
	ports, err := f.m.ListPorts(ctx, h.UUID)
	require.NoError(t, err)
	require.Len(t, ports, 2)
	assert.NotEmpty(t, ports[0].InterfaceUUID, "each port gets an ethernet interface")

	// The operator names it and configures it.
	h, err = f.m.UpdateHost(ctx, h.UUID, inventory.HostUpdate{Hostname: ptr("worker-7"), Personality: ptr(inventory.PersonalityWorker)})
	require.NoError(t, err)
	assert.NotEmpty(t, h.ConfigTarget)
	_, err = f.m.ModifyCPUs(ctx, "worker-7", inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{0: 2}})
	require.NoError(t, err)
	_, err = f.m.ModifyMemory(ctx, "worker-7", 0, inventory.MemoryUpdate{VMHugepagesNr1G: ptr(4)})
	require.NoError(t, err)
	disks, err := f.m.ListDisks(ctx, "worker-7")
	require.NoError(t, err)
	p, err := f.m.AddPartition(ctx, "worker-7", inventory.PartitionSpec{DiskUUID: disks[1].UUID, SizeMiB: 2048})
	require.NoError(t, err)

	// The agent reports again: one disk less, one port more.
	r := hardware(mac, 1, 2, 2, 3)
	r.CPUs[0].CPUModel = "newer"
	r.Memory[0].MemAvailMiB = 1234
	r.Disks = r.Disks[1:]
	h2, err := f.m.ReportInventory(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, h.UUID, h2.UUID)
	assert.Equal(t, "worker-7", h2.Hostname)
	cpus2, err := f.m.ListCPUs(ctx, "worker-7")
	require.NoError(t, err)
	require.Len(t, cpus2, 4)
	for i := range cpus2 {
		assert.Equal(t, cpus[i].UUID, cpus2[i].UUID)
		assert.Equal(t, inventory.CPUPlatform, cpus2[i].AllocatedFunction, "the operator's function stays")
	}
	assert.Equal(t, "newer", cpus2[0].CPUModel)
	mem, err := f.m.ListMemory(ctx, "worker-7")
	require.NoError(t, err)
	assert.Equal(t, 1234, mem[0].MemAvailMiB)
	require.NotNil(t, mem[0].VMHugepagesNr1GPending)
	assert.Equal(t, 4, *mem[0].VMHugepagesNr1GPending, "the pending hugepages stay")
	disks2, err := f.m.ListDisks(ctx, "worker-7")
	require.NoError(t, err)
	require.Len(t, disks2, 1)
	assert.Equal(t, disks[1].UUID, disks2[0].UUID)
	assert.Equal(t, disks[1].AvailableMiB-2048, disks2[0].AvailableMiB, "the partition's space stays taken")
	parts, err := f.m.ListPartitions(ctx, "worker-7", "")
	require.NoError(t, err)
	require.Len(t, parts, 1)
	assert.Equal(t, p.UUID, parts[0].UUID, "the operator's partition stays")
	ports, err = f.m.ListPorts(ctx, "worker-7")
	require.NoError(t, err)
	assert.Len(t, ports, 3)
	ifs, err := f.m.ListInterfaces(ctx, "worker-7")
	require.NoError(t, err)
	assert.Len(t, ifs, 3)
}

// TestReportAdoptsHostAddedWithoutMAC: the agent's hostname names a
// host added without a MAC, which gets the MAC.
func TestReportAdoptsHostAddedWithoutMAC(t *testing.T) {
	m := openMemory(t, nil)
	ctx := t.Context()
	added, err := m.AddHost(ctx, inventory.HostSpec{Hostname: "edge-1", Personality: inventory.PersonalityWorker})
	require.NoError(t, err)
	r := hardware(macOf(5), 1, 2, 1, 1)
	r.Hostname = "edge-1"
	h, err := m.ReportInventory(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, added.UUID, h.UUID)
	assert.Equal(t, macOf(5), h.MgmtMAC)
	hs, err := m.ListHosts(ctx)
	require.NoError(t, err)
	assert.Len(t, hs, 1)
}

// TestPartitions: partitions follow one another on a disk, grow only at
// the end, and give their space back.
func TestPartitions(t *testing.T) {
	f := newFixture(t, openMemory)
	ctx := f.ctx
	d := f.workerDisks[0]
	p1, err := f.m.AddPartition(ctx, "worker-0", inventory.PartitionSpec{DiskUUID: d.UUID, SizeMiB: 1000})
	require.NoError(t, err)
	p2, err := f.m.AddPartition(ctx, "worker-0", inventory.PartitionSpec{DiskUUID: d.UUID, SizeMiB: 500})
	require.NoError(t, err)
	assert.Equal(t, p1.EndMiB, p2.StartMiB)
	assert.Equal(t, "/dev/sda2", p2.DeviceNode)
	assert.Equal(t, d.DevicePath+"-part2", p2.DevicePath)
	assert.Equal(t, inventory.PartitionCreateOnUnlock, p2.Status)
	_, err = f.m.ModifyPartition(ctx, p1.UUID, 2000)
	require.ErrorIs(t, err, inventory.ErrInvalidTransition, "only the last partition grows")
	p2, err = f.m.ModifyPartition(ctx, p2.UUID, 800)
	require.NoError(t, err)
	assert.Equal(t, 800, p2.SizeMiB)
	disks, err := f.m.ListDisks(ctx, "worker-0")
	require.NoError(t, err)
	assert.Equal(t, d.AvailableMiB-1800, disks[0].AvailableMiB)
	require.ErrorIs(t, f.m.DeletePartition(ctx, p1.UUID), inventory.ErrInvalidTransition, "only the last partition goes")
	require.NoError(t, f.m.DeletePartition(ctx, p2.UUID))
	require.NoError(t, f.m.DeletePartition(ctx, p1.UUID))
	disks, err = f.m.ListDisks(ctx, "worker-0")
	require.NoError(t, err)
	assert.Equal(t, d.AvailableMiB, disks[0].AvailableMiB)
}

// TestBMCPasswordWriteOnly: the password is stored and never read back.
func TestBMCPasswordWriteOnly(t *testing.T) {
	url := sqliteURL(t)
	f := newFixture(t, openURL(url))
	ctx := f.ctx
	const pw = "s3cr3t-bmc-pw"
	_, err := f.m.UpdateHost(ctx, "controller-0", inventory.HostUpdate{BMPassword: ptr("another-" + pw)})
	require.NoError(t, err)
	var outputs []any
	h, err := f.m.GetHost(ctx, "worker-0")
	require.NoError(t, err)
	hs, err := f.m.ListHosts(ctx)
	require.NoError(t, err)
	s, err := f.m.Snapshot(ctx)
	require.NoError(t, err)
	doc, err := f.m.HostConfig(ctx, "worker-0")
	require.NoError(t, err)
	_, err = f.m.UpdateHost(ctx, "worker-0", inventory.HostUpdate{BMPassword: ptr(pw), BMIP: ptr("bad")})
	outputs = append(outputs, h, hs, s, doc, err.Error())
	for _, o := range outputs {
		b, err := json.Marshal(o)
		require.NoError(t, err)
		assert.NotContains(t, string(b), pw)
	}
	// It is in the database, in its own column.
	db, err := sqlstore.Open(ctx, url)
	require.NoError(t, err)
	defer db.Close()
	var got string
	require.NoError(t, db.QueryRowContext(ctx, `SELECT bm_password FROM inv_host WHERE hostname = 'worker-0'`).Scan(&got))
	assert.Equal(t, pw, got)
	var bodies int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM inv_host WHERE body LIKE '%'||?||'%'`, pw).Scan(&bodies))
	assert.Zero(t, bodies)
}

// TestBMCCredentials: host maintenance's privileged reader gets the
// password that no other read shows, and a BMC URL is accepted as bm_ip.
func TestBMCCredentials(t *testing.T) {
	f := newFixture(t, openURL(sqliteURL(t)))
	ctx := f.ctx
	_, err := f.m.UpdateHost(ctx, "worker-0", inventory.HostUpdate{BMType: ptr("redfish"), BMIP: ptr("redfish+http://127.0.0.1:8000"),
		BMUsername: ptr("admin"), BMPassword: ptr("pw-1")})
	require.NoError(t, err)
	cr, err := f.m.BMCCredentials(ctx, "worker-0")
	require.NoError(t, err)
	assert.Equal(t, inventory.BMCCredentials{Type: "redfish", Address: "redfish+http://127.0.0.1:8000", Username: "admin", Password: "pw-1"}, cr)
	_, err = f.m.UpdateHost(ctx, "worker-0", inventory.HostUpdate{BMIP: ptr("redfish://admin:pw@10.0.0.1")})
	require.ErrorIs(t, err, inventory.ErrInvalid)
	assert.ErrorContains(t, err, "bm_ip")
	cr, err = f.m.BMCCredentials(ctx, "worker-0")
	require.NoError(t, err)
	assert.Equal(t, "redfish+http://127.0.0.1:8000", cr.Address, "a refused update changes nothing")
	_, err = f.m.BMCCredentials(ctx, "no-such-host")
	require.ErrorIs(t, err, inventory.ErrNotFound)
}

// TestReopen: what one Manager wrote, a new one over the same file reads.
func TestReopen(t *testing.T) {
	runReopen(t, sqliteURL(t))
}

func runReopen(t *testing.T, url string) {
	f := newFixture(t, openURL(url))
	ctx := f.ctx
	_, err := f.m.AssignLabels(ctx, "worker-0", map[string]string{"openstack-compute-node": "enabled"}, false)
	require.NoError(t, err)
	_, err = f.m.AssignInterfaceNetwork(ctx, f.workerIfs["enp0s3"].UUID, "mgmt")
	require.NoError(t, err)
	_, err = f.m.AddServiceParameters(ctx, "platform", "config", map[string]string{"sysinv_api_workers": "4"}, "", "")
	require.NoError(t, err)
	want, err := f.m.Snapshot(ctx)
	require.NoError(t, err)
	wantDoc, err := f.m.HostConfig(ctx, "worker-0")
	require.NoError(t, err)
	require.NoError(t, f.m.Close())
	_, err = f.m.GetHost(ctx, "worker-0")
	require.ErrorIs(t, err, inventory.ErrClosed)

	m2 := openURL(url)(t, nil)
	got, err := m2.Snapshot(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	gotDoc, err := m2.HostConfig(ctx, "worker-0")
	require.NoError(t, err)
	assert.Equal(t, wantDoc, gotDoc)
	addrs, err := m2.ListAddresses(ctx, "worker-0")
	require.NoError(t, err)
	require.Len(t, addrs, 1)
	assert.Equal(t, "192.168.204.1", addrs[0].Address, "the first free address of the pool's range")
	assert.Equal(t, "enp0s3", addrs[0].IfName)
}

// TestBesideFault: inventory's tables and fault's share one database.
func TestBesideFault(t *testing.T) {
	ctx := t.Context()
	db, err := sqlstore.Open(ctx, sqliteURL(t))
	require.NoError(t, err)
	defer db.Close()
	fs, err := faultsql.New(ctx, db.DB, faultsql.SQLite)
	require.NoError(t, err)
	defer fs.Close()
	fm, err := fault.Open(ctx, fs, nil)
	require.NoError(t, err)
	defer fm.Close(ctx)
	m, err := inventorysql.New(ctx, db.DB, inventorysql.SQLite, &inventorysql.Options{Reporter: fm})
	require.NoError(t, err)
	defer m.Close()
	_, err = m.AddHost(ctx, inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker, MgmtMAC: macOf(1)})
	require.NoError(t, err)
	_, err = m.ReportInventory(ctx, hardware(macOf(1), 1, 2, 1, 1))
	require.NoError(t, err)
	as, err := fm.ListAlarms(ctx, fault.AlarmQuery{})
	require.NoError(t, err)
	require.Len(t, as, 1)
	assert.Equal(t, "250.001", as[0].AlarmID)
	assert.Equal(t, "host=worker-0", as[0].EntityInstanceID)
	var services []string
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT service FROM flock_migrations ORDER BY service`)
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		services = append(services, s)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"fault", "inventory"}, services)

	// A database without foreign keys is refused.
	raw, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	defer raw.Close()
	_, err = inventorysql.New(ctx, raw, inventorysql.SQLite, nil)
	require.Error(t, err)
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
