package inventorysql

import (
	"context"
	"slices"

	"github.com/edgeflock/flock/inventory"
)

// Ethernet ports and interfaces. An interface's Uses, UsedBy, Networks
// and DataNetworks are rows of relation tables, joined in on reads; an
// ethernet interface's Uses is its port.

func (c conn) ports(ctx context.Context, hostID int64) ([]inventory.Port, error) {
	w, args := byHost("p", hostID)
	return listExtra(ctx, c, 1, func(p *inventory.Port, x []string) { p.InterfaceUUID = x[0] },
		`SELECT p.id, p.body, i.uuid FROM inv_port p LEFT JOIN inv_interface i ON i.port_id = p.id`+w+` ORDER BY p.host_id, p.name`, args...)
}

// ListPorts returns a host's Ethernet ports.
func (m *Manager) ListPorts(ctx context.Context, host string) ([]inventory.Port, error) {
	return hostList(ctx, m, "list ports", host, conn.ports)
}

// interfaces returns the interfaces of a host (every host for 0), with
// their relations.
func (c conn) interfaces(ctx context.Context, hostID int64) ([]inventory.Interface, error) {
	w, args := byHost("i", hostID)
	ifs, err := listExtra(ctx, c, 1, func(i *inventory.Interface, x []string) {
		i.Uses = []string{}
		if x[0] != "" {
			i.Uses = append(i.Uses, x[0])
		}
	}, `SELECT i.id, i.body, p.name FROM inv_interface i LEFT JOIN inv_port p ON p.id = i.port_id`+w+` ORDER BY i.host_id, i.id`, args...)
	if err != nil || len(ifs) == 0 {
		return ifs, err
	}
	wu, _ := byHost("u", hostID)
	uses, err := scanPairs(ctx, c, `SELECT u.interface_id, l.ifname FROM inv_interface_uses u JOIN inv_interface l ON l.id = u.lower_id`+wu+` ORDER BY l.ifname`, args...)
	if err != nil {
		return nil, err
	}
	usedBy, err := scanPairs(ctx, c, `SELECT u.lower_id, i.ifname FROM inv_interface_uses u JOIN inv_interface i ON i.id = u.interface_id`+wu+` ORDER BY i.ifname`, args...)
	if err != nil {
		return nil, err
	}
	wn, _ := byHost("n", hostID)
	nets, err := scanPairs(ctx, c, `SELECT n.interface_id, t.name FROM inv_interface_network n JOIN inv_network t ON t.id = n.network_id`+wn+` ORDER BY t.name`, args...)
	if err != nil {
		return nil, err
	}
	wd, _ := byHost("d", hostID)
	dns, err := scanPairs(ctx, c, `SELECT d.interface_id, t.name FROM inv_interface_datanetwork d JOIN inv_datanetwork t ON t.id = d.datanetwork_id`+wd+` ORDER BY t.name`, args...)
	if err != nil {
		return nil, err
	}
	for k := range ifs {
		i := &ifs[k]
		i.Uses = append(i.Uses, uses[i.ID]...)
		i.UsedBy = orEmpty(usedBy[i.ID])
		i.Networks = orEmpty(nets[i.ID])
		i.DataNetworks = orEmpty(dns[i.ID])
	}
	return ifs, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ListInterfaces returns a host's interfaces.
func (m *Manager) ListInterfaces(ctx context.Context, host string) ([]inventory.Interface, error) {
	return hostList(ctx, m, "list interfaces", host, conn.interfaces)
}

// iface returns an interface by uuid, with its relations, and its host.
func (c conn) iface(ctx context.Context, uuid string) (inventory.Interface, hostBody, error) {
	var hostID int64
	if err := c.queryRow(ctx, `SELECT host_id FROM inv_interface WHERE uuid = ?`, uuid).Scan(&hostID); err != nil {
		return inventory.Interface{}, hostBody{}, notFoundOr(err, "interface", uuid)
	}
	h, err := c.hostByID(ctx, hostID)
	if err != nil {
		return inventory.Interface{}, h, err
	}
	ifs, err := c.interfaces(ctx, hostID)
	if err != nil {
		return inventory.Interface{}, h, err
	}
	for _, i := range ifs {
		if i.UUID == uuid {
			return i, h, nil
		}
	}
	return inventory.Interface{}, h, notFound("interface", uuid)
}

// GetInterface returns an interface by uuid.
func (m *Manager) GetInterface(ctx context.Context, uuid string) (inventory.Interface, error) {
	c, err := m.read()
	if err != nil {
		return inventory.Interface{}, err
	}
	i, _, err := c.iface(ctx, uuid)
	if err != nil {
		return i, wrap("get interface", err)
	}
	return i, nil
}

// AE modes and transmit hash policies sysinv takes.
var (
	aeModes      = []string{"active_standby", "balanced", "802.3ad"}
	txHashPolicy = []string{"layer2", "layer2+3", "layer3+4"}
)

// ifState is everything an interface check needs: the interface as it
// will be and the host's other interfaces, by name.
type ifState struct {
	h      hostBody
	byName map[string]inventory.Interface
}

// checkInterface checks an interface as it will be stored (i, with Uses
// holding lower interface names only), against the host's others. It
// returns the ids of the lower interfaces and data networks.
func (c conn) checkInterface(ctx context.Context, st *ifState, i *inventory.Interface, dataNets []string) (lower, dn []int64, err error) {
	if err := checkName("ifname", i.IfName); err != nil {
		return nil, nil, err
	}
	if len(i.IfName) > 15 {
		return nil, nil, inventory.Fieldf("ifname", "%q is longer than 15 characters", i.IfName)
	}
	if err := checkEnum("iftype", string(i.IfType), i.IfType.Valid(), false); err != nil {
		return nil, nil, err
	}
	if i.IfClass == "" {
		i.IfClass = inventory.IfClassNone
	}
	if err := checkEnum("ifclass", string(i.IfClass), i.IfClass.Valid(), false); err != nil {
		return nil, nil, err
	}
	if i.IMTU == 0 {
		i.IMTU = 1500
	}
	if err := checkRange("imtu", i.IMTU, 576, 9216); err != nil {
		return nil, nil, err
	}
	if err := checkRange("sriov_numvfs", i.SRIOVNumVFs, 0, 1024); err != nil {
		return nil, nil, err
	}
	if err := checkOneOf("sriov_vf_driver", i.SRIOVVFDriver, true, "netdevice", "vfio"); err != nil {
		return nil, nil, err
	}
	uses := i.Uses
	for _, u := range uses {
		l, ok := st.byName[u]
		if !ok || u == i.IfName {
			return nil, nil, inventory.Fieldf("uses", "host %s has no interface %q to use", hostLabel(st.h), u)
		}
		lower = append(lower, l.ID)
	}
	switch i.IfType {
	case inventory.IfEthernet:
		if len(uses) > 0 {
			return nil, nil, inventory.Fieldf("uses", "an ethernet interface uses a port, not interfaces")
		}
	case inventory.IfVLAN:
		if err := checkRange("vlan_id", i.VLANID, 1, 4094); err != nil {
			return nil, nil, err
		}
		if len(uses) != 1 {
			return nil, nil, inventory.Fieldf("uses", "a VLAN interface uses exactly one interface")
		}
		l := st.byName[uses[0]]
		if l.IfType == inventory.IfVLAN {
			return nil, nil, inventory.Fieldf("uses", "a VLAN interface cannot be built on VLAN %s", l.IfName)
		}
		if i.IMTU > l.IMTU {
			return nil, nil, inventory.Rulef(inventory.RuleVLANMTU, "the MTU of VLAN %s (%d) must not exceed the MTU of %s (%d)", i.IfName, i.IMTU, l.IfName, l.IMTU)
		}
		for _, o := range st.byName {
			if o.IfType == inventory.IfVLAN && o.ID != i.ID && o.VLANID == i.VLANID && slices.Contains(o.Uses, l.IfName) {
				return nil, nil, inventory.Conflictf(inventory.RuleUniqueName, "interface %s already has VLAN %d", l.IfName, i.VLANID)
			}
		}
	case inventory.IfAE:
		if len(uses) == 0 {
			return nil, nil, inventory.Fieldf("uses", "a bond uses at least one interface")
		}
		if i.AEMode == "" {
			i.AEMode = "active_standby"
		}
		if err := checkOneOf("aemode", i.AEMode, false, aeModes...); err != nil {
			return nil, nil, err
		}
		if i.AEMode != "active_standby" && i.TxHashPolicy == "" {
			i.TxHashPolicy = "layer2"
		}
		if err := checkOneOf("txhashpolicy", i.TxHashPolicy, true, txHashPolicy...); err != nil {
			return nil, nil, err
		}
		for _, u := range uses {
			if st.byName[u].IfType != inventory.IfEthernet {
				return nil, nil, inventory.Fieldf("uses", "a bond is built on ethernet interfaces, not on %s", u)
			}
		}
	case inventory.IfVF:
		if len(uses) != 1 || st.byName[uses[0]].IfClass != inventory.IfClassPCISRIOV {
			return nil, nil, inventory.Fieldf("uses", "a VF interface uses exactly one pci-sriov interface")
		}
		if i.SRIOVNumVFs < 1 {
			return nil, nil, inventory.Fieldf("sriov_numvfs", "a VF interface needs at least one VF")
		}
	case inventory.IfVirtual:
		if len(uses) > 0 {
			return nil, nil, inventory.Fieldf("uses", "a virtual interface uses no other interface")
		}
	}
	if i.IfType != inventory.IfVLAN {
		i.VLANID = 0
	}
	if i.IfType != inventory.IfAE {
		i.AEMode, i.TxHashPolicy = "", ""
	}
	if i.IfClass == inventory.IfClassPCISRIOV && i.IfType != inventory.IfVF && i.SRIOVNumVFs < 1 {
		return nil, nil, inventory.Fieldf("sriov_numvfs", "a pci-sriov interface needs at least one VF")
	}
	if len(dataNets) > 0 {
		switch i.IfClass {
		case inventory.IfClassData, inventory.IfClassPCISRIOV, inventory.IfClassPCIPassthrough:
		default:
			return nil, nil, inventory.Fieldf("datanetworks", "only data, pci-sriov and pci-passthrough interfaces attach to data networks")
		}
	}
	for _, name := range dataNets {
		var id int64
		if err := c.queryRow(ctx, `SELECT id FROM inv_datanetwork WHERE name = ? OR uuid = ?`, name, name).Scan(&id); err != nil {
			if isNotFound(mapErr(err)) {
				return nil, nil, inventory.Fieldf("datanetworks", "no data network %q", name)
			}
			return nil, nil, err
		}
		dn = append(dn, id)
	}
	return lower, dn, nil
}

// ifContext reads a host's interfaces by name.
func (c conn) ifContext(ctx context.Context, h hostBody) (*ifState, error) {
	ifs, err := c.interfaces(ctx, h.ID)
	if err != nil {
		return nil, err
	}
	st := &ifState{h: h, byName: map[string]inventory.Interface{}}
	for _, i := range ifs {
		st.byName[i.IfName] = i
	}
	return st, nil
}

// storeRelations replaces an interface's uses and data networks.
func (c conn) storeRelations(ctx context.Context, hostID, id int64, lower, dn []int64) error {
	if _, err := c.exec(ctx, `DELETE FROM inv_interface_uses WHERE interface_id = ?`, id); err != nil {
		return err
	}
	for _, l := range lower {
		if _, err := c.exec(ctx, `INSERT INTO inv_interface_uses (interface_id, lower_id, host_id) VALUES (?, ?, ?)`, id, l, hostID); err != nil {
			return err
		}
	}
	if _, err := c.exec(ctx, `DELETE FROM inv_interface_datanetwork WHERE interface_id = ?`, id); err != nil {
		return err
	}
	for _, d := range dn {
		if _, err := c.exec(ctx, `INSERT INTO inv_interface_datanetwork (interface_id, datanetwork_id, host_id) VALUES (?, ?, ?)`, id, d, hostID); err != nil {
			return err
		}
	}
	return nil
}

// stored is an interface's body: its relations are rows of their own.
func stored(i inventory.Interface) inventory.Interface {
	i.Uses, i.UsedBy, i.Networks, i.DataNetworks = nil, nil, nil, nil
	return i
}

// AddInterface creates an interface on a locked host.
func (m *Manager) AddInterface(ctx context.Context, host string, s inventory.InterfaceSpec) (inventory.Interface, error) {
	const op = "add interface"
	var out inventory.Interface
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		h, err := c.host(ctx, host)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the interfaces"); err != nil {
			return err
		}
		st, err := c.ifContext(ctx, h)
		if err != nil {
			return err
		}
		if _, dup := st.byName[s.IfName]; dup {
			return inventory.Conflictf(inventory.RuleUniqueName, "host %s already has an interface %s", hostLabel(h), s.IfName)
		}
		i := inventory.Interface{UUID: newUUID(), HostUUID: h.UUID, IfName: s.IfName, IfType: s.IfType, IfClass: s.IfClass,
			IMTU: s.IMTU, VLANID: s.VLANID, AEMode: s.AEMode, TxHashPolicy: s.TxHashPolicy, SRIOVNumVFs: s.SRIOVNumVFs,
			SRIOVVFDriver: s.SRIOVVFDriver, Uses: s.Uses, CreatedAt: now()}
		lower, dn, err := c.checkInterface(ctx, st, &i, s.DataNetworks)
		if err != nil {
			return err
		}
		var portID int64
		if i.IfType == inventory.IfEthernet {
			if s.Port == "" {
				return inventory.Fieldf("port", "an ethernet interface needs a port")
			}
			var used int
			if err := c.queryRow(ctx, `SELECT p.id, COUNT(i.id) FROM inv_port p LEFT JOIN inv_interface i ON i.port_id = p.id WHERE p.host_id = ? AND (p.name = ? OR p.uuid = ?) GROUP BY p.id`,
				h.ID, s.Port, s.Port).Scan(&portID, &used); err != nil {
				if isNotFound(mapErr(err)) {
					return inventory.Fieldf("port", "host %s has no port %q", hostLabel(h), s.Port)
				}
				return err
			}
			if used > 0 {
				return inventory.Conflictf(inventory.RuleInUse, "port %s already has an interface", s.Port)
			}
			var p inventory.Port
			if p, err = one[inventory.Port](ctx, c, `SELECT id, body FROM inv_port WHERE id = ?`, portID); err != nil {
				return err
			}
			i.IMAC = p.MAC
		} else if s.Port != "" {
			return inventory.Fieldf("port", "only an ethernet interface has a port")
		}
		if i.IMAC == "" && len(lower) > 0 {
			i.IMAC = st.byName[i.Uses[0]].IMAC
		}
		if i.ID, err = c.insert(ctx, `INSERT INTO inv_interface (uuid, host_id, ifname, port_id, body) VALUES (?, ?, ?, ?, ?)`,
			i.UUID, h.ID, i.IfName, nullID(portID), body(stored(i))); err != nil {
			return err
		}
		if err := c.storeRelations(ctx, h.ID, i.ID, lower, dn); err != nil {
			return err
		}
		if err := c.reconfigure(ctx, fx, []int64{h.ID}); err != nil {
			return err
		}
		out, _, err = c.iface(ctx, i.UUID)
		return err
	})
	return out, err
}

