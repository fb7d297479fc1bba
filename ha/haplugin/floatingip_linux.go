//go:build linux

package haplugin

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/edgeflock/flock/ha"
)

// Run adds, removes or audits call's floating address.
func (p *FloatingIP) Run(ctx context.Context, call ha.PluginCall) ha.PluginResult {
	op, err := ipOperation(call)
	if err != nil {
		return ha.PluginResult{Result: ha.ResultFatal, Err: err}
	}
	if op == ipNone {
		return ha.PluginResult{Result: ha.ResultSuccess}
	}
	pfx, ifname, err := ipTarget(call)
	if err != nil {
		return ha.PluginResult{Result: ha.ResultFatal, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return ha.PluginResult{Result: ha.ResultTimeout, Err: fmt.Errorf("haplugin: ip %s: %w", pfx, context.Cause(ctx))}
	}
	ns := netns.None()
	if p.NetNS != "" {
		if ns, err = netns.GetFromPath(p.NetNS); err != nil {
			return ha.PluginResult{Result: ha.ResultFatal, Err: fmt.Errorf("haplugin: ip: network namespace %s: %w", p.NetNS, err)}
		}
		defer ns.Close()
	}
	var h *netlink.Handle
	if ns.IsOpen() {
		h, err = netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	} else {
		h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
	}
	if err != nil {
		return ha.PluginResult{Result: ha.ResultFailed, Err: fmt.Errorf("haplugin: ip: netlink: %w", err)}
	}
	defer h.Close()
	link, err := h.LinkByName(ifname)
	if err != nil {
		if errors.As(err, &netlink.LinkNotFoundError{}) {
			return ha.PluginResult{Result: ha.ResultFatal, Err: &ha.FieldError{Field: "ip.interface", Reason: fmt.Sprintf("no interface %q", ifname)}}
		}
		return ha.PluginResult{Result: ha.ResultFailed, Err: fmt.Errorf("haplugin: ip: interface %s: %w", ifname, err)}
	}
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: net.IP(pfx.Addr().AsSlice()), Mask: net.CIDRMask(pfx.Bits(), pfx.Addr().BitLen())}}
	if pfx.Addr().Is6() {
		addr.Flags = unix.IFA_F_NODAD
	}
	switch op {
	case ipMonitor:
		present, err := hasAddr(h, link, pfx.Addr())
		if err != nil {
			return ha.PluginResult{Result: ha.ResultFailed, Err: fmt.Errorf("haplugin: ip: list addresses of %s: %w", ifname, err)}
		}
		switch {
		case present:
			return ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledActive}
		case call.Active:
			return ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceDisabled}
		}
		// Absent is what a standby's floating address is.
		return ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledStandby}
	case ipRemove:
		if err := h.AddrDel(link, addr); err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) {
			return ha.PluginResult{Result: ha.ResultFailed, Err: fmt.Errorf("haplugin: ip: remove %s from %s: %w", pfx, ifname, err)}
		}
		return ha.PluginResult{Result: ha.ResultSuccess}
	}
	if err := h.AddrAdd(link, addr); err != nil && !errors.Is(err, unix.EEXIST) {
		return ha.PluginResult{Result: ha.ResultFailed, Err: fmt.Errorf("haplugin: ip: add %s to %s: %w", pfx, ifname, err)}
	}
	if err := p.announce(ctx, ns, link, pfx.Addr()); err != nil {
		if ctx.Err() != nil {
			return ha.PluginResult{Result: ha.ResultTimeout, Err: fmt.Errorf("haplugin: ip: announce %s on %s: %w", pfx, ifname, err)}
		}
		return ha.PluginResult{Result: ha.ResultFailed, Err: fmt.Errorf("haplugin: ip: announce %s on %s: %w", pfx, ifname, err)}
	}
	return ha.PluginResult{Result: ha.ResultSuccess}
}

// hasAddr reports whether link holds ip.
func hasAddr(h *netlink.Handle, link netlink.Link, ip netip.Addr) (bool, error) {
	family := unix.AF_INET
	if ip.Is6() {
		family = unix.AF_INET6
	}
	addrs, err := h.AddrList(link, family)
	if err != nil {
		return false, err
	}
	for _, a := range addrs {
		if got, ok := netip.AddrFromSlice(a.IP); ok && got.Unmap() == ip {
			return true, nil
		}
	}
	return false, nil
}

