package sqlstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"
)

// Conn is a SQLite connection of its own, outside database/sql, for a
// service's hot write path: its statements are prepared once and run many
// times, and each text parameter is copied into C memory that the
// statement keeps, not into a fresh allocation. Through database/sql the
// modernc driver prepares a statement again on every execution and
// allocates C memory for every argument, which for the fault journal's
// applier was a third of the cost of a row. Everything else (migrations,
// reads, rare writes) goes through DB.
//
// The transpiled C code is handed only C memory (libc.Xmalloc, outside the
// Go heap): a Go pointer would not survive the race detector's pointer
// checks, and the Go heap is no place for C to write.
//
// A Conn is not safe for concurrent use. It has the settings of DB's
// connections (sqlitePragmas) and sees and takes the same locks (one
// writer at a time, WAL readers beside it).
type Conn struct {
	tls   *libc.TLS
	db    uintptr
	out   uintptr // C memory for a handle the C API returns through a pointer
	stmts map[*Stmt]struct{}
}

// cmem returns the n bytes of C memory at p as a slice. p came from
// libc.Xmalloc, so it is not a Go pointer: reading it through an
// unsafe.Pointer variable says so to go vet.
func cmem(p uintptr, n int) []byte {
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&p))), n)
}

// handle reads the pointer the C API wrote to c.out.
func (c *Conn) handle() uintptr {
	return uintptr(binary.NativeEndian.Uint64(cmem(c.out, 8)))
}

// ErrNotSQLite is returned by OpenConn for a database that is not SQLite.
var ErrNotSQLite = errors.New("sqlstore: not a SQLite database")

// OpenConn opens a Conn on db's SQLite file, with db's settings.
func (db *DB) OpenConn() (*Conn, error) {
	if db.Dialect != SQLite {
		return nil, ErrNotSQLite
	}
	if db.path == "" || db.path == ":memory:" {
		// SQLite would open a database of the Conn's own.
		return nil, fmt.Errorf("sqlstore: a Conn needs a database file opened with Open, not %q", db.path)
	}
	c := &Conn{tls: libc.NewTLS(), stmts: map[*Stmt]struct{}{}}
	if c.out = libc.Xcalloc(c.tls, 1, 8); c.out == 0 {
		c.tls.Close()
		return nil, errors.New("sqlstore: open: out of memory")
	}
	name, err := libc.CString(db.path)
	if err != nil {
		c.Close()
		return nil, err
	}
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, c.out, sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	libc.Xfree(c.tls, name)
	c.db = c.handle()
	if rc != sqlite3.SQLITE_OK {
		err := c.errorf(rc, "open %s", db.path)
		c.Close()
		return nil, err
	}
	for _, p := range sqlitePragmas {
		if err := c.Exec("PRAGMA " + p.name + " = " + p.value); err != nil {
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

// Close finalizes the statements still open and closes the connection.
func (c *Conn) Close() error {
	for st := range c.stmts {
		st.Close()
	}
	var err error
	if c.db != 0 {
		if rc := sqlite3.Xsqlite3_close_v2(c.tls, c.db); rc != sqlite3.SQLITE_OK {
			err = c.errorf(rc, "close")
		}
		c.db = 0
	}
	if c.tls != nil {
		libc.Xfree(c.tls, c.out)
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
	// text is each parameter's C buffer, which SQLite reads in place
	// (SQLITE_STATIC) until the parameter is bound again, and its size.
	text []cbuf
}

type cbuf struct {
	p uintptr
	n int
}

// Prepare compiles sql, one statement with ?NNN parameters.
func (c *Conn) Prepare(sql string) (*Stmt, error) {
	z, err := libc.CString(sql)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(c.tls, z)
	clear(cmem(c.out, 8))
	if rc := sqlite3.Xsqlite3_prepare_v3(c.tls, c.db, z, -1, sqlite3.SQLITE_PREPARE_PERSISTENT, c.out, 0); rc != sqlite3.SQLITE_OK {
		return nil, c.errorf(rc, "prepare %.60s", sql)
	}
	p := c.handle()
	if p == 0 {
		return nil, fmt.Errorf("sqlstore: prepare %.60s: no statement", sql)
	}
	n := sqlite3.Xsqlite3_bind_parameter_count(c.tls, p)
	st := &Stmt{c: c, p: p, sql: sql, text: make([]cbuf, n)}
	c.stmts[st] = struct{}{}
	return st, nil
}

// BindInt64 binds v to parameter i (from 1).
func (s *Stmt) BindInt64(i int, v int64) error {
	if rc := sqlite3.Xsqlite3_bind_int64(s.c.tls, s.p, int32(i), v); rc != sqlite3.SQLITE_OK {
		return s.c.errorf(rc, "bind %d of %.60s", i, s.sql)
	}
	return nil
}

// BindText binds v to parameter i (from 1). The text is copied into the
// parameter's C buffer, which grows as needed and is reused.
func (s *Stmt) BindText(i int, v string) error {
	dst, err := s.buffer(i, len(v))
	if err != nil {
		return err
	}
	return s.bindText(i, copy(dst, v))
}

// BindTextBytes is BindText for text held in a byte slice.
func (s *Stmt) BindTextBytes(i int, v []byte) error {
	dst, err := s.buffer(i, len(v))
	if err != nil {
		return err
	}
	return s.bindText(i, copy(dst, v))
}

// buffer returns parameter i's C buffer, at least n bytes long (and at
// least one, so that an empty text is not NULL).
func (s *Stmt) buffer(i, n int) ([]byte, error) {
	if i < 1 || i > len(s.text) {
		return nil, fmt.Errorf("sqlstore: bind %d of %.60s: no such parameter", i, s.sql)
	}
	b := &s.text[i-1]
	if b.p == 0 || b.n < n {
		size := max(n, 64, 2*b.n)
		p := libc.Xrealloc(s.c.tls, b.p, types.Size_t(size))
		if p == 0 {
			return nil, fmt.Errorf("sqlstore: bind %d of %.60s: out of memory for %d bytes", i, s.sql, n)
		}
		*b = cbuf{p: p, n: size}
	}
	return cmem(b.p, n), nil
}

// bindText binds the first n bytes of parameter i's buffer.
func (s *Stmt) bindText(i, n int) error {
	if rc := sqlite3.Xsqlite3_bind_text(s.c.tls, s.p, int32(i), s.text[i-1].p, int32(n), 0); rc != sqlite3.SQLITE_OK {
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

// Close finalizes the statement and frees its buffers.
func (s *Stmt) Close() error {
	if s.p == 0 {
		return nil
	}
	sqlite3.Xsqlite3_finalize(s.c.tls, s.p)
	s.p = 0
	for _, b := range s.text {
		libc.Xfree(s.c.tls, b.p)
	}
	s.text = nil
	delete(s.c.stmts, s)
	return nil
}
