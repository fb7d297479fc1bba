package fault

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/edgeflock/flock/fault/faultstore"
)

// alarm is an active alarm as the manager keeps it: the stored record
// (derived fields zero), its raise order and its entity's first
// component. Once indexed it is never changed: an update indexes a new
// one, so readers may hold it after they unlock.
type alarm struct {
	Alarm
	seq int64
	top string
}

type alarmKey struct{ id, eid string }

func keyOf(a *Alarm) alarmKey { return alarmKey{a.AlarmID, a.EntityInstanceID} }

// set is a set of alarms, for the indexes by alarm id and by entity.
type set map[*alarm]struct{}

// state is the committed state: what the store holds, indexed. Only the
// committer changes it, under Manager.mu, and only with changes the store
// has made durable.
type state struct {
	byKey  map[alarmKey]*alarm
	byUUID map[string]*alarm
	byID   map[string]set // by alarm id: a few dozen, some very large
	// byTop is by the entity's first component ("host=compute-7"): many
	// small entries, kept as slices (a map each would cost four times the
	// memory); apply removes from them a batch at a time.
	byTop      map[string][]*alarm
	inhibitors set
	alarmSeq   int64                   // the highest alarm seq in use
	events     ring                    // the event log
	eventSeq   int64                   // the newest event's seq
	supp       map[string]*Suppression // by alarm id
	suppByUUID map[string]*Suppression
}

// newState builds the state from a snapshot, with a suppression entry for
// every alarm id of the catalog; seeds are the ops that store the entries
// the snapshot lacked.
func newState(snap *faultstore.Snapshot, cat *Catalog, logSize int) (st *state, seeds []faultstore.Op, err error) {
	st = &state{
		byKey:      make(map[alarmKey]*alarm, len(snap.Alarms)),
		byUUID:     make(map[string]*alarm, len(snap.Alarms)),
		byID:       map[string]set{},
		byTop:      map[string][]*alarm{},
		inhibitors: set{},
		events:     ring{size: logSize},
		supp:       map[string]*Suppression{},
		suppByUUID: map[string]*Suppression{},
	}
	for _, r := range snap.Alarms {
		a := &alarm{seq: r.Seq}
		if err := json.Unmarshal(r.Body, &a.Alarm); err != nil {
			return nil, nil, fmt.Errorf("alarm record %d: %w", r.Seq, err)
		}
		st.index(a)
		st.alarmSeq = max(st.alarmSeq, r.Seq)
	}
	for _, r := range snap.Events[max(0, len(snap.Events)-logSize):] {
		var e Event
		if err := json.Unmarshal(r.Body, &e); err != nil {
			return nil, nil, fmt.Errorf("event record %d: %w", r.Seq, err)
		}
		e.Seq = r.Seq
		st.events.push(e)
	}
	if n := len(snap.Events); n > 0 {
		st.eventSeq = snap.Events[n-1].Seq
	}
	stored := make(map[string]faultstore.Suppression, len(snap.Suppressions))
	for _, s := range snap.Suppressions {
		stored[s.AlarmID] = s
	}
	for _, id := range cat.ids {
		d := cat.defs[id]
		if d.Kind != KindAlarm {
			continue
		}
		s := &Suppression{AlarmID: id, Description: truncate(d.Description, 250),
			SuppressionStatus: Unsuppressed, MgmtAffecting: d.MgmtAffecting, DegradeAffecting: d.DegradeAffecting}
		if r, ok := stored[id]; ok && SuppressionStatus(r.Status).Valid() {
			s.UUID, s.SuppressionStatus = r.UUID, SuppressionStatus(r.Status)
		} else {
			s.UUID = newUUID()
			seeds = append(seeds, faultstore.Op{Kind: faultstore.PutSuppression,
				Suppression: faultstore.Suppression{AlarmID: id, UUID: s.UUID, Status: string(Unsuppressed)}})
		}
		st.supp[id] = s
		st.suppByUUID[s.UUID] = s
	}
	return st, seeds, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + " ..."
}

func (st *state) index(a *alarm) {
	a.top = entityTop(a.EntityInstanceID)
	st.byKey[keyOf(&a.Alarm)] = a
	st.byUUID[a.UUID] = a
	add(st.byID, a.AlarmID, a)
	st.byTop[a.top] = append(st.byTop[a.top], a)
	if a.InhibitAlarms {
		st.inhibitors[a] = struct{}{}
	}
}

// unindex removes a from every index but byTop, which the caller cleans
// (dropTops).
func (st *state) unindex(a *alarm) {
	if st.byKey[keyOf(&a.Alarm)] == a {
		delete(st.byKey, keyOf(&a.Alarm))
	}
	// Another alarm of the same batch may have taken the uuid.
	if st.byUUID[a.UUID] == a {
		delete(st.byUUID, a.UUID)
	}
	remove(st.byID, a.AlarmID, a)
	delete(st.inhibitors, a)
}

// dropTops removes gone from byTop, one pass over each entry they are in.
func (st *state) dropTops(gone set) {
	tops := map[string]bool{}
	for a := range gone {
		tops[a.top] = true
	}
	for top := range tops {
		rest := slices.DeleteFunc(st.byTop[top], func(a *alarm) bool { _, ok := gone[a]; return ok })
		if len(rest) == 0 {
			delete(st.byTop, top)
		} else {
			st.byTop[top] = rest
		}
	}
}

func add(idx map[string]set, k string, a *alarm) {
	s := idx[k]
	if s == nil {
		s = set{}
		idx[k] = s
	}
	s[a] = struct{}{}
}

func remove(idx map[string]set, k string, a *alarm) {
	if s := idx[k]; s != nil {
		delete(s, a)
		if len(s) == 0 {
			delete(idx, k)
		}
	}
}

// apply makes a committed batch visible.
func (st *state) apply(tx *txn) {
	gone := set{}
	for key := range tx.alarms {
		if old := st.byKey[key]; old != nil {
			st.unindex(old)
			gone[old] = struct{}{}
		}
	}
	st.dropTops(gone)
	for _, a := range tx.alarms {
		if a != nil {
			st.index(a)
		}
	}
	st.alarmSeq = tx.alarmSeq
	for _, e := range tx.events {
		st.events.push(e)
	}
	st.eventSeq = tx.eventSeq
	for id, status := range tx.supp {
		st.supp[id].SuppressionStatus = status
	}
}

func (st *state) suppressed(alarmID string) bool {
	s := st.supp[alarmID]
	return s != nil && s.SuppressionStatus == Suppressed
}

// ring is the event log: it grows to size records, then each push
// overwrites the oldest.
type ring struct {
	buf   []Event
	start int // index of the oldest record once full
	size  int
}

func (r *ring) push(e Event) {
	if len(r.buf) < r.size {
		r.buf = append(r.buf, e)
		return
	}
	r.buf[r.start] = e
	r.start = (r.start + 1) % len(r.buf)
}

func (r *ring) len() int { return len(r.buf) }

// at returns record i, 0 being the oldest.
func (r *ring) at(i int) *Event { return &r.buf[(r.start+i)%len(r.buf)] }
