package inventorysql

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/inventory"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect names the SQL engine behind a *sql.DB handed to New.
type Dialect string

// Dialects.
const (
	// SQLite is a database opened with the modernc.org/sqlite driver
	// ("sqlite").
	SQLite Dialect = "sqlite"
	// Postgres is a PostgreSQL database opened with pgx's database/sql
	// driver ("pgx").
	Postgres Dialect = "postgres"
)

// Options configure a Manager. The zero value (or nil) is valid.
type Options struct {
	// Reporter, if set, receives alarm 250.001 ("configuration out of
	// date") for each host whose config_target differs from the one it
	// applied, and its clear when the host catches up or is deleted.
	Reporter fault.Reporter `json:"-" yaml:"-"`
	// Logger receives the reporter's failures; nil discards them.
	Logger *slog.Logger `json:"-" yaml:"-"`
}

// Manager is the inventory service over a SQL database: every read is a
// query, every write one transaction. It implements inventory.Service.
type Manager struct {
	db       *sql.DB
	pg       bool
	rebind   func(string) string
	dbDone   func() error // closes the database Open opened; nil for New
	reporter fault.Reporter
	log      *slog.Logger
	closed   atomic.Bool

	mu    sync.Mutex
	stmts map[string]*sql.Stmt

	pubMu sync.Mutex // one publisher of alarms at a time
	// wmu makes this process's writers take turns before they take a
	// connection: a writer waits here, not holding a connection on the
	// database's lock, so the one writing can always get another
	// connection to prepare a statement on.
	wmu sync.Mutex
	// oneConn is set when the pool has a single connection (the memory
	// database): a transaction cannot prepare on another one.
	oneConn bool
}

var _ inventory.Service = (*Manager)(nil)

// Open opens the database at url ("sqlite:///path/flock.db" or
// "postgres://..."), creates or migrates the inventory tables, and
// returns a Manager that owns the database: Close closes it.
func Open(ctx context.Context, url string, opts *Options) (*Manager, error) {
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("inventorysql: %w", err)
	}
	m, err := newManager(ctx, db, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	m.dbDone = db.Close
	return m, nil
}

// OpenMemory returns a Manager over a new, empty SQLite database in
// memory: the same code and SQL as a file, gone when the Manager is
// closed. It is what tests and integrators' fakes use.
func OpenMemory(ctx context.Context, opts *Options) (*Manager, error) {
	// Each connection to ":memory:" is a database of its own: the pool
	// holds one connection, for ever, and callers queue for it.
	db, err := sql.Open("sqlite", ":memory:?_pragma=foreign_keys(1)")
	if err != nil {
		return nil, fmt.Errorf("inventorysql: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	m, err := newManager(ctx, &sqlstore.DB{DB: db, Dialect: sqlstore.SQLite}, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	m.dbDone = db.Close
	return m, nil
}

// New returns a Manager over db, a database shared with other services
// (fault's tables sit beside inventory's), whose engine is dialect; it
// creates or migrates the inventory tables. Close does not close db.
//
// A SQLite database must enforce foreign keys (_pragma=foreign_keys(1))
// and should be opened as sqlstore opens one (WAL, synchronous=FULL,
// transactions that begin immediately); New refuses one without
// foreign keys.
func New(ctx context.Context, db *sql.DB, dialect Dialect, opts *Options) (*Manager, error) {
	var d sqlstore.Dialect
	switch dialect {
	case SQLite:
		d = sqlstore.SQLite
		var fk int
		if err := db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			return nil, fmt.Errorf("inventorysql: %w", mapErr(err))
		}
		if fk != 1 {
			return nil, errors.New("inventorysql: the SQLite database does not enforce foreign keys (open it with _pragma=foreign_keys(1))")
		}
	case Postgres:
		d = sqlstore.Postgres
	default:
		return nil, fmt.Errorf("inventorysql: unknown dialect %q (want %q or %q)", dialect, SQLite, Postgres)
	}
	return newManager(ctx, &sqlstore.DB{DB: db, Dialect: d}, opts)
}

func newManager(ctx context.Context, db *sqlstore.DB, opts *Options) (*Manager, error) {
	if opts == nil {
		opts = &Options{}
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, "inventory", sub); err != nil {
		return nil, fmt.Errorf("inventorysql: %w", mapErr(err))
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Manager{
		db:       db.DB,
		pg:       db.Dialect == sqlstore.Postgres,
		rebind:   db.Rebind,
		reporter: opts.Reporter,
		log:      log,
		stmts:    map[string]*sql.Stmt{},
		oneConn:  db.Stats().MaxOpenConnections == 1,
	}
	if err := m.ensureSystem(ctx); err != nil {
		m.closeStmts()
		return nil, err
	}
	return m, nil
}

// Close releases the prepared statements, and the database if Open or
// OpenMemory opened it. Calls afterwards return inventory.ErrClosed.
func (m *Manager) Close() error {
	if m.closed.Swap(true) {
		return nil
	}
	err := m.closeStmts()
	if m.dbDone != nil {
		err = errors.Join(err, m.dbDone())
	}
	return err
}

func (m *Manager) closeStmts() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var err error
	for _, st := range m.stmts {
		err = errors.Join(err, st.Close())
	}
	m.stmts = map[string]*sql.Stmt{}
	return err
}

// stmt returns query q ('?' placeholders), prepared once per Manager.
// The lock is not held while preparing: that may wait for a connection,
// which a transaction holds while it looks up its statements.
func (m *Manager) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st := m.cached(q); st != nil {
		return st, nil
	}
	st, err := m.db.PrepareContext(ctx, m.rebind(q))
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed.Load() {
		// Close has released the statements: keep none after it.
		st.Close()
		return nil, inventory.ErrClosed
	}
	if prev := m.stmts[q]; prev != nil {
		st.Close()
		return prev, nil
	}
	m.stmts[q] = st
	return st, nil
}

