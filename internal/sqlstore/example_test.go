package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/edgeflock/flock/internal/sqlstore"
)

// A service's hot write path on SQLite: statements prepared once on a
// Conn, read back through the DB.
func ExampleDB_OpenConn() {
	dir, _ := os.MkdirTemp("", "sqlstore")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(dir, "flock.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		panic(err)
	}

	c, err := db.OpenConn()
	if err != nil {
		panic(err)
	}
	defer c.Close()
	put, err := c.Prepare(`INSERT INTO kv (k, v) VALUES (?1, ?2)`)
	if err != nil {
		panic(err)
	}
	if err := c.Exec("BEGIN IMMEDIATE"); err != nil {
		panic(err)
	}
	for i, v := range []string{"zero", "one", "two"} {
		if err := put.BindInt64(1, int64(i)); err != nil {
			panic(err)
		}
		if err := put.BindText(2, v); err != nil {
			panic(err)
		}
		if err := put.Exec(); err != nil {
			panic(err)
		}
	}
	if err := c.Exec("COMMIT"); err != nil {
		panic(err)
	}

	var v string
	if err := db.QueryRowContext(ctx, `SELECT v FROM kv WHERE k = 2`).Scan(&v); err != nil {
		panic(err)
	}
	fmt.Println(v)
	// Output: two
}
