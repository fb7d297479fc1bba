package hwdiscovery

import (
	"sort"
	"strconv"

	"github.com/edgeflock/flock/inventory"
)

// dpdkDrivers are the NIC drivers DPDK has a poll-mode driver for.
var dpdkDrivers = map[string]bool{
	"i40e": true, "ice": true, "ixgbe": true, "igb": true, "e1000e": true, "igc": true,
	"iavf": true, "ixgbevf": true, "mlx5_core": true, "mlx4_core": true, "bnxt_en": true,
	"qede": true, "virtio_net": true, "virtio-pci": true, "vmxnet3": true, "ena": true,
}

// Report maps the facts to the inventory report an agent sends. mac is
// the management MAC; "" takes the MgmtPort's. How facts become records:
//
//   - NUMA nodes: the kernel's; a machine without NUMA information is
//     one node, 0, with the whole machine's memory, and its CPUs are on
//     node 0 (inventory numbers processors from 0).
//   - CPUs: Core is the physical core's dense index in its socket,
//     Thread its index among the core's siblings; CPUFamily and CPUModel
//     are /proc/cpuinfo's.
//   - Memory (MiB, pages): NodeMemTotalMiB and MemTotalMiB are the
//     node's total, MemAvailMiB its free memory; the hugepage counts are
//     the node's pools, Possible* what the node's memory would hold.
//     The platform reservation is the controller's to set.
//   - Disks: DevicePath is the by-path link (empty without udev: the
//     inventory then keys the disk by DeviceNode), DeviceID the by-id
//     link's name; AvailableMiB is the size less the partitions'; the
//     root disk has capabilities stor_function=rootfs; RPM is udev's or
//     "Undetermined".
//   - Partitions: DevicePath is the by-path link, or the device node.
//   - Ports: PClass, PVendor, PDevice, PSVendor, PSDevice are pci.ids
//     names; Speed is 0 when the driver reports none; BootP is the PXE
//     guess.
func (f *Facts) Report(mac string) inventory.Report {
	r := inventory.Report{MgmtMAC: mac, Hostname: f.Hostname}
	if r.MgmtMAC == "" {
		for _, p := range f.Ports {
			if p.Name == f.MgmtPort {
				r.MgmtMAC = p.MAC
			}
		}
	}
	r.Nodes = []inventory.Node{}
	for _, n := range f.NUMANodes {
		r.Nodes = append(r.Nodes, inventory.Node{NumaNode: n.Node})
	}
	if len(r.Nodes) == 0 {
		r.Nodes = append(r.Nodes, inventory.Node{NumaNode: 0})
	}
	r.CPUs = []inventory.CPU{}
	for _, c := range f.CPU.Logical {
		r.CPUs = append(r.CPUs, inventory.CPU{
			CPU: c.CPU, NumaNode: max(c.NUMANode, 0), Core: c.Core, Thread: c.Thread,
			CPUFamily: f.CPU.Family, CPUModel: f.CPU.Model,
		})
	}
	r.Memory = []inventory.Memory{}
	oneG := f.Memory.Hugepages1G != nil
	for _, n := range f.NUMANodes {
		r.Memory = append(r.Memory, memoryRecord(n.Node, n.TotalKiB, n.FreeKiB, n.Hugepages2M, n.Hugepages1G, oneG))
	}
	if len(f.NUMANodes) == 0 {
		r.Memory = append(r.Memory, memoryRecord(0, f.Memory.TotalKiB, f.Memory.FreeKiB, f.Memory.Hugepages2M, f.Memory.Hugepages1G, oneG))
	}
	r.Disks = []inventory.Disk{}
	for _, d := range f.Disks {
		size := int(d.SizeBytes >> 20)
		used := 0
		for _, p := range d.Partitions {
			used += int(p.SizeBytes >> 20)
			node := p.ByPath
			if node == "" {
				node = p.DeviceNode
			}
			r.Partitions = append(r.Partitions, inventory.Partition{
				StartMiB: int(p.StartBytes >> 20), EndMiB: int((p.EndBytes + 1) >> 20), SizeMiB: int(p.SizeBytes >> 20),
				DeviceNode: p.DeviceNode, DevicePath: node, TypeGUID: p.TypeGUID, TypeName: p.TypeName,
				Status: inventory.PartitionInUse,
			})
		}
		rec := inventory.Disk{
			DeviceNode: d.DeviceNode, DeviceNum: d.DeviceNum, DeviceType: inventory.DiskType(d.Type),
			DevicePath: d.ByPath, DeviceWWN: d.WWN, SizeMiB: size, AvailableMiB: max(size-used, 0),
			RPM: "Undetermined", SerialID: d.Serial, Capabilities: map[string]any{},
		}
		if d.ByID != "" {
			rec.DeviceID = lastElem(d.ByID)
		}
		if d.RPM > 0 {
			rec.RPM = itoa(d.RPM)
		}
		if d.Model != "" {
			rec.Capabilities["model_num"] = d.Model
		}
		if d.DeviceNode == f.RootDisk {
			rec.Capabilities["stor_function"] = "rootfs"
		}
		r.Disks = append(r.Disks, rec)
	}
	for _, g := range f.LVM.VGs {
		access := "r"
		if g.Writable {
			access = "wz--n-"
		}
		r.LVGs = append(r.LVGs, inventory.LVG{
			VGState: inventory.LVGProvisioned, LVMVGName: g.Name, LVMVGUUID: g.UUID, LVMVGAccess: access,
			LVMMaxLV: g.MaxLV, LVMCurLV: g.LVs, LVMMaxPV: g.MaxPV, LVMCurPV: g.PVs,
			LVMVGSize: int64(g.TotalPE) * g.ExtentBytes, LVMTotalPE: g.TotalPE, LVMFreePE: g.FreePE,
		})
	}
	for _, p := range f.LVM.PVs {
		pv := inventory.PV{
			PVState: inventory.LVGProvisioned, PVType: inventory.PVDisk, DiskOrPartDeviceNode: p.Device,
			DiskOrPartDevicePath: p.Device, LVMPVName: p.Device, LVMVGName: p.VG, LVMPVUUID: p.UUID,
			LVMPVSize: p.SizeBytes, LVMPETotal: p.PETotal, LVMPEAlloced: p.PEAlloc,
		}
		for _, d := range f.Disks {
			for _, part := range d.Partitions {
				if part.DeviceNode == p.Device {
					pv.PVType = inventory.PVPartition
					if part.ByPath != "" {
						pv.DiskOrPartDevicePath = part.ByPath
					}
				}
			}
			if d.DeviceNode == p.Device && d.ByPath != "" {
				pv.DiskOrPartDevicePath = d.ByPath
			}
		}
		r.PVs = append(r.PVs, pv)
	}
	r.Ports = []inventory.Port{}
	for _, p := range f.Ports {
		rec := inventory.Port{
			Name: p.Name, PCIAddr: p.PCIAddr, NumaNode: p.NUMANode, Driver: p.Driver, MAC: p.MAC, MTU: p.MTU,
			SRIOVTotalVFs: p.SRIOVTotalVFs, SRIOVNumVFs: p.SRIOVNumVFs, LinkMode: itoa(p.LinkMode),
			BootP: p.PXE, DPDKSupport: dpdkDrivers[p.Driver],
		}
		if p.SpeedMbps != nil {
			rec.Speed = *p.SpeedMbps
		}
		for _, d := range f.PCI {
			if d.Addr == p.PCIAddr {
				rec.PClass, rec.PVendor, rec.PDevice = d.ClassName, d.Vendor, d.Device
				rec.PSVendor, rec.PSDevice = d.SubVendor, d.SubDevice
			}
		}
		r.Ports = append(r.Ports, rec)
	}
	sort.Slice(r.CPUs, func(i, j int) bool { return r.CPUs[i].CPU < r.CPUs[j].CPU })
	return r
}

