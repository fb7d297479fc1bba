// Package faultsql is the SQL engine of fault.Store: SQLite (the embedded
// default, pure Go) and PostgreSQL, with the same tables and SQL.
//
//	store, err := faultsql.Open(ctx, "sqlite:///var/lib/flock/flock.db")
//	m, err := fault.Open(ctx, store, nil)
//
// Every Commit is one transaction; on SQLite it is fsynced (WAL,
// synchronous=FULL) before Commit returns, so what the manager
// acknowledged survives kill -9 and power loss.
//
// Each record is one JSON body in a row: an alarm's keyed by its seq (its
// raise order, kept when it is overwritten), an event's by a slot. The
// event table is a ring like the manager's event log: a new event is
// written over the row of one the log dropped, so the table keeps the
// log's size without a delete per event. On SQLite the store writes
// through a connection of its own with statements prepared once
// (sqlstore.Conn: the database/sql driver prepares every statement on
// every run); on PostgreSQL through database/sql, a few multi-row
// statements per commit.
package faultsql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"unsafe"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/internal/wire"
	"github.com/edgeflock/flock/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a fault.Store over a SQL database.
type Store struct {
	db     *sqlstore.DB
	ownsDB bool
	putS   *sql.Stmt // PostgreSQL's suppression upsert
	// buf, args, queries, red and last are reused by apply (Commit is
	// never concurrent).
	buf     []byte
	args    []any
	queries map[queryKey]string
	red     batch
	last    map[int64]int // op index of the last op on each alarm seq
	// conn is the store's own connection: Load reads through it, and on
	// PostgreSQL transactions run on it with BEGIN/COMMIT, with multi-row
	// statements to keep the round trips per commit few.
	conn *sql.Conn
	// ev is the index of the event rows' slots (see eventSlots), and
	// evSeqs, evSlots, evDrop the plan of the commit in progress.
	ev                      eventSlots
	evSeqs, evSlots, evDrop []int64
	// lite writes SQLite's commits, on a connection of its own with
	// statements prepared once (the modernc driver prepares on every
	// execution, prepared or not, and copies every argument).
	lite *liteWriter
}

// liteWriter is the SQLite write path: one row per statement run, each
// statement compiled once.
type liteWriter struct {
	conn                                         *sqlstore.Conn
	begin, commit, rollback                      *sqlstore.Stmt
	delAlarm, putAlarm, putEvent, delEvent, supp *sqlstore.Stmt
}

func openLiteWriter(db *sqlstore.DB) (*liteWriter, error) {
	conn, err := db.OpenConn()
	if err != nil {
		return nil, err
	}
	w := &liteWriter{conn: conn}
	prep := func(q string) *sqlstore.Stmt {
		if err != nil {
			return nil
		}
		var st *sqlstore.Stmt
		st, err = conn.Prepare(q)
		return st
	}
	w.begin = prep(`BEGIN IMMEDIATE`)
	w.commit = prep(`COMMIT`)
	w.rollback = prep(`ROLLBACK`)
	w.delAlarm = prep(`DELETE FROM fault_alarm WHERE seq = ?1`)
	w.putAlarm = prep(`INSERT INTO fault_alarm (seq, body) VALUES (?1, ?2) ON CONFLICT (seq) DO UPDATE SET body = excluded.body`)
	w.putEvent = prep(`INSERT INTO fault_event (slot, seq, body) VALUES (?1, ?2, ?3)
		ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq, body = excluded.body`)
	w.delEvent = prep(`DELETE FROM fault_event WHERE slot = ?1`)
	w.supp = prep(`INSERT INTO fault_suppression (alarm_id, uuid, suppression_status) VALUES (?1, ?2, ?3)
		ON CONFLICT (alarm_id) DO UPDATE SET uuid = excluded.uuid, suppression_status = excluded.suppression_status`)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return w, nil
}

var _ fault.Store = (*Store)(nil)

