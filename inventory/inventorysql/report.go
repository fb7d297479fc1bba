package inventorysql

import (
	"context"
	"strings"
	"time"

	"github.com/edgeflock/flock/inventory"
)

// checkReport checks an agent's report and normalises its MACs.
func checkReport(r *inventory.Report) error {
	var err error
	if r.MgmtMAC == "" {
		return inventory.Fieldf("mgmt_mac", "is required")
	}
	if r.MgmtMAC, err = normMAC("mgmt_mac", r.MgmtMAC); err != nil {
		return err
	}
	if r.Hostname != "" {
		if err := checkHostName("hostname", r.Hostname); err != nil {
			return err
		}
	}
	if err := checkText("software_load", r.SWVersion, 255); err != nil {
		return err
	}
	seen := map[int]bool{}
	for _, n := range r.Nodes {
		if n.NumaNode < 0 || seen[n.NumaNode] {
			return inventory.Fieldf("inodes", "NUMA node %d is negative or listed twice", n.NumaNode)
		}
		seen[n.NumaNode] = true
	}
	clear(seen)
	for _, c := range r.CPUs {
		if c.CPU < 0 || c.NumaNode < 0 || c.Core < 0 || c.Thread < 0 {
			return inventory.Fieldf("icpus", "cpu %d has a negative number", c.CPU)
		}
		if seen[c.CPU] {
			return inventory.Fieldf("icpus", "cpu %d is listed twice", c.CPU)
		}
		seen[c.CPU] = true
		if c.AllocatedFunction != "" && !c.AllocatedFunction.Valid() {
			return inventory.Fieldf("allocated_function", "%q is not a valid function", c.AllocatedFunction)
		}
	}
	clear(seen)
	for _, m := range r.Memory {
		if m.NumaNode < 0 || seen[m.NumaNode] {
			return inventory.Fieldf("imemorys", "NUMA node %d is negative or listed twice", m.NumaNode)
		}
		seen[m.NumaNode] = true
		if m.MemTotalMiB < 0 || m.NodeMemTotalMiB < 0 || m.PlatformReservedMiB < 0 || m.MemAvailMiB < 0 {
			return inventory.Fieldf("imemorys", "NUMA node %d has a negative size", m.NumaNode)
		}
	}
	keys := map[string]bool{}
	for i := range r.Disks {
		d := &r.Disks[i]
		k := diskKey(*d)
		if k == "" {
			return inventory.Fieldf("idisks", "disk %d has no device_path or device_node", i+1)
		}
		if keys[k] {
			return inventory.Fieldf("idisks", "disk %s is listed twice", k)
		}
		keys[k] = true
		if err := checkDevice("device_path", k); err != nil {
			return err
		}
		if d.DeviceType != "" && !d.DeviceType.Valid() {
			return inventory.Fieldf("device_type", "%q is not HDD, SSD or NVME", d.DeviceType)
		}
		if d.SizeMiB < 0 || d.AvailableMiB < 0 || d.AvailableMiB > d.SizeMiB {
			return inventory.Fieldf("size_mib", "disk %s has sizes out of range", k)
		}
	}
	clear(keys)
	for i := range r.Ports {
		p := &r.Ports[i]
		if p.Name == "" || keys[p.Name] {
			return inventory.Fieldf("ethernet_ports", "port %d has no name or one listed twice", i+1)
		}
		keys[p.Name] = true
		if err := checkText("name", p.Name, 255); err != nil {
			return err
		}
		if p.MAC != "" {
			if p.MAC, err = normMAC("mac", p.MAC); err != nil {
				return err
			}
		}
		if p.MTU != 0 {
			if err := checkRange("mtu", p.MTU, 68, 65535); err != nil {
				return err
			}
		}
	}
	for _, p := range r.Partitions {
		if p.DevicePath == "" || p.SizeMiB < 0 || p.StartMiB < 0 {
			return inventory.Fieldf("partitions", "a partition needs a device_path and sizes that are not negative")
		}
	}
	for _, g := range r.LVGs {
		if g.LVMVGName == "" {
			return inventory.Fieldf("lvm_vg_name", "is required")
		}
	}
	for _, pv := range r.PVs {
		if pv.LVMVGName == "" || pv.DiskOrPartDevicePath == "" {
			return inventory.Fieldf("ipvs", "a physical volume needs lvm_vg_name and disk_or_part_device_path")
		}
	}
	return nil
}

// diskKey is a disk's natural key: its device path, or node.
func diskKey(d inventory.Disk) string {
	if d.DevicePath != "" {
		return d.DevicePath
	}
	return d.DeviceNode
}

