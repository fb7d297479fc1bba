package hwdiscovery

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
)

// notDisks are the block devices that are not disks.
var notDisks = []string{"loop", "ram", "zram", "dm-", "md", "sr", "fd", "nbd", "zd"}

// disks reads the whole disks and their partitions.
func (r *run) disks() {
	names, err := r.t.list("sys/block")
	if err != nil {
		r.unknown("disks", reason("sys/block", err))
		return
	}
	r.f.Disks = []Disk{}
	byLinks := r.devDiskLinks()
	for _, name := range names {
		skip := false
		for _, p := range notDisks {
			skip = skip || strings.HasPrefix(name, p)
		}
		if skip {
			continue
		}
		if d, ok := r.disk(name, byLinks); ok {
			r.f.Disks = append(r.f.Disks, d)
		}
	}
}

// devDiskLinks maps a block device name to its /dev/disk links (by-path
// and by-id, relative to /dev), read from /dev/disk when there is no
// udev database.
func (r *run) devDiskLinks() map[string][]string {
	out := map[string][]string{}
	if r.udev {
		return out
	}
	for _, kind := range []string{"by-path", "by-id"} {
		dir := "dev/disk/" + kind
		names, err := r.t.list(dir)
		if err != nil {
			continue
		}
		for _, n := range names {
			if l, err := r.t.link(dir + "/" + n); err == nil {
				out[path.Base(l)] = append(out[path.Base(l)], "disk/"+kind+"/"+n)
			}
		}
	}
	return out
}

// udevOf reads a block device's udev database entry; ok is false when
// there is none (then why says so).
func (r *run) udevOf(majMin string) (rec udevRecord, why string, ok bool) {
	if !r.udev {
		return udevRecord{}, "/run/udev/data: missing (no udev on this machine)", false
	}
	name := "run/udev/data/b" + majMin
	s, err := r.t.read(name)
	if err != nil {
		return udevRecord{}, reason(name, err), false
	}
	return parseUdevData(s), "", true
}

func (r *run) disk(name string, byLinks map[string][]string) (Disk, bool) {
	dir := "sys/block/" + name
	fact := "disks[" + name + "]"
	d := Disk{Name: name, DeviceNode: "/dev/" + name, NUMANode: -1}
	sectors, ok := r.readInt(fact+".size_bytes", dir+"/size")
	if ok && sectors == 0 {
		return d, false // an empty drive (a card reader, a CD drive)
	}
	d.SizeBytes = sectors * 512
	if d.MajMin, ok = r.readLine(fact+".maj_min", dir+"/dev"); ok {
		if maj, min, err := splitMajMin(d.MajMin); err == nil {
			d.DeviceNum = maj<<8 | min
		}
	}
	rot, _ := r.readInt(fact+".rotational", dir+"/queue/rotational")
	d.Rotational = rot == 1
	switch {
	case strings.HasPrefix(name, "nvme"):
		d.Type = "NVME"
	case d.Rotational:
		d.Type = "HDD"
	default:
		d.Type = "SSD"
	}
	if n, ok := r.optInt(dir + "/removable"); ok {
		d.Removable = n == 1
	}
	if n, ok := r.optInt(dir + "/ro"); ok {
		d.ReadOnly = n == 1
	}
	if dev, err := r.t.link(dir + "/device"); err == nil && r.t.has(dir+"/device") {
		d.PCIAddr = pciParent(dev)
		if d.PCIAddr != "" {
			d.NUMANode = r.numaOf(pciDir + "/" + d.PCIAddr)
		}
	}
	if d.PCIAddr == "" {
		r.unknown(fact+".pci_addr", "/"+dir+"/device: no PCI function above the disk")
	}
	rec, udevWhy, haveUdev := r.udevOf(d.MajMin)
	first := func(files ...string) string {
		for _, f := range files {
			if s, err := r.t.line(dir + "/" + f); err == nil && s != "" {
				return s
			}
		}
		return ""
	}
	d.Serial = first("serial", "device/serial")
	if d.Serial == "" {
		d.Serial = rec.Props["ID_SERIAL_SHORT"]
	}
	d.Model = first("device/model")
	if d.Model == "" {
		d.Model = strings.ReplaceAll(rec.Props["ID_MODEL"], "_", " ")
	}
	d.Vendor = first("device/vendor")
	d.WWN = wwn(first("wwid", "device/wwid"))
	if d.WWN == "" {
		d.WWN = rec.Props["ID_WWN_WITH_EXTENSION"]
	}
	if d.WWN == "" {
		d.WWN = rec.Props["ID_WWN"]
	}
	if n, err := strconv.Atoi(rec.Props["ID_ATA_ROTATION_RATE_RPM"]); err == nil && n > 0 {
		d.RPM = n
	}
	links := rec.Links
	if !haveUdev {
		links = byLinks[name]
	}
	d.ByPath, d.ByID = pickLinks(links)
	for _, f := range []struct {
		name string
		v    string
		src  string
	}{
		{"serial", d.Serial, "serial, device/serial"},
		{"model", d.Model, "device/model"},
		{"wwn", d.WWN, "wwid, device/wwid"},
	} {
		if f.v == "" {
			why := "/" + dir + ": no " + f.src
			if !haveUdev {
				why += "; " + udevWhy
			} else {
				why += "; udev has none"
			}
			r.unknown(fact+"."+f.name, why)
		}
	}
	for _, f := range []struct{ name, v string }{{"by_path", d.ByPath}, {"by_id", d.ByID}} {
		if f.v == "" {
			why := "udev made no /dev/disk/" + strings.ReplaceAll(f.name, "_", "-") + " link"
			if !haveUdev {
				why = udevWhy + ", and /dev/disk has no link to " + name
			}
			r.unknown(fact+"."+f.name, why)
		}
	}
	d.Partitions = r.partitions(name, byLinks)
	return d, true
}

