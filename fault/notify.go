package fault

import (
	"context"
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

// dispatcher delivers notifications to the notifiers in order, from one
// goroutine that Manager.Close stops.
type dispatcher struct {
	notifiers []Notifier
	retries   int
	delay     time.Duration
	log       *slog.Logger
	met       *metrics
	queue     chan Notification
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	// ctx bounds every delivery; it is cancelled when Close's deadline
	// passes, so that the goroutine never outlives the manager.
	ctx    context.Context
	cancel context.CancelFunc
}

func newDispatcher(o *Options, log *slog.Logger, met *metrics) *dispatcher {
	d := &dispatcher{notifiers: o.Notifiers, retries: o.NotifyRetries, delay: o.SuppressionNotifyDelay,
		log: log, met: met, stop: make(chan struct{}), done: make(chan struct{})}
	d.ctx, d.cancel = context.WithCancel(context.Background())
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
	d.queue = make(chan Notification, size)
	go d.run()
	return d
}

// enqueue never blocks: a full queue drops the notification.
func (d *dispatcher) enqueue(n Notification) {
	select {
	case d.queue <- n:
	default:
		d.met.notifyDropped.Inc()
		d.log.Warn("fault: notification queue full; dropped", "kind", n.Kind.String(), "alarm_id", n.Alarm.AlarmID)
	}
}

func (d *dispatcher) run() {
	defer close(d.done)
	ctx := d.ctx
	var timer <-chan time.Time
	for {
		select {
		case n := <-d.queue:
			if n.Kind == NotifySuppressionChanged {
				if timer == nil {
					timer = time.After(d.delay)
				}
				continue
			}
			d.deliver(ctx, n)
		case <-timer:
			timer = nil
			d.deliver(ctx, Notification{Kind: NotifySuppressionChanged})
		case <-d.stop:
			for {
				select {
				case n := <-d.queue:
					if n.Kind == NotifySuppressionChanged {
						timer = time.After(0)
						continue
					}
					d.deliver(ctx, n)
				default:
					if timer != nil {
						d.deliver(ctx, Notification{Kind: NotifySuppressionChanged})
					}
					return
				}
			}
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
			if attempt >= d.retries {
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

// close delivers what is queued, with retries, until ctx ends; then it
// abandons the rest and waits for the goroutine to stop.
func (d *dispatcher) close(ctx context.Context) {
	d.closeOnce.Do(func() { close(d.stop) })
	select {
	case <-d.done:
	case <-ctx.Done():
		d.cancel()
		<-d.done
	}
	d.cancel()
}