// ReportInventory records what a host's agent discovered. A known MAC
// names the host; an unknown one names the host of the reported
// hostname if that host was added without a MAC, and otherwise creates
// a host with only mgmt_mac (and the reported hostname, if free). The
// host's hardware records are replaced by natural key (NUMA node, CPU
// number, disk device path, port name), keeping what operators set on
// them: CPU functions, the platform reservation and hugepages asked for,
// partitions, physical volumes and storage functions.
func (m *Manager) ReportInventory(ctx context.Context, r inventory.Report) (inventory.Host, error) {
	const op = "report inventory"
	if err := checkReport(&r); err != nil {
		return inventory.Host{}, wrap(op, err)
	}
	var out inventory.Host
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		h, err := one[hostBody](ctx, c, qHostByMAC, r.MgmtMAC)
		switch {
		case err == nil:
		case isNotFound(mapErr(err)):
			// A host added without a MAC is the one whose hostname the
			// agent reports; otherwise the MAC makes a new host.
			if r.Hostname != "" {
				named, err := one[hostBody](ctx, c, `SELECT id, body FROM inv_host WHERE hostname = ? AND mgmt_mac IS NULL`, r.Hostname)
				if err == nil {
					h = named
					h.MgmtMAC = r.MgmtMAC
					break
				} else if !isNotFound(mapErr(err)) {
					return err
				}
			}
			h = newHost(inventory.HostSpec{MgmtMAC: r.MgmtMAC})
			if r.Hostname != "" && c.checkUnique(ctx, r.Hostname, "", 0) == nil {
				h.Hostname = r.Hostname
			}
			if err := c.insertHost(ctx, &h, ""); err != nil {
				return err
			}
		default:
			return err
		}
		was := outOfDate(h)
		h.Agent = true
		if r.SWVersion != "" {
			h.SWVersion = r.SWVersion
		}
		if err := c.putHost(ctx, &h); err != nil {
			return err
		}
		if err := c.reportHardware(ctx, h, r); err != nil {
			return err
		}
		if err := c.reconfigure(ctx, fx, []int64{h.ID}); err != nil {
			return err
		}
		if h, err = c.hostByID(ctx, h.ID); err != nil {
			return err
		}
		if was != outOfDate(h) {
			fx.alarm(was, h)
		}
		out = h.view()
		return nil
	})
	return out, err
}

