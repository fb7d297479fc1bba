//go:build linux

package haplugin

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/internal/testenv"
)

// pair is two network namespaces joined by a veth pair: the node's end
// fl0 (192.0.2.1/24, fd00:f10c::1/64) and the peer's end pr0
// (192.0.2.2/24, fd00:f10c::2/64).
type pair struct {
	node, peer       string // names under /run/netns
	nodeNS, peerNS   netns.NsHandle
	nodeMAC, peerMAC net.HardwareAddr
	peerIndex        int
}

func newPair(t *testing.T) *pair {
	t.Helper()
	install := "run the tests as root on Linux with iproute2 (apt-get install iproute2)"
	if os.Geteuid() != 0 {
		testenv.Missing(t, "network namespaces (root, ip)", install, errors.New("not root"))
	}
	if _, err := exec.LookPath("ip"); err != nil {
		testenv.Missing(t, "network namespaces (root, ip)", install, err)
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	tag := fmt.Sprintf("flk-%d-hp%s", os.Getpid(), hex.EncodeToString(b[:]))
	p := &pair{node: tag + "-node", peer: tag + "-peer"}
	ip := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("ip", args...).CombinedOutput()
		require.NoError(t, err, "ip %s: %s", strings.Join(args, " "), out)
		return string(out)
	}
	for _, ns := range []string{p.node, p.peer} {
		if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
			testenv.Missing(t, "network namespaces (root, ip)", install, fmt.Errorf("ip netns add: %v: %s", err, out))
		}
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	}
	ip("link", "add", "fl0", "netns", p.node, "type", "veth", "peer", "name", "pr0", "netns", p.peer)
	for _, c := range [][]string{
		{"-n", p.node, "addr", "add", "192.0.2.1/24", "dev", "fl0"},
		{"-n", p.node, "addr", "add", "fd00:f10c::1/64", "dev", "fl0", "nodad"},
		{"-n", p.peer, "addr", "add", "192.0.2.2/24", "dev", "pr0"},
		{"-n", p.peer, "addr", "add", "fd00:f10c::2/64", "dev", "pr0", "nodad"},
		{"-n", p.node, "link", "set", "fl0", "up"},
		{"-n", p.peer, "link", "set", "pr0", "up"},
		{"-n", p.node, "link", "set", "lo", "up"},
		{"-n", p.peer, "link", "set", "lo", "up"},
	} {
		ip(c...)
	}
	var err error
	p.nodeNS, err = netns.GetFromName(p.node)
	require.NoError(t, err)
	t.Cleanup(func() { p.nodeNS.Close() })
	p.peerNS, err = netns.GetFromName(p.peer)
	require.NoError(t, err)
	t.Cleanup(func() { p.peerNS.Close() })
	p.nodeMAC = linkMAC(t, ip("-n", p.node, "-o", "link", "show", "fl0"))
	p.peerMAC = linkMAC(t, ip("-n", p.peer, "-o", "link", "show", "pr0"))
	_, err = fmt.Sscanf(ip("-n", p.peer, "-o", "link", "show", "pr0"), "%d:", &p.peerIndex)
	require.NoError(t, err)
	return p
}

func linkMAC(t *testing.T, line string) net.HardwareAddr {
	t.Helper()
	f := strings.Fields(line)
	for i, w := range f {
		if w == "link/ether" && i+1 < len(f) {
			mac, err := net.ParseMAC(f[i+1])
			require.NoError(t, err)
			return mac
		}
	}
	t.Fatalf("no MAC in %q", line)
	return nil
}

// addrs lists the node's addresses on fl0 as `ip -o addr` prints them.
func (p *pair) addrs(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("ip", "-n", p.node, "-o", "addr", "show", "dev", "fl0").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return string(out)
}

// capture opens a packet socket on the peer's pr0 for ethertype proto,
// receiving with a 5 s bound.
func (p *pair) capture(t *testing.T, proto uint16) int {
	t.Helper()
	fd, err := socketAt(p.peerNS, unix.AF_PACKET, unix.SOCK_DGRAM, int(htons(proto)))
	require.NoError(t, err)
	t.Cleanup(func() { unix.Close(fd) })
	require.NoError(t, unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(proto), Ifindex: p.peerIndex}))
	tv := unix.NsecToTimeval((5 * time.Second).Nanoseconds())
	require.NoError(t, unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv))
	return fd
}

// next returns the next incoming packet of fd that keep accepts.
func next(t *testing.T, fd int, keep func([]byte) bool) []byte {
	t.Helper()
	buf := make([]byte, 2048)
	for {
		n, from, err := unix.Recvfrom(fd, buf, 0)
		require.NoError(t, err, "no packet within 5 s")
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && ll.Pkttype == unix.PACKET_OUTGOING {
			continue
		}
		if keep(buf[:n]) {
			return append([]byte(nil), buf[:n]...)
		}
	}
}

