package libvirtbmc

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

// qemuXML is a domain as libvirt's QEMU driver prints it, with sysinfo
// and metadata in another namespace.
const qemuXML = `<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>c0</name>
  <uuid>0a6f1b3c-4a1e-4e7e-9a43-2d7c1f5b9e10</uuid>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0"><libosinfo:os id="http://debian.org/debian/12"/></libosinfo:libosinfo>
  </metadata>
  <memory unit='KiB'>65536</memory>
  <sysinfo type='smbios'>
    <bios><entry name='version'>1.16.3</entry></bios>
    <system><entry name='manufacturer'>Flock</entry><entry name='product'>Lab VM</entry><entry name='serial'>SN-1</entry></system>
  </sysinfo>
  <os>
    <type arch='x86_64' machine='pc-i440fx-9.2'>hvm</type>
    <boot dev='hd'/>
    <boot dev='cdrom'/>
    <bootmenu enable='no'/>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='network'><mac address='52:54:00:AB:CD:EF'/><source network='default'/></interface>
    <interface type='user'><mac address='52:54:00:00:00:01'/></interface>
  </devices>
  <qemu:commandline><qemu:arg value='-no-reboot'/></qemu:commandline>
</domain>`

func TestParseDomain(t *testing.T) {
	info, err := parseDomain(qemuXML)
	require.NoError(t, err)
	assert.Equal(t, domainInfo{
		UUID: "0a6f1b3c-4a1e-4e7e-9a43-2d7c1f5b9e10", OSType: "hvm", Machine: "pc-i440fx-9.2",
		Boot: []string{"hd", "cdrom"}, MACs: []string{"52:54:00:ab:cd:ef", "52:54:00:00:00:01"},
		Manufacturer: "Flock", Product: "Lab VM", Serial: "SN-1", BIOSVersion: "1.16.3",
	}, info)

	for name, x := range map[string]string{
		"disk":      `<domain><os><type>hvm</type></os><devices><disk type='file'><boot order='1'/></disk></devices></domain>`,
		"interface": `<domain><os><type>hvm</type></os><devices><interface type='user'><mac address='52:54:00:00:00:01'/><boot order='2'/></interface></devices></domain>`,
	} {
		info, err := parseDomain(x)
		require.NoError(t, err, name)
		assert.True(t, info.PerDeviceBoot, "%s: a per-device boot order", name)
	}
	info, err = parseDomain(`<domain><os><type>hvm</type></os><devices><disk type='file'/><interface type='user'/></devices></domain>`)
	require.NoError(t, err)
	assert.False(t, info.PerDeviceBoot)

	_, err = parseDomain(`<domain><os>`)
	require.Error(t, err)
	_, err = parseDomain(`<network/>`)
	require.Error(t, err)
}

func TestSetBoot(t *testing.T) {
	out, err := setBoot(qemuXML, []string{"network", "hd", "cdrom"})
	require.NoError(t, err)
	info, err := parseDomain(out)
	require.NoError(t, err)
	assert.Equal(t, []string{"network", "hd", "cdrom"}, info.Boot)
	// Only the boot elements changed.
	want := strings.Replace(qemuXML, "<boot dev='hd'/>\n    <boot dev='cdrom'/>", "<boot dev='network'/><boot dev='hd'/><boot dev='cdrom'/>\n    ", 1)
	assert.Equal(t, want, out)

	for name, tc := range map[string]struct{ in, want string }{
		"no boot element": {`<domain><os><type>hvm</type></os></domain>`, `<domain><os><type>hvm</type><boot dev='network'/></os></domain>`},
		"empty os":        {`<domain><os/></domain>`, `<domain><os><boot dev='network'/></os></domain>`},
		"long boot form":  {`<domain><os><boot dev='hd'></boot><type>hvm</type></os></domain>`, `<domain><os><boot dev='network'/><type>hvm</type></os></domain>`},
		"nested os kept":  {`<domain><devices><os><boot dev='fd'/></os></devices><os><type>hvm</type></os></domain>`, `<domain><devices><os><boot dev='fd'/></os></devices><os><type>hvm</type><boot dev='network'/></os></domain>`},
	} {
		out, err := setBoot(tc.in, []string{"network"})
		require.NoError(t, err, name)
		assert.Equal(t, tc.want, out, name)
	}
	for name, in := range map[string]string{
		"no os":        `<domain><name>x</name></domain>`,
		"not a domain": `<network><os/></network>`,
		"malformed":    `<domain><os>`,
		"empty":        ``,
	} {
		_, err := setBoot(in, []string{"network"})
		assert.Error(t, err, name)
	}
}

func TestOnceOrder(t *testing.T) {
	assert.Equal(t, []string{"network", "hd", "cdrom"}, onceOrder("network", []string{"hd", "cdrom"}))
	assert.Equal(t, []string{"cdrom", "hd"}, onceOrder("cdrom", []string{"hd", "cdrom"}))
	assert.Equal(t, []string{"hd"}, onceOrder("hd", nil))
	for d, dev := range bootDevs {
		require.NoError(t, hostmgmt.CheckBootDevice(d))
		assert.NotEmpty(t, dev)
	}
	assert.Len(t, bootDevs, 3, "every boot device has a libvirt name")
}

func TestPending(t *testing.T) {
	devs, err := parsePending(pendingXML([]string{"hd", "cdrom"}))
	require.NoError(t, err)
	assert.Equal(t, []string{"hd", "cdrom"}, devs)
	// As libvirt hands it back, prefixed.
	devs, err = parsePending(`<flock:boot xmlns:flock="` + MetadataNS + `" restore="network"/>`)
	require.NoError(t, err)
	assert.Equal(t, []string{"network"}, devs)
	for _, bad := range []string{``, `<boot/>`, `<boot restore=" "/>`, `<other restore="hd"/>`, `<boot`} {
		_, err := parsePending(bad)
		assert.Error(t, err, bad)
	}
}

func TestCheckArgs(t *testing.T) {
	for _, tc := range []struct{ uri, domain, field string }{
		{"", "d", "uri"},
		{"qemu", "d", "uri"},
		{"::bad", "d", "uri"},
		{"qemu:///system", "", "domain"},
	} {
		err := checkArgs(tc.uri, tc.domain)
		require.ErrorIs(t, err, hostmgmt.ErrInvalid, "%q %q", tc.uri, tc.domain)
		var fe *hostmgmt.FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, tc.field, fe.Field)
	}
	require.NoError(t, checkArgs("qemu+unix:///system?socket=/run/x", "c0"))
}

// FuzzDomainXML: the readers of libvirt's XML never panic; what setBoot
// accepts stays well-formed, carries the boot order asked for, and is a
// fixed point of setBoot.
func FuzzDomainXML(f *testing.F) {
	f.Add(qemuXML)
	f.Add(`<domain><os/></domain>`)
	f.Add(`<domain><os><boot dev='hd'></boot></os></domain>`)
	f.Add(`<boot restore="hd cdrom"/>`)
	devs := []string{"network", "hd"}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parsePending(s)
		_, perr := parseDomain(s)
		out, err := setBoot(s, devs)
		if err != nil || perr != nil {
			return
		}
		info, err := parseDomain(out)
		if err != nil {
			t.Fatalf("setBoot made %q of %q: %v", out, s, err)
		}
		if !strings.Contains(strings.Join(info.Boot, " "), "network hd") {
			t.Fatalf("setBoot made %q of %q: boot %q", out, s, info.Boot)
		}
		again, err := setBoot(out, devs)
		if err != nil || again != out {
			t.Fatalf("setBoot of its own %q made %q (%v)", out, again, err)
		}
	})
}
