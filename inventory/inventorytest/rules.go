package inventorytest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
)

// ruleCases: one case per rule of the "Semantics". Each refused
// write is checked for its sentinel, its rule, and that nothing changed.
// Uniqueness and in-use rules (and the overlap and once-per-host rules,
// which are uniqueness of an address range and of a network on a host)
// are ErrConflict; the others ErrInvalidTransition.
var ruleCases = []suiteCase{
	{"Rule/UniqueHostname", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		w1 := NewLockedHost(t, s, "worker-1", inventory.PersonalityWorker)
		err := unchanged(t, s, func() error {
			_, err := s.AddHost(ctx, inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker, MgmtMAC: MAC("other")})
			return err
		})
		requireRule(t, err, inventory.ErrConflict, inventory.RuleUniqueHostname)
		err = unchanged(t, s, func() error {
			_, err := s.UpdateHost(ctx, w1.UUID, inventory.HostUpdate{Hostname: ptr("worker-0")})
			return err
		})
		requireRule(t, err, inventory.ErrConflict, inventory.RuleUniqueHostname)
	}},
	{"Rule/UniqueMAC", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		w0 := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		w1 := NewLockedHost(t, s, "worker-1", inventory.PersonalityWorker)
		for _, mac := range []string{w0.MgmtMAC, upper(w0.MgmtMAC)} {
			err := unchanged(t, s, func() error {
				_, err := s.AddHost(ctx, inventory.HostSpec{Hostname: "worker-2", Personality: inventory.PersonalityWorker, MgmtMAC: mac})
				return err
			})
			requireRule(t, err, inventory.ErrConflict, inventory.RuleUniqueMAC)
		}
		err := unchanged(t, s, func() error {
			_, err := s.UpdateHost(ctx, w1.UUID, inventory.HostUpdate{MgmtMAC: ptr(w0.MgmtMAC)})
			return err
		})
		requireRule(t, err, inventory.ErrConflict, inventory.RuleUniqueMAC)
	}},
	{"Rule/UniqueName", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		platformNetworks(t, s)
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		ethernetIface(t, s, h.UUID, PortName(0), "mgmt0", inventory.IfClassPlatform)
		_, err := s.AddDataNetwork(ctx, inventory.DataNetwork{Name: "physnet0", NetworkType: inventory.DataNetFlat, MTU: 1500})
		require.NoError(t, err)
		pool := addPool(t, s, "spare", "192.168.50.0", 24)
		writes := map[string]func() error{
			"network": func() error {
				_, err := s.AddNetwork(ctx, inventory.NetworkSpec{Name: mgmtNet, Type: inventory.NetStorage, PoolUUID: pool.UUID})
				return err
			},
			"pool": func() error {
				_, err := s.AddAddressPool(ctx, inventory.AddressPoolSpec{Name: "spare", Network: "192.168.60.0", Prefix: 24})
				return err
			},
			"pool rename": func() error {
				_, err := s.UpdateAddressPool(ctx, "spare", inventory.AddressPoolUpdate{Name: ptr(mgmtNet + "-pool")})
				return err
			},
			"data network": func() error {
				_, err := s.AddDataNetwork(ctx, inventory.DataNetwork{Name: "physnet0", NetworkType: inventory.DataNetVLAN, MTU: 1500})
				return err
			},
			"interface": func() error {
				_, err := s.AddInterface(ctx, h.UUID, inventory.InterfaceSpec{IfName: "mgmt0", IfType: inventory.IfVLAN, IfClass: inventory.IfClassPlatform, VLANID: 10, Uses: []string{"mgmt0"}})
				return err
			},
		}
		for what, write := range writes {
			t.Log(what)
			err := unchanged(t, s, write)
			requireRule(t, err, inventory.ErrConflict, inventory.RuleUniqueName)
		}
	}},
	{"Rule/HostLocked", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		platformNetworks(t, s)
		for _, dn := range []string{"physnet0", "physnet1"} {
			_, err := s.AddDataNetwork(ctx, inventory.DataNetwork{Name: dn, NetworkType: inventory.DataNetVLAN, MTU: 1500})
			require.NoError(t, err)
		}
		storage := addPool(t, s, "storage-pool", "192.168.208.0", 24)
		_, err := s.AddNetwork(ctx, inventory.NetworkSpec{Name: "storage", Type: inventory.NetStorage, PoolUUID: storage.UUID})
		require.NoError(t, err)
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		mgmt := readyHost(t, s, h.UUID)
		ifnets, err := s.ListInterfaceNetworks(ctx, h.UUID)
		require.NoError(t, err)
		require.NotEmpty(t, ifnets)
		data := ethernetIface(t, s, h.UUID, PortName(1), "data0", inventory.IfClassData, "physnet0")
		disk := diskByNode(t, s, h.UUID, "/dev/sdb")
		part, err := s.AddPartition(ctx, h.UUID, inventory.PartitionSpec{DiskUUID: disk.UUID, SizeMiB: 10240})
		require.NoError(t, err)
		vg, err := s.AddLVG(ctx, h.UUID, inventory.VGNovaLocal)
		require.NoError(t, err)
		_, err = s.AssignLabels(ctx, h.UUID, map[string]string{"kube-cpu-mgr-policy": "static"}, false)
		require.NoError(t, err, "a lock-requiring label on a locked host")
		labels, err := s.ListLabels(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, labels, 1)
		unlock(t, s, h.UUID)

		writes := []struct {
			what  string
			write func() error
		}{
			{"host-cpu-modify", func() error {
				_, err := s.ModifyCPUs(ctx, h.UUID, inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{0: 2}})
				return err
			}},
			{"host-memory-modify", func() error {
				_, err := s.ModifyMemory(ctx, h.UUID, 0, inventory.MemoryUpdate{VMHugepagesNr2M: ptr(16)})
				return err
			}},
			{"host-if-add", func() error {
				_, err := s.AddInterface(ctx, h.UUID, inventory.InterfaceSpec{IfName: "vlan10", IfType: inventory.IfVLAN, IfClass: inventory.IfClassPlatform, VLANID: 10, Uses: []string{mgmt.IfName}})
				return err
			}},
			{"host-if-modify", func() error {
				_, err := s.UpdateInterface(ctx, data.UUID, inventory.InterfaceUpdate{IMTU: ptr(9000)})
				return err
			}},
			{"host-if-modify datanetworks", func() error {
				_, err := s.UpdateInterface(ctx, data.UUID, inventory.InterfaceUpdate{DataNetworks: ptr([]string{"physnet0", "physnet1"})})
				return err
			}},
			{"host-if-delete", func() error { return s.DeleteInterface(ctx, data.UUID) }},
			{"interface-network-assign", func() error {
				_, err := s.AssignInterfaceNetwork(ctx, mgmt.UUID, "storage")
				return err
			}},
			{"interface-network-remove", func() error { return s.RemoveInterfaceNetwork(ctx, ifnets[0].UUID) }},
			{"host-disk-partition-modify", func() error { _, err := s.ModifyPartition(ctx, part.UUID, 20480); return err }},
			{"host-disk-partition-delete", func() error { return s.DeletePartition(ctx, part.UUID) }},
			{"host-disk-partition-add", func() error {
				_, err := s.AddPartition(ctx, h.UUID, inventory.PartitionSpec{DiskUUID: disk.UUID, SizeMiB: 1024})
				return err
			}},
			{"host-lvg-add", func() error {
				_, err := s.AddLVG(ctx, h.UUID, inventory.VGCinderVolumes)
				return err
			}},
			{"host-lvg-delete", func() error { return s.DeleteLVG(ctx, vg.UUID) }},
			{"host-pv-add", func() error {
				_, err := s.AddPV(ctx, h.UUID, inventory.PVSpec{LVGUUID: vg.UUID, DiskOrPartUUID: part.UUID})
				return err
			}},
			{"host-label-assign kube-cpu-mgr-policy", func() error {
				_, err := s.AssignLabels(ctx, h.UUID, map[string]string{"kube-cpu-mgr-policy": "none"}, true)
				return err
			}},
			{"host-label-remove kube-cpu-mgr-policy", func() error { return s.RemoveLabel(ctx, labels[0].UUID) }},
		}
		for _, w := range writes {
			t.Logf("%s on an unlocked host", w.what)
			err := unchanged(t, s, w.write)
			requireRule(t, err, inventory.ErrInvalidTransition, inventory.RuleHostLocked)
		}
		// A label that needs no lock is accepted on an unlocked host.
		_, err = s.AssignLabels(ctx, h.UUID, map[string]string{"site": "a"}, false)
		assert.NoError(t, err)
	}},
	{"Rule/DeleteHostLocked", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		platformNetworks(t, s)
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		readyHost(t, s, h.UUID)
		unlock(t, s, h.UUID)
		err := unchanged(t, s, func() error { return s.DeleteHost(ctx, h.UUID) })
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RuleHostLocked)
		setStatus(t, s, h.UUID, inventory.HostStatus{Administrative: ptr(inventory.AdminLocked)})
		require.NoError(t, s.DeleteHost(ctx, h.UUID), "locked again, it may be deleted")
	}},
	{"Rule/PlatformCore", func(t *testing.T, s inventory.Service) {
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		err := unchanged(t, s, func() error {
			_, err := s.ModifyCPUs(t.Context(), h.UUID, inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{0: 0}})
			return err
		})
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RulePlatformCore)
		// Isolating every core of node 0 for applications would leave none
		// for the platform: more cores than the processor has are asked
		// for in all, which is bad input.
		err = unchanged(t, s, func() error {
			_, err := s.ModifyCPUs(t.Context(), h.UUID, inventory.CPUModify{Function: inventory.CPUApplicationIsolated, Cores: map[int]int{0: 4}})
			return err
		})
		requireField(t, err, "cores")
	}},
	{"Rule/HugepagesFit", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		mem, err := s.ListMemory(ctx, h.UUID)
		require.NoError(t, err)
		require.Len(t, mem, 2)
		// The whole node's memory in 1G pages cannot fit after the
		// platform reservation; nor can it in 2M pages.
		whole1G := mem[1].NodeMemTotalMiB/1024 + 1
		whole2M := mem[1].NodeMemTotalMiB/2 + 1
		for _, u := range []inventory.MemoryUpdate{{VMHugepagesNr1G: ptr(whole1G)}, {VMHugepagesNr2M: ptr(whole2M)}, {VMHugepagesNr1G: ptr(whole1G / 2), VMHugepagesNr2M: ptr(whole2M/2 + 1024)}} {
			err := unchanged(t, s, func() error { _, err := s.ModifyMemory(ctx, h.UUID, 1, u); return err })
			requireRule(t, err, inventory.ErrInvalidTransition, inventory.RuleHugepagesFit)
		}
		// Raising the platform reservation over memory already given to
		// hugepages is refused too.
		half := (mem[1].NodeMemTotalMiB - mem[1].PlatformReservedMiB) / 1024 / 2
		_, err = s.ModifyMemory(ctx, h.UUID, 1, inventory.MemoryUpdate{VMHugepagesNr1G: ptr(half)})
		require.NoError(t, err, "half the node's memory after the reservation in 1G pages")
		err = unchanged(t, s, func() error {
			_, err := s.ModifyMemory(ctx, h.UUID, 1, inventory.MemoryUpdate{PlatformReservedMiB: ptr(mem[1].NodeMemTotalMiB - 512)})
			return err
		})
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RuleHugepagesFit)
	}},
	{"Rule/VLANMTU", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		eth := ethernetIface(t, s, h.UUID, PortName(0), "pxe0", inventory.IfClassPlatform) // MTU 1500
		err := unchanged(t, s, func() error {
			_, err := s.AddInterface(ctx, h.UUID, inventory.InterfaceSpec{IfName: "vlan100", IfType: inventory.IfVLAN, IfClass: inventory.IfClassPlatform, VLANID: 100, IMTU: 9000, Uses: []string{eth.IfName}})
			return err
		})
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RuleVLANMTU)
		vlan, err := s.AddInterface(ctx, h.UUID, inventory.InterfaceSpec{IfName: "vlan100", IfType: inventory.IfVLAN, IfClass: inventory.IfClassPlatform, VLANID: 100, IMTU: 1500, Uses: []string{eth.IfName}})
		require.NoError(t, err)
		err = unchanged(t, s, func() error {
			_, err := s.UpdateInterface(ctx, vlan.UUID, inventory.InterfaceUpdate{IMTU: ptr(1501)})
			return err
		})
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RuleVLANMTU)
		err = unchanged(t, s, func() error {
			_, err := s.UpdateInterface(ctx, eth.UUID, inventory.InterfaceUpdate{IMTU: ptr(1400)})
			return err
		})
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RuleVLANMTU)
	}},
	{"Rule/PoolRange", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		err := unchanged(t, s, func() error {
			_, err := s.AddAddressPool(ctx, inventory.AddressPoolSpec{Name: "p", Network: "192.168.204.0", Prefix: 24,
				Ranges: []inventory.AddressRange{{Start: "192.168.204.10", End: "192.168.205.10"}}})
			return err
		})
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RulePoolRange)
		p := addPool(t, s, "p", "192.168.204.0", 24)
		err = unchanged(t, s, func() error {
			_, err := s.UpdateAddressPool(ctx, p.UUID, inventory.AddressPoolUpdate{Ranges: ptr([]inventory.AddressRange{{Start: "10.0.0.1", End: "10.0.0.9"}})})
			return err
		})
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RulePoolRange)
	}},
	{"Rule/NetworkOverlap", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		platformNetworks(t, s) // mgmt on 192.168.204.0/24
		// The overlap is refused when the pool is added, or at the latest
		// when a network is put on it.
		err := unchanged(t, s, func() error {
			p, err := s.AddAddressPool(ctx, inventory.AddressPoolSpec{Name: "storage-pool", Network: "192.168.204.128", Prefix: 25})
			if err != nil {
				return err
			}
			t.Log("the overlapping pool was accepted; its network must not be")
			_, err = s.AddNetwork(ctx, inventory.NetworkSpec{Name: "storage", Type: inventory.NetStorage, PoolUUID: p.UUID})
			if err == nil {
				return nil
			}
			// Take the pool back out, so that the check of nothing
			// changed holds the network's refusal to account.
			require.NoError(t, s.DeleteAddressPool(ctx, p.UUID))
			return err
		})
		requireRule(t, err, inventory.ErrConflict, inventory.RuleNetworkOverlap)
	}},
	{"Rule/NetworkOncePerHost", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		platformNetworks(t, s)
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		a := ethernetIface(t, s, h.UUID, PortName(0), "mgmt0", inventory.IfClassPlatform)
		b := ethernetIface(t, s, h.UUID, PortName(1), "mgmt1", inventory.IfClassPlatform)
		_, err := s.AssignInterfaceNetwork(ctx, a.UUID, mgmtNet)
		require.NoError(t, err)
		err = unchanged(t, s, func() error { _, err := s.AssignInterfaceNetwork(ctx, b.UUID, mgmtNet); return err })
		requireRule(t, err, inventory.ErrConflict, inventory.RuleNetworkPerHost)
		err = unchanged(t, s, func() error { _, err := s.AssignInterfaceNetwork(ctx, a.UUID, mgmtNet); return err })
		assert.ErrorIs(t, err, inventory.ErrConflict, "the same assignment twice")
		// Another host may have it.
		w1 := NewLockedHost(t, s, "worker-1", inventory.PersonalityWorker)
		c := ethernetIface(t, s, w1.UUID, PortName(0), "mgmt0", inventory.IfClassPlatform)
		_, err = s.AssignInterfaceNetwork(ctx, c.UUID, mgmtNet)
		require.NoError(t, err)
	}},
	{"Rule/ControllerOnlyNetwork", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		platformNetworks(t, s)
		w := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		i := ethernetIface(t, s, w.UUID, PortName(1), "oam0", inventory.IfClassPlatform)
		err := unchanged(t, s, func() error { _, err := s.AssignInterfaceNetwork(ctx, i.UUID, oamNet); return err })
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RuleControllerNetwork)
		// A controller may have it.
		c := NewLockedHost(t, s, "controller-0", inventory.PersonalityController)
		ci := ethernetIface(t, s, c.UUID, PortName(1), "oam0", inventory.IfClassPlatform)
		_, err = s.AssignInterfaceNetwork(ctx, ci.UUID, oamNet)
		require.NoError(t, err)
	}},
	{"Rule/StorageOSD", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		platformNetworks(t, s)
		h := NewLockedHost(t, s, "storage-0", inventory.PersonalityStorage)
		readyHost(t, s, h.UUID)
		err := unchanged(t, s, func() error { return s.CheckUnlock(ctx, h.UUID) })
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RuleStorageOSD)
		_, err = s.AddStor(ctx, h.UUID, inventory.StorSpec{Function: "osd", DiskUUID: diskByNode(t, s, h.UUID, "/dev/sdb").UUID})
		require.NoError(t, err)
		assert.NoError(t, s.CheckUnlock(ctx, h.UUID), "a storage host with an OSD and its networks may be unlocked")
	}},
	{"Rule/PersonalityRequired", func(t *testing.T, s inventory.Service) {
		h, err := s.ReportInventory(t.Context(), ReportFor(MAC("discovered")))
		require.NoError(t, err)
		err = unchanged(t, s, func() error { return s.CheckUnlock(t.Context(), h.UUID) })
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RulePersonalityRequired)
	}},
	{"Rule/PartitionFit", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		disk := diskByNode(t, s, h.UUID, "/dev/sdb")
		err := unchanged(t, s, func() error {
			_, err := s.AddPartition(ctx, h.UUID, inventory.PartitionSpec{DiskUUID: disk.UUID, SizeMiB: disk.AvailableMiB + 1})
			return err
		})
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RulePartitionFit)
		p, err := s.AddPartition(ctx, h.UUID, inventory.PartitionSpec{DiskUUID: disk.UUID, SizeMiB: disk.AvailableMiB - 1024})
		require.NoError(t, err)
		err = unchanged(t, s, func() error { _, err := s.ModifyPartition(ctx, p.UUID, disk.AvailableMiB+1); return err })
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RulePartitionFit)
	}},
	{"Rule/InUse", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		nets := platformNetworks(t, s)
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		readyHost(t, s, h.UUID) // mgmt and cluster-host on mgmt0
		_, err := s.AddDataNetwork(ctx, inventory.DataNetwork{Name: "physnet0", NetworkType: inventory.DataNetVLAN, MTU: 1500})
		require.NoError(t, err)
		ethernetIface(t, s, h.UUID, PortName(1), "data0", inventory.IfClassData, "physnet0")
		disk := diskByNode(t, s, h.UUID, "/dev/sdb")
		part, err := s.AddPartition(ctx, h.UUID, inventory.PartitionSpec{DiskUUID: disk.UUID, SizeMiB: 10240})
		require.NoError(t, err)
		vg, err := s.AddLVG(ctx, h.UUID, inventory.VGNovaLocal)
		require.NoError(t, err)
		_, err = s.AddPV(ctx, h.UUID, inventory.PVSpec{LVGUUID: vg.UUID, DiskOrPartUUID: part.UUID})
		require.NoError(t, err)

		writes := []struct {
			what  string
			write func() error
		}{
			{"addrpool-delete of the mgmt network's pool", func() error { return s.DeleteAddressPool(ctx, nets[mgmtNet].PoolUUID) }},
			{"network-delete of an assigned network", func() error { return s.DeleteNetwork(ctx, mgmtNet) }},
			{"datanetwork-delete of a used data network", func() error { return s.DeleteDataNetwork(ctx, "physnet0") }},
			{"partition-delete of a physical volume", func() error { return s.DeletePartition(ctx, part.UUID) }},
			{"lvg-delete of a group with a physical volume", func() error { return s.DeleteLVG(ctx, vg.UUID) }},
		}
		for _, w := range writes {
			t.Log(w.what)
			err := unchanged(t, s, w.write)
			requireRule(t, err, inventory.ErrConflict, inventory.RuleInUse)
		}
		// The OAM network is on no interface: it and then its pool go.
		require.NoError(t, s.DeleteNetwork(ctx, oamNet))
		require.NoError(t, s.DeleteAddressPool(ctx, nets[oamNet].PoolUUID))
	}},
}

