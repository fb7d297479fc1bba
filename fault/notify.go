package fault

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// NotificationKind says what a Notification reports.
type NotificationKind int

// Notification kinds, matching the SNMP notifications of StarlingX's
// WRS-ALARM-MIB.
const (
	// NotifySet: an alarm was raised or updated (a trap per severity).
	NotifySet NotificationKind = iota + 1
	// NotifyClear: one alarm was cleared.
	NotifyClear
	// NotifyHierarchicalClear: every alarm below Alarm.EntityInstanceID
	// was cleared at once.
	NotifyHierarchicalClear
	// NotifyLog: a log or customer message was recorded.
	NotifyLog
	// NotifySuppressionChanged: the suppression table changed; managers
	// should re-read it (SNMP warmStart). Batched over
	// Options.SuppressionNotifyDelay.
	NotifySuppressionChanged
)

var notifyNames = []string{"", "set", "clear", "hierarchical-clear", "log", "suppression-changed"}

// String returns the kind's name.
func (k NotificationKind) String() string { return enumString(notifyNames, int(k), "notification") }

// Notification is what a Notifier is told. Alarm carries the alarm (for
// set and clear), the log (for log), or only EntityInstanceID, Timestamp
// and ReasonText (for a hierarchical clear).
type Notification struct {
	Kind  NotificationKind `json:"kind"`
	Alarm Alarm            `json:"alarm"`
}

// Notifier is an engine that forwards notifications outside: SNMP traps
// (fault/snmptrap), webhooks (fault/webhook). The manager decides what to
// send (nothing for suppressed ids), retries failures and batches
// suppression changes; a Notifier only delivers one notification.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// dispatcher queues the notifications of committed writes; Manager.Run
// delivers them, in order, and Manager.Close delivers what is left.
type dispatcher struct {
	notifiers []Notifier
	retries   int
	delay     time.Duration
	log       *slog.Logger
	met       *metrics
	queue     chan Notification // nil without notifiers

	mu      sync.Mutex
	running bool
	// warm is set while a suppression change waits for its batched
	// notification (Options.SuppressionNotifyDelay).
	warm bool
}

func newDispatcher(o *Options, log *slog.Logger, met *metrics) *dispatcher {
	d := &dispatcher{notifiers: o.Notifiers, retries: o.NotifyRetries, delay: o.SuppressionNotifyDelay, log: log, met: met}
	if d.retries == 0 {
		d.retries = 3
	}
	if d.delay == 0 {
		d.delay = 30 * time.Second
	}
	size := o.NotifyQueue
	if size <= 0 {
		size = 10000
	}
	if len(d.notifiers) > 0 {
		d.queue = make(chan Notification, size)
	}
	return d
}

// enqueue never blocks: a full queue drops the notification.
func (d *dispatcher) enqueue(n Notification) {
	if d.queue == nil {
		return
	}
	select {
	case d.queue <- n:
	default:
		d.met.notifyDropped.Inc()
		d.log.Warn("fault: notification queue full; dropped", "kind", n.Kind.String(), "alarm_id", n.Alarm.AlarmID)
	}
}

// Run delivers notifications to Options.Notifiers until ctx ends, then
// returns nil; what is still queued then is delivered by Close. Without
// notifiers it only waits for ctx. A manager with notifiers must be Run:
// without it the queue fills and notifications are dropped (and counted).
// Run may be called once at a time.
func (m *Manager) Run(ctx context.Context) error {
	d := m.disp
	d.mu.Lock()
	if d.running {
		d.mu.Unlock()
		return errors.New("fault: Run is already running")
	}
	d.running = true
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.running = false
		d.mu.Unlock()
	}()
	var timer <-chan time.Time
	if d.warm {
		timer = time.After(d.delay)
	}
	for {
		select {
		case n := <-d.queue:
			if n.Kind == NotifySuppressionChanged {
				if !d.warm {
					d.warm = true
					timer = time.After(d.delay)
				}
				continue
			}
			d.deliver(ctx, n)
		case <-timer:
			timer = nil
			d.warm = false
			d.deliver(ctx, Notification{Kind: NotifySuppressionChanged})
		case <-ctx.Done():
			return nil
		}
	}
}

// drain delivers what is queued, a pending suppression change at once,
// until ctx ends.
func (d *dispatcher) drain(ctx context.Context) {
	for {
		select {
		case n := <-d.queue:
			if n.Kind == NotifySuppressionChanged {
				d.warm = true
				continue
			}
			d.deliver(ctx, n)
		default:
			if d.warm {
				d.warm = false
				d.deliver(ctx, Notification{Kind: NotifySuppressionChanged})
			}
			return
		}
		if ctx.Err() != nil {
			return
		}
	}
}

func (d *dispatcher) deliver(ctx context.Context, n Notification) {
	for _, nt := range d.notifiers {
		backoff := 100 * time.Millisecond
		for attempt := 0; ; attempt++ {
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := nt.Notify(cctx, n)
			cancel()
			if err == nil {
				d.met.notified.Inc()
				break
			}
			// A notifier says ErrInvalid when trying again cannot help.
			if attempt >= d.retries || ctx.Err() != nil || errors.Is(err, ErrInvalid) {
				d.met.notifyErrors.Inc()
				d.log.Error("fault: notification failed", "kind", n.Kind.String(), "alarm_id", n.Alarm.AlarmID, "err", err)
				break
			}
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				d.met.notifyErrors.Inc()
				return
			}
			backoff *= 2
		}
	}
}
