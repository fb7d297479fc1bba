package bmcsimcmd

import (
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/bmcsim"
)

func TestOpenBackend(t *testing.T) {
	for _, spec := range []string{"", "memory:", "memory://", "memory:?off=false"} {
		b, err := openBackend(spec, nil)
		require.NoError(t, err, spec)
		st, err := b.PowerState(t.Context())
		require.NoError(t, err)
		assert.Equal(t, hostmgmt.PowerOn, st, spec)
	}
	// An extra scheme is opened by its row; without it, it is unknown.
	var got string
	extra := map[string]Backend{"libvirt": func(u *url.URL) (hostmgmt.BMC, error) {
		got = u.String()
		return bmcsim.NewMemoryHost(nil), nil
	}}
	_, err := openBackend("libvirt:///vm1?uri=test:///default", extra)
	require.NoError(t, err)
	assert.Equal(t, "libvirt:///vm1?uri=test:///default", got)
	_, err = openBackend("libvirt:///vm1", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown scheme "libvirt"`)
	extra["broken"] = func(*url.URL) (hostmgmt.BMC, error) { return nil, errors.New("no such domain") }
	_, err = openBackend("broken:///x", extra)
	assert.ErrorContains(t, err, "no such domain")
}
