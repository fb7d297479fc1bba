package inventoryhttp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
)

// exchange sends one request as the system CLI would and returns the
// status and the decoded JSON answer (nil for none).
func exchange(t *testing.T, h http.Handler, method, path, body string) (int, any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Auth-Token", "tok")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out any
	if rec.Body.Len() > 0 {
		require.Equal(t, "application/json", rec.Header().Get("Content-Type"), "%s %s: %s", method, path, rec.Body)
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	}
	return rec.Code, out
}

func obj(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	require.True(t, ok, "an object: %v", v)
	return m
}

// first returns the first record of a {"<key>": [...]} answer.
func first(t *testing.T, v any, key string) map[string]any {
	t.Helper()
	l, ok := obj(t, v)[key].([]any)
	require.True(t, ok, "%s is a list: %v", key, v)
	require.NotEmpty(t, l)
	return obj(t, l[0])
}

// hasKeys checks that every member the CLI reads unconditionally is there.
func hasKeys(t *testing.T, m map[string]any, keys string) {
	t.Helper()
	for _, k := range strings.Fields(keys) {
		assert.Contains(t, m, k)
	}
}

// TestCLIAnswers: the answers carry the members cgts-client reads
// without a default (it crashes on a missing one), in sysinv's types.
func TestCLIAnswers(t *testing.T) {
	st := newStub()
	h := inventoryhttp.NewHandler(st, nil)
	get := func(path string) any {
		t.Helper()
		code, out := exchange(t, h, "GET", path, "")
		require.Equal(t, http.StatusOK, code, "%s: %v", path, out)
		return out
	}
	hl := first(t, get("/v1/ihosts"), "ihosts")
	hasKeys(t, hl, "id hostname personality administrative operational availability uuid subfunctions peers install_state install_state_info")
	assert.InDelta(t, 3, hl["id"], 0, "id is a number")
	host := obj(t, get("/v1/ihosts/3"))
	assert.Equal(t, "2024-05-01T10:23:45.123456+00:00", host["created_at"], "Python's isoformat")
	assert.Equal(t, "2024-05-02T11:00:00.123456789Z", host["updated_at"], "nanoseconds are kept")
	assert.NotContains(t, host, "bm_password")
	assert.Equal(t, "24.09", host["sw_version"])

	sys := first(t, get("/v1/isystems"), "isystems")
	hasKeys(t, sys, "uuid name system_type system_mode capabilities distributed_cloud_role region_name software_version")
	assert.IsType(t, map[string]any{}, sys["capabilities"])

	cpu := first(t, get("/v1/ihosts/"+hostUUID+"/icpus"), "icpus")
	hasKeys(t, cpu, "uuid cpu numa_node core thread cpu_model allocated_function")
	assert.Equal(t, "Application-isolated", cpu["allocated_function"])

	nodes := first(t, get("/v1/ihosts/"+hostUUID+"/inodes"), "inodes")
	mem := first(t, get("/v1/ihosts/"+hostUUID+"/imemorys"), "imemorys")
	assert.Equal(t, nodes["uuid"], mem["inode_uuid"], "memory joins its node")
	hasKeys(t, mem, `numa_node memtotal_mib platform_reserved_mib memavail_mib hugepages_configured vswitch_hugepages_size_mib
		vswitch_hugepages_nr vswitch_hugepages_avail vswitch_hugepages_reqd vm_hugepages_nr_4K vm_pending_as_percentage
		vm_hugepages_nr_2M vm_hugepages_avail_2M vm_hugepages_nr_2M_pending vm_hugepages_nr_1G vm_hugepages_avail_1G
		vm_hugepages_nr_1G_pending vm_hugepages_use_1G`)

	disk := first(t, get("/v1/ihosts/"+hostUUID+"/idisks"), "idisks")
	hasKeys(t, disk, "uuid device_node device_num device_type size_mib available_mib rpm serial_id device_path")
	part := first(t, get("/v1/ihosts/"+hostUUID+"/partitions"), "partitions")
	assert.InDelta(t, 3, part["status"], 0, "status is StarlingX's number")
	first(t, get("/v1/ihosts/"+hostUUID+"/idisks/"+uuidN(7)+"/partitions"), "partitions")
	lvg := first(t, get("/v1/ihosts/"+hostUUID+"/ilvgs"), "ilvgs")
	assert.InDelta(t, 5<<30, lvg["lvm_vg_avail_size"], 0, "the free extents' bytes")
	pv := first(t, get("/v1/ihosts/"+hostUUID+"/ipvs"), "ipvs")
	hasKeys(t, pv, "uuid lvm_pv_name disk_or_part_uuid disk_or_part_device_node disk_or_part_device_path pv_state pv_type lvm_vg_name ihost_uuid capabilities")
	port := first(t, get("/v1/ihosts/"+hostUUID+"/ports"), "ports")
	hasKeys(t, port, "uuid name type pciaddr dev_id numa_node dpdksupport pdevice namedisplay")
	first(t, get("/v1/ihosts/"+hostUUID+"/ethernet_ports"), "ethernet_ports")
	first(t, get("/v1/iinterfaces/"+uuidN(13)+"/ports"), "ports")
	ifc := first(t, get("/v1/ihosts/worker-0/iinterfaces"), "iinterfaces")
	hasKeys(t, ifc, "uuid ifname ifclass iftype vlan_id uses used_by imtu aemode txhashpolicy primary_reselect max_tx_rate max_rx_rate channels sriov_vf_channels")
	assert.Equal(t, []any{"mgmt0"}, ifc["uses"], "uses are names")
	in := first(t, get("/v1/ihosts/"+hostUUID+"/interface_networks"), "interface_networks")
	assert.InDelta(t, 3, in["forihostid"], 0, "the host's id, which interface-network-assign looks up")
	first(t, get("/v1/iinterfaces/"+uuidN(13)+"/interface_networks"), "interface_networks")
	net := first(t, get("/v1/networks"), "networks")
	hasKeys(t, net, "id uuid name type dynamic pool_uuid")
	assert.Equal(t, "IPv4", net["primary_pool_family"])
	pool := first(t, get("/v1/addrpools"), "addrpools")
	assert.Equal(t, []any{[]any{"192.168.204.2", "192.168.204.50"}, []any{"192.168.204.60", "192.168.204.254"}}, pool["ranges"])
	hasKeys(t, first(t, get("/v1/datanetworks"), "datanetworks"), "uuid name network_type mtu")
	hasKeys(t, first(t, get("/v1/ihosts/"+hostUUID+"/labels"), "labels"), "uuid host_uuid label_key label_value")
	hasKeys(t, first(t, get("/v1/service_parameter"), "parameters"), "uuid service section name value personality resource")
	assert.Equal(t, "cinder,glance", first(t, get("/v1/storage_backend"), "storage_backends")["services"])
	first(t, get("/v1/ihosts/"+hostUUID+"/istors"), "istors")
	first(t, get("/v1/ihosts/"+hostUUID+"/addresses"), "addresses")
	first(t, get("/v1/ihosts/"+hostUUID+"/routes"), "routes")

	// Records by uuid.
	for _, p := range []string{"/v1/icpus/" + uuidN(5), "/v1/imemorys/" + uuidN(6), "/v1/idisks/" + uuidN(7), "/v1/partitions/" + uuidN(8),
		"/v1/ilvgs/" + uuidN(9), "/v1/ipvs/" + uuidN(10), "/v1/istors/" + uuidN(11), "/v1/ports/" + uuidN(12), "/v1/iinterfaces/" + uuidN(13),
		"/v1/interface_networks/" + uuidN(14), "/v1/networks/" + uuidN(17), "/v1/addrpools/" + uuidN(18), "/v1/datanetworks/" + uuidN(19),
		"/v1/labels/" + uuidN(20), "/v1/storage_backend/" + uuidN(21), "/v1/service_parameter/" + uuidN(22), "/v1/isystems/" + uuidN(1)} {
		m := obj(t, get(p))
		assert.Equal(t, p[strings.LastIndexByte(p, '/')+1:], m["uuid"], p)
	}
	// The disk lookup of host-pv-add falls through on a partition uuid.
	code, _ := exchange(t, h, "GET", "/v1/idisks/"+uuidN(8), "")
	assert.Equal(t, http.StatusNotFound, code)
}

