package inventoryhttp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
)

// serveStub serves a fresh stub and returns it with a client of it.
func serveStub(t *testing.T) (*stub, *inventoryhttp.Client) {
	t.Helper()
	st := newStub()
	srv := httptest.NewServer(inventoryhttp.NewHandler(st, nil))
	t.Cleanup(srv.Close)
	return st, inventoryhttp.NewClient(srv.URL, nil)
}

func ptr[T any](v T) *T { return &v }

// TestClientRoundTrip calls every Service method through Client and
// the handler: the service receives exactly the arguments given, and
// the client returns exactly what the service answered, every field.
func TestClientRoundTrip(t *testing.T) {
	fx := full()
	h := fx.host.UUID
	cases := []struct {
		name string
		call func(ctx context.Context, c *inventoryhttp.Client) (any, error)
		want any    // the answer; nil for an error-only method
		svc  string // the service method called
		args []any  // with these arguments
	}{
		{"GetHost", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.GetHost(ctx, "worker-0") },
			fx.host, "GetHost", []any{"worker-0"}},
		{"ListHosts", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListHosts(ctx) },
			[]inventory.Host{fx.host}, "ListHosts", nil},
		{"SetHostStatus", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.SetHostStatus(ctx, "3", inventory.HostStatus{Administrative: ptr(inventory.AdminUnlocked), Operational: ptr(inventory.OperEnabled),
				Availability: ptr(inventory.AvailAvailable), Task: ptr(""), Action: ptr("none"), Uptime: ptr(int64(10))})
		}, fx.host, "SetHostStatus", []any{"3", inventory.HostStatus{Administrative: ptr(inventory.AdminUnlocked), Operational: ptr(inventory.OperEnabled),
			Availability: ptr(inventory.AvailAvailable), Task: ptr(""), Action: ptr("none"), Uptime: ptr(int64(10))}}},
		{"CheckUnlock", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return nil, c.CheckUnlock(ctx, h) },
			nil, "CheckUnlock", []any{h}},
		{"ReportInventory", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.ReportInventory(ctx, inventory.Report{MgmtMAC: "08:00:27:aa:bb:cc", Hostname: "worker-0", SWVersion: "24.09",
				Nodes: []inventory.Node{fx.node}, CPUs: []inventory.CPU{fx.cpu}, Memory: []inventory.Memory{fx.memory},
				Disks: []inventory.Disk{fx.disk}, Ports: []inventory.Port{fx.port}, LVGs: []inventory.LVG{fx.lvg},
				PVs: []inventory.PV{fx.pv}, Partitions: []inventory.Partition{fx.partition}})
		}, fx.host, "ReportInventory", []any{inventory.Report{MgmtMAC: "08:00:27:aa:bb:cc", Hostname: "worker-0", SWVersion: "24.09",
			Nodes: []inventory.Node{fx.node}, CPUs: []inventory.CPU{fx.cpu}, Memory: []inventory.Memory{fx.memory},
			Disks: []inventory.Disk{fx.disk}, Ports: []inventory.Port{fx.port}, LVGs: []inventory.LVG{fx.lvg},
			PVs: []inventory.PV{fx.pv}, Partitions: []inventory.Partition{fx.partition}}}},
		{"HostConfig", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.HostConfig(ctx, "worker-0") },
			fx.config, "HostConfig", []any{"worker-0"}},
		{"ReportConfigApplied", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.ReportConfigApplied(ctx, "worker-0", uuidN(90))
		}, fx.host, "ReportConfigApplied", []any{"worker-0", uuidN(90)}},
		{"GetSystem", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.GetSystem(ctx) },
			fx.system, "GetSystem", nil},
		{"UpdateSystem", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.UpdateSystem(ctx, inventory.SystemUpdate{Name: ptr("lab2"), Description: ptr(""), Contact: ptr("c"), Location: ptr("l"),
				Latitude: ptr("1"), Longitude: ptr("2"), Timezone: ptr("Europe/Paris"), SystemMode: ptr(inventory.ModeDuplexDirect),
				Capabilities: ptr(map[string]any{"k": "v"}), DNSServers: ptr([]string{"1.1.1.1", "8.8.8.8"}), NTPServers: ptr([]string{})})
		}, fx.system, "UpdateSystem", []any{inventory.SystemUpdate{Name: ptr("lab2"), Description: ptr(""), Contact: ptr("c"), Location: ptr("l"),
			Latitude: ptr("1"), Longitude: ptr("2"), Timezone: ptr("Europe/Paris"), SystemMode: ptr(inventory.ModeDuplexDirect),
			Capabilities: ptr(map[string]any{"k": "v"}), DNSServers: ptr([]string{"1.1.1.1", "8.8.8.8"}), NTPServers: ptr([]string{})}}},
		{"AddHost", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.AddHost(ctx, fullSpec()) },
			fx.host, "AddHost", []any{fullSpec()}},
		{"AddHosts", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AddHosts(ctx, []inventory.HostSpec{fullSpec(), {MgmtMAC: "08:00:27:00:00:01"}})
		}, []inventory.Host{fx.host, fx.host}, "AddHosts", []any{[]inventory.HostSpec{fullSpec(), {MgmtMAC: "08:00:27:00:00:01"}}}},
		{"UpdateHost", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.UpdateHost(ctx, "worker-0", fullUpdate())
		},
			fx.host, "UpdateHost", []any{"worker-0", fullUpdate()}},
		{"DeleteHost", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return nil, c.DeleteHost(ctx, "worker-0")
		},
			nil, "DeleteHost", []any{"worker-0"}},
		{"ListNodes", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListNodes(ctx, h) },
			[]inventory.Node{fx.node}, "ListNodes", []any{h}},
		{"ListCPUs", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListCPUs(ctx, h) },
			[]inventory.CPU{fx.cpu}, "ListCPUs", []any{h}},
		{"ModifyCPUs", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.ModifyCPUs(ctx, "worker-0", inventory.CPUModify{Function: inventory.CPUApplicationIsolated, Cores: map[int]int{0: 2, 1: 0}})
		}, []inventory.CPU{fx.cpu}, "ModifyCPUs", []any{"worker-0", inventory.CPUModify{Function: inventory.CPUApplicationIsolated, Cores: map[int]int{0: 2, 1: 0}}}},
		{"ListMemory", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListMemory(ctx, h) },
			[]inventory.Memory{fx.memory}, "ListMemory", []any{h}},
		{"ModifyMemory", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.ModifyMemory(ctx, "worker-0", 1, inventory.MemoryUpdate{PlatformReservedMiB: ptr(1200), VMHugepagesNr2M: ptr(0),
				VMHugepagesNr1G: ptr(4), VswitchHugepagesReqd: ptr(1), VswitchHugepagesSizeMiB: ptr(1024)})
		}, fx.memory, "ModifyMemory", []any{hostUUID, 1, inventory.MemoryUpdate{PlatformReservedMiB: ptr(1200), VMHugepagesNr2M: ptr(0),
			VMHugepagesNr1G: ptr(4), VswitchHugepagesReqd: ptr(1), VswitchHugepagesSizeMiB: ptr(1024)}}},
		{"ListDisks", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListDisks(ctx, h) },
			[]inventory.Disk{fx.disk}, "ListDisks", []any{h}},
		{"ListPartitions", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListPartitions(ctx, h, "") },
			[]inventory.Partition{fx.partition}, "ListPartitions", []any{h, ""}},
		{"ListPartitions of a disk", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.ListPartitions(ctx, h, uuidN(7))
		},
			[]inventory.Partition{fx.partition}, "ListPartitions", []any{h, uuidN(7)}},
		{"AddPartition", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AddPartition(ctx, "worker-0", inventory.PartitionSpec{DiskUUID: uuidN(7), SizeMiB: 10240, TypeGUID: inventory.LVMPartitionType})
		}, fx.partition, "AddPartition", []any{"worker-0", inventory.PartitionSpec{DiskUUID: uuidN(7), SizeMiB: 10240, TypeGUID: inventory.LVMPartitionType}}},
		{"ModifyPartition", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.ModifyPartition(ctx, uuidN(8), 20480)
		},
			fx.partition, "ModifyPartition", []any{uuidN(8), 20480}},
		{"DeletePartition", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return nil, c.DeletePartition(ctx, uuidN(8))
		},
			nil, "DeletePartition", []any{uuidN(8)}},
		{"ListLVGs", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListLVGs(ctx, h) },
			[]inventory.LVG{fx.lvg}, "ListLVGs", []any{h}},
		{"AddLVG", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AddLVG(ctx, "worker-0", "nova-local")
		},
			fx.lvg, "AddLVG", []any{"worker-0", "nova-local"}},
		{"DeleteLVG", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return nil, c.DeleteLVG(ctx, uuidN(9))
		},
			nil, "DeleteLVG", []any{uuidN(9)}},
		{"ListPVs", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListPVs(ctx, h) },
			[]inventory.PV{fx.pv}, "ListPVs", []any{h}},
		{"AddPV", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AddPV(ctx, h, inventory.PVSpec{LVGUUID: uuidN(9), DiskOrPartUUID: uuidN(8)})
		}, fx.pv, "AddPV", []any{h, inventory.PVSpec{LVGUUID: uuidN(9), DiskOrPartUUID: uuidN(8)}}},
		{"DeletePV", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return nil, c.DeletePV(ctx, uuidN(10))
		},
			nil, "DeletePV", []any{uuidN(10)}},
		{"ListStors", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListStors(ctx, h) },
			[]inventory.Stor{fx.stor}, "ListStors", []any{h}},
		{"AddStor", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AddStor(ctx, h, inventory.StorSpec{Function: "journal", DiskUUID: uuidN(7), TierName: "gold"})
		}, fx.stor, "AddStor", []any{h, inventory.StorSpec{Function: "journal", DiskUUID: uuidN(7), TierName: "gold"}}},
		{"DeleteStor", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return nil, c.DeleteStor(ctx, uuidN(11))
		},
			nil, "DeleteStor", []any{uuidN(11)}},
		{"ListPorts", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListPorts(ctx, h) },
			[]inventory.Port{fx.port}, "ListPorts", []any{h}},
		{"ListInterfaces", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListInterfaces(ctx, h) },
			[]inventory.Interface{fx.iface}, "ListInterfaces", []any{h}},
		{"GetInterface", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.GetInterface(ctx, uuidN(13)) },
			fx.iface, "GetInterface", []any{uuidN(13)}},
		{"AddInterface", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AddInterface(ctx, "worker-0", fullIfSpec())
		},
			fx.iface, "AddInterface", []any{"worker-0", fullIfSpec()}},
		{"AddInterface ethernet", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AddInterface(ctx, "worker-0", inventory.InterfaceSpec{IfName: "mgmt0", IfType: inventory.IfEthernet, IfClass: inventory.IfClassPlatform, Port: "enp0s3"})
		}, fx.iface, "AddInterface", []any{"worker-0", inventory.InterfaceSpec{IfName: "mgmt0", IfType: inventory.IfEthernet, IfClass: inventory.IfClassPlatform, Port: "enp0s3"}}},
		{"UpdateInterface", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.UpdateInterface(ctx, uuidN(13), fullIfUpdate())
		},
			fx.iface, "UpdateInterface", []any{uuidN(13), fullIfUpdate()}},
		{"DeleteInterface", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return nil, c.DeleteInterface(ctx, uuidN(13))
		},
			nil, "DeleteInterface", []any{uuidN(13)}},
		{"ListInterfaceNetworks", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.ListInterfaceNetworks(ctx, h)
		},
			[]inventory.InterfaceNetwork{fx.ifnet}, "ListInterfaceNetworks", []any{h}},
		{"AssignInterfaceNetwork", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AssignInterfaceNetwork(ctx, uuidN(13), "mgmt")
		}, fx.ifnet, "AssignInterfaceNetwork", []any{uuidN(13), "mgmt"}},
		{"RemoveInterfaceNetwork", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return nil, c.RemoveInterfaceNetwork(ctx, uuidN(14))
		}, nil, "RemoveInterfaceNetwork", []any{uuidN(14)}},
		{"ListAddresses", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListAddresses(ctx, h) },
			[]inventory.Address{fx.address}, "ListAddresses", []any{h}},
		{"ListRoutes", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListRoutes(ctx, h) },
			[]inventory.Route{fx.route}, "ListRoutes", []any{h}},
		{"ListNetworks", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListNetworks(ctx) },
			[]inventory.Network{fx.network}, "ListNetworks", nil},
		{"GetNetwork", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.GetNetwork(ctx, "mgmt") },
			fx.network, "GetNetwork", []any{"mgmt"}},
		{"AddNetwork", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AddNetwork(ctx, inventory.NetworkSpec{Name: "oam", Type: inventory.NetOAM, Dynamic: false, PoolUUID: uuidN(18)})
		}, fx.network, "AddNetwork", []any{inventory.NetworkSpec{Name: "oam", Type: inventory.NetOAM, Dynamic: false, PoolUUID: uuidN(18)}}},
		{"DeleteNetwork", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return nil, c.DeleteNetwork(ctx, "oam")
		},
			nil, "DeleteNetwork", []any{"oam"}},
		{"ListAddressPools", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListAddressPools(ctx) },
			[]inventory.AddressPool{fx.pool}, "ListAddressPools", nil},
		{"GetAddressPool", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.GetAddressPool(ctx, "management")
		},
			fx.pool, "GetAddressPool", []any{"management"}},
		{"AddAddressPool", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AddAddressPool(ctx, fullPoolSpec())
		},
			fx.pool, "AddAddressPool", []any{fullPoolSpec()}},
		{"UpdateAddressPool", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.UpdateAddressPool(ctx, uuidN(18), fullPoolUpdate())
		}, fx.pool, "UpdateAddressPool", []any{uuidN(18), fullPoolUpdate()}},
		{"DeleteAddressPool", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return nil, c.DeleteAddressPool(ctx, "management")
		},
			nil, "DeleteAddressPool", []any{"management"}},
		{"ListDataNetworks", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListDataNetworks(ctx) },
			[]inventory.DataNetwork{fx.datanet}, "ListDataNetworks", nil},
		{"AddDataNetwork", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AddDataNetwork(ctx, inventory.DataNetwork{Name: "physnet1", NetworkType: inventory.DataNetVXLAN, MTU: 1450, Description: "d",
				MulticastGroup: "239.0.0.2", PortNum: 8472, TTL: 5, Mode: "static"})
		}, fx.datanet, "AddDataNetwork", []any{inventory.DataNetwork{Name: "physnet1", NetworkType: inventory.DataNetVXLAN, MTU: 1450, Description: "d",
			MulticastGroup: "239.0.0.2", PortNum: 8472, TTL: 5, Mode: "static"}}},
		{"DeleteDataNetwork", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return nil, c.DeleteDataNetwork(ctx, "physnet0")
		},
			nil, "DeleteDataNetwork", []any{"physnet0"}},
		{"ListLabels", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListLabels(ctx, h) },
			[]inventory.Label{fx.label}, "ListLabels", []any{h}},
		{"AssignLabels", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AssignLabels(ctx, "worker-0", map[string]string{"sriov": "enabled", "empty": ""}, true)
		}, []inventory.Label{fx.label}, "AssignLabels", []any{"worker-0", map[string]string{"sriov": "enabled", "empty": ""}, true}},
		{"AssignLabels no overwrite", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AssignLabels(ctx, "worker-0", map[string]string{"a": "b"}, false)
		}, []inventory.Label{fx.label}, "AssignLabels", []any{"worker-0", map[string]string{"a": "b"}, false}},
		{"RemoveLabel", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return nil, c.RemoveLabel(ctx, uuidN(20))
		},
			nil, "RemoveLabel", []any{uuidN(20)}},
		{"ListStorageBackends", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.ListStorageBackends(ctx) },
			[]inventory.StorageBackend{fx.backend}, "ListStorageBackends", nil},
		{"AddStorageBackend", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AddStorageBackend(ctx, inventory.StorageBackendSpec{Backend: inventory.BackendCeph, Name: "ceph-store",
				Services: []string{"cinder", "glance"}, Capabilities: map[string]any{"replication": "2"}})
		}, fx.backend, "AddStorageBackend", []any{inventory.StorageBackendSpec{Backend: inventory.BackendCeph, Name: "ceph-store",
			Services: []string{"cinder", "glance"}, Capabilities: map[string]any{"replication": "2"}}}},
		{"DeleteStorageBackend", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return nil, c.DeleteStorageBackend(ctx, uuidN(21))
		}, nil, "DeleteStorageBackend", []any{uuidN(21)}},
		{"ListServiceParameters", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.ListServiceParameters(ctx, inventory.ServiceParameterQuery{Service: "platform", Section: "config", Name: "x"})
		}, []inventory.ServiceParameter{fx.param}, "ListServiceParameters", []any{inventory.ServiceParameterQuery{Service: "platform", Section: "config", Name: "x"}}},
		{"AddServiceParameters", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.AddServiceParameters(ctx, "platform", "config", map[string]string{"a": "1", "b": ""}, "controller", "::x")
		}, []inventory.ServiceParameter{fx.param}, "AddServiceParameters", []any{"platform", "config", map[string]string{"a": "1", "b": ""}, "controller", "::x"}},
		{"UpdateServiceParameter", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return c.UpdateServiceParameter(ctx, uuidN(22), "8")
		}, fx.param, "UpdateServiceParameter", []any{uuidN(22), "8"}},
		{"DeleteServiceParameter", func(ctx context.Context, c *inventoryhttp.Client) (any, error) {
			return nil, c.DeleteServiceParameter(ctx, uuidN(22))
		}, nil, "DeleteServiceParameter", []any{uuidN(22)}},
		{"Snapshot", func(ctx context.Context, c *inventoryhttp.Client) (any, error) { return c.Snapshot(ctx) },
			mustSnapshot(), "Snapshot", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, c := serveStub(t)
			got, err := tc.call(t.Context(), c)
			require.NoError(t, err)
			if tc.want != nil {
				assert.Equal(t, tc.want, got)
			}
			cl, ok := st.last(tc.svc)
			require.True(t, ok, "%s was called", tc.svc)
			assert.Equal(t, tc.args, cl.Args)
		})
	}
}

