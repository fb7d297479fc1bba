package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
)

// invCLI runs stx over an injected inventory.Service.
type invCLI struct {
	t    *testing.T
	stub *invStub
}

func newInvCLI(t *testing.T) invCLI { return invCLI{t: t, stub: newInvStub()} }

func (c invCLI) run(args ...string) (string, error) {
	var out bytes.Buffer
	g := &globals{out: &out,
		newInventory: func(*globals) (inventory.Service, error) { return c.stub, nil }}
	root := rootCommand(g)
	root.SetErr(io.Discard)
	root.SetArgs(args)
	err := root.ExecuteContext(c.t.Context())
	return out.String(), err
}

func (c invCLI) must(args ...string) string {
	c.t.Helper()
	out, err := c.run(args...)
	require.NoError(c.t, err, "stx %s", strings.Join(args, " "))
	return out
}

// made.
func TestInventoryReadVerbs(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     []string
		notWant  []string
		call     string
		callArgs []any
	}{
		{name: "host-list", args: []string{"host-list"},
			want: []string{"id", "hostname", "personality", "administrative", "operational", "availability",
				"controller-0", "worker-0", "controller", "unlocked", "locked", "enabled", "available"},
			call: "ListHosts", callArgs: []any{}},
		{name: "host-list --column", args: []string{"host-list", "--column", "hostname", "--column", "mgmt_mac"},
			want: []string{"hostname", "mgmt_mac", "08:00:27:00:00:02"}, notWant: []string{"availability"}, call: "ListHosts", callArgs: []any{}},
		{name: "host-show by name", args: []string{"host-show", "worker-0"},
			want: []string{"Property", "Value", "hostname", "worker-0", "personality", "worker", "invprovision",
				"unprovisioned", "bm_ip", "10.10.10.12", "bm_type", "redfish", "bm_username", "admin",
				"config_status", "Config out-of-date", "reboot_needed", "True", "rack 3", "sw_version", "25.09"},
			notWant: []string{"s3cret-bmc", "password"},
			call:    "GetHost", callArgs: []any{"worker-0"}},
		{name: "host-show by uuid", args: []string{"host-show", workerUUID}, want: []string{"worker-0"},
			call: "GetHost", callArgs: []any{workerUUID}},
		{name: "host-show by id", args: []string{"host-show", "2"}, want: []string{"worker-0"},
			call: "GetHost", callArgs: []any{"2"}},
		{name: "host-show subfunctions", args: []string{"host-show", "controller-0"},
			want: []string{"subfunctions", "controller,worker"}, call: "GetHost", callArgs: []any{"controller-0"}},
		{name: "host-cpu-list", args: []string{"host-cpu-list", "worker-0"},
			want: []string{"uuid", "log_core", "processor", "phy_core", "thread", "processor_model", "assigned_function",
				"Intel(R) Xeon(R) Gold 6230", "Platform", "Application"},
			call: "ListCPUs", callArgs: []any{"worker-0"}},
		{name: "host-memory-list", args: []string{"host-memory-list", "worker-0"},
			want: []string{"processor", "mem_total(MiB)", "mem_platform(MiB)", "mem_avail(MiB)", "vs_hp_reqd",
				"app_hp_total_2M", "app_hp_pending_2M", "app_hp_use_1G", "30000", "4000", "28000", "512", "None"},
			call: "ListMemory", callArgs: []any{"worker-0"}},
		{name: "host-disk-list", args: []string{"host-disk-list", "worker-0"},
			want: []string{"device_node", "device_num", "device_type", "size_gib", "available_gib", "rpm", "serial_id",
				"device_path", "/dev/sda", "/dev/sdb", "223.57", "100.0", "90.0", "SSD", "7200"},
			call: "ListDisks", callArgs: []any{"worker-0"}},
		{name: "host-disk-partition-list", args: []string{"host-disk-partition-list", "worker-0"},
			want: []string{"device_path", "device_node", "type_guid", "type_name", "size_gib", "status",
				"/dev/sdb1", "10.0", "Ready", "LVM Physical Volume"},
			call: "ListPartitions", callArgs: []any{"worker-0", ""}},
		{name: "host-disk-partition-list --disk", args: []string{"host-disk-partition-list", "worker-0", "--disk", "/dev/sdb"},
			want: []string{"/dev/sdb1"}, call: "ListPartitions", callArgs: []any{"worker-0", sdbUUID}},
		{name: "host-lvg-list", args: []string{"host-lvg-list", "worker-0"},
			want: []string{"UUID", "LVG Name", "State", "Access", "Total Size (GiB)", "Avail Size (GiB)", "Current PVs",
				"Current LVs", "cgts-vg", "provisioned", "wz--n-", "100.0", "50.0", "12"},
			call: "ListLVGs", callArgs: []any{"worker-0"}},
		{name: "host-pv-list", args: []string{"host-pv-list", "worker-0"},
			want: []string{"lvm_pv_name", "disk_or_part_uuid", "disk_or_part_device_node", "pv_state", "pv_type",
				"lvm_vg_name", "/dev/sda5", "cgts-vg", "disk", sdaUUID},
			call: "ListPVs", callArgs: []any{"worker-0"}},
		{name: "host-port-list", args: []string{"host-port-list", "worker-0"},
			want: []string{"name", "type", "pci address", "processor", "accelerated", "device type",
				"eth0", "eth1", "0000:00:03.0", "Virtio network device", "ethernet"},
			call: "ListPorts", callArgs: []any{"worker-0"}},
		{name: "host-if-list", args: []string{"host-if-list", "worker-0"},
			want: []string{"name", "class", "type", "vlan id", "ports", "uses i/f", "used by i/f", "attributes",
				"mgmt0", "vlan100", "platform", "['eth0']", "['mgmt0']", "['vlan100']", "MTU=1400", "100"},
			notWant: []string{"data0"},
			call:    "ListInterfaces", callArgs: []any{"worker-0"}},
		{name: "host-if-list --all", args: []string{"host-if-list", "worker-0", "-a"},
			want: []string{"data0", "['eth1']"}, call: "ListInterfaces", callArgs: []any{"worker-0"}},
		{name: "network-list", args: []string{"network-list"},
			want: []string{"id", "uuid", "name", "type", "dynamic", "pool_uuid", "primary_pool_family",
				"mgmt", "True", poolUUID, "IPv4"},
			call: "ListNetworks", callArgs: []any{}},
		{name: "addrpool-list", args: []string{"addrpool-list"},
			want: []string{"network", "prefix", "order", "ranges", "floating_address", "controller0_address",
				"gateway_address", "management", "192.168.204.0", "24", "['192.168.204.2-192.168.204.254']"},
			call: "ListAddressPools", callArgs: []any{}},
		{name: "datanetwork-list", args: []string{"datanetwork-list"},
			want: []string{"network_type", "mtu", "physnet0", "vlan", "1500"}, call: "ListDataNetworks", callArgs: []any{}},
		{name: "host-label-list", args: []string{"host-label-list", "worker-0"},
			want: []string{"hostname", "label key", "label value", "worker-0", "sriov", "enabled"},
			call: "ListLabels", callArgs: []any{"worker-0"}},
		{name: "show", args: []string{"show"},
			want: []string{"name", "edge-1", "system_type", "All-in-one", "system_mode", "simplex", "software_version",
				"25.09", "region_name", "RegionOne", "vswitch_type", "none"},
			call: "GetSystem", callArgs: []any{}},
		{name: "service-parameter-list", args: []string{"service-parameter-list", "--service", "platform", "--name", "sysinv_api_workers"},
			want: []string{"uuid", "service", "section", "name", "value", "personality", "resource", "sysinv_api_workers", "2"},
			call: "ListServiceParameters", callArgs: []any{inventory.ServiceParameterQuery{Service: "platform", Name: "sysinv_api_workers"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newInvCLI(t)
			out := c.must(tt.args...)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
			for _, w := range tt.notWant {
				assert.NotContains(t, out, w)
			}
			args := c.stub.last(tt.call)
			require.NotNil(t, args, "%s not called", tt.call)
			if len(tt.callArgs) > 0 {
				assert.Equal(t, tt.callArgs, args)
			}
			assert.Empty(t, c.stub.writes(), "a read verb changed something")
		})
	}
}