func memoryRecord(node int, total, free *int64, h2, h1 *Hugepages, oneG bool) inventory.Memory {
	m := inventory.Memory{NumaNode: node, VswitchHugepagesSizeMiB: 2}
	if oneG {
		m.VswitchHugepagesSizeMiB = 1024
	}
	if total != nil {
		m.NodeMemTotalMiB = int(*total >> 10)
		m.MemTotalMiB = m.NodeMemTotalMiB
	}
	if free != nil {
		m.MemAvailMiB = int(*free >> 10)
	}
	hugeMiB := 0
	if h2 != nil {
		m.VMHugepagesNr2M, m.VMHugepagesAvail2M = h2.Total, h2.Free
		hugeMiB += 2 * h2.Total
	}
	if h1 != nil {
		m.VMHugepagesNr1G, m.VMHugepagesAvail1G = h1.Total, h1.Free
		hugeMiB += 1024 * h1.Total
	}
	m.HugepagesConfigured = hugeMiB > 0
	m.VMHugepagesNr4K = max(m.MemTotalMiB-hugeMiB, 0) * 256
	m.VMHugepagesPossible2M = m.MemTotalMiB / 2
	if oneG {
		m.VMHugepagesPossible1G = m.MemTotalMiB / 1024
		m.VMHugepagesUse1G = true
	}
	return m
}

func lastElem(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

func itoa(n int) string { return strconv.Itoa(n) }
