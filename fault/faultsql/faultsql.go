// Package faultsql is the SQL store of fault management, a
// faultstore.Store over database/sql: SQLite (the embedded default,
// through the pure-Go modernc.org/sqlite) and PostgreSQL (through pgx),
// with the same tables.
//
//	store, err := faultsql.Open(ctx, "sqlite:///var/lib/flock/flock.db")
//	m, err := fault.Open(ctx, store, nil)
//
// Every Commit is one transaction over statements prepared once per
// Store. On SQLite the database is in WAL mode with synchronous=FULL and
// a transaction begins with BEGIN IMMEDIATE, so a Commit that returned is
// on disk and survives kill -9 and power loss.
//
// Tables: fault_alarm (seq, body) holds an active alarm per row, keyed by
// the alarm's seq; fault_event (seq, body) an event log record per row,
// keyed by its seq; body is the JSON document the manager wrote.
// fault_suppression holds one row per alarm id. A database shared with
// other services (New) gets these tables through migrations recorded in
// flock_migrations under the service name "fault".
package faultsql

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/internal/sqlstore"
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

// Store is a faultstore.Store over a SQL database.
type Store struct {
	db     *sql.DB
	lite   bool         // SQLite
	dbDone func() error // closes the database Open opened; nil for New
	closed atomic.Bool
	rebind func(string) string
	// stmts are the statements of Commit, by op kind and rows, prepared
	// on first use on the database (database/sql prepares each again on
	// every connection that runs it, once).
	mu    sync.Mutex
	stmts map[stmtKey]*sql.Stmt
}

var _ faultstore.Store = (*Store)(nil)

// query is the statement of Commit for rows ops of kind, in '?' form
// (rebound for PostgreSQL).
func query(kind faultstore.OpKind, rows int) string {
	values := func(row string) string { return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ") }
	switch kind {
	case faultstore.PutAlarm:
		// The bytes are cast to text: SQLite would store them as a BLOB,
		// which its JSON functions read as JSONB.
		return `INSERT INTO fault_alarm (seq, body) VALUES ` + values(`(?, CAST(? AS TEXT))`) +
			` ON CONFLICT (seq) DO UPDATE SET body = excluded.body`
	case faultstore.DeleteAlarm:
		return `DELETE FROM fault_alarm WHERE seq IN (` + values(`?`) + `)`
	case faultstore.PutEvent:
		return `INSERT INTO fault_event (seq, body) VALUES ` + values(`(?, CAST(? AS TEXT))`) +
			` ON CONFLICT (seq) DO UPDATE SET body = excluded.body`
	case faultstore.TrimEvents:
		return `DELETE FROM fault_event WHERE seq <= ?`
	case faultstore.PutSuppression:
		return `INSERT INTO fault_suppression (alarm_id, uuid, suppression_status) VALUES (?, ?, ?)
			ON CONFLICT (alarm_id) DO UPDATE SET uuid = excluded.uuid, suppression_status = excluded.suppression_status`
	}
	return ""
}

// Open opens the database at url, "sqlite:///path/file.db" or
// "postgres://...", creating and migrating it if needed. The store owns
// the database: Close closes it.
func Open(ctx context.Context, url string) (*Store, error) {
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("faultsql: %w", err)
	}
	s, err := newStore(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.dbDone = db.Close
	return s, nil
}

// New returns a Store over db, a database shared with other services,
// whose engine is dialect; it creates or migrates the fault tables. Close
// does not close db.
//
// The store relies on the database's settings: a SQLite database must
// be opened with synchronous=FULL (a commit that returned is on disk) and
// with transactions that begin immediately (the store's statements then
// wait for no lock), as Open opens one:
//
//	file:/path/flock.db?_txlock=immediate&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)
//
// New refuses a SQLite database whose connections run with less than
// synchronous=FULL.
func New(ctx context.Context, db *sql.DB, dialect Dialect) (*Store, error) {
	var d sqlstore.Dialect
	switch dialect {
	case SQLite:
		d = sqlstore.SQLite
		var sync int
		if err := db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
			return nil, fmt.Errorf("faultsql: %w", err)
		}
		if sync < 2 {
			return nil, fmt.Errorf("faultsql: the SQLite database runs with synchronous=%d, not FULL (2): commits would not be durable", sync)
		}
	case Postgres:
		d = sqlstore.Postgres
	default:
		return nil, fmt.Errorf("faultsql: unknown dialect %q (want %q or %q)", dialect, SQLite, Postgres)
	}
	return newStore(ctx, &sqlstore.DB{DB: db, Dialect: d})
}

func newStore(ctx context.Context, db *sqlstore.DB) (*Store, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, "fault", sub); err != nil {
		return nil, fmt.Errorf("faultsql: %w", err)
	}
	s := &Store{db: db.DB, lite: db.Dialect == sqlstore.SQLite, rebind: db.Rebind, stmts: map[stmtKey]*sql.Stmt{}}
	for kind := faultstore.PutAlarm; kind <= faultstore.PutSuppression; kind++ {
		if _, err := s.stmt(ctx, kind, 1); err != nil { // fail early on a bad schema
			s.closeStmts()
			return nil, err
		}
	}
	return s, nil
}

// Close releases the statements, and the database if Open opened it.
// Using the store afterwards returns faultstore.ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	err := s.closeStmts()
	if s.dbDone != nil {
		err = errors.Join(err, s.dbDone())
	}
	return err
}

func (s *Store) closeStmts() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	for _, st := range s.stmts {
		if st != nil {
			err = errors.Join(err, st.Close())
		}
	}
	return err
}

