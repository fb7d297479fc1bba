package inventorysql

import (
	"context"
	"net/netip"
	"slices"

	"github.com/edgeflock/flock/inventory"
)

// Platform networks, address pools, their assignment to interfaces (and
// the addresses that come with it), routes and data networks.

const (
	qNetworks     = `SELECT id, body FROM inv_network ORDER BY id`
	qNetworkByKey = `SELECT id, body FROM inv_network WHERE uuid = ? OR name = ? OR id = ? ORDER BY CASE WHEN uuid = ? THEN 0 WHEN name = ? THEN 1 ELSE 2 END LIMIT 1`
	qPools        = `SELECT id, body FROM inv_address_pool ORDER BY id`
	qPoolByKey    = `SELECT id, body FROM inv_address_pool WHERE uuid = ? OR name = ? OR id = ? ORDER BY CASE WHEN uuid = ? THEN 0 WHEN name = ? THEN 1 ELSE 2 END LIMIT 1`
	qDataNets     = `SELECT id, body FROM inv_datanetwork ORDER BY id`
	qDataNetByKey = `SELECT id, body FROM inv_datanetwork WHERE uuid = ? OR name = ? OR id = ? ORDER BY CASE WHEN uuid = ? THEN 0 WHEN name = ? THEN 1 ELSE 2 END LIMIT 1`
)

// maxRanges bounds the ranges of one address pool (StarlingX's have a
// handful); their overlap check compares every pair.
const maxRanges = 64

func (c conn) network(ctx context.Context, key string) (inventory.Network, error) {
	n, err := one[inventory.Network](ctx, c, qNetworkByKey, key, key, idArg(key), key, key)
	if err != nil {
		return n, notFoundOr(err, "network", key)
	}
	return n, nil
}

func (c conn) pool(ctx context.Context, key string) (inventory.AddressPool, error) {
	p, err := one[inventory.AddressPool](ctx, c, qPoolByKey, key, key, idArg(key), key, key)
	if err != nil {
		return p, notFoundOr(err, "address pool", key)
	}
	return p, nil
}

func (c conn) dataNetwork(ctx context.Context, key string) (inventory.DataNetwork, error) {
	d, err := one[inventory.DataNetwork](ctx, c, qDataNetByKey, key, key, idArg(key), key, key)
	if err != nil {
		return d, notFoundOr(err, "data network", key)
	}
	return d, nil
}

// ListNetworks returns the platform networks.
func (m *Manager) ListNetworks(ctx context.Context) ([]inventory.Network, error) {
	c, err := m.read()
	if err != nil {
		return nil, err
	}
	out, err := list[inventory.Network](ctx, c, qNetworks)
	return out, wrap("list networks", err)
}

// GetNetwork returns a network by name, uuid or id.
func (m *Manager) GetNetwork(ctx context.Context, network string) (inventory.Network, error) {
	c, err := m.read()
	if err != nil {
		return inventory.Network{}, err
	}
	n, err := c.network(ctx, network)
	return n, wrap("get network", err)
}

