package main

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/edgeflock/flock/inventory"
)

// invStub is a test-only inventory.Service for the CLI's tests: a small
// fixed inventory (a system, controller-0 unlocked, worker-0 locked with
// its hardware) that records every call and applies the simple ones, so
// that a test sees what a command sent and what it printed. It checks
// only the few rules the tests exercise (locked hosts, unique names).
type invStub struct {
	calls []stubCall
	now   time.Time
	next  int64

	sys        inventory.System
	hosts      []inventory.Host
	passwords  map[string]string // host uuid → BMC password, write-only
	cpus       map[string][]inventory.CPU
	memory     map[string][]inventory.Memory
	disks      map[string][]inventory.Disk
	partitions map[string][]inventory.Partition
	lvgs       map[string][]inventory.LVG
	pvs        map[string][]inventory.PV
	ports      map[string][]inventory.Port
	ifs        map[string][]inventory.Interface
	labels     map[string][]inventory.Label
	networks   []inventory.Network
	pools      []inventory.AddressPool
	datanets   []inventory.DataNetwork
	params     []inventory.ServiceParameter
}

// stubCall is one recorded call: the method and its arguments after the
// context.
type stubCall struct {
	Method string
	Args   []any
}

var _ inventory.Service = (*invStub)(nil)

const (
	ctrlUUID   = "11111111-1111-4111-8111-111111111111"
	workerUUID = "22222222-2222-4222-8222-222222222222"
	sdaUUID    = "d0000000-0000-4000-8000-00000000000a"
	sdbUUID    = "d0000000-0000-4000-8000-00000000000b"
	partUUID   = "e0000000-0000-4000-8000-000000000001"
	lvgUUID    = "f0000000-0000-4000-8000-000000000001"
	pvUUID     = "f1000000-0000-4000-8000-000000000001"
	mgmt0UUID  = "a0000000-0000-4000-8000-000000000001"
	vlanUUID   = "a0000000-0000-4000-8000-000000000002"
	data0UUID  = "a0000000-0000-4000-8000-000000000003"
	poolUUID   = "b0000000-0000-4000-8000-000000000001"
	netUUID    = "b1000000-0000-4000-8000-000000000001"
	labelUUID  = "c0000000-0000-4000-8000-000000000001"
	paramUUID  = "c1000000-0000-4000-8000-000000000001"
)

