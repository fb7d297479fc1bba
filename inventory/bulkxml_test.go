package inventory_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
)

// starlingxHosts are the hosts of testdata/bulkxml/gen.py, which wrote
// the StarlingX export files and the golden file from them.
func starlingxHosts() []inventory.Host {
	return []inventory.Host{
		{Hostname: "controller-0", Personality: inventory.PersonalityController, Subfunctions: "controller",
			MgmtMAC: "08:00:27:3a:10:01", MgmtIP: "192.168.204.3",
			Location: map[string]any{"locn": `Rack 1 / U12 & U13 <"east">`},
			BMIP:     "10.10.10.3", BMType: "ipmi", BMUsername: "root",
			BootDevice: "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0", RootfsDevice: "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0",
			HWSettle: "0", InstallOutput: "text", Console: "ttyS0,115200"},
		{Hostname: "worker-1", Personality: inventory.PersonalityWorker, Subfunctions: "worker,lowlatency",
			MgmtMAC: "08:00:27:3a:10:05", MgmtIP: "192.168.204.51",
			BMIP: "10.10.10.51", BMType: "redfish", BMUsername: "admin",
			BootDevice: "/dev/sda", RootfsDevice: "/dev/sda", HWSettle: "5", InstallOutput: "graphical", Console: "tty0"},
		{Hostname: "storage-0", Personality: inventory.PersonalityStorage, Subfunctions: "storage",
			MgmtMAC: "08:00:27:3a:10:03", MgmtIP: "192.168.204.7", Location: map[string]any{},
			BootDevice: "/dev/sda", RootfsDevice: "/dev/sda", HWSettle: "0", InstallOutput: "text", Console: "ttyS0,115200"},
		{Hostname: "worker-0", Personality: inventory.PersonalityWorker, Subfunctions: "worker",
			MgmtMAC: "08:00:27:3a:10:04", MgmtIP: "192.168.204.50", Location: map[string]any{"locn": ""}, BMType: "none",
			BootDevice: "/dev/sda", RootfsDevice: "/dev/sda", HWSettle: "0", InstallOutput: "text", Console: "ttyS0,115200"},
		{Hostname: "controller-1", Personality: inventory.PersonalityController, Subfunctions: "controller",
			MgmtMAC: "08:00:27:3a:10:02", MgmtIP: "192.168.204.4",
			BootDevice: "/dev/sda", RootfsDevice: "/dev/sda", HWSettle: "0", InstallOutput: "text", Console: "ttyS0,115200"},
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "bulkxml", name))
	require.NoError(t, err)
	return b
}

