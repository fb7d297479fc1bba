package inventorytest

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
)

// RunServiceSuite runs the conformance suite. newService is called once
// per subtest and must return an empty service (the system record only,
// no host, network or pool); it registers its own cleanup.
func RunServiceSuite(t *testing.T, newService func(t *testing.T) inventory.Service) {
	t.Helper()
	for _, group := range [][]suiteCase{hostCases, provisioningCases, hardwareCases, networkCases, otherCases, ruleCases, configCases, hardeningCases} {
		for _, tc := range group {
			t.Run(tc.name, func(t *testing.T) {
				tc.run(t, newService(t))
			})
		}
	}
}

type suiteCase struct {
	name string
	run  func(t *testing.T, s inventory.Service)
}

var hostCases = []suiteCase{
	{"Host/AddGetRoundTrip", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		spec := inventory.HostSpec{
			Hostname: "worker-0", Personality: inventory.PersonalityWorker, Subfunctions: "worker",
			MgmtMAC: "08:00:27:3a:10:04", BMIP: "10.10.10.50", BMType: "ipmi", BMUsername: "root", BMPassword: "s3cret",
			BootDevice: "/dev/sda", RootfsDevice: "/dev/sda", HWSettle: "0", InstallOutput: "text",
			Console: "ttyS0,115200", Location: map[string]any{"locn": "rack 2"},
		}
		h, err := s.AddHost(ctx, spec)
		require.NoError(t, err)
		assert.Len(t, h.UUID, 36)
		assert.Positive(t, h.ID)
		assert.Equal(t, "worker-0", h.Hostname)
		assert.Equal(t, inventory.PersonalityWorker, h.Personality)
		assert.Equal(t, "worker", h.Subfunctions)
		assert.Equal(t, "08:00:27:3a:10:04", h.MgmtMAC)
		assert.Equal(t, "10.10.10.50", h.BMIP)
		assert.Equal(t, "ipmi", h.BMType)
		assert.Equal(t, "root", h.BMUsername)
		assert.Equal(t, "/dev/sda", h.BootDevice)
		assert.Equal(t, "/dev/sda", h.RootfsDevice)
		assert.Equal(t, "0", h.HWSettle)
		assert.Equal(t, "text", h.InstallOutput)
		assert.Equal(t, "ttyS0,115200", h.Console)
		assert.Equal(t, map[string]any{"locn": "rack 2"}, h.Location)
		// A new host: locked, disabled, offline, unprovisioned.
		assert.Equal(t, inventory.AdminLocked, h.Administrative)
		assert.Equal(t, inventory.OperDisabled, h.Operational)
		assert.Equal(t, inventory.AvailOffline, h.Availability)
		assert.Equal(t, inventory.Unprovisioned, h.InvProvision)
		assert.False(t, h.CreatedAt.IsZero())

		got := getHost(t, s, h.UUID)
		assert.Equal(t, withoutTimes(h), withoutTimes(got))
	}},
	{"Host/LookupByNameUUIDAndID", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		var added []inventory.Host
		for _, name := range []string{"worker-0", "worker-1", "worker-2"} {
			h, err := s.AddHost(ctx, inventory.HostSpec{Hostname: name, Personality: inventory.PersonalityWorker, MgmtMAC: MAC(name)})
			require.NoError(t, err)
			added = append(added, h)
		}
		for _, h := range added {
			for _, key := range []string{h.Hostname, h.UUID, idOf(h)} {
				got, err := s.GetHost(ctx, key)
				require.NoError(t, err, "GetHost(%q)", key)
				assert.Equal(t, h.UUID, got.UUID, "GetHost(%q)", key)
			}
		}
		list, err := s.ListHosts(ctx)
		require.NoError(t, err)
		require.Len(t, list, 3)
		assert.True(t, slices.IsSortedFunc(list, func(a, b inventory.Host) int { return int(a.ID - b.ID) }), "ordered by id")
		for _, key := range []string{"worker-9", "8f0c6f9e-0000-4000-8000-000000000000", "999999"} {
			_, err := s.GetHost(ctx, key)
			assert.ErrorIs(t, err, inventory.ErrNotFound, "GetHost(%q)", key)
			_, err = s.UpdateHost(ctx, key, inventory.HostUpdate{Console: ptr("tty0")})
			assert.ErrorIs(t, err, inventory.ErrNotFound, "UpdateHost(%q)", key)
			assert.ErrorIs(t, s.DeleteHost(ctx, key), inventory.ErrNotFound, "DeleteHost(%q)", key)
			_, err = s.ListCPUs(ctx, key)
			assert.ErrorIs(t, err, inventory.ErrNotFound, "ListCPUs(%q)", key)
			_, err = s.SetHostStatus(ctx, key, inventory.HostStatus{Uptime: ptr(int64(1))})
			assert.ErrorIs(t, err, inventory.ErrNotFound, "SetHostStatus(%q)", key)
		}
	}},
	{"Host/Update", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		u, err := s.UpdateHost(ctx, h.Hostname, inventory.HostUpdate{
			Hostname: ptr("worker-7"), BMIP: ptr("10.10.10.7"), BMType: ptr("redfish"), BMUsername: ptr("admin"),
			BootDevice: ptr("/dev/sdb"), RootfsDevice: ptr("/dev/sdb"), Console: ptr("tty0"), InstallOutput: ptr("graphical"),
			Location: ptr(map[string]any{"locn": "rack 9"}), Capabilities: ptr(map[string]any{"is_max_cpu_configurable": "configurable"}),
		})
		require.NoError(t, err)
		assert.Equal(t, h.UUID, u.UUID)
		got := getHost(t, s, "worker-7")
		assert.Equal(t, withoutTimes(u), withoutTimes(got))
		assert.Equal(t, "10.10.10.7", got.BMIP)
		assert.Equal(t, "redfish", got.BMType)
		assert.Equal(t, "admin", got.BMUsername)
		assert.Equal(t, "/dev/sdb", got.BootDevice)
		assert.Equal(t, "/dev/sdb", got.RootfsDevice)
		assert.Equal(t, "tty0", got.Console)
		assert.Equal(t, "graphical", got.InstallOutput)
		assert.Equal(t, map[string]any{"locn": "rack 9"}, got.Location)
		assert.Equal(t, "configurable", got.Capabilities["is_max_cpu_configurable"])
		assert.Equal(t, h.MgmtMAC, got.MgmtMAC, "fields not in the update are kept")
		_, err = s.GetHost(ctx, "worker-0")
		assert.ErrorIs(t, err, inventory.ErrNotFound, "the old name is gone")
	}},
	{"Host/DeleteLocked", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		_, err := s.AssignLabels(ctx, h.UUID, map[string]string{"site": "a"}, false)
		require.NoError(t, err)
		require.NoError(t, s.DeleteHost(ctx, "worker-0"))
		_, err = s.GetHost(ctx, h.UUID)
		assert.ErrorIs(t, err, inventory.ErrNotFound)
		_, err = s.ListCPUs(ctx, h.UUID)
		assert.ErrorIs(t, err, inventory.ErrNotFound)
		snap := snapshot(t, s)
		assert.Empty(t, snap.Hosts)
		assert.Empty(t, snap.CPUs[h.UUID], "the host's records are deleted with it")
		assert.Empty(t, snap.Labels[h.UUID])
		// Its name and MAC are free again.
		_, err = s.AddHost(ctx, inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker, MgmtMAC: h.MgmtMAC})
		require.NoError(t, err)
	}},
	{"Host/BMCPasswordNeverReturned", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		const pw1, pw2, pw3 = "first-bmc-secret-1", "second-bmc-secret-2", "bulk-bmc-secret-3"
		h, err := s.AddHost(ctx, inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker,
			MgmtMAC: MAC("worker-0"), BMIP: "10.10.10.50", BMType: "ipmi", BMUsername: "root", BMPassword: pw1})
		require.NoError(t, err)
		u, err := s.UpdateHost(ctx, h.UUID, inventory.HostUpdate{BMPassword: ptr(pw2)})
		require.NoError(t, err)
		bulk, err := s.AddHosts(ctx, []inventory.HostSpec{{Hostname: "worker-1", Personality: inventory.PersonalityWorker,
			MgmtMAC: MAC("worker-1"), BMIP: "10.10.10.51", BMType: "ipmi", BMUsername: "root", BMPassword: pw3}})
		require.NoError(t, err)
		st := setStatus(t, s, h.UUID, inventory.HostStatus{Uptime: ptr(int64(10))})
		list, err := s.ListHosts(ctx)
		require.NoError(t, err)
		cfg, err := s.HostConfig(ctx, h.UUID)
		require.NoError(t, err)
		returned := map[string]any{
			"AddHost": h, "UpdateHost": u, "AddHosts": bulk, "SetHostStatus": st,
			"GetHost": getHost(t, s, h.UUID), "ListHosts": list, "Snapshot": snapshot(t, s), "HostConfig": cfg,
		}
		for call, v := range returned {
			js := jsonOf(t, v)
			for _, pw := range []string{pw1, pw2, pw3} {
				assert.NotContains(t, js, pw, "%s returned the BMC password", call)
			}
			assert.NotContains(t, js, "bm_password", "%s has a bm_password field", call)
		}
	}},
	{"Host/FieldErrors", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		disk := diskByNode(t, s, h.UUID, "/dev/sdb")
		lower := ethernetIface(t, s, h.UUID, PortName(1), "data0", inventory.IfClassPlatform)
		pool := addPool(t, s, "typed", "192.168.40.0", 24)
		good := inventory.HostSpec{Hostname: "worker-1", Personality: inventory.PersonalityWorker, MgmtMAC: MAC("worker-1")}
		spec := func(f func(*inventory.HostSpec)) inventory.HostSpec { s := good; f(&s); return s }
		cases := []struct {
			field string
			write func() error
		}{
			{"hostname", func() error {
				_, err := s.AddHost(ctx, spec(func(h *inventory.HostSpec) { h.Hostname = "worker 1!" }))
				return err
			}},
			{"hostname", func() error {
				// A worker needs a hostname (only a discovered host has none).
				_, err := s.AddHost(ctx, spec(func(h *inventory.HostSpec) { h.Hostname = "" }))
				return err
			}},
			{"personality", func() error {
				_, err := s.AddHost(ctx, spec(func(h *inventory.HostSpec) { h.Personality = "router" }))
				return err
			}},
			{"mgmt_mac", func() error {
				_, err := s.AddHost(ctx, spec(func(h *inventory.HostSpec) { h.MgmtMAC = "08:00:27:zz:00:01" }))
				return err
			}},
			{"mgmt_ip", func() error {
				_, err := s.AddHost(ctx, spec(func(h *inventory.HostSpec) { h.MgmtIP = "192.168.204.300" }))
				return err
			}},
			{"bm_ip", func() error {
				_, err := s.AddHost(ctx, spec(func(h *inventory.HostSpec) { h.BMIP = "not-an-ip" }))
				return err
			}},
			{"bm_type", func() error {
				_, err := s.AddHost(ctx, spec(func(h *inventory.HostSpec) { h.BMType = "ilo" }))
				return err
			}},
			{"install_output", func() error {
				_, err := s.UpdateHost(ctx, h.UUID, inventory.HostUpdate{InstallOutput: ptr("serial")})
				return err
			}},
			{"mgmt_mac", func() error {
				_, err := s.UpdateHost(ctx, h.UUID, inventory.HostUpdate{MgmtMAC: ptr("nonsense")})
				return err
			}},
			{"administrative", func() error {
				_, err := s.SetHostStatus(ctx, h.UUID, inventory.HostStatus{Administrative: ptr(inventory.AdminState("frozen"))})
				return err
			}},
			{"availability", func() error {
				_, err := s.SetHostStatus(ctx, h.UUID, inventory.HostStatus{Availability: ptr(inventory.Availability("asleep"))})
				return err
			}},
			{"system_mode", func() error {
				_, err := s.UpdateSystem(ctx, inventory.SystemUpdate{SystemMode: ptr(inventory.SystemMode("triplex"))})
				return err
			}},
			{"function", func() error {
				_, err := s.ModifyCPUs(ctx, h.UUID, inventory.CPUModify{Function: "Gaming", Cores: map[int]int{0: 1}})
				return err
			}},
			{"vm_hugepages_nr_2M_pending", func() error {
				_, err := s.ModifyMemory(ctx, h.UUID, 0, inventory.MemoryUpdate{VMHugepagesNr2M: ptr(-1)})
				return err
			}},
			{"size_mib", func() error {
				_, err := s.AddPartition(ctx, h.UUID, inventory.PartitionSpec{DiskUUID: disk.UUID, SizeMiB: 0})
				return err
			}},
			{"lvm_vg_name", func() error {
				_, err := s.AddLVG(ctx, h.UUID, "my-vg")
				return err
			}},
			{"iftype", func() error {
				_, err := s.AddInterface(ctx, h.UUID, inventory.InterfaceSpec{IfName: "x0", IfType: "token-ring", IfClass: inventory.IfClassPlatform})
				return err
			}},
			{"ifclass", func() error {
				_, err := s.AddInterface(ctx, h.UUID, inventory.InterfaceSpec{IfName: "x0", IfType: inventory.IfVLAN, IfClass: "gold", VLANID: 10, Uses: []string{lower.IfName}})
				return err
			}},
			{"vlan_id", func() error {
				_, err := s.AddInterface(ctx, h.UUID, inventory.InterfaceSpec{IfName: "vlan5000", IfType: inventory.IfVLAN, IfClass: inventory.IfClassPlatform, VLANID: 5000, Uses: []string{lower.IfName}})
				return err
			}},
			{"network", func() error {
				_, err := s.AddAddressPool(ctx, inventory.AddressPoolSpec{Name: "p", Network: "192.168.300.0", Prefix: 24})
				return err
			}},
			{"prefix", func() error {
				_, err := s.AddAddressPool(ctx, inventory.AddressPoolSpec{Name: "p", Network: "192.168.30.0", Prefix: 33})
				return err
			}},
			{"type", func() error {
				_, err := s.AddNetwork(ctx, inventory.NetworkSpec{Name: "n", Type: "wifi", PoolUUID: pool.UUID})
				return err
			}},
			{"network_type", func() error {
				_, err := s.AddDataNetwork(ctx, inventory.DataNetwork{Name: "physnet0", NetworkType: "token-ring", MTU: 1500})
				return err
			}},
			{"backend", func() error {
				_, err := s.AddStorageBackend(ctx, inventory.StorageBackendSpec{Backend: "floppy"})
				return err
			}},
		}
		for _, tc := range cases {
			err := unchanged(t, s, tc.write)
			requireField(t, err, tc.field)
		}
	}},
	{"Host/AddHostsAgainUpdatesBMC", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		w := func(name, bmip string) inventory.HostSpec {
			return inventory.HostSpec{Hostname: name, Personality: inventory.PersonalityWorker, MgmtMAC: MAC(name), BMIP: bmip, BMType: "redfish", BMUsername: "root"}
		}
		_, err := s.AddHosts(ctx, []inventory.HostSpec{w("worker-0", "10.0.0.10"), w("worker-1", "10.0.0.11")})
		require.NoError(t, err)
		// The same list again, with a new BMC address and one new host:
		// worker-0 and -1 are updated, worker-2 is added.
		hs, err := s.AddHosts(ctx, []inventory.HostSpec{w("worker-0", "10.0.0.20"), w("worker-1", "10.0.0.11"), w("worker-2", "10.0.0.12")})
		require.NoError(t, err)
		require.Len(t, hs, 3)
		list, err := s.ListHosts(ctx)
		require.NoError(t, err)
		assert.Len(t, list, 3)
		assert.Equal(t, "10.0.0.20", getHost(t, s, "worker-0").BMIP)
		// A host whose MAC exists under another name is a conflict, and
		// nothing of the list is written.
		other := w("worker-9", "10.0.0.30")
		other.MgmtMAC = MAC("worker-1")
		err = unchanged(t, s, func() error { _, err := s.AddHosts(ctx, []inventory.HostSpec{w("worker-3", ""), other}); return err })
		assert.ErrorIs(t, err, inventory.ErrConflict)
	}},
	{"Host/AddHostsAllOrNothing", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		w := func(name string) inventory.HostSpec {
			return inventory.HostSpec{Hostname: name, Personality: inventory.PersonalityWorker, MgmtMAC: MAC(name)}
		}
		bad := w("worker-2")
		bad.MgmtMAC = "not-a-mac"
		err := unchanged(t, s, func() error {
			_, err := s.AddHosts(ctx, []inventory.HostSpec{w("worker-0"), w("worker-1"), bad})
			return err
		})
		requireField(t, err, "mgmt_mac")

		err = unchanged(t, s, func() error {
			_, err := s.AddHosts(ctx, []inventory.HostSpec{w("worker-0"), w("worker-1"), w("worker-0")})
			return err
		})
		assert.ErrorIs(t, err, inventory.ErrConflict, "a hostname twice in one bulk add")

		_, err = s.AddHost(ctx, w("worker-5"))
		require.NoError(t, err)
		dupMAC := w("worker-6")
		dupMAC.MgmtMAC = MAC("worker-5")
		err = unchanged(t, s, func() error { _, err := s.AddHosts(ctx, []inventory.HostSpec{w("worker-0"), dupMAC}); return err })
		requireRule(t, err, inventory.ErrConflict, inventory.RuleUniqueMAC)

		hs, err := s.AddHosts(ctx, []inventory.HostSpec{w("worker-0"), w("worker-1"), w("worker-2")})
		require.NoError(t, err)
		require.Len(t, hs, 3)
		for i, h := range hs {
			assert.Equal(t, w("worker-"+string(rune('0'+i))).Hostname, h.Hostname, "in the order given")
			assert.Equal(t, inventory.AdminLocked, h.Administrative)
			assert.Equal(t, inventory.Unprovisioned, h.InvProvision)
		}
		list, err := s.ListHosts(ctx)
		require.NoError(t, err)
		assert.Len(t, list, 4)
	}},
}