func newInvStub() *invStub {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	s := &invStub{now: now, next: 100, passwords: map[string]string{}}
	s.sys = inventory.System{ID: 1, UUID: "5ee00000-0000-4000-8000-000000000001", Name: "edge-1",
		SystemType: inventory.SystemAllInOne, SystemMode: inventory.ModeSimplex, SoftwareVersion: "25.09",
		Timezone: "UTC", RegionName: "RegionOne", Capabilities: map[string]any{"vswitch_type": "none"}, CreatedAt: now}
	s.hosts = []inventory.Host{
		{ID: 1, UUID: ctrlUUID, Hostname: "controller-0", Personality: inventory.PersonalityController,
			Subfunctions: "controller,worker", InvProvision: inventory.Provisioned, MgmtMAC: "08:00:27:00:00:01",
			MgmtIP: "192.168.204.2", Administrative: inventory.AdminUnlocked, Operational: inventory.OperEnabled,
			Availability: inventory.AvailAvailable, SWVersion: "25.09", CreatedAt: now},
		{ID: 2, UUID: workerUUID, Hostname: "worker-0", Personality: inventory.PersonalityWorker,
			Subfunctions: "worker", InvProvision: inventory.Unprovisioned, MgmtMAC: "08:00:27:00:00:02",
			BMIP: "10.10.10.12", BMType: "redfish", BMUsername: "admin", ConfigTarget: "c0ffee00-0000-4000-8000-000000000001",
			ConfigStatus: inventory.ConfigOutOfDate, RebootNeeded: true, Location: map[string]any{"locn": "rack 3"},
			Administrative: inventory.AdminLocked, Operational: inventory.OperDisabled,
			Availability: inventory.AvailOnline, SWVersion: "25.09", CreatedAt: now},
	}
	s.passwords[workerUUID] = "s3cret-bmc"
	w := workerUUID
	for i := range 4 {
		fn := inventory.CPUApplication
		if i == 0 {
			fn = inventory.CPUPlatform
		}
		s.cpus = map[string][]inventory.CPU{w: append(s.cpus[w], inventory.CPU{ID: int64(i + 1),
			UUID: fmt.Sprintf("c9000000-0000-4000-8000-00000000000%d", i), HostUUID: w, CPU: i, NumaNode: i / 2,
			Core: i % 2, CPUModel: "Intel(R) Xeon(R) Gold 6230", AllocatedFunction: fn})}
	}
	pending := 512
	s.memory = map[string][]inventory.Memory{w: {
		{ID: 1, UUID: "a9000000-0000-4000-8000-000000000000", HostUUID: w, NumaNode: 0, MemTotalMiB: 30000,
			MemAvailMiB: 28000, PlatformReservedMiB: 4000, VMHugepagesNr2M: 1000, VMHugepagesNr2MPending: &pending,
			VMHugepagesAvail2M: 1000, VMHugepagesNr4K: 100000},
		{ID: 2, UUID: "a9000000-0000-4000-8000-000000000001", HostUUID: w, NumaNode: 1, MemTotalMiB: 32000,
			MemAvailMiB: 31000, PlatformReservedMiB: 2000},
	}}
	s.disks = map[string][]inventory.Disk{w: {
		{ID: 1, UUID: sdaUUID, HostUUID: w, DeviceNode: "/dev/sda", DeviceNum: 2048, DeviceType: inventory.DiskSSD,
			DevicePath: "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0", SizeMiB: 228936, AvailableMiB: 0, SerialID: "SSD-A"},
		{ID: 2, UUID: sdbUUID, HostUUID: w, DeviceNode: "/dev/sdb", DeviceNum: 2064, DeviceType: inventory.DiskHDD,
			DevicePath: "/dev/disk/by-path/pci-0000:00:1f.2-ata-2.0", SizeMiB: 102400, AvailableMiB: 92160, RPM: "7200"},
	}}
	s.partitions = map[string][]inventory.Partition{w: {
		{ID: 1, UUID: partUUID, HostUUID: w, DiskUUID: sdbUUID, StartMiB: 1, EndMiB: 10241, SizeMiB: 10240,
			DeviceNode: "/dev/sdb1", DevicePath: "/dev/disk/by-path/pci-0000:00:1f.2-ata-2.0-part1",
			TypeGUID: inventory.LVMPartitionType, TypeName: "LVM Physical Volume", Status: inventory.PartitionReady},
	}}
	s.lvgs = map[string][]inventory.LVG{w: {
		{ID: 7, UUID: lvgUUID, HostUUID: w, VGState: inventory.LVGProvisioned, LVMVGName: "cgts-vg",
			LVMVGAccess: "wz--n-", LVMCurPV: 1, LVMCurLV: 12, LVMVGSize: 107374182400, LVMTotalPE: 25600, LVMFreePE: 12800},
	}}
	s.pvs = map[string][]inventory.PV{w: {
		{ID: 1, UUID: pvUUID, HostUUID: w, LVGUUID: lvgUUID, PVState: inventory.LVGProvisioned, PVType: inventory.PVDisk,
			DiskOrPartUUID: sdaUUID, DiskOrPartDeviceNode: "/dev/sda5", DiskOrPartDevicePath: "/dev/disk/by-path/x-part5",
			LVMPVName: "/dev/sda5", LVMVGName: "cgts-vg", LVMPVSize: 107374182400},
	}}
	s.ports = map[string][]inventory.Port{w: {
		{ID: 1, UUID: "90000000-0000-4000-8000-000000000001", HostUUID: w, InterfaceUUID: mgmt0UUID, Name: "eth0",
			PCIAddr: "0000:00:03.0", PDevice: "82540EM Gigabit Ethernet Controller", MAC: "08:00:27:00:00:02"},
		{ID: 2, UUID: "90000000-0000-4000-8000-000000000002", HostUUID: w, InterfaceUUID: data0UUID, Name: "eth1",
			PCIAddr: "0000:00:08.0", NumaNode: 1, DPDKSupport: true, PDevice: "Virtio network device"},
	}}
	s.ifs = map[string][]inventory.Interface{w: {
		{ID: 1, UUID: mgmt0UUID, HostUUID: w, IfName: "mgmt0", IfType: inventory.IfEthernet,
			IfClass: inventory.IfClassPlatform, IMTU: 1500, Uses: []string{}, UsedBy: []string{"vlan100"}, Networks: []string{"mgmt"}},
		{ID: 2, UUID: vlanUUID, HostUUID: w, IfName: "vlan100", IfType: inventory.IfVLAN, IfClass: inventory.IfClassPlatform,
			IMTU: 1400, VLANID: 100, Uses: []string{"mgmt0"}, UsedBy: []string{}},
		{ID: 3, UUID: data0UUID, HostUUID: w, IfName: "data0", IfType: inventory.IfEthernet, IfClass: inventory.IfClassNone,
			IMTU: 1500, Uses: []string{}, UsedBy: []string{}},
	}}
	s.labels = map[string][]inventory.Label{w: {
		{ID: 1, UUID: labelUUID, HostUUID: w, LabelKey: "sriov", LabelValue: "enabled"},
	}}
	s.pools = []inventory.AddressPool{{ID: 1, UUID: poolUUID, Name: "management", Family: 4, Network: "192.168.204.0",
		Prefix: 24, Order: "random", Ranges: []inventory.AddressRange{{Start: "192.168.204.2", End: "192.168.204.254"}},
		FloatingAddress: "192.168.204.2"}}
	s.networks = []inventory.Network{{ID: 1, UUID: netUUID, Name: "mgmt", Type: inventory.NetMgmt, Dynamic: true, PoolUUID: poolUUID}}
	s.datanets = []inventory.DataNetwork{{ID: 1, UUID: "d1000000-0000-4000-8000-000000000001", Name: "physnet0",
		NetworkType: inventory.DataNetVLAN, MTU: 1500}}
	s.params = []inventory.ServiceParameter{{ID: 1, UUID: paramUUID, Service: "platform", Section: "config",
		Name: "sysinv_api_workers", Value: "2"}}
	return s
}

