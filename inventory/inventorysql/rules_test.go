package inventorysql_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
)

// ruleCase is a change a rule refuses: do returns its error, which must
// be a *inventory.RuleError of rule wrapping kind.
type ruleCase struct {
	name string
	// prepare, if set, makes the state the rule applies to (and must
	// succeed).
	prepare func(t *testing.T, f *fixture)
	do      func(f *fixture) error
	rule    string
	kind    error
}

var ruleCases = []ruleCase{
	{name: "duplicate hostname", rule: inventory.RuleUniqueHostname, kind: inventory.ErrConflict,
		do: func(f *fixture) error {
			_, err := f.m.AddHost(f.ctx, inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker})
			return err
		}},
	{name: "duplicate hostname by update", rule: inventory.RuleUniqueHostname, kind: inventory.ErrConflict,
		do: func(f *fixture) error {
			_, err := f.m.UpdateHost(f.ctx, "worker-0", inventory.HostUpdate{Hostname: ptr("storage-0")})
			return err
		}},
	{name: "duplicate hostname in a bulk add", rule: inventory.RuleUniqueHostname, kind: inventory.ErrConflict,
		do: func(f *fixture) error {
			_, err := f.m.AddHosts(f.ctx, []inventory.HostSpec{
				{Hostname: "worker-9", Personality: inventory.PersonalityWorker},
				{Hostname: "worker-9", Personality: inventory.PersonalityWorker}})
			return err
		}},
	{name: "duplicate MAC", rule: inventory.RuleUniqueMAC, kind: inventory.ErrConflict,
		do: func(f *fixture) error {
			_, err := f.m.AddHost(f.ctx, inventory.HostSpec{Hostname: "worker-1", Personality: inventory.PersonalityWorker, MgmtMAC: strings.ToUpper(f.workerMAC)})
			return err
		}},
	{name: "worker on the OAM network", rule: inventory.RuleControllerNetwork, kind: inventory.ErrInvalidTransition,
		do: func(f *fixture) error {
			_, err := f.m.AssignInterfaceNetwork(f.ctx, f.workerIfs["enp0s3"].UUID, "oam")
			return err
		}},
	{name: "a network twice on a host", rule: inventory.RuleNetworkPerHost, kind: inventory.ErrConflict,
		prepare: func(t *testing.T, f *fixture) {
			_, err := f.m.AssignInterfaceNetwork(f.ctx, f.workerIfs["enp0s3"].UUID, "mgmt")
			require.NoError(t, err)
		},
		do: func(f *fixture) error {
			_, err := f.m.AssignInterfaceNetwork(f.ctx, f.workerIfs["enp0s4"].UUID, f.mgmt.UUID)
			return err
		}},
	{name: "storage host without an OSD", rule: inventory.RuleStorageOSD, kind: inventory.ErrInvalidTransition,
		do: func(f *fixture) error { return f.m.CheckUnlock(f.ctx, "storage-0") }},
	{name: "discovered host without personality", rule: inventory.RulePersonalityRequired, kind: inventory.ErrInvalidTransition,
		prepare: func(t *testing.T, f *fixture) {
			_, err := f.m.ReportInventory(f.ctx, hardware(macOf(99), 1, 2, 1, 1))
			require.NoError(t, err)
		},
		do: func(f *fixture) error {
			h, err := f.m.ListHosts(f.ctx)
			if err != nil {
				return err
			}
			return f.m.CheckUnlock(f.ctx, h[len(h)-1].UUID)
		}},
	{name: "CPU change on an unlocked host", rule: inventory.RuleHostLocked, kind: inventory.ErrInvalidTransition,
		prepare: func(t *testing.T, f *fixture) { f.unlock(t, "worker-0") },
		do: func(f *fixture) error {
			_, err := f.m.ModifyCPUs(f.ctx, "worker-0", inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{0: 2}})
			return err
		}},
	{name: "no platform core on node 0", rule: inventory.RulePlatformCore, kind: inventory.ErrInvalidTransition,
		do: func(f *fixture) error {
			_, err := f.m.ModifyCPUs(f.ctx, "worker-0", inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{0: 0}})
			return err
		}},
	{name: "memory change on an unlocked host", rule: inventory.RuleHostLocked, kind: inventory.ErrInvalidTransition,
		prepare: func(t *testing.T, f *fixture) { f.unlock(t, "worker-0") },
		do: func(f *fixture) error {
			_, err := f.m.ModifyMemory(f.ctx, "worker-0", 0, inventory.MemoryUpdate{VMHugepagesNr2M: ptr(10)})
			return err
		}},
	{name: "hugepages beyond the node's memory", rule: inventory.RuleHugepagesFit, kind: inventory.ErrInvalidTransition,
		do: func(f *fixture) error {
			// 32768 MiB - 2048 reserved = 30720 MiB: 30 1G pages and 512
			// 2M pages need 31744 MiB.
			_, err := f.m.ModifyMemory(f.ctx, "worker-0", 1, inventory.MemoryUpdate{VMHugepagesNr1G: ptr(30), VMHugepagesNr2M: ptr(512)})
			return err
		}},
	{name: "hugepages and vswitch beyond the node's memory", rule: inventory.RuleHugepagesFit, kind: inventory.ErrInvalidTransition,
		do: func(f *fixture) error {
			_, err := f.m.ModifyMemory(f.ctx, "worker-0", 0, inventory.MemoryUpdate{VMHugepagesNr1G: ptr(28), VswitchHugepagesReqd: ptr(3)})
			return err
		}},
	{name: "VLAN MTU above its lower interface's", rule: inventory.RuleVLANMTU, kind: inventory.ErrInvalidTransition,
		do: func(f *fixture) error {
			_, err := f.m.AddInterface(f.ctx, "worker-0", inventory.InterfaceSpec{IfName: "vlan10", IfType: inventory.IfVLAN,
				IfClass: inventory.IfClassPlatform, VLANID: 10, IMTU: 9000, Uses: []string{"enp0s3"}})
			return err
		}},
	{name: "lower interface MTU below its VLAN's", rule: inventory.RuleVLANMTU, kind: inventory.ErrInvalidTransition,
		prepare: func(t *testing.T, f *fixture) {
			_, err := f.m.AddInterface(f.ctx, "worker-0", inventory.InterfaceSpec{IfName: "vlan10", IfType: inventory.IfVLAN,
				IfClass: inventory.IfClassPlatform, VLANID: 10, IMTU: 1500, Uses: []string{"enp0s3"}})
			require.NoError(t, err)
		},
		do: func(f *fixture) error {
			_, err := f.m.UpdateInterface(f.ctx, f.workerIfs["enp0s3"].UUID, inventory.InterfaceUpdate{IMTU: ptr(1400)})
			return err
		}},
	{name: "interface change on an unlocked host", rule: inventory.RuleHostLocked, kind: inventory.ErrInvalidTransition,
		prepare: func(t *testing.T, f *fixture) { f.unlock(t, "worker-0") },
		do: func(f *fixture) error {
			_, err := f.m.UpdateInterface(f.ctx, f.workerIfs["enp0s3"].UUID, inventory.InterfaceUpdate{IMTU: ptr(9000)})
			return err
		}},
	{name: "pool range outside its subnet", rule: inventory.RulePoolRange, kind: inventory.ErrInvalidTransition,
		do: func(f *fixture) error {
			_, err := f.m.AddAddressPool(f.ctx, inventory.AddressPoolSpec{Name: "storage", Network: "10.20.0.0", Prefix: 24,
				Ranges: []inventory.AddressRange{{Start: "10.20.0.10", End: "10.20.1.10"}}})
			return err
		}},
	{name: "pool ranges overlapping", rule: inventory.RulePoolRange, kind: inventory.ErrInvalidTransition,
		do: func(f *fixture) error {
			_, err := f.m.AddAddressPool(f.ctx, inventory.AddressPoolSpec{Name: "storage", Network: "10.20.0.0", Prefix: 24,
				Ranges: []inventory.AddressRange{{Start: "10.20.0.10", End: "10.20.0.20"}, {Start: "10.20.0.20", End: "10.20.0.30"}}})
			return err
		}},
	{name: "pool range modified outside its subnet", rule: inventory.RulePoolRange, kind: inventory.ErrInvalidTransition,
		do: func(f *fixture) error {
			_, err := f.m.UpdateAddressPool(f.ctx, "management", inventory.AddressPoolUpdate{
				Ranges: &[]inventory.AddressRange{{Start: "192.168.205.1", End: "192.168.205.9"}}})
			return err
		}},
	{name: "pools overlapping", rule: inventory.RuleNetworkOverlap, kind: inventory.ErrConflict,
		do: func(f *fixture) error {
			_, err := f.m.AddAddressPool(f.ctx, inventory.AddressPoolSpec{Name: "cluster", Network: "192.168.0.0", Prefix: 16})
			return err
		}},
	{name: "duplicate pool name", rule: inventory.RuleUniqueName, kind: inventory.ErrConflict,
		do: func(f *fixture) error {
			_, err := f.m.AddAddressPool(f.ctx, inventory.AddressPoolSpec{Name: "oam", Network: "172.16.0.0", Prefix: 24})
			return err
		}},
	{name: "duplicate network name", rule: inventory.RuleUniqueName, kind: inventory.ErrConflict,
		do: func(f *fixture) error {
			_, err := f.m.AddNetwork(f.ctx, inventory.NetworkSpec{Name: "mgmt", Type: inventory.NetStorage, PoolUUID: f.oamPool.UUID})
			return err
		}},
	{name: "delete an unlocked host", rule: inventory.RuleHostLocked, kind: inventory.ErrInvalidTransition,
		prepare: func(t *testing.T, f *fixture) { f.unlock(t, "worker-0") },
		do:      func(f *fixture) error { return f.m.DeleteHost(f.ctx, "worker-0") }},
	{name: "delete a network in use", rule: inventory.RuleInUse, kind: inventory.ErrConflict,
		prepare: func(t *testing.T, f *fixture) {
			_, err := f.m.AssignInterfaceNetwork(f.ctx, f.workerIfs["enp0s3"].UUID, "mgmt")
			require.NoError(t, err)
		},
		do: func(f *fixture) error { return f.m.DeleteNetwork(f.ctx, "mgmt") }},
	{name: "delete a pool in use", rule: inventory.RuleInUse, kind: inventory.ErrConflict,
		do: func(f *fixture) error { return f.m.DeleteAddressPool(f.ctx, f.mgmtPool.UUID) }},
	{name: "delete a data network in use", rule: inventory.RuleInUse, kind: inventory.ErrConflict,
		prepare: func(t *testing.T, f *fixture) {
			_, err := f.m.UpdateInterface(f.ctx, f.workerIfs["enp0s5"].UUID, inventory.InterfaceUpdate{
				IfClass: ptr(inventory.IfClassData), DataNetworks: &[]string{"physnet0"}})
			require.NoError(t, err)
		},
		do: func(f *fixture) error { return f.m.DeleteDataNetwork(f.ctx, "physnet0") }},
	{name: "delete an interface in use", rule: inventory.RuleInUse, kind: inventory.ErrConflict,
		prepare: func(t *testing.T, f *fixture) {
			_, err := f.m.AddInterface(f.ctx, "worker-0", inventory.InterfaceSpec{IfName: "bond0", IfType: inventory.IfAE,
				IfClass: inventory.IfClassPlatform, AEMode: "802.3ad", Uses: []string{"enp0s3", "enp0s4"}})
			require.NoError(t, err)
		},
		do: func(f *fixture) error { return f.m.DeleteInterface(f.ctx, f.workerIfs["enp0s4"].UUID) }},
	{name: "partition larger than the free space", rule: inventory.RulePartitionFit, kind: inventory.ErrInvalidTransition,
		prepare: func(t *testing.T, f *fixture) {
			_, err := f.m.AddPartition(f.ctx, "worker-0", inventory.PartitionSpec{DiskUUID: f.workerDisks[1].UUID, SizeMiB: 60000})
			require.NoError(t, err)
		},
		do: func(f *fixture) error {
			_, err := f.m.AddPartition(f.ctx, "worker-0", inventory.PartitionSpec{DiskUUID: f.workerDisks[1].UUID, SizeMiB: 50000})
			return err
		}},
	{name: "partition on an unlocked host", rule: inventory.RuleHostLocked, kind: inventory.ErrInvalidTransition,
		prepare: func(t *testing.T, f *fixture) { f.unlock(t, "worker-0") },
		do: func(f *fixture) error {
			_, err := f.m.AddPartition(f.ctx, "worker-0", inventory.PartitionSpec{DiskUUID: f.workerDisks[1].UUID, SizeMiB: 10})
			return err
		}},
	{name: "delete a partition that is a physical volume", rule: inventory.RuleInUse, kind: inventory.ErrConflict,
		do: func(f *fixture) error {
			p, err := f.m.AddPartition(f.ctx, "worker-0", inventory.PartitionSpec{DiskUUID: f.workerDisks[1].UUID, SizeMiB: 1000})
			if err != nil {
				return err
			}
			g, err := f.m.AddLVG(f.ctx, "worker-0", inventory.VGNovaLocal)
			if err != nil {
				return err
			}
			if _, err := f.m.AddPV(f.ctx, "worker-0", inventory.PVSpec{LVGUUID: g.UUID, DiskOrPartUUID: p.UUID}); err != nil {
				return err
			}
			return f.m.DeletePartition(f.ctx, p.UUID)
		}},
	{name: "delete a volume group with a physical volume", rule: inventory.RuleInUse, kind: inventory.ErrConflict,
		do: func(f *fixture) error {
			g, err := f.m.AddLVG(f.ctx, "worker-0", inventory.VGNovaLocal)
			if err != nil {
				return err
			}
			if _, err := f.m.AddPV(f.ctx, "worker-0", inventory.PVSpec{LVGUUID: g.UUID, DiskOrPartUUID: f.workerDisks[2].UUID}); err != nil {
				return err
			}
			return f.m.DeleteLVG(f.ctx, g.UUID)
		}},
	{name: "partition on a disk that is a physical volume", rule: inventory.RuleInUse, kind: inventory.ErrConflict,
		do: func(f *fixture) error {
			g, err := f.m.AddLVG(f.ctx, "worker-0", inventory.VGCinderVolumes)
			if err != nil {
				return err
			}
			if _, err := f.m.AddPV(f.ctx, "worker-0", inventory.PVSpec{LVGUUID: g.UUID, DiskOrPartUUID: f.workerDisks[2].UUID}); err != nil {
				return err
			}
			_, err = f.m.AddPartition(f.ctx, "worker-0", inventory.PartitionSpec{DiskUUID: f.workerDisks[2].UUID, SizeMiB: 10})
			return err
		}},
	{name: "volume group on an unlocked host", rule: inventory.RuleHostLocked, kind: inventory.ErrInvalidTransition,
		prepare: func(t *testing.T, f *fixture) { f.unlock(t, "worker-0") },
		do: func(f *fixture) error {
			_, err := f.m.AddLVG(f.ctx, "worker-0", inventory.VGNovaLocal)
			return err
		}},
	{name: "cpu-manager policy label on an unlocked host", rule: inventory.RuleHostLocked, kind: inventory.ErrInvalidTransition,
		prepare: func(t *testing.T, f *fixture) { f.unlock(t, "worker-0") },
		do: func(f *fixture) error {
			_, err := f.m.AssignLabels(f.ctx, "worker-0", map[string]string{"kube-cpu-mgr-policy": "static"}, false)
			return err
		}},
	{name: "label assigned twice without overwrite", rule: inventory.RuleUniqueName, kind: inventory.ErrConflict,
		prepare: func(t *testing.T, f *fixture) {
			_, err := f.m.AssignLabels(f.ctx, "worker-0", map[string]string{"sriov": "enabled"}, false)
			require.NoError(t, err)
		},
		do: func(f *fixture) error {
			_, err := f.m.AssignLabels(f.ctx, "worker-0", map[string]string{"sriov": "disabled"}, false)
			return err
		}},
	{name: "duplicate interface name", rule: inventory.RuleUniqueName, kind: inventory.ErrConflict,
		do: func(f *fixture) error {
			_, err := f.m.AddInterface(f.ctx, "worker-0", inventory.InterfaceSpec{IfName: "enp0s3", IfType: inventory.IfVirtual})
			return err
		}},
	{name: "OSD on a disk with partitions", rule: inventory.RuleInUse, kind: inventory.ErrConflict,
		do: func(f *fixture) error {
			disks, err := f.m.ListDisks(f.ctx, "storage-0")
			if err != nil {
				return err
			}
			if _, err := f.m.AddPartition(f.ctx, "storage-0", inventory.PartitionSpec{DiskUUID: disks[1].UUID, SizeMiB: 10}); err != nil {
				return err
			}
			_, err = f.m.AddStor(f.ctx, "storage-0", inventory.StorSpec{DiskUUID: disks[1].UUID})
			return err
		}},
}