func mustSnapshot() inventory.Snapshot {
	s, _ := newStub().Snapshot(context.Background())
	return s
}

func fullSpec() inventory.HostSpec {
	return inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker, Subfunctions: "worker,lowlatency",
		MgmtMAC: "08:00:27:aa:bb:cc", MgmtIP: "192.168.204.5", BMIP: "10.0.0.5", BMType: "redfish", BMUsername: "root",
		BMPassword: "s3cret", BootDevice: "/dev/sda", RootfsDevice: "/dev/sdb", HWSettle: "5", InstallOutput: "graphical",
		Console: "tty0", Location: map[string]any{"locn": "rack 2"}, PowerOn: true}
}

func fullUpdate() inventory.HostUpdate {
	return inventory.HostUpdate{Hostname: ptr("worker-1"), Personality: ptr(inventory.PersonalityStorage), Subfunctions: ptr("storage"),
		MgmtMAC: ptr("08:00:27:aa:bb:cd"), MgmtIP: ptr("192.168.204.6"), BMIP: ptr(""), BMType: ptr("ipmi"), BMUsername: ptr("admin"),
		BMPassword: ptr("pw"), BootDevice: ptr("/dev/sdc"), RootfsDevice: ptr("/dev/sdc"), HWSettle: ptr("1"), InstallOutput: ptr("text"),
		Console: ptr(""), Location: ptr(map[string]any{"locn": "x"}), Capabilities: ptr(map[string]any{"a": "b"})}
}

