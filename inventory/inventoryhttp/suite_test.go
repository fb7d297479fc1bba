package inventoryhttp_test

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorysql"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// TestServiceSuiteHTTP runs the conformance suite through the Client and
// the Handler over the SQL manager: remote calls behave as local ones.
// Every exchange, answers of the real manager included, is checked
// against the OpenAPI document on the way.
func TestServiceSuiteHTTP(t *testing.T) {
	router := loadSpec(t)
	inventorytest.RunServiceSuite(t, func(t *testing.T) inventory.Service {
		m, err := inventorysql.OpenMemory(t.Context(), nil)
		require.NoError(t, err)
		t.Cleanup(func() { m.Close() })
		h := inventoryhttp.NewHandler(m, nil)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(r.Body)
			require.NoError(t, err)
			r.Body = io.NopCloser(bytes.NewReader(body))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			assert.NoError(t, validate(router, r, body, rec.Code, rec.Header(), rec.Body.Bytes()),
				"%s %s -> %d %s", r.Method, r.URL, rec.Code, rec.Body)
			maps.Copy(w.Header(), rec.Header())
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		}))
		t.Cleanup(srv.Close)
		return inventoryhttp.NewClient(srv.URL, nil)
	})
}
