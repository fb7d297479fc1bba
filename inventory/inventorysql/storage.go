package inventorysql

import (
	"context"
	"strings"

	"github.com/edgeflock/flock/inventory"
)

// Disks, partitions, volume groups, physical volumes and storage
// functions (OSDs).

func (c conn) disks(ctx context.Context, hostID int64) ([]inventory.Disk, error) {
	w, args := byHost("t", hostID)
	return list[inventory.Disk](ctx, c, `SELECT t.id, t.body FROM inv_disk t`+w+` ORDER BY t.host_id, t.id`, args...)
}

func (c conn) partitions(ctx context.Context, hostID int64) ([]inventory.Partition, error) {
	w, args := byHost("t", hostID)
	return list[inventory.Partition](ctx, c, `SELECT t.id, t.body FROM inv_partition t`+w+` ORDER BY t.host_id, t.disk_id, t.start_mib`, args...)
}

func (c conn) lvgs(ctx context.Context, hostID int64) ([]inventory.LVG, error) {
	w, args := byHost("t", hostID)
	return list[inventory.LVG](ctx, c, `SELECT t.id, t.body FROM inv_lvg t`+w+` ORDER BY t.host_id, t.id`, args...)
}

func (c conn) pvs(ctx context.Context, hostID int64) ([]inventory.PV, error) {
	w, args := byHost("t", hostID)
	return list[inventory.PV](ctx, c, `SELECT t.id, t.body FROM inv_pv t`+w+` ORDER BY t.host_id, t.id`, args...)
}

func (c conn) stors(ctx context.Context, hostID int64) ([]inventory.Stor, error) {
	w, args := byHost("t", hostID)
	return list[inventory.Stor](ctx, c, `SELECT t.id, t.body FROM inv_stor t`+w+` ORDER BY t.host_id, t.id`, args...)
}

// ListDisks returns a host's disks.
func (m *Manager) ListDisks(ctx context.Context, host string) ([]inventory.Disk, error) {
	return hostList(ctx, m, "list disks", host, conn.disks)
}

// ListPartitions returns a host's partitions, or one disk's.
func (m *Manager) ListPartitions(ctx context.Context, host, diskUUID string) ([]inventory.Partition, error) {
	ps, err := hostList(ctx, m, "list partitions", host, conn.partitions)
	if err != nil || diskUUID == "" {
		return ps, err
	}
	out := []inventory.Partition{}
	for _, p := range ps {
		if p.DiskUUID == diskUUID {
			out = append(out, p)
		}
	}
	return out, nil
}

// ListLVGs returns a host's volume groups.
func (m *Manager) ListLVGs(ctx context.Context, host string) ([]inventory.LVG, error) {
	return hostList(ctx, m, "list volume groups", host, conn.lvgs)
}

// ListPVs returns a host's physical volumes.
func (m *Manager) ListPVs(ctx context.Context, host string) ([]inventory.PV, error) {
	return hostList(ctx, m, "list physical volumes", host, conn.pvs)
}

// ListStors returns a host's storage functions.
func (m *Manager) ListStors(ctx context.Context, host string) ([]inventory.Stor, error) {
	return hostList(ctx, m, "list storage functions", host, conn.stors)
}

// disk returns a host's disk by uuid.
func (c conn) disk(ctx context.Context, hostID int64, uuid string) (inventory.Disk, error) {
	d, err := one[inventory.Disk](ctx, c, `SELECT id, body FROM inv_disk WHERE uuid = ? AND host_id = ?`, uuid, hostID)
	if err != nil {
		return d, notFoundOr(err, "disk", uuid)
	}
	return d, nil
}

func (c conn) putDisk(ctx context.Context, d inventory.Disk) error {
	_, err := c.exec(ctx, `UPDATE inv_disk SET body = ? WHERE id = ?`, body(d), d.ID)
	return err
}

// diskPartitions returns a disk's partitions by start.
func (c conn) diskPartitions(ctx context.Context, diskID int64) ([]inventory.Partition, error) {
	return list[inventory.Partition](ctx, c, `SELECT id, body FROM inv_partition WHERE disk_id = ? ORDER BY start_mib`, diskID)
}