// TestParseBulkXMLStarlingXExport imports files exactly as StarlingX's
// bulk_export wrote them (by gen.py, with StarlingX's own code): they
// import unchanged. StarlingX writes no hostname, subfunctions or bm_ip
// for controllers and storage hosts.
func TestParseBulkXMLStarlingXExport(t *testing.T) {
	ctl0 := inventory.HostSpec{Personality: inventory.PersonalityController, MgmtMAC: "08:00:27:3a:10:01",
		Location: map[string]any{"locn": `Rack 1 / U12 & U13 <"east">`}, BMType: "ipmi", BMUsername: "root",
		BootDevice: "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0", RootfsDevice: "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0",
		HWSettle: "0", InstallOutput: "text", Console: "ttyS0,115200"}
	ctl1 := inventory.HostSpec{Personality: inventory.PersonalityController, MgmtMAC: "08:00:27:3a:10:02",
		BootDevice: "/dev/sda", RootfsDevice: "/dev/sda", HWSettle: "0", InstallOutput: "text", Console: "ttyS0,115200"}
	stor0 := inventory.HostSpec{Personality: inventory.PersonalityStorage, MgmtMAC: "08:00:27:3a:10:03",
		BootDevice: "/dev/sda", RootfsDevice: "/dev/sda", HWSettle: "0", InstallOutput: "text", Console: "ttyS0,115200"}
	wk0 := inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker, Subfunctions: "worker",
		MgmtMAC: "08:00:27:3a:10:04", Location: map[string]any{"locn": ""}, BMType: "none",
		BootDevice: "/dev/sda", RootfsDevice: "/dev/sda", HWSettle: "0", InstallOutput: "text", Console: "ttyS0,115200"}
	wk1 := inventory.HostSpec{Hostname: "worker-1", Personality: inventory.PersonalityWorker, Subfunctions: "worker,lowlatency",
		MgmtMAC: "08:00:27:3a:10:05", BMType: "redfish", BMUsername: "admin",
		BootDevice: "/dev/sda", RootfsDevice: "/dev/sda", HWSettle: "5", InstallOutput: "graphical", Console: "tty0"}
	withIP := func(s inventory.HostSpec, ip string) inventory.HostSpec { s.MgmtIP = ip; return s }

	tests := []struct {
		file string
		want []inventory.HostSpec
	}{
		{"starlingx-export.xml", []inventory.HostSpec{ctl0, ctl1, stor0, wk0, wk1}},
		{"starlingx-export-static.xml", []inventory.HostSpec{
			withIP(ctl0, "192.168.204.3"), withIP(ctl1, "192.168.204.4"), withIP(stor0, "192.168.204.7"),
			withIP(wk0, "192.168.204.50"), withIP(wk1, "192.168.204.51")}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := inventory.ParseBulkXML(bytes.NewReader(readTestdata(t, tc.file)))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseBulkXMLHandWritten(t *testing.T) {
	got, err := inventory.ParseBulkXML(bytes.NewReader(readTestdata(t, "bulk-add.xml")))
	require.NoError(t, err)
	want := []inventory.HostSpec{
		{Hostname: "controller-1", Personality: inventory.PersonalityController, MgmtMAC: "08:00:27:19:b0:c5",
			BMIP: "10.10.10.100", BMType: "ipmi", BMUsername: "tsmith1", BMPassword: "mypass1",
			InstallOutput: "text", Location: map[string]any{"locn": "System12/A4"}},
		{Hostname: "worker-0", Personality: inventory.PersonalityWorker, MgmtMAC: "08:00:27:c4:6c:7a",
			BMIP: "fd00:10::101", BMType: "redfish", BMUsername: "tsmith1", BMPassword: "p&ss<w0rd>", PowerOn: true,
			BootDevice: "/dev/sdb", RootfsDevice: "/dev/sdb", HWSettle: "10",
			Location: map[string]any{"locn": "Système 12 / B2"}},
		{Hostname: "worker-1", Personality: inventory.PersonalityWorker, Subfunctions: "worker,lowlatency",
			MgmtMAC: "08:00:27:82:1f:31", MgmtIP: "192.168.204.61"},
	}
	assert.Equal(t, want, got)
}

// TestWriteBulkXMLGolden: WriteBulkXML's bytes are minidom's for the
// same tree (gen.py's flock_create_node).
func TestWriteBulkXMLGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, inventory.WriteBulkXML(&b, starlingxHosts(), "24.09"))
	assert.Equal(t, string(readTestdata(t, "flock-export.golden.xml")), b.String())
}

// TestWriteBulkXMLIsStarlingXs: for workers without a BMC address,
// WriteBulkXML writes the very bytes of StarlingX's bulk_export (its own
// _create_node, run by gen.py).
func TestWriteBulkXMLIsStarlingXs(t *testing.T) {
	var workers []inventory.Host
	for _, h := range starlingxHosts() {
		if h.Personality == inventory.PersonalityWorker {
			h.BMIP = ""
			workers = append(workers, h)
		}
	}
	var b bytes.Buffer
	require.NoError(t, inventory.WriteBulkXML(&b, workers, "24.09"))
	assert.Equal(t, string(readTestdata(t, "starlingx-export-workers.xml")), b.String())
}

func TestWriteBulkXMLEmpty(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, inventory.WriteBulkXML(&b, nil, "24.09"))
	// minidom's form of a childless root.
	assert.Equal(t, "<?xml version=\"1.0\" ?>\n<hosts version=\"24.09\"/>\n", b.String())
	got, err := inventory.ParseBulkXML(&b)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestWriteBulkXMLRefusesUnwritableValue(t *testing.T) {
	hosts := starlingxHosts()
	hosts[3].Console = "ttyS0\n115200"
	var b bytes.Buffer
	err := inventory.WriteBulkXML(&b, hosts, "24.09")
	require.ErrorIs(t, err, inventory.ErrInvalid)
	var fe *inventory.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "console", fe.Field)
	assert.Contains(t, err.Error(), "worker-0")
	assert.Zero(t, b.Len(), "nothing written")
}

