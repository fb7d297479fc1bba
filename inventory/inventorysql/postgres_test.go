package inventorysql_test

import (
	"testing"

	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorysql"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// TestPostgres runs the SQLite tests' cases on PostgreSQL: one server
// for the package, one database per case.
func TestPostgres(t *testing.T) {
	pg := testenv.StartPostgres(t)
	fresh := func(t *testing.T, opts *inventorysql.Options) *inventorysql.Manager {
		t.Helper()
		return openURL(pg.NewDatabase(t))(t, opts)
	}
	t.Run("concurrent writes", func(t *testing.T) { runConcurrentWrites(t, fresh) })
	t.Run("rules", func(t *testing.T) { runRuleCases(t, fresh) })
	t.Run("config versioning", func(t *testing.T) { runConfigVersioning(t, fresh) })
	t.Run("reopen", func(t *testing.T) { runReopen(t, pg.NewDatabase(t)) })
	t.Run("conformance", func(t *testing.T) {
		inventorytest.RunServiceSuite(t, func(t *testing.T) inventory.Service { return fresh(t, nil) })
	})
}
