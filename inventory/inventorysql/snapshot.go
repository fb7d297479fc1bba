package inventorysql

import (
	"context"
	"database/sql"

	"github.com/edgeflock/flock/inventory"
)

// snapshot reads the inventory of one host (every host for 0) with the
// system-wide records, as one Snapshot, and the hosts as stored.
func (c conn) snapshot(ctx context.Context, hostID int64) (inventory.Snapshot, []hostBody, error) {
	var s inventory.Snapshot
	var hosts []hostBody
	var err error
	if s.System, err = one[inventory.System](ctx, c, qSystem); err != nil {
		return s, nil, err
	}
	if hostID == 0 {
		hosts, err = list[hostBody](ctx, c, qHosts)
	} else {
		hosts, err = list[hostBody](ctx, c, qHostByID, hostID)
	}
	if err != nil {
		return s, nil, err
	}
	s.Hosts = make([]inventory.Host, len(hosts))
	for i, h := range hosts {
		s.Hosts[i] = h.view()
	}
	if len(hosts) == 0 && hostID != 0 {
		return s, nil, nil
	}
	if s.Nodes, err = byHostUUID(ctx, c, hostID, conn.nodes, func(v inventory.Node) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.CPUs, err = byHostUUID(ctx, c, hostID, conn.cpus, func(v inventory.CPU) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.Memory, err = byHostUUID(ctx, c, hostID, conn.memory, func(v inventory.Memory) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.Disks, err = byHostUUID(ctx, c, hostID, conn.disks, func(v inventory.Disk) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.Partitions, err = byHostUUID(ctx, c, hostID, conn.partitions, func(v inventory.Partition) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.LVGs, err = byHostUUID(ctx, c, hostID, conn.lvgs, func(v inventory.LVG) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.PVs, err = byHostUUID(ctx, c, hostID, conn.pvs, func(v inventory.PV) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.Stors, err = byHostUUID(ctx, c, hostID, conn.stors, func(v inventory.Stor) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.Ports, err = byHostUUID(ctx, c, hostID, conn.ports, func(v inventory.Port) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.Interfaces, err = byHostUUID(ctx, c, hostID, conn.interfaces, func(v inventory.Interface) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.InterfaceNetworks, err = byHostUUID(ctx, c, hostID, conn.interfaceNetworks, func(v inventory.InterfaceNetwork) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.Addresses, err = byHostUUID(ctx, c, hostID, conn.addresses, func(v inventory.Address) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.Routes, err = byHostUUID(ctx, c, hostID, conn.routes, func(v inventory.Route) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.Labels, err = byHostUUID(ctx, c, hostID, conn.labels, func(v inventory.Label) string { return v.HostUUID }); err != nil {
		return s, nil, err
	}
	if s.Networks, err = list[inventory.Network](ctx, c, qNetworks); err != nil {
		return s, nil, err
	}
	if s.AddressPools, err = list[inventory.AddressPool](ctx, c, qPools); err != nil {
		return s, nil, err
	}
	if s.DataNetworks, err = list[inventory.DataNetwork](ctx, c, qDataNets); err != nil {
		return s, nil, err
	}
	if s.StorageBackends, err = list[inventory.StorageBackend](ctx, c, `SELECT id, body FROM inv_storage_backend ORDER BY id`); err != nil {
		return s, nil, err
	}
	if s.ServiceParameters, err = list[inventory.ServiceParameter](ctx, c, `SELECT id, body FROM inv_service_parameter ORDER BY service, section, name, id`); err != nil {
		return s, nil, err
	}
	return s, hosts, nil
}

// byHostUUID reads records with fn and groups them by host uuid.
func byHostUUID[T any](ctx context.Context, c conn, hostID int64, fn func(conn, context.Context, int64) ([]T, error), key func(T) string) (map[string][]T, error) {
	vs, err := fn(c, ctx, hostID)
	if err != nil {
		return nil, err
	}
	out := map[string][]T{}
	for _, v := range vs {
		k := key(v)
		out[k] = append(out[k], v)
	}
	return out, nil
}

// Snapshot returns the whole inventory at one instant: every read runs
// in one transaction.
func (m *Manager) Snapshot(ctx context.Context) (inventory.Snapshot, error) {
	return m.snapshotOf(ctx, "snapshot", "")
}

// HostSnapshot returns one host's whole inventory at one instant, with
// the system-wide records.
func (m *Manager) HostSnapshot(ctx context.Context, host string) (inventory.Snapshot, error) {
	if host == "" {
		return inventory.Snapshot{}, wrap("host snapshot", inventory.Fieldf("host", "is required"))
	}
	return m.snapshotOf(ctx, "host snapshot", host)
}

// snapshotOf reads the whole inventory (host "") or one host's, in one
// transaction.
func (m *Manager) snapshotOf(ctx context.Context, op, host string) (inventory.Snapshot, error) {
	if m.closed.Load() {
		return inventory.Snapshot{}, inventory.ErrClosed
	}
	// Read-only: on SQLite a deferred transaction, which in WAL mode
	// sees one state without taking the write lock (sqlstore begins
	// read-write transactions IMMEDIATE); PostgreSQL needs repeatable
	// read for one state.
	opts := &sql.TxOptions{ReadOnly: true}
	if m.pg {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := m.db.BeginTx(ctx, opts)
	if err != nil {
		return inventory.Snapshot{}, wrap(op, err)
	}
	defer tx.Rollback()
	c := conn{m: m, tx: tx}
	var id int64
	if host != "" {
		h, err := c.host(ctx, host)
		if err != nil {
			return inventory.Snapshot{}, wrap(op, err)
		}
		id = h.ID
	}
	s, _, err := c.snapshot(ctx, id)
	if err != nil {
		return inventory.Snapshot{}, wrap(op, err)
	}
	return s, nil
}