func (s *invStub) rec(method string, args ...any) {
	if args == nil {
		args = []any{}
	}
	s.calls = append(s.calls, stubCall{method, args})
}

// last returns the arguments of the last call of method, or nil.
func (s *invStub) last(method string) []any {
	for i := len(s.calls) - 1; i >= 0; i-- {
		if s.calls[i].Method == method {
			return s.calls[i].Args
		}
	}
	return nil
}

// writes returns the methods called that change something.
func (s *invStub) writes() []string {
	var out []string
	for _, c := range s.calls {
		switch {
		case len(c.Method) > 3 && (c.Method[:3] == "Add" || c.Method[:3] == "Del"),
			len(c.Method) > 6 && (c.Method[:6] == "Update" || c.Method[:6] == "Modify" || c.Method[:6] == "Assign" || c.Method[:6] == "Remove"):
			out = append(out, c.Method)
		}
	}
	return out
}

func (s *invStub) id() int64 { s.next++; return s.next }

func (s *invStub) uuid() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", s.id()) }

func (s *invStub) host(ref string) (int, error) {
	for i, h := range s.hosts {
		if h.Hostname == ref || h.UUID == ref || strconv.FormatInt(h.ID, 10) == ref {
			return i, nil
		}
	}
	return 0, fmt.Errorf("host not found: %s: %w", ref, inventory.ErrNotFound)
}

func (s *invStub) hostUUID(ref string) (string, error) {
	i, err := s.host(ref)
	if err != nil {
		return "", err
	}
	return s.hosts[i].UUID, nil
}

func (s *invStub) locked(ref string) (string, error) {
	i, err := s.host(ref)
	if err != nil {
		return "", err
	}
	if h := s.hosts[i]; h.Administrative != inventory.AdminLocked {
		return "", inventory.Rulef(inventory.RuleHostLocked, "Host %s must be locked.", h.Hostname)
	}
	return s.hosts[i].UUID, nil
}

func list[T any](s *invStub, method, ref string, m map[string][]T) ([]T, error) {
	s.rec(method, ref)
	u, err := s.hostUUID(ref)
	if err != nil {
		return nil, err
	}
	return slices.Clone(m[u]), nil
}

func (s *invStub) GetHost(_ context.Context, host string) (inventory.Host, error) {
	s.rec("GetHost", host)
	i, err := s.host(host)
	if err != nil {
		return inventory.Host{}, err
	}
	return s.hosts[i], nil
}

func (s *invStub) ListHosts(context.Context) ([]inventory.Host, error) {
	s.rec("ListHosts")
	return slices.Clone(s.hosts), nil
}

func (s *invStub) SetHostStatus(context.Context, string, inventory.HostStatus) (inventory.Host, error) {
	return inventory.Host{}, inventory.ErrUnimplemented
}

func (s *invStub) CheckUnlock(context.Context, string) error { return inventory.ErrUnimplemented }

func (s *invStub) ReportInventory(context.Context, inventory.Report) (inventory.Host, error) {
	return inventory.Host{}, inventory.ErrUnimplemented
}

func (s *invStub) HostConfig(context.Context, string) (inventory.HostConfig, error) {
	return inventory.HostConfig{}, inventory.ErrUnimplemented
}

func (s *invStub) ReportConfigApplied(context.Context, string, string) (inventory.Host, error) {
	return inventory.Host{}, inventory.ErrUnimplemented
}