// Open opens (creating and migrating if needed) the database at url,
// "sqlite:///path/file.db" or "postgres://...".
func Open(ctx context.Context, url string) (*Store, error) {
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("faultsql: %w: %w", fault.ErrUnavailable, err)
	}
	s, err := New(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.ownsDB = true
	return s, nil
}

// New returns a Store over an open database shared with other services;
// it migrates the fault tables. Close does not close db.
func New(ctx context.Context, db *sqlstore.DB) (*Store, error) {
	sub, _ := fs.Sub(migrations, "migrations")
	if err := db.Migrate(ctx, "fault", sub); err != nil {
		return nil, fmt.Errorf("faultsql: %w: %w", fault.ErrUnavailable, err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("faultsql: %w: %w", fault.ErrUnavailable, err)
	}
	s := &Store{db: db, conn: conn}
	if err := s.ev.load(ctx, conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("faultsql: load event slots: %w: %w", fault.ErrUnavailable, err)
	}
	if db.Dialect == sqlstore.SQLite {
		if s.lite, err = openLiteWriter(db); err != nil {
			conn.Close()
			return nil, fmt.Errorf("faultsql: %w: %w", fault.ErrUnavailable, err)
		}
	}
	if s.lite == nil {
		s.putS, err = conn.PrepareContext(ctx, db.Rebind(`INSERT INTO fault_suppression (alarm_id, uuid, suppression_status) VALUES (?, ?, ?)
		ON CONFLICT (alarm_id) DO UPDATE SET uuid = excluded.uuid, suppression_status = excluded.suppression_status`))
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("faultsql: prepare: %w: %w", fault.ErrUnavailable, err)
		}
	}
	return s, nil
}

// Close releases the statements, and the database if Open opened it.
func (s *Store) Close() error {
	if s.putS != nil {
		s.putS.Close()
	}
	err := s.conn.Close()
	if s.lite != nil {
		if lerr := s.lite.conn.Close(); err == nil {
			err = lerr
		}
	}
	if s.ownsDB {
		if derr := s.db.Close(); err == nil {
			err = derr
		}
	}
	return err
}

// Commit applies ops in one transaction. Every op is idempotent (puts are
// upserts, events are keyed by seq), so a journal may replay ops the store
// already holds.
func (s *Store) Commit(ctx context.Context, ops []fault.Op) error {
	return s.commit(ctx, ops, nil)
}

// CommitBatch is Commit for ops whose records are already encoded: the
// fault journal (package faultwal) hands over the bytes it wrote, so a
// record is encoded once on its way to disk, not twice.
func (s *Store) CommitBatch(ctx context.Context, b *wire.Batch) error {
	return s.commit(ctx, b.Ops, b)
}

var _ wire.BatchCommitter = (*Store)(nil)

func (s *Store) commit(ctx context.Context, ops []fault.Op, enc *wire.Batch) error {
	if s.ev.stale {
		if err := s.ev.load(ctx, s.conn); err != nil {
			return fmt.Errorf("faultsql: load event slots: %w", err)
		}
	}
	b, err := s.reduce(ops)
	if err != nil {
		return err
	}
	s.planEvents(ops, b)
	if s.lite != nil {
		err = s.commitLite(ops, enc, b)
	} else {
		err = s.commitSQL(ctx, ops, enc, b)
	}
	if err != nil {
		// Whether the transaction took effect may be unknown (a failed
		// COMMIT): read the slots back before the next plan.
		s.ev.stale = true
		return err
	}
	s.ev.done(s.red.trim, s.evSeqs, s.evSlots)
	return nil
}

// planEvents assigns the reduced batch's events their slots.
func (s *Store) planEvents(ops []fault.Op, b *batch) {
	s.evSeqs = s.evSeqs[:0]
	for _, i := range b.events {
		s.evSeqs = append(s.evSeqs, ops[i].Event.Seq)
	}
	s.evSlots, s.evDrop = s.ev.plan(b.trim, s.evSeqs, s.evSlots[:0], s.evDrop[:0])
}