// reportHardware replaces the host's hardware records with the report's.
func (c conn) reportHardware(ctx context.Context, h hostBody, r inventory.Report) error {
	t := now()
	// NUMA nodes.
	nodes, err := c.nodes(ctx, h.ID)
	if err != nil {
		return err
	}
	oldNodes := map[int]inventory.Node{}
	for _, n := range nodes {
		oldNodes[n.NumaNode] = n
	}
	for _, n := range r.Nodes {
		n.HostUUID = h.UUID
		if o, ok := oldNodes[n.NumaNode]; ok {
			delete(oldNodes, n.NumaNode)
			n.ID, n.UUID, n.CreatedAt = o.ID, o.UUID, o.CreatedAt
			if _, err := c.exec(ctx, `UPDATE inv_node SET body = ? WHERE id = ?`, body(n), n.ID); err != nil {
				return err
			}
			continue
		}
		n.UUID, n.CreatedAt = newUUID(), t
		if _, err := c.insert(ctx, `INSERT INTO inv_node (uuid, host_id, numa_node, body) VALUES (?, ?, ?, ?)`, n.UUID, h.ID, n.NumaNode, body(n)); err != nil {
			return err
		}
	}
	for _, o := range oldNodes {
		if _, err := c.exec(ctx, `DELETE FROM inv_node WHERE id = ?`, o.ID); err != nil {
			return err
		}
	}

	// CPUs: an existing CPU keeps its function; a new one gets the
	// reported one, or Platform for the first core of processor 0 and
	// Application for the others.
	cpus, err := c.cpus(ctx, h.ID)
	if err != nil {
		return err
	}
	oldCPUs := map[int]inventory.CPU{}
	for _, cpu := range cpus {
		oldCPUs[cpu.CPU] = cpu
	}
	firstCore := -1
	for _, cpu := range r.CPUs {
		if cpu.NumaNode == 0 && (firstCore < 0 || cpu.Core < firstCore) {
			firstCore = cpu.Core
		}
	}
	for _, cpu := range r.CPUs {
		cpu.HostUUID = h.UUID
		if o, ok := oldCPUs[cpu.CPU]; ok {
			delete(oldCPUs, cpu.CPU)
			cpu.ID, cpu.UUID, cpu.CreatedAt, cpu.AllocatedFunction = o.ID, o.UUID, o.CreatedAt, o.AllocatedFunction
			if cpu == o {
				continue
			}
			if err := c.putCPU(ctx, h.ID, &cpu); err != nil {
				return err
			}
			continue
		}
		if cpu.AllocatedFunction == "" {
			cpu.AllocatedFunction = inventory.CPUApplication
			if cpu.NumaNode == 0 && cpu.Core == firstCore {
				cpu.AllocatedFunction = inventory.CPUPlatform
			}
		}
		cpu.ID, cpu.UUID, cpu.CreatedAt = 0, newUUID(), t
		if err := c.putCPU(ctx, h.ID, &cpu); err != nil {
			return err
		}
	}
	for _, o := range oldCPUs {
		if _, err := c.exec(ctx, `DELETE FROM inv_cpu WHERE id = ?`, o.ID); err != nil {
			return err
		}
	}

	// Memory: the operator's reservation and hugepage requests stay.
	mems, err := c.memory(ctx, h.ID)
	if err != nil {
		return err
	}
	oldMem := map[int]inventory.Memory{}
	for _, mem := range mems {
		oldMem[mem.NumaNode] = mem
	}
	for _, mem := range r.Memory {
		mem.HostUUID = h.UUID
		if o, ok := oldMem[mem.NumaNode]; ok {
			delete(oldMem, mem.NumaNode)
			mem.ID, mem.UUID, mem.CreatedAt = o.ID, o.UUID, o.CreatedAt
			mem.PlatformReservedMiB = o.PlatformReservedMiB
			mem.VMHugepagesNr2MPending, mem.VMHugepagesNr1GPending = o.VMHugepagesNr2MPending, o.VMHugepagesNr1GPending
			mem.VswitchHugepagesReqd = o.VswitchHugepagesReqd
			if o.VswitchHugepagesSizeMiB != 0 {
				mem.VswitchHugepagesSizeMiB = o.VswitchHugepagesSizeMiB
			}
			if _, err := c.exec(ctx, `UPDATE inv_memory SET body = ? WHERE id = ?`, body(mem), mem.ID); err != nil {
				return err
			}
			continue
		}
		mem.ID, mem.UUID, mem.CreatedAt = 0, newUUID(), t
		if _, err := c.insert(ctx, `INSERT INTO inv_memory (uuid, host_id, numa_node, body) VALUES (?, ?, ?, ?)`, mem.UUID, h.ID, mem.NumaNode, body(mem)); err != nil {
			return err
		}
	}
	for _, o := range oldMem {
		if _, err := c.exec(ctx, `DELETE FROM inv_memory WHERE id = ?`, o.ID); err != nil {
			return err
		}
	}

	// Disks: a disk keeps its uuid and what uses it; one that holds
	// partitions keeps its available space (the operator's partitions
	// may not exist on it yet). A disk no longer reported goes, unless
	// something is on it.
	disks, err := c.disks(ctx, h.ID)
	if err != nil {
		return err
	}
	oldDisks := map[string]inventory.Disk{}
	for _, d := range disks {
		oldDisks[diskKey(d)] = d
	}
	diskByPath := map[string]inventory.Disk{}
	for _, d := range r.Disks {
		d.HostUUID = h.UUID
		if d.DevicePath == "" {
			d.DevicePath = d.DeviceNode
		}
		if d.Capabilities == nil {
			d.Capabilities = map[string]any{}
		}
		k := diskKey(d)
		if o, ok := oldDisks[k]; ok {
			delete(oldDisks, k)
			d.ID, d.UUID, d.CreatedAt, d.PVUUID = o.ID, o.UUID, o.CreatedAt, o.PVUUID
			parts, err := c.diskPartitions(ctx, o.ID)
			if err != nil {
				return err
			}
			if len(parts) > 0 {
				d.AvailableMiB = o.AvailableMiB
			}
			if _, err := c.exec(ctx, `UPDATE inv_disk SET body = ? WHERE id = ?`, body(d), d.ID); err != nil {
				return err
			}
		} else {
			d.ID, d.UUID, d.CreatedAt, d.PVUUID = 0, newUUID(), t, ""
			if d.ID, err = c.insert(ctx, `INSERT INTO inv_disk (uuid, host_id, device_path, body) VALUES (?, ?, ?, ?)`, d.UUID, h.ID, k, body(d)); err != nil {
				return err
			}
		}
		diskByPath[d.DevicePath] = d
	}
	for _, o := range oldDisks {
		what, err := c.diskInUse(ctx, o)
		if err != nil {
			return err
		}
		parts, err := c.diskPartitions(ctx, o.ID)
		if err != nil {
			return err
		}
		if what == "" && len(parts) == 0 {
			if _, err := c.exec(ctx, `DELETE FROM inv_disk WHERE id = ?`, o.ID); err != nil {
				return err
			}
		}
	}

	// Partitions the agent found: matched by device path; the ones
	// operators added and the agent does not report yet stay.
	if len(r.Partitions) > 0 {
		parts, err := c.partitions(ctx, h.ID)
		if err != nil {
			return err
		}
		oldParts := map[string]inventory.Partition{}
		for _, p := range parts {
			oldParts[p.DevicePath] = p
		}
		for _, p := range r.Partitions {
			d, ok := diskOf(diskByPath, p.DevicePath)
			if !ok {
				continue
			}
			p.HostUUID, p.DiskUUID = h.UUID, d.UUID
			if p.EndMiB == 0 {
				p.EndMiB = p.StartMiB + p.SizeMiB
			}
			if o, ok := oldParts[p.DevicePath]; ok {
				p.ID, p.UUID, p.CreatedAt, p.PVUUID, p.TypeGUID = o.ID, o.UUID, o.CreatedAt, o.PVUUID, o.TypeGUID
				if o.Status == inventory.PartitionCreateOnUnlock || o.Status == inventory.PartitionInUse {
					p.Status = o.Status
				}
				if _, err := c.exec(ctx, `UPDATE inv_partition SET start_mib = ?, body = ? WHERE id = ?`, p.StartMiB, body(p), p.ID); err != nil {
					return err
				}
				continue
			}
			p.ID, p.UUID, p.CreatedAt, p.PVUUID = 0, newUUID(), t, ""
			if _, err := c.insert(ctx, `INSERT INTO inv_partition (uuid, host_id, disk_id, device_path, start_mib, body) VALUES (?, ?, ?, ?, ?, ?)`,
				p.UUID, h.ID, d.ID, p.DevicePath, p.StartMiB, body(p)); err != nil {
				return err
			}
		}
	}

	// Volume groups and physical volumes the agent found.
	if err := c.reportLVM(ctx, h, r, t); err != nil {
		return err
	}

	// Ports: each new port gets an ethernet interface of its name, as
	// sysinv creates one.
	ports, err := c.ports(ctx, h.ID)
	if err != nil {
		return err
	}
	oldPorts := map[string]inventory.Port{}
	for _, p := range ports {
		oldPorts[p.Name] = p
	}
	var ifNames map[string]bool
	for _, p := range r.Ports {
		p.HostUUID, p.InterfaceUUID = h.UUID, ""
		if o, ok := oldPorts[p.Name]; ok {
			delete(oldPorts, p.Name)
			p.ID, p.UUID, p.CreatedAt = o.ID, o.UUID, o.CreatedAt
			if _, err := c.exec(ctx, `UPDATE inv_port SET body = ? WHERE id = ?`, body(p), p.ID); err != nil {
				return err
			}
			continue
		}
		p.UUID, p.CreatedAt = newUUID(), t
		if p.ID, err = c.insert(ctx, `INSERT INTO inv_port (uuid, host_id, name, body) VALUES (?, ?, ?, ?)`, p.UUID, h.ID, p.Name, body(p)); err != nil {
			return err
		}
		if ifNames == nil {
			ifNames = map[string]bool{}
			ifs, err := list[inventory.Interface](ctx, c, `SELECT id, body FROM inv_interface WHERE host_id = ?`, h.ID)
			if err != nil {
				return err
			}
			for _, i := range ifs {
				ifNames[i.IfName] = true
			}
		}
		name := p.Name
		if len(name) > 15 {
			name = name[:15]
		}
		if ifNames[name] {
			continue
		}
		ifNames[name] = true
		mtu := p.MTU
		if mtu < 576 || mtu > 9216 {
			mtu = 1500
		}
		i := inventory.Interface{UUID: newUUID(), HostUUID: h.UUID, IfName: name, IfType: inventory.IfEthernet,
			IfClass: inventory.IfClassNone, IMAC: p.MAC, IMTU: mtu, CreatedAt: t}
		if _, err := c.insert(ctx, `INSERT INTO inv_interface (uuid, host_id, ifname, port_id, body) VALUES (?, ?, ?, ?, ?)`,
			i.UUID, h.ID, i.IfName, p.ID, body(stored(i))); err != nil {
			return err
		}
	}
	for _, o := range oldPorts {
		if _, err := c.exec(ctx, `DELETE FROM inv_port WHERE id = ?`, o.ID); err != nil {
			return err
		}
	}
	return nil
}

