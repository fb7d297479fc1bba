package inventoryhttp_test

import (
	"context"
	"sync"
	"time"

	"github.com/edgeflock/flock/inventory"
)

// stub is a test-only inventory.Service: every method records its call
// and answers the fixture of its type (or err), so that tests see what
// the handler asked and what the client got back. It holds one host.
type stub struct {
	mu    sync.Mutex
	calls []call
	err   error // answered by every method when set
	fx    fixtures
}

type call struct {
	Name string
	Args []any
}

func newStub() *stub { return &stub{fx: full()} }

func (s *stub) rec(name string, args ...any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call{name, args})
	return s.err
}

// last returns the last call of name.
func (s *stub) last(name string) (call, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.calls) - 1; i >= 0; i-- {
		if s.calls[i].Name == name {
			return s.calls[i], true
		}
	}
	return call{}, false
}

// writes returns the calls that change something.
func (s *stub) writes() []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []call
	for _, c := range s.calls {
		switch c.Name[:3] {
		case "Get", "Lis", "Che", "Sna", "Hos":
		default:
			out = append(out, c)
		}
	}
	return out
}

type fixtures struct {
	system    inventory.System
	host      inventory.Host
	node      inventory.Node
	cpu       inventory.CPU
	memory    inventory.Memory
	disk      inventory.Disk
	partition inventory.Partition
	lvg       inventory.LVG
	pv        inventory.PV
	stor      inventory.Stor
	port      inventory.Port
	iface     inventory.Interface
	ifnet     inventory.InterfaceNetwork
	address   inventory.Address
	route     inventory.Route
	network   inventory.Network
	pool      inventory.AddressPool
	datanet   inventory.DataNetwork
	label     inventory.Label
	backend   inventory.StorageBackend
	param     inventory.ServiceParameter
	config    inventory.HostConfig
}

const hostUUID = "6b7a3d1e-5f3a-4c2e-9a0b-1c2d3e4f5a6b"

func uuidN(n byte) string {
	return "00000000-0000-4000-8000-0000000000" + string("0123456789"[n/10]) + string("0123456789"[n%10])
}

