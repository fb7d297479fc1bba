//go:build libvirt

package libvirtbmc_test

import (
	"context"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"libvirt.org/go/libvirt"

	"github.com/edgeflock/flock/engines/libvirt/libvirtbmc"
	"github.com/edgeflock/flock/engines/libvirt/libvirttestenv"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
)

// TestMain runs libvirt's event loop, which keepalive needs, as a program
// using the engine would.
func TestMain(m *testing.M) {
	if err := libvirt.EventRegisterDefaultImpl(); err != nil {
		fmt.Fprintln(os.Stderr, "libvirt event loop:", err)
		os.Exit(1)
	}
	go func() {
		for {
			if err := libvirt.EventRunDefaultImpl(); err != nil {
				fmt.Fprintln(os.Stderr, "libvirt event loop:", err)
				return
			}
		}
	}()
	os.Exit(m.Run())
}

// peer is a libvirt driver the tests define domains on, through a
// connection of their own: the peer as the engine does not see it.
type peer struct {
	uri  string
	conn *libvirt.Connect
	// xml is a domain's definition for a name and a MAC address.
	xml func(name, mac string) string
}

func newPeer(t testing.TB, uri string, xml func(name, mac string) string) *peer {
	t.Helper()
	c, err := libvirt.NewConnect(uri)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() }) //nolint:errcheck // test teardown
	return &peer{uri: uri, conn: c, xml: xml}
}

// domain is a domain defined and started on the peer, destroyed and
// undefined at the end of the test.
type domain struct {
	name, uuid, mac string
	d               *libvirt.Domain
}

func (p *peer) start(t testing.TB) *domain {
	t.Helper()
	suffix := make([]byte, 3)
	rand.Read(suffix) //nolint:errcheck // never fails
	name := fmt.Sprintf("flock-bmc-%x", suffix)
	mac := fmt.Sprintf("52:54:00:%02x:%02x:%02x", suffix[0], suffix[1], suffix[2])
	d, err := p.conn.DomainDefineXML(p.xml(name, mac))
	require.NoError(t, err)
	t.Cleanup(func() {
		d.Destroy()  //nolint:errcheck // may be off
		d.Undefine() //nolint:errcheck // test teardown
		d.Free()     //nolint:errcheck // test teardown
	})
	require.NoError(t, d.Create())
	uuid, err := d.GetUUIDString()
	require.NoError(t, err)
	return &domain{name: name, uuid: uuid, mac: mac, d: d}
}

// nextBoot reads the first <os><boot dev=.../> of the persistent
// definition: the device of the domain's next start.
func (d *domain) nextBoot(t testing.TB) hostmgmt.BootDevice {
	t.Helper()
	x, err := d.d.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE)
	require.NoError(t, err)
	return firstBoot(t, x)
}

// liveBoot is the boot device the running domain started with.
func (d *domain) liveBoot(t testing.TB) hostmgmt.BootDevice {
	t.Helper()
	x, err := d.d.GetXMLDesc(0)
	require.NoError(t, err)
	return firstBoot(t, x)
}

func firstBoot(t testing.TB, x string) hostmgmt.BootDevice {
	t.Helper()
	var dom struct {
		Boot []struct {
			Dev string `xml:"dev,attr"`
		} `xml:"os>boot"`
	}
	require.NoError(t, xml.Unmarshal([]byte(x), &dom))
	require.NotEmpty(t, dom.Boot, "no <os><boot/> in %s", x)
	return map[string]hostmgmt.BootDevice{"network": hostmgmt.BootPXE, "hd": hostmgmt.BootDisk, "cdrom": hostmgmt.BootCD}[dom.Boot[0].Dev]
}

func (d *domain) state(t testing.TB) libvirt.DomainState {
	t.Helper()
	s, _, err := d.d.GetState()
	require.NoError(t, err)
	return s
}

