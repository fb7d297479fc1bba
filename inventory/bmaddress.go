package inventory

import (
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// BMSchemes returns the URL schemes a host's bm_ip may use instead of an IP
// address, one per BMC engine: redfish (HTTPS), redfish+http (an
// emulator on plain HTTP), ipmi (IPMI over LAN, host:port), qemu+unix (a
// VM's QMP socket: qemu+unix:///path/to/qmp.sock) and libvirt (a domain:
// libvirt:///domain?uri=qemu:///system). StarlingX's bm_ip is an IP
// address only; a URL is Flock's extension for BMCs on other ports and
// for virtual hosts.
func BMSchemes() []string { return []string{"redfish", "redfish+http", "ipmi", "qemu+unix", "libvirt"} }

// CheckBMAddress returns bm_ip normalised: an IP address (IPv4-mapped
// IPv6 unmapped) or a BMC URL with one of BMSchemes, a host (redfish,
// ipmi) or a path (qemu+unix, libvirt), and no user or password (those
// are bm_username and bm_password, so the password never shows in a
// field that is read back). Anything else is a *FieldError naming bm_ip.
func CheckBMAddress(s string) (string, error) {
	if !strings.Contains(s, "://") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return "", Fieldf("bm_ip", "%q is neither an IP address nor a BMC URL (%s://...)", s, strings.Join(BMSchemes(), "://, "))
		}
		return a.Unmap().String(), nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", Fieldf("bm_ip", "%q is not a URL", s)
	}
	if !slices.Contains(BMSchemes(), u.Scheme) {
		return "", Fieldf("bm_ip", "URL scheme %q is not one of %s", u.Scheme, strings.Join(BMSchemes(), ", "))
	}
	if u.User != nil {
		return "", Fieldf("bm_ip", "carries a user name or password; set bm_username and bm_password instead")
	}
	switch u.Scheme {
	case "qemu+unix", "libvirt":
		if u.Host != "" || strings.Trim(u.Path, "/") == "" {
			return "", Fieldf("bm_ip", "%s URL needs a path and no host (%s:///...)", u.Scheme, u.Scheme)
		}
	default:
		if u.Hostname() == "" {
			return "", Fieldf("bm_ip", "%s URL needs a host", u.Scheme)
		}
		if p := strings.Trim(u.Path, "/"); p != "" {
			return "", Fieldf("bm_ip", "%s URL has a path %q; give only scheme://host[:port]", u.Scheme, u.Path)
		}
	}
	return u.String(), nil
}