// ping sends an ICMP echo request from the peer to addr and waits for
// the reply (5 s bound); it returns the error of a reply that never came.
func (p *pair) ping(t *testing.T, addr netip.Addr) error {
	t.Helper()
	domain, proto, typ, reply := unix.AF_INET, unix.IPPROTO_ICMP, byte(8), byte(0)
	var to unix.Sockaddr = &unix.SockaddrInet6{Addr: addr.As16()}
	if addr.Is4() {
		to = &unix.SockaddrInet4{Addr: addr.As4()}
	} else {
		domain, proto, typ, reply = unix.AF_INET6, unix.IPPROTO_ICMPV6, 128, 129
	}
	fd, err := socketAt(p.peerNS, domain, unix.SOCK_RAW, proto)
	require.NoError(t, err)
	defer unix.Close(fd)
	tv := unix.NsecToTimeval((2 * time.Second).Nanoseconds())
	require.NoError(t, unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv))
	var id [2]byte
	_, _ = rand.Read(id[:])
	msg := []byte{typ, 0, 0, 0, id[0], id[1], 0, 1, 'f', 'l', 'o', 'c', 'k'}
	if !addr.Is6() { // the kernel sums ICMPv6 only
		binary.BigEndian.PutUint16(msg[2:], checksum(msg))
	}
	require.NoError(t, unix.Sendto(fd, msg, 0, to))
	buf := make([]byte, 1500)
	for {
		n, from, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return fmt.Errorf("no echo reply from %s: %w", addr, err)
		}
		b := buf[:n]
		var src netip.Addr
		switch f := from.(type) {
		case *unix.SockaddrInet4:
			src = netip.AddrFrom4(f.Addr)
			b = b[int(b[0]&0x0f)*4:] // a raw IPv4 socket gets the IP header
		case *unix.SockaddrInet6:
			src = netip.AddrFrom16(f.Addr)
		}
		if src == addr && len(b) >= 8 && b[0] == reply && b[4] == id[0] && b[5] == id[1] {
			return nil
		}
	}
}

func checksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}

func ipCall(addr, ifname string, a ha.ActionName) ha.PluginCall {
	return ha.PluginCall{
		Service: &ha.Service{Name: "oam-ip", Kind: ha.KindIP, IP: &ha.FloatingIP{Network: "oam", Address: addr, Interface: ifname}},
		Action:  a, Active: true,
		Spec: &ha.ActionSpec{Action: a, PluginType: ha.PluginIP, Timeout: 20 * time.Second},
	}
}

// TestFloatingIPv4: go-active adds the address and announces it with
// gratuitous ARPs the peer receives, after which the peer reaches it;
// adding again succeeds and announces again; audits follow; go-standby
// removes it, twice.
func TestFloatingIPv4(t *testing.T) {
	p := newPair(t)
	pl := &FloatingIP{NetNS: "/run/netns/" + p.node}
	vip := netip.MustParseAddr("192.0.2.100")
	run := func(a ha.ActionName) ha.PluginResult { return pl.Run(t.Context(), ipCall("192.0.2.100/24", "fl0", a)) }

	assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceDisabled}, run(ha.ActionAuditDisabled))
	standby := ipCall("192.0.2.100/24", "fl0", ha.ActionAuditEnabled)
	standby.Active = false
	assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledStandby}, pl.Run(t.Context(), standby),
		"no address where the group is standby: a standby")
	assert.Error(t, p.ping(t, vip), "no one holds the address yet")

	for round := range 2 { // the second add finds the address there
		arp := p.capture(t, unix.ETH_P_ARP)
		require.Equal(t, ha.PluginResult{Result: ha.ResultSuccess}, run(ha.ActionGoActive), "round %d", round)
		assert.Contains(t, p.addrs(t), "inet 192.0.2.100/24")
		for i := range 3 {
			pkt := next(t, arp, func(b []byte) bool {
				return len(b) >= 28 && bytes.Equal(b[14:18], vip.AsSlice()) && bytes.Equal(b[24:28], vip.AsSlice())
			})
			assert.Equal(t, []byte{0, 1, 8, 0, 6, 4, 0, 1}, pkt[:8], "round %d announcement %d: an ARP request", round, i)
			assert.Equal(t, []byte(p.nodeMAC), pkt[8:14], "sender hardware address")
			assert.Equal(t, make([]byte, 6), pkt[18:24], "target hardware address")
		}
	}
	require.NoError(t, p.ping(t, vip))
	assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledActive}, run(ha.ActionAuditEnabled))
	assert.Equal(t, 1, strings.Count(p.addrs(t), "192.0.2.100"), "added once")

	// The address is on the node's namespace, not on this one.
	local, err := net.InterfaceAddrs()
	require.NoError(t, err)
	for _, a := range local {
		assert.NotContains(t, a.String(), "192.0.2.100")
	}

	require.Equal(t, ha.PluginResult{Result: ha.ResultSuccess}, run(ha.ActionGoStandby))
	assert.NotContains(t, p.addrs(t), "192.0.2.100")
	assert.Contains(t, p.addrs(t), "192.0.2.1/24", "the interface's own address stays")
	assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess}, run(ha.ActionDisable), "removing an absent address")
	assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceDisabled}, run(ha.ActionAuditEnabled))
	assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess}, run(ha.ActionEnable), "nothing to do")
}