// open returns the engine's BMC of d, connected (As needs a connection).
func (p *peer) open(t testing.TB, d *domain, uri string) *libvirtbmc.BMC {
	t.Helper()
	b, err := libvirtbmc.New(uri, d.name, nil)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() }) //nolint:errcheck // test teardown
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err = b.PowerState(ctx)
	require.NoError(t, err)
	return b
}

// unreachable is a BMC whose daemon socket does not exist.
func unreachable(t *testing.T) hostmgmt.BMC {
	b, err := libvirtbmc.New("qemu+unix:///system?socket="+url.QueryEscape(filepath.Join(t.TempDir(), "missing.sock")), "c0", nil)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() }) //nolint:errcheck // test teardown
	return b
}

// silent is a BMC whose daemon socket accepts connections and never
// answers.
func silent(t *testing.T) hostmgmt.BMC {
	sock := filepath.Join(t.TempDir(), "silent.sock")
	ln, err := net.Listen("unix", sock)
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	b, err := libvirtbmc.New("qemu+unix:///system?socket="+url.QueryEscape(sock), "c0", nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		// The engine's goroutines still wait in libvirt's connect: the
		// end of the connections ends them.
		ln.Close() //nolint:errcheck // test teardown
		mu.Lock()
		for _, c := range conns {
			c.Close() //nolint:errcheck // test teardown
		}
		mu.Unlock()
		b.Close() //nolint:errcheck // test teardown
	})
	return b
}

// rig is the conformance suite's rig over p.
func rig(p *peer, graceful bool, info func(t *testing.T, d *domain, info hostmgmt.BMCInfo)) hostmgmttest.BMCRig {
	var last *domain
	return hostmgmttest.BMCRig{
		New: func(t *testing.T) hostmgmt.BMC {
			last = p.start(t)
			return p.open(t, last, p.uri)
		},
		Unreachable: unreachable,
		Slow:        silent,
		NextBoot:    func(t *testing.T) hostmgmt.BootDevice { return last.nextBoot(t) },
		Info: func(t *testing.T, i hostmgmt.BMCInfo) {
			assert.Equal(t, last.uuid, i.SerialNumber, "the serial number is the domain's UUID")
			assert.Equal(t, []string{last.mac}, i.MACAddresses)
			assert.Regexp(t, `^libvirt \d+\.\d+\.\d+$`, i.BMCFirmwareVersion)
			info(t, last, i)
		},
		Graceful:       graceful,
		RefusedNotSent: true,
		Native:         new(*libvirt.Connect),
	}
}

func testXML(name, mac string) string {
	return fmt.Sprintf(`<domain type='test'><name>%s</name><memory>65536</memory>
		<os><type>hvm</type><boot dev='hd'/></os>
		<devices><interface type='network'><mac address='%s'/><source network='default'/></interface></devices></domain>`, name, strings.ToUpper(mac))
}

func qemuXML(name, mac string) string {
	return fmt.Sprintf(`<domain type='qemu'><name>%s</name>
		<memory unit='MiB'>64</memory><vcpu>1</vcpu>
		<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
		<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
		<interface type='user'><mac address='%s'/><model type='e1000'/><rom enabled='no'/></interface>
		</devices></domain>`, name, mac)
}

// TestTestDriverConformance runs the suite against libvirt's in-process
// test driver, whose domains act on ACPI shutdown and reboot at once.
func TestTestDriverConformance(t *testing.T) {
	p := newPeer(t, "test:///default", testXML)
	hostmgmttest.RunBMCSuite(t, rig(p, true, func(t *testing.T, _ *domain, i hostmgmt.BMCInfo) {
		assert.Equal(t, "TEST", i.Manufacturer)
		assert.Equal(t, "hvm", i.Model, "no machine type: the OS type")
	}))
}