// specsToHosts is what an import then an export does to the specs.
func specsToHosts(specs []inventory.HostSpec) []inventory.Host {
	hosts := make([]inventory.Host, len(specs))
	for i, s := range specs {
		hosts[i] = inventory.Host{
			Hostname: s.Hostname, Personality: s.Personality, Subfunctions: s.Subfunctions,
			MgmtMAC: s.MgmtMAC, MgmtIP: s.MgmtIP, BMIP: s.BMIP, BMType: s.BMType, BMUsername: s.BMUsername,
			BootDevice: s.BootDevice, RootfsDevice: s.RootfsDevice, HWSettle: s.HWSettle,
			InstallOutput: s.InstallOutput, Console: s.Console, Location: s.Location,
		}
	}
	return hosts
}

// exportedSpecs is what specs become through an export: no password, no
// power-on request (a comment in the export), in export order.
func exportedSpecs(specs []inventory.HostSpec) []inventory.HostSpec {
	out := slices.Clone(specs)
	for i := range out {
		out[i].BMPassword = ""
		out[i].PowerOn = false
	}
	rank := map[inventory.Personality]int{inventory.PersonalityController: 0, inventory.PersonalityStorage: 1, inventory.PersonalityWorker: 2}
	slices.SortStableFunc(out, func(a, b inventory.HostSpec) int {
		ra, ok := rank[a.Personality]
		if !ok {
			ra = 3
		}
		rb, ok := rank[b.Personality]
		if !ok {
			rb = 3
		}
		return cmp.Or(cmp.Compare(ra, rb), strings.Compare(a.Hostname, b.Hostname))
	})
	return out
}

// roundTrip exports the hosts of specs and parses the export again.
func roundTrip(t testing.TB, specs []inventory.HostSpec) ([]inventory.HostSpec, []byte) {
	var b bytes.Buffer
	require.NoError(t, inventory.WriteBulkXML(&b, specsToHosts(specs), "24.09"))
	out := b.Bytes()
	again, err := inventory.ParseBulkXML(&b)
	require.NoError(t, err, "export:\n%s", out)
	return again, out
}

func TestBulkXMLRoundTrip(t *testing.T) {
	for _, file := range []string{"starlingx-export.xml", "starlingx-export-static.xml", "starlingx-export-workers.xml", "bulk-add.xml", "flock-export.golden.xml"} {
		t.Run(file, func(t *testing.T) {
			specs, err := inventory.ParseBulkXML(bytes.NewReader(readTestdata(t, file)))
			require.NoError(t, err)
			again, out := roundTrip(t, specs)
			assert.Equal(t, exportedSpecs(specs), again)
			assert.NotContains(t, string(out), "mypass1", "the BMC password is never exported")
			assert.NotContains(t, string(out), "w0rd")
			assert.Contains(t, string(out), "<bm_password/>")
		})
	}
}

// TestStarlingXReadsExport runs StarlingX's own bulk_add reading loop
// (testdata/bulkxml/starlingx_bulk_add.py, copied from host.py) over
// WriteBulkXML's output: every field Flock wrote is what StarlingX reads.
func TestStarlingXReadsExport(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		testenv.Missing(t, "python3", "apt-get install python3", err)
	}
	var b bytes.Buffer
	require.NoError(t, inventory.WriteBulkXML(&b, starlingxHosts(), "24.09"))
	cmd := exec.CommandContext(t.Context(), python, filepath.Join("testdata", "bulkxml", "starlingx_bulk_add.py"))
	cmd.Stdin = &b
	out, err := cmd.Output()
	require.NoError(t, err)
	var got struct {
		Version string           `json:"version"`
		Hosts   []map[string]any `json:"hosts"`
	}
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, "24.09", got.Version)
	require.Len(t, got.Hosts, 5)
	// Export order: controllers, storage, workers, by hostname.
	var names []any
	for _, h := range got.Hosts {
		names = append(names, h["hostname"])
	}
	assert.Equal(t, []any{"controller-0", "controller-1", "storage-0", "worker-0", "worker-1"}, names)
	c0 := got.Hosts[0]
	assert.Equal(t, "controller", c0["personality"])
	assert.Equal(t, "controller", c0["subfunctions"])
	assert.Equal(t, "08:00:27:3a:10:01", c0["mgmt_mac"])
	assert.Equal(t, "10.10.10.3", c0["bm_ip"])
	assert.Equal(t, "ipmi", c0["bm_type"])
	assert.Equal(t, "root", c0["bm_username"])
	assert.Equal(t, "", c0["bm_password"], "an empty <bm_password/>, as StarlingX exports it")
	assert.Equal(t, map[string]any{"locn": `Rack 1 / U12 & U13 <"east">`}, c0["location"])
	assert.Equal(t, "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0", c0["boot_device"])
	assert.Equal(t, "0", c0["hw_settle"])
	assert.Equal(t, "text", c0["install_output"])
	assert.Equal(t, "ttyS0,115200", c0["console"])
	assert.Nil(t, c0["power_on"], "<power_on /> stays a comment")
	c1 := got.Hosts[1]
	assert.Nil(t, c1["location"])
	assert.Nil(t, c1["bm_ip"])
	assert.Equal(t, "", c1["bm_type"])
	w1 := got.Hosts[4]
	assert.Equal(t, "worker,lowlatency", w1["subfunctions"])
	assert.Equal(t, "graphical", w1["install_output"])
}

