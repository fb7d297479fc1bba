package libvirtbmc

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/edgeflock/flock/hostmgmt"
)

// libvirt's <os><boot dev=.../> names of the boot devices.
var bootDevs = map[hostmgmt.BootDevice]string{
	hostmgmt.BootPXE:  "network",
	hostmgmt.BootDisk: "hd",
	hostmgmt.BootCD:   "cdrom",
}

// domainInfo is what the engine reads from a domain's XML.
type domainInfo struct {
	UUID          string
	OSType        string
	Machine       string
	Boot          []string // <os><boot dev=.../>, in order
	PerDeviceBoot bool     // some device has <boot order=.../>
	MACs          []string // lower case
	// From <sysinfo type='smbios'>, when the domain has one.
	Manufacturer, Product, Serial, BIOSVersion string
}

type xmlEntry struct {
	Name  string `xml:"name,attr"`
	Value string `xml:",chardata"`
}

type xmlDomain struct {
	XMLName xml.Name `xml:"domain"`
	UUID    string   `xml:"uuid"`
	OS      struct {
		Type struct {
			Machine string `xml:"machine,attr"`
			Value   string `xml:",chardata"`
		} `xml:"type"`
		Boot []struct {
			Dev string `xml:"dev,attr"`
		} `xml:"boot"`
	} `xml:"os"`
	SysInfo []struct {
		Type   string     `xml:"type,attr"`
		System []xmlEntry `xml:"system>entry"`
		BIOS   []xmlEntry `xml:"bios>entry"`
	} `xml:"sysinfo"`
	Devices struct {
		Interfaces []struct {
			MAC struct {
				Address string `xml:"address,attr"`
			} `xml:"mac"`
		} `xml:"interface"`
		Any []struct {
			Boot []struct {
				Order string `xml:"order,attr"`
			} `xml:"boot"`
		} `xml:",any"`
	} `xml:"devices"`
}

func entry(es []xmlEntry, name string) string {
	for _, e := range es {
		if e.Name == name {
			return strings.TrimSpace(e.Value)
		}
	}
	return ""
}

// parseDomain reads a domain's XML.
func parseDomain(s string) (domainInfo, error) {
	var x xmlDomain
	if err := xml.Unmarshal([]byte(s), &x); err != nil {
		return domainInfo{}, fmt.Errorf("domain XML: %w", err)
	}
	info := domainInfo{
		UUID:    strings.TrimSpace(x.UUID),
		OSType:  strings.TrimSpace(x.OS.Type.Value),
		Machine: x.OS.Type.Machine,
	}
	for _, b := range x.OS.Boot {
		info.Boot = append(info.Boot, b.Dev)
	}
	for _, i := range x.Devices.Interfaces {
		if i.MAC.Address != "" {
			info.MACs = append(info.MACs, strings.ToLower(i.MAC.Address))
		}
	}
	// ",any" takes the elements no other field names: the interfaces'
	// boot orders are checked apart.
	for _, d := range x.Devices.Any {
		if len(d.Boot) > 0 {
			info.PerDeviceBoot = true
		}
	}
	if bootOrderIn(s, "interface") {
		info.PerDeviceBoot = true
	}
	for _, si := range x.SysInfo {
		if si.Type != "smbios" {
			continue
		}
		info.Manufacturer = entry(si.System, "manufacturer")
		info.Product = entry(si.System, "product")
		info.Serial = entry(si.System, "serial")
		info.BIOSVersion = entry(si.BIOS, "version")
	}
	return info, nil
}

// bootOrderIn reports whether a <devices><kind> element of the domain
// XML s holds a <boot> element.
func bootOrderIn(s, kind string) bool {
	d := xml.NewDecoder(strings.NewReader(s))
	var path []string
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			if len(path) == 4 && path[1] == "devices" && path[2] == kind && t.Name.Local == "boot" && t.Name.Space == "" {
				return true
			}
		case xml.EndElement:
			path = path[:len(path)-1]
		}
	}
}

