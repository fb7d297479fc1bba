package fault

import (
	"context"
	"fmt"
	"time"

	"github.com/edgeflock/flock/fault/faultstore"
)

// Group commit. A write is a function that prepares its changes in a txn;
// writers queue theirs, and one of them at a time, the leader, takes
// every queued write (up to maxBatch), prepares them in order in one txn
// over the committed state, commits the txn's ops to the store in one
// Commit, and only then applies them to the state that readers see and
// hands the notifications to the dispatcher (publish after commit). While
// the leader commits, new writes queue for the next batch. A leader whose
// own write is done hands the rest to a goroutine of its own, so that no
// caller waits for writes that came after its own.

// maxBatch bounds the writes of one commit, and so its duration.
const maxBatch = 1024

// DefaultCommitTimeout is how long a store commit may take before it is
// abandoned and its writes fail with ErrUnavailable.
const DefaultCommitTimeout = 10 * time.Second

// pending is one queued write.
type pending struct {
	prepare func(tx *txn) error
	err     error
	done    chan struct{}
}

// write queues prepare and waits until its batch is committed (or has
// failed). A caller that stops waiting (ctx) does not take its write
// back: the write may still be committed. A write waits at most about
// twice the commit timeout: once for the batch before its own, once for
// its own.
func (m *Manager) write(ctx context.Context, prepare func(tx *txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := &pending{prepare: prepare, done: make(chan struct{})}
	m.cmu.Lock()
	if m.closed.Load() {
		m.cmu.Unlock()
		return ErrClosed
	}
	m.queue = append(m.queue, p)
	lead := !m.leading
	m.leading = true
	m.cmu.Unlock()
	if lead {
		m.lead(p)
	}
	select {
	case <-p.done:
		return p.err
	default:
	}
	timer := time.NewTimer(2 * m.commitTimeout)
	defer timer.Stop()
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return fmt.Errorf("fault: the store has not committed for %v: %w", 2*m.commitTimeout, ErrUnavailable)
	}
}

// lead commits batches until own is done (own nil: until none is
// queued), then hands what is left to a new leader.
func (m *Manager) lead(own *pending) {
	for {
		m.cmu.Lock()
		n := min(len(m.queue), maxBatch)
		if n == 0 {
			m.leading = false
			m.idle.Broadcast()
			m.cmu.Unlock()
			return
		}
		batch := m.queue[:n:n]
		m.queue = m.queue[n:]
		if len(m.queue) == 0 {
			m.queue = nil
		}
		m.cmu.Unlock()
		if m.commitBatch(batch) {
			// The batch's writers know it failed; make the state the
			// store's again before anything else.
			if err := m.reload(); err != nil {
				m.log.Error("fault: reload after a failed commit", "err", err)
			}
		}
		if own == nil {
			continue
		}
		select {
		case <-own.done:
			m.cmu.Lock()
			if len(m.queue) == 0 {
				m.leading = false
				m.idle.Broadcast()
				m.cmu.Unlock()
				return
			}
			m.cmu.Unlock()
			go m.lead(nil)
			return
		default:
		}
	}
}

// commitBatch prepares, commits and publishes one batch. It reports
// whether the store may now hold something other than the state.
func (m *Manager) commitBatch(batch []*pending) (stale bool) {
	defer func() {
		for _, p := range batch {
			close(p.done)
		}
	}()
	fail := func(err error) {
		m.setHealth(err)
		m.log.Error("fault: store commit failed", "writes", len(batch), "err", err)
		for _, p := range batch {
			if p.err == nil {
				p.err = fmt.Errorf("fault: commit: %w: %w", ErrUnavailable, err)
			}
		}
	}
	if m.stale {
		if err := m.reload(); err != nil {
			fail(err) // still stale: the next batch tries again
			return false
		}
	}
	tx := newTxn(m.st, m.opts.EventLogSize, m.stamp(), m.disp.queue != nil)
	tx.ops = append(make([]faultstore.Op, 0, len(m.seeds)+2*len(batch)+1), m.seeds...)
	tx.events = make([]Event, 0, len(batch))
	for _, p := range batch {
		p.err = p.prepare(tx)
	}
	ops := tx.finish()
	if tx.err != nil {
		fail(tx.err)
		return false
	}
	if len(ops) == 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.commitTimeout)
	start := time.Now()
	err := m.store.Commit(ctx, ops)
	cancel()
	m.met.observeCommit(len(batch), time.Since(start))
	if err != nil {
		// The store may or may not hold the batch (a commit can fail after
		// the database made it durable): read the truth back before the
		// next batch.
		m.stale = true
		fail(err)
		return true
	}
	m.seeds = nil
	m.setHealth(nil)
	m.mu.Lock()
	m.st.apply(tx)
	m.mu.Unlock()
	m.met.sets.Add(float64(tx.sets))
	m.met.clears.Add(float64(tx.clears))
	for _, n := range tx.notes {
		m.disp.enqueue(n)
	}
	return false
}

// reload rebuilds the committed state from the store. Readers keep the
// old state until the new one is complete.
func (m *Manager) reload() error {
	ctx, cancel := context.WithTimeout(context.Background(), m.commitTimeout)
	defer cancel()
	snap, err := m.store.Load(ctx)
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	st, seeds, err := newState(snap, m.cat, m.opts.EventLogSize)
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	m.mu.Lock()
	m.st = st
	m.mu.Unlock()
	m.seeds, m.stale = seeds, false
	return nil
}

func (m *Manager) setHealth(err error) {
	m.cmu.Lock()
	m.health = err
	m.cmu.Unlock()
}

// Health returns nil while the store takes writes, and the error of the
// last commit once one has failed, until a commit succeeds again. Reads
// are served in either case. stx-controller reports it at /healthz.
func (m *Manager) Health() error {
	m.cmu.Lock()
	defer m.cmu.Unlock()
	if m.health != nil {
		return fmt.Errorf("fault: store: %w: %w", ErrUnavailable, m.health)
	}
	if m.closed.Load() {
		return ErrClosed
	}
	return nil
}

// waitIdle waits until no batch is being committed. Called with m.cmu held.
func (m *Manager) waitIdle() {
	for m.leading {
		m.idle.Wait()
	}
}
