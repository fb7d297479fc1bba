package stx_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/patchinghttp"
	"github.com/edgeflock/flock/patching/patchingtest"
	"github.com/edgeflock/flock/stx"
)

// Software management's API is served on the controller's port, behind
// its authentication, when Config.Software is set; the conformance
// suite passes through it.
func TestSoftwareMounted(t *testing.T) {
	patchingtest.RunServiceSuite(t, func(t *testing.T) patchingtest.Rig {
		rig, f := patchingtest.NewFakeRig(t)
		sys, srv := openSystem(t, stx.Config{Software: f})
		rig.Service = patchinghttp.NewClient(srv.URL, &patchinghttp.ClientOptions{Token: sys.AdminToken})
		return rig
	})
	_, f := patchingtest.NewFakeRig(t)
	sys, srv := openSystem(t, stx.Config{Software: f})
	code, _, _ := do(t, "GET", srv.URL+"/v1/release", "", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, body, _ := do(t, "GET", srv.URL+"/v1/release", sys.AdminToken, "")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "[]\n", body)
	code, _, _ = do(t, "GET", srv.URL+"/v1/ihosts", sys.AdminToken, "")
	assert.Equal(t, http.StatusOK, code, "inventory still answers beside it")

	// Without Software the paths are not served.
	sys2, srv2 := openSystem(t, stx.Config{})
	_, err := patchinghttp.NewClient(srv2.URL, &patchinghttp.ClientOptions{Token: sys2.AdminToken}).ListReleases(t.Context(), "")
	assert.ErrorIs(t, err, patching.ErrNotFound)
}