// wwn turns a sysfs wwid into udev's ID_WWN form: "naa.5000c500..."
// becomes "0x5000c500..."; NVMe's "eui."/"nguid." forms are kept, as
// lsblk shows them.
func wwn(s string) string {
	if v, ok := strings.CutPrefix(s, "naa."); ok {
		return "0x" + v
	}
	if strings.HasPrefix(s, "t10.") {
		return "" // a vendor string, not a world-wide name
	}
	return s
}

// pickLinks returns the first by-path and the first by-id link (by-id
// preferring a name over a wwn- link), as /dev paths.
func pickLinks(links []string) (byPath, byID string) {
	sorted := append([]string(nil), links...)
	sort.Strings(sorted)
	var wwnLink string
	for _, l := range sorted {
		switch {
		case strings.HasPrefix(l, "disk/by-path/") && byPath == "":
			byPath = "/dev/" + l
		case strings.HasPrefix(l, "disk/by-id/wwn-") && wwnLink == "":
			wwnLink = "/dev/" + l
		case strings.HasPrefix(l, "disk/by-id/") && byID == "":
			byID = "/dev/" + l
		}
	}
	if byID == "" {
		byID = wwnLink
	}
	return byPath, byID
}

func splitMajMin(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, ":")
	maj, err1 := strconv.Atoi(a)
	min, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || maj < 0 || min < 0 {
		return 0, 0, fmt.Errorf("%q is not major:minor", s)
	}
	return maj, min, nil
}

// partitions reads a disk's partitions: the entries of its sysfs
// directory that have a "partition" file.
func (r *run) partitions(disk string, byLinks map[string][]string) []Partition {
	dir := "sys/block/" + disk
	names, err := r.t.list(dir)
	if err != nil {
		return nil
	}
	out := []Partition{}
	for _, n := range names {
		if !strings.HasPrefix(n, disk) || !r.t.has(dir+"/"+n+"/partition") {
			continue
		}
		pdir := dir + "/" + n
		fact := "partitions[" + n + "]"
		p := Partition{Name: n, DeviceNode: "/dev/" + n}
		num, _ := r.readInt(fact+".number", pdir+"/partition")
		start, ok1 := r.readInt(fact+".start_bytes", pdir+"/start")
		size, ok2 := r.readInt(fact+".size_bytes", pdir+"/size")
		p.Number = int(num)
		if ok1 && ok2 {
			p.StartBytes, p.SizeBytes = start*512, size*512
			p.EndBytes = p.StartBytes + p.SizeBytes - 1
		}
		majMin, _ := r.t.line(pdir + "/dev")
		rec, why, ok := r.udevOf(majMin)
		links := rec.Links
		if ok {
			p.TypeGUID = strings.ToLower(rec.Props["ID_PART_ENTRY_TYPE"])
			p.PartUUID = strings.ToLower(rec.Props["ID_PART_ENTRY_UUID"])
			p.PartName = rec.Props["ID_PART_ENTRY_NAME"]
			p.FSType = rec.Props["ID_FS_TYPE"]
			if p.TypeGUID == "" {
				r.unknown(fact+".type_guid", "udev has no ID_PART_ENTRY_TYPE (not a GPT or MBR partition udev's blkid read)")
			}
		} else {
			links = byLinks[n]
			r.unknown(fact+".type_guid", why)
		}
		p.TypeName = partTypeName(p.TypeGUID)
		p.ByPath, _ = pickLinks(links)
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// partTypes names the GPT partition types StarlingX hosts carry.
var partTypes = map[string]string{
	"c12a7328-f81f-11d2-ba4b-00a0c93ec93b": "EFI system partition",
	"21686148-6449-6e6f-744e-656564454649": "BIOS boot partition",
	"0fc63daf-8483-4772-8e79-3d69d8477de4": "Linux filesystem",
	"e6d6d379-f507-44c2-a23c-238f2a3df928": "Linux LVM",
	"ba5eba11-0000-1111-2222-000000000001": "LVM Physical Volume",
	"0657fd6d-a4ab-43c4-84e5-0933c84b4f4f": "Linux swap",
	"4f68bce3-e8cd-4db1-96e7-fbcaf984b709": "Linux root (x86-64)",
	"bc13c2ff-59e6-4262-a352-b275fd6f7172": "Linux extended boot",
	"ebd0a0a2-b9e5-4433-87c0-68b6b72699c7": "Microsoft basic data",
	"4fbd7e29-9d25-41b8-afd0-062c0ceff05d": "Ceph OSD",
	"45b0969e-9b03-4f30-b4c6-b4b80ceff106": "Ceph journal",
	"0x83":                                 "Linux",
	"0x8e":                                 "Linux LVM",
	"0x82":                                 "Linux swap",
	"0xef":                                 "EFI (FAT-12/16/32)",
}

func partTypeName(guid string) string { return partTypes[guid] }