// commitSQL is commit on PostgreSQL.
func (s *Store) commitSQL(ctx context.Context, ops []fault.Op, enc *wire.Batch, b *batch) error {
	if _, err := s.conn.ExecContext(ctx, "BEGIN"); err != nil {
		return fmt.Errorf("faultsql: begin: %w", err)
	}
	if err := s.apply(ctx, ops, enc, b); err != nil {
		if _, rerr := s.conn.ExecContext(context.Background(), "ROLLBACK"); rerr != nil {
			// The connection is in an unknown state: drop it.
			_ = s.conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		return err
	}
	if _, err := s.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("faultsql: commit: %w", err)
	}
	return nil
}

// batch is a commit's ops reduced to their effect: the last op on each
// alarm (keyed by its seq, which an overwrite keeps) or suppression wins;
// events are appended in order. puts and events are indexes into the ops.
type batch struct {
	deletes []int64
	puts    []int
	events  []int
	supps   []*fault.SuppressionRecord
	trim    int64
}

func (s *Store) reduce(ops []fault.Op) (*batch, error) {
	b := &s.red
	*b = batch{deletes: b.deletes[:0], puts: b.puts[:0], events: b.events[:0], supps: b.supps[:0]}
	if s.last == nil {
		s.last = map[int64]int{}
	}
	last := s.last
	defer clear(last)
	lastSupp := map[string]int{}
	for i, op := range ops {
		switch op.Kind {
		case fault.OpPutAlarm, fault.OpDeleteAlarm:
			last[op.Alarm.Seq] = i
		case fault.OpPutSuppression:
			lastSupp[op.Suppression.AlarmID] = i
		case fault.OpTrimEvents:
			b.trim = max(b.trim, op.TrimSeq)
		}
	}
	for i, op := range ops {
		switch op.Kind {
		case fault.OpPutAlarm:
			if last[op.Alarm.Seq] == i {
				b.puts = append(b.puts, i)
			}
		case fault.OpDeleteAlarm:
			if last[op.Alarm.Seq] == i {
				b.deletes = append(b.deletes, op.Alarm.Seq)
			}
		case fault.OpAppendEvent:
			// An event the same batch trims is never written: with a
			// batch larger than the event log, most are.
			if op.Event.Seq > b.trim {
				b.events = append(b.events, i)
			}
		case fault.OpTrimEvents:
		case fault.OpPutSuppression:
			if lastSupp[op.Suppression.AlarmID] == i {
				b.supps = append(b.supps, op.Suppression)
			}
		default:
			return nil, fmt.Errorf("faultsql: unknown op kind %d", op.Kind)
		}
	}
	return b, nil
}

