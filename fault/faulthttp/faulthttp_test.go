package faulthttp_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/fault/faulttest"
)

// serve starts the REST API of a fresh in-memory manager.
func serve(t *testing.T) (*fault.Manager, *httptest.Server) {
	t.Helper()
	m, err := fault.Open(t.Context(), faultstore.NewMemoryStore(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close(t.Context()) })
	srv := httptest.NewServer(faulthttp.NewHandler(m, nil))
	t.Cleanup(srv.Close)
	return m, srv
}

func TestClientServerConformance(t *testing.T) {
	faulttest.RunServiceSuite(t, func(t *testing.T) fault.Service {
		_, srv := serve(t)
		return faulthttp.NewClient(srv.URL, nil)
	})
}
