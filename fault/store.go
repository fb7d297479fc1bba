package fault

import (
	"context"
	"runtime"
	"sort"
	"sync"
	"time"
)

// Store persists the manager's state. The manager keeps the active alarms,
// the event log and the suppression table in memory and writes every change
// through Commit before it tells its caller the change succeeded; Load gives
// the state back on start. Implementations: NewMemoryStore (nothing
// survives the process), and faultsql (SQLite and PostgreSQL).
//
// A Store need not be safe for concurrent Commits: the manager never
// overlaps them.
type Store interface {
	// Load returns everything stored.
	Load(ctx context.Context) (*Snapshot, error)
	// Commit applies ops in order, atomically, and returns once they are
	// durable. Applying an op twice must be harmless (puts and deletes are
	// by key, events by Seq), so a journal can replay ops after a crash.
	// The slice is the caller's again once Commit returns (the records
	// its ops point to are never changed and may be kept).
	Commit(ctx context.Context, ops []Op) error
	// Close releases the store.
	Close() error
}

// StoredAlarm is an active alarm as persisted, with its raise order.
type StoredAlarm struct {
	Alarm
	// Seq orders alarms by when they were first raised.
	Seq int64 `json:"seq"`
}

// SuppressionRecord is the persisted part of a suppression entry.
type SuppressionRecord struct {
	AlarmID string            `json:"alarm_id"`
	UUID    string            `json:"uuid"`
	Status  SuppressionStatus `json:"suppression_status"`
}

// Snapshot is the persisted state.
type Snapshot struct {
	Alarms       []StoredAlarm
	Events       []Event // ascending Seq
	Suppressions []SuppressionRecord
}

// OpKind says what an Op does.
type OpKind int

// Op kinds.
const (
	// OpPutAlarm inserts or replaces the alarm keyed by (AlarmID, EntityInstanceID).
	OpPutAlarm OpKind = iota + 1
	// OpDeleteAlarm deletes the alarm keyed by (AlarmID, EntityInstanceID).
	OpDeleteAlarm
	// OpAppendEvent appends an event log record.
	OpAppendEvent
	// OpTrimEvents deletes event records with Seq <= TrimSeq.
	OpTrimEvents
	// OpPutSuppression inserts or replaces a suppression record.
	OpPutSuppression
)

// Op is one change to the persisted state.
type Op struct {
	Kind        OpKind
	Alarm       *StoredAlarm       // OpPutAlarm, OpDeleteAlarm (key fields only)
	Event       *Event             // OpAppendEvent
	TrimSeq     int64              // OpTrimEvents
	Suppression *SuppressionRecord // OpPutSuppression
}

// MemoryStore is a Store that keeps its state in memory: it survives a
// Manager being closed and reopened over it, but not the process.
type MemoryStore struct {
	mu     sync.Mutex
	alarms map[alarmKey]StoredAlarm
	events []Event
	supp   map[string]SuppressionRecord
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{alarms: map[alarmKey]StoredAlarm{}, supp: map[string]SuppressionRecord{}}
}

// Load returns a copy of the state.
func (s *MemoryStore) Load(ctx context.Context) (*Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := &Snapshot{Events: append([]Event(nil), s.events...)}
	for _, a := range s.alarms {
		snap.Alarms = append(snap.Alarms, a)
	}
	sort.Slice(snap.Alarms, func(i, j int) bool { return snap.Alarms[i].Seq < snap.Alarms[j].Seq })
	for _, r := range s.supp {
		snap.Suppressions = append(snap.Suppressions, r)
	}
	return snap, nil
}

// Commit applies ops.
func (s *MemoryStore) Commit(ctx context.Context, ops []Op) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, op := range ops {
		switch op.Kind {
		case OpPutAlarm:
			s.alarms[keyOf(&op.Alarm.Alarm)] = *op.Alarm
		case OpDeleteAlarm:
			delete(s.alarms, keyOf(&op.Alarm.Alarm))
		case OpAppendEvent:
			if n := len(s.events); n == 0 || s.events[n-1].Seq < op.Event.Seq {
				s.events = append(s.events, *op.Event)
			} else if i := sort.Search(n, func(i int) bool { return s.events[i].Seq >= op.Event.Seq }); s.events[i].Seq == op.Event.Seq {
				s.events[i] = *op.Event
			}
		case OpTrimEvents:
			i := sort.Search(len(s.events), func(i int) bool { return s.events[i].Seq > op.TrimSeq })
			clear(s.events[:i])
			s.events = s.events[i:] // append reallocates once in a while, amortised
		case OpPutSuppression:
			s.supp[op.Suppression.AlarmID] = *op.Suppression
		}
	}
	return nil
}

// Close does nothing.
func (s *MemoryStore) Close() error { return nil }

type alarmKey struct{ id, eid string }

func keyOf(a *Alarm) alarmKey { return alarmKey{a.AlarmID, a.EntityInstanceID} }