// TestFloatingIPv6: go-active adds the address without DAD and sends
// unsolicited neighbour advertisements the peer receives.
func TestFloatingIPv6(t *testing.T) {
	p := newPair(t)
	pl := &FloatingIP{NetNS: "/run/netns/" + p.node, GARPCount: 2}
	vip := netip.MustParseAddr("fd00:f10c::100")
	run := func(a ha.ActionName) ha.PluginResult {
		return pl.Run(t.Context(), ipCall("fd00:f10c::100/64", "fl0", a))
	}

	v6 := p.capture(t, unix.ETH_P_IPV6)
	require.Equal(t, ha.PluginResult{Result: ha.ResultSuccess}, run(ha.ActionGoActive))
	assert.Contains(t, p.addrs(t), "inet6 fd00:f10c::100/64")
	for i := range 2 {
		pkt := next(t, v6, func(b []byte) bool {
			// IPv6 header (40), ICMPv6 type 136, target at 48..64.
			return len(b) >= 72 && b[6] == unix.IPPROTO_ICMPV6 && b[40] == 136 && bytes.Equal(b[48:64], vip.AsSlice())
		})
		assert.Equal(t, byte(255), pkt[7], "advertisement %d: hop limit", i)
		assert.Equal(t, netip.MustParseAddr("ff02::1").AsSlice(), pkt[24:40], "to all nodes")
		assert.Equal(t, byte(0x20), pkt[44], "override, not solicited")
		assert.Equal(t, append([]byte{2, 1}, p.nodeMAC...), pkt[64:72], "target link-layer address option")
	}
	require.NoError(t, p.ping(t, vip))
	assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledActive}, run(ha.ActionAuditEnabled))
	require.Equal(t, ha.PluginResult{Result: ha.ResultSuccess}, run(ha.ActionGoStandby))
	assert.NotContains(t, p.addrs(t), "fd00:f10c::100")
	assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceDisabled}, run(ha.ActionAuditEnabled))
}

// TestFloatingIPBadInput: a bad address or interface is fatal and names
// the field.
func TestFloatingIPBadInput(t *testing.T) {
	p := newPair(t)
	pl := &FloatingIP{NetNS: "/run/netns/" + p.node}
	for _, tc := range []struct {
		name, addr, ifname, field string
	}{
		{"no address", "", "fl0", "ip.address"},
		{"no prefix", "192.0.2.100", "fl0", "ip.address"},
		{"not an address", "oam/24", "fl0", "ip.address"},
		{"mapped", "::ffff:192.0.2.100/120", "fl0", "ip.address"},
		{"no interface", "192.0.2.100/24", "", "ip.interface"},
		{"absent interface", "192.0.2.100/24", "nope0", "ip.interface"},
		{"interface is a path", "192.0.2.100/24", "../fl0", "ip.interface"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, a := range []ha.ActionName{ha.ActionGoActive, ha.ActionGoStandby, ha.ActionAuditEnabled} {
				r := pl.Run(t.Context(), ipCall(tc.addr, tc.ifname, a))
				assert.Equal(t, ha.ResultFatal, r.Result, a)
				var fe *ha.FieldError
				require.ErrorAs(t, r.Err, &fe, a)
				assert.Equal(t, tc.field, fe.Field, a)
			}
		})
	}
	assert.NotContains(t, p.addrs(t), "192.0.2.100", "nothing changed")

	call := ipCall("192.0.2.100/24", "fl0", ha.ActionGoActive)
	call.Service.IP = nil
	r := pl.Run(t.Context(), call)
	assert.Equal(t, ha.ResultFatal, r.Result)
	var fe *ha.FieldError
	require.ErrorAs(t, r.Err, &fe)
	assert.Equal(t, "ip", fe.Field)

	call = ipCall("192.0.2.100/24", "fl0", ha.ActionGoActive)
	call.Spec.PluginCommand = "flush"
	r = pl.Run(t.Context(), call)
	require.ErrorAs(t, r.Err, &fe)
	assert.Equal(t, "plugin_command", fe.Field)

	r = (&FloatingIP{NetNS: "/run/netns/flk-no-such-namespace"}).Run(t.Context(), ipCall("192.0.2.100/24", "fl0", ha.ActionGoActive))
	assert.Equal(t, ha.ResultFatal, r.Result)
	assert.ErrorContains(t, r.Err, "flk-no-such-namespace")
}

// TestFloatingIPLinkDown: an address added on a down interface cannot
// be announced: the action fails (a retry announces again).
func TestFloatingIPLinkDown(t *testing.T) {
	p := newPair(t)
	out, err := exec.Command("ip", "-n", p.node, "link", "set", "fl0", "down").CombinedOutput()
	require.NoError(t, err, "%s", out)
	pl := &FloatingIP{NetNS: "/run/netns/" + p.node}
	r := pl.Run(t.Context(), ipCall("192.0.2.100/24", "fl0", ha.ActionGoActive))
	assert.Equal(t, ha.ResultFailed, r.Result)
	assert.ErrorContains(t, r.Err, "announce 192.0.2.100/24 on fl0")
	assert.Contains(t, p.addrs(t), "192.0.2.100/24")
}