// full returns records with every field set.
func full() fixtures {
	t0 := time.Date(2024, 5, 1, 10, 23, 45, 123456000, time.UTC)
	t1 := time.Date(2024, 5, 2, 11, 0, 0, 123456789, time.UTC) // nanoseconds
	two, three := 2, 3
	osd := 7
	return fixtures{
		system: inventory.System{ID: 1, UUID: uuidN(1), Name: "lab", SystemType: inventory.SystemAllInOne, SystemMode: inventory.ModeDuplex,
			Description: "d", Contact: "c", Location: "l", Latitude: "1.5", Longitude: "2.5", Capabilities: map[string]any{"sdn_enabled": false, "vswitch_type": "none"},
			SoftwareVersion: "24.09", Timezone: "UTC", RegionName: "RegionOne", DistributedCloudRole: inventory.DCSubcloud,
			DNSServers: []string{"8.8.8.8"}, NTPServers: []string{"0.pool.ntp.org", "1.pool.ntp.org"}, CreatedAt: t0, UpdatedAt: t1},
		host: inventory.Host{ID: 3, UUID: hostUUID, Hostname: "worker-0", Personality: inventory.PersonalityWorker, Subfunctions: "worker,lowlatency",
			InvProvision: inventory.Provisioned, MgmtMAC: "08:00:27:aa:bb:cc", MgmtIP: "192.168.204.5", BMIP: "10.0.0.5", BMType: "redfish",
			BMUsername: "root", BootDevice: "/dev/sda", RootfsDevice: "/dev/sda", HWSettle: "0", InstallOutput: "text", Console: "ttyS0,115200",
			Location: map[string]any{"locn": "rack 1"}, Capabilities: map[string]any{"is_max_cpu_configurable": "configurable"},
			SerialID: "SN1", SWVersion: "24.09", ConfigTarget: uuidN(90), ConfigApplied: uuidN(91), ConfigStatus: inventory.ConfigOutOfDate,
			RebootNeeded: true, Administrative: inventory.AdminLocked, Operational: inventory.OperDisabled, Availability: inventory.AvailOnline,
			Task: "Locking", Action: "none", Uptime: 3600, CreatedAt: t0, UpdatedAt: t1},
		node: inventory.Node{ID: 4, UUID: uuidN(4), HostUUID: hostUUID, NumaNode: 1, CreatedAt: t0},
		cpu: inventory.CPU{ID: 5, UUID: uuidN(5), HostUUID: hostUUID, CPU: 3, NumaNode: 1, Core: 2, Thread: 1, CPUFamily: "6",
			CPUModel: "Intel(R) Xeon(R)", AllocatedFunction: inventory.CPUApplicationIsolated, CreatedAt: t0},
		memory: inventory.Memory{ID: 6, UUID: uuidN(6), HostUUID: hostUUID, NumaNode: 1, MemTotalMiB: 64000, MemAvailMiB: 60000,
			PlatformReservedMiB: 4000, NodeMemTotalMiB: 65536, HugepagesConfigured: true, VswitchHugepagesSizeMiB: 1024,
			VswitchHugepagesReqd: &two, VswitchHugepagesNr: 2, VswitchHugepagesAvail: 1, VMHugepagesNr2M: 100, VMHugepagesNr1G: 4,
			VMHugepagesNr4K: 1000, VMHugepagesNr2MPending: &three, VMHugepagesNr1GPending: &two, VMHugepagesAvail2M: 90,
			VMHugepagesAvail1G: 3, VMHugepagesPossible2M: 30000, VMHugepagesPossible1G: 58, VMHugepagesUse1G: true, CreatedAt: t0},
		disk: inventory.Disk{ID: 7, UUID: uuidN(7), HostUUID: hostUUID, DeviceNode: "/dev/sdb", DeviceNum: 2064, DeviceType: inventory.DiskSSD,
			DeviceID: "ata-X", DevicePath: "/dev/disk/by-path/pci-0000:00:1f.2-ata-2.0", DeviceWWN: "0x5000", SizeMiB: 476940, AvailableMiB: 400000,
			RPM: "Undetermined", SerialID: "S1", Capabilities: map[string]any{"model_num": "X"}, PVUUID: uuidN(10), CreatedAt: t0},
		partition: inventory.Partition{ID: 8, UUID: uuidN(8), HostUUID: hostUUID, DiskUUID: uuidN(7), StartMiB: 1, EndMiB: 10241, SizeMiB: 10240,
			DeviceNode: "/dev/sdb1", DevicePath: "/dev/disk/by-path/pci-0000:00:1f.2-ata-2.0-part1", TypeGUID: inventory.LVMPartitionType,
			TypeName: "LVM Physical Volume", PVUUID: uuidN(10), Status: inventory.PartitionCreateOnUnlock, CreatedAt: t0},
		lvg: inventory.LVG{ID: 9, UUID: uuidN(9), HostUUID: hostUUID, VGState: inventory.LVGAdding, LVMVGName: inventory.VGNovaLocal,
			LVMVGUUID: "vg-uuid", LVMVGAccess: "wz--n-", LVMMaxLV: 0, LVMCurLV: 1, LVMMaxPV: 0, LVMCurPV: 1, LVMVGSize: 10 << 30,
			LVMTotalPE: 2560, LVMFreePE: 1280, Capabilities: map[string]any{"instance_backing": "image"}, CreatedAt: t0},
		pv: inventory.PV{ID: 10, UUID: uuidN(10), HostUUID: hostUUID, LVGUUID: uuidN(9), PVState: inventory.LVGProvisioned, PVType: inventory.PVPartition,
			DiskOrPartUUID: uuidN(8), DiskOrPartDeviceNode: "/dev/sdb1", DiskOrPartDevicePath: "/dev/disk/by-path/x-part1",
			LVMPVName: "/dev/sdb1", LVMVGName: inventory.VGNovaLocal, LVMPVUUID: "pv-uuid", LVMPVSize: 10 << 30, LVMPETotal: 2560,
			LVMPEAlloced: 1280, CreatedAt: t0},
		stor: inventory.Stor{ID: 11, UUID: uuidN(11), HostUUID: hostUUID, Function: "osd", DiskUUID: uuidN(7), OSDID: &osd,
			State: "configured", TierName: "storage", CreatedAt: t0},
		port: inventory.Port{ID: 12, UUID: uuidN(12), HostUUID: hostUUID, InterfaceUUID: uuidN(13), Name: "enp0s3", PCIAddr: "0000:00:03.0",
			PClass: "Ethernet controller", PVendor: "Intel Corporation", PDevice: "82540EM", PSVendor: "Intel", PSDevice: "PRO/1000",
			DPDKSupport: true, NumaNode: 1, SRIOVTotalVFs: 8, SRIOVNumVFs: 2, Driver: "e1000", MAC: "08:00:27:aa:bb:cc", MTU: 1500,
			Speed: 1000, LinkMode: "0", BootP: true, CreatedAt: t0},
		iface: inventory.Interface{ID: 13, UUID: uuidN(13), HostUUID: hostUUID, IfName: "vlan10", IfType: inventory.IfVLAN,
			IfClass: inventory.IfClassPlatform, IMAC: "08:00:27:aa:bb:cc", IMTU: 1400, VLANID: 10, AEMode: "balanced",
			TxHashPolicy: "layer2", SRIOVNumVFs: 2, SRIOVVFDriver: "vfio", Uses: []string{"mgmt0"}, UsedBy: []string{"vf0"},
			Networks: []string{"mgmt"}, DataNetworks: []string{"physnet0"}, CreatedAt: t0},
		ifnet: inventory.InterfaceNetwork{ID: 14, UUID: uuidN(14), InterfaceUUID: uuidN(13), IfName: "vlan10", NetworkUUID: uuidN(17),
			NetworkName: "mgmt", NetworkType: inventory.NetMgmt, HostUUID: hostUUID},
		address: inventory.Address{ID: 15, UUID: uuidN(15), HostUUID: hostUUID, InterfaceUUID: uuidN(13), IfName: "vlan10", Family: 4,
			Address: "192.168.204.5", Prefix: 24, Name: "worker-0-mgmt", PoolUUID: uuidN(18), CreatedAt: t0},
		route: inventory.Route{ID: 16, UUID: uuidN(16), HostUUID: hostUUID, InterfaceUUID: uuidN(13), IfName: "vlan10", Family: 4,
			Network: "10.10.0.0", Prefix: 16, Gateway: "192.168.204.1", Metric: 1, CreatedAt: t0},
		network: inventory.Network{ID: 17, UUID: uuidN(17), Name: "mgmt", Type: inventory.NetMgmt, Dynamic: true, PoolUUID: uuidN(18), CreatedAt: t0},
		pool: inventory.AddressPool{ID: 18, UUID: uuidN(18), Name: "management", Family: 4, Network: "192.168.204.0", Prefix: 24,
			Order: "random", Ranges: []inventory.AddressRange{{Start: "192.168.204.2", End: "192.168.204.50"}, {Start: "192.168.204.60", End: "192.168.204.254"}},
			FloatingAddress: "192.168.204.2", Controller0Address: "192.168.204.3", Controller1Address: "192.168.204.4",
			GatewayAddress: "192.168.204.1", CreatedAt: t0},
		datanet: inventory.DataNetwork{ID: 19, UUID: uuidN(19), Name: "physnet0", NetworkType: inventory.DataNetVXLAN, MTU: 1450,
			Description: "d", MulticastGroup: "239.0.0.1", PortNum: 4789, TTL: 10, Mode: "dynamic", CreatedAt: t0},
		label: inventory.Label{ID: 20, UUID: uuidN(20), HostUUID: hostUUID, LabelKey: "sriov", LabelValue: "enabled", CreatedAt: t0},
		backend: inventory.StorageBackend{ID: 21, UUID: uuidN(21), Backend: inventory.BackendCeph, Name: "ceph-store",
			State: inventory.BackendConfigured, Task: "provision-storage", Services: []string{"cinder", "glance"},
			Capabilities: map[string]any{"replication": "2"}, CreatedAt: t0},
		param: inventory.ServiceParameter{ID: 22, UUID: uuidN(22), Service: "platform", Section: "config", Name: "sysinv_api_workers",
			Value: "4", Personality: "controller", Resource: "::platform::sysinv::params::api_workers", CreatedAt: t0},
		config: inventory.HostConfig{UUID: uuidN(90), Hostname: "worker-0", Personality: inventory.PersonalityWorker, Subfunctions: "worker",
			System: inventory.SystemConfig{Name: "lab", SystemType: inventory.SystemStandard, SystemMode: inventory.ModeDuplex, Timezone: "UTC",
				Region: "RegionOne", DNSServers: []string{"8.8.8.8"}, NTPServers: []string{"pool"}},
			Interfaces: []inventory.InterfaceConfig{{Name: "vlan10", Type: inventory.IfVLAN, Class: inventory.IfClassPlatform, MTU: 1400,
				VLANID: 10, Uses: []string{"mgmt0"}, Networks: []string{"mgmt"}, Addresses: []string{"192.168.204.5/24"}}},
			Routes:  []inventory.RouteConfig{{Interface: "vlan10", Network: "10.10.0.0/16", Gateway: "192.168.204.1", Metric: 1}},
			CPUs:    inventory.CPUConfig{Platform: []int{0}, Application: []int{1, 2}},
			Memory:  []inventory.MemoryConfig{{NumaNode: 0, PlatformReservedMiB: 4000, VMHugepages2M: 10}},
			Storage: inventory.StorageConfig{OSDs: []string{"/dev/sdb"}},
			Labels:  map[string]string{"sriov": "enabled"}, ServiceParameters: map[string]string{"platform.config.x": "1"}},
	}
}