// TestCLIRequests: the bodies the system CLI sends reach the service
// as the Go values they mean.
func TestCLIRequests(t *testing.T) {
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		svc                      string
		args                     []any
	}{
		{"host-add", "POST", "/v1/ihosts", `{"hostname":"worker-0","personality":"worker","mgmt_mac":"08:00:27:aa:bb:cc","bm_password":"pw",
			"hw_settle":"0","location":{"locn":"lab"},"ttys_dcd":"false","clock_synchronization":"ntp"}`, 201,
			"AddHost", []any{inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker, MgmtMAC: "08:00:27:aa:bb:cc",
				BMPassword: "pw", HWSettle: "0", Location: map[string]any{"locn": "lab"}}}},
		{"host-update", "PATCH", "/v1/ihosts/3", `[{"op":"replace","path":"/location","value":"lab"},{"op":"replace","path":"/hw_settle","value":"0"},
			{"op":"replace","path":"/personality","value":"storage"}]`, 200,
			"UpdateHost", []any{"3", inventory.HostUpdate{Location: ptr(map[string]any{"locn": "lab"}), HWSettle: ptr("0"),
				Personality: ptr(inventory.PersonalityStorage)}}},
		{"host-delete by name", "DELETE", "/v1/ihosts/worker-0", "", 204, "DeleteHost", []any{"worker-0"}},
		{"host-cpu-modify", "PUT", "/v1/ihosts/" + hostUUID + "/state/host_cpus_modify", `[{"function":"vswitch","sockets":[{"0":2},{"1":1}]}]`, 200,
			"ModifyCPUs", []any{hostUUID, inventory.CPUModify{Function: inventory.CPUVswitch, Cores: map[int]int{0: 2, 1: 1}}}},
		{"host-memory-modify application", "PATCH", "/v1/imemorys/" + uuidN(6), `[{"op":"replace","path":"/platform_reserved_mib","value":"1200"},
			{"op":"replace","path":"/vm_hugepages_nr_2M_pending","value":10},{"op":"replace","path":"/vm_pending_as_percentage","value":"False"}]`, 200,
			"ModifyMemory", []any{hostUUID, 1, inventory.MemoryUpdate{PlatformReservedMiB: ptr(1200), VMHugepagesNr2M: ptr(10)}}},
		{"host-memory-modify vswitch", "PATCH", "/v1/imemorys/" + uuidN(6), `[{"op":"replace","path":"/vswitch_hugepages_reqd","value":"4"},
			{"op":"replace","path":"/vswitch_hugepages_size_mib","value":1024}]`, 200,
			"ModifyMemory", []any{hostUUID, 1, inventory.MemoryUpdate{VswitchHugepagesReqd: ptr(4), VswitchHugepagesSizeMiB: ptr(1024)}}},
		{"host-disk-partition-add", "POST", "/v1/partitions", `{"ihost_uuid":"` + hostUUID + `","idisk_uuid":"` + uuidN(7) +
			`","size_mib":10240,"type_guid":"ba5eba11-0000-1111-2222-000000000001"}`, 201,
			"AddPartition", []any{hostUUID, inventory.PartitionSpec{DiskUUID: uuidN(7), SizeMiB: 10240, TypeGUID: inventory.LVMPartitionType}}},
		{"host-disk-partition-modify", "PATCH", "/v1/partitions/" + uuidN(8), `[{"op":"replace","path":"/size_mib","value":20480}]`, 200,
			"ModifyPartition", []any{uuidN(8), 20480}},
		{"host-disk-partition-delete", "DELETE", "/v1/partitions/" + uuidN(8), "", 204, "DeletePartition", []any{uuidN(8)}},
		{"host-lvg-add", "POST", "/v1/ilvgs", `{"lvm_vg_name":"nova-local","ihost_uuid":"` + hostUUID + `"}`, 201,
			"AddLVG", []any{hostUUID, "nova-local"}},
		{"host-lvg-delete", "DELETE", "/v1/ilvgs/" + uuidN(9), "", 204, "DeleteLVG", []any{uuidN(9)}},
		{"host-pv-add", "POST", "/v1/ipvs", `{"ihost_uuid":"` + hostUUID + `","ilvg_uuid":"` + uuidN(9) + `","disk_or_part_uuid":"` + uuidN(8) +
			`","pv_type":"partition"}`, 201, "AddPV", []any{hostUUID, inventory.PVSpec{LVGUUID: uuidN(9), DiskOrPartUUID: uuidN(8)}}},
		{"host-pv-delete", "DELETE", "/v1/ipvs/" + uuidN(10), "", 204, "DeletePV", []any{uuidN(10)}},
		{"host-if-add vlan", "POST", "/v1/iinterfaces", `{"ifname":"vlan10","iftype":"vlan","vlan_id":"10","ifclass":"platform","ihost_uuid":"` +
			hostUUID + `","ports":null,"uses":["mgmt0"],"imtu":"1400"}`, 201,
			"AddInterface", []any{hostUUID, inventory.InterfaceSpec{IfName: "vlan10", IfType: inventory.IfVLAN, IfClass: inventory.IfClassPlatform,
				VLANID: 10, IMTU: 1400, Uses: []string{"mgmt0"}}}},
		{"host-if-add ethernet", "POST", "/v1/iinterfaces", `{"ifname":"data0","iftype":"ethernet","ifclass":"data","ihost_uuid":"` +
			hostUUID + `","ports":null,"uses":["enp0s8"],"ipv4_mode":"disabled","ptp_role":"none"}`, 201,
			"AddInterface", []any{hostUUID, inventory.InterfaceSpec{IfName: "data0", IfType: inventory.IfEthernet, IfClass: inventory.IfClassData, Port: "enp0s8"}}},
		{"host-if-add virtual", "POST", "/v1/iinterfaces", `{"ifname":"v0","iftype":"virtual","ihost_uuid":"` + hostUUID + `","ports":[],"uses":null}`, 201,
			"AddInterface", []any{hostUUID, inventory.InterfaceSpec{IfName: "v0", IfType: inventory.IfVirtual}}},
		{"host-if-modify", "PATCH", "/v1/iinterfaces/" + uuidN(13), `[{"op":"replace","path":"/imtu","value":"9000"},{"op":"replace","path":"/ifclass","value":"data"}]`, 200,
			"UpdateInterface", []any{uuidN(13), inventory.InterfaceUpdate{IMTU: ptr(9000), IfClass: ptr(inventory.IfClassData)}}},
		{"host-if-modify nothing", "PATCH", "/v1/iinterfaces/" + uuidN(13), `[]`, 200,
			"UpdateInterface", []any{uuidN(13), inventory.InterfaceUpdate{}}},
		{"host-if-delete", "DELETE", "/v1/iinterfaces/" + uuidN(13), "", 204, "DeleteInterface", []any{uuidN(13)}},
		{"interface-network-assign", "POST", "/v1/interface_networks", `{"interface_uuid":"` + uuidN(13) + `","network_uuid":"` + uuidN(17) + `"}`, 201,
			"AssignInterfaceNetwork", []any{uuidN(13), uuidN(17)}},
		{"interface-network-remove", "DELETE", "/v1/interface_networks/" + uuidN(14), "", 204, "RemoveInterfaceNetwork", []any{uuidN(14)}},
		{"network-add", "POST", "/v1/networks", `{"name":"mgmt","type":"mgmt","dynamic":"true","pool_uuid":"` + uuidN(18) + `"}`, 201,
			"AddNetwork", []any{inventory.NetworkSpec{Name: "mgmt", Type: inventory.NetMgmt, Dynamic: true, PoolUUID: uuidN(18)}}},
		{"network-delete", "DELETE", "/v1/networks/" + uuidN(17), "", 204, "DeleteNetwork", []any{uuidN(17)}},
		{"addrpool-add", "POST", "/v1/addrpools", `{"name":"mgmt","network":"192.168.204.0","prefix":"24","ranges":[["192.168.204.2","192.168.204.254"]],"order":"random"}`, 201,
			"AddAddressPool", []any{inventory.AddressPoolSpec{Name: "mgmt", Network: "192.168.204.0", Prefix: 24, Order: "random",
				Ranges: []inventory.AddressRange{{Start: "192.168.204.2", End: "192.168.204.254"}}}}},
		{"addrpool-modify", "PATCH", "/v1/addrpools/" + uuidN(18), `[{"op":"replace","path":"/name","value":"m2"},{"op":"replace","path":"/prefix","value":"24"},
			{"op":"replace","path":"/network","value":"192.168.204.0"},{"op":"replace","path":"/ranges","value":[["192.168.204.3","192.168.204.9"]]}]`, 200,
			"UpdateAddressPool", []any{uuidN(18), inventory.AddressPoolUpdate{Name: ptr("m2"),
				Ranges: ptr([]inventory.AddressRange{{Start: "192.168.204.3", End: "192.168.204.9"}})}}},
		{"addrpool-delete", "DELETE", "/v1/addrpools/" + uuidN(18), "", 204, "DeleteAddressPool", []any{uuidN(18)}},
		{"datanetwork-add vlan", "POST", "/v1/datanetworks", `{"name":"physnet0","network_type":"vlan","mtu":1500,"mode":"dynamic"}`, 201,
			"AddDataNetwork", []any{inventory.DataNetwork{Name: "physnet0", NetworkType: inventory.DataNetVLAN, MTU: 1500}}},
		{"datanetwork-add vxlan", "POST", "/v1/datanetworks", `{"name":"vx","network_type":"vxlan","mtu":"9000","mode":"static","port_num":"4789","ttl":"5",
			"multicast_group":"239.0.0.1","description":"d"}`, 201,
			"AddDataNetwork", []any{inventory.DataNetwork{Name: "vx", NetworkType: inventory.DataNetVXLAN, MTU: 9000, Mode: "static", PortNum: 4789,
				TTL: 5, MulticastGroup: "239.0.0.1", Description: "d"}}},
		{"host-label-assign", "POST", "/v1/labels/" + hostUUID + "?overwrite=False", `{"sriov":"enabled","kube-cpu-mgr-policy":"static"}`, 200,
			"AssignLabels", []any{hostUUID, map[string]string{"sriov": "enabled", "kube-cpu-mgr-policy": "static"}, false}},
		{"host-label-assign overwrite", "POST", "/v1/labels/" + hostUUID + "?overwrite=True", `{"sriov":"disabled"}`, 200,
			"AssignLabels", []any{hostUUID, map[string]string{"sriov": "disabled"}, true}},
		{"host-label-remove", "DELETE", "/v1/labels/" + uuidN(20), "", 204, "RemoveLabel", []any{uuidN(20)}},
		{"modify", "PATCH", "/v1/isystems/" + uuidN(1), `[{"op":"replace","path":"/description","value":"lab"},{"op":"replace","path":"/sdn_enabled","value":"true"}]`, 200,
			"UpdateSystem", []any{inventory.SystemUpdate{Description: ptr("lab"), Capabilities: ptr(map[string]any{"sdn_enabled": true, "vswitch_type": "none"})}}},
		{"service-parameter-list", "GET", "/v1/service_parameter?q.field=service&q.op=eq&q.type=&q.value=platform", "", 200,
			"ListServiceParameters", []any{inventory.ServiceParameterQuery{Service: "platform"}}},
		{"service-parameter-add", "POST", "/v1/service_parameter", `{"service":"platform","section":"config","personality":null,"resource":null,
			"parameters":{"a":"1","b":"2"}}`, 201, "AddServiceParameters", []any{"platform", "config", map[string]string{"a": "1", "b": "2"}, "", ""}},
		{"service-parameter-modify", "PATCH", "/v1/service_parameter/" + uuidN(22), `[{"op":"replace","path":"/name","value":"sysinv_api_workers"},
			{"op":"replace","path":"/value","value":"2"},{"op":"replace","path":"/name","value":"sysinv_api_workers"},{"op":"replace","path":"/value","value":"3"}]`, 200,
			"UpdateServiceParameter", []any{uuidN(22), "3"}},
		{"service-parameter-modify two at once", "PATCH", "/v1/service_parameter/" + uuidN(22), `[{"op":"replace","path":"/name","value":"max_cpu_mhz_configured"},
			{"op":"replace","path":"/value","value":"2100"},{"op":"replace","path":"/name","value":"sysinv_api_workers"},{"op":"replace","path":"/value","value":"8"}]`, 200,
			"UpdateServiceParameter", []any{uuidN(22), "8"}},
		{"service-parameter-delete", "DELETE", "/v1/service_parameter/" + uuidN(22), "", 204, "DeleteServiceParameter", []any{uuidN(22)}},
		{"storage backend", "POST", "/v1/storage_backend", `{"backend":"ceph","services":"cinder,glance","confirmed":true}`, 201,
			"AddStorageBackend", []any{inventory.StorageBackendSpec{Backend: inventory.BackendCeph, Services: []string{"cinder", "glance"}}}},
		{"host-stor-add", "POST", "/v1/istors", `{"ihost_uuid":"` + hostUUID + `","idisk_uuid":"` + uuidN(7) + `","function":"osd"}`, 201,
			"AddStor", []any{hostUUID, inventory.StorSpec{Function: "osd", DiskUUID: uuidN(7)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newStub()
			code, out := exchange(t, inventoryhttp.NewHandler(st, nil), tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, code, "%v", out)
			cl, ok := st.last(tc.svc)
			require.True(t, ok)
			assert.Equal(t, tc.args, cl.Args)
			if tc.status == 201 && tc.svc != "AddServiceParameters" {
				assert.NotEmpty(t, obj(t, out)["uuid"], "the CLI reads the new record's uuid")
			}
		})
	}
}

