package inventorytest

import (
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
)

// hardeningCases are the edges a review of the first implementation
// found: overflowing counts, names that look like ids, addresses handed
// out twice, unlocks that skip their rules.
var hardeningCases = []suiteCase{
	{"Hardening/CoreCountBeyondTheProcessor", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		for _, n := range []int{5, math.MaxInt} {
			err := unchanged(t, s, func() error {
				_, err := s.ModifyCPUs(ctx, h.UUID, inventory.CPUModify{Function: inventory.CPUVswitch, Cores: map[int]int{0: n}})
				return err
			})
			require.Error(t, err, "%d cores", n)
			assert.ErrorIs(t, err, inventory.ErrInvalid)
		}
		// The service still takes writes: nothing was left half done.
		_, err := s.AssignLabels(ctx, h.UUID, map[string]string{"after": "yes"}, false)
		require.NoError(t, err)
	}},
	{"Hardening/HugepagesThatOverflow", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		for _, u := range []inventory.MemoryUpdate{
			{VMHugepagesNr1G: ptr(1 << 54)},
			{VMHugepagesNr2M: ptr(math.MaxInt / 2)},
			{VswitchHugepagesReqd: ptr(math.MaxInt / 1024)},
		} {
			err := unchanged(t, s, func() error { _, err := s.ModifyMemory(ctx, h.UUID, 0, u); return err })
			require.Error(t, err)
			assert.True(t, isRule(err, inventory.RuleHugepagesFit) || isField(err), "%v", err)
		}
	}},
	{"Hardening/NamesThatLookLikeKeys", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		first := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		for _, name := range []string{"1", "42", first.UUID, "worker-0.lab"} {
			err := unchanged(t, s, func() error {
				_, err := s.AddHost(ctx, inventory.HostSpec{Hostname: name, Personality: inventory.PersonalityWorker, MgmtMAC: MAC("x" + name)})
				return err
			})
			requireField(t, err, "hostname")
		}
		got, err := s.GetHost(ctx, "1")
		require.NoError(t, err)
		assert.Equal(t, first.UUID, got.UUID, "a digit key is the id")
		p := addPool(t, s, "pool-a", "10.20.0.0", 24)
		_, err = s.AddNetwork(ctx, inventory.NetworkSpec{Name: "7", Type: inventory.NetMgmt, PoolUUID: p.UUID})
		requireField(t, err, "name")
	}},
	{"Hardening/ManagementAddressGivenOnce", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		// A static management network: hosts get their addresses from
		// its pool.
		for _, n := range []struct {
			name   string
			typ    inventory.NetworkType
			subnet string
		}{{mgmtNet, inventory.NetMgmt, "192.168.204.0"}, {clusterHostNet, inventory.NetClusterHost, "192.168.206.0"}} {
			p := addPool(t, s, n.name+"-pool", n.subnet, 24)
			_, err := s.AddNetwork(ctx, inventory.NetworkSpec{Name: n.name, Type: n.typ, PoolUUID: p.UUID})
			require.NoError(t, err)
		}
		a := NewLockedHost(t, s, "worker-0", inventory.PersonalityWorker)
		i := readyHost(t, s, a.UUID)
		a = getHost(t, s, a.UUID)
		require.NotEmpty(t, a.MgmtIP)
		nets, err := s.ListInterfaceNetworks(ctx, a.UUID)
		require.NoError(t, err)
		for _, n := range nets {
			if n.InterfaceUUID == i.UUID && n.NetworkName == mgmtNet {
				require.NoError(t, s.RemoveInterfaceNetwork(ctx, n.UUID))
			}
		}
		assert.Empty(t, getHost(t, s, a.UUID).MgmtIP, "the address went with the assignment")
		b := NewLockedHost(t, s, "worker-1", inventory.PersonalityWorker)
		readyHost(t, s, b.UUID)
		// worker-0 gets mgmt again: it must not get worker-1's address.
		_, err = s.AssignInterfaceNetwork(ctx, i.UUID, mgmtNet)
		require.NoError(t, err)
		assert.NotEqual(t, getHost(t, s, a.UUID).MgmtIP, getHost(t, s, b.UUID).MgmtIP)
	}},
	{"Hardening/TooManyRanges", func(t *testing.T, s inventory.Service) {
		var ranges []inventory.AddressRange
		for i := range 65 {
			a := "10.30." + strconv.Itoa(i) + ".1"
			ranges = append(ranges, inventory.AddressRange{Start: a, End: a})
		}
		err := unchanged(t, s, func() error {
			_, err := s.AddAddressPool(t.Context(), inventory.AddressPoolSpec{Name: "many", Network: "10.30.0.0", Prefix: 16, Ranges: ranges})
			return err
		})
		requireField(t, err, "ranges")
	}},
	{"Hardening/UnlockKeepsItsRules", func(t *testing.T, s inventory.Service) {
		ctx := t.Context()
		h := NewLockedHost(t, s, "storage-0", inventory.PersonalityStorage)
		err := unchanged(t, s, func() error {
			_, err := s.SetHostStatus(ctx, h.UUID, inventory.HostStatus{Administrative: ptr(inventory.AdminUnlocked)})
			return err
		})
		requireRule(t, err, inventory.ErrInvalidTransition, inventory.RuleStorageOSD)
		assert.Equal(t, inventory.AdminLocked, getHost(t, s, h.UUID).Administrative)
	}},
}

func isRule(err error, rule string) bool {
	re, ok := errors.AsType[*inventory.RuleError](err)
	return ok && re.Rule == rule
}

func isField(err error) bool {
	_, ok := errors.AsType[*inventory.FieldError](err)
	return ok
}