// diskOf returns the disk whose device path the partition's starts with
// (the longest such).
func diskOf(disks map[string]inventory.Disk, partPath string) (inventory.Disk, bool) {
	var best inventory.Disk
	found := false
	for path, d := range disks {
		if strings.HasPrefix(partPath, path) && len(path) > len(best.DevicePath) {
			best, found = d, true
		}
	}
	return best, found
}

// reportLVM records the volume groups and physical volumes an agent
// found, by name and device path.
func (c conn) reportLVM(ctx context.Context, h hostBody, r inventory.Report, t time.Time) error {
	if len(r.LVGs) == 0 && len(r.PVs) == 0 {
		return nil
	}
	lvgs, err := c.lvgs(ctx, h.ID)
	if err != nil {
		return err
	}
	byName := map[string]inventory.LVG{}
	for _, g := range lvgs {
		byName[g.LVMVGName] = g
	}
	for _, g := range r.LVGs {
		g.HostUUID = h.UUID
		if g.Capabilities == nil {
			g.Capabilities = map[string]any{}
		}
		if o, ok := byName[g.LVMVGName]; ok {
			g.ID, g.UUID, g.CreatedAt = o.ID, o.UUID, o.CreatedAt
			if g.VGState == "" {
				g.VGState = o.VGState
			}
			if _, err := c.exec(ctx, `UPDATE inv_lvg SET body = ? WHERE id = ?`, body(g), g.ID); err != nil {
				return err
			}
		} else {
			g.UUID, g.CreatedAt = newUUID(), t
			if g.VGState == "" {
				g.VGState = inventory.LVGProvisioned
			}
			if g.ID, err = c.insert(ctx, `INSERT INTO inv_lvg (uuid, host_id, vg_name, body) VALUES (?, ?, ?, ?)`, g.UUID, h.ID, g.LVMVGName, body(g)); err != nil {
				return err
			}
		}
		byName[g.LVMVGName] = g
	}
	if len(r.PVs) == 0 {
		return nil
	}
	pvs, err := c.pvs(ctx, h.ID)
	if err != nil {
		return err
	}
	byPath := map[string]inventory.PV{}
	for _, pv := range pvs {
		byPath[pv.DiskOrPartDevicePath] = pv
	}
	disks, err := c.disks(ctx, h.ID)
	if err != nil {
		return err
	}
	parts, err := c.partitions(ctx, h.ID)
	if err != nil {
		return err
	}
	for _, pv := range r.PVs {
		g, ok := byName[pv.LVMVGName]
		if !ok {
			continue
		}
		pv.HostUUID, pv.LVGUUID = h.UUID, g.UUID
		if o, ok := byPath[pv.DiskOrPartDevicePath]; ok {
			pv.ID, pv.UUID, pv.CreatedAt, pv.DiskOrPartUUID, pv.PVType = o.ID, o.UUID, o.CreatedAt, o.DiskOrPartUUID, o.PVType
			if _, err := c.exec(ctx, `UPDATE inv_pv SET lvg_id = ?, body = ? WHERE id = ?`, g.ID, body(pv), pv.ID); err != nil {
				return err
			}
			continue
		}
		pv.UUID, pv.CreatedAt = newUUID(), t
		if pv.PVState == "" {
			pv.PVState = inventory.LVGProvisioned
		}
		found := false
		for _, d := range disks {
			if d.DevicePath == pv.DiskOrPartDevicePath && d.PVUUID == "" {
				pv.DiskOrPartUUID, pv.PVType, pv.DiskOrPartDeviceNode, found = d.UUID, inventory.PVDisk, d.DeviceNode, true
				d.PVUUID = pv.UUID
				if err := c.putDisk(ctx, d); err != nil {
					return err
				}
			}
		}
		for _, p := range parts {
			if !found && p.DevicePath == pv.DiskOrPartDevicePath && p.PVUUID == "" {
				pv.DiskOrPartUUID, pv.PVType, pv.DiskOrPartDeviceNode, found = p.UUID, inventory.PVPartition, p.DeviceNode, true
				p.PVUUID = pv.UUID
				if _, err := c.exec(ctx, `UPDATE inv_partition SET body = ? WHERE id = ?`, body(p), p.ID); err != nil {
					return err
				}
			}
		}
		if !found {
			continue
		}
		if _, err := c.insert(ctx, `INSERT INTO inv_pv (uuid, host_id, lvg_id, dop_uuid, body) VALUES (?, ?, ?, ?, ?)`,
			pv.UUID, h.ID, g.ID, pv.DiskOrPartUUID, body(pv)); err != nil {
			return err
		}
	}
	return nil
}
