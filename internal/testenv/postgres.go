package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// Postgres is a running PostgreSQL server owned by one test.
type Postgres struct {
	// URL reaches the "postgres" database as the superuser.
	URL  string
	Port int
	n    atomic.Int64
}

const pgInstall = "apt-get install -y postgresql"

// StartPostgres starts a PostgreSQL server (fsync off: the tests are about
// Flock's durability, not PostgreSQL's) and returns it ready.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	sort.Strings(bins)
	if len(bins) == 0 {
		Missing(t, "PostgreSQL", pgInstall, fmt.Errorf("no /usr/lib/postgresql/*/bin/postgres"))
	}
	binDir := filepath.Dir(bins[len(bins)-1])
	u, err := user.Lookup("postgres")
	if err != nil {
		Missing(t, "PostgreSQL", pgInstall, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	if os.Getuid() != 0 {
		cred = nil // not root: run as ourselves
	}
	dir, err := os.MkdirTemp("", "flock-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if cred != nil {
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(dir, "data")
	if err := run(cred, filepath.Join(binDir, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--no-sync", "--no-instructions"); err != nil {
		t.Fatalf("testenv: initdb: %v", err)
	}
	port := FreePort(t)
	p, err := Start(t, "postgres", cred, filepath.Join(binDir, "postgres"), "-D", data, "-k", dir,
		"-p", strconv.Itoa(port), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
		"-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	pg := &Postgres{URL: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port), Port: port}
	err = WaitFor(p, 30*time.Second, func() error {
		db, err := sql.Open("pgx", pg.URL)
		if err != nil {
			return err
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return db.PingContext(ctx)
	})
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return pg
}

// NewDatabase creates an empty database and returns its URL.
func (pg *Postgres) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d", pg.n.Add(1))
	db, err := sql.Open("pgx", pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", pg.Port, name)
}