// setBoot returns the domain XML s with its <os><boot/> elements replaced
// by one per device of devs, in order, where the first of them was (else
// at the end of <os>); the rest of s is kept byte for byte.
func setBoot(s string, devs []string) (string, error) {
	type span struct{ start, end int64 }
	var (
		d           = xml.NewDecoder(strings.NewReader(s))
		depth       int
		boots       []span
		osStart     int64 = -1
		osEnd       int64 = -1
		inOS        bool
		bootStart   int64 = -1
		sawRoot     bool
		selfClosing bool
	)
	for {
		prev := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("domain XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			plain := t.Name.Space == ""
			switch {
			case depth == 1:
				if t.Name.Local != "domain" || !plain {
					return "", fmt.Errorf("domain XML: root element <%s>, not <domain>", t.Name.Local)
				}
				sawRoot = true
			case depth == 2 && plain && t.Name.Local == "os" && osStart < 0:
				inOS, osStart = true, prev
				selfClosing = strings.HasSuffix(s[prev:d.InputOffset()], "/>")
			case depth == 3 && inOS && plain && t.Name.Local == "boot":
				bootStart = prev
			}
		case xml.EndElement:
			switch {
			case depth == 3 && bootStart >= 0:
				boots = append(boots, span{bootStart, d.InputOffset()})
				bootStart = -1
			case depth == 2 && inOS:
				inOS, osEnd = false, prev
			}
			depth--
		}
	}
	if !sawRoot {
		return "", errors.New("domain XML: no <domain> element")
	}
	if osStart < 0 {
		return "", errors.New("domain XML: no <os> element")
	}
	var elems strings.Builder
	for _, dev := range devs {
		elems.WriteString("<boot dev='")
		xml.EscapeText(&elems, []byte(dev)) //nolint:errcheck // a strings.Builder does not fail
		elems.WriteString("'/>")
	}
	var out strings.Builder
	switch {
	case selfClosing: // <os .../>: open it up
		out.WriteString(s[:osEnd-2])
		out.WriteString(">" + elems.String() + "</os>")
		out.WriteString(s[osEnd:])
		return out.String(), nil
	case len(boots) == 0:
		out.WriteString(s[:osEnd])
		out.WriteString(elems.String())
		out.WriteString(s[osEnd:])
		return out.String(), nil
	}
	pos := int64(0)
	for i, b := range boots {
		out.WriteString(s[pos:b.start])
		if i == 0 {
			out.WriteString(elems.String())
		}
		pos = b.end
	}
	out.WriteString(s[pos:])
	return out.String(), nil
}

// onceOrder is the boot order for a one-time boot from dev: dev first,
// then the previous order as the fallback.
func onceOrder(dev string, prev []string) []string {
	order := []string{dev}
	for _, p := range prev {
		if !slices.Contains(order, p) {
			order = append(order, p)
		}
	}
	return order
}

// pendingXML is the engine's metadata element recording the boot order to
// restore after the next start.
func pendingXML(restore []string) string {
	var b strings.Builder
	b.WriteString("<boot restore=\"")
	xml.EscapeText(&b, []byte(strings.Join(restore, " "))) //nolint:errcheck // a strings.Builder does not fail
	b.WriteString("\"/>")
	return b.String()
}

// parsePending reads the engine's metadata element.
func parsePending(s string) ([]string, error) {
	var x struct {
		XMLName xml.Name `xml:"boot"`
		Restore string   `xml:"restore,attr"`
	}
	if err := xml.Unmarshal([]byte(s), &x); err != nil {
		return nil, fmt.Errorf("libvirtbmc metadata: %w", err)
	}
	devs := strings.Fields(x.Restore)
	if len(devs) == 0 {
		return nil, errors.New("libvirtbmc metadata: no boot order to restore")
	}
	return devs, nil
}