// TestInventoryFormats checks --format json and yaml print the API's
// records, and an empty list as [].
func TestInventoryFormats(t *testing.T) {
	c := newInvCLI(t)
	var hs []inventory.Host
	require.NoError(t, json.Unmarshal([]byte(c.must("host-list", "--format", "json")), &hs))
	require.Len(t, hs, 2)
	assert.Equal(t, "worker-0", hs[1].Hostname)
	assert.Equal(t, inventory.AdminLocked, hs[1].Administrative)

	var h inventory.Host
	require.NoError(t, json.Unmarshal([]byte(c.must("host-show", "worker-0", "--format", "json")), &h))
	assert.Equal(t, workerUUID, h.UUID)
	assert.True(t, h.RebootNeeded)

	y := c.must("--format", "yaml", "host-show", "worker-0")
	assert.Contains(t, y, "hostname: worker-0")
	assert.Contains(t, y, "config_status: Config out-of-date")

	var cs []inventory.CPU
	require.NoError(t, json.Unmarshal([]byte(c.must("host-cpu-list", "worker-0", "--format", "json")), &cs))
	require.Len(t, cs, 4)
	assert.Equal(t, inventory.CPUPlatform, cs[0].AllocatedFunction)

	assert.JSONEq(t, "[]", c.must("host-label-list", "controller-0", "--format", "json"))
	assert.JSONEq(t, "[]", c.must("host-if-list", "controller-0", "--format", "json"))

	// A property table's --format json is the record, with the API's
	// field names.
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.must("show", "--format", "json")), &m))
	assert.Equal(t, "edge-1", m["name"])
	assert.Equal(t, "All-in-one", m["system_type"])

	before := len(c.stub.calls)
	_, err := c.run("host-list", "--format", "xml")
	assert.ErrorContains(t, err, "--format")
	assert.Len(t, c.stub.calls, before, "nothing is sent with a bad --format")
}

func TestHostAdd(t *testing.T) {
	t.Run("every flag", func(t *testing.T) {
		c := newInvCLI(t)
		out := c.must("host-add", "-n", "worker-1", "-p", "worker", "-s", "lowlatency", "-m", "08:00:27:00:00:11",
			"-I", "10.10.10.21", "-T", "redfish", "-U", "root", "-P", "hunter2-bmc", "-b", "/dev/sda",
			"-r", "/dev/sdb", "-R", "5", "-o", "text", "-c", "ttyS0,115200", "-l", "rack 7")
		got := c.stub.last("AddHost")[0].(inventory.HostSpec)
		assert.Equal(t, inventory.HostSpec{Hostname: "worker-1", Personality: inventory.PersonalityWorker,
			Subfunctions: "lowlatency", MgmtMAC: "08:00:27:00:00:11", BMIP: "10.10.10.21", BMType: "redfish",
			BMUsername: "root", BMPassword: "hunter2-bmc", BootDevice: "/dev/sda", RootfsDevice: "/dev/sdb",
			HWSettle: "5", InstallOutput: "text", Console: "ttyS0,115200",
			Location: map[string]any{"locn": "rack 7"}}, got)
		assert.Contains(t, out, "worker-1")
		assert.Contains(t, out, "10.10.10.21")
		assert.NotContains(t, out, "hunter2-bmc", "the BMC password is never printed")
	})
	t.Run("long flags", func(t *testing.T) {
		c := newInvCLI(t)
		out := c.must("host-add", "--hostname", "storage-0", "--personality", "storage", "--mgmt_mac",
			"08:00:27:00:00:21", "--bm_password", "pw-long", "--format", "json")
		got := c.stub.last("AddHost")[0].(inventory.HostSpec)
		assert.Equal(t, "storage-0", got.Hostname)
		assert.Equal(t, inventory.PersonalityStorage, got.Personality)
		assert.Equal(t, "pw-long", got.BMPassword)
		assert.NotContains(t, out, "pw-long")
		var h inventory.Host
		require.NoError(t, json.Unmarshal([]byte(out), &h))
		assert.Equal(t, "storage-0", h.Hostname)
	})
	t.Run("password from the environment", func(t *testing.T) {
		c := newInvCLI(t)
		t.Setenv("STX_BM_PASSWORD", "from-env-pw")
		out := c.must("host-add", "-n", "worker-2", "-p", "worker", "-m", "08:00:27:00:00:12", "-P", "-")
		assert.Equal(t, "from-env-pw", c.stub.last("AddHost")[0].(inventory.HostSpec).BMPassword)
		assert.NotContains(t, out, "from-env-pw")
	})

	bad := []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"personality", []string{"-n", "x", "-p", "router"}, "", "--personality"},
		{"subfunctions", []string{"-n", "x", "-p", "worker", "-s", "fast"}, "", "--subfunctions"},
		{"install output", []string{"-n", "x", "-p", "worker", "-o", "pretty"}, "", "--install_output"},
		{"empty password variable", []string{"-n", "x", "-p", "worker", "-P", "-"}, "", "STX_BM_PASSWORD"},
		{"unsupported flag", []string{"-n", "x", "-p", "worker", "-C", "ptp"}, "", "--clock_synchronization"},
		{"unknown flag", []string{"-n", "x", "--colour", "red"}, "", "--colour"},
		{"unknown shorthand", []string{"-n", "x", "-Z", "1"}, "", "-Z"},
		{"argument", []string{"worker-3"}, "", "unknown command"},
	}
	for _, tt := range bad {
		t.Run("bad "+tt.name, func(t *testing.T) {
			c := newInvCLI(t)
			t.Setenv("STX_BM_PASSWORD", tt.env)
			_, err := c.run(append([]string{"host-add"}, tt.args...)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, c.stub.writes())
		})
	}

	t.Run("service error", func(t *testing.T) {
		c := newInvCLI(t)
		_, err := c.run("host-add", "-n", "worker-0", "-p", "worker", "-m", "08:00:27:00:00:99")
		require.ErrorIs(t, err, inventory.ErrConflict)
		assert.Contains(t, err.Error(), "Hostname already exists")
	})
}

