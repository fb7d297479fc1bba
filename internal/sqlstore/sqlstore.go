// Package sqlstore opens Flock's SQL database by URL and migrates it: SQLite
// through the pure-Go modernc.org/sqlite (the embedded default) or
// PostgreSQL through pgx, both through database/sql. Services keep their
// migrations embedded and run them with Migrate; one database holds every
// service's tables.
//
// URLs:
//
//	sqlite:///var/lib/flock/flock.db   (absolute path)
//	sqlite://relative/path.db          (relative path)
//	postgres://user:pass@host:5432/db?sslmode=disable
//
// SQLite is opened in WAL mode with synchronous=FULL, so a commit that
// returned is on disk, and transactions begin with BEGIN IMMEDIATE, so a
// writer takes the write lock before it reads instead of failing on an
// upgrade. SQLite checkpoints its WAL itself (wal_autocheckpoint, its
// default). The directory Open creates for the database is 0700 and the
// database's files are 0600, whatever the umask.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// Dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database and its dialect.
type DB struct {
	*sql.DB
	Dialect Dialect
}

// ErrBadURL is returned for a URL that names no supported database.
var ErrBadURL = errors.New("sqlstore: bad database URL")

// Open opens the database named by rawURL and checks it answers.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	var db *sql.DB
	var d Dialect
	switch u.Scheme {
	case "sqlite", "sqlite3":
		path := u.Host + u.Path
		if path == "" {
			return nil, fmt.Errorf("%w: %q has no file path", ErrBadURL, rawURL)
		}
		if err := prepareFiles(path); err != nil {
			return nil, fmt.Errorf("sqlstore: %w", err)
		}
		db, err = sql.Open("sqlite", sqliteDSN(path))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
		}
		// SQLite has one writer at a time: more connections only add
		// page caches.
		db.SetMaxOpenConns(4)
		d = SQLite
	case "postgres", "postgresql":
		db, err = sql.Open("pgx", rawURL)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: open postgres: %w", err)
		}
		db.SetMaxOpenConns(8)
		d = Postgres
	default:
		return nil, fmt.Errorf("%w: scheme %q (want sqlite:// or postgres://)", ErrBadURL, u.Scheme)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: connect %s: %w", redact(u), err)
	}
	return &DB{DB: db, Dialect: d}, nil
}

// sqliteParams are the settings of every connection to a SQLite
// database: BEGIN IMMEDIATE for transactions, WAL with full syncs (a
// commit that returned is on disk), 5 s of waiting for another
// connection's lock, foreign keys enforced, a 16 MiB page cache.
const sqliteParams = "_txlock=immediate" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(FULL)" +
	"&_pragma=busy_timeout(5000)" +
	"&_pragma=foreign_keys(1)" +
	"&_pragma=cache_size(-16384)"

// sqliteDSN is the modernc driver's DSN for the database file at path.
func sqliteDSN(path string) string { return "file:" + path + "?" + sqliteParams }

// prepareFiles creates the database's directory (0700) and file (0600)
// if they do not exist, before the driver opens it: SQLite creates the
// -wal and -shm files with the database file's mode, so they are 0600
// too. An existing database file (or -wal, -shm) that others may read or
// write loses those permissions; an existing directory is left as it is.
func prepareFiles(path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		// The umask may have taken bits away from 0700, never added any:
		// set the mode SQLite needs, exactly.
		if err := os.Chmod(dir, 0o700); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return err
		}
		return os.Chmod(path, 0o600)
	case !errors.Is(err, fs.ErrExist):
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			if err := os.Chmod(p, perm&0o700); err != nil {
				return fmt.Errorf("restrict %s to its owner: %w", p, err)
			}
		}
	}
	return nil
}

func redact(u *url.URL) string {
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}

// Rebind turns '?' placeholders into the dialect's ($1, $2 ... for
// PostgreSQL). Queries must not hold '?' inside string literals.
func (db *DB) Rebind(q string) string {
	if db.Dialect != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// inTx runs fn in a transaction, committing if it returns nil and rolling
// back otherwise.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Migrate applies, in order, the migrations of service that have not been
// applied yet. Migrations are files NNNN_name.sql in fsys, for every
// dialect, or NNNN_name.sqlite.sql / NNNN_name.postgres.sql where the two
// engines need different DDL (a version may have one of each). Each file
// runs in its own transaction together with its bookkeeping row.
func (db *DB) Migrate(ctx context.Context, service string, fsys fs.FS) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS flock_migrations (
		service TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,
		PRIMARY KEY (service, version))`); err != nil {
		return fmt.Errorf("sqlstore: migrations table: %w", err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		if d, ok := dialectOf(name); ok && d != db.Dialect {
			continue
		}
		v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("sqlstore: migration %s: name must start with a number", name)
		}
		var done int
		if err := db.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM flock_migrations WHERE service = ? AND version = ?`),
			service, v).Scan(&done); err != nil {
			return fmt.Errorf("sqlstore: migration %s/%s: %w", service, name, err)
		}
		if done > 0 {
			continue
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			for _, stmt := range splitSQL(string(body)) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%w\n%s", err, stmt)
				}
			}
			_, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO flock_migrations (service, version, name) VALUES (?, ?, ?)`), service, v, name)
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlstore: migration %s/%s: %w", service, name, err)
		}
	}
	return nil
}

// dialectOf returns the dialect a migration file is limited to, if any.
func dialectOf(name string) (Dialect, bool) {
	base := strings.TrimSuffix(name, ".sql")
	for _, d := range []Dialect{SQLite, Postgres} {
		if strings.HasSuffix(base, "."+string(d)) {
			return d, true
		}
	}
	return "", false
}

// splitSQL splits a migration on semicolons that end a line.
func splitSQL(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";\n") {
		var keep []string
		for _, line := range strings.Split(part, "\n") {
			if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
				keep = append(keep, line)
			}
		}
		if stmt := strings.TrimSuffix(strings.TrimSpace(strings.Join(keep, "\n")), ";"); stmt != "" {
			out = append(out, stmt)
		}
	}
	return out
}
