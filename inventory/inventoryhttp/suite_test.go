package inventoryhttp_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorysql"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// TestServiceSuiteHTTP runs the conformance suite through the Client and
// the Handler over the SQL manager: remote calls behave as local ones.
func TestServiceSuiteHTTP(t *testing.T) {
	inventorytest.RunServiceSuite(t, func(t *testing.T) inventory.Service {
		m, err := inventorysql.OpenMemory(t.Context(), nil)
		require.NoError(t, err)
		t.Cleanup(func() { m.Close() })
		srv := httptest.NewServer(inventoryhttp.NewHandler(m, nil))
		t.Cleanup(srv.Close)
		return inventoryhttp.NewClient(srv.URL, nil)
	})
}
