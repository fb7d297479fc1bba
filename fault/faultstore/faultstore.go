// Package faultstore is the storage interface under fault.Manager, for
// those who implement a store: the manager keeps its records as JSON
// documents and hands a Store ordered, atomic batches of operations on
// them (Commit), and reads everything back when it opens (Load).
//
// Users of fault management do not need this package: they open a store
// (faultsql.Open, or NewMemoryStore in tests) and pass it to fault.Open.
//
// Implementations: MemoryStore here (nothing survives the process) and
// fault/faultsql (SQLite and PostgreSQL). The conformance suite in
// faultstore/storetest checks an implementation's contract, including the
// regression sequences that once lost acknowledged writes.
//
// # Contract
//
//   - Commit applies its ops in order, all or none, and returns only once
//     they are durable: a crash of the process (kill -9) after Commit
//     returned nil must not lose them.
//   - An error from Commit means the manager must not treat any of the
//     ops as applied; it reloads the state with Load before it writes
//     again, because an error at the very end of a transaction (a lost
//     connection during COMMIT) may hide a commit that did happen.
//   - Commit honours its context's deadline: the manager gives every
//     commit one, so that a stuck disk or database fails writes instead of
//     hanging them.
//   - The manager never calls Commit concurrently, and never concurrently
//     with Load.
package faultstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// ErrClosed is returned by a store used after Close.
var ErrClosed = errors.New("faultstore: closed")

// Store persists fault management's records. See the package doc for the
// contract.
type Store interface {
	// Load returns everything stored.
	Load(ctx context.Context) (*Snapshot, error)
	// Commit applies ops in order, atomically, and returns once they are
	// durable. The ops and their bodies belong to the caller again once
	// Commit returns.
	Commit(ctx context.Context, ops []Op) error
	// Close releases the store.
	Close() error
}

// Record is one stored document: an active alarm (keyed by Seq, the
// alarm's raise order, kept when the alarm is overwritten) or an event
// log record (keyed by its Seq). Body is the JSON document the manager
// wrote; a store keeps it byte for byte.
type Record struct {
	Seq  int64
	Body []byte
}

// Suppression is the operator's suppression state of one alarm id.
type Suppression struct {
	AlarmID string
	UUID    string
	// Status is "suppressed" or "unsuppressed".
	Status string
}

// Snapshot is the stored state.
type Snapshot struct {
	// Alarms are the active alarms, ascending Seq.
	Alarms []Record
	// Events are the event log records, ascending Seq.
	Events []Record
	// Suppressions has one entry per alarm id, in no particular order.
	Suppressions []Suppression
}

// OpKind says what an Op does.
type OpKind int

// Op kinds.
const (
	// PutAlarm inserts or replaces the alarm record with key Seq.
	PutAlarm OpKind = iota + 1
	// DeleteAlarm deletes the alarm record with key Seq, if any.
	DeleteAlarm
	// PutEvent inserts (or replaces) the event record with key Seq.
	PutEvent
	// TrimEvents deletes every event record with a key <= Seq.
	TrimEvents
	// PutSuppression inserts or replaces the suppression entry of
	// Suppression.AlarmID.
	PutSuppression
)

// String returns the kind's name.
func (k OpKind) String() string {
	switch k {
	case PutAlarm:
		return "put-alarm"
	case DeleteAlarm:
		return "delete-alarm"
	case PutEvent:
		return "put-event"
	case TrimEvents:
		return "trim-events"
	case PutSuppression:
		return "put-suppression"
	}
	return "unknown"
}

// Op is one change to the stored state.
type Op struct {
	Kind OpKind
	// Seq is the key of the alarm or event record, or TrimEvents' bound.
	Seq int64
	// Body is the JSON document of PutAlarm and PutEvent.
	Body []byte
	// Suppression is PutSuppression's entry.
	Suppression Suppression
}