// runRuleCases checks every rule on Managers from open; nothing the
// refused call began stays written.
func runRuleCases(t *testing.T, open opener) {
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, open)
			if tc.prepare != nil {
				tc.prepare(t, f)
			}
			before, err := f.m.Snapshot(f.ctx)
			require.NoError(t, err)
			err = tc.do(f)
			require.Error(t, err)
			var re *inventory.RuleError
			require.ErrorAs(t, err, &re, "%v", err)
			assert.Equal(t, tc.rule, re.Rule, "%v", err)
			assert.ErrorIs(t, err, tc.kind)
			for _, leak := range []string{"UNIQUE", "constraint", "inv_", "SQL", "sql"} {
				assert.NotContains(t, re.Reason, leak)
			}
			after, err := f.m.Snapshot(f.ctx)
			require.NoError(t, err)
			if tc.name != "delete a partition that is a physical volume" && tc.name != "delete a volume group with a physical volume" &&
				tc.name != "partition on a disk that is a physical volume" && tc.name != "OSD on a disk with partitions" {
				assert.Equal(t, before, after, "a refused change leaves the inventory as it was")
			}
		})
	}
}

func TestRulesSQLite(t *testing.T) { runRuleCases(t, openMemory) }

// TestRulesAllow: the changes next to each rule go through.
func TestRulesAllow(t *testing.T) {
	f := newFixture(t, openMemory)
	ctx := f.ctx
	_, err := f.m.AssignInterfaceNetwork(ctx, f.ctrlIfs["enp0s3"].UUID, "oam")
	require.NoError(t, err, "a controller may be on the OAM network")
	disks, err := f.m.ListDisks(ctx, "storage-0")
	require.NoError(t, err)
	_, err = f.m.AddStor(ctx, "storage-0", inventory.StorSpec{DiskUUID: disks[1].UUID})
	require.NoError(t, err)
	require.NoError(t, f.m.CheckUnlock(ctx, "storage-0"), "a storage host with an OSD may be unlocked")
	require.NoError(t, f.m.CheckUnlock(ctx, "worker-0"))
	_, err = f.m.ModifyMemory(ctx, "worker-0", 1, inventory.MemoryUpdate{VMHugepagesNr1G: ptr(29), VMHugepagesNr2M: ptr(512)})
	require.NoError(t, err, "30720 MiB of pages fit 32768 - 2048")
	_, err = f.m.AddInterface(ctx, "worker-0", inventory.InterfaceSpec{IfName: "vlan10", IfType: inventory.IfVLAN,
		IfClass: inventory.IfClassPlatform, VLANID: 10, IMTU: 1500, Uses: []string{"enp0s3"}})
	require.NoError(t, err, "a VLAN as large as its lower interface")
	require.NoError(t, f.m.DeleteHost(ctx, "worker-0"), "a locked host may be deleted")
	_, err = f.m.GetHost(ctx, "worker-0")
	require.ErrorIs(t, err, inventory.ErrNotFound)
	mine, err := f.m.ListCPUs(ctx, f.worker.UUID)
	require.ErrorIs(t, err, inventory.ErrNotFound)
	require.Empty(t, mine)
	require.NoError(t, f.m.DeleteDataNetwork(ctx, "physnet0"))
}

