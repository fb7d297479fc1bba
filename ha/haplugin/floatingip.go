package haplugin

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/edgeflock/flock/ha"
)

// FloatingIP runs the actions of plugin_type ip: the service's floating
// address (Service.IP.Address, in CIDR form, on Service.IP.Interface).
// The zero value is ready to use. It works on Linux only; elsewhere
// every action is ResultFatal wrapping errors.ErrUnsupported.
//
//   - go-active (plugin_command add) adds the address with netlink (an
//     address already there is success) and announces it: GARPCount
//     gratuitous ARP requests (RFC 5227 announcements), the first at
//     once, then one every GARPInterval; for an IPv6 address as many
//     unsolicited neighbour advertisements to all-nodes, with the
//     override flag. IPv6 addresses are added without duplicate address
//     detection (nodad), so they answer at once.
//   - go-standby and disable (remove) delete it; an absent address is
//     success.
//   - audit-enabled and audit-disabled (monitor) report enabled-active
//     when the interface holds the address; when it does not, disabled
//     on the node where the group is meant to be active (PluginCall.Active)
//     and enabled-standby elsewhere, since a standby holds no address.
//   - enable has nothing to do (a standby holds no address): success.
//
// A missing or malformed address or interface is ResultFatal with a
// *ha.FieldError naming ip.address or ip.interface. An address added
// whose announcement could not be sent (the interface is down) is
// ResultFailed; a retry adds nothing and announces again.
type FloatingIP struct {
	// NetNS, when set, is the path of the network namespace to work in
	// (/run/netns/<name>, /proc/<pid>/ns/net); empty is the caller's.
	// It is for tests and for daemons managing another namespace.
	NetNS string `yaml:"netns" json:"netns,omitempty"`
	// GARPCount is how many announcements go out (default 3).
	GARPCount int `yaml:"garp_count" json:"garp_count,omitempty"`
	// GARPInterval is the time between two announcements (default 15 ms).
	GARPInterval time.Duration `yaml:"garp_interval" json:"garp_interval,omitempty"`
}

var _ ha.Plugin = (*FloatingIP)(nil)

// ipOp is what an action does to the address.
type ipOp int

const (
	ipNone ipOp = iota
	ipAdd
	ipRemove
	ipMonitor
)

// ipOperation returns the operation of call (plugin_command, else the
// action).
func ipOperation(call ha.PluginCall) (ipOp, error) {
	switch c := call.Spec.PluginCommand; c {
	case "add":
		return ipAdd, nil
	case "remove":
		return ipRemove, nil
	case "monitor":
		return ipMonitor, nil
	case "":
	default:
		return ipNone, &ha.FieldError{Field: "plugin_command", Reason: fmt.Sprintf("%q is not one of add, remove, monitor", c)}
	}
	switch call.Action {
	case ha.ActionGoActive:
		return ipAdd, nil
	case ha.ActionGoStandby, ha.ActionDisable:
		return ipRemove, nil
	case ha.ActionAuditEnabled, ha.ActionAuditDisabled:
		return ipMonitor, nil
	}
	return ipNone, nil
}

// ipTarget checks the service's address and interface.
func ipTarget(call ha.PluginCall) (netip.Prefix, string, error) {
	if call.Service == nil || call.Service.IP == nil {
		return netip.Prefix{}, "", &ha.FieldError{Field: "ip", Reason: "required for plugin_type ip"}
	}
	ip := call.Service.IP
	if ip.Address == "" {
		return netip.Prefix{}, "", &ha.FieldError{Field: "ip.address", Reason: "empty (the daemon fills it in from the network " + ip.Network + ")"}
	}
	pfx, err := netip.ParsePrefix(ip.Address)
	if err != nil {
		return netip.Prefix{}, "", &ha.FieldError{Field: "ip.address", Reason: fmt.Sprintf("%q is not an address in CIDR form", ip.Address)}
	}
	if pfx.Addr().Is4In6() || pfx.Addr().Zone() != "" {
		return netip.Prefix{}, "", &ha.FieldError{Field: "ip.address", Reason: fmt.Sprintf("%q: want a plain IPv4 or IPv6 address", ip.Address)}
	}
	if ip.Interface == "" || !validPathElem(ip.Interface) || len(ip.Interface) > 15 {
		return netip.Prefix{}, "", &ha.FieldError{Field: "ip.interface", Reason: fmt.Sprintf("%q is not an interface name", ip.Interface)}
	}
	return pfx, ip.Interface, nil
}

func (p *FloatingIP) garps() (int, time.Duration) {
	n, d := p.GARPCount, p.GARPInterval
	if n <= 0 {
		n = 3
	}
	if d <= 0 {
		d = 15 * time.Millisecond
	}
	return n, d
}