func (s *invStub) GetSystem(context.Context) (inventory.System, error) {
	s.rec("GetSystem")
	return s.sys, nil
}

func (s *invStub) UpdateSystem(_ context.Context, u inventory.SystemUpdate) (inventory.System, error) {
	s.rec("UpdateSystem", u)
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.sys.Name, u.Name)
	set(&s.sys.Description, u.Description)
	set(&s.sys.Contact, u.Contact)
	set(&s.sys.Location, u.Location)
	set(&s.sys.Latitude, u.Latitude)
	set(&s.sys.Longitude, u.Longitude)
	set(&s.sys.Timezone, u.Timezone)
	if u.SystemMode != nil {
		s.sys.SystemMode = *u.SystemMode
	}
	if u.Capabilities != nil {
		s.sys.Capabilities = maps.Clone(*u.Capabilities)
	}
	return s.sys, nil
}

func (s *invStub) newHost(h inventory.HostSpec) (inventory.Host, error) {
	if h.Hostname == "" && h.MgmtMAC == "" {
		return inventory.Host{}, inventory.Fieldf("hostname", "must be given")
	}
	for _, x := range s.hosts {
		if h.Hostname != "" && x.Hostname == h.Hostname {
			return inventory.Host{}, inventory.Conflictf(inventory.RuleUniqueHostname, "Host-add Rejected: Hostname already exists")
		}
	}
	subf := h.Subfunctions
	if subf == "" {
		subf = string(h.Personality)
	}
	nh := inventory.Host{ID: s.id(), UUID: s.uuid(), Hostname: h.Hostname, Personality: h.Personality,
		Subfunctions: subf, InvProvision: inventory.Unprovisioned, MgmtMAC: h.MgmtMAC, MgmtIP: h.MgmtIP,
		BMIP: h.BMIP, BMType: h.BMType, BMUsername: h.BMUsername, BootDevice: h.BootDevice,
		RootfsDevice: h.RootfsDevice, HWSettle: h.HWSettle, InstallOutput: h.InstallOutput, Console: h.Console,
		Location: h.Location, Administrative: inventory.AdminLocked, Operational: inventory.OperDisabled,
		Availability: inventory.AvailOffline, CreatedAt: s.now}
	s.passwords[nh.UUID] = h.BMPassword
	return nh, nil
}

func (s *invStub) AddHost(_ context.Context, h inventory.HostSpec) (inventory.Host, error) {
	s.rec("AddHost", h)
	nh, err := s.newHost(h)
	if err != nil {
		return inventory.Host{}, err
	}
	s.hosts = append(s.hosts, nh)
	return nh, nil
}

func (s *invStub) AddHosts(_ context.Context, hs []inventory.HostSpec) ([]inventory.Host, error) {
	s.rec("AddHosts", hs)
	var out []inventory.Host
	for _, h := range hs {
		nh, err := s.newHost(h)
		if err != nil {
			return nil, err
		}
		out = append(out, nh)
	}
	s.hosts = append(s.hosts, out...)
	return out, nil
}

func (s *invStub) UpdateHost(_ context.Context, host string, u inventory.HostUpdate) (inventory.Host, error) {
	s.rec("UpdateHost", host, u)
	i, err := s.host(host)
	if err != nil {
		return inventory.Host{}, err
	}
	h := &s.hosts[i]
	for dst, v := range map[*string]*string{&h.Hostname: u.Hostname, &h.Subfunctions: u.Subfunctions,
		&h.MgmtMAC: u.MgmtMAC, &h.MgmtIP: u.MgmtIP, &h.BMIP: u.BMIP, &h.BMType: u.BMType,
		&h.BMUsername: u.BMUsername, &h.BootDevice: u.BootDevice, &h.RootfsDevice: u.RootfsDevice,
		&h.HWSettle: u.HWSettle, &h.InstallOutput: u.InstallOutput, &h.Console: u.Console} {
		if v != nil {
			*dst = *v
		}
	}
	if u.Personality != nil {
		h.Personality = *u.Personality
	}
	if u.Location != nil {
		h.Location = *u.Location
	}
	if u.Capabilities != nil {
		h.Capabilities = *u.Capabilities
	}
	if u.BMPassword != nil {
		s.passwords[h.UUID] = *u.BMPassword
	}
	return *h, nil
}

func (s *invStub) DeleteHost(_ context.Context, host string) error {
	s.rec("DeleteHost", host)
	if _, err := s.locked(host); err != nil {
		return err
	}
	i, _ := s.host(host)
	s.hosts = slices.Delete(s.hosts, i, i+1)
	return nil
}