// TestLibvirtdConformance runs the suite against a real QEMU domain (TCG,
// 64 MiB, no disk and so no guest OS: ACPI calls do nothing) through the
// harness's libvirtd.
func TestLibvirtdConformance(t *testing.T) {
	l := libvirttestenv.StartLibvirtd(t)
	p := newPeer(t, l.URI, qemuXML)
	hostmgmttest.RunBMCSuite(t, rig(p, false, func(t *testing.T, d *domain, i hostmgmt.BMCInfo) {
		assert.Equal(t, "QEMU", i.Manufacturer)
		assert.Regexp(t, `^pc-i440fx-`, i.Model, "the machine type libvirt expanded pc to")
		assert.Regexp(t, `^QEMU \d+\.\d+\.\d+$`, i.FirmwareVersion)
	}))
	t.Run("boot-device-holds-for-one-boot", func(t *testing.T) { bootOnce(t, p) })
	t.Run("reconnect", func(t *testing.T) { reconnect(t, p, l) })
}

// TestTestDriver covers what the suite does not, on the test driver.
func TestTestDriver(t *testing.T) {
	p := newPeer(t, "test:///default", testXML)
	t.Run("boot-device-holds-for-one-boot", func(t *testing.T) { bootOnce(t, p) })
	t.Run("paused-is-on-and-resumes", func(t *testing.T) {
		d := p.start(t)
		b := p.open(t, d, p.uri)
		require.NoError(t, d.d.Suspend())
		st, err := b.PowerState(t.Context())
		require.NoError(t, err)
		assert.Equal(t, hostmgmt.PowerOn, st)
		require.NoError(t, b.Power(t.Context(), hostmgmt.OpPowerOn))
		assert.Equal(t, libvirt.DOMAIN_RUNNING, d.state(t))
	})
	t.Run("idempotent-off", func(t *testing.T) {
		d := p.start(t)
		b := p.open(t, d, p.uri)
		for range 2 {
			require.NoError(t, b.Power(t.Context(), hostmgmt.OpPowerOff))
			require.NoError(t, b.Power(t.Context(), hostmgmt.OpGraceful))
			assert.Equal(t, libvirt.DOMAIN_SHUTOFF, d.state(t))
		}
		require.NoError(t, b.Power(t.Context(), hostmgmt.OpGracefulRestart))
		assert.Equal(t, libvirt.DOMAIN_RUNNING, d.state(t), "graceful-restart of a shut-off domain starts it")
	})
	t.Run("by-uuid", func(t *testing.T) {
		d := p.start(t)
		b, err := libvirtbmc.New(p.uri, d.uuid, nil)
		require.NoError(t, err)
		defer b.Close() //nolint:errcheck // test teardown
		require.NoError(t, b.Power(t.Context(), hostmgmt.OpPowerOff))
		assert.Equal(t, libvirt.DOMAIN_SHUTOFF, d.state(t))
		var dom *libvirt.Domain
		require.True(t, b.As(&dom))
		name, err := dom.GetName()
		require.NoError(t, err)
		assert.Equal(t, d.name, name)
	})
	t.Run("missing-domain", func(t *testing.T) {
		b, err := libvirtbmc.New(p.uri, "flock-no-such-domain", nil)
		require.NoError(t, err)
		defer b.Close() //nolint:errcheck // test teardown
		_, err = b.PowerState(t.Context())
		require.ErrorIs(t, err, hostmgmt.ErrNotFound)
		assert.NotErrorIs(t, err, hostmgmt.ErrNotSent)
		var lerr libvirt.Error
		require.ErrorAs(t, err, &lerr)
		assert.Equal(t, libvirt.ERR_NO_DOMAIN, lerr.Code)
		// Defined later, it is found: the lookup is not remembered.
		d, err := p.conn.DomainDefineXML(testXML("flock-no-such-domain", "52:54:00:00:00:99"))
		require.NoError(t, err)
		defer func() { d.Undefine(); d.Free() }() //nolint:errcheck // test teardown
		st, err := b.PowerState(t.Context())
		require.NoError(t, err)
		assert.Equal(t, hostmgmt.PowerOff, st)
	})
	t.Run("per-device-boot-order-refused", func(t *testing.T) {
		d, err := p.conn.DomainDefineXML(`<domain type='test'><name>flock-bmc-perdev</name><memory>65536</memory>
			<os><type>hvm</type></os><devices><disk type='file' device='disk'><source file='/nonexistent.img'/>
			<target dev='vda' bus='virtio'/><boot order='1'/></disk></devices></domain>`)
		require.NoError(t, err)
		defer func() { d.Undefine(); d.Free() }() //nolint:errcheck // test teardown
		before, err := d.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE)
		require.NoError(t, err)
		b, err := libvirtbmc.New(p.uri, "flock-bmc-perdev", nil)
		require.NoError(t, err)
		defer b.Close() //nolint:errcheck // test teardown
		err = b.SetBootDevice(t.Context(), hostmgmt.BootPXE)
		require.ErrorIs(t, err, hostmgmt.ErrUnimplemented)
		assert.ErrorContains(t, err, "per device")
		after, err := d.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE)
		require.NoError(t, err)
		assert.Equal(t, before, after, "nothing changed")
	})
	t.Run("transient-domain-refused", func(t *testing.T) {
		d, err := p.conn.DomainCreateXML(testXML("flock-bmc-transient", "52:54:00:00:00:98"), 0)
		require.NoError(t, err)
		defer func() { d.Destroy(); d.Free() }() //nolint:errcheck // test teardown
		b, err := libvirtbmc.New(p.uri, "flock-bmc-transient", nil)
		require.NoError(t, err)
		defer b.Close() //nolint:errcheck // test teardown
		require.ErrorIs(t, b.SetBootDevice(t.Context(), hostmgmt.BootPXE), hostmgmt.ErrUnimplemented)
	})
	t.Run("closed", func(t *testing.T) {
		d := p.start(t)
		b := p.open(t, d, p.uri)
		require.NoError(t, b.Close())
		_, err := b.PowerState(t.Context())
		require.ErrorContains(t, err, "closed")
		assert.False(t, b.As(new(*libvirt.Connect)))
		require.NoError(t, b.Close(), "a second Close")
	})
	t.Run("refused-connection-not-sent", func(t *testing.T) {
		// A socket that exists and refuses (nothing listens on it).
		sock := filepath.Join(t.TempDir(), "refused.sock")
		ln, err := net.Listen("unix", sock)
		require.NoError(t, err)
		ln.(*net.UnixListener).SetUnlinkOnClose(false)
		require.NoError(t, ln.Close())
		b, err := libvirtbmc.New("qemu+unix:///system?socket="+url.QueryEscape(sock), "c0", nil)
		require.NoError(t, err)
		defer b.Close() //nolint:errcheck // test teardown
		err = b.Power(t.Context(), hostmgmt.OpReset)
		require.ErrorIs(t, err, hostmgmt.ErrNotSent)
		assert.ErrorContains(t, err, "refused")
	})
}

