//go:build !ceph

package cephtestenv_test

import (
	"errors"
	"testing"

	"github.com/edgeflock/flock/internal/testenv"
)

// TestCeph stands in for the Ceph test in a build without the ceph tag
// (go-ceph needs cgo and librados-dev): a failure under CI, which must run
// it, a skip elsewhere.
func TestCeph(t *testing.T) {
	testenv.Missing(t, "the Ceph test", "go test -tags ceph,pacific (make test does)", errors.New("built without the ceph tag"))
}