// TestBadInput: a bad body is a 400 naming the field, in both envelopes,
// and nothing is written.
func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, method, path, body, field string
	}{
		{"unknown member", "POST", "/v1/ihosts", `{"hostname":"a","colour":"red"}`, "colour"},
		{"bad personality", "POST", "/v1/ihosts", `{"hostname":"a","personality":"router"}`, "personality"},
		{"bad type", "POST", "/v1/ihosts", `{"hostname":1}`, "hostname"},
		{"ptp clock", "POST", "/v1/ihosts", `{"hostname":"a","clock_synchronization":"ptp"}`, "clock_synchronization"},
		{"unknown path", "PATCH", "/v1/ihosts/3", `[{"op":"replace","path":"/colour","value":"red"}]`, "colour"},
		{"maintenance field", "PATCH", "/v1/ihosts/3", `[{"op":"replace","path":"/action","value":"lock"}]`, "action"},
		{"bad op", "PATCH", "/v1/ihosts/3", `[{"op":"remove","path":"/hostname"}]`, "op"},
		{"no value", "PATCH", "/v1/ihosts/3", `[{"op":"replace","path":"/hostname"}]`, "hostname"},
		{"not a list", "PATCH", "/v1/ihosts/3", `{"op":"replace","path":"/hostname","value":"x"}`, "body"},
		{"bad path", "PATCH", "/v1/ihosts/3", `[{"op":"replace","path":"hostname","value":"x"}]`, "path"},
		{"cpulist", "PUT", "/v1/ihosts/3/state/host_cpus_modify", `[{"function":"platform","cpulist":"0-x"}]`, "cpulist"},
		{"bad function", "PUT", "/v1/ihosts/3/state/host_cpus_modify", `[{"function":"gpu","sockets":[{"0":1}]}]`, "function"},
		{"bad socket", "PUT", "/v1/ihosts/3/state/host_cpus_modify", `[{"function":"platform","sockets":[{"x":1}]}]`, "sockets"},
		{"cores not a number", "PUT", "/v1/ihosts/3/state/host_cpus_modify", `[{"function":"platform","sockets":[{"0":"a"}]}]`, "sockets"},
		{"percent hugepages", "PATCH", "/v1/imemorys/" + uuidN(6), `[{"op":"replace","path":"/vm_hugepages_nr_2M_pending","value":10},
			{"op":"replace","path":"/vm_pending_as_percentage","value":"True"}]`, "vm_pending_as_percentage"},
		{"memory not a number", "PATCH", "/v1/imemorys/" + uuidN(6), `[{"op":"replace","path":"/platform_reserved_mib","value":"lots"}]`, "platform_reserved_mib"},
		{"partition size", "POST", "/v1/partitions", `{"ihost_uuid":"h","idisk_uuid":"d","size_mib":-1024}`, "size_mib"},
		{"partition size text", "POST", "/v1/partitions", `{"ihost_uuid":"h","idisk_uuid":"d","size_mib":"big"}`, "size_mib"},
		{"lvg function", "POST", "/v1/ilvgs", `{"ihost_uuid":"h","lvm_vg_name":"cgts-vg","capabilities":{"lvm_function":"lvm-csi"}}`, "capabilities"},
		{"pv type", "POST", "/v1/ipvs", `{"ihost_uuid":"h","ilvg_uuid":"l","disk_or_part_uuid":"d","pv_type":"tape"}`, "pv_type"},
		{"iftype", "POST", "/v1/iinterfaces", `{"ihost_uuid":"h","ifname":"x","iftype":"wifi"}`, "iftype"},
		{"vlan id text", "POST", "/v1/iinterfaces", `{"ihost_uuid":"h","ifname":"x","iftype":"vlan","vlan_id":"ten","uses":["a"]}`, "vlan_id"},
		{"ipv4 mode", "POST", "/v1/iinterfaces", `{"ihost_uuid":"h","ifname":"x","iftype":"vlan","vlan_id":"10","uses":["a"],"ipv4_mode":"static"}`, "ipv4_mode"},
		{"if patch", "PATCH", "/v1/iinterfaces/" + uuidN(13), `[{"op":"replace","path":"/imtu","value":"big"}]`, "imtu"},
		{"network type", "POST", "/v1/networks", `{"name":"x","type":"wan","dynamic":"true","pool_uuid":"p"}`, "type"},
		{"dynamic", "POST", "/v1/networks", `{"name":"x","type":"mgmt","dynamic":"maybe","pool_uuid":"p"}`, "dynamic"},
		{"prefix", "POST", "/v1/addrpools", `{"name":"x","network":"10.0.0.0","prefix":"x"}`, "prefix"},
		{"ranges", "POST", "/v1/addrpools", `{"name":"x","network":"10.0.0.0","prefix":8,"ranges":[["10.0.0.1"]]}`, "ranges"},
		{"order", "POST", "/v1/addrpools", `{"name":"x","network":"10.0.0.0","prefix":8,"order":"any"}`, "order"},
		{"pool subnet", "PATCH", "/v1/addrpools/" + uuidN(18), `[{"op":"replace","path":"/prefix","value":"16"}]`, "prefix"},
		{"datanetwork type", "POST", "/v1/datanetworks", `{"name":"x","network_type":"gre","mtu":1500}`, "network_type"},
		{"datanetwork mode", "POST", "/v1/datanetworks", `{"name":"x","network_type":"vxlan","mode":"auto"}`, "mode"},
		{"label without value", "POST", "/v1/labels/" + hostUUID + "?overwrite=False", `{"sriov":null}`, "sriov"},
		{"overwrite", "POST", "/v1/labels/" + hostUUID + "?overwrite=perhaps", `{"a":"b"}`, "overwrite"},
		{"system mode", "PATCH", "/v1/isystems/" + uuidN(1), `[{"op":"replace","path":"/system_mode","value":"triplex"}]`, "system_mode"},
		{"parameter name change", "PATCH", "/v1/service_parameter/" + uuidN(22), `[{"op":"replace","path":"/name","value":"other"},{"op":"replace","path":"/value","value":"1"}]`, "name"},
		{"parameter name change last", "PATCH", "/v1/service_parameter/" + uuidN(22), `[{"op":"replace","path":"/name","value":"sysinv_api_workers"},
			{"op":"replace","path":"/value","value":"1"},{"op":"replace","path":"/name","value":"other"}]`, "name"},
		{"vswitch type", "PATCH", "/v1/isystems/" + uuidN(1), `[{"op":"replace","path":"/vswitch_type","value":"bogus"}]`, "vswitch_type"},
		{"parameter filter", "GET", "/v1/service_parameter?q.field=colour&q.value=red", "", "q.field"},
		{"parameter without value", "POST", "/v1/service_parameter", `{"service":"platform","section":"config","parameters":{"a":null}}`, "a"},
		{"backend", "POST", "/v1/storage_backend", `{"backend":"tape"}`, "backend"},
		{"bulk host", "POST", "/v1/ihosts/bulk_add", `{"ihosts":[{"hostname":"a"},{"hostname":"b","personality":"x"}]}`, "ihosts[1].personality"},
		{"status", "PUT", "/v1/ihosts/3/status", `{"administrative":"frozen"}`, "administrative"},
		{"report", "POST", "/v1/ihosts/inventory_report", `{"hostname":"x"}`, "mgmt_mac"},
		{"config applied", "PUT", "/v1/ihosts/3/config_applied", `{}`, "config_uuid"},
		{"invalid text", "POST", "/v1/ihosts", `{"hostname":"a\ud800"}`, "hostname"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newStub()
			code, out := exchange(t, inventoryhttp.NewHandler(st, nil), tc.method, tc.path, tc.body)
			require.Equal(t, http.StatusBadRequest, code, "%v", out)
			e := obj(t, obj(t, out)["error"])
			assert.Equal(t, "invalid", e["code"])
			assert.Equal(t, tc.field, e["field"], "%v", e)
			var fs struct{ FaultString string }
			require.NoError(t, json.Unmarshal([]byte(obj(t, out)["error_message"].(string)), &fs))
			assert.Contains(t, fs.FaultString, tc.field, "the CLI's message names the field")
			assert.Empty(t, st.writes(), "nothing written")
		})
	}
}