// UpdateInterface changes an interface of a locked host.
func (m *Manager) UpdateInterface(ctx context.Context, uuid string, u inventory.InterfaceUpdate) (inventory.Interface, error) {
	const op = "update interface"
	var out inventory.Interface
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		i, h, err := c.iface(ctx, uuid)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the interfaces"); err != nil {
			return err
		}
		st, err := c.ifContext(ctx, h)
		if err != nil {
			return err
		}
		oldName := i.IfName
		if u.IfName != nil && *u.IfName != i.IfName {
			if _, dup := st.byName[*u.IfName]; dup {
				return inventory.Conflictf(inventory.RuleUniqueName, "host %s already has an interface %s", hostLabel(h), *u.IfName)
			}
			i.IfName = *u.IfName
		}
		if u.IfClass != nil {
			i.IfClass = *u.IfClass
		}
		if u.IMTU != nil {
			i.IMTU = *u.IMTU
			if i.IMTU == 0 {
				return inventory.Fieldf("imtu", "must be given")
			}
		}
		if u.AEMode != nil {
			i.AEMode = *u.AEMode
		}
		if u.TxHashPolicy != nil {
			i.TxHashPolicy = *u.TxHashPolicy
		}
		if u.SRIOVNumVFs != nil {
			i.SRIOVNumVFs = *u.SRIOVNumVFs
		}
		if u.SRIOVVFDriver != nil {
			i.SRIOVVFDriver = *u.SRIOVVFDriver
		}
		if i.IfType == inventory.IfEthernet {
			i.Uses = nil // its port, which does not change here
		}
		if u.Uses != nil {
			i.Uses = *u.Uses
		}
		dataNets := i.DataNetworks
		if u.DataNetworks != nil {
			dataNets = *u.DataNetworks
		}
		if i.IfClass != inventory.IfClassPlatform && i.IfClass != inventory.IfClassNone && len(i.Networks) > 0 {
			return inventory.Fieldf("ifclass", "interface %s is on platform networks: remove them first", oldName)
		}
		delete(st.byName, oldName)
		lower, dn, err := c.checkInterface(ctx, st, &i, dataNets)
		if err != nil {
			return err
		}
		// The interfaces built on this one keep their MTU within it.
		for _, up := range i.UsedBy {
			if o := st.byName[up]; o.IfType == inventory.IfVLAN && o.IMTU > i.IMTU {
				return inventory.Rulef(inventory.RuleVLANMTU, "VLAN %s has MTU %d, more than the %d asked for %s", o.IfName, o.IMTU, i.IMTU, i.IfName)
			}
		}
		if _, err := c.exec(ctx, `UPDATE inv_interface SET ifname = ?, body = ? WHERE id = ?`, i.IfName, body(stored(i)), i.ID); err != nil {
			return err
		}
		if err := c.storeRelations(ctx, h.ID, i.ID, lower, dn); err != nil {
			return err
		}
		if err := c.reconfigure(ctx, fx, []int64{h.ID}); err != nil {
			return err
		}
		out, _, err = c.iface(ctx, i.UUID)
		return err
	})
	return out, err
}

// DeleteInterface deletes an interface of a locked host that no other
// interface uses; its network assignments and addresses go with it.
func (m *Manager) DeleteInterface(ctx context.Context, uuid string) error {
	return m.write(ctx, "delete interface", func(c conn, fx *effects) error {
		i, h, err := c.iface(ctx, uuid)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the interfaces"); err != nil {
			return err
		}
		if len(i.UsedBy) > 0 {
			return inventory.Conflictf(inventory.RuleInUse, "interface %s is used by %v", i.IfName, i.UsedBy)
		}
		if _, err := c.exec(ctx, `DELETE FROM inv_interface WHERE id = ?`, i.ID); err != nil {
			return err
		}
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
}
