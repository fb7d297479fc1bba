// Package faultwal puts a group-commit journal in front of a fault.Store.
//
// A Commit appends the ops as one checksummed frame to a journal file and
// waits until it is on the device (a direct, synchronous write where the
// file system allows it, otherwise a write and fdatasync): that is when the write is acknowledged, so it survives
// kill -9 and power loss. A background applier then writes the ops to the
// inner store (SQLite, PostgreSQL ...) in large batches, off the path of
// the caller. On Open the journal is replayed into the inner store, which
// is harmless for ops it already holds (fault.Store's ops are idempotent),
// and the journal is emptied. Under load the applier holds the event log
// back until the load ends or the journal is reset, so that the records
// the log trims meanwhile are never written (Options.ApplyBatch).
//
// Why: a durable write to SQLite costs a transaction, several page writes
// and an fsync; a journal append costs one write and one fdatasync, and the
// store work is batched thousands at a time. On a 2-core machine this is
// what takes durable REST writes from a few thousand to over 20,000 a
// second (docs/benchmarks.md).
package faultwal

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/internal/wire"
)

// Options configure Open.
type Options struct {
	// MaxJournal is the journal's size (default 64 MiB). The file is
	// written with zeros up front, because syncing a write into existing
	// blocks is much cheaper than syncing an append; once half of it is
	// used the journal is reset (after the inner store has caught up).
	MaxJournal int64
	// ApplyBatch and ApplyDelay set how the applier gathers work: it writes
	// to the inner store once ApplyBatch ops are queued or ApplyDelay after
	// the first of them (defaults 16,384 and 500 ms). Larger batches cost
	// the inner store less per op, and an event the same batch trims from
	// the log is never written. While batches fill up (writes come faster
	// than ApplyBatch per ApplyDelay), event-log records are held back
	// and only the ones still in the log are written: with the first
	// batch that does not fill, before a journal reset, on Flush and
	// Close, and at the latest 10 × ApplyDelay after they were held.
	ApplyBatch int
	ApplyDelay time.Duration
	// Logger receives the applier's errors; nil discards.
	Logger *slog.Logger
	// Registerer, if set, receives the journal's Prometheus metrics
	// (flock_fault_journal_*): the applier's writes to the inner store,
	// their errors, how many commits it is behind, and the resets.
	Registerer prometheus.Registerer
	// BufferedWrites turns off direct I/O: frames are written through the
	// page cache and fdatasynced. The journal uses O_DIRECT|O_DSYNC where
	// the file system allows it, and falls back to this by itself.
	BufferedWrites bool
}

func (o *Options) noDirect() bool { return o != nil && o.BufferedWrites }

// Store is a fault.Store with a journal in front of an inner store.
type Store struct {
	inner fault.Store
	f     *os.File
	path  string
	max   int64
	log   *slog.Logger
	met   *metrics
	batch int
	delay time.Duration

	dw    *directWriter // nil: buffered writes and fdatasync
	wmu   sync.Mutex    // serialises journal writes (Commit is never concurrent, but the applier resets)
	off   int64         // where the next frame goes
	epoch uint32        // written in every frame; a reset starts a new one
	buf   []byte        // the frame being written, reused
	spans []int         // where each op's record is in buf, reused

	mu       sync.Mutex
	cond     *sync.Cond
	queue    wire.Batch // journaled ops not yet applied, with their records as journaled
	spare    wire.Batch // the last applied batch, emptied, for the next queue
	applied  uint64     // frames applied to the inner store
	written  uint64     // frames written to the journal
	err      error      // last applier error
	flushers int        // callers waiting in Flush
	closing  bool
	resetDue bool // the journal is half used: apply without gathering, then reset
	done     chan struct{}

	// Kept by the applier goroutine (resetWaited is written under wmu).
	held        heldEvents // event-log ops kept back from the inner store
	passes      int        // catch-up passes made since the reset fell due
	resetWaited int        // ops the last reset applied while writers waited

	maxBodies int // maxQueuedBodies; tests lower it
}