// announce sends the gratuitous ARPs (IPv4) or unsolicited neighbour
// advertisements (IPv6) for ip on link, the first at once. A link
// without a 6-byte hardware address or with NOARP has no neighbours to
// tell.
func (p *FloatingIP) announce(ctx context.Context, ns netns.NsHandle, link netlink.Link, ip netip.Addr) error {
	attrs := link.Attrs()
	mac := attrs.HardwareAddr
	if len(mac) != 6 || attrs.RawFlags&unix.IFF_NOARP != 0 {
		return nil
	}
	var (
		fd  int
		msg []byte
		to  unix.Sockaddr
		err error
	)
	if ip.Is4() {
		fd, err = socketAt(ns, unix.AF_PACKET, unix.SOCK_DGRAM, 0)
		msg = garp(mac, ip)
		to = &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ARP), Ifindex: attrs.Index, Halen: 6, Addr: [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
	} else {
		fd, err = socketAt(ns, unix.AF_INET6, unix.SOCK_RAW, unix.IPPROTO_ICMPV6)
		if err == nil {
			err = setupNA(fd, attrs.Index, ip)
		}
		msg = unsolicitedNA(mac, ip)
		to = &unix.SockaddrInet6{Addr: [16]byte{0: 0xff, 1: 0x02, 15: 0x01}, ZoneId: uint32(attrs.Index)}
	}
	if err != nil {
		if fd > 0 {
			unix.Close(fd)
		}
		return err
	}
	defer unix.Close(fd)
	n, every := p.garps()
	for i := range n {
		if i > 0 {
			t := time.NewTimer(every)
			select {
			case <-ctx.Done():
				t.Stop()
				return context.Cause(ctx)
			case <-t.C:
			}
		}
		if err := unix.Sendto(fd, msg, 0, to); err != nil {
			return err
		}
	}
	return nil
}

// setupNA readies an ICMPv6 socket for neighbour advertisements: hop
// limit 255 (RFC 4861 §7.1.2), out of the link, from the address.
func setupNA(fd, ifindex int, ip netip.Addr) error {
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, 255); err != nil {
		return err
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_IF, ifindex); err != nil {
		return err
	}
	return unix.Bind(fd, &unix.SockaddrInet6{Addr: ip.As16(), ZoneId: uint32(ifindex)})
}

// garp is an ARP announcement (RFC 5227 §2.3): a request with sender
// and target protocol address ip and a zero target hardware address.
func garp(mac net.HardwareAddr, ip netip.Addr) []byte {
	b := make([]byte, 28)
	binary.BigEndian.PutUint16(b[0:], 1)      // hardware type: Ethernet
	binary.BigEndian.PutUint16(b[2:], 0x0800) // protocol type: IPv4
	b[4], b[5] = 6, 4
	binary.BigEndian.PutUint16(b[6:], 1) // request
	a := ip.As4()
	copy(b[8:14], mac)
	copy(b[14:18], a[:])
	copy(b[24:28], a[:])
	return b
}

// unsolicitedNA is a neighbour advertisement for ip with the override
// flag and the target link-layer address option (RFC 4861 §4.4, §7.2.6);
// the kernel fills in the ICMPv6 checksum.
func unsolicitedNA(mac net.HardwareAddr, ip netip.Addr) []byte {
	b := make([]byte, 32)
	b[0] = 136  // neighbour advertisement
	b[4] = 0x20 // override
	a := ip.As16()
	copy(b[8:24], a[:])
	b[24], b[25] = 2, 1 // target link-layer address, 8 bytes
	copy(b[26:32], mac)
	return b
}

// socketAt opens a socket in the network namespace ns (none: the
// caller's). It switches a thread of its own into ns; a thread that
// cannot be switched back is left locked and so ends with its
// goroutine.
func socketAt(ns netns.NsHandle, domain, typ, proto int) (int, error) {
	if !ns.IsOpen() {
		return unix.Socket(domain, typ|unix.SOCK_CLOEXEC, proto)
	}
	type result struct {
		fd  int
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			ch <- result{-1, err}
			return
		}
		defer orig.Close()
		if err := netns.Set(ns); err != nil {
			runtime.UnlockOSThread()
			ch <- result{-1, err}
			return
		}
		fd, err := unix.Socket(domain, typ|unix.SOCK_CLOEXEC, proto)
		if netns.Set(orig) == nil {
			runtime.UnlockOSThread()
		}
		ch <- result{fd, err}
	}()
	r := <-ch
	return r.fd, r.err
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