// withoutTimes clears a host's timestamps, which a transport may round.
func withoutTimes(h inventory.Host) inventory.Host {
	h.CreatedAt, h.UpdatedAt = time.Time{}, time.Time{}
	return h
}

var provisioningCases = []suiteCase{
	{"Provisioning/UnlockThenEnable", func(t *testing.T, s inventory.Service) {
		platformNetworks(t, s)
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		assert.Equal(t, inventory.Unprovisioned, h.InvProvision)
		assert.Equal(t, inventory.OperDisabled, h.Operational)
		assert.Equal(t, inventory.AvailOffline, h.Availability)

		// The agent is up: mtce says online; still unprovisioned.
		h = setStatus(t, s, h.UUID, inventory.HostStatus{Availability: ptr(inventory.AvailOnline)})
		assert.Equal(t, inventory.AvailOnline, h.Availability)
		assert.Equal(t, inventory.Unprovisioned, h.InvProvision)

		readyHost(t, s, h.UUID)
		h = unlock(t, s, h.UUID)
		assert.Equal(t, inventory.AdminUnlocked, h.Administrative)
		assert.Equal(t, inventory.Provisioning, h.InvProvision, "the first unlock")

		h = setStatus(t, s, h.UUID, inventory.HostStatus{Task: ptr("Enabling"), Availability: ptr(inventory.AvailIntest)})
		assert.Equal(t, "Enabling", h.Task)
		assert.Equal(t, inventory.Provisioning, h.InvProvision, "not enabled yet")

		h = setStatus(t, s, h.UUID, inventory.HostStatus{Operational: ptr(inventory.OperEnabled), Availability: ptr(inventory.AvailAvailable), Task: ptr(""), Uptime: ptr(int64(42))})
		assert.Equal(t, inventory.Provisioned, h.InvProvision, "first time enabled")
		assert.Equal(t, inventory.OperEnabled, h.Operational)
		assert.Equal(t, inventory.AvailAvailable, h.Availability)
		assert.Equal(t, int64(42), h.Uptime)
		assert.Empty(t, h.Task)

		// Lock and unlock again: provisioned stays.
		h = setStatus(t, s, h.UUID, inventory.HostStatus{Administrative: ptr(inventory.AdminLocked), Operational: ptr(inventory.OperDisabled), Availability: ptr(inventory.AvailOnline)})
		assert.Equal(t, inventory.Provisioned, h.InvProvision)
		h = setStatus(t, s, h.UUID, inventory.HostStatus{Administrative: ptr(inventory.AdminUnlocked)})
		assert.Equal(t, inventory.Provisioned, h.InvProvision)
		assert.Equal(t, withoutTimes(h), withoutTimes(getHost(t, s, h.UUID)))
	}},
	{"Provisioning/DiscoveredByReport", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		mac := MAC("unknown")
		h, err := s.ReportInventory(ctx, ReportFor(mac))
		require.NoError(t, err)
		assert.Len(t, h.UUID, 36)
		assert.Equal(t, mac, h.MgmtMAC)
		assert.Empty(t, h.Hostname, "only mgmt_mac is known")
		assert.Empty(t, h.Personality, "only mgmt_mac is known")
		assert.Equal(t, inventory.AdminLocked, h.Administrative)
		assert.Equal(t, inventory.Unprovisioned, h.InvProvision)
		list, err := s.ListHosts(ctx)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, h.UUID, list[0].UUID)
		cpus, err := s.ListCPUs(ctx, h.UUID)
		require.NoError(t, err)
		assert.Len(t, cpus, 16)

		err = unchanged(t, s, func() error { return s.CheckUnlock(ctx, h.UUID) })
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RulePersonalityRequired)

		// The operator gives it a name and a personality.
		u, err := s.UpdateHost(ctx, h.UUID, inventory.HostUpdate{Hostname: ptr("worker-3"), Personality: ptr(inventory.PersonalityWorker)})
		require.NoError(t, err)
		assert.Equal(t, "worker-3", u.Hostname)
		assert.Equal(t, inventory.PersonalityWorker, u.Personality)
		assert.Equal(t, h.UUID, getHost(t, s, "worker-3").UUID)
	}},
	{"Provisioning/ReportOfKnownMAC", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h, err := s.AddHost(ctx, inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker, MgmtMAC: MAC("worker-0")})
		require.NoError(t, err)
		// The agent reports the MAC in upper case: the same host.
		r, err := s.ReportInventory(ctx, ReportFor(strings.ToUpper(MAC("worker-0"))))
		require.NoError(t, err)
		assert.Equal(t, h.UUID, r.UUID)
		assert.Equal(t, "worker-0", r.Hostname)
		list, err := s.ListHosts(ctx)
		require.NoError(t, err)
		assert.Len(t, list, 1)
	}},
	{"Provisioning/SecondReportKeepsOperatorChanges", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		_, err := s.ModifyCPUs(ctx, h.UUID, inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{0: 2}})
		require.NoError(t, err)
		_, err = s.ModifyCPUs(ctx, h.UUID, inventory.CPUModify{Function: inventory.CPUApplicationIsolated, Cores: map[int]int{1: 1}})
		require.NoError(t, err)
		_, err = s.ModifyMemory(ctx, h.UUID, 1, inventory.MemoryUpdate{VMHugepagesNr1G: ptr(4)})
		require.NoError(t, err)
		disk := diskByNode(t, s, h.UUID, "/dev/sdb")
		part, err := s.AddPartition(ctx, h.UUID, inventory.PartitionSpec{DiskUUID: disk.UUID, SizeMiB: 10240})
		require.NoError(t, err)

		cpus, err := s.ListCPUs(ctx, h.UUID)
		require.NoError(t, err)
		mem, err := s.ListMemory(ctx, h.UUID)
		require.NoError(t, err)

		again, err := s.ReportInventory(ctx, ReportFor(MAC("worker-0")))
		require.NoError(t, err)
		assert.Equal(t, h.UUID, again.UUID)

		cpus2, err := s.ListCPUs(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, cpus2, len(cpus), "the report replaced the CPUs, it did not add to them")
		assert.Equal(t, cpuFunctions(cpus), cpuFunctions(cpus2), "the operator's CPU functions are kept")
		for i := range cpus {
			assert.Equal(t, cpus[i].CPU, cpus2[i].CPU)
			assert.Equal(t, cpus[i].AllocatedFunction, cpus2[i].AllocatedFunction, "cpu %d", cpus[i].CPU)
		}
		mem2, err := s.ListMemory(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, mem2, 2)
		require.NotNil(t, mem2[1].VMHugepagesNr1GPending)
		assert.Equal(t, 4, *mem2[1].VMHugepagesNr1GPending, "the hugepage request is kept")
		assert.Equal(t, mem[1].NumaNode, mem2[1].NumaNode)
		disks, err := s.ListDisks(ctx, h.UUID)
		require.NoError(t, err)
		assert.Len(t, disks, 2)
		parts, err := s.ListPartitions(ctx, h.UUID, "")
		require.NoError(t, err)
		require.Len(t, parts, 1, "the operator's partition is kept")
		assert.Equal(t, part.UUID, parts[0].UUID)
	}},
	{"Provisioning/CheckUnlockReadyWorker", func(t *testing.T, s inventory.Service) {
		platformNetworks(t, s)
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		readyHost(t, s, h.UUID)
		assert.NoError(t, s.CheckUnlock(t.Context(), h.UUID))
	}},
}