func fullIfSpec() inventory.InterfaceSpec {
	return inventory.InterfaceSpec{IfName: "bond0", IfType: inventory.IfAE, IfClass: inventory.IfClassData, IMTU: 9000, VLANID: 0,
		AEMode: "802.3ad", TxHashPolicy: "layer3+4", SRIOVNumVFs: 4, SRIOVVFDriver: "netdevice", Uses: []string{"eth0", "eth1"},
		DataNetworks: []string{"physnet0"}}
}

func fullIfUpdate() inventory.InterfaceUpdate {
	return inventory.InterfaceUpdate{IfName: ptr("data0"), IfClass: ptr(inventory.IfClassPCISRIOV), IMTU: ptr(9000), AEMode: ptr("balanced"),
		TxHashPolicy: ptr("layer2+3"), SRIOVNumVFs: ptr(0), SRIOVVFDriver: ptr("vfio"), Uses: ptr([]string{"eth2"}),
		DataNetworks: ptr([]string{"physnet0", "physnet1"})}
}

func fullPoolSpec() inventory.AddressPoolSpec {
	return inventory.AddressPoolSpec{Name: "oam", Network: "10.10.10.0", Prefix: 24, Order: "sequential",
		Ranges:          []inventory.AddressRange{{Start: "10.10.10.2", End: "10.10.10.100"}},
		FloatingAddress: "10.10.10.2", Controller0Address: "10.10.10.3", Controller1Address: "10.10.10.4", GatewayAddress: "10.10.10.1"}
}

