package sqlstore_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/sqlstore"
)

func TestOpenRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"mysql://x", "sqlite://", "::"} {
		_, err := sqlstore.Open(t.Context(), u)
		assert.ErrorIs(t, err, sqlstore.ErrBadURL, u)
	}
}

func TestRebind(t *testing.T) {
	pg := &sqlstore.DB{Dialect: sqlstore.Postgres}
	assert.Equal(t, "SELECT $1, $2", pg.Rebind("SELECT ?, ?"))
	lite := &sqlstore.DB{Dialect: sqlstore.SQLite}
	assert.Equal(t, "SELECT ?, ?", lite.Rebind("SELECT ?, ?"))
}

func TestMigrateOnceAndByDialect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := sqlstore.Open(t.Context(), "sqlite://"+path)
	require.NoError(t, err)
	defer db.Close()
	mig := os.DirFS("testdata/mig")
	require.NoError(t, db.Migrate(t.Context(), "svc", mig))
	require.NoError(t, db.Migrate(t.Context(), "svc", mig), "a second run applies nothing")
	var n int
	require.NoError(t, db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM flock_migrations WHERE service = 'svc'`).Scan(&n))
	assert.Equal(t, 2, n)
	_, err = db.ExecContext(t.Context(), "INSERT INTO t_lite VALUES (1)")
	assert.NoError(t, err, "the sqlite-only migration ran")
	_, err = db.ExecContext(t.Context(), "INSERT INTO t_pg VALUES (1)")
	assert.Error(t, err, "the postgres-only migration did not")
	require.NoError(t, db.InTx(t.Context(), func(tx *sql.Tx) error { return nil }))
}

// TestSQLiteSettings: DB's connections run with the settings durability
// and the checkpointer rely on.
func TestSQLiteSettings(t *testing.T) {
	db, err := sqlstore.Open(t.Context(), "sqlite://"+filepath.Join(t.TempDir(), "s.db"))
	require.NoError(t, err)
	defer db.Close()
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "busy_timeout": "10000",
		"foreign_keys": "1", "cache_size": "-16384", "wal_autocheckpoint": "0"} {
		var got string
		require.NoError(t, db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got))
		assert.Equal(t, want, got, pragma)
	}
}
