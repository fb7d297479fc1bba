// Package faultwal puts a group-commit journal in front of a fault.Store.
//
// A Commit appends the ops as one checksummed frame to a journal file and
// fdatasyncs it: that is when the write is acknowledged, so it survives
// kill -9 and power loss. A background applier then writes the ops to the
// inner store (SQLite, PostgreSQL ...) in large batches, off the path of
// the caller. On Open the journal is replayed into the inner store, which
// is harmless for ops it already holds (fault.Store's ops are idempotent),
// and the journal is emptied.
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
	"sync"
	"syscall"
	"time"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/internal/wire"
)

// Options configure Open.
type Options struct {
	// MaxJournal is the size past which the journal is emptied once the
	// inner store holds everything in it (default 64 MiB).
	MaxJournal int64
	// Logger receives the applier's errors; nil discards.
	Logger *slog.Logger
}

// Store is a fault.Store with a journal in front of an inner store.
type Store struct {
	inner fault.Store
	f     *os.File
	path  string
	max   int64
	log   *slog.Logger

	wmu  sync.Mutex // serialises journal writes (Commit is never concurrent, but the applier truncates)
	size int64

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []fault.Op
	applied uint64 // frames applied to the inner store
	written uint64 // frames written to the journal
	err     error  // last applier error
	closing bool
	done    chan struct{}
}

var _ fault.Store = (*Store)(nil)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Open opens (creating if needed) the journal at path over inner, replays
// it into inner, empties it and starts the applier. Close closes inner.
func Open(ctx context.Context, inner fault.Store, path string, opts *Options) (*Store, error) {
	s := &Store{inner: inner, path: path, max: 64 << 20, log: slog.New(slog.DiscardHandler), done: make(chan struct{})}
	if opts != nil {
		if opts.MaxJournal > 0 {
			s.max = opts.MaxJournal
		}
		if opts.Logger != nil {
			s.log = opts.Logger
		}
	}
	s.cond = sync.NewCond(&s.mu)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("faultwal: %w: %w", fault.ErrUnavailable, err)
	}
	s.f = f
	ops, err := readJournal(f)
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
	if err := s.truncate(); err != nil {
		f.Close()
		return nil, err
	}
	go s.apply()
	return s, nil
}

// readJournal returns the ops of every whole, valid frame; it stops at the
// first torn or corrupt frame, which was never acknowledged.
func readJournal(f *os.File) ([]fault.Op, error) {
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("faultwal: read journal: %w", err)
	}
	var ops []fault.Op
	for len(data) >= 8 {
		n := binary.LittleEndian.Uint32(data[0:4])
		sum := binary.LittleEndian.Uint32(data[4:8])
		if uint64(n) > uint64(len(data)-8) || crc32.Checksum(data[8:8+n], crcTable) != sum {
			break
		}
		frame, err := DecodeFrame(data[8 : 8+n])
		if err != nil {
			break
		}
		ops = append(ops, frame...)
		data = data[8+n:]
	}
	return ops, nil
}

// Commit appends ops to the journal and syncs it; the inner store gets
// them later, in order.
func (s *Store) Commit(ctx context.Context, ops []fault.Op) error {
	payload := EncodeFrame(ops)
	frame := make([]byte, 8, 8+len(payload))
	binary.LittleEndian.PutUint32(frame[0:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(frame[4:8], crc32.Checksum(payload, crcTable))
	frame = append(frame, payload...)
	s.wmu.Lock()
	if _, err := s.f.Write(frame); err != nil {
		s.wmu.Unlock()
		return fmt.Errorf("faultwal: append: %w", err)
	}
	if err := syscall.Fdatasync(int(s.f.Fd())); err != nil {
		s.wmu.Unlock()
		return fmt.Errorf("faultwal: sync: %w", err)
	}
	s.size += int64(len(frame))
	s.mu.Lock()
	s.queue = append(s.queue, ops...)
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
		for len(s.queue) == 0 && !s.closing {
			s.cond.Wait()
		}
		if len(s.queue) == 0 && s.closing {
			s.mu.Unlock()
			return
		}
		ops, upto := s.queue, s.written
		s.queue = nil
		s.mu.Unlock()
		for {
			err := s.inner.Commit(context.Background(), ops)
			s.mu.Lock()
			s.err = err
			if err == nil {
				s.applied = upto
			}
			s.cond.Broadcast()
			closing := s.closing
			s.mu.Unlock()
			if err == nil {
				backoff = 100 * time.Millisecond
				break
			}
			s.log.Error("faultwal: applying to the store failed; retrying", "err", err, "ops", len(ops))
			if closing {
				return // the journal keeps them for the next Open
			}
			time.Sleep(backoff)
			backoff = min(2*backoff, 5*time.Second)
		}
		s.maybeTruncate()
	}
}

// maybeTruncate empties a large journal once the inner store has it all.
func (s *Store) maybeTruncate() {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.size < s.max {
		return
	}
	s.mu.Lock()
	caught := s.applied == s.written
	s.mu.Unlock()
	if caught {
		if err := s.truncate(); err != nil {
			s.log.Error("faultwal: truncate", "err", err)
		}
	}
}

// truncate empties the journal. Callers hold wmu or own s exclusively.
func (s *Store) truncate() error {
	if err := s.f.Truncate(0); err != nil {
		return fmt.Errorf("faultwal: truncate: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("faultwal: truncate: %w", err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("faultwal: truncate: %w", err)
	}
	s.size = 0
	return nil
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
		err = s.truncate()
		s.wmu.Unlock()
	}
	return errors.Join(err, s.f.Close(), s.inner.Close())
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
	var b []byte
	for _, op := range ops {
		b = append(b, `{"k":`...)
		b = append(b, byte('0'+op.Kind))
		switch op.Kind {
		case fault.OpPutAlarm, fault.OpDeleteAlarm:
			b = append(b, `,"a":`...)
			b = wire.AppendStored(b, op.Alarm)
		case fault.OpAppendEvent:
			b = append(b, `,"e":`...)
			b = wire.AppendEvent(b, op.Event)
		case fault.OpTrimEvents:
			b = fmt.Appendf(b, `,"t":%d`, op.TrimSeq)
		case fault.OpPutSuppression:
			sb, _ := json.Marshal(op.Suppression)
			b = append(b, `,"s":`...)
			b = append(b, sb...)
		}
		b = append(b, "}\n"...)
	}
	return b
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
