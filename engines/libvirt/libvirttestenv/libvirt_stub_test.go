//go:build !libvirt

package libvirttestenv_test

import (
	"errors"
	"testing"

	"github.com/edgeflock/flock/internal/testenv"
)

// TestLibvirt stands in for the libvirt tests in a build without the
// libvirt tag (they need cgo and libvirt-dev): a failure under CI, which
// must run them, a skip elsewhere.
func TestLibvirt(t *testing.T) {
	testenv.Missing(t, "the libvirt tests", "go test -tags libvirt (make test does)", errors.New("built without the libvirt tag"))
}
