package hwdiscovery

import (
	"strconv"
	"strings"
)

// PCIIDs is the pci.ids database: names of PCI vendors, devices,
// subsystems and classes. The zero value knows no names.
type PCIIDs struct {
	vendors    map[uint16]string
	devices    map[uint32]string // vendor<<16 | device
	subsystems map[uint64]string // vendor<<48 | device<<32 | subvendor<<16 | subdevice
	classes    map[uint8]string
	subclasses map[uint16]string // class<<8 | subclass
}

// ParsePCIIDs parses the pci.ids format (as in /usr/share/misc/pci.ids):
// vendor lines "vvvv  name", device lines "\tdddd  name", subsystem
// lines "\t\tssss dddd  name", and after a "C cc  name" line the class's
// "\tss  name" subclasses. Lines it cannot read are skipped, as lspci
// does with its own database.
func ParsePCIIDs(s string) *PCIIDs {
	db := &PCIIDs{
		vendors:    map[uint16]string{},
		devices:    map[uint32]string{},
		subsystems: map[uint64]string{},
		classes:    map[uint8]string{},
		subclasses: map[uint16]string{},
	}
	var (
		vendor, device uint16
		class          uint8
		inClass        bool
		haveVendor     bool
		haveDevice     bool
	)
	for len(s) > 0 {
		var ln string
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			ln, s = s[:i], s[i+1:]
		} else {
			ln, s = s, ""
		}
		if ln == "" || ln[0] == '#' {
			continue
		}
		tabs := 0
		for tabs < len(ln) && ln[tabs] == '\t' {
			tabs++
		}
		body := ln[tabs:]
		switch tabs {
		case 0:
			haveVendor, haveDevice, inClass = false, false, false
			if strings.HasPrefix(body, "C ") {
				id, name, ok := idName(body[2:], 2)
				if ok {
					class, inClass = uint8(id), true
					db.classes[class] = name
				}
				continue
			}
			id, name, ok := idName(body, 4)
			if ok && len(body) > 4 && body[4] == ' ' {
				vendor, haveVendor = uint16(id), true
				db.vendors[vendor] = name
			}
		case 1:
			haveDevice = false
			if inClass {
				if id, name, ok := idName(body, 2); ok {
					db.subclasses[uint16(class)<<8|uint16(id)] = name
				}
				continue
			}
			if !haveVendor {
				continue
			}
			if id, name, ok := idName(body, 4); ok {
				device, haveDevice = uint16(id), true
				db.devices[uint32(vendor)<<16|uint32(device)] = name
			}
		case 2:
			if inClass || !haveDevice || len(body) < 10 || body[4] != ' ' {
				continue
			}
			sv, err1 := strconv.ParseUint(body[:4], 16, 16)
			id, name, ok := idName(body[5:], 4)
			if err1 == nil && ok {
				db.subsystems[uint64(vendor)<<48|uint64(device)<<32|sv<<16|id] = name
			}
		}
	}
	return db
}

// idName splits "hhhh  name" where the id has n hexadecimal digits.
func idName(s string, n int) (uint64, string, bool) {
	if len(s) < n+2 || s[n] != ' ' {
		return 0, "", false
	}
	id, err := strconv.ParseUint(s[:n], 16, 64)
	if err != nil {
		return 0, "", false
	}
	name := strings.TrimSpace(s[n:])
	if name == "" {
		return 0, "", false
	}
	return id, name, true
}

// Vendor returns a vendor's name, or "".
func (db *PCIIDs) Vendor(v uint16) string {
	if db == nil {
		return ""
	}
	return db.vendors[v]
}

// Device returns a device's name, or "".
func (db *PCIIDs) Device(v, d uint16) string {
	if db == nil {
		return ""
	}
	return db.devices[uint32(v)<<16|uint32(d)]
}

// Subsystem returns a subsystem's name, or "". As lspci does, a
// subsystem with no entry whose ids are the device's own is named as
// the device.
func (db *PCIIDs) Subsystem(v, d, sv, sd uint16) string {
	if db == nil {
		return ""
	}
	if n, ok := db.subsystems[uint64(v)<<48|uint64(d)<<32|uint64(sv)<<16|uint64(sd)]; ok {
		return n
	}
	if v == sv && d == sd {
		return db.devices[uint32(v)<<16|uint32(d)]
	}
	return ""
}

// Class returns the name of a class (its top byte) and of its subclass
// (the second byte): the subclass's name when it has one, else the
// class's, as lspci shows it.
func (db *PCIIDs) Class(class uint32) string {
	if db == nil {
		return ""
	}
	c, sc := uint8(class>>16), uint8(class>>8)
	if n, ok := db.subclasses[uint16(c)<<8|uint16(sc)]; ok {
		return n
	}
	return db.classes[c]
}
