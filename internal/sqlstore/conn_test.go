package sqlstore_test

import (
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/sqlstore"
)

func openLite(t *testing.T) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(t.Context(), "sqlite://"+filepath.Join(t.TempDir(), "c.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.ExecContext(t.Context(), `CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)`)
	require.NoError(t, err)
	return db
}

// TestConnWritesWhatDBReads: rows written through a Conn's prepared
// statements, text bound from strings and byte slices and rebound for
// every row, are what the database/sql side reads back; a statement's
// buffers are reused without changing rows written before.
func TestConnWritesWhatDBReads(t *testing.T) {
	db := openLite(t)
	c, err := db.OpenConn()
	require.NoError(t, err)
	defer c.Close()
	put, err := c.Prepare(`INSERT INTO kv (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v`)
	require.NoError(t, err)
	defer put.Close()
	require.NoError(t, c.Exec("BEGIN IMMEDIATE"))
	want := map[int64]string{}
	for i := range 200 {
		v := strings.Repeat(string(rune('a'+i%26)), 1+i*7%300) + "-" + string(rune('0'+i%10)) + "-" + strconv.Itoa(i)
		require.NoError(t, put.BindInt64(1, int64(i)))
		if i%2 == 0 {
			require.NoError(t, put.BindText(2, v))
		} else {
			require.NoError(t, put.BindTextBytes(2, []byte(v)))
		}
		runtime.GC() // a moved or freed buffer would show in the rows
		require.NoError(t, put.Exec())
		want[int64(i)] = v
	}
	require.NoError(t, put.BindInt64(1, 7))
	require.NoError(t, put.BindText(2, ""))
	require.NoError(t, put.Exec())
	want[7] = ""
	require.NoError(t, c.Exec("COMMIT"))

	rows, err := db.QueryContext(t.Context(), `SELECT k, v, typeof(v) FROM kv`)
	require.NoError(t, err)
	defer rows.Close()
	got := map[int64]string{}
	for rows.Next() {
		var k int64
		var v, typ string
		require.NoError(t, rows.Scan(&k, &v, &typ))
		assert.Equal(t, "text", typ, "row %d", k)
		got[k] = v
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, want, got)
}

// TestConnErrors: bad SQL, a missing parameter and a constraint violation
// are errors that say what failed, and a failed statement can run again.
func TestConnErrors(t *testing.T) {
	db := openLite(t)
	c, err := db.OpenConn()
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Prepare(`INSERT INTO nosuch VALUES (?1)`)
	require.ErrorContains(t, err, "no such table: nosuch")
	assert.ErrorContains(t, c.Exec(`SELEC 1`), "syntax error")
	put, err := c.Prepare(`INSERT INTO kv (k, v) VALUES (?1, ?2)`)
	require.NoError(t, err)
	assert.ErrorContains(t, put.BindText(3, "x"), "bind 3")
	assert.ErrorContains(t, put.BindTextBytes(0, nil), "bind 0")
	require.NoError(t, put.BindInt64(1, 1))
	require.NoError(t, put.BindText(2, "same"))
	require.NoError(t, put.Exec())
	require.NoError(t, put.BindInt64(1, 2))
	err = put.Exec()
	require.ErrorContains(t, err, "UNIQUE constraint failed: kv.v")
	require.NoError(t, put.BindText(2, "other"))
	require.NoError(t, put.Exec(), "the statement runs again after a failure")
	var n int
	require.NoError(t, db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM kv`).Scan(&n))
	assert.Equal(t, 2, n)

	pg := &sqlstore.DB{Dialect: sqlstore.Postgres}
	_, err = pg.OpenConn()
	assert.ErrorIs(t, err, sqlstore.ErrNotSQLite)
	// A DB not opened from a file would give the Conn a database of its own.
	_, err = (&sqlstore.DB{Dialect: sqlstore.SQLite}).OpenConn()
	assert.ErrorContains(t, err, "needs a database file")
}