// TestErrorEnvelope: what cgts-client prints is the faultstring of the
// error_message text; 409s name the rule.
func TestErrorEnvelope(t *testing.T) {
	st := newStub()
	st.err = inventory.Rulef(inventory.RuleHostLocked, "host worker-0 must be locked")
	code, out := exchange(t, inventoryhttp.NewHandler(st, nil), "PUT", "/v1/ihosts/worker-0/state/host_cpus_modify",
		`[{"function":"platform","sockets":[{"0":1}]}]`)
	require.Equal(t, http.StatusConflict, code)
	e := obj(t, obj(t, out)["error"])
	assert.Equal(t, "invalid_transition", e["code"])
	assert.Equal(t, inventory.RuleHostLocked, e["rule"])
	msg, ok := obj(t, out)["error_message"].(string)
	require.True(t, ok, "error_message is a JSON text in a string")
	var fs map[string]any
	require.NoError(t, json.Unmarshal([]byte(msg), &fs))
	assert.Equal(t, "host worker-0 must be locked (rule host-locked)", fs["faultstring"])
	assert.Contains(t, fs, "debuginfo")

	code, out = exchange(t, inventoryhttp.NewHandler(newStub(), nil), "GET", "/v1/nowhere", "")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, obj(t, out), "error_message")
}