// Commit applies ops, in order, in one transaction, and returns once it
// has committed. If it returns an error, none of ops is applied, unless
// the error came from the COMMIT itself (a connection lost then may hide
// a commit that happened): see the faultstore package doc.
func (s *Store) Commit(ctx context.Context, ops []faultstore.Op) error {
	if s.closed.Load() {
		return faultstore.ErrClosed
	}
	if err := faultstore.ValidateOps(ops); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("faultsql: begin: %w", err)
	}
	if err := s.apply(ctx, tx, ops); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("faultsql: commit: %w", err)
	}
	return nil
}

// maxRows bounds the rows of one multi-row statement.
const maxRows = 64

// apply runs ops in tx. The ops of each table keep their order; the
// tables are independent, so the alarm ops run first, then the event ops,
// then the suppression ops, and consecutive puts (or deletes) of one table
// run as one multi-row statement: a commit of many writes costs a few
// statements, not two per write (for PostgreSQL, a few round trips).
func (s *Store) apply(ctx context.Context, tx *sql.Tx, ops []faultstore.Op) error {
	stmtCtx := ctx
	if s.lite {
		// Inside a SQLite transaction begun IMMEDIATE a statement waits
		// for no lock, so the context is not handed to each (the driver
		// starts a goroutine per statement to watch it): the transaction,
		// begun with it, ends when it does, between two statements.
		stmtCtx = context.WithoutCancel(ctx)
	}
	byTable := [3][]faultstore.Op{}
	for _, op := range ops {
		t := 2
		switch op.Kind {
		case faultstore.PutAlarm, faultstore.DeleteAlarm:
			t = 0
		case faultstore.PutEvent, faultstore.TrimEvents:
			t = 1
		}
		byTable[t] = append(byTable[t], op)
	}
	var args []any
	for _, table := range byTable {
		for i := 0; i < len(table); {
			n := run(table[i:])
			st, err := s.stmt(ctx, table[i].Kind, n)
			if err != nil {
				return err
			}
			args = args[:0]
			for _, op := range table[i : i+n] {
				switch op.Kind {
				case faultstore.PutAlarm, faultstore.PutEvent:
					args = append(args, op.Seq, op.Body)
				case faultstore.DeleteAlarm, faultstore.TrimEvents:
					args = append(args, op.Seq)
				case faultstore.PutSuppression:
					r := op.Suppression
					args = append(args, r.AlarmID, r.UUID, r.Status)
				}
			}
			if _, err := tx.StmtContext(stmtCtx, st).ExecContext(stmtCtx, args...); err != nil {
				if cerr := ctx.Err(); cerr != nil {
					err = cerr // rather than the transaction's "already rolled back"
				}
				return fmt.Errorf("faultsql: %s of %d rows: %w", table[i].Kind, n, err)
			}
			i += n
		}
	}
	return nil
}

// run returns how many ops at the head of ops one statement runs: a run
// of puts or deletes of one kind, at most maxRows, no key twice (an
// upsert may not touch one row twice in PostgreSQL); one op otherwise.
func run(ops []faultstore.Op) int {
	k := ops[0].Kind
	if k != faultstore.PutAlarm && k != faultstore.PutEvent && k != faultstore.DeleteAlarm {
		return 1
	}
	n := 1
next:
	for ; n < len(ops) && n < maxRows && ops[n].Kind == k; n++ {
		for _, prev := range ops[:n] {
			if prev.Seq == ops[n].Seq {
				break next
			}
		}
	}
	return n
}

type stmtKey struct {
	kind faultstore.OpKind
	rows int
}

// stmt returns the statement for rows ops of kind, prepared on first use.
func (s *Store) stmt(ctx context.Context, kind faultstore.OpKind, rows int) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := stmtKey{kind, rows}
	if st := s.stmts[k]; st != nil {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, s.rebind(query(kind, rows)))
	if err != nil {
		return nil, fmt.Errorf("faultsql: prepare %s of %d rows: %w", kind, rows, err)
	}
	s.stmts[k] = st
	return st, nil
}

// Load reads every table: alarms and events ascending seq.
func (s *Store) Load(ctx context.Context) (*faultstore.Snapshot, error) {
	if s.closed.Load() {
		return nil, faultstore.ErrClosed
	}
	snap := &faultstore.Snapshot{}
	var err error
	if snap.Alarms, err = s.records(ctx, `SELECT seq, body FROM fault_alarm ORDER BY seq`); err != nil {
		return nil, fmt.Errorf("faultsql: load alarms: %w", err)
	}
	if snap.Events, err = s.records(ctx, `SELECT seq, body FROM fault_event ORDER BY seq`); err != nil {
		return nil, fmt.Errorf("faultsql: load events: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT alarm_id, uuid, suppression_status FROM fault_suppression`)
	if err != nil {
		return nil, fmt.Errorf("faultsql: load suppressions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r faultstore.Suppression
		if err := rows.Scan(&r.AlarmID, &r.UUID, &r.Status); err != nil {
			return nil, fmt.Errorf("faultsql: load suppressions: %w", err)
		}
		snap.Suppressions = append(snap.Suppressions, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("faultsql: load suppressions: %w", err)
	}
	return snap, nil
}

// records reads the (seq, body) rows of query.
func (s *Store) records(ctx context.Context, query string) ([]faultstore.Record, error) {
	rows, err := s.db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []faultstore.Record
	for rows.Next() {
		var r faultstore.Record
		if err := rows.Scan(&r.Seq, &r.Body); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