// bootOnce: the next start boots from the device set, and the start after
// it from the previous order again.
func bootOnce(t *testing.T, p *peer) {
	// Generous: where /dev/kvm exists and KVM does not work, libvirtd
	// probes QEMU again on each define and start (see the report).
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	d := p.start(t)
	b := p.open(t, d, p.uri)
	require.Equal(t, hostmgmt.BootDisk, d.nextBoot(t))
	require.NoError(t, b.SetBootDevice(ctx, hostmgmt.BootCD))
	require.NoError(t, b.SetBootDevice(ctx, hostmgmt.BootPXE), "a second setting replaces the first")
	assert.Equal(t, hostmgmt.BootPXE, d.nextBoot(t))
	assert.Equal(t, hostmgmt.BootDisk, d.liveBoot(t), "the running domain keeps what it booted with")

	// A reset with a device set restarts the domain so that it applies.
	require.NoError(t, b.Power(ctx, hostmgmt.OpReset))
	assert.Equal(t, libvirt.DOMAIN_RUNNING, d.state(t))
	assert.Equal(t, hostmgmt.BootPXE, d.liveBoot(t), "this boot is from the device set")
	assert.Equal(t, hostmgmt.BootDisk, d.nextBoot(t), "the next one is from the previous order")
	_, err := d.d.GetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, libvirtbmc.MetadataNS, libvirt.DOMAIN_AFFECT_CONFIG)
	var lerr libvirt.Error
	require.ErrorAs(t, err, &lerr, "the engine's record is gone")
	assert.Equal(t, libvirt.ERR_NO_DOMAIN_METADATA, lerr.Code)

	require.NoError(t, b.Power(ctx, hostmgmt.OpCycle))
	assert.Equal(t, hostmgmt.BootDisk, d.liveBoot(t))
	assert.Equal(t, hostmgmt.BootDisk, d.nextBoot(t))

	// Set on a shut-off domain, it holds for its power-on.
	require.NoError(t, b.Power(ctx, hostmgmt.OpPowerOff))
	require.NoError(t, b.SetBootDevice(ctx, hostmgmt.BootCD))
	require.NoError(t, b.Power(ctx, hostmgmt.OpPowerOn))
	assert.Equal(t, hostmgmt.BootCD, d.liveBoot(t))
	assert.Equal(t, hostmgmt.BootDisk, d.nextBoot(t))
}

