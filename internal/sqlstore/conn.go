package sqlstore

import (
	"errors"
	"fmt"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Conn is a SQLite connection of its own, outside database/sql, for a
// service's hot write path: its statements are prepared once and run many
// times, and their text parameters are bound without a copy into C memory.
// Through database/sql the modernc driver prepares a statement again on
// every execution and copies every argument, which for the fault journal's
// applier was a third of the cost of a row. Everything else (migrations,
// reads, rare writes) goes through DB.
//
// A Conn is not safe for concurrent use. It sees and takes the same locks
// as DB's connections (one writer at a time, WAL readers beside it), and
// like them it waits up to 10 s for a lock and never checkpoints: DB's
// checkpointer does.
type Conn struct {
	tls *libc.TLS
	db  uintptr
	// out receives the handles the C API returns through a pointer: it is
	// on the Go heap with the Conn, which does not move.
	out uintptr
}

// ErrNotSQLite is returned by OpenConn for a database that is not SQLite.
var ErrNotSQLite = errors.New("sqlstore: not a SQLite database")

// connPragmas are DB's per-connection settings (see Open); journal_mode
// is a property of the file, set by DB.
var connPragmas = []string{
	"PRAGMA synchronous = FULL",
	"PRAGMA foreign_keys = 1",
	"PRAGMA cache_size = -16384",
	"PRAGMA wal_autocheckpoint = 0",
}

// OpenConn opens a Conn on db's SQLite file, with db's settings.
func (db *DB) OpenConn() (*Conn, error) {
	if db.Dialect != SQLite {
		return nil, ErrNotSQLite
	}
	c := &Conn{tls: libc.NewTLS()}
	name, err := libc.CString(db.path)
	if err != nil {
		c.tls.Close()
		return nil, err
	}
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, uintptr(unsafe.Pointer(&c.out)),
		sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	libc.Xfree(c.tls, name)
	c.db = c.out
	if rc != sqlite3.SQLITE_OK {
		err := c.errorf(rc, "open %s", db.path)
		c.Close()
		return nil, err
	}
	sqlite3.Xsqlite3_busy_timeout(c.tls, c.db, 10_000)
	for _, p := range connPragmas {
		if err := c.Exec(p); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// errorf describes the connection's last error, for result code rc.
func (c *Conn) errorf(rc int32, format string, args ...any) error {
	msg := libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc))
	if c.db != 0 {
		msg = libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db))
	}
	return fmt.Errorf("sqlstore: %s: %s (%d)", fmt.Sprintf(format, args...), msg, rc)
}

// Exec runs sql, one or more statements without parameters.
func (c *Conn) Exec(sql string) error {
	z, err := libc.CString(sql)
	if err != nil {
		return err
	}
	defer libc.Xfree(c.tls, z)
	if rc := sqlite3.Xsqlite3_exec(c.tls, c.db, z, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return c.errorf(rc, "%.60s", sql)
	}
	return nil
}

// Close closes the connection and its statements' memory; statements not
// closed before are finalized with it.
func (c *Conn) Close() error {
	var err error
	if c.db != 0 {
		if rc := sqlite3.Xsqlite3_close_v2(c.tls, c.db); rc != sqlite3.SQLITE_OK {
			err = c.errorf(rc, "close")
		}
		c.db = 0
	}
	if c.tls != nil {
		c.tls.Close()
		c.tls = nil
	}
	return err
}

// Stmt is a statement prepared once on a Conn. Bind its parameters, then
// Exec; the bindings stay until they are bound again.
type Stmt struct {
	c   *Conn
	p   uintptr
	sql string
	// text holds each text parameter's bytes, which SQLite reads in
	// place (SQLITE_STATIC) until the next bind: Go heap memory, which
	// does not move, owned by the Stmt.
	text [][]byte
}

// Prepare compiles sql, one statement with ?NNN parameters.
func (c *Conn) Prepare(sql string) (*Stmt, error) {
	z, err := libc.CString(sql)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(c.tls, z)
	c.out = 0
	if rc := sqlite3.Xsqlite3_prepare_v3(c.tls, c.db, z, -1, sqlite3.SQLITE_PREPARE_PERSISTENT,
		uintptr(unsafe.Pointer(&c.out)), 0); rc != sqlite3.SQLITE_OK {
		return nil, c.errorf(rc, "prepare %.60s", sql)
	}
	if c.out == 0 {
		return nil, fmt.Errorf("sqlstore: prepare %.60s: no statement", sql)
	}
	n := sqlite3.Xsqlite3_bind_parameter_count(c.tls, c.out)
	return &Stmt{c: c, p: c.out, sql: sql, text: make([][]byte, n)}, nil
}

// BindInt64 binds v to parameter i (from 1).
func (s *Stmt) BindInt64(i int, v int64) error {
	if rc := sqlite3.Xsqlite3_bind_int64(s.c.tls, s.p, int32(i), v); rc != sqlite3.SQLITE_OK {
		return s.c.errorf(rc, "bind %d of %.60s", i, s.sql)
	}
	return nil
}

// BindText binds v to parameter i (from 1). The text is copied once, into
// a buffer the statement keeps for that parameter.
func (s *Stmt) BindText(i int, v string) error {
	if i < 1 || i > len(s.text) {
		return fmt.Errorf("sqlstore: bind %d of %.60s: no such parameter", i, s.sql)
	}
	return s.bindText(i, append(s.text[i-1][:0], v...))
}

// BindTextBytes is BindText for text held in a byte slice.
func (s *Stmt) BindTextBytes(i int, v []byte) error {
	if i < 1 || i > len(s.text) {
		return fmt.Errorf("sqlstore: bind %d of %.60s: no such parameter", i, s.sql)
	}
	return s.bindText(i, append(s.text[i-1][:0], v...))
}

// bindText binds buf, the new contents of parameter i's buffer.
func (s *Stmt) bindText(i int, buf []byte) error {
	if cap(buf) == 0 {
		buf = make([]byte, 0, 1) // a non-nil pointer: an empty text is not NULL
	}
	s.text[i-1] = buf
	if rc := sqlite3.Xsqlite3_bind_text(s.c.tls, s.p, int32(i), uintptr(unsafe.Pointer(unsafe.SliceData(buf))),
		int32(len(buf)), 0); rc != sqlite3.SQLITE_OK {
		return s.c.errorf(rc, "bind %d of %.60s", i, s.sql)
	}
	return nil
}

// Exec runs the statement with its bindings and resets it for the next
// run. A statement that returns rows has them skipped.
func (s *Stmt) Exec() error {
	for {
		switch rc := sqlite3.Xsqlite3_step(s.c.tls, s.p); rc {
		case sqlite3.SQLITE_ROW:
			continue
		case sqlite3.SQLITE_DONE:
			sqlite3.Xsqlite3_reset(s.c.tls, s.p)
			return nil
		default:
			err := s.c.errorf(rc, "%.60s", s.sql)
			sqlite3.Xsqlite3_reset(s.c.tls, s.p)
			return err
		}
	}
}

// Close finalizes the statement.
func (s *Stmt) Close() error {
	if s.p == 0 || s.c.db == 0 {
		return nil
	}
	sqlite3.Xsqlite3_finalize(s.c.tls, s.p)
	s.p = 0
	return nil
}