// TestBulkXMLUpload: host-bulk-add's multipart upload is parsed with
// inventory.ParseBulkXML; as sysinv, every answer is 200 with success
// and error strings, and a bad file or a missing part adds nothing.
func TestBulkXMLUpload(t *testing.T) {
	post := func(st *stub, body, ctype string) map[string]string {
		t.Helper()
		req := httptest.NewRequest("POST", "/v1/ihosts/bulk_add", strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		rec := httptest.NewRecorder()
		inventoryhttp.NewHandler(st, nil).ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var out map[string]string
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		return out
	}
	const xml = "<hosts><host><hostname>worker-7</hostname><personality>worker</personality>" +
		"<mgmt_mac>08:00:27:00:00:07</mgmt_mac></host></hosts>"
	part := func(name, content string) string {
		return "--x\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"for_upload\"\r\n\r\n" +
			content + "\r\n--x--\r\n"
	}
	const ctype = "multipart/form-data; boundary=x"

	st := newStub()
	out := post(st, part("file", xml), ctype)
	assert.Empty(t, out["error"])
	assert.Contains(t, out["success"], "\n ")
	require.Len(t, st.writes(), 1)
	specs := st.writes()[0].Args[0].([]inventory.HostSpec)
	require.Len(t, specs, 1)
	assert.Equal(t, "worker-7", specs[0].Hostname)
	assert.Equal(t, "08:00:27:00:00:07", specs[0].MgmtMAC)

	for name, body := range map[string]string{
		"bad XML":       part("file", "<hosts><host>"),
		"unknown item":  part("file", "<hosts><host><colour>red</colour></host></hosts>"),
		"no file part":  part("other", xml),
		"not multipart": "--x\r\n\r\n--x--\r\n",
	} {
		st := newStub()
		out := post(st, body, ctype)
		assert.Empty(t, out["success"], name)
		assert.NotEmpty(t, out["error"], name)
		assert.Empty(t, st.writes(), name)
	}
}

// TestRecordsByID: the CLI reloads a record from a POST or PATCH answer
// by its integer id (a lazy attribute), so every GET of a record takes
// the id as well as the uuid.
func TestRecordsByID(t *testing.T) {
	h := inventoryhttp.NewHandler(newStub(), nil)
	for _, p := range []string{"/v1/icpus/5", "/v1/imemorys/6", "/v1/idisks/7", "/v1/partitions/8", "/v1/ilvgs/9", "/v1/ipvs/10",
		"/v1/istors/11", "/v1/ports/12", "/v1/interface_networks/14", "/v1/labels/20", "/v1/storage_backend/21",
		"/v1/service_parameter/22", "/v1/isystems/1", "/v1/partitions/8/"} {
		code, out := exchange(t, h, "GET", p, "")
		require.Equal(t, http.StatusOK, code, "%s: %v", p, out)
		assert.NotEmpty(t, obj(t, out)["uuid"], p)
	}
}

// TestInterfaceClassNone: an interface of class none has ifclass null on
// the wire, as sysinv stores it (host-if-list hides those nothing uses
// unless given --all), and Client reads it back as none.
func TestInterfaceClassNone(t *testing.T) {
	st := newStub()
	st.fx.iface.IfClass = inventory.IfClassNone
	h := inventoryhttp.NewHandler(st, nil)
	code, out := exchange(t, h, "GET", "/v1/ihosts/worker-0/iinterfaces", "")
	require.Equal(t, http.StatusOK, code)
	ifc := first(t, out, "iinterfaces")
	assert.Contains(t, ifc, "ifclass")
	assert.Nil(t, ifc["ifclass"])

	srv := httptest.NewServer(h)
	defer srv.Close()
	got, err := inventoryhttp.NewClient(srv.URL, nil).GetInterface(t.Context(), uuidN(13))
	require.NoError(t, err)
	assert.Equal(t, inventory.IfClassNone, got.IfClass)
}