var hardwareCases = []suiteCase{
	{"Hardware/ReportedInventory", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		r := ReportFor(h.MgmtMAC)

		nodes, err := s.ListNodes(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, nodes, 2)
		for i, n := range nodes {
			assert.Equal(t, i, n.NumaNode)
			assert.Equal(t, h.UUID, n.HostUUID)
			assert.Len(t, n.UUID, 36)
		}

		cpus, err := s.ListCPUs(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, cpus, 16)
		for i, c := range cpus {
			want := r.CPUs[i]
			assert.Equal(t, i, c.CPU, "ordered by cpu number")
			assert.Equal(t, want.NumaNode, c.NumaNode, "cpu %d", i)
			assert.Equal(t, want.Core, c.Core, "cpu %d", i)
			assert.Equal(t, want.Thread, c.Thread, "cpu %d", i)
			assert.Equal(t, want.CPUModel, c.CPUModel)
			assert.Equal(t, h.UUID, c.HostUUID)
			assert.True(t, c.AllocatedFunction.Valid(), "cpu %d has function %q", i, c.AllocatedFunction)
		}
		assert.Positive(t, cpuFunctions(cpus)[0][inventory.CPUPlatform], "a platform core on node 0 by default")

		mem, err := s.ListMemory(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, mem, 2)
		for i, m := range mem {
			assert.Equal(t, i, m.NumaNode)
			assert.Equal(t, r.Memory[i].NodeMemTotalMiB, m.NodeMemTotalMiB)
			assert.Equal(t, r.Memory[i].MemTotalMiB, m.MemTotalMiB)
			assert.Equal(t, h.UUID, m.HostUUID)
		}

		disks, err := s.ListDisks(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, disks, 2)
		for i, d := range disks {
			assert.Equal(t, r.Disks[i].DeviceNode, d.DeviceNode)
			assert.Equal(t, r.Disks[i].DevicePath, d.DevicePath)
			assert.Equal(t, r.Disks[i].DeviceType, d.DeviceType)
			assert.Equal(t, r.Disks[i].SizeMiB, d.SizeMiB)
			assert.Equal(t, r.Disks[i].AvailableMiB, d.AvailableMiB)
			assert.Equal(t, r.Disks[i].SerialID, d.SerialID)
			assert.Equal(t, h.UUID, d.HostUUID)
		}

		ports, err := s.ListPorts(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, ports, 2)
		for i, p := range ports {
			assert.Equal(t, r.Ports[i].Name, p.Name)
			assert.Equal(t, r.Ports[i].MAC, p.MAC)
			assert.Equal(t, r.Ports[i].PCIAddr, p.PCIAddr)
			assert.Equal(t, r.Ports[i].Driver, p.Driver)
			assert.Equal(t, r.Ports[i].NumaNode, p.NumaNode)
			assert.Equal(t, h.UUID, p.HostUUID)
		}
		assert.Equal(t, h.MgmtMAC, ports[0].MAC)
	}},
	{"Hardware/ModifyCPUs", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		got, err := s.ModifyCPUs(ctx, h.UUID, inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{0: 2, 1: 1}})
		require.NoError(t, err)
		require.Len(t, got, 16, "every CPU of the host")
		fns := cpuFunctions(got)
		assert.Equal(t, 4, fns[0][inventory.CPUPlatform], "2 physical cores with 2 threads on node 0")
		assert.Equal(t, 2, fns[1][inventory.CPUPlatform], "1 physical core with 2 threads on node 1")
		got, err = s.ModifyCPUs(ctx, h.UUID, inventory.CPUModify{Function: inventory.CPUApplicationIsolated, Cores: map[int]int{1: 2}})
		require.NoError(t, err)
		fns = cpuFunctions(got)
		assert.Equal(t, 4, fns[1][inventory.CPUApplicationIsolated])
		assert.Equal(t, 4, fns[0][inventory.CPUPlatform], "node 0 untouched")
		// Both threads of a core have the same function.
		byCore := map[[2]int]inventory.CPUFunction{}
		for _, c := range got {
			k := [2]int{c.NumaNode, c.Core}
			if f, ok := byCore[k]; ok {
				assert.Equal(t, f, c.AllocatedFunction, "threads of node %d core %d", k[0], k[1])
			}
			byCore[k] = c.AllocatedFunction
		}
		list, err := s.ListCPUs(ctx, h.UUID)
		require.NoError(t, err)
		assert.Equal(t, got, list)
	}},
	{"Hardware/ModifyCPUsByList", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		got, err := s.ModifyCPUs(ctx, h.UUID, inventory.CPUModify{Function: inventory.CPUShared, CPUs: []int{7, 15}})
		require.NoError(t, err)
		shared := 0
		for _, c := range got {
			if c.AllocatedFunction == inventory.CPUShared {
				shared++
				assert.Contains(t, []int{7, 15}, c.CPU)
			}
		}
		assert.Equal(t, 2, shared)
		// A second list replaces the first: CPU 7 goes back to Application.
		got, err = s.ModifyCPUs(ctx, h.UUID, inventory.CPUModify{Function: inventory.CPUShared, CPUs: []int{15}})
		require.NoError(t, err)
		for _, c := range got {
			switch c.CPU {
			case 7:
				assert.Equal(t, inventory.CPUApplication, c.AllocatedFunction)
			case 15:
				assert.Equal(t, inventory.CPUShared, c.AllocatedFunction)
			}
		}
		for name, mod := range map[string]inventory.CPUModify{
			"no such CPU": {Function: inventory.CPUShared, CPUs: []int{999}},
			"named twice": {Function: inventory.CPUShared, CPUs: []int{3, 3}},
			"both forms":  {Function: inventory.CPUShared, CPUs: []int{3}, Cores: map[int]int{0: 1}},
		} {
			err := unchanged(t, s, func() error { _, err := s.ModifyCPUs(ctx, h.UUID, mod); return err })
			requireField(t, err, "cpulist")
			_ = name
		}
	}},
	{"Hardware/ModifyMemory", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		m, err := s.ModifyMemory(ctx, h.UUID, 1, inventory.MemoryUpdate{VMHugepagesNr2M: ptr(1024), VMHugepagesNr1G: ptr(2)})
		require.NoError(t, err)
		assert.Equal(t, 1, m.NumaNode)
		require.NotNil(t, m.VMHugepagesNr2MPending)
		require.NotNil(t, m.VMHugepagesNr1GPending)
		assert.Equal(t, 1024, *m.VMHugepagesNr2MPending)
		assert.Equal(t, 2, *m.VMHugepagesNr1GPending)
		mem, err := s.ListMemory(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, mem, 2)
		assert.Equal(t, m.UUID, mem[1].UUID)
		assert.Equal(t, m.VMHugepagesNr2MPending, mem[1].VMHugepagesNr2MPending)
		assert.Nil(t, mem[0].VMHugepagesNr2MPending, "node 0 untouched")
		_, err = s.ModifyMemory(ctx, h.UUID, 7, inventory.MemoryUpdate{VMHugepagesNr2M: ptr(1)})
		assert.ErrorIs(t, err, inventory.ErrNotFound, "no NUMA node 7")
	}},
	{"Hardware/Partitions", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		disk := diskByNode(t, s, h.UUID, "/dev/sdb")
		p1, err := s.AddPartition(ctx, h.UUID, inventory.PartitionSpec{DiskUUID: disk.UUID, SizeMiB: 10240})
		require.NoError(t, err)
		assert.Len(t, p1.UUID, 36)
		assert.Equal(t, disk.UUID, p1.DiskUUID)
		assert.Equal(t, h.UUID, p1.HostUUID)
		assert.Equal(t, 10240, p1.SizeMiB)
		assert.Equal(t, inventory.LVMPartitionType, p1.TypeGUID, "the default type")
		p2, err := s.AddPartition(ctx, h.UUID, inventory.PartitionSpec{DiskUUID: disk.UUID, SizeMiB: 2048})
		require.NoError(t, err)
		assert.GreaterOrEqual(t, p2.StartMiB, p1.StartMiB+p1.SizeMiB, "after the first")
		assert.Equal(t, DataDiskMiB-10240-2048, diskByNode(t, s, h.UUID, "/dev/sdb").AvailableMiB)

		all, err := s.ListPartitions(ctx, h.UUID, "")
		require.NoError(t, err)
		assert.Len(t, all, 2)
		onDisk, err := s.ListPartitions(ctx, h.UUID, disk.UUID)
		require.NoError(t, err)
		assert.Len(t, onDisk, 2)
		onRoot, err := s.ListPartitions(ctx, h.UUID, diskByNode(t, s, h.UUID, "/dev/sda").UUID)
		require.NoError(t, err)
		assert.Empty(t, onRoot)

		grown, err := s.ModifyPartition(ctx, p2.UUID, 4096)
		require.NoError(t, err)
		assert.Equal(t, 4096, grown.SizeMiB)
		require.NoError(t, s.DeletePartition(ctx, p2.UUID))
		require.NoError(t, s.DeletePartition(ctx, p1.UUID))
		all, err = s.ListPartitions(ctx, h.UUID, "")
		require.NoError(t, err)
		assert.Empty(t, all)
		assert.Equal(t, DataDiskMiB, diskByNode(t, s, h.UUID, "/dev/sdb").AvailableMiB)
		assert.ErrorIs(t, s.DeletePartition(ctx, p1.UUID), inventory.ErrNotFound)
	}},
	{"Hardware/LVGAndPV", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		disk := diskByNode(t, s, h.UUID, "/dev/sdb")
		part, err := s.AddPartition(ctx, h.UUID, inventory.PartitionSpec{DiskUUID: disk.UUID, SizeMiB: 20480})
		require.NoError(t, err)
		vg, err := s.AddLVG(ctx, h.UUID, inventory.VGNovaLocal)
		require.NoError(t, err)
		assert.Equal(t, inventory.VGNovaLocal, vg.LVMVGName)
		assert.Equal(t, inventory.LVGAdding, vg.VGState)
		assert.Equal(t, h.UUID, vg.HostUUID)
		pv, err := s.AddPV(ctx, h.UUID, inventory.PVSpec{LVGUUID: vg.UUID, DiskOrPartUUID: part.UUID})
		require.NoError(t, err)
		assert.Equal(t, inventory.PVPartition, pv.PVType)
		assert.Equal(t, vg.UUID, pv.LVGUUID)
		assert.Equal(t, part.UUID, pv.DiskOrPartUUID)
		lvgs, err := s.ListLVGs(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, lvgs, 1)
		assert.Equal(t, vg.UUID, lvgs[0].UUID)
		pvs, err := s.ListPVs(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, pvs, 1)
		assert.Equal(t, pv.UUID, pvs[0].UUID)

		require.NoError(t, s.DeletePV(ctx, pv.UUID))
		require.NoError(t, s.DeleteLVG(ctx, vg.UUID))
		lvgs, err = s.ListLVGs(ctx, h.UUID)
		require.NoError(t, err)
		assert.Empty(t, lvgs)
		assert.ErrorIs(t, s.DeleteLVG(ctx, vg.UUID), inventory.ErrNotFound)
	}},
	{"Hardware/Stors", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "storage-0", inventory.PersonalityStorage)
		disk := diskByNode(t, s, h.UUID, "/dev/sdb")
		st, err := s.AddStor(ctx, h.UUID, inventory.StorSpec{DiskUUID: disk.UUID})
		require.NoError(t, err)
		assert.Equal(t, "osd", st.Function, "the default function")
		assert.Equal(t, disk.UUID, st.DiskUUID)
		assert.Equal(t, h.UUID, st.HostUUID)
		list, err := s.ListStors(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, st.UUID, list[0].UUID)
		require.NoError(t, s.DeleteStor(ctx, st.UUID))
		list, err = s.ListStors(ctx, h.UUID)
		require.NoError(t, err)
		assert.Empty(t, list)
	}},
}