// committer batches the ops of concurrent writers into one Store.Commit
// (group commit). Writers join the open batch; the first to find the
// committer idle becomes the leader and commits batch after batch until
// none is open, while the others wait for theirs. No goroutine of its own,
// and per batch, not per writer, one allocation and one channel.
type committer struct {
	store   Store
	mu      sync.Mutex
	open    *commitBatch // the batch writers join; nil when none has
	busy    bool
	failed  error // set after a failed commit until reset
	idle    *sync.Cond
	onBatch func(n int, d time.Duration) // after each commit: its writes and how long it took
	spare   [][]Op                       // committed batches' ops buffers, for the next ones
}

// commitBatch is the ops of the writers that joined it, committed as one.
type commitBatch struct {
	ops     []Op
	after   []func() // run by the leader, in order, after a successful commit
	writers int
	done    chan struct{} // closed once committed; err is set then
	err     error
}

func newCommitter(s Store) *committer {
	c := &committer{store: s}
	c.idle = sync.NewCond(&c.mu)
	return c
}

// enqueue adds ops (copied: the caller may reuse its slice) and after to
// the open batch; call it while holding the manager's lock so that commit
// order is state order. wait then blocks until they are durable. After a
// failed commit it returns that failure until reset.
func (c *committer) enqueue(ops []Op, after func()) (*commitBatch, error) {
	c.mu.Lock()
	if c.failed != nil {
		err := c.failed
		c.mu.Unlock()
		return nil, err
	}
	b := c.open
	if b == nil {
		// Not pooled: a channel made inside a testing/synctest bubble
		// must not be used outside it, and a pool would hand it to
		// another test.
		b = &commitBatch{done: make(chan struct{})}
		if n := len(c.spare); n > 0 {
			b.ops, c.spare = c.spare[n-1], c.spare[:n-1]
		}
		c.open = b
	}
	b.ops = append(b.ops, ops...)
	if after != nil {
		b.after = append(b.after, after)
	}
	b.writers++
	c.mu.Unlock()
	return b, nil
}

func (c *committer) wait(ctx context.Context, b *commitBatch) error {
	c.mu.Lock()
	if !c.busy && c.open != nil {
		c.busy = true
		c.lead()
		c.busy = false
		c.idle.Broadcast()
	}
	c.mu.Unlock()
	// A leader's own batch is done by now: no need for ctx.Done, which
	// makes a channel the first time it is called.
	select {
	case <-b.done:
		return b.err
	default:
	}
	select {
	case <-b.done:
		return b.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leadYields is how many times the leader lets other goroutines run before
// it takes a batch. A store commit that ends in a synchronous write blocks
// its thread, and Go's scheduler gives that thread's P (its right to run Go
// code) to another thread only 20 µs or more into the system call: on two
// cores, half of the machine idles for most of each commit while requests
// wait to run. Yielding first lets the writers that are about to enqueue
// (and the ones the last batch released) run before the write, so they
// join this batch instead of the next one. In the REST benchmark on two
// cores it raises the writes per commit from about 1.5 to 3, and the
// throughput by 8-17% (docs/benchmarks.md). With nothing else to run a
// yield returns at once.
const leadYields = 2

// yieldBelow: a batch this large already pays for its commit; the leader
// does not yield then. With many writers (128 callers of the SQL store)
// the yields only added scheduling work: up to 20% fewer sets a second.
const yieldBelow = 16

// lead commits open batches until none is left. Called with c.mu held.
func (c *committer) lead() {
	for c.open != nil {
		for i := 0; i < leadYields && c.open.writers < yieldBelow; i++ {
			c.mu.Unlock()
			runtime.Gosched()
			c.mu.Lock()
		}
		b := c.open
		c.open = nil
		c.mu.Unlock()
		start := time.Now()
		err := c.store.Commit(context.Background(), b.ops)
		if c.onBatch != nil {
			c.onBatch(b.writers, time.Since(start))
		}
		c.mu.Lock()
		done := []*commitBatch{b}
		if err != nil {
			c.failed = err
			if c.open != nil { // joined while this one was written: it fails too
				done = append(done, c.open)
				c.open = nil
			}
		} else {
			for _, f := range b.after {
				f()
			}
		}
		// Store.Commit does not keep the slice: a later batch reuses it.
		// Two batches are in use at a time, the one being written and the
		// one writers join meanwhile.
		clear(b.ops)
		if len(c.spare) < 2 {
			c.spare = append(c.spare, b.ops[:0])
		}
		for _, d := range done {
			d.ops, d.after, d.err = nil, nil, err
			close(d.done)
		}
	}
}

// reset waits until no commit is running, then clears a failure.
func (c *committer) reset() {
	c.mu.Lock()
	for c.busy {
		c.idle.Wait()
	}
	c.failed = nil
	c.mu.Unlock()
}

func (c *committer) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failed
}
