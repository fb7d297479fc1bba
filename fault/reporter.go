package fault

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// AsyncOptions configure an AsyncReporter.
type AsyncOptions struct {
	// QueueSize bounds the calls waiting for delivery (default 1,000, as
	// StarlingX's async client). A call beyond it fails with ErrQueueFull.
	QueueSize int `yaml:"queue_size" json:"queue_size"`
	// SpoolDir, if set, keeps the queue on disk there, so queued calls
	// survive a crash or restart of the reporting process.
	SpoolDir string `yaml:"spool_dir" json:"spool_dir"`
	// RetryMin and RetryMax bound the backoff while the service cannot be
	// reached (defaults 200 ms, as StarlingX reconnects, and 5 s).
	RetryMin time.Duration `yaml:"retry_min" json:"retry_min"`
	RetryMax time.Duration `yaml:"retry_max" json:"retry_max"`
	// CallTimeout bounds each delivery attempt (default 5 s).
	CallTimeout time.Duration `yaml:"call_timeout" json:"call_timeout"`
	// Logger receives dropped calls and delivery errors; nil discards.
	Logger *slog.Logger `yaml:"-" json:"-"`
}

// AsyncReporter is a Reporter that never blocks its caller on the fault
// service: calls are queued, in order, and a delivery loop (Run) sends them
// to the target, retrying with backoff while it is down. A set gets its
// uuid on the caller's side, so SetAlarm returns it at once.
//
// Delivery is at least once: a call is retried until the target answers,
// and a call the target rejects as invalid, or a clear of an alarm that is
// not active, is dropped and logged. With a spool, a call is re-sent after
// a crash only if the crash came between its delivery and the spool noting
// it; a re-sent set carries the same uuid and overwrites the same alarm.
type AsyncReporter struct {
	target Reporter
	opts   AsyncOptions
	log    *slog.Logger

	mu        sync.Mutex
	cond      *sync.Cond
	queue     []asyncCall
	nextSeq   uint64 // sequence of the next queued call
	delivered uint64 // sequence of the last delivered call
	closed    bool

	spool *os.File // append-only calls, when SpoolDir is set
	ack   *os.File // the last delivered sequence, overwritten
}

var _ Reporter = (*AsyncReporter)(nil)

type asyncCall struct {
	Seq     uint64 `json:"n"`
	Op      string `json:"op"` // "set" or "clear"
	Alarm   *Alarm `json:"alarm,omitempty"`
	AlarmID string `json:"alarm_id,omitempty"`
	EID     string `json:"eid,omitempty"`
}

// NewAsyncReporter returns a reporter that delivers to target once Run
// is running. With a spool, calls queued before a crash are queued again.
func NewAsyncReporter(target Reporter, opts *AsyncOptions) (*AsyncReporter, error) {
	r := &AsyncReporter{target: target}
	if opts != nil {
		r.opts = *opts
	}
	if r.opts.QueueSize <= 0 {
		r.opts.QueueSize = 1000
	}
	if r.opts.RetryMin <= 0 {
		r.opts.RetryMin = 200 * time.Millisecond
	}
	if r.opts.RetryMax <= 0 {
		r.opts.RetryMax = 5 * time.Second
	}
	if r.opts.CallTimeout <= 0 {
		r.opts.CallTimeout = 5 * time.Second
	}
	r.log = r.opts.Logger
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.cond = sync.NewCond(&r.mu)
	r.nextSeq = 1
	if r.opts.SpoolDir != "" {
		if err := r.openSpool(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// openSpool reads the spool and the ack file and queues what was not
// delivered.
func (r *AsyncReporter) openSpool() error {
	if err := os.MkdirAll(r.opts.SpoolDir, 0o750); err != nil {
		return fmt.Errorf("fault: spool: %w", err)
	}
	var err error
	if r.ack, err = os.OpenFile(filepath.Join(r.opts.SpoolDir, "delivered"), os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return fmt.Errorf("fault: spool: %w", err)
	}
	var b [8]byte
	if n, _ := r.ack.ReadAt(b[:], 0); n == 8 {
		r.delivered = binary.LittleEndian.Uint64(b[:])
	}
	if r.spool, err = os.OpenFile(filepath.Join(r.opts.SpoolDir, "queue"), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600); err != nil {
		r.ack.Close()
		return fmt.Errorf("fault: spool: %w", err)
	}
	r.nextSeq = r.delivered + 1
	sc := bufio.NewScanner(r.spool)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var c asyncCall
		if json.Unmarshal(sc.Bytes(), &c) != nil || c.Seq == 0 {
			break // a torn last line: that call was never accepted
		}
		if c.Seq <= r.delivered {
			continue
		}
		r.queue = append(r.queue, c)
		r.nextSeq = c.Seq + 1
	}
	return nil
}

// SetAlarm queues a set and returns the alarm's uuid.
func (r *AsyncReporter) SetAlarm(ctx context.Context, a Alarm) (string, error) {
	if a.UUID == "" {
		a.UUID = newUUID()
	}
	if a.State == 0 {
		a.State = StateSet
	}
	if err := a.validate(); err != nil {
		return "", err
	}
	return a.UUID, r.enqueue(asyncCall{Op: "set", Alarm: &a})
}

// ClearAlarm queues a clear.
func (r *AsyncReporter) ClearAlarm(ctx context.Context, alarmID, eidPrefix string) error {
	if !validAlarmID(alarmID) {
		return fieldErr("alarm_id", "%q is not GGG.EEE", alarmID)
	}
	if _, err := ParseEntity(eidPrefix); err != nil {
		return err
	}
	return r.enqueue(asyncCall{Op: "clear", AlarmID: alarmID, EID: eidPrefix})
}

func (r *AsyncReporter) enqueue(c asyncCall) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	if len(r.queue) >= r.opts.QueueSize {
		return fmt.Errorf("fault: %d calls waiting: %w", len(r.queue), ErrQueueFull)
	}
	c.Seq = r.nextSeq
	if r.spool != nil {
		line, err := json.Marshal(c)
		if err != nil {
			return err
		}
		// One write: it survives a crash of this process once it returns.
		if _, err := r.spool.Write(append(line, '\n')); err != nil {
			return fmt.Errorf("fault: spool: %w: %w", ErrUnavailable, err)
		}
	}
	r.nextSeq++
	r.queue = append(r.queue, c)
	r.cond.Broadcast()
	return nil
}

// Len returns the number of calls waiting for delivery.
func (r *AsyncReporter) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.queue)
}