// apply writes a reduced batch to PostgreSQL with multi-row statements, a
// few per commit whatever its size, to keep the round trips few.
func (s *Store) apply(ctx context.Context, ops []fault.Op, enc *wire.Batch, b *batch) error {
	args := s.args[:0]
	defer func() { clear(args[:cap(args)]); s.args = args[:0] }()
	for _, seq := range b.deletes {
		args = append(args, seq)
	}
	if err := s.multi(ctx, "DELETE FROM fault_alarm WHERE seq IN (", ")", 1, args); err != nil {
		return fmt.Errorf("faultsql: delete alarms: %w", err)
	}
	// Every body of the batch in one buffer, sliced per row. The buffer is
	// kept for the next batch, and the strings over it live only until the
	// statements have run: both drivers copy arguments when they bind them.
	buf := s.buf[:0]
	defer func() { s.buf = buf[:0] }()
	ends := make([]int, 0, len(b.puts)+len(b.events))
	// A record the journal encoded is copied, not encoded again.
	for _, i := range b.puts {
		if body := enc.Body(i); body != "" {
			buf = append(buf, body...)
		} else {
			buf = wire.AppendStored(buf, ops[i].Alarm)
		}
		ends = append(ends, len(buf))
	}
	for _, i := range b.events {
		if body := enc.Body(i); body != "" {
			buf = append(buf, body...)
		} else {
			buf = wire.AppendEvent(buf, ops[i].Event)
		}
		ends = append(ends, len(buf))
	}
	var bodies string
	if len(buf) > 0 {
		bodies = unsafe.String(&buf[0], len(buf))
	}
	body := func(i int) string {
		start := 0
		if i > 0 {
			start = ends[i-1]
		}
		return bodies[start:ends[i]]
	}
	args = args[:0]
	for k, i := range b.puts {
		args = append(args, ops[i].Alarm.Seq, body(k))
	}
	if err := s.multi(ctx, `INSERT INTO fault_alarm (seq, body) VALUES `,
		` ON CONFLICT (seq) DO UPDATE SET body = excluded.body`, 2, args); err != nil {
		return fmt.Errorf("faultsql: put alarms: %w", err)
	}
	args = args[:0]
	for k, i := range b.events {
		if s.evSlots[k] != noSlot {
			args = append(args, s.evSlots[k], ops[i].Event.Seq, body(len(b.puts)+k))
		}
	}
	if err := s.multi(ctx, `INSERT INTO fault_event (slot, seq, body) VALUES `,
		` ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq, body = excluded.body`, 3, args); err != nil {
		return fmt.Errorf("faultsql: append events: %w", err)
	}
	args = args[:0]
	for _, slot := range s.evDrop {
		args = append(args, slot)
	}
	if err := s.multi(ctx, "DELETE FROM fault_event WHERE slot IN (", ")", 1, args); err != nil {
		return fmt.Errorf("faultsql: trim events: %w", err)
	}
	for _, r := range b.supps {
		if _, err := s.putS.ExecContext(ctx, r.AlarmID, r.UUID, string(r.Status)); err != nil {
			return fmt.Errorf("faultsql: put suppression: %w", err)
		}
	}
	return nil
}

// commitLite is commit on SQLite.
func (s *Store) commitLite(ops []fault.Op, enc *wire.Batch, b *batch) error {
	w := s.lite
	if err := w.begin.Exec(); err != nil {
		return fmt.Errorf("faultsql: begin: %w", err)
	}
	err := s.applyLite(ops, enc, b)
	if err == nil {
		if err = w.commit.Exec(); err != nil {
			err = fmt.Errorf("faultsql: commit: %w", err)
		}
	}
	if err != nil {
		// After a failed COMMIT (SQLITE_BUSY, I/O) the transaction may
		// still be open; after an error inside it, it is.
		if rerr := w.rollback.Exec(); rerr != nil && !strings.Contains(rerr.Error(), "no transaction") {
			return fmt.Errorf("%w (and rollback: %w)", err, rerr)
		}
	}
	return err
}

// applyLite writes a reduced batch, one prepared statement run per row.
func (s *Store) applyLite(ops []fault.Op, enc *wire.Batch, b *batch) error {
	w := s.lite
	for _, seq := range b.deletes {
		if err := run(w.delAlarm, seq); err != nil {
			return fmt.Errorf("faultsql: delete alarms: %w", err)
		}
	}
	for _, i := range b.puts {
		body := enc.Body(i)
		if body == "" {
			s.buf = wire.AppendStored(s.buf[:0], ops[i].Alarm)
		}
		if err := s.putLite(w.putAlarm, 1, ops[i].Alarm.Seq, body); err != nil {
			return fmt.Errorf("faultsql: put alarms: %w", err)
		}
	}
	for k, i := range b.events {
		if s.evSlots[k] == noSlot {
			continue
		}
		body := enc.Body(i)
		if body == "" {
			s.buf = wire.AppendEvent(s.buf[:0], ops[i].Event)
		}
		st := w.putEvent
		err := st.BindInt64(1, s.evSlots[k])
		if err == nil {
			err = s.putLite(st, 2, ops[i].Event.Seq, body)
		}
		if err != nil {
			return fmt.Errorf("faultsql: append events: %w", err)
		}
	}
	for _, slot := range s.evDrop {
		if err := run(w.delEvent, slot); err != nil {
			return fmt.Errorf("faultsql: trim events: %w", err)
		}
	}
	for _, r := range b.supps {
		err := w.supp.BindText(1, r.AlarmID)
		if err == nil {
			err = w.supp.BindText(2, r.UUID)
		}
		if err == nil {
			err = w.supp.BindText(3, string(r.Status))
		}
		if err == nil {
			err = w.supp.Exec()
		}
		if err != nil {
			return fmt.Errorf("faultsql: put suppression: %w", err)
		}
	}
	return nil
}

