package inventorytest

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
)

// Names of the networks and pools the suite creates.
const (
	mgmtNet        = "mgmt"
	clusterHostNet = "cluster-host"
	oamNet         = "oam"
)

// requireRule checks that err is a *inventory.RuleError for rule, and
// that errors.Is(err, kind) holds.
func requireRule(t *testing.T, err error, kind error, rule string) {
	t.Helper()
	require.Error(t, err, "want rule %s", rule)
	require.ErrorIs(t, err, kind, "rule %s: %v", rule, err)
	var re *inventory.RuleError
	require.ErrorAs(t, err, &re, "want a *inventory.RuleError for %s, got %T: %v", rule, err, err)
	assert.Equal(t, rule, re.Rule, "rule of %v", err)
	assert.NotEmpty(t, re.Reason)
}

// requireField checks that err is a *inventory.FieldError naming field.
func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.Error(t, err, "want an invalid %s", field)
	require.ErrorIs(t, err, inventory.ErrInvalid, "field %s: %v", field, err)
	var fe *inventory.FieldError
	require.ErrorAs(t, err, &fe, "want a *inventory.FieldError for %s, got %T: %v", field, err, err)
	assert.Equal(t, field, fe.Field, "field of %v", err)
}

// snapshot returns the whole inventory.
func snapshot(t *testing.T, s inventory.Service) inventory.Snapshot {
	t.Helper()
	snap, err := s.Snapshot(t.Context())
	require.NoError(t, err)
	return snap
}

// unchanged runs a write that must be refused and checks that the
// inventory is the same after it as before, then returns its error.
func unchanged(t *testing.T, s inventory.Service, write func() error) error {
	t.Helper()
	before := snapshot(t, s)
	err := write()
	after := snapshot(t, s)
	assert.Equal(t, before, after, "a refused write changed the inventory (error: %v)", err)
	return err
}

func getHost(t *testing.T, s inventory.Service, host string) inventory.Host {
	t.Helper()
	h, err := s.GetHost(t.Context(), host)
	require.NoError(t, err)
	return h
}

func idOf(h inventory.Host) string { return strconv.FormatInt(h.ID, 10) }

// setStatus writes host maintenance's fields.
func setStatus(t *testing.T, s inventory.Service, host string, st inventory.HostStatus) inventory.Host {
	t.Helper()
	h, err := s.SetHostStatus(t.Context(), host, st)
	require.NoError(t, err)
	return h
}

func ptr[T any](v T) *T { return &v }

// unlock unlocks a host as host maintenance would, after CheckUnlock.
func unlock(t *testing.T, s inventory.Service, host string) inventory.Host {
	t.Helper()
	require.NoError(t, s.CheckUnlock(t.Context(), host), "CheckUnlock before unlocking %s", host)
	return setStatus(t, s, host, inventory.HostStatus{Administrative: ptr(inventory.AdminUnlocked)})
}

// addPool adds an IPv4 pool over subnet/prefix.
func addPool(t *testing.T, s inventory.Service, name, subnet string, prefix int) inventory.AddressPool {
	t.Helper()
	p, err := s.AddAddressPool(t.Context(), inventory.AddressPoolSpec{Name: name, Network: subnet, Prefix: prefix})
	require.NoError(t, err)
	return p
}

// platformNetworks adds the mgmt (192.168.204.0/24), cluster-host
// (192.168.206.0/24) and OAM (10.10.10.0/24) networks.
func platformNetworks(t *testing.T, s inventory.Service) map[string]inventory.Network {
	t.Helper()
	out := map[string]inventory.Network{}
	for _, n := range []struct {
		name   string
		typ    inventory.NetworkType
		subnet string
		dyn    bool
	}{
		{mgmtNet, inventory.NetMgmt, "192.168.204.0", true},
		{clusterHostNet, inventory.NetClusterHost, "192.168.206.0", true},
		{oamNet, inventory.NetOAM, "10.10.10.0", false},
	} {
		p := addPool(t, s, n.name+"-pool", n.subnet, 24)
		net, err := s.AddNetwork(t.Context(), inventory.NetworkSpec{Name: n.name, Type: n.typ, Dynamic: n.dyn, PoolUUID: p.UUID})
		require.NoError(t, err)
		out[n.name] = net
	}
	return out
}

