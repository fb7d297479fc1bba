package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing/fstest"

	"github.com/edgeflock/flock/internal/sqlstore"
)

// A service opens the database by URL, migrates its tables and works
// through database/sql.
func Example() {
	dir, _ := os.MkdirTemp("", "sqlstore")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(dir, "flock.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	migrations := fstest.MapFS{
		"0001_init.sql": {Data: []byte("CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL);\n")},
	}
	if err := db.Migrate(ctx, "example", migrations); err != nil {
		panic(err)
	}
	if _, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO kv (k, v) VALUES (?, ?)`), 2, "two"); err != nil {
		panic(err)
	}
	var v string
	if err := db.QueryRowContext(ctx, db.Rebind(`SELECT v FROM kv WHERE k = ?`), 2).Scan(&v); err != nil {
		panic(err)
	}
	fmt.Println(v)
	// Output: two
}