var networkCases = []suiteCase{
	{"Network/AddressPools", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		p, err := s.AddAddressPool(ctx, inventory.AddressPoolSpec{Name: "management", Network: "192.168.204.0", Prefix: 24,
			FloatingAddress: "192.168.204.2", Controller0Address: "192.168.204.3", Controller1Address: "192.168.204.4"})
		require.NoError(t, err)
		assert.Len(t, p.UUID, 36)
		assert.Equal(t, 4, p.Family)
		assert.Equal(t, "192.168.204.0", p.Network)
		assert.Equal(t, 24, p.Prefix)
		assert.Equal(t, []inventory.AddressRange{{Start: "192.168.204.1", End: "192.168.204.254"}}, p.Ranges, "default: the whole subnet but network and broadcast")
		assert.Equal(t, "192.168.204.2", p.FloatingAddress)
		assert.Equal(t, "192.168.204.3", p.Controller0Address)
		assert.Equal(t, "192.168.204.4", p.Controller1Address)

		p6, err := s.AddAddressPool(ctx, inventory.AddressPoolSpec{Name: "oam-v6", Network: "fd00:10::", Prefix: 64,
			Ranges: []inventory.AddressRange{{Start: "fd00:10::10", End: "fd00:10::ff"}}})
		require.NoError(t, err)
		assert.Equal(t, 6, p6.Family)
		assert.Equal(t, []inventory.AddressRange{{Start: "fd00:10::10", End: "fd00:10::ff"}}, p6.Ranges)

		for _, key := range []string{"management", p.UUID} {
			got, err := s.GetAddressPool(ctx, key)
			require.NoError(t, err, key)
			assert.Equal(t, p.UUID, got.UUID)
		}
		u, err := s.UpdateAddressPool(ctx, "management", inventory.AddressPoolUpdate{Name: ptr("mgmt-pool"),
			Ranges: ptr([]inventory.AddressRange{{Start: "192.168.204.10", End: "192.168.204.100"}}), GatewayAddress: ptr("192.168.204.1")})
		require.NoError(t, err)
		assert.Equal(t, "mgmt-pool", u.Name)
		assert.Equal(t, "192.168.204.1", u.GatewayAddress)
		got, err := s.GetAddressPool(ctx, "mgmt-pool")
		require.NoError(t, err)
		assert.Equal(t, []inventory.AddressRange{{Start: "192.168.204.10", End: "192.168.204.100"}}, got.Ranges)
		list, err := s.ListAddressPools(ctx)
		require.NoError(t, err)
		assert.Len(t, list, 2)
		require.NoError(t, s.DeleteAddressPool(ctx, "mgmt-pool"))
		_, err = s.GetAddressPool(ctx, p.UUID)
		assert.ErrorIs(t, err, inventory.ErrNotFound)
		assert.ErrorIs(t, s.DeleteAddressPool(ctx, "mgmt-pool"), inventory.ErrNotFound)
	}},
	{"Network/Networks", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		p := addPool(t, s, "management", "192.168.204.0", 24)
		n, err := s.AddNetwork(ctx, inventory.NetworkSpec{Name: mgmtNet, Type: inventory.NetMgmt, Dynamic: true, PoolUUID: p.UUID})
		require.NoError(t, err)
		assert.Len(t, n.UUID, 36)
		assert.Equal(t, mgmtNet, n.Name)
		assert.Equal(t, inventory.NetMgmt, n.Type)
		assert.True(t, n.Dynamic)
		assert.Equal(t, p.UUID, n.PoolUUID)
		for _, key := range []string{mgmtNet, n.UUID} {
			got, err := s.GetNetwork(ctx, key)
			require.NoError(t, err, key)
			assert.Equal(t, n.UUID, got.UUID)
		}
		list, err := s.ListNetworks(ctx)
		require.NoError(t, err)
		require.Len(t, list, 1)
		_, err = s.AddNetwork(ctx, inventory.NetworkSpec{Name: "x", Type: inventory.NetMgmt, PoolUUID: "8f0c6f9e-0000-4000-8000-000000000000"})
		requireField(t, err, "pool_uuid")
		require.NoError(t, s.DeleteNetwork(ctx, mgmtNet))
		_, err = s.GetNetwork(ctx, n.UUID)
		assert.ErrorIs(t, err, inventory.ErrNotFound)
		require.NoError(t, s.DeleteAddressPool(ctx, p.UUID), "the pool is free once its network is gone")
	}},
	{"Network/Interfaces", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		eth := ethernetIface(t, s, h.UUID, PortName(0), "pxe0", inventory.IfClassPlatform)
		assert.Equal(t, "pxe0", eth.IfName)
		assert.Equal(t, inventory.IfEthernet, eth.IfType)
		assert.Equal(t, inventory.IfClassPlatform, eth.IfClass)
		assert.Equal(t, 1500, eth.IMTU)
		assert.Equal(t, h.UUID, eth.HostUUID)
		assert.Equal(t, h.MgmtMAC, eth.IMAC, "an Ethernet interface has its port's MAC")

		vlan, err := s.AddInterface(ctx, h.UUID, inventory.InterfaceSpec{IfName: "vlan100", IfType: inventory.IfVLAN, IfClass: inventory.IfClassPlatform,
			VLANID: 100, IMTU: 1400, Uses: []string{"pxe0"}})
		require.NoError(t, err)
		assert.Equal(t, inventory.IfVLAN, vlan.IfType)
		assert.Equal(t, 100, vlan.VLANID)
		assert.Equal(t, 1400, vlan.IMTU)
		assert.Equal(t, []string{"pxe0"}, vlan.Uses)
		got, err := s.GetInterface(ctx, eth.UUID)
		require.NoError(t, err)
		assert.Equal(t, []string{"vlan100"}, got.UsedBy)

		u, err := s.UpdateInterface(ctx, eth.UUID, inventory.InterfaceUpdate{IMTU: ptr(9000)})
		require.NoError(t, err)
		assert.Equal(t, 9000, u.IMTU)
		u, err = s.UpdateInterface(ctx, vlan.UUID, inventory.InterfaceUpdate{IMTU: ptr(9000), IfName: ptr("vlan100b")})
		require.NoError(t, err)
		assert.Equal(t, 9000, u.IMTU)
		assert.Equal(t, "vlan100b", u.IfName)

		list, err := s.ListInterfaces(ctx, h.UUID)
		require.NoError(t, err)
		names := []string{}
		for _, i := range list {
			names = append(names, i.IfName)
		}
		assert.Contains(t, names, "pxe0")
		assert.Contains(t, names, "vlan100b")

		err = unchanged(t, s, func() error { return s.DeleteInterface(ctx, eth.UUID) })
		requireRule(t, err, inventory.ErrConflict, inventory.RuleInUse)
		require.NoError(t, s.DeleteInterface(ctx, vlan.UUID))
		_, err = s.GetInterface(ctx, vlan.UUID)
		assert.ErrorIs(t, err, inventory.ErrNotFound)
	}},
	{"Network/InterfaceNetworksAndDataNetworks", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		nets := platformNetworks(t, s)
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		eth := ethernetIface(t, s, h.UUID, PortName(0), "mgmt0", inventory.IfClassPlatform)
		in, err := s.AssignInterfaceNetwork(ctx, eth.UUID, mgmtNet)
		require.NoError(t, err)
		assert.Equal(t, eth.UUID, in.InterfaceUUID)
		assert.Equal(t, "mgmt0", in.IfName)
		assert.Equal(t, nets[mgmtNet].UUID, in.NetworkUUID)
		assert.Equal(t, mgmtNet, in.NetworkName)
		assert.Equal(t, inventory.NetMgmt, in.NetworkType)
		assert.Equal(t, h.UUID, in.HostUUID)
		_, err = s.AssignInterfaceNetwork(ctx, eth.UUID, nets[clusterHostNet].UUID)
		require.NoError(t, err, "a network by uuid")
		list, err := s.ListInterfaceNetworks(ctx, h.UUID)
		require.NoError(t, err)
		assert.Len(t, list, 2)
		got, err := s.GetInterface(ctx, eth.UUID)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{mgmtNet, clusterHostNet}, got.Networks)
		require.NoError(t, s.RemoveInterfaceNetwork(ctx, in.UUID))
		list, err = s.ListInterfaceNetworks(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, clusterHostNet, list[0].NetworkName)
		assert.ErrorIs(t, s.RemoveInterfaceNetwork(ctx, in.UUID), inventory.ErrNotFound)

		dn, err := s.AddDataNetwork(ctx, inventory.DataNetwork{Name: "physnet0", NetworkType: inventory.DataNetVLAN, MTU: 1500, Description: "tenant vlans"})
		require.NoError(t, err)
		assert.Len(t, dn.UUID, 36)
		assert.Equal(t, "physnet0", dn.Name)
		assert.Equal(t, inventory.DataNetVLAN, dn.NetworkType)
		assert.Equal(t, 1500, dn.MTU)
		vx, err := s.AddDataNetwork(ctx, inventory.DataNetwork{Name: "physnet1", NetworkType: inventory.DataNetVXLAN, MTU: 1500,
			MulticastGroup: "239.0.1.1", PortNum: 4789, TTL: 10, Mode: "dynamic"})
		require.NoError(t, err)
		assert.Equal(t, "239.0.1.1", vx.MulticastGroup)
		assert.Equal(t, 4789, vx.PortNum)
		assert.Equal(t, 10, vx.TTL)
		data := ethernetIface(t, s, h.UUID, PortName(1), "data0", inventory.IfClassData, "physnet0")
		assert.Equal(t, []string{"physnet0"}, data.DataNetworks)
		data, err = s.UpdateInterface(ctx, data.UUID, inventory.InterfaceUpdate{DataNetworks: ptr([]string{"physnet0", "physnet1"})})
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"physnet0", "physnet1"}, data.DataNetworks)
		data, err = s.UpdateInterface(ctx, data.UUID, inventory.InterfaceUpdate{DataNetworks: ptr([]string{"physnet0"})})
		require.NoError(t, err)
		assert.Equal(t, []string{"physnet0"}, data.DataNetworks)
		dns, err := s.ListDataNetworks(ctx)
		require.NoError(t, err)
		assert.Len(t, dns, 2)
		require.NoError(t, s.DeleteDataNetwork(ctx, "physnet1"))
		dns, err = s.ListDataNetworks(ctx)
		require.NoError(t, err)
		assert.Len(t, dns, 1)
	}},
	{"Network/AddressesAndRoutes", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		as, err := s.ListAddresses(ctx, h.UUID)
		require.NoError(t, err)
		for _, a := range as {
			assert.Equal(t, h.UUID, a.HostUUID)
		}
		rs, err := s.ListRoutes(ctx, h.UUID)
		require.NoError(t, err)
		assert.Empty(t, rs)
		_, err = s.ListAddresses(ctx, "worker-9")
		assert.ErrorIs(t, err, inventory.ErrNotFound)
		_, err = s.ListRoutes(ctx, "worker-9")
		assert.ErrorIs(t, err, inventory.ErrNotFound)
	}},
}