func TestHostUpdateDelete(t *testing.T) {
	c := newInvCLI(t)
	t.Setenv("STX_BM_PASSWORD", "env-pw-2")
	out := c.must("host-update", "worker-0", "hostname=worker-9", "personality=storage", "bm_ip=10.10.10.99",
		"location=rack 9", "bm_password=-", "capabilities={\"a\":1}")
	args := c.stub.last("UpdateHost")
	require.Equal(t, "worker-0", args[0])
	u := args[1].(inventory.HostUpdate)
	require.NotNil(t, u.Hostname)
	assert.Equal(t, "worker-9", *u.Hostname)
	assert.Equal(t, inventory.PersonalityStorage, *u.Personality)
	assert.Equal(t, "10.10.10.99", *u.BMIP)
	assert.Equal(t, map[string]any{"locn": "rack 9"}, *u.Location)
	assert.Equal(t, "env-pw-2", *u.BMPassword)
	assert.Equal(t, map[string]any{"a": float64(1)}, *u.Capabilities)
	assert.Nil(t, u.MgmtMAC, "attributes not given are not sent")
	assert.Contains(t, out, "worker-9")
	assert.NotContains(t, out, "env-pw-2")

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"worker-9", "bm_ip"}, "ATTRIBUTE=VALUE"},
		{[]string{"worker-9", "colour=red"}, `unknown attribute "colour"`},
		{[]string{"worker-9", "action=lock"}, "host maintenance"},
		{[]string{"worker-9", "personality=router"}, "personality"},
		{[]string{"worker-9", "capabilities=[1]"}, "capabilities"},
		{[]string{"worker-9"}, "requires at least 2 arg(s)"},
	} {
		before := len(c.stub.calls)
		_, err := c.run(append([]string{"host-update"}, tt.args...)...)
		require.Error(t, err, tt.args)
		assert.Contains(t, err.Error(), tt.want)
		assert.Len(t, c.stub.calls, before, "nothing sent")
	}

	_, err := c.run("host-update", "nosuch", "hostname=x")
	assert.ErrorIs(t, err, inventory.ErrNotFound)

	// A host is deleted only when locked: the service's rule is the error.
	_, err = c.run("host-delete", "controller-0")
	require.ErrorIs(t, err, inventory.ErrInvalidTransition)
	var re *inventory.RuleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, inventory.RuleHostLocked, re.Rule)
	assert.Contains(t, err.Error(), "must be locked")

	out = c.must("host-delete", "worker-9", "--yes")
	assert.Equal(t, "Deleted host worker-9\n", out)
	assert.Equal(t, []any{"worker-9"}, c.stub.last("DeleteHost"))
	_, err = c.run("host-show", "worker-9")
	assert.ErrorIs(t, err, inventory.ErrNotFound)
	assert.Contains(t, err.Error(), "worker-9")
}

const bulkXML = `<?xml version="1.0" encoding="UTF-8" ?>
<hosts>
  <host>
    <hostname>worker-1</hostname>
    <personality>worker</personality>
    <mgmt_mac>08:00:27:00:00:11</mgmt_mac>
    <bm_ip>10.10.10.21</bm_ip>
    <bm_type>redfish</bm_type>
    <bm_username>admin</bm_username>
    <bm_password>bulk-secret</bm_password>
  </host>
  <host>
    <hostname>storage-0</hostname>
    <personality>storage</personality>
    <mgmt_mac>08:00:27:00:00:31</mgmt_mac>
  </host>
</hosts>
`

func TestHostBulk(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "hosts.xml")
	require.NoError(t, os.WriteFile(file, []byte(bulkXML), 0o600))

	c := newInvCLI(t)
	out := c.must("host-bulk-add", file)
	assert.Contains(t, out, "Success")
	assert.Contains(t, out, " worker-1\n")
	assert.Contains(t, out, " storage-0\n")
	assert.NotContains(t, out, "bulk-secret")
	specs := c.stub.last("AddHosts")[0].([]inventory.HostSpec)
	require.Len(t, specs, 2)
	assert.Equal(t, "worker-1", specs[0].Hostname)
	assert.Equal(t, "bulk-secret", specs[0].BMPassword)
	assert.Equal(t, inventory.PersonalityStorage, specs[1].Personality)

	// All or none: a host the service refuses adds none.
	before := len(c.stub.hosts)
	_, err := c.run("host-bulk-add", file)
	require.ErrorIs(t, err, inventory.ErrConflict)
	assert.Contains(t, err.Error(), "no hosts have been added")
	assert.Len(t, c.stub.hosts, before)

	_, err = c.run("host-bulk-add", dir)
	assert.ErrorContains(t, err, "is a directory")
	_, err = c.run("host-bulk-add", filepath.Join(dir, "missing.xml"))
	assert.ErrorContains(t, err, "missing.xml")
	bad := filepath.Join(dir, "bad.xml")
	require.NoError(t, os.WriteFile(bad, []byte("<hosts><host>"), 0o600))
	_, err = c.run("host-bulk-add", bad)
	assert.ErrorContains(t, err, "bad.xml")

	export := filepath.Join(dir, "export.xml")
	out = c.must("host-bulk-export", "--filename", export)
	assert.Equal(t, "Export successfully to "+export+"\n", out)
	data, err := os.ReadFile(export)
	require.NoError(t, err)
	for _, h := range []string{"controller-0", "worker-0", "worker-1", "storage-0"} {
		assert.Contains(t, string(data), "<hostname>"+h+"</hostname>")
	}
	assert.Contains(t, string(data), `version="25.09"`, "the system's software version")
	assert.Contains(t, c.must("host-bulk-export", "--filename", "-"), "<hostname>worker-1</hostname>")

	// An export re-imports: the file parses into the hosts it holds.
	specs, err = inventory.ParseBulkXML(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Len(t, specs, 4)
}

