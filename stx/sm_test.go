package stx_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hahttp"
	"github.com/edgeflock/flock/ha/hatest"
	"github.com/edgeflock/flock/stx"
)

// Service management's API is served on the controller's port, behind
// its authentication, when Config.SM is set; the conformance suite passes
// through it.
func TestSMMounted(t *testing.T) {
	hatest.RunAPISuite(t, func(t *testing.T) hatest.APIRig {
		f := hatest.NewFakeAPI(nil)
		sys, srv := openSystem(t, stx.Config{SM: f})
		return hatest.FakeAPIRig(f, hahttp.NewClient(srv.URL, &hahttp.ClientOptions{Token: sys.AdminToken}))
	})
	f := hatest.NewFakeAPI(nil)
	sys, srv := openSystem(t, stx.Config{SM: f})
	code, _, _ := do(t, "GET", srv.URL+"/v1/servicegroup", "", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, body, _ := do(t, "GET", srv.URL+"/v1/servicegroup", sys.AdminToken, "")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `"sm_servicegroup":[`)
	code, _, _ = do(t, "GET", srv.URL+"/v1/ihosts", sys.AdminToken, "")
	assert.Equal(t, http.StatusOK, code, "inventory still answers beside it")
	_, err := hahttp.NewClient(srv.URL, &hahttp.ClientOptions{Token: sys.AdminToken}).GetServiceNode(t.Context(), "controller-1")
	require.NoError(t, err)

	// Without SM the paths are not served.
	sys2, srv2 := openSystem(t, stx.Config{})
	_, err = hahttp.NewClient(srv2.URL, &hahttp.ClientOptions{Token: sys2.AdminToken}).ListServiceGroups(t.Context())
	assert.ErrorIs(t, err, ha.ErrNotFound)
}