// configCases: config versioning (§6.6).
var configCases = []suiteCase{
	{"Config/Versioning", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		platformNetworks(t, s)
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		if h.ConfigTarget != "" {
			h, err := s.ReportConfigApplied(ctx, h.UUID, h.ConfigTarget)
			require.NoError(t, err)
			assert.Empty(t, h.ConfigStatus, "the target applied")
		}
		t0 := getHost(t, s, h.UUID).ConfigTarget

		// A change to the host's interfaces: a new target that needs a
		// lock/unlock, and the host is out of date until it applies it.
		readyHost(t, s, h.UUID)
		h = getHost(t, s, h.UUID)
		t1 := h.ConfigTarget
		require.NotEmpty(t, t1)
		assert.NotEqual(t, t0, t1, "an interface change makes a new config uuid")
		assert.True(t, rebootRequired(t, t1), "an interface change needs a lock/unlock: bit 127 of %s", t1)
		assert.Equal(t, inventory.ConfigOutOfDate, h.ConfigStatus)
		cfg, err := s.HostConfig(ctx, h.UUID)
		require.NoError(t, err)
		assert.Equal(t, t1, cfg.UUID)

		h, err = s.ReportConfigApplied(ctx, h.UUID, t1)
		require.NoError(t, err)
		assert.Equal(t, t1, h.ConfigApplied)
		assert.Equal(t, t1, h.ConfigTarget)
		assert.Empty(t, h.ConfigStatus, "applied: no longer out of date")

		// Changes to nothing the document holds leave the target alone.
		_, err = s.UpdateHost(ctx, h.UUID, inventory.HostUpdate{Location: ptr(map[string]any{"locn": "rack 3"})})
		require.NoError(t, err)
		_, err = s.UpdateSystem(ctx, inventory.SystemUpdate{Contact: ptr("noc@example.com")})
		require.NoError(t, err)
		setStatus(t, s, h.UUID, inventory.HostStatus{Uptime: ptr(int64(3600)), Availability: ptr(inventory.AvailOnline)})
		h = getHost(t, s, h.UUID)
		assert.Equal(t, t1, h.ConfigTarget, "location, contact and uptime are not in the host's document")
		assert.Empty(t, h.ConfigStatus)

		// A runtime change (the system's DNS servers): a new target
		// without the reboot bit.
		_, err = s.UpdateSystem(ctx, inventory.SystemUpdate{DNSServers: ptr([]string{"9.9.9.9"})})
		require.NoError(t, err)
		h = getHost(t, s, h.UUID)
		t2 := h.ConfigTarget
		assert.NotEqual(t, t1, t2, "the DNS servers are in every host's document")
		assert.False(t, rebootRequired(t, t2), "a DNS change is applied at runtime: %s", t2)
		assert.Equal(t, inventory.ConfigOutOfDate, h.ConfigStatus)

		// Reporting an older uuid does not clear it.
		h, err = s.ReportConfigApplied(ctx, h.UUID, t1)
		require.NoError(t, err)
		assert.Equal(t, inventory.ConfigOutOfDate, h.ConfigStatus)
		h, err = s.ReportConfigApplied(ctx, h.UUID, t2)
		require.NoError(t, err)
		assert.Empty(t, h.ConfigStatus)
		assert.Equal(t, t2, getHost(t, s, h.UUID).ConfigApplied)
	}},
	{"Config/PendingRebootIsKept", func(t *testing.T, s inventory.Service) {
		// StarlingX keeps the reboot bit on a new target while an
		// earlier reboot-needing target is not applied yet.
		ctx := t.Context()
		platformNetworks(t, s)
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		readyHost(t, s, h.UUID)
		t1 := getHost(t, s, h.UUID).ConfigTarget
		require.True(t, rebootRequired(t, t1))
		_, err := s.UpdateSystem(ctx, inventory.SystemUpdate{NTPServers: ptr([]string{"1.pool.ntp.org"})})
		require.NoError(t, err)
		t2 := getHost(t, s, h.UUID).ConfigTarget
		assert.NotEqual(t, t1, t2)
		assert.True(t, rebootRequired(t, t2), "the pending reboot of %s is inherited by %s", t1, t2)
	}},
	{"Config/EveryHostOfAChange", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		w0 := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		w1 := NewLockedHost(t, s, "worker-1", inventory.PersonalityWorker)
		w0t, w1t := getHost(t, s, w0.UUID).ConfigTarget, getHost(t, s, w1.UUID).ConfigTarget
		// A label on worker-1 changes worker-1's document only.
		_, err := s.AssignLabels(ctx, w1.UUID, map[string]string{"site": "b"}, false)
		require.NoError(t, err)
		assert.Equal(t, w0t, getHost(t, s, w0.UUID).ConfigTarget, "worker-0's document did not change")
		assert.NotEqual(t, w1t, getHost(t, s, w1.UUID).ConfigTarget, "worker-1's did")
	}},
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