var _ fault.Store = (*Store)(nil)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Open opens (creating if needed) the journal at path over inner, replays
// it into inner, empties it and starts the applier. Close closes inner.
func Open(ctx context.Context, inner fault.Store, path string, opts *Options) (*Store, error) {
	var reg prometheus.Registerer
	s := &Store{inner: inner, path: path, max: 64 << 20, log: slog.New(slog.DiscardHandler), done: make(chan struct{}),
		batch: 16384, delay: 500 * time.Millisecond, maxBodies: maxQueuedBodies}
	if opts != nil {
		if opts.ApplyBatch > 0 {
			s.batch = opts.ApplyBatch
		}
		if opts.ApplyDelay > 0 {
			s.delay = opts.ApplyDelay
		}
		if opts.MaxJournal > 0 {
			s.max = opts.MaxJournal
		}
		if opts.Logger != nil {
			s.log = opts.Logger
		}
		reg = opts.Registerer
	}
	s.cond = sync.NewCond(&s.mu)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("faultwal: %w: %w", fault.ErrUnavailable, err)
	}
	s.f = f
	ops, epoch, err := readJournal(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	if len(ops) > 0 {
		if err := inner.Commit(ctx, ops); err != nil {
			f.Close()
			return nil, fmt.Errorf("faultwal: replay %d ops: %w: %w", len(ops), fault.ErrUnavailable, err)
		}
	}
	s.epoch = epoch
	if err := s.prepare(); err != nil {
		f.Close()
		return nil, err
	}
	if err := s.reset(); err != nil {
		f.Close()
		return nil, err
	}
	if !opts.noDirect() {
		s.dw = openDirect(path)
	}
	s.met = newMetrics(s, reg)
	go s.apply()
	return s, nil
}

// prepare makes the file MaxJournal bytes of zeros, written (not
// fallocated: an unwritten extent costs a metadata update at every sync).
func (s *Store) prepare() error {
	fi, err := s.f.Stat()
	if err != nil {
		return fmt.Errorf("faultwal: %w", err)
	}
	if fi.Size() >= s.max {
		return nil
	}
	zeros := make([]byte, 1<<20)
	for off := fi.Size(); off < s.max; off += int64(len(zeros)) {
		n := min(int64(len(zeros)), s.max-off)
		if _, err := s.f.WriteAt(zeros[:n], off); err != nil {
			return fmt.Errorf("faultwal: prepare journal: %w", err)
		}
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("faultwal: prepare journal: %w", err)
	}
	return nil
}

// reset starts a new epoch at offset 0: frames of older epochs further in
// the file are no longer read. Callers hold wmu or own s exclusively, and
// the inner store holds every journaled op.
func (s *Store) reset() error {
	s.epoch++
	var zero [headerSize]byte
	if _, err := s.f.WriteAt(zero[:], 0); err != nil {
		return fmt.Errorf("faultwal: reset: %w", err)
	}
	if err := syscall.Fdatasync(int(s.f.Fd())); err != nil {
		return fmt.Errorf("faultwal: reset: %w", err)
	}
	s.off = 0
	if s.dw != nil {
		s.dw.reset()
	}
	s.mu.Lock()
	s.resetDue = false
	s.mu.Unlock()
	return nil
}

// headerSize is a frame's header: payload length, CRC-32C (of the epoch
// and the payload), epoch.
const headerSize = 12