// conn runs queries on the database or, inside a write, its transaction.
type conn struct {
	m  *Manager
	tx *sql.Tx // nil: the database
}

// cached returns the statement of q if the Manager has prepared it.
// txStmt returns the prepared statement of q for use in a transaction,
// preparing it on another connection the first time, or nil where that
// cannot be (a single connection): the transaction then runs q as it is.
func (m *Manager) txStmt(ctx context.Context, q string) *sql.Stmt {
	if st := m.cached(q); st != nil || m.oneConn {
		return st
	}
	st, err := m.stmt(ctx, q)
	if err != nil {
		return nil
	}
	return st
}

func (m *Manager) cached(q string) *sql.Stmt {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stmts[q]
}

// Inside a transaction a statement runs on the transaction's connection
// only: one the Manager prepared already is bound to it, any other runs
// unprepared (preparing it on the database would take a second
// connection while the transaction holds one, and SQLite's write lock).

func (c conn) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if c.tx != nil {
		if st := c.m.txStmt(ctx, q); st != nil {
			return c.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
		}
		return c.tx.QueryContext(ctx, c.m.rebind(q), args...)
	}
	st, err := c.m.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c conn) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if c.tx != nil {
		if st := c.m.txStmt(ctx, q); st != nil {
			return c.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
		}
		return c.tx.QueryRowContext(ctx, c.m.rebind(q), args...)
	}
	st, err := c.m.stmt(ctx, q)
	if err != nil {
		// A Row cannot be made with an error outside database/sql: run
		// the unprepared query, which fails the same way.
		return c.m.db.QueryRowContext(ctx, c.m.rebind(q), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (c conn) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if c.tx != nil {
		if st := c.m.txStmt(ctx, q); st != nil {
			return c.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		}
		return c.tx.ExecContext(ctx, c.m.rebind(q), args...)
	}
	st, err := c.m.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// insert runs an INSERT ... RETURNING id and returns the id.
func (c conn) insert(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := c.queryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}

// read returns a connection for reads, or ErrClosed.
func (m *Manager) read() (conn, error) {
	if m.closed.Load() {
		return conn{}, inventory.ErrClosed
	}
	return conn{m: m}, nil
}

// effects is what a write does outside the database once it committed.
type effects struct {
	alarms []alarmChange
}

// write runs fn in one transaction and, once it committed, publishes its
// effects (the configuration alarms). Errors come back mapped to the
// inventory sentinels and wrapped with op.
func (m *Manager) write(ctx context.Context, op string, fn func(c conn, fx *effects) error) error {
	if m.closed.Load() {
		return inventory.ErrClosed
	}
	m.wmu.Lock()
	locked := true
	unlock := func() {
		if locked {
			locked = false
			m.wmu.Unlock()
		}
	}
	defer unlock()
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(op, err)
	}
	// Whatever happens in fn, a panic included, the transaction and its
	// locks end with this call (a no-op after Commit).
	defer func() { _ = tx.Rollback() }()
	c := conn{m: m, tx: tx}
	if m.pg {
		// One writer at a time, as SQLite has: the rules read, check and
		// write within one transaction.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7263501)"); err != nil {
			return wrap(op, err)
		}
	}
	var fx effects
	if err := fn(c, &fx); err != nil {
		return wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		return wrap(op, err)
	}
	unlock()
	m.publish(ctx, fx)
	return nil
}
