package libvirtbmc

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/edgeflock/flock/hostmgmt"
)

// NewFromURL opens the BMC a host's bm_ip names in Flock's libvirt
// scheme, libvirt:///DOMAIN?uri=CONNECTION-URI (the connection URI
// defaults to qemu:///system), for the row an embedder adds to stx's
// BMC scheme table:
//
//	stx.Config{BMCSchemes: map[string]stx.BMCOpener{
//		"libvirt": func(u *url.URL, _ stx.BMCLogin) (hostmgmt.BMC, error) { return libvirtbmc.NewFromURL(u, nil) },
//	}}
//
// Bad URLs are a *hostmgmt.FieldError naming bm_ip.
func NewFromURL(u *url.URL, opts *Options) (*BMC, error) {
	bad := func(format string, args ...any) error {
		return &hostmgmt.FieldError{Field: "bm_ip", Reason: fmt.Sprintf(format, args...)}
	}
	if u.Scheme != "libvirt" {
		return nil, bad("scheme %q is not libvirt", u.Scheme)
	}
	if u.Host != "" {
		return nil, bad("libvirt URL has a host %q: want libvirt:///DOMAIN?uri=...", u.Host)
	}
	domain := strings.Trim(u.Path, "/")
	if domain == "" || strings.Contains(domain, "/") {
		return nil, bad("libvirt URL path %q is not one domain name", u.Path)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, bad("query: %v", err)
	}
	uri := "qemu:///system"
	for k, v := range q {
		if k != "uri" || len(v) != 1 {
			return nil, bad("libvirt URL takes one parameter, uri (got %q)", k)
		}
		uri = v[0]
	}
	return New(uri, domain, opts)
}
