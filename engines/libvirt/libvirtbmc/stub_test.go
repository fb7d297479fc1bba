//go:build !libvirt

package libvirtbmc_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/engines/libvirt/libvirtbmc"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/internal/testenv"
)

// TestStubNew: without libvirt, New says so, after checking its input.
func TestStubNew(t *testing.T) {
	_, err := libvirtbmc.New("test:///default", "test", nil)
	require.ErrorIs(t, err, hostmgmt.ErrUnimplemented)
	require.ErrorContains(t, err, "built without libvirt")
	_, err = libvirtbmc.New("", "test", nil)
	require.ErrorIs(t, err, hostmgmt.ErrInvalid)
}

// TestLibvirt stands in for the libvirt tests in a build without the
// libvirt tag (they need cgo and libvirt-dev): a failure under CI, which
// must run them, a skip elsewhere.
func TestLibvirt(t *testing.T) {
	testenv.Missing(t, "the libvirt tests", "go test -tags libvirt (make test does)", errors.New("built without the libvirt tag"))
}