var otherCases = []suiteCase{
	{"System/GetUpdate", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		sys, err := s.GetSystem(ctx)
		require.NoError(t, err)
		assert.Len(t, sys.UUID, 36)
		assert.True(t, sys.SystemType.Valid(), "system_type %q", sys.SystemType)
		assert.True(t, sys.SystemMode.Valid(), "system_mode %q", sys.SystemMode)
		u, err := s.UpdateSystem(ctx, inventory.SystemUpdate{
			Name: ptr("edge-7"), Description: ptr("lab"), Contact: ptr("ops@example.com"), Location: ptr("Montreal"),
			Latitude: ptr("45.5"), Longitude: ptr("-73.6"), Timezone: ptr("America/Toronto"),
			DNSServers: ptr([]string{"8.8.8.8", "1.1.1.1"}), NTPServers: ptr([]string{"0.pool.ntp.org"}),
			Capabilities: ptr(map[string]any{"sdn_enabled": false}),
		})
		require.NoError(t, err)
		got, err := s.GetSystem(ctx)
		require.NoError(t, err)
		for _, sy := range []inventory.System{u, got} {
			assert.Equal(t, sys.UUID, sy.UUID)
			assert.Equal(t, "edge-7", sy.Name)
			assert.Equal(t, "lab", sy.Description)
			assert.Equal(t, "ops@example.com", sy.Contact)
			assert.Equal(t, "Montreal", sy.Location)
			assert.Equal(t, "45.5", sy.Latitude)
			assert.Equal(t, "-73.6", sy.Longitude)
			assert.Equal(t, "America/Toronto", sy.Timezone)
			assert.Equal(t, []string{"8.8.8.8", "1.1.1.1"}, sy.DNSServers)
			assert.Equal(t, []string{"0.pool.ntp.org"}, sy.NTPServers)
			assert.Equal(t, false, sy.Capabilities["sdn_enabled"])
		}
	}},
	{"Labels/AssignListRemove", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		ls, err := s.AssignLabels(ctx, h.Hostname, map[string]string{"site": "a", "rack": "7"}, false)
		require.NoError(t, err)
		require.Len(t, ls, 2)
		list, err := s.ListLabels(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, list, 2)
		byKey := map[string]inventory.Label{}
		for _, l := range list {
			assert.Equal(t, h.UUID, l.HostUUID)
			byKey[l.LabelKey] = l
		}
		assert.Equal(t, "a", byKey["site"].LabelValue)
		assert.Equal(t, "7", byKey["rack"].LabelValue)

		err = unchanged(t, s, func() error {
			_, err := s.AssignLabels(ctx, h.UUID, map[string]string{"site": "b"}, false)
			return err
		})
		requireRule(t, err, inventory.ErrConflict, inventory.RuleUniqueName)
		_, err = s.AssignLabels(ctx, h.UUID, map[string]string{"site": "b"}, true)
		require.NoError(t, err)
		list, err = s.ListLabels(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, list, 2)
		for _, l := range list {
			if l.LabelKey == "site" {
				assert.Equal(t, "b", l.LabelValue, "overwritten")
			}
		}
		require.NoError(t, s.RemoveLabel(ctx, byKey["rack"].UUID))
		list, err = s.ListLabels(ctx, h.UUID)
		require.NoError(t, err)
		assert.Len(t, list, 1)
		assert.ErrorIs(t, s.RemoveLabel(ctx, byKey["rack"].UUID), inventory.ErrNotFound)
	}},
	{"StorageBackends/AddListDelete", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		b, err := s.AddStorageBackend(ctx, inventory.StorageBackendSpec{Backend: inventory.BackendCeph, Name: "ceph-store",
			Services: []string{"glance", "cinder"}, Capabilities: map[string]any{"replication": "2"}})
		require.NoError(t, err)
		assert.Len(t, b.UUID, 36)
		assert.Equal(t, inventory.BackendCeph, b.Backend)
		assert.Equal(t, "ceph-store", b.Name)
		assert.ElementsMatch(t, []string{"glance", "cinder"}, b.Services)
		assert.Equal(t, "2", b.Capabilities["replication"])
		list, err := s.ListStorageBackends(ctx)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, b.UUID, list[0].UUID)
		require.NoError(t, s.DeleteStorageBackend(ctx, b.UUID))
		list, err = s.ListStorageBackends(ctx)
		require.NoError(t, err)
		assert.Empty(t, list)
		assert.ErrorIs(t, s.DeleteStorageBackend(ctx, b.UUID), inventory.ErrNotFound)
	}},
	{"ServiceParameters/AddListUpdateDelete", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		ps, err := s.AddServiceParameters(ctx, "platform", "maintenance",
			map[string]string{"heartbeat_period": "100", "heartbeat_failure_threshold": "10"}, "", "")
		require.NoError(t, err)
		require.Len(t, ps, 2)
		_, err = s.AddServiceParameters(ctx, "platform", "sysinv", map[string]string{"firewall_rules_id": "x"}, "", "")
		require.NoError(t, err)
		list, err := s.ListServiceParameters(ctx, inventory.ServiceParameterQuery{Service: "platform", Section: "maintenance"})
		require.NoError(t, err)
		require.Len(t, list, 2)
		all, err := s.ListServiceParameters(ctx, inventory.ServiceParameterQuery{})
		require.NoError(t, err)
		assert.Len(t, all, 3)
		one, err := s.ListServiceParameters(ctx, inventory.ServiceParameterQuery{Name: "heartbeat_period"})
		require.NoError(t, err)
		require.Len(t, one, 1)
		assert.Equal(t, "platform", one[0].Service)
		assert.Equal(t, "maintenance", one[0].Section)
		assert.Equal(t, "100", one[0].Value)
		u, err := s.UpdateServiceParameter(ctx, one[0].UUID, "200")
		require.NoError(t, err)
		assert.Equal(t, "200", u.Value)
		one, err = s.ListServiceParameters(ctx, inventory.ServiceParameterQuery{Name: "heartbeat_period"})
		require.NoError(t, err)
		assert.Equal(t, "200", one[0].Value)
		err = unchanged(t, s, func() error {
			_, err := s.AddServiceParameters(ctx, "platform", "maintenance", map[string]string{"heartbeat_period": "300"}, "", "")
			return err
		})
		assert.ErrorIs(t, err, inventory.ErrConflict, "a parameter that exists")
		require.NoError(t, s.DeleteServiceParameter(ctx, u.UUID))
		all, err = s.ListServiceParameters(ctx, inventory.ServiceParameterQuery{})
		require.NoError(t, err)
		assert.Len(t, all, 2)
	}},
	{"Snapshot/HoldsEverything", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		nets := platformNetworks(t, s)
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		readyHost(t, s, h.UUID)
		_, err := s.AssignLabels(ctx, h.UUID, map[string]string{"site": "a"}, false)
		require.NoError(t, err)
		snap := snapshot(t, s)
		require.Len(t, snap.Hosts, 1)
		assert.Equal(t, h.UUID, snap.Hosts[0].UUID)
		assert.Len(t, snap.System.UUID, 36)
		assert.Len(t, snap.Nodes[h.UUID], 2)
		assert.Len(t, snap.CPUs[h.UUID], 16)
		assert.Len(t, snap.Memory[h.UUID], 2)
		assert.Len(t, snap.Disks[h.UUID], 2)
		assert.Len(t, snap.Ports[h.UUID], 2)
		assert.NotEmpty(t, snap.Interfaces[h.UUID])
		assert.Len(t, snap.InterfaceNetworks[h.UUID], 2)
		assert.Len(t, snap.Labels[h.UUID], 1)
		assert.Len(t, snap.Networks, len(nets))
		assert.Len(t, snap.AddressPools, len(nets))
	}},
	{"Snapshot/OneHost", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		nets := platformNetworks(t, s)
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		readyHost(t, s, h.UUID)
		other := NewLockedHost(t, s, "worker-1", inventory.PersonalityWorker)
		all := snapshot(t, s)
		for _, name := range []string{h.UUID, h.Hostname, strconv.FormatInt(h.ID, 10)} {
			one, err := s.HostSnapshot(ctx, name)
			require.NoError(t, err, name)
			require.Len(t, one.Hosts, 1, name)
			assert.Equal(t, all.Hosts[slices.IndexFunc(all.Hosts, func(x inventory.Host) bool { return x.UUID == h.UUID })], one.Hosts[0])
			assert.Equal(t, all.System, one.System)
			assert.Equal(t, all.CPUs[h.UUID], one.CPUs[h.UUID])
			assert.Equal(t, all.Interfaces[h.UUID], one.Interfaces[h.UUID])
			assert.Equal(t, all.InterfaceNetworks[h.UUID], one.InterfaceNetworks[h.UUID])
			assert.Empty(t, one.CPUs[other.UUID], "no other host's records")
			assert.Len(t, one.Networks, len(nets))
		}
		_, err := s.HostSnapshot(ctx, "worker-9")
		assert.ErrorIs(t, err, inventory.ErrNotFound)
	}},
	{"Config/HostConfigDocument", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		platformNetworks(t, s)
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		readyHost(t, s, h.UUID)
		_, err := s.AssignLabels(ctx, h.UUID, map[string]string{"site": "a"}, false)
		require.NoError(t, err)
		h = getHost(t, s, h.UUID)
		cfg, err := s.HostConfig(ctx, h.Hostname)
		require.NoError(t, err)
		assert.Equal(t, h.ConfigTarget, cfg.UUID, "the document's uuid is the host's config_target")
		assert.Equal(t, "worker-0", cfg.Hostname)
		assert.Equal(t, inventory.PersonalityWorker, cfg.Personality)
		assert.NotEmpty(t, cfg.CPUs.Platform)
		assert.Len(t, cfg.Memory, 2)
		assert.Equal(t, "a", cfg.Labels["site"])
		var mgmt *inventory.InterfaceConfig
		for i := range cfg.Interfaces {
			if cfg.Interfaces[i].Name == "mgmt0" {
				mgmt = &cfg.Interfaces[i]
			}
		}
		require.NotNil(t, mgmt, "the document has the mgmt0 interface")
		assert.ElementsMatch(t, []string{mgmtNet, clusterHostNet}, mgmt.Networks)
		_, err = s.HostConfig(ctx, "worker-9")
		assert.ErrorIs(t, err, inventory.ErrNotFound)
	}},
}