// reconnect: a BMC whose connection breaks opens a new one.
func reconnect(t *testing.T, p *peer, l *libvirttestenv.Libvirtd) {
	u, err := url.Parse(l.URI)
	require.NoError(t, err)
	px := startProxy(t, u.Query().Get("socket"))
	d := p.start(t)
	b := p.open(t, d, "qemu+unix:///system?socket="+url.QueryEscape(px.sock))
	var before, after *libvirt.Connect
	require.True(t, b.As(&before))
	px.cut()
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		st, err := b.PowerState(ctx)
		return err == nil && st == hostmgmt.PowerOn
	}, 30*time.Second, 100*time.Millisecond)
	require.True(t, b.As(&after))
	assert.NotSame(t, before, after, "a new connection")
	assert.Equal(t, 2, px.accepted(), "one connection before the cut, one after")
}

// proxy forwards a unix socket to another and can cut every connection.
type proxy struct {
	sock  string
	mu    sync.Mutex
	conns []net.Conn
	n     int
}

func startProxy(t *testing.T, target string) *proxy {
	px := &proxy{sock: filepath.Join(t.TempDir(), "proxy.sock")}
	ln, err := net.Listen("unix", px.sock)
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close(); px.cut() }) //nolint:errcheck // test teardown
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("unix", target)
			if err != nil {
				c.Close() //nolint:errcheck // refused onwards
				continue
			}
			px.mu.Lock()
			px.conns = append(px.conns, c, up)
			px.n++
			px.mu.Unlock()
			go io.Copy(up, c) //nolint:errcheck // ends with either side
			go io.Copy(c, up) //nolint:errcheck // ends with either side
		}
	}()
	return px
}

func (px *proxy) cut() {
	px.mu.Lock()
	defer px.mu.Unlock()
	for _, c := range px.conns {
		c.Close() //nolint:errcheck // cut
	}
	px.conns = nil
}

func (px *proxy) accepted() int {
	px.mu.Lock()
	defer px.mu.Unlock()
	return px.n
}

// BenchmarkPowerState is one power-state query round trip: against the
// in-process test driver, and through libvirtd's socket to its QEMU driver.
func BenchmarkPowerState(b *testing.B) {
	run := func(b *testing.B, p *peer) {
		d := p.start(b)
		bmc := p.open(b, d, p.uri)
		ctx := b.Context()
		for b.Loop() {
			if _, err := bmc.PowerState(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("test-driver", func(b *testing.B) { run(b, newPeer(b, "test:///default", testXML)) })
	b.Run("libvirtd", func(b *testing.B) {
		l := libvirttestenv.StartLibvirtd(b)
		run(b, newPeer(b, l.URI, qemuXML))
	})
}