func fullPoolUpdate() inventory.AddressPoolUpdate {
	return inventory.AddressPoolUpdate{Name: ptr("oam2"), Order: ptr("random"), Ranges: ptr([]inventory.AddressRange{{Start: "a", End: "b"}}),
		FloatingAddress: ptr("f"), Controller0Address: ptr("c0"), Controller1Address: ptr("c1"), GatewayAddress: ptr("")}
}

// TestClientErrors: every sentinel, field and rule survives the trip.
func TestClientErrors(t *testing.T) {
	for _, tc := range []struct {
		err   error
		check func(t *testing.T, err error)
	}{
		{fmt.Errorf("host %q: %w", "x", inventory.ErrNotFound), func(t *testing.T, err error) { assert.ErrorIs(t, err, inventory.ErrNotFound) }},
		{inventory.Fieldf("hostname", "must be a valid host name"), func(t *testing.T, err error) {
			fe, ok := errors.AsType[*inventory.FieldError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, inventory.FieldError{Field: "hostname", Reason: "must be a valid host name"}, *fe)
			assert.ErrorIs(t, err, inventory.ErrInvalid)
		}},
		{fmt.Errorf("host worker-0: %w", inventory.Rulef(inventory.RuleHostLocked, "host must be locked")), func(t *testing.T, err error) {
			re, ok := errors.AsType[*inventory.RuleError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, inventory.RuleError{Rule: inventory.RuleHostLocked, Reason: "host must be locked", Kind: inventory.ErrInvalidTransition}, *re)
			assert.ErrorIs(t, err, inventory.ErrInvalidTransition)
			assert.NotErrorIs(t, err, inventory.ErrConflict)
		}},
		{inventory.Conflictf(inventory.RuleUniqueHostname, "hostname taken"), func(t *testing.T, err error) {
			re, ok := errors.AsType[*inventory.RuleError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, inventory.RuleUniqueHostname, re.Rule)
			assert.ErrorIs(t, err, inventory.ErrConflict)
			assert.NotErrorIs(t, err, inventory.ErrInvalidTransition)
		}},
		{fmt.Errorf("dup: %w", inventory.ErrConflict), func(t *testing.T, err error) { assert.ErrorIs(t, err, inventory.ErrConflict) }},
		{inventory.ErrUnavailable, func(t *testing.T, err error) { assert.ErrorIs(t, err, inventory.ErrUnavailable) }},
		{inventory.ErrUnimplemented, func(t *testing.T, err error) { assert.ErrorIs(t, err, inventory.ErrUnimplemented) }},
		{inventory.ErrClosed, func(t *testing.T, err error) { assert.ErrorIs(t, err, inventory.ErrClosed) }},
		{errors.New("pq: password authentication failed for user flock"), func(t *testing.T, err error) {
			assert.NotContains(t, err.Error(), "password", "a 5xx hides the detail")
			assert.Contains(t, err.Error(), "request id req-")
		}},
	} {
		t.Run(tc.err.Error(), func(t *testing.T) {
			st, c := serveStub(t)
			st.err = tc.err
			_, err := c.GetHost(t.Context(), "worker-0")
			require.Error(t, err)
			tc.check(t, err)
			err = c.DeleteHost(t.Context(), "worker-0")
			require.Error(t, err)
			tc.check(t, err)
		})
	}
}

// TestClientRefusesEmptyNames: no request names nothing.
func TestClientRefusesEmptyNames(t *testing.T) {
	st, c := serveStub(t)
	for _, name := range []string{"", ".", ".."} {
		_, err := c.GetHost(t.Context(), name)
		assert.ErrorIs(t, err, inventory.ErrNotFound)
		assert.ErrorIs(t, c.DeleteHost(t.Context(), name), inventory.ErrNotFound)
	}
	assert.Empty(t, st.calls)
}