func TestHostCPUModify(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want inventory.CPUModify
	}{
		{"single dash", []string{"-f", "platform", "-p0", "2", "-p1", "1"},
			inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{0: 2, 1: 1}}},
		{"double dash", []string{"--function", "vswitch", "--p1", "1"},
			inventory.CPUModify{Function: inventory.CPUVswitch, Cores: map[int]int{1: 1}}},
		{"system CLI long names", []string{"-f", "application-isolated", "--num_cores_on_processor0", "1"},
			inventory.CPUModify{Function: inventory.CPUApplicationIsolated, Cores: map[int]int{0: 1}}},
		{"equals", []string{"-f", "shared", "-p0=1", "--format", "json"},
			inventory.CPUModify{Function: inventory.CPUShared, Cores: map[int]int{0: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newInvCLI(t)
			out := c.must(append([]string{"host-cpu-modify", "worker-0"}, tt.args...)...)
			args := c.stub.last("ModifyCPUs")
			require.Equal(t, "worker-0", args[0])
			assert.Equal(t, tt.want, args[1])
			if strings.Contains(strings.Join(tt.args, " "), "json") {
				var cs []inventory.CPU
				require.NoError(t, json.Unmarshal([]byte(out), &cs))
				assert.Len(t, cs, 4)
			} else {
				assert.Contains(t, out, "assigned_function")
			}
		})
	}
	t.Run("global flag before the verb", func(t *testing.T) {
		c := newInvCLI(t)
		var cs []inventory.CPU
		require.NoError(t, json.Unmarshal([]byte(c.must("--format", "json", "host-cpu-modify", "worker-0", "-f", "platform", "-p0", "1")), &cs))
		assert.Len(t, cs, 4)
	})
	t.Run("result printed", func(t *testing.T) {
		c := newInvCLI(t)
		out := c.must("host-cpu-modify", "worker-0", "-f", "vswitch", "-p0", "2")
		assert.Contains(t, out, "vSwitch", "the system CLI's label of Vswitch")
	})

	bad := []struct {
		name string
		args []string
		want string
	}{
		{"function", []string{"worker-0", "-f", "gpu", "-p0", "1"}, "--function"},
		{"application is not a choice", []string{"worker-0", "-f", "application", "-p0", "1"}, "--function"},
		{"no function", []string{"worker-0", "-p0", "1"}, `"function"`},
		{"no cores", []string{"worker-0", "-f", "platform"}, "-p0"},
		{"count", []string{"worker-0", "-f", "platform", "-p0", "two"}, "p0"},
		{"cpulist", []string{"worker-0", "-f", "platform", "-c", "0-x"}, "--cpulist"},
		{"both", []string{"worker-0", "-f", "platform", "-c", "0-1", "-p0", "1"}, "-c and -pX"},
		{"unknown flag", []string{"worker-0", "-f", "platform", "-p9", "1"}, "-p"},
		{"no host", []string{"-f", "platform", "-p0", "1"}, "accepts 1 arg"},
	}
	for _, tt := range bad {
		t.Run("bad "+tt.name, func(t *testing.T) {
			c := newInvCLI(t)
			_, err := c.run(append([]string{"host-cpu-modify"}, tt.args...)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, c.stub.writes())
		})
	}
	t.Run("unlocked host", func(t *testing.T) {
		c := newInvCLI(t)
		_, err := c.run("host-cpu-modify", "controller-0", "-f", "platform", "-p0", "1")
		require.ErrorIs(t, err, inventory.ErrInvalidTransition)
		assert.Contains(t, err.Error(), "must be locked")
	})
	t.Run("help", func(t *testing.T) {
		c := newInvCLI(t)
		out := c.must("host-cpu-modify", "--help")
		assert.Contains(t, out, "--p0")
		assert.Empty(t, c.stub.calls)
	})
}

