package hwdiscovery

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

const pciDir = "sys/bus/pci/devices"

// pciAddrRE matches a PCI function's address (domain:bus:device.function).
var pciAddrRE = regexp.MustCompile(`^[0-9a-f]{4,}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$`)

// pci reads every PCI function.
func (r *run) pci() {
	names, err := r.t.list(pciDir)
	if err != nil {
		r.unknown("pci", reason(pciDir, err))
		return
	}
	r.f.PCI = []PCIDevice{}
	for _, addr := range names {
		if !pciAddrRE.MatchString(addr) {
			continue
		}
		r.f.PCI = append(r.f.PCI, r.pciDevice(addr))
	}
}

func (r *run) pciDevice(addr string) PCIDevice {
	dir := pciDir + "/" + addr
	fact := "pci[" + addr + "]"
	p := PCIDevice{Addr: addr, NUMANode: r.numaOf(dir)}
	hex := func(file string, bits int) (uint64, string) {
		s, ok := r.readLine(fact+"."+file, dir+"/"+file)
		if !ok {
			return 0, ""
		}
		v, err := parseHex(s, bits)
		if err != nil {
			r.unknown(fact+"."+file, fmt.Sprintf("/%s/%s: %q is not hexadecimal", dir, file, s))
			return 0, ""
		}
		return v, fmt.Sprintf("%0*x", bits/4, v)
	}
	class, cs := hex("class", 24)
	vendor, vs := hex("vendor", 16)
	device, ds := hex("device", 16)
	sv, svs := hex("subsystem_vendor", 16)
	sd, sds := hex("subsystem_device", 16)
	_, rev := hex("revision", 8)
	p.Class, p.VendorID, p.DeviceID, p.SubVendorID, p.SubDeviceID, p.Revision = cs, vs, ds, svs, sds, rev
	if r.db != nil {
		if cs != "" {
			p.ClassName = r.db.Class(uint32(class))
		}
		if vs != "" {
			p.Vendor = r.db.Vendor(uint16(vendor))
			if ds != "" {
				p.Device = r.db.Device(uint16(vendor), uint16(device))
			}
		}
		if svs != "" {
			p.SubVendor = r.db.Vendor(uint16(sv))
			if sds != "" {
				p.SubDevice = r.db.Subsystem(uint16(vendor), uint16(device), uint16(sv), uint16(sd))
			}
		}
	}
	p.Driver = r.driverOf(dir)
	if n, ok := r.optInt(dir + "/sriov_totalvfs"); ok {
		p.SRIOVTotalVFs = int(n)
	}
	if n, ok := r.optInt(dir + "/sriov_numvfs"); ok {
		p.SRIOVNumVFs = int(n)
	}
	if r.t.has(dir + "/physfn") {
		if l, err := r.t.link(dir + "/physfn"); err == nil {
			p.PhysFn = path.Base(l)
		}
	}
	p.ExpansionROM = r.t.has(dir + "/rom")
	p.Kind = classify(p)
	return p
}

// driverOf returns the name of the driver bound to the device in dir,
// or "" when none is.
func (r *run) driverOf(dir string) string {
	if !r.t.has(dir + "/driver") {
		return ""
	}
	l, err := r.t.link(dir + "/driver")
	if err != nil {
		return ""
	}
	return path.Base(l)
}

// qatDevices are Intel QuickAssist physical and virtual functions.
var qatDevices = map[string]bool{
	"0435": true, "0443": true, "37c8": true, "37c9": true, "19e2": true, "19e3": true,
	"18ee": true, "18ef": true, "18a0": true, "18a1": true, "4940": true, "4941": true,
	"4942": true, "4943": true, "4944": true, "4945": true, "6f54": true, "6f55": true,
}

// fpgaDevices are Intel programmable acceleration cards (PAC, N3000,
// N5010...).
var fpgaDevices = map[string]bool{
	"09c4": true, "09c5": true, "0b2b": true, "0b2c": true, "0b30": true, "0b31": true,
	"0b32": true, "0d58": true, "0ddb": true, "bcbd": true, "bcbe": true, "bcc0": true, "bcc1": true,
}

// classify tells what kind of device p is: by vendor and device for
// accelerators (whose class codes vary), else by class.
func classify(p PCIDevice) Kind {
	switch {
	case p.VendorID == "8086" && qatDevices[p.DeviceID]:
		return KindQAT
	case p.VendorID == "8086" && fpgaDevices[p.DeviceID],
		p.VendorID == "10ee", p.VendorID == "1172", // Xilinx, Altera
		strings.Contains(p.Device, "FPGA"):
		return KindFPGA
	case strings.Contains(p.Device, "QuickAssist"):
		return KindQAT
	}
	if len(p.Class) != 6 {
		return KindOther
	}
	switch p.Class[:2] {
	case "02":
		return KindNIC
	case "01":
		return KindStorage
	case "03":
		return KindGPU
	case "12":
		return KindAccelerator
	case "06":
		return KindBridge
	}
	return KindOther
}

// pciParent returns the PCI address of the nearest PCI function above
// a resolved sysfs device directory (for a virtio device, its virtio
// PCI function), or "".
func pciParent(dir string) string {
	parts := strings.Split(dir, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if pciAddrRE.MatchString(parts[i]) {
			return parts[i]
		}
	}
	return ""
}

// pciByAddr returns the discovered PCI function at addr.
func (r *run) pciByAddr(addr string) *PCIDevice {
	for i := range r.f.PCI {
		if r.f.PCI[i].Addr == addr {
			return &r.f.PCI[i]
		}
	}
	return nil
}