func TestParseBulkXMLErrors(t *testing.T) {
	const head = "<hosts>\n<host>\n<hostname>worker-0</hostname>\n<personality>worker</personality>\n<mgmt_mac>08:00:27:00:00:01</mgmt_mac>\n"
	const tail = "</host>\n</hosts>\n"
	second := "<host>\n<hostname>worker-1</hostname>\n<personality>worker</personality>\n<mgmt_mac>08:00:27:00:00:02</mgmt_mac>\n"
	tests := []struct {
		name     string
		in       string
		field    string // the *FieldError's field, "" if none
		host     int
		hostname string
		line     int
		msg      string // part of the message
	}{
		{"unknown element", head + "<mgmt_macc>x</mgmt_macc>\n" + tail, "mgmt_macc", 1, "worker-0", 6, "unknown element"},
		{"unknown element in hosts", "<hosts>\n<node/>\n</hosts>", "node", 0, "", 2, "unknown element"},
		{"repeated element", head + "<hostname>worker-9</hostname>\n" + tail, "hostname", 1, "worker-0", 6, "repeated"},
		{"nested element", head + "<console><a/></console>\n" + tail, "console", 1, "worker-0", 6, "holds an element <a>"},
		{"attribute", head + "<console speed=\"9600\">ttyS0</console>\n" + tail, "console", 1, "worker-0", 6, `unknown attribute "speed"`},
		{"bad mac", "<hosts><host><hostname>w</hostname><personality>worker</personality>\n<mgmt_mac>08:00:27:00:00</mgmt_mac></host></hosts>", "mgmt_mac", 1, "w", 2, "not a MAC address"},
		{"mixed mac separators", "<hosts><host><personality>worker</personality><mgmt_mac>08:00-27:00:00:01</mgmt_mac></host></hosts>", "mgmt_mac", 1, "", 1, "not a MAC address"},
		{"missing mac", "<hosts><host><hostname>w</hostname><personality>worker</personality></host></hosts>", "mgmt_mac", 1, "w", 1, "required"},
		{"missing personality", "<hosts><host><hostname>w</hostname><mgmt_mac>08:00:27:00:00:01</mgmt_mac></host></hosts>", "personality", 1, "w", 1, "required"},
		{"bad personality", "<hosts><host><personality>router</personality><mgmt_mac>08:00:27:00:00:01</mgmt_mac></host></hosts>", "personality", 1, "", 1, `"router" is not one of`},
		{"bad hostname", head[:len("<hosts>\n<host>\n")] + "<hostname>worker 0</hostname>\n<personality>worker</personality>\n<mgmt_mac>08:00:27:00:00:01</mgmt_mac>\n" + tail, "hostname", 1, "worker 0", 3, "may only contain"},
		{"bad subfunction", head + "<subfunctions>worker,fast</subfunctions>\n" + tail, "subfunctions", 1, "worker-0", 6, `"fast"`},
		{"bad mgmt ip", head + "<mgmt_ip>192.168.204.300</mgmt_ip>\n" + tail, "mgmt_ip", 1, "worker-0", 6, "is not an IP address"},
		{"bad bm ip", head + "<bm_ip>fe80::1%eth0</bm_ip>\n" + tail, "bm_ip", 1, "worker-0", 6, "is neither an IP address nor a BMC URL"},
		{"bad bm type", head + "<bm_type>ilo</bm_type>\n" + tail, "bm_type", 1, "worker-0", 6, "none, dynamic, ipmi, redfish"},
		{"bad hw settle", head + "<hw_settle>-1</hw_settle>\n" + tail, "hw_settle", 1, "worker-0", 6, "seconds"},
		{"bad install output", head + "<install_output>serial</install_output>\n" + tail, "install_output", 1, "worker-0", 6, "text, graphical"},
		{"power on with text", head + "<power_on>yes</power_on>\n" + tail, "power_on", 1, "worker-0", 6, "empty"},
		{"apparmor enabled", head + "<apparmor>enabled</apparmor>\n" + tail, "apparmor", 1, "worker-0", 6, "AppArmor"},
		{"bad apparmor", head + "<apparmor>on</apparmor>\n" + tail, "apparmor", 1, "worker-0", 6, "enabled, disabled"},
		{"sw version", head + "<sw_version>24.09</sw_version>\n" + tail, "sw_version", 1, "worker-0", 6, "not supported"},
		{"vsc controllers", head + "<vsc_controllers>10.0.0.1,10.0.0.2</vsc_controllers>\n" + tail, "vsc_controllers", 1, "worker-0", 6, "Nuage"},
		{"control character", head + "<location>a&#x9;b</location>\n" + tail, "location", 1, "worker-0", 6, "control character"},
		{"duplicate hostname", head + tail[:len("</host>\n")] + strings.Replace(second, "worker-1", "worker-0", 1) + tail, "hostname", 2, "worker-0", 8, "also host 1's"},
		{"duplicate mac", head + tail[:len("</host>\n")] + strings.Replace(second, "00:02", "00:01", 1) + tail, "mgmt_mac", 2, "worker-1", 10, "also host 1's"},
		{"error in second host", head + tail[:len("</host>\n")] + second + "<bm_type>x</bm_type>\n" + tail, "bm_type", 2, "worker-1", 11, "bm_type"},
		{"root not hosts", "<host/>", "", 0, "", 1, "root element is <host>"},
		{"two roots", "<hosts/><hosts/>", "", 0, "", 1, "second root"},
		{"root attribute", `<hosts region="x"/>`, "", 0, "", 1, `unknown attribute "region"`},
		{"text in hosts", "<hosts>\nworker-0\n</hosts>", "", 0, "", 3, `text "worker-0" in <hosts>`},
		{"text in host", "<hosts><host>worker-0</host></hosts>", "", 1, "", 1, "in <host>"},
		{"doctype", "<!DOCTYPE hosts [<!ENTITY x \"y\">]><hosts/>", "", 0, "", 1, "not allowed"},
		{"processing instruction", "<hosts><?php echo 1 ?></hosts>", "", 0, "", 1, "<?php?> not allowed"},
		{"not xml", "hosts", "", 0, "", 1, `text "hosts" outside <hosts>`},
		{"empty", "", "", 0, "", 0, "no <hosts> element"},
		{"unclosed", "<hosts>\n<host>", "", 0, "", 2, "not well-formed XML"},
		{"namespaced element", head + "<x:console xmlns:x=\"urn:x\">a</x:console>\n" + tail, "urn:x:console", 1, "worker-0", 6, "unknown element"},
		{"latin1", `<?xml version="1.0" encoding="ISO-8859-1"?><hosts/>`, "", 0, "", 1, "ISO-8859-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := inventory.ParseBulkXML(strings.NewReader(tc.in))
			require.Error(t, err)
			assert.Nil(t, got)
			assert.ErrorIs(t, err, inventory.ErrInvalid)
			var be *inventory.BulkXMLError
			require.ErrorAs(t, err, &be)
			assert.Equal(t, tc.host, be.Host, "host")
			assert.Equal(t, tc.hostname, be.Hostname, "hostname")
			assert.Equal(t, tc.line, be.Line, "line")
			var fe *inventory.FieldError
			if tc.field != "" {
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, tc.field, fe.Field)
			} else {
				assert.False(t, errors.As(err, &fe), "no field: %v", err)
			}
			assert.Contains(t, err.Error(), tc.msg)
			if tc.hostname != "" {
				assert.Contains(t, err.Error(), fmt.Sprintf("host %d (%s)", tc.host, tc.hostname))
			}
		})
	}
}