// diskInUse says what, if anything, uses a whole disk.
func (c conn) diskInUse(ctx context.Context, d inventory.Disk) (string, error) {
	if d.PVUUID != "" {
		return "a physical volume", nil
	}
	var n int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM inv_stor WHERE disk_id = ?`, d.ID).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		return "a storage function", nil
	}
	return "", nil
}

// partitionByUUID returns a partition, its host and its disk.
func (c conn) partitionByUUID(ctx context.Context, uuid string) (inventory.Partition, hostBody, inventory.Disk, error) {
	var h hostBody
	var d inventory.Disk
	p, err := one[inventory.Partition](ctx, c, `SELECT id, body FROM inv_partition WHERE uuid = ?`, uuid)
	if err != nil {
		return p, h, d, notFoundOr(err, "partition", uuid)
	}
	if h, err = c.host(ctx, p.HostUUID); err != nil {
		return p, h, d, err
	}
	d, err = c.disk(ctx, h.ID, p.DiskUUID)
	return p, h, d, err
}

// AddPartition creates a partition after the last one of a locked
// host's disk; it must fit the disk's available space.
func (m *Manager) AddPartition(ctx context.Context, host string, s inventory.PartitionSpec) (inventory.Partition, error) {
	const op = "add partition"
	if s.DiskUUID == "" {
		return inventory.Partition{}, wrap(op, inventory.Fieldf("idisk_uuid", "is required"))
	}
	if s.SizeMiB <= 0 {
		return inventory.Partition{}, wrap(op, inventory.Fieldf("size_mib", "must be greater than 0"))
	}
	if s.TypeGUID == "" {
		s.TypeGUID = inventory.LVMPartitionType
	} else if err := checkConfigUUID(strings.ToLower(s.TypeGUID)); err != nil {
		return inventory.Partition{}, wrap(op, inventory.Fieldf("type_guid", "%q is not a GUID", s.TypeGUID))
	}
	var out inventory.Partition
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		h, err := c.host(ctx, host)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the partitions"); err != nil {
			return err
		}
		d, err := c.disk(ctx, h.ID, s.DiskUUID)
		if err != nil {
			return err
		}
		if what, err := c.diskInUse(ctx, d); err != nil {
			return err
		} else if what != "" {
			return inventory.Conflictf(inventory.RuleInUse, "disk %s is used by %s as a whole", d.DeviceNode, what)
		}
		parts, err := c.diskPartitions(ctx, d.ID)
		if err != nil {
			return err
		}
		if s.SizeMiB > d.AvailableMiB {
			return inventory.Rulef(inventory.RulePartitionFit, "a partition of %d MiB does not fit the %d MiB available on disk %s", s.SizeMiB, d.AvailableMiB, d.DeviceNode)
		}
		start := max(d.SizeMiB-d.AvailableMiB, 1)
		if len(parts) > 0 {
			start = parts[len(parts)-1].EndMiB
		}
		n := itoa(len(parts) + 1)
		node := d.DeviceNode + n
		if last := d.DeviceNode[max(len(d.DeviceNode)-1, 0):]; last >= "0" && last <= "9" {
			node = d.DeviceNode + "p" + n
		}
		p := inventory.Partition{
			UUID: newUUID(), HostUUID: h.UUID, DiskUUID: d.UUID,
			StartMiB: start, EndMiB: start + s.SizeMiB, SizeMiB: s.SizeMiB,
			DeviceNode: node, DevicePath: d.DevicePath + "-part" + n,
			TypeGUID: strings.ToLower(s.TypeGUID), Status: inventory.PartitionCreateOnUnlock, CreatedAt: now(),
		}
		if p.TypeGUID == inventory.LVMPartitionType {
			p.TypeName = "LVM Physical Volume"
		}
		if p.ID, err = c.insert(ctx, `INSERT INTO inv_partition (uuid, host_id, disk_id, device_path, start_mib, body) VALUES (?, ?, ?, ?, ?, ?)`,
			p.UUID, h.ID, d.ID, p.DevicePath, p.StartMiB, body(p)); err != nil {
			return err
		}
		d.AvailableMiB -= s.SizeMiB
		if err := c.putDisk(ctx, d); err != nil {
			return err
		}
		out = p
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
	return out, err
}

// ModifyPartition grows the last partition of its disk to sizeMiB.
func (m *Manager) ModifyPartition(ctx context.Context, uuid string, sizeMiB int) (inventory.Partition, error) {
	const op = "modify partition"
	if sizeMiB <= 0 {
		return inventory.Partition{}, wrap(op, inventory.Fieldf("size_mib", "must be greater than 0"))
	}
	var out inventory.Partition
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		p, h, d, err := c.partitionByUUID(ctx, uuid)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the partitions"); err != nil {
			return err
		}
		if sizeMiB <= p.SizeMiB {
			return inventory.Fieldf("size_mib", "a partition can only grow: %d MiB is not more than its %d MiB", sizeMiB, p.SizeMiB)
		}
		parts, err := c.diskPartitions(ctx, d.ID)
		if err != nil {
			return err
		}
		if parts[len(parts)-1].UUID != p.UUID {
			return inventory.Rulef(inventory.RulePartitionFit, "only the last partition of disk %s can be resized", d.DeviceNode)
		}
		grow := sizeMiB - p.SizeMiB
		if grow > d.AvailableMiB {
			return inventory.Rulef(inventory.RulePartitionFit, "growing partition %s by %d MiB does not fit the %d MiB available on disk %s", p.DeviceNode, grow, d.AvailableMiB, d.DeviceNode)
		}
		p.SizeMiB, p.EndMiB = sizeMiB, p.StartMiB+sizeMiB
		if p.Status != inventory.PartitionCreateOnUnlock {
			p.Status = inventory.PartitionModifying
		}
		if _, err := c.exec(ctx, `UPDATE inv_partition SET body = ? WHERE id = ?`, body(p), p.ID); err != nil {
			return err
		}
		d.AvailableMiB -= grow
		if err := c.putDisk(ctx, d); err != nil {
			return err
		}
		out = p
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
	return out, err
}

// DeletePartition deletes the last partition of its disk, if no physical
// volume is on it.
func (m *Manager) DeletePartition(ctx context.Context, uuid string) error {
	return m.write(ctx, "delete partition", func(c conn, fx *effects) error {
		p, h, d, err := c.partitionByUUID(ctx, uuid)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the partitions"); err != nil {
			return err
		}
		if p.PVUUID != "" {
			return inventory.Conflictf(inventory.RuleInUse, "partition %s is a physical volume: delete it first", p.DeviceNode)
		}
		parts, err := c.diskPartitions(ctx, d.ID)
		if err != nil {
			return err
		}
		if parts[len(parts)-1].UUID != p.UUID {
			return inventory.Rulef(inventory.RulePartitionFit, "only the last partition of disk %s can be deleted", d.DeviceNode)
		}
		if _, err := c.exec(ctx, `DELETE FROM inv_partition WHERE id = ?`, p.ID); err != nil {
			return err
		}
		d.AvailableMiB += p.SizeMiB
		if err := c.putDisk(ctx, d); err != nil {
			return err
		}
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
}

// lvgByUUID returns a volume group and its host.
func (c conn) lvgByUUID(ctx context.Context, uuid string) (inventory.LVG, hostBody, error) {
	g, err := one[inventory.LVG](ctx, c, `SELECT id, body FROM inv_lvg WHERE uuid = ?`, uuid)
	if err != nil {
		return g, hostBody{}, notFoundOr(err, "volume group", uuid)
	}
	h, err := c.host(ctx, g.HostUUID)
	return g, h, err
}

// AddLVG creates a volume group (cgts-vg, nova-local or cinder-volumes)
// on a locked host.
func (m *Manager) AddLVG(ctx context.Context, host, vgName string) (inventory.LVG, error) {
	const op = "add volume group"
	if err := checkOneOf("lvm_vg_name", vgName, false, inventory.VGCgts, inventory.VGNovaLocal, inventory.VGCinderVolumes); err != nil {
		return inventory.LVG{}, wrap(op, err)
	}
	var out inventory.LVG
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		h, err := c.host(ctx, host)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the volume groups"); err != nil {
			return err
		}
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM inv_lvg WHERE host_id = ? AND vg_name = ?`, h.ID, vgName).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return inventory.Conflictf(inventory.RuleUniqueName, "host %s already has volume group %s", hostLabel(h), vgName)
		}
		g := inventory.LVG{UUID: newUUID(), HostUUID: h.UUID, VGState: inventory.LVGAdding, LVMVGName: vgName,
			Capabilities: map[string]any{}, CreatedAt: now()}
		if g.ID, err = c.insert(ctx, `INSERT INTO inv_lvg (uuid, host_id, vg_name, body) VALUES (?, ?, ?, ?)`, g.UUID, h.ID, vgName, body(g)); err != nil {
			return err
		}
		out = g
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
	return out, err
}

