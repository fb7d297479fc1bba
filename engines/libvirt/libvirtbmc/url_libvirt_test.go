//go:build libvirt

package libvirtbmc_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/engines/libvirt/libvirtbmc"
	"github.com/edgeflock/flock/hostmgmt"
)

// TestNewFromURL: the URL names the domain and the connection; the test
// driver's built-in domain "test" runs.
func TestNewFromURL(t *testing.T) {
	u, err := url.Parse("libvirt:///test?uri=test:///default")
	require.NoError(t, err)
	b, err := libvirtbmc.NewFromURL(u, nil)
	require.NoError(t, err)
	defer b.Close()
	st, err := b.PowerState(t.Context())
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.PowerOn, st)
}