func (s *invStub) ListNodes(_ context.Context, host string) ([]inventory.Node, error) {
	s.rec("ListNodes", host)
	return nil, inventory.ErrUnimplemented
}

func (s *invStub) ListCPUs(_ context.Context, host string) ([]inventory.CPU, error) {
	return list(s, "ListCPUs", host, s.cpus)
}

func (s *invStub) ModifyCPUs(_ context.Context, host string, m inventory.CPUModify) ([]inventory.CPU, error) {
	s.rec("ModifyCPUs", host, m)
	u, err := s.locked(host)
	if err != nil {
		return nil, err
	}
	cs := s.cpus[u]
	for i := range cs {
		if n, ok := m.Cores[cs[i].NumaNode]; ok && cs[i].Core < n {
			cs[i].AllocatedFunction = m.Function
		}
	}
	return slices.Clone(cs), nil
}

func (s *invStub) ListMemory(_ context.Context, host string) ([]inventory.Memory, error) {
	return list(s, "ListMemory", host, s.memory)
}

func (s *invStub) ModifyMemory(_ context.Context, host string, node int, u inventory.MemoryUpdate) (inventory.Memory, error) {
	s.rec("ModifyMemory", host, node, u)
	h, err := s.locked(host)
	if err != nil {
		return inventory.Memory{}, err
	}
	for i, m := range s.memory[h] {
		if m.NumaNode != node {
			continue
		}
		if u.PlatformReservedMiB != nil {
			m.PlatformReservedMiB = *u.PlatformReservedMiB
		}
		if u.VMHugepagesNr2M != nil {
			m.VMHugepagesNr2MPending = u.VMHugepagesNr2M
		}
		if u.VMHugepagesNr1G != nil {
			m.VMHugepagesNr1GPending = u.VMHugepagesNr1G
		}
		if u.VswitchHugepagesReqd != nil {
			m.VswitchHugepagesReqd = u.VswitchHugepagesReqd
			m.VswitchHugepagesSizeMiB = *u.VswitchHugepagesSizeMiB
		}
		s.memory[h][i] = m
		return m, nil
	}
	return inventory.Memory{}, fmt.Errorf("processor not found: %d: %w", node, inventory.ErrNotFound)
}

func (s *invStub) ListDisks(_ context.Context, host string) ([]inventory.Disk, error) {
	return list(s, "ListDisks", host, s.disks)
}