// DeleteLVG deletes a volume group with no physical volume.
func (m *Manager) DeleteLVG(ctx context.Context, uuid string) error {
	return m.write(ctx, "delete volume group", func(c conn, fx *effects) error {
		g, h, err := c.lvgByUUID(ctx, uuid)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the volume groups"); err != nil {
			return err
		}
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM inv_pv WHERE lvg_id = ?`, g.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return inventory.Conflictf(inventory.RuleInUse, "volume group %s has %d physical volumes: delete them first", g.LVMVGName, n)
		}
		if _, err := c.exec(ctx, `DELETE FROM inv_lvg WHERE id = ?`, g.ID); err != nil {
			return err
		}
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
}

// AddPV gives a disk or partition of a locked host to one of its volume
// groups.
func (m *Manager) AddPV(ctx context.Context, host string, s inventory.PVSpec) (inventory.PV, error) {
	const op = "add physical volume"
	if s.LVGUUID == "" {
		return inventory.PV{}, wrap(op, inventory.Fieldf("ilvg_uuid", "is required"))
	}
	if s.DiskOrPartUUID == "" {
		return inventory.PV{}, wrap(op, inventory.Fieldf("disk_or_part_uuid", "is required"))
	}
	var out inventory.PV
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		h, err := c.host(ctx, host)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the physical volumes"); err != nil {
			return err
		}
		g, gh, err := c.lvgByUUID(ctx, s.LVGUUID)
		if err != nil {
			return err
		}
		if gh.ID != h.ID {
			return notFound("volume group", s.LVGUUID)
		}
		pv := inventory.PV{UUID: newUUID(), HostUUID: h.UUID, LVGUUID: g.UUID, PVState: inventory.LVGAdding,
			DiskOrPartUUID: s.DiskOrPartUUID, LVMVGName: g.LVMVGName, CreatedAt: now()}
		d, derr := c.disk(ctx, h.ID, s.DiskOrPartUUID)
		switch {
		case derr == nil:
			if what, err := c.diskInUse(ctx, d); err != nil {
				return err
			} else if what != "" {
				return inventory.Conflictf(inventory.RuleInUse, "disk %s is already used by %s", d.DeviceNode, what)
			}
			parts, err := c.diskPartitions(ctx, d.ID)
			if err != nil {
				return err
			}
			if len(parts) > 0 {
				return inventory.Conflictf(inventory.RuleInUse, "disk %s has partitions: use one of them", d.DeviceNode)
			}
			pv.PVType, pv.DiskOrPartDeviceNode, pv.DiskOrPartDevicePath = inventory.PVDisk, d.DeviceNode, d.DevicePath
			d.PVUUID = pv.UUID
			if err := c.putDisk(ctx, d); err != nil {
				return err
			}
		case isNotFound(derr):
			p, ph, _, err := c.partitionByUUID(ctx, s.DiskOrPartUUID)
			if err != nil || ph.ID != h.ID {
				return inventory.Fieldf("disk_or_part_uuid", "%q is no disk or partition of host %s", s.DiskOrPartUUID, hostLabel(h))
			}
			if p.PVUUID != "" {
				return inventory.Conflictf(inventory.RuleInUse, "partition %s is already a physical volume", p.DeviceNode)
			}
			pv.PVType, pv.DiskOrPartDeviceNode, pv.DiskOrPartDevicePath = inventory.PVPartition, p.DeviceNode, p.DevicePath
			p.PVUUID = pv.UUID
			if _, err := c.exec(ctx, `UPDATE inv_partition SET body = ? WHERE id = ?`, body(p), p.ID); err != nil {
				return err
			}
		default:
			return derr
		}
		pv.LVMPVName = pv.DiskOrPartDeviceNode
		if pv.ID, err = c.insert(ctx, `INSERT INTO inv_pv (uuid, host_id, lvg_id, dop_uuid, body) VALUES (?, ?, ?, ?, ?)`,
			pv.UUID, h.ID, g.ID, pv.DiskOrPartUUID, body(pv)); err != nil {
			return err
		}
		out = pv
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
	return out, err
}

// DeletePV removes a physical volume from its group.
func (m *Manager) DeletePV(ctx context.Context, uuid string) error {
	return m.write(ctx, "delete physical volume", func(c conn, fx *effects) error {
		pv, err := one[inventory.PV](ctx, c, `SELECT id, body FROM inv_pv WHERE uuid = ?`, uuid)
		if err != nil {
			return notFoundOr(err, "physical volume", uuid)
		}
		h, err := c.host(ctx, pv.HostUUID)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the physical volumes"); err != nil {
			return err
		}
		if pv.PVType == inventory.PVDisk {
			if d, err := c.disk(ctx, h.ID, pv.DiskOrPartUUID); err == nil {
				d.PVUUID = ""
				if err := c.putDisk(ctx, d); err != nil {
					return err
				}
			}
		} else if p, _, _, err := c.partitionByUUID(ctx, pv.DiskOrPartUUID); err == nil {
			p.PVUUID = ""
			if _, err := c.exec(ctx, `UPDATE inv_partition SET body = ? WHERE id = ?`, body(p), p.ID); err != nil {
				return err
			}
		}
		if _, err := c.exec(ctx, `DELETE FROM inv_pv WHERE id = ?`, pv.ID); err != nil {
			return err
		}
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
}

// AddStor gives a whole disk of a locked host to a storage function
// (an OSD by default, or a journal).
func (m *Manager) AddStor(ctx context.Context, host string, s inventory.StorSpec) (inventory.Stor, error) {
	const op = "add storage function"
	if s.Function == "" {
		s.Function = "osd"
	}
	if err := checkOneOf("function", s.Function, false, "osd", "journal"); err != nil {
		return inventory.Stor{}, wrap(op, err)
	}
	if s.DiskUUID == "" {
		return inventory.Stor{}, wrap(op, inventory.Fieldf("idisk_uuid", "is required"))
	}
	if s.TierName == "" {
		s.TierName = "storage"
	}
	if err := checkName("tier_name", s.TierName); err != nil {
		return inventory.Stor{}, wrap(op, err)
	}
	var out inventory.Stor
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		h, err := c.host(ctx, host)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the storage functions"); err != nil {
			return err
		}
		d, err := c.disk(ctx, h.ID, s.DiskUUID)
		if err != nil {
			return err
		}
		if what, err := c.diskInUse(ctx, d); err != nil {
			return err
		} else if what != "" {
			return inventory.Conflictf(inventory.RuleInUse, "disk %s is already used by %s", d.DeviceNode, what)
		}
		parts, err := c.diskPartitions(ctx, d.ID)
		if err != nil {
			return err
		}
		if len(parts) > 0 {
			return inventory.Conflictf(inventory.RuleInUse, "disk %s has partitions", d.DeviceNode)
		}
		st := inventory.Stor{UUID: newUUID(), HostUUID: h.UUID, Function: s.Function, DiskUUID: d.UUID,
			State: "configuring-on-unlock", TierName: s.TierName, CreatedAt: now()}
		var osdid any
		if s.Function == "osd" {
			var next int
			if err := c.queryRow(ctx, `SELECT COALESCE(MAX(osdid), -1) + 1 FROM inv_stor`).Scan(&next); err != nil {
				return err
			}
			st.OSDID, osdid = ptr(next), next
		}
		if st.ID, err = c.insert(ctx, `INSERT INTO inv_stor (uuid, host_id, disk_id, function, osdid, body) VALUES (?, ?, ?, ?, ?, ?)`,
			st.UUID, h.ID, d.ID, st.Function, osdid, body(st)); err != nil {
			return err
		}
		out = st
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
	return out, err
}

// DeleteStor removes a storage function.
func (m *Manager) DeleteStor(ctx context.Context, uuid string) error {
	return m.write(ctx, "delete storage function", func(c conn, fx *effects) error {
		st, err := one[inventory.Stor](ctx, c, `SELECT id, body FROM inv_stor WHERE uuid = ?`, uuid)
		if err != nil {
			return notFoundOr(err, "storage function", uuid)
		}
		h, err := c.host(ctx, st.HostUUID)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the storage functions"); err != nil {
			return err
		}
		if _, err := c.exec(ctx, `DELETE FROM inv_stor WHERE id = ?`, st.ID); err != nil {
			return err
		}
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
}