// readJournal returns the ops of the whole, valid frames of the first
// frame's epoch, and that epoch; it stops at a zero or torn frame (never
// acknowledged) or at a frame of an older epoch (already applied).
func readJournal(f *os.File) ([]fault.Op, uint32, error) {
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, 0, fmt.Errorf("faultwal: read journal: %w", err)
	}
	var ops []fault.Op
	var epoch uint32
	for first := true; len(data) >= headerSize; first = false {
		n := binary.LittleEndian.Uint32(data[0:4])
		sum := binary.LittleEndian.Uint32(data[4:8])
		e := binary.LittleEndian.Uint32(data[8:12])
		if n == 0 || uint64(n) > uint64(len(data)-headerSize) || crc32.Checksum(data[8:headerSize+n], crcTable) != sum {
			break
		}
		if first {
			epoch = e
		} else if e != epoch {
			break
		}
		frame, err := DecodeFrame(data[headerSize : headerSize+n])
		if err != nil {
			break
		}
		ops = append(ops, frame...)
		data = data[headerSize+n:]
	}
	return ops, epoch, nil
}

// Commit appends ops to the journal and syncs it; the inner store gets
// them later, in order.
func (s *Store) Commit(ctx context.Context, ops []fault.Op) error {
	s.wmu.Lock()
	frame, spans := appendFrame(s.buf[:0], ops, s.spans[:0])
	s.buf, s.spans = frame, spans
	binary.LittleEndian.PutUint32(frame[0:4], uint32(len(frame)-headerSize))
	binary.LittleEndian.PutUint32(frame[8:12], s.epoch)
	binary.LittleEndian.PutUint32(frame[4:8], crc32.Checksum(frame[8:], crcTable))
	// The frame goes over zeros, so a crash mid-write leaves a torn frame
	// that fails its CRC, followed by zeros.
	if s.dw != nil {
		if err := s.dw.writeAt(frame, s.off); err != nil {
			s.wmu.Unlock()
			return fmt.Errorf("faultwal: append: %w", err)
		}
	} else {
		if _, err := s.f.WriteAt(frame, s.off); err != nil {
			s.wmu.Unlock()
			return fmt.Errorf("faultwal: append: %w", err)
		}
		if err := syscall.Fdatasync(int(s.f.Fd())); err != nil {
			s.wmu.Unlock()
			return fmt.Errorf("faultwal: sync: %w", err)
		}
	}
	s.off += int64(len(frame))
	s.mu.Lock()
	s.resetDue = s.off >= s.max/2
	// The queue keeps each record as the frame has it, so that the inner
	// store need not encode it again: up to maxQueuedBodies of them, past
	// which the store encodes the rest itself.
	for i, op := range ops {
		if len(s.queue.Bodies) < s.maxBodies {
			s.queue.Add(op, frame[spans[2*i]:spans[2*i+1]])
		} else {
			s.queue.Add(op, nil)
		}
	}
	s.written++
	s.cond.Broadcast()
	s.mu.Unlock()
	s.wmu.Unlock()
	return nil
}

// apply writes queued ops to the inner store until Close.
func (s *Store) apply() {
	defer close(s.done)
	backoff := 100 * time.Millisecond
	for {
		s.mu.Lock()
		// Held events (hold.go) wait for the next batch, or for the
		// gathering below to time out.
		for s.queue.Len() == 0 && !s.closing && !s.held.pending() {
			s.cond.Wait()
		}
		if s.queue.Len() == 0 && s.closing && !s.held.pending() {
			s.mu.Unlock()
			return
		}
		// Gather: until the batch is full, the delay has passed, or
		// someone waits in Flush.
		deadline := time.Now().Add(s.delay)
		for s.queue.Len() < s.batch && !s.closing && s.flushers == 0 && !s.resetDue && time.Now().Before(deadline) {
			s.mu.Unlock()
			time.Sleep(min(time.Until(deadline), 5*time.Millisecond))
			s.mu.Lock()
		}
		// A full batch means writes come faster than batches fill: the
		// event log is held back. Anything else releases it.
		hold := s.queue.Len() >= s.batch && !s.closing && s.flushers == 0 && !s.resetDue
		b, upto := s.queue, s.written
		s.queue, s.spare = s.spare, wire.Batch{}
		s.mu.Unlock()
		now := time.Now()
		s.held.take(&b, now)
		if !hold || s.held.due(now, s.delay) {
			s.held.release(&b)
		}
		for {
			err := s.commitInner(&b)
			s.mu.Lock()
			s.err = err
			if err == nil && !s.held.pending() {
				s.applied = upto
			}
			if err == nil {
				// The batch's memory takes the next batch: a queue of
				// thousands of ops is not regrown from nothing each time.
				b.Reset()
				s.spare = b
			}
			s.cond.Broadcast()
			closing := s.closing
			s.mu.Unlock()
			if err == nil {
				backoff = 100 * time.Millisecond
				break
			}
			s.log.Error("faultwal: applying to the store failed; retrying", "err", err, "ops", b.Len())
			if closing {
				return // the journal keeps them for the next Open
			}
			time.Sleep(backoff)
			backoff = min(2*backoff, 5*time.Second)
		}
		s.maybeReset()
	}
}

