package inventory

import (
	"bufio"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bulk add and export files are StarlingX's (sysinv's host.py bulk_add
// and bulk_export, the system CLI's host-bulk-add and host-bulk-export):
//
//	<?xml version="1.0" ?>
//	<hosts version="24.09">
//		<host>
//			<personality>worker</personality>
//			<hostname>worker-0</hostname>
//			<mgmt_mac>08:00:27:3a:10:04</mgmt_mac>
//			<bm_ip>10.10.10.50</bm_ip>
//			<bm_type>ipmi</bm_type>
//			<bm_username>root</bm_username>
//			<bm_password>secret</bm_password>
//			<power_on/>
//		</host>
//	</hosts>

// Limits of a bulk add file. A larger file, or one with more hosts, is
// refused before any host is looked at.
const (
	BulkXMLMaxBytes = 8 << 20 // 8 MiB
	BulkXMLMaxHosts = 10000
)

// bulkElements are the child elements a <host> may hold: StarlingX's
// HOST_XML_ATTRIBUTES, and mgmt_ip and tboot, which its bulk_export
// writes (its bulk_add ignores them; Flock reads mgmt_ip).
var bulkElements = []string{
	"hostname", "personality", "subfunctions", "mgmt_mac", "mgmt_ip",
	"bm_ip", "bm_type", "bm_username", "bm_password", "boot_device",
	"rootfs_device", "hw_settle", "install_output", "console",
	"vsc_controllers", "power_on", "location", "apparmor", "sw_version",
	"tboot",
}

// BMC types StarlingX accepts (constants.HOST_BM_VALID_TYPE_LIST).
var bmTypes = []string{"none", "dynamic", "ipmi", "redfish"}

// Subfunctions StarlingX knows.
var subfunctionNames = []string{"controller", "worker", "storage", "lowlatency", "edgeworker"}

// hostnameRE is StarlingX's check of a worker's hostname ("^[\w\.\-]+$").
var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]+$`)

// macRE and one separator throughout are StarlingX's is_valid_mac.
var macRE = regexp.MustCompile(`^[0-9a-f]{2}[-:][0-9a-f]{2}(?:[-:][0-9a-f]{2}){4}$`)

// BulkXMLError is an error in a bulk add file: where it is, which host,
// and what is wrong (usually a *FieldError naming the element). It wraps
// ErrInvalid.
type BulkXMLError struct {
	// Line is the line of the file (from 1), 0 if unknown.
	Line int
	// Host is the position of the <host> element (from 1), 0 when the
	// error is not inside one.
	Host int
	// Hostname is the host's <hostname>, when it was read.
	Hostname string
	// Err is what is wrong; it wraps ErrInvalid.
	Err error
}

// Error implements error.
func (e *BulkXMLError) Error() string {
	var b strings.Builder
	b.WriteString("bulk add file")
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	if e.Host > 0 {
		fmt.Fprintf(&b, ": host %d", e.Host)
		if e.Hostname != "" {
			fmt.Fprintf(&b, " (%s)", e.Hostname)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *BulkXMLError) Unwrap() error { return e.Err }

// errTooLarge is returned by the limited reader past BulkXMLMaxBytes.
var errTooLarge = errors.New("too large")

type limitedReader struct {
	r io.Reader
	n int64 // bytes left
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// One byte more than the limit tells a file of exactly the
		// limit from a larger one.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// bulkHost is one <host> as read, before its values are checked.
type bulkHost struct {
	index  int
	line   int
	values map[string]string
	lines  map[string]int
}

// ParseBulkXML reads a bulk add file (StarlingX's host-bulk-add format,
// which its host-bulk-export writes) and returns its hosts in file order.
// Every host is checked before any is returned: the first error is a
// *BulkXMLError naming the line, the host (by position and hostname) and
// the element. The file is strict: an unknown element or attribute, a
// repeated element, text where none belongs, a missing personality or
// mgmt_mac, two hosts with one hostname or MAC, or a file over
// BulkXMLMaxBytes or BulkXMLMaxHosts is an error.
//
// Values are taken as written (no trimming, as StarlingX). An empty
// element means the field is unset. mgmt_mac is returned in lower case
// with colons, IP addresses in their canonical form, <location> as
// {"locn": text}, <power_on/> as PowerOn. <bm_password> is read (it is
// write-only: export never writes it). <tboot> is read and ignored, as
// StarlingX's bulk add ignores it. <apparmor>, <sw_version> and
// <vsc_controllers>, which Flock does not manage, must be empty (or
// apparmor "disabled", its default).
func ParseBulkXML(r io.Reader) ([]HostSpec, error) {
	hosts, err := readBulkXML(r)
	if err != nil {
		return nil, err
	}
	specs := make([]HostSpec, 0, len(hosts))
	byName := map[string]int{}
	byMAC := map[string]int{}
	for _, h := range hosts {
		s, err := h.spec()
		if err != nil {
			return nil, err
		}
		if s.Hostname != "" {
			if prev, ok := byName[s.Hostname]; ok {
				return nil, h.fail("hostname", Fieldf("hostname", "%q is also host %d's", s.Hostname, prev))
			}
			byName[s.Hostname] = h.index
		}
		if prev, ok := byMAC[s.MgmtMAC]; ok {
			return nil, h.fail("mgmt_mac", Fieldf("mgmt_mac", "%s is also host %d's", s.MgmtMAC, prev))
		}
		byMAC[s.MgmtMAC] = h.index
		specs = append(specs, s)
	}
	return specs, nil
}

// readBulkXML reads the structure of the file: <hosts> holding <host>
// elements holding known leaf elements.
func readBulkXML(r io.Reader) ([]*bulkHost, error) {
	d := xml.NewDecoder(bufio.NewReader(&limitedReader{r: r, n: BulkXMLMaxBytes}))
	line := func() int { l, _ := d.InputPos(); return l }
	fail := func(h *bulkHost, err error) error {
		e := &BulkXMLError{Line: line(), Err: err}
		if h != nil {
			e.Host = h.index
			e.Hostname = h.values["hostname"]
		}
		return e
	}
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
	}

	var (
		hosts   []*bulkHost
		cur     *bulkHost // the <host> being read
		field   string    // the leaf element being read
		text    strings.Builder
		depth   int // 1 inside <hosts>, 2 inside <host>, 3 inside a leaf
		sawRoot bool
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return nil, &BulkXMLError{Err: invalid("the file is larger than %d MiB", BulkXMLMaxBytes>>20)}
			}
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, &BulkXMLError{Line: se.Line, Err: invalid("not well-formed XML: %s", se.Msg)}
			}
			return nil, fail(cur, invalid("cannot read the file: %v", err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if t.Name.Space != "" {
				name = t.Name.Space + ":" + name
			}
			switch depth {
			case 0:
				if sawRoot {
					return nil, fail(nil, invalid("a second root element <%s>", name))
				}
				if name != "hosts" {
					return nil, fail(nil, invalid("the root element is <%s>, not <hosts>", name))
				}
				sawRoot = true
				for _, a := range t.Attr {
					if a.Name.Space != "" || a.Name.Local != "version" {
						return nil, fail(nil, invalid("unknown attribute %q of <hosts>", attrName(a.Name)))
					}
				}
			case 1:
				if name != "host" {
					return nil, fail(nil, Fieldf(name, "unknown element: <hosts> holds <host> elements only"))
				}
				if len(hosts) == BulkXMLMaxHosts {
					return nil, fail(nil, invalid("more than %d hosts", BulkXMLMaxHosts))
				}
				if len(t.Attr) > 0 {
					return nil, fail(nil, invalid("unknown attribute %q of <host>", attrName(t.Attr[0].Name)))
				}
				cur = &bulkHost{index: len(hosts) + 1, line: line(), values: map[string]string{}, lines: map[string]int{}}
				hosts = append(hosts, cur)
			case 2:
				if !slices.Contains(bulkElements, name) {
					return nil, fail(cur, Fieldf(name, "unknown element: a <host> holds %s", strings.Join(bulkElements, ", ")))
				}
				if _, dup := cur.values[name]; dup {
					return nil, fail(cur, Fieldf(name, "repeated: a host has at most one <%s>", name))
				}
				if len(t.Attr) > 0 {
					return nil, fail(cur, Fieldf(name, "unknown attribute %q", attrName(t.Attr[0].Name)))
				}
				field = name
				text.Reset()
				cur.lines[name] = line()
			default:
				return nil, fail(cur, Fieldf(field, "holds an element <%s>: it holds text only", name))
			}
			depth++
		case xml.EndElement:
			depth--
			switch depth {
			case 2:
				cur.values[field] = text.String()
				field = ""
			case 1:
				cur = nil
			}
		case xml.CharData:
			if depth == 3 {
				if text.Len()+len(t) > BulkXMLMaxBytes {
					return nil, fail(cur, Fieldf(field, "too long"))
				}
				text.Write(t)
				continue
			}
			if strings.TrimSpace(string(t)) != "" {
				where := "outside <hosts>"
				switch depth {
				case 1:
					where = "in <hosts>"
				case 2:
					where = "in <host>"
				}
				return nil, fail(cur, invalid("text %q %s: values go in the elements of a <host>", clip(string(t)), where))
			}
		case xml.Comment:
			// bulk_export writes comments; they mean nothing.
		case xml.ProcInst:
			if t.Target != "xml" {
				return nil, fail(cur, invalid("processing instruction <?%s?> not allowed", t.Target))
			}
		case xml.Directive:
			return nil, fail(cur, invalid("<!%s> not allowed", clip(string(t))))
		}
	}
	if !sawRoot {
		return nil, &BulkXMLError{Err: invalid("no <hosts> element")}
	}
	return hosts, nil
}

func attrName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// clip shortens s for an error message.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

// fail returns err, a *FieldError about element, as a *BulkXMLError
// about host h.
func (h *bulkHost) fail(element string, err error) error {
	l := h.lines[element]
	if l == 0 {
		l = h.line
	}
	return &BulkXMLError{Line: l, Host: h.index, Hostname: h.values["hostname"], Err: err}
}

// spec checks the values of one host and returns them as a HostSpec.
func (h *bulkHost) spec() (HostSpec, error) {
	v := h.values
	for _, name := range bulkElements {
		if s, ok := v[name]; ok {
			if err := checkText(s); err != nil {
				return HostSpec{}, h.fail(name, Fieldf(name, "%v", err))
			}
		}
	}
	var s HostSpec
	var err error

	p, ok := v["personality"]
	if !ok || p == "" {
		return HostSpec{}, h.fail("personality", Fieldf("personality", "required: one of controller, worker, storage, edgeworker"))
	}
	if s.Personality, err = ParsePersonality(p); err != nil {
		return HostSpec{}, h.fail("personality", err)
	}

	if name := v["hostname"]; name != "" {
		if len(name) > 255 {
			return HostSpec{}, h.fail("hostname", Fieldf("hostname", "longer than 255 characters"))
		}
		if !hostnameRE.MatchString(name) {
			return HostSpec{}, h.fail("hostname", Fieldf("hostname", "%q: may only contain letters, numbers, underscores, periods and hyphens", name))
		}
		s.Hostname = name
	}

	if sf := v["subfunctions"]; sf != "" {
		for f := range strings.SplitSeq(sf, ",") {
			if !slices.Contains(subfunctionNames, f) {
				return HostSpec{}, h.fail("subfunctions", Fieldf("subfunctions", "%q is not one of %s", f, strings.Join(subfunctionNames, ", ")))
			}
		}
		s.Subfunctions = sf
	}

	mac := v["mgmt_mac"]
	if mac == "" {
		return HostSpec{}, h.fail("mgmt_mac", Fieldf("mgmt_mac", "required: the MAC address of the host's management interface"))
	}
	if s.MgmtMAC, err = normalizeMAC(mac); err != nil {
		return HostSpec{}, h.fail("mgmt_mac", Fieldf("mgmt_mac", "%v", err))
	}

	if a := v["mgmt_ip"]; a != "" {
		ip, err := netip.ParseAddr(a)
		if err != nil || ip.Zone() != "" {
			return HostSpec{}, h.fail("mgmt_ip", Fieldf("mgmt_ip", "%q is not an IP address", a))
		}
		s.MgmtIP = ip.String()
	}
	if a := v["bm_ip"]; a != "" {
		if s.BMIP, err = CheckBMAddress(a); err != nil {
			return HostSpec{}, h.fail("bm_ip", err)
		}
	}

	if t := v["bm_type"]; t != "" {
		if !slices.Contains(bmTypes, t) {
			return HostSpec{}, h.fail("bm_type", Fieldf("bm_type", "%q is not one of %s", t, strings.Join(bmTypes, ", ")))
		}
		s.BMType = t
	}
	s.BMUsername = v["bm_username"]
	s.BMPassword = v["bm_password"]
	s.BootDevice = v["boot_device"]
	s.RootfsDevice = v["rootfs_device"]
	s.Console = v["console"]

	if hw := v["hw_settle"]; hw != "" {
		if n, err := strconv.Atoi(hw); err != nil || n < 0 {
			return HostSpec{}, h.fail("hw_settle", Fieldf("hw_settle", "%q is not a number of seconds", hw))
		}
		s.HWSettle = hw
	}
	if o := v["install_output"]; o != "" {
		if o != "text" && o != "graphical" {
			return HostSpec{}, h.fail("install_output", Fieldf("install_output", "%q is not one of text, graphical", o))
		}
		s.InstallOutput = o
	}

	if pw, ok := v["power_on"]; ok {
		if pw != "" {
			return HostSpec{}, h.fail("power_on", Fieldf("power_on", "must be empty: <power_on/>"))
		}
		s.PowerOn = true
	}
	if l, ok := v["location"]; ok {
		s.Location = map[string]any{"locn": l}
	}

	if a := v["apparmor"]; a != "" {
		switch a {
		case "disabled":
		case "enabled":
			return HostSpec{}, h.fail("apparmor", Fieldf("apparmor", "flock does not manage AppArmor; leave it out or disabled"))
		default:
			return HostSpec{}, h.fail("apparmor", Fieldf("apparmor", "%q is not one of enabled, disabled", a))
		}
	}
	if sv := v["sw_version"]; sv != "" {
		return HostSpec{}, h.fail("sw_version", Fieldf("sw_version", "not supported: a host is installed with the controller's software version; leave it out"))
	}
	if vc := v["vsc_controllers"]; vc != "" {
		// StarlingX accepts it only with the Nuage VRS vswitch.
		return HostSpec{}, h.fail("vsc_controllers", Fieldf("vsc_controllers", "not applicable: flock has no Nuage VRS vswitch"))
	}
	return s, nil
}

// checkText refuses what a value may not hold: control characters (a
// value is one line) and invalid UTF-8.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("holds the control character %U", r)
		}
		if r == 0xFFFE || r == 0xFFFF {
			return fmt.Errorf("holds %U, which XML does not allow", r)
		}
	}
	return nil
}

// normalizeMAC checks a MAC address as StarlingX does and returns it in
// lower case with colons.
func normalizeMAC(s string) (string, error) {
	l := strings.ToLower(s)
	if !macRE.MatchString(l) || strings.Count(l, l[2:3]) != 5 {
		return "", fmt.Errorf("%q is not a MAC address (six hex pairs separated by : or -)", s)
	}
	hw, err := net.ParseMAC(l)
	if err != nil {
		return "", fmt.Errorf("%q is not a MAC address", s)
	}
	return hw.String(), nil
}

// WriteBulkXML writes hosts as a bulk export file, the format of
// StarlingX's host-bulk-export, which ParseBulkXML and StarlingX's
// host-bulk-add read back. Hosts are written controllers first, then
// storage, workers and the rest, by hostname within each, as StarlingX
// does; swVersion is the <hosts version=""> attribute.
//
// The layout is StarlingX's (xml.dom.minidom's toprettyxml: tab
// indentation, empty elements as <x/>, the power-on comment), with two
// additions so that a Flock export imports into Flock unchanged: every
// host's hostname and subfunctions (StarlingX writes them for workers
// only, since it names controllers and storage hosts itself), and bm_ip
// when set. mgmt_ip is written when the host has one. The BMC password
// is never written: <bm_password/> is empty, as in StarlingX's export.
//
// A value that cannot be written (a control character, invalid UTF-8)
// is an error naming the host and the field; nothing is written then.
func WriteBulkXML(w io.Writer, hosts []Host, swVersion string) error {
	if err := checkText(swVersion); err != nil {
		return Fieldf("software_version", "%v", err)
	}
	sorted := slices.Clone(hosts)
	slices.SortStableFunc(sorted, func(a, b Host) int {
		return cmp.Or(cmp.Compare(personalityRank(a.Personality), personalityRank(b.Personality)), strings.Compare(a.Hostname, b.Hostname))
	})
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" ?>` + "\n")
	if len(sorted) == 0 {
		// minidom writes a childless element as <x/>.
		fmt.Fprintf(&b, "<hosts version=\"%s\"/>\n", escapeXML(swVersion))
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "<hosts version=\"%s\">\n", escapeXML(swVersion))
	for _, h := range sorted {
		var err error
		leaf := func(name, value string) {
			if err != nil {
				return
			}
			if e := checkText(value); e != nil {
				err = Fieldf(name, "host %s: cannot be written: %v", hostLabel(h), e)
				return
			}
			if value == "" {
				fmt.Fprintf(&b, "\t\t<%s/>\n", name)
				return
			}
			fmt.Fprintf(&b, "\t\t<%s>%s</%s>\n", name, escapeXML(value), name)
		}
		b.WriteString("\t<host>\n")
		leaf("personality", string(h.Personality))
		leaf("hostname", h.Hostname)
		leaf("subfunctions", h.Subfunctions)
		leaf("mgmt_mac", h.MgmtMAC)
		if h.MgmtIP != "" {
			leaf("mgmt_ip", h.MgmtIP)
		}
		if locn, ok := h.Location["locn"].(string); ok {
			leaf("location", locn)
		}
		b.WriteString("\t\t<!--Uncomment the statement below to power on the host automatically through board management.-->\n")
		b.WriteString("\t\t<!--<power_on />-->\n")
		if h.BMIP != "" {
			leaf("bm_ip", h.BMIP)
		}
		leaf("bm_type", h.BMType)
		leaf("bm_username", h.BMUsername)
		leaf("bm_password", "")
		leaf("boot_device", h.BootDevice)
		leaf("rootfs_device", h.RootfsDevice)
		leaf("hw_settle", h.HWSettle)
		leaf("install_output", h.InstallOutput)
		leaf("console", h.Console)
		leaf("tboot", "")
		if err != nil {
			return err
		}
		b.WriteString("\t</host>\n")
	}
	b.WriteString("</hosts>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func hostLabel(h Host) string {
	if h.Hostname != "" {
		return h.Hostname
	}
	return h.MgmtMAC
}

// personalityRank is bulk_export's order: controllers, storage, workers,
// the rest.
func personalityRank(p Personality) int {
	switch p {
	case PersonalityController:
		return 0
	case PersonalityStorage:
		return 1
	case PersonalityWorker:
		return 2
	}
	return 3
}

// escapeXML escapes as minidom does (its _write_data): &, <, " and >.
var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;", ">", "&gt;")

func escapeXML(s string) string { return xmlEscaper.Replace(s) }
