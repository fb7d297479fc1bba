package sqlstore_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"syscall"
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
}

// TestSQLiteSettings: every connection runs with the settings that
// durability relies on, and SQLite checkpoints its WAL itself.
func TestSQLiteSettings(t *testing.T) {
	db, err := sqlstore.Open(t.Context(), "sqlite://"+filepath.Join(t.TempDir(), "s.db"))
	require.NoError(t, err)
	defer db.Close()
	// Hold a connection so that the loop below also runs on a second one.
	conn, err := db.Conn(t.Context())
	require.NoError(t, err)
	defer conn.Close()
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "busy_timeout": "5000",
		"foreign_keys": "1", "cache_size": "-16384", "wal_autocheckpoint": "1000"} {
		for _, q := range []interface {
			QueryRowContext(context.Context, string, ...any) *sql.Row
		}{db, conn} {
			var got string
			require.NoError(t, q.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got))
			assert.Equal(t, want, got, pragma)
		}
	}
}

// TestSQLiteBeginsImmediate: a transaction takes the write lock when it
// begins, so a second writer waits at BEGIN, not at its first write.
func TestSQLiteBeginsImmediate(t *testing.T) {
	db, err := sqlstore.Open(t.Context(), "sqlite://"+filepath.Join(t.TempDir(), "s.db"))
	require.NoError(t, err)
	defer db.Close()
	tx, err := db.BeginTx(t.Context(), nil)
	require.NoError(t, err)
	defer tx.Rollback()
	conn, err := db.Conn(t.Context())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(t.Context(), "PRAGMA busy_timeout = 0")
	require.NoError(t, err)
	_, err = conn.ExecContext(t.Context(), "BEGIN IMMEDIATE")
	require.Error(t, err, "the write lock is held by the open transaction")
	assert.Contains(t, err.Error(), "locked")
}

// TestSQLiteFileModes: with a umask of 0, the directory Open creates is
// 0700 and the database, its WAL and its shared-memory file are 0600; an
// existing database file others could read is restricted to its owner.
func TestSQLiteFileModes(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data", "flock")
	path := filepath.Join(dir, "flock.db")
	db, err := sqlstore.Open(t.Context(), "sqlite://"+path)
	require.NoError(t, err)
	_, err = db.ExecContext(t.Context(), "CREATE TABLE t (x INTEGER)")
	require.NoError(t, err)
	modes := func() map[string]os.FileMode {
		out := map[string]os.FileMode{}
		for _, p := range []string{dir, path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			require.NoError(t, err)
			out[filepath.Base(p)] = fi.Mode().Perm()
		}
		return out
	}
	want := map[string]os.FileMode{"flock": 0o700, "flock.db": 0o600, "flock.db-wal": 0o600, "flock.db-shm": 0o600}
	assert.Equal(t, want, modes())
	require.NoError(t, db.Close())

	require.NoError(t, os.Chmod(path, 0o644))
	db, err = sqlstore.Open(t.Context(), "sqlite://"+path)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.ExecContext(t.Context(), "INSERT INTO t VALUES (1)")
	require.NoError(t, err)
	assert.Equal(t, want, modes(), "an existing database file is restricted")
}
