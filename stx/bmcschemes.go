package stx

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/ipmibmc"
	"github.com/edgeflock/flock/hostmgmt/qemubmc"
	"github.com/edgeflock/flock/hostmgmt/redfishbmc"
)

// BMCSchemes returns the table of BMC engines by the scheme of a host's
// BMC URL: the one place where Flock's engines are chosen (bm_type
// redfish and ipmi with a bare bm_ip use the redfish and ipmi rows). Add
// or replace rows through Config.BMCSchemes.
//
//	redfish://host[:port]       Redfish over HTTPS (gofish)
//	redfish+http://host:port    Redfish over plain HTTP (an emulator such as stx-bmcsim)
//	ipmi://host[:port]          IPMI over LAN (go-ipmi), port 623 by default
//	qemu+unix:///path/qmp.sock  a QEMU VM's QMP socket (go-qemu)
//
// Redfish URLs take the query parameters system=ID (the ComputerSystem,
// when the service has several), auth=session|basic and, for HTTPS,
// insecure=true (accept a self-signed certificate: the host's own
// opt-in). ipmi takes interface=lanplus (IPMI 2.0, the default) or lan
// (IPMI 1.5, for old BMCs and OpenIPMI's ipmi_sim).
//
// libvirt:///domain?uri=qemu:///system needs the cgo engine
// engines/libvirt/libvirtbmc, which the core module does not require:
// a build that has it adds the row through Config.BMCSchemes, with
// libvirtbmc.NewFromURL.
func BMCSchemes() map[string]BMCOpener {
	return map[string]BMCOpener{
		"redfish":      func(u *url.URL, l BMCLogin) (hostmgmt.BMC, error) { return openRedfish("https", u, l) },
		"redfish+http": func(u *url.URL, l BMCLogin) (hostmgmt.BMC, error) { return openRedfish("http", u, l) },
		"ipmi": func(u *url.URL, l BMCLogin) (hostmgmt.BMC, error) {
			q, err := query(u, "interface")
			if err != nil {
				return nil, err
			}
			iface := q.Get("interface")
			if iface == "" {
				iface = "lanplus" // IPMI 2.0: what BMCs of this decade speak
			}
			return ipmibmc.New(u.Host, &ipmibmc.Options{Username: l.Username, Password: l.Password, Interface: iface})
		},
		"qemu+unix": func(u *url.URL, _ BMCLogin) (hostmgmt.BMC, error) {
			if _, err := query(u); err != nil {
				return nil, err
			}
			return qemubmc.New(u.Path, nil)
		},
	}
}

func openRedfish(scheme string, u *url.URL, l BMCLogin) (hostmgmt.BMC, error) {
	allowed := []string{"system", "auth"}
	if scheme == "https" {
		allowed = append(allowed, "insecure")
	}
	q, err := query(u, allowed...)
	if err != nil {
		return nil, err
	}
	insecure := false
	switch v := q.Get("insecure"); v {
	case "", "false", "0":
	case "true", "1":
		insecure = true
	default:
		return nil, &hostmgmt.FieldError{Field: "bm_ip", Reason: fmt.Sprintf("insecure=%q: want true or false", v)}
	}
	return redfishbmc.New(scheme+"://"+u.Host, &redfishbmc.Options{Username: l.Username, Password: l.Password,
		Auth: q.Get("auth"), InsecureTLS: insecure, System: q.Get("system")})
}

// query returns u's query parameters, refusing any not in allowed.
func query(u *url.URL, allowed ...string) (url.Values, error) {
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, &hostmgmt.FieldError{Field: "bm_ip", Reason: "query: " + err.Error()}
	}
	for k := range q {
		if !slices.Contains(allowed, k) {
			return nil, &hostmgmt.FieldError{Field: "bm_ip", Reason: fmt.Sprintf("%s URL takes no parameter %q (only %s)", u.Scheme, k, strings.Join(allowed, ", "))}
		}
	}
	return q, nil
}

// probeRedfish asks the Redfish service root for its version. It sends
// no credentials, so it accepts any certificate.
func probeRedfish(ctx context.Context, endpoint string) (string, error) {
	return redfishbmc.Probe(ctx, endpoint, &redfishbmc.Options{InsecureTLS: true})
}