func TestHostMemoryModify(t *testing.T) {
	ptr := func(n int) *int { return &n }
	tests := []struct {
		name string
		args []string
		node int
		want inventory.MemoryUpdate
	}{
		{"platform and 2M", []string{"worker-0", "0", "-m", "3000", "-2M", "1024"}, 0,
			inventory.MemoryUpdate{PlatformReservedMiB: ptr(3000), VMHugepagesNr2M: ptr(1024)}},
		{"1G", []string{"worker-0", "1", "-1G", "4"}, 1, inventory.MemoryUpdate{VMHugepagesNr1G: ptr(4)}},
		{"long names", []string{"worker-0", "1", "--hugepages_nr_2M_pending", "8", "--platform_reserved_mib", "2500"}, 1,
			inventory.MemoryUpdate{PlatformReservedMiB: ptr(2500), VMHugepagesNr2M: ptr(8)}},
		{"vswitch 1G", []string{"worker-0", "0", "-f", "vswitch", "-1G", "2"}, 0,
			inventory.MemoryUpdate{VswitchHugepagesReqd: ptr(2), VswitchHugepagesSizeMiB: ptr(1024)}},
		{"vswitch 2M", []string{"worker-0", "0", "--function", "vswitch", "--2M", "512"}, 0,
			inventory.MemoryUpdate{VswitchHugepagesReqd: ptr(512), VswitchHugepagesSizeMiB: ptr(2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newInvCLI(t)
			out := c.must(append([]string{"host-memory-modify"}, tt.args...)...)
			args := c.stub.last("ModifyMemory")
			assert.Equal(t, []any{"worker-0", tt.node, tt.want}, args)
			assert.Contains(t, out, "Memory: Usable Total (MiB)")
			assert.Contains(t, out, "Application  Huge Pages (2M): Total")
		})
	}
	t.Run("pending printed", func(t *testing.T) {
		c := newInvCLI(t)
		out := c.must("host-memory-modify", "worker-0", "1", "-2M", "777")
		assert.Contains(t, out, "Total Pending")
		assert.Contains(t, out, "777")
	})
	t.Run("nothing to change", func(t *testing.T) {
		c := newInvCLI(t)
		assert.Empty(t, c.must("host-memory-modify", "worker-0", "0"))
		assert.Empty(t, c.stub.writes())
	})
	bad := []struct {
		name string
		args []string
		want string
	}{
		{"processor", []string{"worker-0", "first", "-2M", "1"}, "processor"},
		{"percent", []string{"worker-0", "0", "-2M", "50%"}, "percentages are not supported"},
		{"count", []string{"worker-0", "0", "-1G", "many"}, "-1G"},
		{"platform", []string{"worker-0", "0", "-m", "lots"}, "-m"},
		{"function", []string{"worker-0", "0", "-f", "gpu", "-2M", "1"}, "--function"},
		{"vswitch both sizes", []string{"worker-0", "0", "-f", "vswitch", "-2M", "1", "-1G", "1"}, "one of -2M and -1G"},
		{"arguments", []string{"worker-0"}, "accepts 2 arg"},
	}
	for _, tt := range bad {
		t.Run("bad "+tt.name, func(t *testing.T) {
			c := newInvCLI(t)
			_, err := c.run(append([]string{"host-memory-modify"}, tt.args...)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, c.stub.writes())
		})
	}
	t.Run("unlocked host", func(t *testing.T) {
		c := newInvCLI(t)
		_, err := c.run("host-memory-modify", "controller-0", "0", "-2M", "1")
		assert.ErrorIs(t, err, inventory.ErrInvalidTransition)
	})
}

func TestStorageVerbs(t *testing.T) {
	c := newInvCLI(t)
	out := c.must("host-disk-partition-add", "worker-0", "/dev/sdb", "10")
	assert.Equal(t, []any{"worker-0", inventory.PartitionSpec{DiskUUID: sdbUUID, SizeMiB: 10240,
		TypeGUID: inventory.LVMPartitionType}}, c.stub.last("AddPartition"))
	assert.Contains(t, out, "size_mib")
	assert.Contains(t, out, "10240")
	assert.Contains(t, out, "Creating (on unlock)")

	c.must("host-disk-partition-add", "2", sdaUUID, "1", "-t", "lvm_phys_vol")
	assert.Equal(t, sdaUUID, c.stub.last("AddPartition")[1].(inventory.PartitionSpec).DiskUUID, "a disk by uuid")
	c.must("host-disk-partition-add", "worker-0", "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0", "1")
	assert.Equal(t, sdaUUID, c.stub.last("AddPartition")[1].(inventory.PartitionSpec).DiskUUID, "a disk by path")

	out = c.must("host-disk-partition-modify", "worker-0", "/dev/disk/by-path/pci-0000:00:1f.2-ata-2.0-part1", "-s", "20")
	assert.Equal(t, []any{partUUID, 20480}, c.stub.last("ModifyPartition"))
	assert.Contains(t, out, "20480")

	out = c.must("host-lvg-add", "worker-0", "nova-local")
	assert.Equal(t, []any{"worker-0", "nova-local"}, c.stub.last("AddLVG"))
	assert.Contains(t, out, "adding (on unlock)")
	c.must("host-lvg-delete", "worker-0", "cgts-vg")
	assert.Equal(t, []any{lvgUUID}, c.stub.last("DeleteLVG"))
	c.must("host-lvg-delete", "worker-0", "7")
	assert.Equal(t, []any{lvgUUID}, c.stub.last("DeleteLVG"), "a volume group by id")

	out = c.must("host-pv-add", "worker-0", "cgts-vg", "/dev/sdb")
	assert.Equal(t, []any{"worker-0", inventory.PVSpec{LVGUUID: lvgUUID, DiskOrPartUUID: sdbUUID}}, c.stub.last("AddPV"))
	assert.Contains(t, out, "lvm_vg_name")
	c.must("host-pv-add", "worker-0", lvgUUID, "/dev/sdb1")
	assert.Equal(t, partUUID, c.stub.last("AddPV")[1].(inventory.PVSpec).DiskOrPartUUID, "a partition by device node")
	c.must("host-pv-add", "worker-0", "cgts-vg", "/dev/disk/by-path/pci-0000:00:1f.2-ata-2.0-part1")
	assert.Equal(t, partUUID, c.stub.last("AddPV")[1].(inventory.PVSpec).DiskOrPartUUID, "a partition by device path")
	c.must("host-pv-delete", pvUUID)
	assert.Equal(t, []any{pvUUID}, c.stub.last("DeletePV"))
	assert.Empty(t, c.must("host-disk-partition-delete", "worker-0", partUUID, "--yes"))
	assert.Equal(t, []any{partUUID}, c.stub.last("DeletePartition"))

	bad := []struct {
		args []string
		want string
		is   error
	}{
		{[]string{"host-disk-partition-add", "worker-0", "/dev/sdb", "0"}, "greater than 0", nil},
		{[]string{"host-disk-partition-add", "worker-0", "/dev/sdb", "ten"}, "greater than 0: ten", nil},
		{[]string{"host-disk-partition-add", "worker-0", "/dev/sdb", "1", "-t", "swap"}, "--partition_type", nil},
		{[]string{"host-disk-partition-add", "worker-0", "/dev/sdz", "1"}, "/dev/sdz", inventory.ErrNotFound},
		{[]string{"host-disk-partition-add", "nosuch", "/dev/sdb", "1"}, "nosuch", inventory.ErrNotFound},
		{[]string{"host-disk-partition-modify", "worker-0", "/dev/sdb1"}, "no update parameters", nil},
		{[]string{"host-disk-partition-modify", "worker-0", "/dev/sdb1", "-s", "x"}, "--size_gib", nil},
		{[]string{"host-disk-partition-delete", "worker-0", "/dev/sdq9"}, "/dev/sdq9", inventory.ErrNotFound},
		{[]string{"host-disk-partition-list", "worker-0", "--disk", "/dev/sdz"}, "--disk", inventory.ErrNotFound},
		{[]string{"host-lvg-add", "worker-0", "nova-local", "-f", "lvm-csi"}, "--lvm_function", nil},
		{[]string{"host-lvg-add", "controller-0", "nova-local"}, "must be locked", inventory.ErrInvalidTransition},
		{[]string{"host-lvg-delete", "worker-0", "vg0"}, "vg0", inventory.ErrNotFound},
		{[]string{"host-pv-add", "worker-0", "cgts-vg", "/dev/sdq"}, "no disk or partition", inventory.ErrNotFound},
		{[]string{"host-pv-add", "nosuch", "cgts-vg", "/dev/sdb"}, "nosuch", inventory.ErrNotFound},
	}
	for _, tt := range bad {
		c := newInvCLI(t)
		_, err := c.run(tt.args...)
		require.Error(t, err, tt.args)
		assert.Contains(t, err.Error(), tt.want, tt.args)
		if tt.is != nil {
			assert.ErrorIs(t, err, tt.is, tt.args)
		} else {
			assert.Empty(t, c.stub.writes(), "refused before anything is sent: %v", tt.args)
		}
	}
}

func TestInterfaceVerbs(t *testing.T) {
	c := newInvCLI(t)
	out := c.must("host-if-add", "worker-0", "-V", "200", "-c", "platform", "-m", "1400", "vlan200", "vlan", "mgmt0")
	assert.Equal(t, []any{"worker-0", inventory.InterfaceSpec{IfName: "vlan200", IfType: inventory.IfVLAN,
		IfClass: inventory.IfClassPlatform, IMTU: 1400, VLANID: 200, Uses: []string{"mgmt0"}}}, c.stub.last("AddInterface"))
	for _, w := range []string{"ifname", "vlan200", "iftype", "vlan", "imtu", "1400", "vlan_id", "200", "uses", "['mgmt0']"} {
		assert.Contains(t, out, w)
	}

	c.must("host-if-add", "worker-0", "data1", "ethernet", "eth1", "-c", "data", "-N", "4", "--vf-driver", "vfio")
	assert.Equal(t, inventory.InterfaceSpec{IfName: "data1", IfType: inventory.IfEthernet, IfClass: inventory.IfClassData,
		Port: "eth1", SRIOVNumVFs: 4, SRIOVVFDriver: "vfio"}, c.stub.last("AddInterface")[1])
	c.must("host-if-add", "worker-0", "bond0", "ae", "mgmt0", "data0", "-a", "802.3ad", "-x", "layer2")
	assert.Equal(t, inventory.InterfaceSpec{IfName: "bond0", IfType: inventory.IfAE, AEMode: "802.3ad",
		TxHashPolicy: "layer2", Uses: []string{"mgmt0", "data0"}}, c.stub.last("AddInterface")[1])

	out = c.must("host-if-modify", "worker-0", "vlan100", "-m", "1300", "-n", "vlan101", "-c", "data")
	args := c.stub.last("UpdateInterface")
	require.Equal(t, vlanUUID, args[0])
	u := args[1].(inventory.InterfaceUpdate)
	assert.Equal(t, 1300, *u.IMTU)
	assert.Equal(t, "vlan101", *u.IfName)
	assert.Equal(t, inventory.IfClassData, *u.IfClass)
	assert.Nil(t, u.AEMode)
	assert.Contains(t, out, "vlan101")
	c.must("host-if-modify", "worker-0", mgmt0UUID, "-m", "9000")
	assert.Equal(t, mgmt0UUID, c.stub.last("UpdateInterface")[0], "an interface by uuid")

	assert.Equal(t, "Deleted interface: host worker-0 if data0\n", c.must("host-if-delete", "worker-0", "data0"))
	assert.Equal(t, []any{data0UUID}, c.stub.last("DeleteInterface"))

	out = c.must("interface-network-assign", "worker-0", "mgmt0", "mgmt")
	assert.Equal(t, []any{mgmt0UUID, netUUID}, c.stub.last("AssignInterfaceNetwork"))
	for _, w := range []string{"hostname", "worker-0", "ifname", "mgmt0", "network_name", "mgmt"} {
		assert.Contains(t, out, w)
	}
	c.must("interface-network-assign", "2", "mgmt0", "1")
	assert.Equal(t, []any{mgmt0UUID, netUUID}, c.stub.last("AssignInterfaceNetwork"), "host and network by id")
	assert.Equal(t, "Deleted Interface Network: "+labelUUID+"\n", c.must("interface-network-remove", labelUUID))
	assert.Equal(t, []any{labelUUID}, c.stub.last("RemoveInterfaceNetwork"))

	bad := []struct {
		args []string
		want string
		is   error
	}{
		{[]string{"host-if-add", "worker-0", "x", "bridge", "eth0"}, "iftype", inventory.ErrInvalid},
		{[]string{"host-if-add", "worker-0", "x", "ethernet", "eth0", "eth1"}, "single port", nil},
		{[]string{"host-if-add", "worker-0", "x", "vlan"}, "needs the interfaces", nil},
		{[]string{"host-if-add", "worker-0", "x", "vlan", "mgmt0", "-V", "ten"}, "--vlan_id", nil},
		{[]string{"host-if-add", "worker-0", "x", "vlan", "mgmt0", "-c", "fast"}, "--ifclass", nil},
		{[]string{"host-if-add", "worker-0", "x", "ae", "mgmt0", "-a", "roundrobin"}, "--aemode", nil},
		{[]string{"host-if-add", "worker-0", "x", "vlan", "mgmt0", "-V", "5", "--ipv4-mode", "static"}, "--ipv4-mode", nil},
		{[]string{"host-if-add", "worker-0", "x", "vlan", "mgmt0"}, "vlan_id", inventory.ErrInvalid},
		{[]string{"host-if-add", "controller-0", "x", "virtual", "-"}, "must be locked", inventory.ErrInvalidTransition},
		{[]string{"host-if-modify", "worker-0", "eth9", "-m", "1500"}, "eth9", inventory.ErrNotFound},
		{[]string{"host-if-modify", "worker-0", "mgmt0", "-m", "big"}, "--imtu", nil},
		{[]string{"host-if-modify", "worker-0", "mgmt0", "-t", "100"}, "--max-tx-rate", nil},
		{[]string{"host-if-delete", "worker-0", "eth9"}, "eth9", inventory.ErrNotFound},
		{[]string{"interface-network-assign", "worker-0", "mgmt0", "oam"}, "oam", inventory.ErrNotFound},
	}
	for _, tt := range bad {
		c := newInvCLI(t)
		_, err := c.run(tt.args...)
		require.Error(t, err, tt.args)
		assert.Contains(t, err.Error(), tt.want, tt.args)
		if tt.is != nil {
			assert.ErrorIs(t, err, tt.is, tt.args)
		} else {
			assert.Empty(t, c.stub.writes(), "refused before anything is sent: %v", tt.args)
		}
	}
}

func TestNetworkVerbs(t *testing.T) {
	c := newInvCLI(t)
	out := c.must("network-add", "mgmt2", "cluster-host", "True", "management")
	assert.Equal(t, []any{inventory.NetworkSpec{Name: "mgmt2", Type: inventory.NetClusterHost, Dynamic: true,
		PoolUUID: poolUUID}}, c.stub.last("AddNetwork"))
	for _, w := range []string{"mgmt2", "cluster-host", "True", poolUUID} {
		assert.Contains(t, out, w)
	}
	_, err := c.run("network-delete", "mgmt")
	require.ErrorIs(t, err, inventory.ErrConflict)
	assert.Contains(t, err.Error(), "in use")

	out = c.must("addrpool-add", "pool2", "10.0.0.0", "24", "--ranges", "10.0.0.2-10.0.0.100,10.0.0.200-10.0.0.250",
		"--order", "sequential", "--gateway-address", "10.0.0.1", "--floating-address", "10.0.0.2",
		"--controller0-address", "10.0.0.3", "--controller1-address", "10.0.0.4")
	assert.Equal(t, []any{inventory.AddressPoolSpec{Name: "pool2", Network: "10.0.0.0", Prefix: 24, Order: "sequential",
		Ranges:          []inventory.AddressRange{{Start: "10.0.0.2", End: "10.0.0.100"}, {Start: "10.0.0.200", End: "10.0.0.250"}},
		FloatingAddress: "10.0.0.2", Controller0Address: "10.0.0.3", Controller1Address: "10.0.0.4", GatewayAddress: "10.0.0.1"}},
		c.stub.last("AddAddressPool"))
	assert.Contains(t, out, "['10.0.0.2-10.0.0.100', '10.0.0.200-10.0.0.250']")

	out = c.must("addrpool-modify", poolUUID, "--name", "mgmt-pool", "--ranges", "192.168.204.10-192.168.204.20")
	args := c.stub.last("UpdateAddressPool")
	require.Equal(t, poolUUID, args[0])
	u := args[1].(inventory.AddressPoolUpdate)
	assert.Equal(t, "mgmt-pool", *u.Name)
	assert.Equal(t, []inventory.AddressRange{{Start: "192.168.204.10", End: "192.168.204.20"}}, *u.Ranges)
	assert.Nil(t, u.GatewayAddress)
	assert.Contains(t, out, "mgmt-pool")
	assert.Equal(t, "Deleted address pool: "+poolUUID+"\n", c.must("addrpool-delete", poolUUID))

	out = c.must("datanetwork-add", "physnet1", "vxlan", "-m", "9000", "-g", "239.0.0.1", "-p", "4789", "-t", "5", "-d", "tenant")
	assert.Equal(t, []any{inventory.DataNetwork{Name: "physnet1", NetworkType: inventory.DataNetVXLAN, MTU: 9000,
		MulticastGroup: "239.0.0.1", PortNum: 4789, TTL: 5, Mode: "dynamic", Description: "tenant"}}, c.stub.last("AddDataNetwork"))
	for _, w := range []string{"physnet1", "vxlan", "9000", "multicast_group", "239.0.0.1", "port_num", "4789", "mode", "dynamic"} {
		assert.Contains(t, out, w)
	}
	c.must("datanetwork-add", "physnet2", "flat")
	assert.Equal(t, inventory.DataNetwork{Name: "physnet2", NetworkType: inventory.DataNetFlat, MTU: 1500},
		c.stub.last("AddDataNetwork")[0], "the system CLI's default MTU")

	bad := []struct {
		args []string
		want string
	}{
		{[]string{"network-add", "n", "mgmt", "maybe", "management"}, "dynamic"},
		{[]string{"network-add", "n", "wan", "true", "management"}, "type"},
		{[]string{"network-add", "n", "mgmt", "true", "nopool"}, "nopool"},
		{[]string{"addrpool-add", "p", "10.0.0.0", "big"}, "prefix"},
		{[]string{"addrpool-add", "p", "10.0.0.0", "24", "--ranges", "10.0.0.2"}, "--ranges"},
		{[]string{"addrpool-add", "p", "10.0.0.0", "24", "--order", "first"}, "--order"},
		{[]string{"addrpool-modify", poolUUID, "--prefix", "16"}, "--prefix"},
		{[]string{"datanetwork-add", "d", "gre"}, "network_type"},
		{[]string{"datanetwork-add", "d", "vlan", "-m", "jumbo"}, "--mtu"},
		{[]string{"datanetwork-add", "d", "vxlan", "-M", "multicast"}, "--mode"},
	}
	for _, tt := range bad {
		c := newInvCLI(t)
		_, err := c.run(tt.args...)
		require.Error(t, err, tt.args)
		assert.Contains(t, err.Error(), tt.want, tt.args)
		assert.Empty(t, c.stub.writes(), tt.args)
	}
}

func TestLabelVerbs(t *testing.T) {
	c := newInvCLI(t)
	out := c.must("host-label-assign", "worker-0", "openstack-compute-node=enabled", "sriovdp=enabled", "--overwrite")
	assert.Equal(t, []any{"worker-0", map[string]string{"openstack-compute-node": "enabled", "sriovdp": "enabled"}, true},
		c.stub.last("AssignLabels"))
	for _, w := range []string{"label_key", "openstack-compute-node", "sriovdp", "label_value", "enabled", "host_uuid", workerUUID} {
		assert.Contains(t, out, w)
	}
	var ls []inventory.Label
	require.NoError(t, json.Unmarshal([]byte(c.must("host-label-assign", "worker-0", "a=b", "--format", "json")), &ls))
	require.Len(t, ls, 1)
	assert.Equal(t, "a", ls[0].LabelKey)
	assert.Equal(t, false, c.stub.last("AssignLabels")[2])

	out = c.must("host-label-remove", "worker-0", "sriov", "nosuch")
	assert.Equal(t, "Deleted host label sriov for host worker-0\nHost label not found: host worker-0, label key nosuch\n", out)
	assert.Equal(t, []any{labelUUID}, c.stub.last("RemoveLabel"))

	_, err := c.run("host-label-assign", "worker-0", "novalue")
	assert.ErrorContains(t, err, "novalue")
	_, err = c.run("host-label-list", "nosuch")
	assert.ErrorIs(t, err, inventory.ErrNotFound)
}

func TestSystemVerbs(t *testing.T) {
	c := newInvCLI(t)
	out := c.must("modify", "-n", "edge-2", "-la", "45.50", "-lo", "-73.56", "-d", "lab system", "-c", "ops@example.com",
		"-l", "Montreal", "-t", "America/Toronto")
	u := c.stub.last("UpdateSystem")[0].(inventory.SystemUpdate)
	assert.Equal(t, "edge-2", *u.Name)
	assert.Equal(t, "45.50", *u.Latitude)
	assert.Equal(t, "-73.56", *u.Longitude)
	assert.Equal(t, "lab system", *u.Description)
	assert.Equal(t, "ops@example.com", *u.Contact)
	assert.Equal(t, "Montreal", *u.Location)
	assert.Equal(t, "America/Toronto", *u.Timezone)
	assert.Nil(t, u.SystemMode)
	assert.Nil(t, u.Capabilities)
	for _, w := range []string{"edge-2", "latitude", "45.50", "longitude", "-73.56", "Montreal"} {
		assert.Contains(t, out, w)
	}

	c.must("modify", "-la=1.5", "--lo", "2.5")
	u = c.stub.last("UpdateSystem")[0].(inventory.SystemUpdate)
	assert.Equal(t, "1.5", *u.Latitude)
	assert.Equal(t, "2.5", *u.Longitude)
	assert.Nil(t, u.Location, "-la is not -l with the value a")

	c.must("modify", "-p", "true", "-v", "ovs-dpdk")
	u = c.stub.last("UpdateSystem")[0].(inventory.SystemUpdate)
	require.NotNil(t, u.Capabilities)
	assert.Equal(t, map[string]any{"https_enabled": true, "vswitch_type": "ovs-dpdk"}, *u.Capabilities)
	assert.Contains(t, c.must("show"), "https_enabled")

	c.must("modify", "-m", "duplex")
	assert.Equal(t, inventory.ModeDuplex, *c.stub.last("UpdateSystem")[0].(inventory.SystemUpdate).SystemMode)

	bad := []struct {
		args []string
		want string
	}{
		{[]string{"modify", "-m", "duplex"}, "already set"},
		{[]string{"modify", "-m", "simplex"}, "--system_mode"},
		{[]string{"modify", "-s", "maybe"}, "--sdn_enabled"},
		{[]string{"modify", "-S", "spectre_meltdown_v1"}, "--security_feature"},
		{[]string{"modify", "--colour", "red"}, "--colour"},
		{[]string{"modify", "extra"}, "unknown command"},
	}
	for _, tt := range bad {
		c := newInvCLI(t)
		c.stub.sys.SystemMode = inventory.ModeDuplex
		_, err := c.run(tt.args...)
		require.Error(t, err, tt.args)
		assert.Contains(t, err.Error(), tt.want, tt.args)
		assert.Empty(t, c.stub.writes(), tt.args)
	}
}

func TestServiceParameterVerbs(t *testing.T) {
	c := newInvCLI(t)
	out := c.must("service-parameter-add", "platform", "config", "a=1", "b=2")
	assert.Equal(t, []any{"platform", "config", map[string]string{"a": "1", "b": "2"}, "", ""}, c.stub.last("AddServiceParameters"))
	for _, w := range []string{"service", "platform", "section", "config", "name", "value", "uuid"} {
		assert.Contains(t, out, w)
	}
	c.must("service-parameter-add", "kubernetes", "kube_apiserver", "oidc-issuer-url=https://x", "--personality", "controller", "--resource", "r")
	assert.Equal(t, []any{"kubernetes", "kube_apiserver", map[string]string{"oidc-issuer-url": "https://x"}, "controller", "r"},
		c.stub.last("AddServiceParameters"))

	out = c.must("service-parameter-modify", "platform", "config", "sysinv_api_workers=4")
	assert.Equal(t, []any{paramUUID, "4"}, c.stub.last("UpdateServiceParameter"))
	assert.Contains(t, out, "sysinv_api_workers")
	assert.Equal(t, "Deleted service parameter: "+paramUUID+"\n", c.must("service-parameter-delete", paramUUID))
	assert.Equal(t, []any{paramUUID}, c.stub.last("DeleteServiceParameter"))

	for _, tt := range []struct {
		args []string
		want string
		is   error
	}{
		{[]string{"service-parameter-add", "platform", "config", "a=1", "b=2", "--resource", "r"}, "multiple parameters", nil},
		{[]string{"service-parameter-add", "platform", "config", "a"}, `"a"`, nil},
		{[]string{"service-parameter-modify", "platform", "config", "nosuch=1"}, "nosuch", inventory.ErrNotFound},
		{[]string{"service-parameter-modify", "platform", "config", "sysinv_api_workers=4", "--personality", "worker"}, "not found", inventory.ErrNotFound},
	} {
		c := newInvCLI(t)
		_, err := c.run(tt.args...)
		require.Error(t, err, tt.args)
		assert.Contains(t, err.Error(), tt.want, tt.args)
		if tt.is != nil {
			assert.ErrorIs(t, err, tt.is)
		}
		assert.Empty(t, c.stub.writes(), tt.args)
	}
}

func TestEveryInventoryVerb(t *testing.T) {
	root := newRoot(io.Discard)
	for _, v := range []string{"host-list", "host-show", "host-add", "host-update", "host-delete", "host-bulk-add",
		"host-bulk-export", "host-cpu-list", "host-cpu-modify", "host-memory-list", "host-memory-modify",
		"host-disk-list", "host-disk-partition-add", "host-disk-partition-list", "host-disk-partition-modify",
		"host-disk-partition-delete", "host-lvg-add", "host-lvg-list", "host-lvg-delete", "host-pv-add",
		"host-pv-list", "host-pv-delete", "host-port-list", "host-if-list", "host-if-add", "host-if-modify",
		"host-if-delete", "interface-network-assign", "interface-network-remove", "network-list", "network-add",
		"network-delete", "addrpool-list", "addrpool-add", "addrpool-modify", "addrpool-delete", "datanetwork-list",
		"datanetwork-add", "host-label-assign", "host-label-list", "host-label-remove", "show", "modify",
		"service-parameter-list", "service-parameter-add", "service-parameter-modify", "service-parameter-delete"} {
		cmd, _, err := root.Find([]string{v})
		require.NoError(t, err, v)
		assert.Equal(t, v, cmd.Name())
		if strings.Contains(v, "delete") || strings.Contains(v, "remove") {
			assert.NotNil(t, cmd.Flags().Lookup("yes"), "%s takes the system CLI's --yes", v)
		}
	}
}

// FuzzInventoryCommandLine runs random command lines over the stub: no
// input may panic, and a BMC password read from $STX_BM_PASSWORD (-P -,
// bm_password=-) never appears in the output.
func FuzzInventoryCommandLine(f *testing.F) {
	const secret = "Zq9-bmc-secret"
	f.Setenv("STX_BM_PASSWORD", secret)
	for _, s := range []string{
		"host-update worker-0 bm_password=- location={\"a\":1}",
		"host-cpu-modify worker-0 -f platform -p0=2 -p1 1",
		"host-memory-modify worker-0 0 -2M 10% -1G 1",
		"modify -la 1 -lo=2 -- -la",
		"addrpool-add p 10.0.0.0 24 --ranges 10.0.0.1-10.0.0.9,-",
		"host-add -n x -p worker -P - -l here --format json",
		"host-label-assign worker-0 a=b= =c",
		"service-parameter-modify platform config sysinv_api_workers=4 --personality",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c := newInvCLI(t)
		out, err := c.run(strings.Fields(line)...)
		if err != nil {
			out += err.Error()
		}
		if !strings.Contains(line, secret) {
			assert.NotContains(t, out, secret)
		}
	})
}

func FuzzParseRanges(f *testing.F) {
	f.Add("10.0.0.2-10.0.0.100,10.0.0.200-10.0.0.250")
	f.Add("-,")
	f.Fuzz(func(t *testing.T, v string) {
		rs, err := parseRanges(v)
		if err != nil {
			assert.Contains(t, err.Error(), "--ranges")
			return
		}
		for _, r := range rs {
			assert.NotEmpty(t, r.Start)
			assert.NotEmpty(t, r.End)
		}
	})
}