// AddNetwork creates a network over an address pool (by uuid or name).
func (m *Manager) AddNetwork(ctx context.Context, s inventory.NetworkSpec) (inventory.Network, error) {
	const op = "add network"
	if err := checkName("name", s.Name); err != nil {
		return inventory.Network{}, wrap(op, err)
	}
	if err := checkEnum("type", string(s.Type), s.Type.Valid(), false); err != nil {
		return inventory.Network{}, wrap(op, err)
	}
	if s.PoolUUID == "" {
		return inventory.Network{}, wrap(op, inventory.Fieldf("pool_uuid", "is required"))
	}
	var out inventory.Network
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		p, err := c.pool(ctx, s.PoolUUID)
		if isNotFound(err) {
			return inventory.Fieldf("pool_uuid", "no address pool %q", s.PoolUUID)
		} else if err != nil {
			return err
		}
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM inv_network WHERE name = ?`, s.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return inventory.Conflictf(inventory.RuleUniqueName, "a network named %s already exists", s.Name)
		}
		nw := inventory.Network{UUID: newUUID(), Name: s.Name, Type: s.Type, Dynamic: s.Dynamic, PoolUUID: p.UUID, CreatedAt: now()}
		if nw.ID, err = c.insert(ctx, `INSERT INTO inv_network (uuid, name, pool_id, body) VALUES (?, ?, ?, ?)`, nw.UUID, nw.Name, p.ID, body(nw)); err != nil {
			return err
		}
		out = nw
		return c.reconfigure(ctx, fx, nil)
	})
	return out, err
}

// DeleteNetwork deletes a network no interface is on.
func (m *Manager) DeleteNetwork(ctx context.Context, network string) error {
	return m.write(ctx, "delete network", func(c conn, fx *effects) error {
		nw, err := c.network(ctx, network)
		if err != nil {
			return err
		}
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM inv_interface_network WHERE network_id = ?`, nw.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return inventory.Conflictf(inventory.RuleInUse, "network %s is assigned to %d interfaces", nw.Name, n)
		}
		if _, err := c.exec(ctx, `DELETE FROM inv_network WHERE id = ?`, nw.ID); err != nil {
			return err
		}
		return c.reconfigure(ctx, fx, nil)
	})
}

// ListAddressPools returns the address pools.
func (m *Manager) ListAddressPools(ctx context.Context) ([]inventory.AddressPool, error) {
	c, err := m.read()
	if err != nil {
		return nil, err
	}
	out, err := list[inventory.AddressPool](ctx, c, qPools)
	return out, wrap("list address pools", err)
}

// GetAddressPool returns a pool by name, uuid or id.
func (m *Manager) GetAddressPool(ctx context.Context, pool string) (inventory.AddressPool, error) {
	c, err := m.read()
	if err != nil {
		return inventory.AddressPool{}, err
	}
	p, err := c.pool(ctx, pool)
	return p, wrap("get address pool", err)
}

// lastAddr returns the last address of prefix p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// checkPool checks a pool and fills its defaults: its subnet, its
// ranges (the whole subnet but the network and broadcast addresses by
// default) inside it without overlap, and its addresses inside it.
func checkPool(p *inventory.AddressPool) (netip.Prefix, error) {
	if err := checkName("name", p.Name); err != nil {
		return netip.Prefix{}, err
	}
	a, err := netip.ParseAddr(p.Network)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, inventory.Fieldf("network", "%q is not an IP address", p.Network)
	}
	a = a.Unmap()
	if err := checkRange("prefix", p.Prefix, 1, a.BitLen()); err != nil {
		return netip.Prefix{}, err
	}
	subnet := netip.PrefixFrom(a, p.Prefix)
	if subnet.Masked().Addr() != a {
		return netip.Prefix{}, inventory.Fieldf("network", "%s is not the first address of a /%d subnet (%s)", a, p.Prefix, subnet.Masked())
	}
	p.Network = a.String()
	p.Family = 4
	if a.Is6() {
		p.Family = 6
	}
	if p.Order == "" {
		p.Order = "random"
	}
	if err := checkOneOf("order", p.Order, false, "random", "sequential"); err != nil {
		return subnet, err
	}
	if len(p.Ranges) > maxRanges {
		return subnet, inventory.Fieldf("ranges", "%d ranges, more than the %d a pool may have", len(p.Ranges), maxRanges)
	}
	if len(p.Ranges) == 0 {
		first, last := a.Next(), lastAddr(subnet)
		if a.Is4() && p.Prefix < 31 {
			last = last.Prev()
		}
		if p.Prefix >= a.BitLen()-1 {
			first = a
		}
		p.Ranges = []inventory.AddressRange{{Start: first.String(), End: last.String()}}
	}
	type rng struct{ s, e netip.Addr }
	var rs []rng
	for k, r := range p.Ranges {
		s, err1 := netip.ParseAddr(r.Start)
		e, err2 := netip.ParseAddr(r.End)
		if err1 != nil || err2 != nil {
			return subnet, inventory.Fieldf("ranges", "range %d (%s-%s) is not a pair of IP addresses", k+1, r.Start, r.End)
		}
		s, e = s.Unmap(), e.Unmap()
		if e.Less(s) {
			return subnet, inventory.Fieldf("ranges", "range %d ends (%s) before it starts (%s)", k+1, e, s)
		}
		if !subnet.Contains(s) || !subnet.Contains(e) {
			return subnet, inventory.Rulef(inventory.RulePoolRange, "range %s-%s is not inside subnet %s", s, e, subnet)
		}
		for _, o := range rs {
			if !(e.Less(o.s) || o.e.Less(s)) {
				return subnet, inventory.Rulef(inventory.RulePoolRange, "range %s-%s overlaps range %s-%s", s, e, o.s, o.e)
			}
		}
		rs = append(rs, rng{s, e})
		p.Ranges[k] = inventory.AddressRange{Start: s.String(), End: e.String()}
	}
	for field, v := range map[string]*string{
		"floating_address": &p.FloatingAddress, "controller0_address": &p.Controller0Address,
		"controller1_address": &p.Controller1Address, "gateway_address": &p.GatewayAddress,
	} {
		if *v == "" {
			continue
		}
		x, err := netip.ParseAddr(*v)
		if err != nil || !subnet.Contains(x.Unmap()) {
			return subnet, inventory.Fieldf(field, "%q is not an address of subnet %s", *v, subnet)
		}
		*v = x.Unmap().String()
	}
	return subnet, nil
}