// putLite binds seq and then the record to st's parameters from i on,
// and runs it: body, the journal's bytes, when it has them, else the
// record as encoded into s.buf.
func (s *Store) putLite(st *sqlstore.Stmt, i int, seq int64, body string) error {
	err := st.BindInt64(i, seq)
	if err == nil && body != "" {
		err = st.BindText(i+1, body)
	} else if err == nil {
		err = st.BindTextBytes(i+1, s.buf)
	}
	if err != nil {
		return err
	}
	return st.Exec()
}

// run binds seq to st's one parameter and runs it.
func run(st *sqlstore.Stmt, seq int64) error {
	if err := st.BindInt64(1, seq); err != nil {
		return err
	}
	return st.Exec()
}

// maxParams bounds the parameters of one multi-row statement.
const maxParams = 240

// multi runs head + "(?, ...), (?, ...)" + tail over args, width per row,
// in chunks of at most maxParams.
func (s *Store) multi(ctx context.Context, head, tail string, width int, args []any) error {
	per := max(1, maxParams/width) * width
	for len(args) > 0 {
		n := min(len(args), per)
		if _, err := s.conn.ExecContext(ctx, s.query(head, tail, width, n/width), args[:n]...); err != nil {
			return err
		}
		args = args[n:]
	}
	return nil
}

// query returns head + rows placeholders of width + tail in the store's
// dialect; full-size chunks reuse one built string.
func (s *Store) query(head, tail string, width, rows int) string {
	k := queryKey{head, rows}
	if q, ok := s.queries[k]; ok {
		return q
	}
	var q strings.Builder
	q.WriteString(head)
	for i := range rows {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		for j := range width {
			if j > 0 {
				q.WriteByte(',')
			}
			q.WriteByte('?')
		}
		q.WriteByte(')')
	}
	q.WriteString(tail)
	out := s.db.Rebind(q.String())
	if rows == maxParams/width {
		if s.queries == nil {
			s.queries = map[queryKey]string{}
		}
		s.queries[k] = out
	}
	return out
}

type queryKey struct {
	head string
	rows int
}

// Load reads every table.
func (s *Store) Load(ctx context.Context) (*fault.Snapshot, error) {
	snap := &fault.Snapshot{}
	var err error
	if snap.Alarms, err = loadBodies[fault.StoredAlarm](ctx, s.conn, `SELECT body FROM fault_alarm ORDER BY seq`); err != nil {
		return nil, fmt.Errorf("faultsql: load alarms: %w", err)
	}
	if snap.Events, err = loadBodies[fault.Event](ctx, s.conn, `SELECT body FROM fault_event ORDER BY seq`); err != nil {
		return nil, fmt.Errorf("faultsql: load events: %w", err)
	}
	rows, err := s.conn.QueryContext(ctx, `SELECT alarm_id, uuid, suppression_status FROM fault_suppression`)
	if err != nil {
		return nil, fmt.Errorf("faultsql: load suppression: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r fault.SuppressionRecord
		var st string
		if err := rows.Scan(&r.AlarmID, &r.UUID, &st); err != nil {
			return nil, err
		}
		r.Status = fault.SuppressionStatus(st)
		snap.Suppressions = append(snap.Suppressions, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if s.lite != nil {
		// Writes go through the lite connection, with a page cache of its
		// own: this one's, full of what Load read, is not needed again.
		_, _ = s.conn.ExecContext(ctx, "PRAGMA shrink_memory")
	}
	return snap, nil
}

// loadBodies decodes the JSON body column of every row of query.
func loadBodies[T any](ctx context.Context, conn *sql.Conn, query string) ([]T, error) {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, fmt.Errorf("decode %.80s: %w", body, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
