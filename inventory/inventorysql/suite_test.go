package inventorysql_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorysql"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// TestServiceSuiteSQLite runs the conformance suite on SQLite in memory.
func TestServiceSuiteSQLite(t *testing.T) {
	inventorytest.RunServiceSuite(t, func(t *testing.T) inventory.Service {
		m, err := inventorysql.OpenMemory(t.Context(), nil)
		require.NoError(t, err)
		t.Cleanup(func() { m.Close() })
		return m
	})
}