// checkOverlap refuses a subnet that overlaps another pool's.
func (c conn) checkOverlap(ctx context.Context, p inventory.AddressPool, subnet netip.Prefix) error {
	pools, err := list[inventory.AddressPool](ctx, c, qPools)
	if err != nil {
		return err
	}
	for _, o := range pools {
		if o.ID == p.ID {
			continue
		}
		if o.Name == p.Name {
			return inventory.Conflictf(inventory.RuleUniqueName, "an address pool named %s already exists", p.Name)
		}
		oa, err := netip.ParseAddr(o.Network)
		if err != nil {
			continue
		}
		if os := netip.PrefixFrom(oa, o.Prefix); os.Overlaps(subnet) {
			return inventory.Conflictf(inventory.RuleNetworkOverlap, "subnet %s overlaps subnet %s of address pool %s", subnet, os, o.Name)
		}
	}
	return nil
}

// AddAddressPool creates a pool.
func (m *Manager) AddAddressPool(ctx context.Context, s inventory.AddressPoolSpec) (inventory.AddressPool, error) {
	const op = "add address pool"
	p := inventory.AddressPool{UUID: newUUID(), Name: s.Name, Network: s.Network, Prefix: s.Prefix, Order: s.Order,
		Ranges: append([]inventory.AddressRange(nil), s.Ranges...), FloatingAddress: s.FloatingAddress,
		Controller0Address: s.Controller0Address, Controller1Address: s.Controller1Address,
		GatewayAddress: s.GatewayAddress, CreatedAt: now()}
	subnet, err := checkPool(&p)
	if err != nil {
		return inventory.AddressPool{}, wrap(op, err)
	}
	err = m.write(ctx, op, func(c conn, fx *effects) error {
		if err := c.checkOverlap(ctx, p, subnet); err != nil {
			return err
		}
		var err error
		p.ID, err = c.insert(ctx, `INSERT INTO inv_address_pool (uuid, name, body) VALUES (?, ?, ?)`, p.UUID, p.Name, body(p))
		return err
	})
	if err != nil {
		return inventory.AddressPool{}, err
	}
	return p, nil
}

