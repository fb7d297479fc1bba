package faulthttp_test

import (
	"net"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/internal/http1"
)

// serve starts the REST API of a fresh in-memory manager.
func serve(t *testing.T) (*fault.Manager, *httptest.Server) {
	t.Helper()
	m, err := fault.Open(t.Context(), fault.NewMemoryStore(), nil)
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

// The suite again over the server stx-controller uses (internal/http1).
func TestClientServerConformanceHTTP1(t *testing.T) {
	faulttest.RunServiceSuite(t, func(t *testing.T) fault.Service {
		m, err := fault.Open(t.Context(), fault.NewMemoryStore(), nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = m.Close(t.Context()) })
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		srv := &http1.Server{Handler: faulthttp.NewHandler(m, nil)}
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close() })
		return faulthttp.NewClient("http://"+ln.Addr().String(), nil)
	})
}