var _ inventory.Service = (*stub)(nil)

func (s *stub) GetHost(ctx context.Context, host string) (inventory.Host, error) {
	return s.fx.host, s.rec("GetHost", host)
}
func (s *stub) ListHosts(ctx context.Context) ([]inventory.Host, error) {
	return []inventory.Host{s.fx.host}, s.rec("ListHosts")
}
func (s *stub) SetHostStatus(ctx context.Context, host string, st inventory.HostStatus) (inventory.Host, error) {
	return s.fx.host, s.rec("SetHostStatus", host, st)
}
func (s *stub) CheckUnlock(ctx context.Context, host string) error { return s.rec("CheckUnlock", host) }
func (s *stub) ReportInventory(ctx context.Context, r inventory.Report) (inventory.Host, error) {
	return s.fx.host, s.rec("ReportInventory", r)
}
func (s *stub) HostConfig(ctx context.Context, host string) (inventory.HostConfig, error) {
	return s.fx.config, s.rec("HostConfig", host)
}
func (s *stub) ReportConfigApplied(ctx context.Context, host, configUUID string) (inventory.Host, error) {
	return s.fx.host, s.rec("ReportConfigApplied", host, configUUID)
}
func (s *stub) GetSystem(ctx context.Context) (inventory.System, error) {
	return s.fx.system, s.rec("GetSystem")
}
func (s *stub) UpdateSystem(ctx context.Context, u inventory.SystemUpdate) (inventory.System, error) {
	return s.fx.system, s.rec("UpdateSystem", u)
}
func (s *stub) AddHost(ctx context.Context, h inventory.HostSpec) (inventory.Host, error) {
	return s.fx.host, s.rec("AddHost", h)
}
func (s *stub) AddHosts(ctx context.Context, hs []inventory.HostSpec) ([]inventory.Host, error) {
	return []inventory.Host{s.fx.host, s.fx.host}, s.rec("AddHosts", hs)
}
func (s *stub) UpdateHost(ctx context.Context, host string, u inventory.HostUpdate) (inventory.Host, error) {
	return s.fx.host, s.rec("UpdateHost", host, u)
}
func (s *stub) DeleteHost(ctx context.Context, host string) error { return s.rec("DeleteHost", host) }
func (s *stub) ListNodes(ctx context.Context, host string) ([]inventory.Node, error) {
	return []inventory.Node{s.fx.node}, s.rec("ListNodes", host)
}
func (s *stub) ListCPUs(ctx context.Context, host string) ([]inventory.CPU, error) {
	return []inventory.CPU{s.fx.cpu}, s.rec("ListCPUs", host)
}
func (s *stub) ModifyCPUs(ctx context.Context, host string, m inventory.CPUModify) ([]inventory.CPU, error) {
	return []inventory.CPU{s.fx.cpu}, s.rec("ModifyCPUs", host, m)
}
func (s *stub) ListMemory(ctx context.Context, host string) ([]inventory.Memory, error) {
	return []inventory.Memory{s.fx.memory}, s.rec("ListMemory", host)
}
func (s *stub) ModifyMemory(ctx context.Context, host string, numaNode int, u inventory.MemoryUpdate) (inventory.Memory, error) {
	return s.fx.memory, s.rec("ModifyMemory", host, numaNode, u)
}
func (s *stub) ListDisks(ctx context.Context, host string) ([]inventory.Disk, error) {
	return []inventory.Disk{s.fx.disk}, s.rec("ListDisks", host)
}
func (s *stub) ListPartitions(ctx context.Context, host, diskUUID string) ([]inventory.Partition, error) {
	return []inventory.Partition{s.fx.partition}, s.rec("ListPartitions", host, diskUUID)
}
func (s *stub) AddPartition(ctx context.Context, host string, p inventory.PartitionSpec) (inventory.Partition, error) {
	return s.fx.partition, s.rec("AddPartition", host, p)
}
func (s *stub) ModifyPartition(ctx context.Context, uuid string, sizeMiB int) (inventory.Partition, error) {
	return s.fx.partition, s.rec("ModifyPartition", uuid, sizeMiB)
}
func (s *stub) DeletePartition(ctx context.Context, uuid string) error {
	return s.rec("DeletePartition", uuid)
}
func (s *stub) ListLVGs(ctx context.Context, host string) ([]inventory.LVG, error) {
	return []inventory.LVG{s.fx.lvg}, s.rec("ListLVGs", host)
}
func (s *stub) AddLVG(ctx context.Context, host, vgName string) (inventory.LVG, error) {
	return s.fx.lvg, s.rec("AddLVG", host, vgName)
}
func (s *stub) DeleteLVG(ctx context.Context, uuid string) error { return s.rec("DeleteLVG", uuid) }
func (s *stub) ListPVs(ctx context.Context, host string) ([]inventory.PV, error) {
	return []inventory.PV{s.fx.pv}, s.rec("ListPVs", host)
}
func (s *stub) AddPV(ctx context.Context, host string, p inventory.PVSpec) (inventory.PV, error) {
	return s.fx.pv, s.rec("AddPV", host, p)
}
func (s *stub) DeletePV(ctx context.Context, uuid string) error { return s.rec("DeletePV", uuid) }
func (s *stub) ListStors(ctx context.Context, host string) ([]inventory.Stor, error) {
	return []inventory.Stor{s.fx.stor}, s.rec("ListStors", host)
}
func (s *stub) AddStor(ctx context.Context, host string, st inventory.StorSpec) (inventory.Stor, error) {
	return s.fx.stor, s.rec("AddStor", host, st)
}
func (s *stub) DeleteStor(ctx context.Context, uuid string) error { return s.rec("DeleteStor", uuid) }
func (s *stub) ListPorts(ctx context.Context, host string) ([]inventory.Port, error) {
	return []inventory.Port{s.fx.port}, s.rec("ListPorts", host)
}
func (s *stub) ListInterfaces(ctx context.Context, host string) ([]inventory.Interface, error) {
	return []inventory.Interface{s.fx.iface}, s.rec("ListInterfaces", host)
}
func (s *stub) GetInterface(ctx context.Context, uuid string) (inventory.Interface, error) {
	return s.fx.iface, s.rec("GetInterface", uuid)
}
func (s *stub) AddInterface(ctx context.Context, host string, sp inventory.InterfaceSpec) (inventory.Interface, error) {
	return s.fx.iface, s.rec("AddInterface", host, sp)
}
func (s *stub) UpdateInterface(ctx context.Context, uuid string, u inventory.InterfaceUpdate) (inventory.Interface, error) {
	return s.fx.iface, s.rec("UpdateInterface", uuid, u)
}
func (s *stub) DeleteInterface(ctx context.Context, uuid string) error {
	return s.rec("DeleteInterface", uuid)
}
func (s *stub) ListInterfaceNetworks(ctx context.Context, host string) ([]inventory.InterfaceNetwork, error) {
	return []inventory.InterfaceNetwork{s.fx.ifnet}, s.rec("ListInterfaceNetworks", host)
}
func (s *stub) AssignInterfaceNetwork(ctx context.Context, interfaceUUID, network string) (inventory.InterfaceNetwork, error) {
	return s.fx.ifnet, s.rec("AssignInterfaceNetwork", interfaceUUID, network)
}
func (s *stub) RemoveInterfaceNetwork(ctx context.Context, uuid string) error {
	return s.rec("RemoveInterfaceNetwork", uuid)
}
func (s *stub) ListAddresses(ctx context.Context, host string) ([]inventory.Address, error) {
	return []inventory.Address{s.fx.address}, s.rec("ListAddresses", host)
}
func (s *stub) ListRoutes(ctx context.Context, host string) ([]inventory.Route, error) {
	return []inventory.Route{s.fx.route}, s.rec("ListRoutes", host)
}
func (s *stub) ListNetworks(ctx context.Context) ([]inventory.Network, error) {
	return []inventory.Network{s.fx.network}, s.rec("ListNetworks")
}
func (s *stub) GetNetwork(ctx context.Context, network string) (inventory.Network, error) {
	return s.fx.network, s.rec("GetNetwork", network)
}
func (s *stub) AddNetwork(ctx context.Context, sp inventory.NetworkSpec) (inventory.Network, error) {
	return s.fx.network, s.rec("AddNetwork", sp)
}
func (s *stub) DeleteNetwork(ctx context.Context, network string) error {
	return s.rec("DeleteNetwork", network)
}
func (s *stub) ListAddressPools(ctx context.Context) ([]inventory.AddressPool, error) {
	return []inventory.AddressPool{s.fx.pool}, s.rec("ListAddressPools")
}
func (s *stub) GetAddressPool(ctx context.Context, pool string) (inventory.AddressPool, error) {
	return s.fx.pool, s.rec("GetAddressPool", pool)
}
func (s *stub) AddAddressPool(ctx context.Context, sp inventory.AddressPoolSpec) (inventory.AddressPool, error) {
	return s.fx.pool, s.rec("AddAddressPool", sp)
}
func (s *stub) UpdateAddressPool(ctx context.Context, pool string, u inventory.AddressPoolUpdate) (inventory.AddressPool, error) {
	return s.fx.pool, s.rec("UpdateAddressPool", pool, u)
}
func (s *stub) DeleteAddressPool(ctx context.Context, pool string) error {
	return s.rec("DeleteAddressPool", pool)
}
func (s *stub) ListDataNetworks(ctx context.Context) ([]inventory.DataNetwork, error) {
	return []inventory.DataNetwork{s.fx.datanet}, s.rec("ListDataNetworks")
}
func (s *stub) AddDataNetwork(ctx context.Context, d inventory.DataNetwork) (inventory.DataNetwork, error) {
	return s.fx.datanet, s.rec("AddDataNetwork", d)
}
func (s *stub) DeleteDataNetwork(ctx context.Context, dataNetwork string) error {
	return s.rec("DeleteDataNetwork", dataNetwork)
}
func (s *stub) ListLabels(ctx context.Context, host string) ([]inventory.Label, error) {
	return []inventory.Label{s.fx.label}, s.rec("ListLabels", host)
}
func (s *stub) AssignLabels(ctx context.Context, host string, labels map[string]string, overwrite bool) ([]inventory.Label, error) {
	return []inventory.Label{s.fx.label}, s.rec("AssignLabels", host, labels, overwrite)
}
func (s *stub) RemoveLabel(ctx context.Context, uuid string) error { return s.rec("RemoveLabel", uuid) }
func (s *stub) ListStorageBackends(ctx context.Context) ([]inventory.StorageBackend, error) {
	return []inventory.StorageBackend{s.fx.backend}, s.rec("ListStorageBackends")
}
func (s *stub) AddStorageBackend(ctx context.Context, sp inventory.StorageBackendSpec) (inventory.StorageBackend, error) {
	return s.fx.backend, s.rec("AddStorageBackend", sp)
}
func (s *stub) DeleteStorageBackend(ctx context.Context, uuid string) error {
	return s.rec("DeleteStorageBackend", uuid)
}
func (s *stub) ListServiceParameters(ctx context.Context, q inventory.ServiceParameterQuery) ([]inventory.ServiceParameter, error) {
	return []inventory.ServiceParameter{s.fx.param}, s.rec("ListServiceParameters", q)
}
func (s *stub) AddServiceParameters(ctx context.Context, service, section string, params map[string]string, personality, resource string) ([]inventory.ServiceParameter, error) {
	return []inventory.ServiceParameter{s.fx.param}, s.rec("AddServiceParameters", service, section, params, personality, resource)
}
func (s *stub) UpdateServiceParameter(ctx context.Context, uuid, value string) (inventory.ServiceParameter, error) {
	return s.fx.param, s.rec("UpdateServiceParameter", uuid, value)
}
func (s *stub) DeleteServiceParameter(ctx context.Context, uuid string) error {
	return s.rec("DeleteServiceParameter", uuid)
}
func (s *stub) HostSnapshot(ctx context.Context, host string) (inventory.Snapshot, error) {
	snap, _ := s.Snapshot(ctx)
	return snap, s.rec("HostSnapshot", host)
}
func (s *stub) Snapshot(ctx context.Context) (inventory.Snapshot, error) {
	f := s.fx
	h := f.host.UUID
	return inventory.Snapshot{System: f.system, Hosts: []inventory.Host{f.host},
		Nodes: map[string][]inventory.Node{h: {f.node}}, CPUs: map[string][]inventory.CPU{h: {f.cpu}},
		Memory: map[string][]inventory.Memory{h: {f.memory}}, Disks: map[string][]inventory.Disk{h: {f.disk}},
		Partitions: map[string][]inventory.Partition{h: {f.partition}}, LVGs: map[string][]inventory.LVG{h: {f.lvg}},
		PVs: map[string][]inventory.PV{h: {f.pv}}, Stors: map[string][]inventory.Stor{h: {f.stor}},
		Ports: map[string][]inventory.Port{h: {f.port}}, Interfaces: map[string][]inventory.Interface{h: {f.iface}},
		InterfaceNetworks: map[string][]inventory.InterfaceNetwork{h: {f.ifnet}}, Addresses: map[string][]inventory.Address{h: {f.address}},
		Routes: map[string][]inventory.Route{h: {f.route}}, Labels: map[string][]inventory.Label{h: {f.label}},
		Networks: []inventory.Network{f.network}, AddressPools: []inventory.AddressPool{f.pool}, DataNetworks: []inventory.DataNetwork{f.datanet},
		StorageBackends: []inventory.StorageBackend{f.backend}, ServiceParameters: []inventory.ServiceParameter{f.param}}, s.rec("Snapshot")
}