// Run delivers queued calls in order until ctx ends. Run one at a time.
func (r *AsyncReporter) Run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		r.mu.Lock()
		r.cond.Broadcast()
		r.mu.Unlock()
	})
	defer stop()
	backoff := r.opts.RetryMin
	for {
		r.mu.Lock()
		for len(r.queue) == 0 && ctx.Err() == nil {
			r.cond.Wait()
		}
		if ctx.Err() != nil {
			r.mu.Unlock()
			return ctx.Err()
		}
		c := r.queue[0]
		r.mu.Unlock()

		err := r.deliver(ctx, c)
		if err != nil && retryable(err) {
			r.log.Warn("fault: alarm delivery failed; retrying", "op", c.Op, "err", err, "backoff", backoff)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, r.opts.RetryMax)
			continue
		}
		if err != nil {
			r.log.Error("fault: alarm call dropped", "op", c.Op, "alarm_id", c.AlarmID, "err", err)
		}
		backoff = r.opts.RetryMin
		r.mu.Lock()
		r.queue = r.queue[1:]
		r.delivered = c.Seq
		r.noteDelivered()
		r.cond.Broadcast()
		r.mu.Unlock()
	}
}

func (r *AsyncReporter) deliver(ctx context.Context, c asyncCall) error {
	cctx, cancel := context.WithTimeout(ctx, r.opts.CallTimeout)
	defer cancel()
	if c.Op == "set" {
		_, err := r.target.SetAlarm(cctx, *c.Alarm)
		return err
	}
	return r.target.ClearAlarm(cctx, c.AlarmID, c.EID)
}

// retryable: everything but an answer that the call itself is wrong.
func retryable(err error) bool {
	return !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrConflict)
}

// noteDelivered records delivery in the spool (r.mu held) and empties the
// spool file once nothing is waiting.
func (r *AsyncReporter) noteDelivered() {
	if r.ack == nil {
		return
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], r.delivered)
	if _, err := r.ack.WriteAt(b[:], 0); err != nil {
		r.log.Error("fault: spool ack", "err", err)
		return
	}
	_ = syscall.Fdatasync(int(r.ack.Fd()))
	if len(r.queue) == 0 {
		if fi, err := r.spool.Stat(); err == nil && fi.Size() > 1<<20 {
			_ = r.spool.Truncate(0)
		}
	}
}

// Flush waits until every call queued before it was delivered (or
// dropped), or ctx ends.
func (r *AsyncReporter) Flush(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		r.mu.Lock()
		r.cond.Broadcast()
		r.mu.Unlock()
	})
	defer stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	target := r.nextSeq - 1
	for r.delivered < target {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("fault: flush: %d calls waiting: %w", len(r.queue), err)
		}
		r.cond.Wait()
	}
	return nil
}

// Close refuses new calls and closes the spool. Undelivered calls stay in
// the spool for the next NewAsyncReporter.
func (r *AsyncReporter) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	var errs []error
	if r.spool != nil {
		errs = append(errs, r.spool.Close(), r.ack.Close())
	}
	return errors.Join(errs...)
}