// Resetting the journal: writers wait while the reset applies what is
// still queued. A full batch takes a while to apply (a fifth of a second
// for 16,384 ops into SQLite here), and the ops that arrived meanwhile
// would make writers wait tens of milliseconds. So once a reset is due the
// applier first goes round without gathering, up to resetPasses times:
// each pass applies what arrived during the one before, the queue shrinks
// pass by pass, and the reset waits for at most resetCatchUp ops (unless
// writers outpace the store, when it stops catching up and waits for all).
const (
	resetCatchUp = 256
	resetPasses  = 8
)

// maxQueuedBodies bounds the encoded records the queue keeps for the inner
// store (the queue and its spare each hold up to this much).
const maxQueuedBodies = 8 << 20

// maybeReset restarts a half-used journal once the applier has caught up
// (see resetCatchUp). Writers wait meanwhile: it applies what is still
// queued itself, so that it is never starved by a steady stream of
// commits.
func (s *Store) maybeReset() {
	s.mu.Lock()
	due := s.resetDue
	s.mu.Unlock()
	if !due {
		s.passes = 0
		return
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.off < s.max/2 {
		return
	}
	s.mu.Lock()
	if s.queue.Len() > resetCatchUp && s.passes < resetPasses {
		s.mu.Unlock()
		s.passes++
		return
	}
	b, upto := s.queue, s.written
	s.queue, s.spare = s.spare, wire.Batch{}
	s.mu.Unlock()
	s.passes = 0
	s.resetWaited = b.Len()
	// The journal is about to forget every op: nothing may stay held.
	s.held.take(&b, time.Now())
	s.held.release(&b)
	if b.Len() > 0 {
		if err := s.commitInner(&b); err != nil {
			s.mu.Lock()
			b.Append(&s.queue)
			s.queue = b
			s.err = err
			s.mu.Unlock()
			return
		}
		s.mu.Lock()
		s.applied = upto
		s.cond.Broadcast()
		s.mu.Unlock()
	}
	b.Reset()
	s.mu.Lock()
	s.spare = b
	s.mu.Unlock()
	if err := s.reset(); err != nil {
		s.log.Error("faultwal: reset", "err", err)
		return
	}
	s.met.resets.Inc()
}

// commitInner applies b to the inner store, with the journaled records
// where the store takes them.
func (s *Store) commitInner(b *wire.Batch) error {
	start := time.Now()
	var err error
	if bc, ok := s.inner.(wire.BatchCommitter); ok {
		err = bc.CommitBatch(context.Background(), b)
	} else {
		err = s.inner.Commit(context.Background(), b.Ops)
	}
	s.met.observeApply(time.Since(start), err)
	return err
}

// Flush waits until the inner store holds every committed op.
func (s *Store) Flush(ctx context.Context) error {
	s.mu.Lock()
	target := s.written
	s.mu.Unlock()
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushers++
	defer func() { s.flushers-- }()
	for s.applied < target {
		if err := ctx.Err(); err != nil {
			return err
		}
		if s.closing {
			return fault.ErrClosed
		}
		s.cond.Wait()
	}
	return nil
}

// Load flushes the applier, then loads the inner store.
func (s *Store) Load(ctx context.Context) (*fault.Snapshot, error) {
	if err := s.Flush(ctx); err != nil {
		return nil, err
	}
	return s.inner.Load(ctx)
}

// Close applies what is queued (what it cannot apply stays in the journal
// for the next Open), then closes the journal and the inner store.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closing = true
	s.cond.Broadcast()
	s.mu.Unlock()
	<-s.done
	s.mu.Lock()
	pending := s.applied != s.written
	s.mu.Unlock()
	var err error
	if !pending {
		s.wmu.Lock()
		err = s.reset()
		s.wmu.Unlock()
	}
	var derr error
	if s.dw != nil {
		derr = s.dw.Close()
	}
	s.met.unregister()
	return errors.Join(err, derr, s.f.Close(), s.inner.Close())
}