// UpdateAddressPool changes a pool; every host's document is rendered
// again.
func (m *Manager) UpdateAddressPool(ctx context.Context, pool string, u inventory.AddressPoolUpdate) (inventory.AddressPool, error) {
	const op = "update address pool"
	var out inventory.AddressPool
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		p, err := c.pool(ctx, pool)
		if err != nil {
			return err
		}
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&p.Name, u.Name)
		set(&p.Order, u.Order)
		set(&p.FloatingAddress, u.FloatingAddress)
		set(&p.Controller0Address, u.Controller0Address)
		set(&p.Controller1Address, u.Controller1Address)
		set(&p.GatewayAddress, u.GatewayAddress)
		if u.Ranges != nil {
			p.Ranges = append([]inventory.AddressRange(nil), (*u.Ranges)...)
		}
		subnet, err := checkPool(&p)
		if err != nil {
			return err
		}
		if err := c.checkOverlap(ctx, p, subnet); err != nil {
			return err
		}
		if _, err := c.exec(ctx, `UPDATE inv_address_pool SET name = ?, body = ? WHERE id = ?`, p.Name, body(p), p.ID); err != nil {
			return err
		}
		out = p
		return c.reconfigure(ctx, fx, nil)
	})
	return out, err
}

// DeleteAddressPool deletes a pool no network uses.
func (m *Manager) DeleteAddressPool(ctx context.Context, pool string) error {
	return m.write(ctx, "delete address pool", func(c conn, fx *effects) error {
		p, err := c.pool(ctx, pool)
		if err != nil {
			return err
		}
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM inv_network WHERE pool_id = ?`, p.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return inventory.Conflictf(inventory.RuleInUse, "address pool %s is used by %d networks", p.Name, n)
		}
		_, err = c.exec(ctx, `DELETE FROM inv_address_pool WHERE id = ?`, p.ID)
		return err
	})
}

// interfaceNetworks returns the network assignments of a host (every
// host for 0).
func (c conn) interfaceNetworks(ctx context.Context, hostID int64) ([]inventory.InterfaceNetwork, error) {
	w, args := byHost("n", hostID)
	rows, err := c.query(ctx, `SELECT n.id, n.uuid, i.uuid, i.ifname, t.uuid, t.name, t.body, h.uuid FROM inv_interface_network n
		JOIN inv_interface i ON i.id = n.interface_id JOIN inv_network t ON t.id = n.network_id JOIN inv_host h ON h.id = n.host_id`+w+` ORDER BY n.host_id, n.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []inventory.InterfaceNetwork{}
	for rows.Next() {
		var in inventory.InterfaceNetwork
		var nb string
		if err := rows.Scan(&in.ID, &in.UUID, &in.InterfaceUUID, &in.IfName, &in.NetworkUUID, &in.NetworkName, &nb, &in.HostUUID); err != nil {
			return nil, err
		}
		var nw inventory.Network
		if err := jsonUnmarshal(nb, &nw); err != nil {
			return nil, err
		}
		in.NetworkType = nw.Type
		out = append(out, in)
	}
	return out, rows.Err()
}

// ListInterfaceNetworks returns the network assignments of a host's
// interfaces.
func (m *Manager) ListInterfaceNetworks(ctx context.Context, host string) ([]inventory.InterfaceNetwork, error) {
	return hostList(ctx, m, "list interface networks", host, conn.interfaceNetworks)
}

// AssignInterfaceNetwork puts an interface of a locked host on a
// network: a network is on at most one interface of a host, and only
// controllers are on controller-only networks. An interface of class
// none becomes platform. A static network gives the host an address of
// its pool.
func (m *Manager) AssignInterfaceNetwork(ctx context.Context, interfaceUUID, network string) (inventory.InterfaceNetwork, error) {
	const op = "assign interface network"
	if network == "" {
		return inventory.InterfaceNetwork{}, wrap(op, inventory.Fieldf("network_uuid", "is required"))
	}
	var out inventory.InterfaceNetwork
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		i, h, err := c.iface(ctx, interfaceUUID)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the interfaces"); err != nil {
			return err
		}
		nw, err := c.network(ctx, network)
		if err != nil {
			return err
		}
		if nw.Type.ControllerOnly() && h.Personality != inventory.PersonalityController {
			return inventory.Rulef(inventory.RuleControllerNetwork, "network %s (%s) can only be assigned to a controller's interface, not to %s host %s",
				nw.Name, nw.Type, orNone(string(h.Personality)), hostLabel(h))
		}
		switch i.IfClass {
		case inventory.IfClassPlatform:
		case inventory.IfClassNone, "":
			i.IfClass = inventory.IfClassPlatform
			if _, err := c.exec(ctx, `UPDATE inv_interface SET body = ? WHERE id = ?`, body(stored(i)), i.ID); err != nil {
				return err
			}
		default:
			return inventory.Fieldf("ifclass", "interface %s is of class %s: platform networks need a platform interface", i.IfName, i.IfClass)
		}
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM inv_interface_network WHERE host_id = ? AND network_id = ?`, h.ID, nw.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return inventory.Conflictf(inventory.RuleNetworkPerHost, "network %s is already assigned to an interface of host %s", nw.Name, hostLabel(h))
		}
		in := inventory.InterfaceNetwork{UUID: newUUID(), InterfaceUUID: i.UUID, IfName: i.IfName, NetworkUUID: nw.UUID,
			NetworkName: nw.Name, NetworkType: nw.Type, HostUUID: h.UUID}
		if in.ID, err = c.insert(ctx, `INSERT INTO inv_interface_network (uuid, interface_id, network_id, host_id) VALUES (?, ?, ?, ?)`,
			in.UUID, i.ID, nw.ID, h.ID); err != nil {
			return err
		}
		if !nw.Dynamic {
			if err := c.allocateAddress(ctx, &h, i, nw); err != nil {
				return err
			}
		}
		out = in
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
	return out, err
}

func orNone(s string) string {
	if s == "" {
		return "unconfigured"
	}
	return s
}

// allocateAddress gives host h's interface i an address of network nw's
// pool: the pool's controller address for controller-0 and -1, the
// first free address of its ranges otherwise.
func (c conn) allocateAddress(ctx context.Context, h *hostBody, i inventory.Interface, nw inventory.Network) error {
	p, err := c.pool(ctx, nw.PoolUUID)
	if err != nil {
		return err
	}
	used := map[string]bool{p.FloatingAddress: true, p.Controller0Address: true, p.Controller1Address: true, p.GatewayAddress: true}
	rows, err := c.query(ctx, `SELECT address FROM inv_address WHERE pool_id = ?`, p.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return err
		}
		used[a] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if nw.Type == inventory.NetMgmt {
		// Management addresses given with host-add or bulk add are
		// taken too.
		hosts, err := list[hostBody](ctx, c, qHosts)
		if err != nil {
			return err
		}
		for _, o := range hosts {
			if o.MgmtIP != "" && o.ID != h.ID {
				used[o.MgmtIP] = true
			}
		}
	}
	addr := ""
	switch {
	case h.Hostname == "controller-0" && p.Controller0Address != "":
		addr = p.Controller0Address
	case h.Hostname == "controller-1" && p.Controller1Address != "":
		addr = p.Controller1Address
	default:
	search:
		for _, r := range p.Ranges {
			s, _ := netip.ParseAddr(r.Start)
			e, _ := netip.ParseAddr(r.End)
			for a, n := s, 0; a.IsValid() && !e.Less(a) && n < 1<<16; a, n = a.Next(), n+1 {
				if !used[a.String()] {
					addr = a.String()
					break search
				}
			}
		}
	}
	if addr == "" {
		return inventory.Conflictf(inventory.RuleInUse, "address pool %s has no free address", p.Name)
	}
	if used[addr] && addr != p.Controller0Address && addr != p.Controller1Address {
		return inventory.Conflictf(inventory.RuleInUse, "address %s of pool %s is in use", addr, p.Name)
	}
	a := inventory.Address{UUID: newUUID(), HostUUID: h.UUID, InterfaceUUID: i.UUID, Family: p.Family, Address: addr,
		Prefix: p.Prefix, Name: hostLabel(*h) + "-" + string(nw.Type), PoolUUID: p.UUID, CreatedAt: now()}
	if _, err := c.insert(ctx, `INSERT INTO inv_address (uuid, host_id, interface_id, pool_id, address, body) VALUES (?, ?, ?, ?, ?, ?)`,
		a.UUID, h.ID, i.ID, p.ID, addr, body(a)); err != nil {
		return err
	}
	if nw.Type == inventory.NetMgmt && h.MgmtIP == "" {
		h.MgmtIP = addr
		return c.putHost(ctx, h)
	}
	return nil
}

// RemoveInterfaceNetwork undoes an assignment, with the address it gave.
func (m *Manager) RemoveInterfaceNetwork(ctx context.Context, uuid string) error {
	return m.write(ctx, "remove interface network", func(c conn, fx *effects) error {
		var id, ifID, netID, hostID int64
		if err := c.queryRow(ctx, `SELECT id, interface_id, network_id, host_id FROM inv_interface_network WHERE uuid = ?`, uuid).
			Scan(&id, &ifID, &netID, &hostID); err != nil {
			return notFoundOr(err, "interface network", uuid)
		}
		h, err := c.hostByID(ctx, hostID)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the interfaces"); err != nil {
			return err
		}
		var removed []string
		rows, err := c.query(ctx, `SELECT address FROM inv_address WHERE interface_id = ? AND pool_id = (SELECT pool_id FROM inv_network WHERE id = ?)`, ifID, netID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				rows.Close()
				return err
			}
			removed = append(removed, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if _, err := c.exec(ctx, `DELETE FROM inv_address WHERE interface_id = ? AND pool_id = (SELECT pool_id FROM inv_network WHERE id = ?)`, ifID, netID); err != nil {
			return err
		}
		if _, err := c.exec(ctx, `DELETE FROM inv_interface_network WHERE id = ?`, id); err != nil {
			return err
		}
		// The host's management address goes with the address it was.
		if slices.Contains(removed, h.MgmtIP) {
			h.MgmtIP = ""
			if err := c.putHost(ctx, &h); err != nil {
				return err
			}
		}
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
}

func (c conn) addresses(ctx context.Context, hostID int64) ([]inventory.Address, error) {
	w, args := byHost("a", hostID)
	return listExtra(ctx, c, 2, func(a *inventory.Address, x []string) { a.InterfaceUUID, a.IfName = x[0], x[1] },
		`SELECT a.id, a.body, i.uuid, i.ifname FROM inv_address a LEFT JOIN inv_interface i ON i.id = a.interface_id`+w+` ORDER BY a.host_id, a.id`, args...)
}

func (c conn) routes(ctx context.Context, hostID int64) ([]inventory.Route, error) {
	w, args := byHost("r", hostID)
	return listExtra(ctx, c, 2, func(r *inventory.Route, x []string) { r.InterfaceUUID, r.IfName = x[0], x[1] },
		`SELECT r.id, r.body, i.uuid, i.ifname FROM inv_route r LEFT JOIN inv_interface i ON i.id = r.interface_id`+w+` ORDER BY r.host_id, r.id`, args...)
}

// ListAddresses returns a host's static addresses.
func (m *Manager) ListAddresses(ctx context.Context, host string) ([]inventory.Address, error) {
	return hostList(ctx, m, "list addresses", host, conn.addresses)
}

// ListRoutes returns a host's static routes.
func (m *Manager) ListRoutes(ctx context.Context, host string) ([]inventory.Route, error) {
	return hostList(ctx, m, "list routes", host, conn.routes)
}

// ListDataNetworks returns the data networks.
func (m *Manager) ListDataNetworks(ctx context.Context) ([]inventory.DataNetwork, error) {
	c, err := m.read()
	if err != nil {
		return nil, err
	}
	out, err := list[inventory.DataNetwork](ctx, c, qDataNets)
	return out, wrap("list data networks", err)
}

// checkDataNetwork checks a data network and fills its defaults.
func checkDataNetwork(d *inventory.DataNetwork) error {
	if err := checkName("name", d.Name); err != nil {
		return err
	}
	if err := checkEnum("network_type", string(d.NetworkType), d.NetworkType.Valid(), false); err != nil {
		return err
	}
	if d.MTU == 0 {
		d.MTU = 1500
	}
	if err := checkRange("mtu", d.MTU, 576, 9216); err != nil {
		return err
	}
	if err := checkText("description", d.Description, 255); err != nil {
		return err
	}
	if d.NetworkType != inventory.DataNetVXLAN {
		if d.MulticastGroup != "" || d.PortNum != 0 || d.TTL != 0 || d.Mode != "" {
			return inventory.Fieldf("network_type", "multicast_group, port_num, ttl and mode are for vxlan data networks only")
		}
		return nil
	}
	if d.Mode == "" {
		d.Mode = "dynamic"
	}
	if err := checkOneOf("mode", d.Mode, false, "dynamic", "static"); err != nil {
		return err
	}
	if d.PortNum == 0 {
		d.PortNum = 4789
	}
	if err := checkRange("port_num", d.PortNum, 1, 65535); err != nil {
		return err
	}
	if d.TTL == 0 {
		d.TTL = 1
	}
	if err := checkRange("ttl", d.TTL, 1, 255); err != nil {
		return err
	}
	if d.Mode == "dynamic" || d.MulticastGroup != "" {
		a, err := netip.ParseAddr(d.MulticastGroup)
		if err != nil || !a.IsMulticast() {
			return inventory.Fieldf("multicast_group", "%q is not a multicast address", d.MulticastGroup)
		}
		d.MulticastGroup = a.String()
	}
	return nil
}

// AddDataNetwork creates a data network.
func (m *Manager) AddDataNetwork(ctx context.Context, d inventory.DataNetwork) (inventory.DataNetwork, error) {
	const op = "add data network"
	if err := checkDataNetwork(&d); err != nil {
		return inventory.DataNetwork{}, wrap(op, err)
	}
	d.ID, d.UUID, d.CreatedAt = 0, newUUID(), now()
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM inv_datanetwork WHERE name = ?`, d.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return inventory.Conflictf(inventory.RuleUniqueName, "a data network named %s already exists", d.Name)
		}
		var err error
		d.ID, err = c.insert(ctx, `INSERT INTO inv_datanetwork (uuid, name, body) VALUES (?, ?, ?)`, d.UUID, d.Name, body(d))
		return err
	})
	if err != nil {
		return inventory.DataNetwork{}, err
	}
	return d, nil
}

// DeleteDataNetwork deletes a data network (by name or uuid) no
// interface is attached to.
func (m *Manager) DeleteDataNetwork(ctx context.Context, dataNetwork string) error {
	return m.write(ctx, "delete data network", func(c conn, fx *effects) error {
		d, err := c.dataNetwork(ctx, dataNetwork)
		if err != nil {
			return err
		}
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM inv_interface_datanetwork WHERE datanetwork_id = ?`, d.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return inventory.Conflictf(inventory.RuleInUse, "data network %s is attached to %d interfaces", d.Name, n)
		}
		_, err = c.exec(ctx, `DELETE FROM inv_datanetwork WHERE id = ?`, d.ID)
		return err
	})
}