// ethernetIface returns the Ethernet interface ifname of class class on
// the host's port port (with the data networks dataNetworks, for a data
// interface), creating it — or, where the service made one for the port
// when the agent reported it (as StarlingX does), renaming and reclassing
// that one.
func ethernetIface(t *testing.T, s inventory.Service, host, port, ifname string, class inventory.IfClass, dataNetworks ...string) inventory.Interface {
	t.Helper()
	ctx := t.Context()
	ifs, err := s.ListInterfaces(ctx, host)
	require.NoError(t, err)
	for _, i := range ifs {
		if i.IfType == inventory.IfEthernet && (i.IfName == port || contains(i.Uses, port)) {
			u := inventory.InterfaceUpdate{IfName: ptr(ifname), IfClass: ptr(class), IMTU: ptr(1500)}
			if len(dataNetworks) > 0 {
				u.DataNetworks = &dataNetworks
			}
			got, err := s.UpdateInterface(ctx, i.UUID, u)
			require.NoError(t, err)
			return got
		}
	}
	i, err := s.AddInterface(ctx, host, inventory.InterfaceSpec{IfName: ifname, IfType: inventory.IfEthernet, IfClass: class, Port: port, IMTU: 1500, DataNetworks: dataNetworks})
	require.NoError(t, err)
	return i
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// readyHost gives a locked host what StarlingX needs to unlock it: a
// platform interface on eno1 carrying the mgmt and cluster-host
// networks (made by platformNetworks, which the caller runs once).
func readyHost(t *testing.T, s inventory.Service, host string) inventory.Interface {
	t.Helper()
	ctx := t.Context()
	i := ethernetIface(t, s, host, PortName(0), "mgmt0", inventory.IfClassPlatform)
	for _, n := range []string{mgmtNet, clusterHostNet} {
		_, err := s.AssignInterfaceNetwork(ctx, i.UUID, n)
		require.NoError(t, err)
	}
	i, err := s.GetInterface(ctx, i.UUID)
	require.NoError(t, err)
	return i
}

// rebootRequired reports whether a config UUID has StarlingX's
// CONFIG_REBOOT_REQUIRED bit (1 << 127: the top bit of the first byte).
func rebootRequired(t *testing.T, uuid string) bool {
	t.Helper()
	require.Len(t, uuid, 36, "config uuid %q", uuid)
	b, err := strconv.ParseUint(uuid[:2], 16, 8)
	require.NoError(t, err, "config uuid %q", uuid)
	return b&0x80 != 0
}

// jsonOf is v as JSON, for checks that a secret is in no field.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// diskByNode returns the host's disk whose device node is node.
func diskByNode(t *testing.T, s inventory.Service, host, node string) inventory.Disk {
	t.Helper()
	ds, err := s.ListDisks(t.Context(), host)
	require.NoError(t, err)
	for _, d := range ds {
		if d.DeviceNode == node {
			return d
		}
	}
	require.Failf(t, "no disk", "host %s has no disk %s", host, node)
	return inventory.Disk{}
}

// cpuFunctions counts a host's logical CPUs by NUMA node and function.
func cpuFunctions(cpus []inventory.CPU) map[int]map[inventory.CPUFunction]int {
	out := map[int]map[inventory.CPUFunction]int{}
	for _, c := range cpus {
		if out[c.NumaNode] == nil {
			out[c.NumaNode] = map[inventory.CPUFunction]int{}
		}
		out[c.NumaNode][c.AllocatedFunction]++
	}
	return out
}