func (s *invStub) ListPartitions(_ context.Context, host, diskUUID string) ([]inventory.Partition, error) {
	s.rec("ListPartitions", host, diskUUID)
	u, err := s.hostUUID(host)
	if err != nil {
		return nil, err
	}
	var out []inventory.Partition
	for _, p := range s.partitions[u] {
		if diskUUID == "" || p.DiskUUID == diskUUID {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *invStub) AddPartition(_ context.Context, host string, p inventory.PartitionSpec) (inventory.Partition, error) {
	s.rec("AddPartition", host, p)
	u, err := s.hostUUID(host)
	if err != nil {
		return inventory.Partition{}, err
	}
	np := inventory.Partition{ID: s.id(), UUID: s.uuid(), HostUUID: u, DiskUUID: p.DiskUUID, SizeMiB: p.SizeMiB,
		DeviceNode: "/dev/sdb2", DevicePath: "/dev/disk/by-path/pci-0000:00:1f.2-ata-2.0-part2", TypeGUID: p.TypeGUID,
		TypeName: "LVM Physical Volume", Status: inventory.PartitionCreateOnUnlock, CreatedAt: s.now}
	s.partitions[u] = append(s.partitions[u], np)
	return np, nil
}

func (s *invStub) partition(uuid string) (string, int, error) {
	for h, ps := range s.partitions {
		for i, p := range ps {
			if p.UUID == uuid {
				return h, i, nil
			}
		}
	}
	return "", 0, fmt.Errorf("partition not found: %s: %w", uuid, inventory.ErrNotFound)
}

func (s *invStub) ModifyPartition(_ context.Context, uuid string, sizeMiB int) (inventory.Partition, error) {
	s.rec("ModifyPartition", uuid, sizeMiB)
	h, i, err := s.partition(uuid)
	if err != nil {
		return inventory.Partition{}, err
	}
	s.partitions[h][i].SizeMiB = sizeMiB
	return s.partitions[h][i], nil
}

func (s *invStub) DeletePartition(_ context.Context, uuid string) error {
	s.rec("DeletePartition", uuid)
	h, i, err := s.partition(uuid)
	if err != nil {
		return err
	}
	s.partitions[h] = slices.Delete(s.partitions[h], i, i+1)
	return nil
}

func (s *invStub) ListLVGs(_ context.Context, host string) ([]inventory.LVG, error) {
	return list(s, "ListLVGs", host, s.lvgs)
}

func (s *invStub) AddLVG(_ context.Context, host, vgName string) (inventory.LVG, error) {
	s.rec("AddLVG", host, vgName)
	u, err := s.locked(host)
	if err != nil {
		return inventory.LVG{}, err
	}
	l := inventory.LVG{ID: s.id(), UUID: s.uuid(), HostUUID: u, VGState: inventory.LVGAdding, LVMVGName: vgName, CreatedAt: s.now}
	s.lvgs[u] = append(s.lvgs[u], l)
	return l, nil
}

func (s *invStub) DeleteLVG(_ context.Context, uuid string) error {
	s.rec("DeleteLVG", uuid)
	return nil
}

func (s *invStub) ListPVs(_ context.Context, host string) ([]inventory.PV, error) {
	return list(s, "ListPVs", host, s.pvs)
}

func (s *invStub) AddPV(_ context.Context, host string, p inventory.PVSpec) (inventory.PV, error) {
	s.rec("AddPV", host, p)
	u, err := s.locked(host)
	if err != nil {
		return inventory.PV{}, err
	}
	pv := inventory.PV{ID: s.id(), UUID: s.uuid(), HostUUID: u, LVGUUID: p.LVGUUID, PVState: inventory.LVGAdding,
		PVType: inventory.PVPartition, DiskOrPartUUID: p.DiskOrPartUUID, LVMVGName: "cgts-vg", CreatedAt: s.now}
	s.pvs[u] = append(s.pvs[u], pv)
	return pv, nil
}

func (s *invStub) DeletePV(_ context.Context, uuid string) error {
	s.rec("DeletePV", uuid)
	return nil
}

func (s *invStub) ListStors(context.Context, string) ([]inventory.Stor, error) {
	return nil, inventory.ErrUnimplemented
}

func (s *invStub) AddStor(context.Context, string, inventory.StorSpec) (inventory.Stor, error) {
	return inventory.Stor{}, inventory.ErrUnimplemented
}

func (s *invStub) DeleteStor(context.Context, string) error { return inventory.ErrUnimplemented }

func (s *invStub) ListPorts(_ context.Context, host string) ([]inventory.Port, error) {
	return list(s, "ListPorts", host, s.ports)
}

func (s *invStub) ListInterfaces(_ context.Context, host string) ([]inventory.Interface, error) {
	return list(s, "ListInterfaces", host, s.ifs)
}

func (s *invStub) iface(uuid string) (string, int, error) {
	for h, is := range s.ifs {
		for i, x := range is {
			if x.UUID == uuid {
				return h, i, nil
			}
		}
	}
	return "", 0, fmt.Errorf("interface not found: %s: %w", uuid, inventory.ErrNotFound)
}

func (s *invStub) GetInterface(_ context.Context, uuid string) (inventory.Interface, error) {
	s.rec("GetInterface", uuid)
	h, i, err := s.iface(uuid)
	if err != nil {
		return inventory.Interface{}, err
	}
	return s.ifs[h][i], nil
}

func (s *invStub) AddInterface(_ context.Context, host string, sp inventory.InterfaceSpec) (inventory.Interface, error) {
	s.rec("AddInterface", host, sp)
	u, err := s.locked(host)
	if err != nil {
		return inventory.Interface{}, err
	}
	if sp.IfType == inventory.IfVLAN && sp.VLANID == 0 {
		return inventory.Interface{}, inventory.Fieldf("vlan_id", "VLAN id must be specified.")
	}
	i := inventory.Interface{ID: s.id(), UUID: s.uuid(), HostUUID: u, IfName: sp.IfName, IfType: sp.IfType,
		IfClass: sp.IfClass, IMTU: cmp.Or(sp.IMTU, 1500), VLANID: sp.VLANID, AEMode: sp.AEMode,
		TxHashPolicy: sp.TxHashPolicy, Uses: sp.Uses, UsedBy: []string{}, CreatedAt: s.now}
	s.ifs[u] = append(s.ifs[u], i)
	return i, nil
}

func (s *invStub) UpdateInterface(_ context.Context, uuid string, u inventory.InterfaceUpdate) (inventory.Interface, error) {
	s.rec("UpdateInterface", uuid, u)
	h, i, err := s.iface(uuid)
	if err != nil {
		return inventory.Interface{}, err
	}
	x := &s.ifs[h][i]
	if u.IfName != nil {
		x.IfName = *u.IfName
	}
	if u.IMTU != nil {
		x.IMTU = *u.IMTU
	}
	if u.IfClass != nil {
		x.IfClass = *u.IfClass
	}
	return *x, nil
}

func (s *invStub) DeleteInterface(_ context.Context, uuid string) error {
	s.rec("DeleteInterface", uuid)
	h, i, err := s.iface(uuid)
	if err != nil {
		return err
	}
	s.ifs[h] = slices.Delete(s.ifs[h], i, i+1)
	return nil
}

func (s *invStub) ListInterfaceNetworks(context.Context, string) ([]inventory.InterfaceNetwork, error) {
	return nil, inventory.ErrUnimplemented
}

func (s *invStub) AssignInterfaceNetwork(_ context.Context, ifUUID, network string) (inventory.InterfaceNetwork, error) {
	s.rec("AssignInterfaceNetwork", ifUUID, network)
	h, i, err := s.iface(ifUUID)
	if err != nil {
		return inventory.InterfaceNetwork{}, err
	}
	n, err := s.GetNetwork(context.Background(), network)
	if err != nil {
		return inventory.InterfaceNetwork{}, err
	}
	return inventory.InterfaceNetwork{ID: s.id(), UUID: s.uuid(), InterfaceUUID: ifUUID, IfName: s.ifs[h][i].IfName,
		NetworkUUID: n.UUID, NetworkName: n.Name, NetworkType: n.Type, HostUUID: h}, nil
}

func (s *invStub) RemoveInterfaceNetwork(_ context.Context, uuid string) error {
	s.rec("RemoveInterfaceNetwork", uuid)
	return nil
}

func (s *invStub) ListAddresses(context.Context, string) ([]inventory.Address, error) {
	return nil, inventory.ErrUnimplemented
}

func (s *invStub) ListRoutes(context.Context, string) ([]inventory.Route, error) {
	return nil, inventory.ErrUnimplemented
}

func (s *invStub) ListNetworks(context.Context) ([]inventory.Network, error) {
	s.rec("ListNetworks")
	return slices.Clone(s.networks), nil
}

func (s *invStub) GetNetwork(_ context.Context, network string) (inventory.Network, error) {
	s.rec("GetNetwork", network)
	for _, n := range s.networks {
		if n.Name == network || n.UUID == network || strconv.FormatInt(n.ID, 10) == network {
			return n, nil
		}
	}
	return inventory.Network{}, fmt.Errorf("network not found: %s: %w", network, inventory.ErrNotFound)
}

func (s *invStub) AddNetwork(_ context.Context, sp inventory.NetworkSpec) (inventory.Network, error) {
	s.rec("AddNetwork", sp)
	n := inventory.Network{ID: s.id(), UUID: s.uuid(), Name: sp.Name, Type: sp.Type, Dynamic: sp.Dynamic, PoolUUID: sp.PoolUUID}
	s.networks = append(s.networks, n)
	return n, nil
}

func (s *invStub) DeleteNetwork(_ context.Context, network string) error {
	s.rec("DeleteNetwork", network)
	if _, err := s.GetNetwork(context.Background(), network); err != nil {
		return err
	}
	return inventory.Conflictf(inventory.RuleInUse, "Network %s is in use by interface mgmt0 of worker-0", network)
}

func (s *invStub) ListAddressPools(context.Context) ([]inventory.AddressPool, error) {
	s.rec("ListAddressPools")
	return slices.Clone(s.pools), nil
}

func (s *invStub) GetAddressPool(_ context.Context, pool string) (inventory.AddressPool, error) {
	s.rec("GetAddressPool", pool)
	for _, p := range s.pools {
		if p.Name == pool || p.UUID == pool || strconv.FormatInt(p.ID, 10) == pool {
			return p, nil
		}
	}
	return inventory.AddressPool{}, fmt.Errorf("address pool not found: %s: %w", pool, inventory.ErrNotFound)
}

func (s *invStub) AddAddressPool(_ context.Context, sp inventory.AddressPoolSpec) (inventory.AddressPool, error) {
	s.rec("AddAddressPool", sp)
	p := inventory.AddressPool{ID: s.id(), UUID: s.uuid(), Name: sp.Name, Family: 4, Network: sp.Network, Prefix: sp.Prefix,
		Order: cmp.Or(sp.Order, "random"), Ranges: sp.Ranges, FloatingAddress: sp.FloatingAddress,
		Controller0Address: sp.Controller0Address, Controller1Address: sp.Controller1Address, GatewayAddress: sp.GatewayAddress}
	s.pools = append(s.pools, p)
	return p, nil
}

func (s *invStub) UpdateAddressPool(_ context.Context, pool string, u inventory.AddressPoolUpdate) (inventory.AddressPool, error) {
	s.rec("UpdateAddressPool", pool, u)
	p, err := s.GetAddressPool(context.Background(), pool)
	if err != nil {
		return p, err
	}
	if u.Name != nil {
		p.Name = *u.Name
	}
	if u.Ranges != nil {
		p.Ranges = *u.Ranges
	}
	if u.GatewayAddress != nil {
		p.GatewayAddress = *u.GatewayAddress
	}
	return p, nil
}

func (s *invStub) DeleteAddressPool(_ context.Context, pool string) error {
	s.rec("DeleteAddressPool", pool)
	return nil
}

func (s *invStub) ListDataNetworks(context.Context) ([]inventory.DataNetwork, error) {
	s.rec("ListDataNetworks")
	return slices.Clone(s.datanets), nil
}

func (s *invStub) AddDataNetwork(_ context.Context, d inventory.DataNetwork) (inventory.DataNetwork, error) {
	s.rec("AddDataNetwork", d)
	d.ID, d.UUID = s.id(), s.uuid()
	s.datanets = append(s.datanets, d)
	return d, nil
}

func (s *invStub) DeleteDataNetwork(_ context.Context, dn string) error {
	s.rec("DeleteDataNetwork", dn)
	return nil
}

func (s *invStub) ListLabels(_ context.Context, host string) ([]inventory.Label, error) {
	return list(s, "ListLabels", host, s.labels)
}

func (s *invStub) AssignLabels(_ context.Context, host string, labels map[string]string, overwrite bool) ([]inventory.Label, error) {
	s.rec("AssignLabels", host, labels, overwrite)
	u, err := s.hostUUID(host)
	if err != nil {
		return nil, err
	}
	var out []inventory.Label
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		l := inventory.Label{ID: s.id(), UUID: s.uuid(), HostUUID: u, LabelKey: k, LabelValue: labels[k]}
		s.labels[u] = append(s.labels[u], l)
		out = append(out, l)
	}
	return out, nil
}

func (s *invStub) RemoveLabel(_ context.Context, uuid string) error {
	s.rec("RemoveLabel", uuid)
	return nil
}

func (s *invStub) ListStorageBackends(context.Context) ([]inventory.StorageBackend, error) {
	return nil, inventory.ErrUnimplemented
}

func (s *invStub) AddStorageBackend(context.Context, inventory.StorageBackendSpec) (inventory.StorageBackend, error) {
	return inventory.StorageBackend{}, inventory.ErrUnimplemented
}

func (s *invStub) DeleteStorageBackend(context.Context, string) error {
	return inventory.ErrUnimplemented
}

func (s *invStub) ListServiceParameters(_ context.Context, q inventory.ServiceParameterQuery) ([]inventory.ServiceParameter, error) {
	s.rec("ListServiceParameters", q)
	var out []inventory.ServiceParameter
	for _, p := range s.params {
		if (q.Service == "" || q.Service == p.Service) && (q.Section == "" || q.Section == p.Section) && (q.Name == "" || q.Name == p.Name) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *invStub) AddServiceParameters(_ context.Context, service, section string, params map[string]string, personality, resource string) ([]inventory.ServiceParameter, error) {
	s.rec("AddServiceParameters", service, section, params, personality, resource)
	var out []inventory.ServiceParameter
	for _, k := range slices.Sorted(maps.Keys(params)) {
		p := inventory.ServiceParameter{ID: s.id(), UUID: s.uuid(), Service: service, Section: section, Name: k,
			Value: params[k], Personality: personality, Resource: resource}
		s.params = append(s.params, p)
		out = append(out, p)
	}
	return out, nil
}

func (s *invStub) UpdateServiceParameter(_ context.Context, uuid, value string) (inventory.ServiceParameter, error) {
	s.rec("UpdateServiceParameter", uuid, value)
	for i, p := range s.params {
		if p.UUID == uuid {
			s.params[i].Value = value
			return s.params[i], nil
		}
	}
	return inventory.ServiceParameter{}, fmt.Errorf("service parameter not found: %s: %w", uuid, inventory.ErrNotFound)
}

func (s *invStub) DeleteServiceParameter(_ context.Context, uuid string) error {
	s.rec("DeleteServiceParameter", uuid)
	return nil
}

func (s *invStub) Snapshot(context.Context) (inventory.Snapshot, error) {
	return inventory.Snapshot{}, inventory.ErrUnimplemented
}

func (s *invStub) HostSnapshot(context.Context, string) (inventory.Snapshot, error) {
	return inventory.Snapshot{}, inventory.ErrUnimplemented
}