// TestNotFound: every lookup of a record that does not exist is
// ErrNotFound naming it.
func TestNotFound(t *testing.T) {
	f := newFixture(t, openMemory)
	ctx := f.ctx
	const nope = "0b0e7e1e-0000-4000-8000-000000000000"
	cases := map[string]error{}
	_, cases["get host"] = f.m.GetHost(ctx, "worker-7")
	_, cases["list cpus"] = f.m.ListCPUs(ctx, "9999")
	_, cases["get interface"] = f.m.GetInterface(ctx, nope)
	_, cases["get network"] = f.m.GetNetwork(ctx, "nope")
	_, cases["get pool"] = f.m.GetAddressPool(ctx, nope)
	cases["delete partition"] = f.m.DeletePartition(ctx, nope)
	cases["delete lvg"] = f.m.DeleteLVG(ctx, nope)
	cases["remove label"] = f.m.RemoveLabel(ctx, nope)
	cases["delete backend"] = f.m.DeleteStorageBackend(ctx, nope)
	cases["delete parameter"] = f.m.DeleteServiceParameter(ctx, nope)
	_, cases["update parameter"] = f.m.UpdateServiceParameter(ctx, nope, "x")
	cases["remove interface network"] = f.m.RemoveInterfaceNetwork(ctx, nope)
	_, cases["memory of a missing node"] = f.m.ModifyMemory(ctx, "worker-0", 7, inventory.MemoryUpdate{PlatformReservedMiB: ptr(1)})
	_, cases["host config of a missing host"] = f.m.HostConfig(ctx, "nope")
	for name, err := range cases {
		assert.ErrorIs(t, err, inventory.ErrNotFound, name)
		if err != nil {
			assert.False(t, errors.Is(err, inventory.ErrInvalid), name)
		}
	}
}
