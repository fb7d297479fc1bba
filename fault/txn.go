package fault

import (
	"encoding/json"
	"iter"
	"maps"
	"time"

	"github.com/edgeflock/flock/fault/faultstore"
)

// txn is one batch of writes being prepared: the changes of the writes
// taken so far, over the committed state, which nobody else sees until
// the store has made them durable (state.apply). The committer prepares
// one batch at a time, so a txn is used by one goroutine and reads the
// committed state without a lock (only the committer changes it).
type txn struct {
	st   *state
	size int // the event log's size
	now  time.Time
	// notifying: the manager has notifiers; without them no notification
	// is made (nor its alarm decorated).
	notifying bool
	// alarms holds the alarms this batch changed, by key: the new record,
	// or nil for one cleared. uuids likewise by uuid.
	alarms   map[alarmKey]*alarm
	uuids    map[string]*alarm
	supp     map[string]SuppressionStatus
	alarmSeq int64
	eventSeq int64
	events   []Event
	ops      []faultstore.Op
	notes    []Notification
	sets     int
	clears   int
	err      error // an encoding failure: fails the whole batch
}

func newTxn(st *state, size int, now time.Time, notifying bool) *txn {
	return &txn{st: st, size: size, now: now, notifying: notifying,
		alarms: map[alarmKey]*alarm{}, uuids: map[string]*alarm{}, supp: map[string]SuppressionStatus{},
		alarmSeq: st.alarmSeq, eventSeq: st.eventSeq}
}

// get returns the active alarm with key k, as of this batch.
func (tx *txn) get(k alarmKey) *alarm {
	if a, ok := tx.alarms[k]; ok {
		return a
	}
	return tx.st.byKey[k]
}

// byUUID returns the active alarm with uuid u, as of this batch.
func (tx *txn) byUUID(u string) *alarm {
	if a, ok := tx.uuids[u]; ok {
		return a
	}
	a := tx.st.byUUID[u]
	if a != nil && tx.get(keyOf(&a.Alarm)) != a {
		return nil // replaced or cleared in this batch
	}
	return a
}

// matching returns the active alarms, as of this batch, among committed
// (an index entry) and those this batch added, that keep says to.
func (tx *txn) matching(committed iter.Seq[*alarm], keep func(*alarm) bool) []*alarm {
	var out []*alarm
	for a := range committed {
		if _, changed := tx.alarms[keyOf(&a.Alarm)]; !changed && keep(a) {
			out = append(out, a)
		}
	}
	for _, a := range tx.alarms {
		if a != nil && keep(a) {
			out = append(out, a)
		}
	}
	return out
}

func (tx *txn) suppressed(alarmID string) bool {
	if s, ok := tx.supp[alarmID]; ok {
		return s == Suppressed
	}
	return tx.st.suppressed(alarmID)
}

// put makes a the active alarm of its key.
func (tx *txn) put(a *alarm) {
	k := keyOf(&a.Alarm)
	if old := tx.get(k); old != nil && old.UUID != a.UUID {
		tx.uuids[old.UUID] = nil
	}
	tx.alarms[k] = a
	tx.uuids[a.UUID] = a
	tx.ops = append(tx.ops, faultstore.Op{Kind: faultstore.PutAlarm, Seq: a.seq, Body: tx.encode(&a.Alarm)})
}

// del clears a.
func (tx *txn) del(a *alarm) {
	tx.alarms[keyOf(&a.Alarm)] = nil
	tx.uuids[a.UUID] = nil
	tx.ops = append(tx.ops, faultstore.Op{Kind: faultstore.DeleteAlarm, Seq: a.seq})
}

// event appends e to the event log.
func (tx *txn) event(e Event) {
	tx.eventSeq++
	e.Seq = tx.eventSeq
	tx.events = append(tx.events, e)
	tx.ops = append(tx.ops, faultstore.Op{Kind: faultstore.PutEvent, Seq: e.Seq, Body: tx.encode(&e)})
}

func (tx *txn) encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil && tx.err == nil {
		tx.err = err
	}
	return b
}

// notify queues n for the notifiers, once the batch is durable, unless
// the operator suppressed its alarm id.
func (tx *txn) notify(kind NotificationKind, a Alarm) {
	if !tx.notifying {
		return
	}
	if kind != NotifyHierarchicalClear && kind != NotifySuppressionChanged && tx.suppressed(a.AlarmID) {
		return
	}
	if kind == NotifySet || kind == NotifyClear {
		tx.decorate(&a)
	}
	tx.notes = append(tx.notes, Notification{Kind: kind, Alarm: a})
}

// decorate fills a's derived fields as of this batch.
func (tx *txn) decorate(a *Alarm) {
	mgmt, degrade := thresholds(tx.st, a.AlarmID)
	a.SuppressionStatus = Unsuppressed
	if tx.suppressed(a.AlarmID) {
		a.SuppressionStatus = Suppressed
	}
	a.MgmtAffecting = a.Severity >= mgmt
	a.DegradeAffecting = a.Severity >= degrade
	a.Masked = false
	if a.Suppression {
		for _, i := range tx.matching(maps.Keys(tx.st.inhibitors), func(i *alarm) bool { return i.InhibitAlarms }) {
			if i.UUID != a.UUID && MatchEntity(i.EntityInstanceID, a.EntityInstanceID) {
				a.Masked = true
				break
			}
		}
	}
}

// finish returns the batch's ops, with the trim that keeps the stored
// event log at its size.
func (tx *txn) finish() []faultstore.Op {
	if len(tx.events) > 0 && tx.eventSeq > int64(tx.size) {
		tx.ops = append(tx.ops, faultstore.Op{Kind: faultstore.TrimEvents, Seq: tx.eventSeq - int64(tx.size)})
	}
	return tx.ops
}

// eventFor makes the event record of a change to a.
func eventFor(a *Alarm, st State, ts time.Time) Event {
	return Event{
		UUID: newUUID(), EventLogID: a.AlarmID, State: st, EntityTypeID: a.EntityTypeID,
		EntityInstanceID: a.EntityInstanceID, Timestamp: ts, Severity: a.Severity, ReasonText: a.ReasonText,
		EventLogType: a.AlarmType, ProbableCause: a.ProbableCause, ProposedRepairAction: a.ProposedRepairAction,
		ServiceAffecting: a.ServiceAffecting, Suppression: a.Suppression, AlarmUUID: a.UUID,
	}
}

func suppressionOp(s *Suppression, status SuppressionStatus) faultstore.Op {
	return faultstore.Op{Kind: faultstore.PutSuppression,
		Suppression: faultstore.Suppression{AlarmID: s.AlarmID, UUID: s.UUID, Status: string(status)}}
}
