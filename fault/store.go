package fault

import (
	"context"
	"runtime"
	"sort"
	"sync"
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
// (group commit). The first writer to find it idle becomes the leader and
// commits everything queued, batch after batch, until the queue is empty;
// the others wait for their batch. No goroutine of its own.
type committer struct {
	store   Store
	mu      sync.Mutex
	pending []*commitReq
	busy    bool
	failed  error // set after a failed commit until reset
	idle    *sync.Cond
	onBatch func(n int)
	ops     []Op // the leader's buffer for a batch's ops
}

type commitReq struct {
	ops   []Op
	after func() // run by the leader, in order, after a successful commit
	done  chan error
}

func newCommitter(s Store) *committer {
	c := &committer{store: s}
	c.idle = sync.NewCond(&c.mu)
	return c
}

// enqueue queues ops; call it while holding the manager's lock so that
// commit order is state order. wait then blocks until they are durable.
func (c *committer) enqueue(ops []Op, after func()) *commitReq {
	// Not pooled: a channel made inside a testing/synctest bubble must not
	// be used outside it, and a pool would hand it to another test.
	r := &commitReq{ops: ops, after: after, done: make(chan error, 1)}
	c.mu.Lock()
	if c.failed != nil {
		c.mu.Unlock()
		r.done <- c.failed
		return r
	}
	c.pending = append(c.pending, r)
	c.mu.Unlock()
	return r
}

func (c *committer) wait(ctx context.Context, r *commitReq) error {
	c.mu.Lock()
	if !c.busy && len(c.pending) > 0 {
		c.busy = true
		c.lead()
		c.busy = false
		c.idle.Broadcast()
	}
	c.mu.Unlock()
	// A leader's own batch is done by now: no need for ctx.Done, which
	// makes a channel the first time it is called.
	select {
	case err := <-r.done:
		return err
	default:
	}
	select {
	case err := <-r.done:
		return err
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

// lead commits queued batches until none is left. Called with c.mu held.
func (c *committer) lead() {
	for len(c.pending) > 0 {
		for i := 0; i < leadYields && len(c.pending) < yieldBelow; i++ {
			c.mu.Unlock()
			runtime.Gosched()
			c.mu.Lock()
		}
		batch := c.pending
		c.pending = nil
		c.mu.Unlock()
		ops := c.ops[:0]
		for _, r := range batch {
			ops = append(ops, r.ops...)
		}
		err := c.store.Commit(context.Background(), ops)
		// Only the leader uses c.ops; Store.Commit does not keep the slice.
		clear(ops)
		c.ops = ops[:0]
		if c.onBatch != nil {
			c.onBatch(len(batch))
		}
		c.mu.Lock()
		if err != nil {
			c.failed = err
			batch = append(batch, c.pending...)
			c.pending = nil
		}
		for _, r := range batch {
			if err == nil && r.after != nil {
				r.after()
			}
			r.done <- err
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