// frameOp is an Op as journaled.
type frameOp struct {
	K fault.OpKind             `json:"k"`
	A *fault.StoredAlarm       `json:"a,omitempty"`
	E *fault.Event             `json:"e,omitempty"`
	T int64                    `json:"t,omitempty"`
	S *fault.SuppressionRecord `json:"s,omitempty"`
}

// EncodeFrame encodes ops as a frame payload: one JSON object per line.
func EncodeFrame(ops []fault.Op) []byte {
	b, _ := appendFrame(nil, ops, nil)
	return b[headerSize:]
}

// appendFrame appends a header (left for the caller to fill) and the
// payload. It appends to spans, for each op, where its record's JSON
// starts and ends in the result (the same offset twice if it has none):
// the bytes a SQL store writes as the record's body.
func appendFrame(b []byte, ops []fault.Op, spans []int) ([]byte, []int) {
	b = append(b, make([]byte, headerSize)...)
	for _, op := range ops {
		b = append(b, `{"k":`...)
		b = append(b, byte('0'+op.Kind))
		var start, end int
		switch op.Kind {
		case fault.OpPutAlarm, fault.OpDeleteAlarm:
			b = append(b, `,"a":`...)
			start = len(b)
			b = wire.AppendStored(b, op.Alarm)
			end = len(b)
		case fault.OpAppendEvent:
			b = append(b, `,"e":`...)
			start = len(b)
			b = wire.AppendEvent(b, op.Event)
			end = len(b)
		case fault.OpTrimEvents:
			b = strconv.AppendInt(append(b, `,"t":`...), op.TrimSeq, 10)
		case fault.OpPutSuppression:
			sb, _ := json.Marshal(op.Suppression)
			b = append(b, `,"s":`...)
			b = append(b, sb...)
		}
		b = append(b, "}\n"...)
		spans = append(spans, start, end)
	}
	return b, spans
}

// DecodeFrame decodes a frame payload. It is the parser of the journal
// file, checked against corrupt input by FuzzDecodeFrame.
func DecodeFrame(p []byte) ([]fault.Op, error) {
	var ops []fault.Op
	for line := range bytes.SplitSeq(bytes.TrimRight(p, "\n"), []byte("\n")) {
		var f frameOp
		if err := json.Unmarshal(line, &f); err != nil {
			return nil, fmt.Errorf("faultwal: frame: %w", err)
		}
		op := fault.Op{Kind: f.K, Alarm: f.A, Event: f.E, TrimSeq: f.T, Suppression: f.S}
		switch {
		case (f.K == fault.OpPutAlarm || f.K == fault.OpDeleteAlarm) && f.A != nil,
			f.K == fault.OpAppendEvent && f.E != nil,
			f.K == fault.OpTrimEvents,
			f.K == fault.OpPutSuppression && f.S != nil:
		default:
			return nil, fmt.Errorf("faultwal: frame: bad op kind %d or missing record", f.K)
		}
		ops = append(ops, op)
	}
	return ops, nil
}
