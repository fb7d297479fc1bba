package hwdiscovery

import "strings"

// ports reads the physical network ports and picks the management one.
func (r *run) ports() {
	const dir = "sys/class/net"
	names, err := r.t.list(dir)
	if err != nil {
		r.unknown("ports", reason(dir, err))
		return
	}
	r.f.Ports = []Port{}
	bootif := ""
	if b := r.cmdline["BOOTIF"]; b != "" {
		// pxelinux's BOOTIF=01-aa-bb-cc-dd-ee-ff: hardware type 01, MAC.
		b = strings.ReplaceAll(strings.ToLower(b), "-", ":")
		if len(b) == len("01:")+17 {
			bootif = b[3:]
		}
	}
	for _, name := range names {
		ndir := dir + "/" + name
		if !r.t.has(ndir + "/device") {
			continue // a virtual interface: lo, bridge, veth, tun, ifb...
		}
		if typ, ok := r.optInt(ndir + "/type"); !ok || typ != 1 {
			continue // not Ethernet (ARPHRD_ETHER)
		}
		r.f.Ports = append(r.f.Ports, r.port(name, ndir, bootif))
	}
	r.f.MgmtPort = r.mgmtPort()
	if r.f.MgmtPort == "" {
		r.unknown("mgmt_port", "the machine has no physical Ethernet port")
	}
}

func (r *run) port(name, dir, bootif string) Port {
	fact := "ports[" + name + "]"
	p := Port{Name: name, NUMANode: -1}
	p.MAC, _ = r.readLine(fact+".mac", dir+"/address")
	if mtu, ok := r.readInt(fact+".mtu", dir+"/mtu"); ok {
		p.MTU = int(mtu)
	}
	p.OperState, _ = r.readLine(fact+".oper_state", dir+"/operstate")
	if c, ok := r.optInt(dir + "/carrier"); ok {
		p.Link = c == 1
	}
	if lm, ok := r.optInt(dir + "/link_mode"); ok {
		p.LinkMode = int(lm)
	}
	if s, ok := r.optInt(dir + "/speed"); ok && s > 0 {
		v := int(s)
		p.SpeedMbps = &v
	} else {
		r.unknown(fact+".speed_mbps", "the driver reports no speed (/"+dir+"/speed unreadable or -1)")
	}
	if s, err := r.t.line(dir + "/duplex"); err == nil && s != "unknown" && s != "" {
		p.Duplex = s
	} else {
		r.unknown(fact+".duplex", "the driver reports no duplex (/"+dir+"/duplex unreadable or unknown)")
	}
	p.Driver = r.driverOf(dir + "/device")
	if dev, err := r.t.link(dir + "/device"); err == nil {
		p.PCIAddr = pciParent(dev)
	}
	if p.PCIAddr == "" {
		r.unknown(fact+".pci_addr", "/"+dir+"/device: no PCI function above the port")
	} else if pd := r.pciByAddr(p.PCIAddr); pd != nil {
		p.VendorID, p.DeviceID, p.NUMANode = pd.VendorID, pd.DeviceID, pd.NUMANode
		p.SRIOVTotalVFs, p.SRIOVNumVFs = pd.SRIOVTotalVFs, pd.SRIOVNumVFs
		p.IsVF = pd.PhysFn != ""
		p.PXE = pd.ExpansionROM && !p.IsVF
	}
	p.BootInterface = bootif != "" && strings.EqualFold(bootif, p.MAC)
	p.PXE = p.PXE || p.BootInterface
	return p
}

// mgmtPort picks the management port: the port of the IPv4 default
// route, else the first port whose link is up, else the first port.
func (r *run) mgmtPort() string {
	if s, err := r.t.read("proc/net/route"); err == nil {
		if ifc := defaultRouteIface(s); ifc != "" {
			for _, p := range r.f.Ports {
				if p.Name == ifc {
					return ifc
				}
			}
		}
	}
	for _, p := range r.f.Ports {
		if p.Link && !p.IsVF {
			return p.Name
		}
	}
	if len(r.f.Ports) > 0 {
		return r.f.Ports[0].Name
	}
	return ""
}

// rootDevices finds the block devices of / and /boot.
func (r *run) rootDevices() {
	s, err := r.t.read("proc/self/mountinfo")
	if err != nil {
		r.unknown("rootfs", reason("proc/self/mountinfo", err))
		return
	}
	mounts := parseMountinfo(s)
	root, ok := mounts["/"]
	if !ok {
		r.unknown("rootfs", "/proc/self/mountinfo has no / mount")
		return
	}
	rootName, rootDisk, why := r.blockOf(root.MajMin)
	if why != "" {
		r.unknown("rootfs", why)
		return
	}
	r.f.RootFS, r.f.RootDisk, r.f.BootDisk = "/dev/"+rootName, "/dev/"+rootDisk, "/dev/"+rootDisk
	if boot, ok := mounts["/boot"]; ok {
		if _, disk, why := r.blockOf(boot.MajMin); why == "" {
			r.f.BootDisk = "/dev/" + disk
		}
	}
}

// blockOf returns the block device of major:minor and its whole disk.
func (r *run) blockOf(majMin string) (name, disk, why string) {
	if _, _, err := splitMajMin(majMin); err != nil {
		return "", "", "mountinfo: " + err.Error()
	}
	l, err := r.t.link("sys/dev/block/" + majMin)
	if err != nil || !r.t.has("sys/dev/block/"+majMin) {
		return "", "", "block device " + majMin + " is not in /sys/dev/block (a virtual filesystem, or an overlay)"
	}
	parts := strings.Split(l, "/")
	name = parts[len(parts)-1]
	disk = name
	if r.t.has(l+"/partition") && len(parts) >= 2 {
		disk = parts[len(parts)-2]
	}
	return name, disk, ""
}