func TestParseBulkXMLLimits(t *testing.T) {
	t.Run("size", func(t *testing.T) {
		big := "<hosts>" + strings.Repeat(" ", inventory.BulkXMLMaxBytes) + "</hosts>"
		_, err := inventory.ParseBulkXML(strings.NewReader(big))
		require.ErrorIs(t, err, inventory.ErrInvalid)
		assert.Contains(t, err.Error(), "larger than 8 MiB")
	})
	t.Run("exactly the size", func(t *testing.T) {
		const wrap = len("<hosts>") + len("</hosts>")
		ok := "<hosts>" + strings.Repeat(" ", inventory.BulkXMLMaxBytes-wrap) + "</hosts>"
		_, err := inventory.ParseBulkXML(strings.NewReader(ok))
		require.NoError(t, err)
	})
	t.Run("hosts", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("<hosts>")
		for i := range inventory.BulkXMLMaxHosts + 1 {
			fmt.Fprintf(&b, "<host><personality>worker</personality><hostname>w%d</hostname><mgmt_mac>02:00:00:00:%02x:%02x</mgmt_mac></host>", i, i>>8, i&0xff)
		}
		b.WriteString("</hosts>")
		_, err := inventory.ParseBulkXML(strings.NewReader(b.String()))
		require.ErrorIs(t, err, inventory.ErrInvalid)
		assert.Contains(t, err.Error(), "more than 10000 hosts")
	})
}

