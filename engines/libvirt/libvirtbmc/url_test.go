package libvirtbmc_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/engines/libvirt/libvirtbmc"
	"github.com/edgeflock/flock/hostmgmt"
)

func TestNewFromURLRefuses(t *testing.T) {
	for raw, reason := range map[string]string{
		"redfish://10.0.0.1":         "not libvirt",
		"libvirt://host/vm1":         "has a host",
		"libvirt:///":                "not one domain name",
		"libvirt:///a/b":             "not one domain name",
		"libvirt:///vm1?socket=/x":   "one parameter, uri",
		"libvirt:///vm1?uri=a&uri=b": "one parameter, uri",
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		_, err = libvirtbmc.NewFromURL(u, nil)
		require.ErrorIs(t, err, hostmgmt.ErrInvalid, raw)
		assert.Contains(t, err.Error(), "bm_ip", raw)
		assert.Contains(t, err.Error(), reason, raw)
	}
}