// MemoryStore is a Store that keeps its state in memory: it survives a
// fault.Manager being closed and reopened over it (Close does not clear
// it), but not the process. It is safe for concurrent use.
type MemoryStore struct {
	mu     sync.Mutex
	alarms map[int64][]byte
	events []Record // ascending Seq
	supp   map[string]Suppression
	// failNext makes the next n commits fail (FailCommits).
	failNext int
	failErr  error
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{alarms: map[int64][]byte{}, supp: map[string]Suppression{}}
}

// Load returns a copy of the state.
func (s *MemoryStore) Load(ctx context.Context) (*Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := &Snapshot{Alarms: records(s.alarms), Events: make([]Record, len(s.events))}
	for i, r := range s.events {
		snap.Events[i] = Record{Seq: r.Seq, Body: slices.Clone(r.Body)}
	}
	for _, r := range s.supp {
		snap.Suppressions = append(snap.Suppressions, r)
	}
	return snap, nil
}

func records(m map[int64][]byte) []Record {
	out := make([]Record, 0, len(m))
	for seq, body := range m {
		out = append(out, Record{Seq: seq, Body: slices.Clone(body)})
	}
	slices.SortFunc(out, func(a, b Record) int { return cmp.Compare(a.Seq, b.Seq) })
	return out
}

// Commit applies ops, all or none.
func (s *MemoryStore) Commit(ctx context.Context, ops []Op) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := ValidateOps(ops); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext > 0 {
		s.failNext--
		return s.failErr
	}
	for _, op := range ops {
		switch op.Kind {
		case PutAlarm:
			s.alarms[op.Seq] = slices.Clone(op.Body)
		case DeleteAlarm:
			delete(s.alarms, op.Seq)
		case PutEvent:
			r := Record{Seq: op.Seq, Body: slices.Clone(op.Body)}
			i, found := slices.BinarySearchFunc(s.events, op.Seq, func(r Record, seq int64) int { return cmp.Compare(r.Seq, seq) })
			if found {
				s.events[i] = r
			} else {
				s.events = slices.Insert(s.events, i, r)
			}
		case TrimEvents:
			i, found := slices.BinarySearchFunc(s.events, op.Seq, func(r Record, seq int64) int { return cmp.Compare(r.Seq, seq) })
			if found {
				i++
			}
			clear(s.events[:i])
			s.events = s.events[i:] // appends reallocate once in a while, amortised
		case PutSuppression:
			s.supp[op.Suppression.AlarmID] = op.Suppression
		}
	}
	return nil
}

// FailCommits makes the next n commits fail with err and change nothing,
// for tests of what a manager does when its store fails (a full disk, a
// lost database).
func (s *MemoryStore) FailCommits(n int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext, s.failErr = n, err
}

// Close does nothing: the state stays for the next Load.
func (s *MemoryStore) Close() error { return nil }

// ValidateOps returns an *OpError for the first op of ops that no store
// can apply (an unknown kind, a put without a body), so that a bad op
// fails the whole commit before anything is applied. Stores call it
// before they start a transaction.
func ValidateOps(ops []Op) error {
	for i, op := range ops {
		switch op.Kind {
		case PutAlarm, PutEvent:
			if len(op.Body) == 0 {
				return &OpError{Index: i, Op: op.Kind, Reason: "empty body"}
			}
		case DeleteAlarm, TrimEvents:
		case PutSuppression:
			if op.Suppression.AlarmID == "" || op.Suppression.UUID == "" {
				return &OpError{Index: i, Op: op.Kind, Reason: "no alarm id or uuid"}
			}
		default:
			return &OpError{Index: i, Op: op.Kind, Reason: "unknown kind"}
		}
	}
	return nil
}

// OpError is a malformed op.
type OpError struct {
	// Index is the op's place in the commit.
	Index int
	// Op is its kind.
	Op OpKind
	// Reason says what is wrong with it.
	Reason string
}

// Error names the op and what is wrong with it.
func (e *OpError) Error() string {
	return fmt.Sprintf("faultstore: op %d (%s): %s", e.Index, e.Op, e.Reason)
}