func ExampleParseBulkXML() {
	const file = `<?xml version="1.0" ?>
<hosts>
	<host>
		<personality>worker</personality>
		<hostname>worker-0</hostname>
		<mgmt_mac>08:00:27:3A:10:04</mgmt_mac>
		<bm_ip>10.10.10.50</bm_ip>
		<bm_type>ipmi</bm_type>
		<bm_username>root</bm_username>
		<bm_password>secret</bm_password>
		<power_on/>
		<location>rack 2</location>
	</host>
</hosts>`
	hosts, err := inventory.ParseBulkXML(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	h := hosts[0]
	fmt.Println(h.Hostname, h.Personality, h.MgmtMAC, h.BMType, h.PowerOn, h.Location["locn"])

	_, err = inventory.ParseBulkXML(strings.NewReader(strings.Replace(file, "<bm_type>", "<bm_typ>", 1)))
	fmt.Println(err)
	// Output:
	// worker-0 worker 08:00:27:3a:10:04 ipmi true rack 2
	// bulk add file line 8: host 1 (worker-0): invalid bm_typ: unknown element: a <host> holds hostname, personality, subfunctions, mgmt_mac, mgmt_ip, bm_ip, bm_type, bm_username, bm_password, boot_device, rootfs_device, hw_settle, install_output, console, vsc_controllers, power_on, location, apparmor, sw_version, tboot
}

func ExampleWriteBulkXML() {
	hosts := []inventory.Host{{
		Hostname: "worker-0", Personality: inventory.PersonalityWorker, Subfunctions: "worker",
		MgmtMAC: "08:00:27:3a:10:04", BMType: "ipmi", BMUsername: "root", Console: "ttyS0,115200",
	}}
	_ = inventory.WriteBulkXML(os.Stdout, hosts, "24.09")
	// Output:
	// <?xml version="1.0" ?>
	// <hosts version="24.09">
	// 	<host>
	// 		<personality>worker</personality>
	// 		<hostname>worker-0</hostname>
	// 		<subfunctions>worker</subfunctions>
	// 		<mgmt_mac>08:00:27:3a:10:04</mgmt_mac>
	// 		<!--Uncomment the statement below to power on the host automatically through board management.-->
	// 		<!--<power_on />-->
	// 		<bm_type>ipmi</bm_type>
	// 		<bm_username>root</bm_username>
	// 		<bm_password/>
	// 		<boot_device/>
	// 		<rootfs_device/>
	// 		<hw_settle/>
	// 		<install_output/>
	// 		<console>ttyS0,115200</console>
	// 		<tboot/>
	// 	</host>
	// </hosts>
}
