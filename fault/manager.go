package fault

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"time"
	"unique"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultEventLogSize is the number of event log records kept, as in
// StarlingX's packaged fm.conf.
const DefaultEventLogSize = 4000

// Options configure a Manager. The zero value (or nil) means defaults; the
// struct is what a daemon's config file unmarshals into.
type Options struct {
	// Catalog of alarm and log definitions; nil means DefaultCatalog().
	Catalog *Catalog `yaml:"-" json:"-"`
	// NoCatalogCheck accepts ids the catalog does not define and any
	// severity. Thresholds of unknown ids default to warning (management)
	// and none (degrade).
	NoCatalogCheck bool `yaml:"no_catalog_check" json:"no_catalog_check"`
	// EventLogSize is how many event log records are kept (default 4000).
	EventLogSize int `yaml:"event_log_size" json:"event_log_size"`
	// Notifiers are told of every set, clear and log of an unsuppressed id,
	// and (batched) of suppression changes.
	Notifiers []Notifier `yaml:"-" json:"-"`
	// NotifyQueue bounds the notifications waiting for delivery (default
	// 10,000). When full, new notifications are dropped and counted.
	NotifyQueue int `yaml:"notify_queue" json:"notify_queue"`
	// NotifyRetries is how many times a failed notification is retried
	// (default 3), with backoff from 100 ms.
	NotifyRetries int `yaml:"notify_retries" json:"notify_retries"`
	// SuppressionNotifyDelay batches suppression changes into one
	// notification (default 30 s, as StarlingX batches its warmStart trap).
	SuppressionNotifyDelay time.Duration `yaml:"suppression_notify_delay" json:"suppression_notify_delay"`
	// Logger receives the manager's logs; nil discards them.
	Logger *slog.Logger `yaml:"-" json:"-"`
	// Registerer, if set, receives the manager's Prometheus metrics.
	Registerer prometheus.Registerer `yaml:"-" json:"-"`
	// Now returns the current time; nil means time.Now.
	Now func() time.Time `yaml:"-" json:"-"`
}

// Manager is the in-process fault service: it enforces StarlingX's alarm
// semantics over a Store. It is safe for concurrent use.
type Manager struct {
	store  Store
	cat    *Catalog
	opts   Options
	log    *slog.Logger
	now    func() time.Time
	commit *committer
	disp   *dispatcher
	met    *metrics

	mu         sync.RWMutex
	closed     bool
	broken     bool // a commit failed: state must be reloaded from the store
	byUUID     map[string]*rec
	byKey      map[alarmKey]*rec
	byID       map[string]recSet
	byTop      map[string]recSet
	inhibitors map[*rec]struct{}
	order      []*rec // by Seq; nil where an alarm was cleared (compacted lazily)
	holes      int    // nil entries in order
	alarmSeq   int64
	events     ring // the event log, at most EventLogSize records
	eventSeq   int64
	supp       map[string]*Suppression
	suppByUUID map[string]*Suppression
}

// rec is an active alarm's place in the indexes. An overwrite or an ack
// swaps its record for a new one and leaves the rec where it is: only the
// uuid index changes, not the sets of the alarm id and the entity (which
// for an id raised on every host is a map of 100,000). Records themselves
// are never changed once indexed, so ops share them with the store.
type rec struct {
	*StoredAlarm
	top string
}

var _ Service = (*Manager)(nil)

// Open loads the state from store and returns a Manager over it. The
// Manager owns store from then on and closes it in Close.
func Open(ctx context.Context, store Store, opts *Options) (*Manager, error) {
	if store == nil {
		return nil, fmt.Errorf("fault.Open: %w: nil store", ErrInvalid)
	}
	m := &Manager{store: store}
	if opts != nil {
		m.opts = *opts
	}
	if m.opts.EventLogSize < 0 {
		return nil, fieldErr("event_log_size", "must not be negative")
	}
	if m.opts.EventLogSize == 0 {
		m.opts.EventLogSize = DefaultEventLogSize
	}
	m.cat = m.opts.Catalog
	if m.cat == nil {
		m.cat = DefaultCatalog()
	}
	m.log = m.opts.Logger
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	m.now = m.opts.Now
	if m.now == nil {
		m.now = time.Now
	}
	m.commit = newCommitter(store)
	m.met = newMetrics(m, m.opts.Registerer)
	m.commit.onBatch = m.met.observeCommit
	if err := m.load(ctx); err != nil {
		return nil, err
	}
	if len(m.opts.Notifiers) > 0 {
		m.disp = newDispatcher(&m.opts, m.log, m.met)
	}
	return m, nil
}

// Close stops notification delivery (delivering what is queued, within
// ctx) and closes the store.
func (m *Manager) Close(ctx context.Context) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	m.commit.reset()
	if m.disp != nil {
		m.disp.close(ctx)
	}
	m.met.unregister()
	return m.store.Close()
}

// Flush waits until the store has written every acknowledged change
// through to its database. A journaling store (faultwal) acknowledges a
// write once it is in the journal and applies it to SQLite or PostgreSQL
// in batches; Flush returns when the database holds all of them, for
// example before a copy of the database file is taken. Stores that write
// through (every other store Flock ships) return at once. A store joins
// in by having a Flush(context.Context) error method.
func (m *Manager) Flush(ctx context.Context) error {
	if f, ok := m.store.(interface{ Flush(context.Context) error }); ok {
		return f.Flush(ctx)
	}
	return nil
}

// stamp returns the current time in UTC at the microsecond precision
// that StarlingX (and Flock's stores) keep.
func (m *Manager) stamp() time.Time { return m.now().UTC().Truncate(time.Microsecond) }

// Catalog returns the catalog the manager checks against.
func (m *Manager) Catalog() *Catalog { return m.cat }

// load (re)builds the in-memory state from the store. Caller holds m.mu
// for writing, or is Open.
func (m *Manager) load(ctx context.Context) error {
	snap, err := m.store.Load(ctx)
	if err != nil {
		return fmt.Errorf("fault: load store: %w: %w", ErrUnavailable, err)
	}
	m.byUUID = make(map[string]*rec, len(snap.Alarms))
	m.byKey = make(map[alarmKey]*rec, len(snap.Alarms))
	m.byID = map[string]recSet{}
	m.byTop = map[string]recSet{}
	m.inhibitors = map[*rec]struct{}{}
	m.order, m.holes = make([]*rec, 0, len(snap.Alarms)), 0
	m.alarmSeq = 0
	slices.SortFunc(snap.Alarms, func(a, b StoredAlarm) int { return cmpInt(a.Seq, b.Seq) })
	for _, sa := range snap.Alarms {
		r := &rec{StoredAlarm: &sa}
		m.index(r)
		m.order = append(m.order, r)
		m.alarmSeq = max(m.alarmSeq, sa.Seq)
	}
	m.events = ring{size: m.opts.EventLogSize}
	for _, e := range snap.Events[max(0, len(snap.Events)-m.opts.EventLogSize):] {
		m.events.push(e)
	}
	m.eventSeq = 0
	if n := len(snap.Events); n > 0 {
		m.eventSeq = snap.Events[n-1].Seq
	}
	stored := map[string]SuppressionRecord{}
	for _, s := range snap.Suppressions {
		stored[s.AlarmID] = s
	}
	m.supp = map[string]*Suppression{}
	m.suppByUUID = map[string]*Suppression{}
	var ops []Op
	for _, id := range m.cat.ids {
		d := m.cat.defs[id]
		if d.Kind != KindAlarm {
			continue
		}
		s := &Suppression{AlarmID: id, Description: truncate(d.Description, 250),
			SuppressionStatus: Unsuppressed, MgmtAffecting: d.MgmtAffecting, DegradeAffecting: d.DegradeAffecting}
		if r, ok := stored[id]; ok {
			s.UUID, s.SuppressionStatus = r.UUID, r.Status
		} else {
			s.UUID = newUUID()
			ops = append(ops, Op{Kind: OpPutSuppression, Suppression: &SuppressionRecord{AlarmID: id, UUID: s.UUID, Status: Unsuppressed}})
		}
		m.supp[id] = s
		m.suppByUUID[s.UUID] = s
	}
	if len(ops) > 0 {
		if err := m.store.Commit(ctx, ops); err != nil {
			return fmt.Errorf("fault: seed suppression table: %w: %w", ErrUnavailable, err)
		}
	}
	m.broken = false
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + " ..."
}

// intern makes r share one copy of the strings that repeat across alarms
// (ids, types, texts): 100,000 alarms of a few dozen kinds then cost the
// heap and the garbage collector a fraction of the memory.
func intern(r *StoredAlarm) {
	r.AlarmID = unique.Make(r.AlarmID).Value()
	r.EntityTypeID = unique.Make(r.EntityTypeID).Value()
	r.ReasonText = unique.Make(r.ReasonText).Value()
	r.ProposedRepairAction = unique.Make(r.ProposedRepairAction).Value()
}

// internLike is intern for a record that replaces old: a string equal to
// old's takes old's (already interned) copy, which costs a compare instead
// of a lookup in the unique package's map. The alarm id and entity are the
// key, equal to old's: r takes old's copies, which the indexes hold too,
// so that an overwrite does not keep a second copy of the entity.
func internLike(r, old *StoredAlarm) {
	r.AlarmID = old.AlarmID
	r.EntityInstanceID = old.EntityInstanceID
	r.EntityTypeID = sameOrUnique(r.EntityTypeID, old.EntityTypeID)
	r.ReasonText = sameOrUnique(r.ReasonText, old.ReasonText)
	r.ProposedRepairAction = sameOrUnique(r.ProposedRepairAction, old.ProposedRepairAction)
}

func sameOrUnique(s, interned string) string {
	if s == interned {
		return interned
	}
	return unique.Make(s).Value()
}

func (m *Manager) index(r *rec) {
	intern(r.StoredAlarm)
	r.top = entityTop(r.EntityInstanceID)
	m.byUUID[r.UUID] = r
	m.byKey[keyOf(&r.Alarm)] = r
	addTo(m.byID, r.AlarmID, r)
	addTo(m.byTop, r.top, r)
	if r.InhibitAlarms {
		m.inhibitors[r] = struct{}{}
	}
}

// orderIndex finds the live entry of seq in m.order.
func (m *Manager) orderIndex(seq int64) (int, bool) {
	i, found := slices.BinarySearchFunc(m.order, seq, func(r *rec, seq int64) int {
		if r == nil {
			return -1 // holes are skipped by a linear step below
		}
		return cmpInt(r.Seq, seq)
	})
	// A hole breaks the binary search's order; look around it.
	if !found {
		for j := i; j < len(m.order) && (m.order[j] == nil || m.order[j].Seq <= seq); j++ {
			if m.order[j] != nil && m.order[j].Seq == seq {
				return j, true
			}
		}
		for j := i - 1; j >= 0 && (m.order[j] == nil || m.order[j].Seq >= seq); j-- {
			if m.order[j] != nil && m.order[j].Seq == seq {
				return j, true
			}
		}
	}
	return i, found
}

// removeFromOrder leaves a hole where r was, compacting once holes abound.
func (m *Manager) removeFromOrder(r *rec) {
	if i, ok := m.orderIndex(r.Seq); ok && m.order[i] == r {
		m.order[i] = nil
		m.holes++
		if m.holes > 64 && m.holes > len(m.order)/4 {
			m.order = slices.DeleteFunc(m.order, func(r *rec) bool { return r == nil })
			m.holes = 0
		}
	}
}

func (m *Manager) unindex(r *rec) {
	delete(m.byUUID, r.UUID)
	delete(m.byKey, keyOf(&r.Alarm))
	removeFrom(m.byID, r.AlarmID, r)
	removeFrom(m.byTop, r.top, r)
	delete(m.inhibitors, r)
}

// overwrite gives r a new record, of the same alarm id and entity.
func (m *Manager) overwrite(r *rec, sa *StoredAlarm) {
	internLike(sa, r.StoredAlarm)
	if sa.UUID != r.UUID {
		delete(m.byUUID, r.UUID)
		m.byUUID[sa.UUID] = r
	}
	r.StoredAlarm = sa
	if sa.InhibitAlarms {
		m.inhibitors[r] = struct{}{}
	} else {
		delete(m.inhibitors, r)
	}
}

func addTo(idx map[string]recSet, k string, r *rec) {
	s := idx[k]
	s.add(r)
	idx[k] = s
}

func removeFrom(idx map[string]recSet, k string, r *rec) {
	s, ok := idx[k]
	if !ok {
		return
	}
	s.remove(r)
	if s.len() == 0 {
		delete(idx, k)
	} else {
		idx[k] = s
	}
}

// recSet is a set of records, kept by value in the indexes: one record
// inline, a slice while small, a map once large (an alarm id raised on
// every host). Most entities carry one alarm, and a set of one costs no
// allocation of its own: each object of 100,000 is work for every
// garbage collection.
type recSet struct {
	one   *rec // the only record, while small and big are nil
	small []*rec
	big   map[*rec]struct{}
}

const recSetSmall = 8

func (s *recSet) add(r *rec) {
	switch {
	case s.big != nil:
		s.big[r] = struct{}{}
	case s.small == nil && s.one == nil:
		s.one = r
	case s.small == nil:
		s.small = []*rec{s.one, r}
		s.one = nil
	case len(s.small) < recSetSmall:
		s.small = append(s.small, r)
	default:
		s.big = make(map[*rec]struct{}, 2*recSetSmall)
		for _, x := range s.small {
			s.big[x] = struct{}{}
		}
		s.big[r] = struct{}{}
		s.small = nil
	}
}

func (s *recSet) remove(r *rec) {
	switch {
	case s.big != nil:
		delete(s.big, r)
	case s.small == nil:
		if s.one == r {
			s.one = nil
		}
	default:
		for i, x := range s.small {
			if x == r {
				last := len(s.small) - 1
				s.small[i] = s.small[last]
				s.small[last] = nil
				s.small = s.small[:last]
				return
			}
		}
	}
}

func (s recSet) len() int {
	switch {
	case s.big != nil:
		return len(s.big)
	case s.small != nil:
		return len(s.small)
	case s.one != nil:
		return 1
	}
	return 0
}

// all iterates the set (for range over a function).
func (s recSet) all(yield func(*rec) bool) {
	switch {
	case s.big != nil:
		for r := range s.big {
			if !yield(r) {
				return
			}
		}
	case s.small != nil:
		for _, r := range s.small {
			if !yield(r) {
				return
			}
		}
	case s.one != nil:
		yield(s.one)
	}
}

// lockWrite takes the write lock, recovering from a failed commit by
// reloading the store. The caller must unlock.
func (m *Manager) lockWrite(ctx context.Context) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return ErrClosed
	}
	if m.broken || m.commit.err() != nil {
		m.commit.reset()
		if err := m.load(ctx); err != nil {
			m.broken = true
			m.mu.Unlock()
			return err
		}
	}
	return nil
}

// lockRead takes the read lock; the caller must RUnlock.
func (m *Manager) lockRead(ctx context.Context) error {
	m.mu.RLock()
	if !m.closed && !m.broken && m.commit.err() == nil {
		return nil
	}
	m.mu.RUnlock()
	if err := m.lockWrite(ctx); err != nil {
		return err
	}
	m.mu.Unlock()
	return m.lockRead(ctx)
}

// submit queues ops (with m.mu held for writing), unlocks, and waits until
// they are durable.
func (m *Manager) submit(ctx context.Context, ops []Op, notes []Notification) error {
	var after func()
	if m.disp != nil && len(notes) > 0 {
		after = func() {
			for _, n := range notes {
				m.disp.enqueue(n)
			}
		}
	}
	b, err := m.commit.enqueue(ops, after)
	m.mu.Unlock()
	if err == nil {
		err = m.commit.wait(ctx, b)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		m.log.Error("fault: store commit failed", "err", err)
		return fmt.Errorf("fault: commit: %w: %w", ErrUnavailable, err)
	}
	return nil
}

// check validates a against the catalog.
func (m *Manager) check(a *Alarm, kind Kind) error {
	if err := a.validate(); err != nil {
		return err
	}
	if m.opts.NoCatalogCheck {
		return nil
	}
	d, ok := m.cat.defs[a.AlarmID]
	if !ok {
		return fieldErr("alarm_id", "%s is not in the catalog", a.AlarmID)
	}
	if d.Kind != kind && !(a.State == StateMsg) {
		return fieldErr("alarm_id", "%s is a %s, not a %s", a.AlarmID, d.Kind, kind)
	}
	if !d.Allows(a.Severity) {
		return fieldErr("severity", "%s is not allowed for %s", a.Severity, a.AlarmID)
	}
	return nil
}

// SetAlarm raises or updates the alarm keyed by (AlarmID, EntityInstanceID)
// and returns its uuid. An existing alarm is overwritten, with a fresh uuid
// unless a.UUID is given, and a "set" event is recorded; with
// a.KeepExisting an existing alarm is left as it is. The acknowledgement
// of an existing alarm is kept unless the severity rises.
func (m *Manager) SetAlarm(ctx context.Context, a Alarm) (string, error) {
	if a.State != StateSet {
		return "", fieldErr("alarm_state", "SetAlarm needs state set, not %s", a.State)
	}
	if err := m.check(&a, KindAlarm); err != nil {
		return "", err
	}
	if err := m.lockWrite(ctx); err != nil {
		return "", err
	}
	old := m.byKey[keyOf(&a)]
	if old != nil && a.KeepExisting {
		u := old.UUID
		m.mu.Unlock()
		return u, nil
	}
	// A uuid of our own is random (122 bits): only one the caller gives
	// can belong to another alarm.
	if a.UUID == "" {
		a.UUID = newUUID()
	} else if other, ok := m.byUUID[a.UUID]; ok && other != old {
		m.mu.Unlock()
		return "", fmt.Errorf("fault: set %s: uuid %s belongs to another alarm: %w", a.AlarmID, a.UUID, ErrConflict)
	}
	a.KeepExisting = false
	a.Timestamp = m.stamp()
	a.Masked, a.MgmtAffecting, a.DegradeAffecting, a.SuppressionStatus = false, false, false, ""
	sa := &StoredAlarm{Alarm: a}
	r := old
	if old != nil {
		sa.Seq = old.Seq
		if old.Ack != nil && a.Severity <= old.Severity {
			sa.Ack = old.Ack
		}
		m.overwrite(r, sa)
	} else {
		m.alarmSeq++
		sa.Seq = m.alarmSeq
		r = &rec{StoredAlarm: sa}
		m.index(r)
		m.order = append(m.order, r)
	}
	ev := m.eventFor(&r.Alarm, StateSet, a.Timestamp)
	// Records are never changed once indexed (an ack replaces its record),
	// so the op can share it with the store.
	ops := m.appendEvent(append(make([]Op, 0, 3), Op{Kind: OpPutAlarm, Alarm: r.StoredAlarm}), ev)
	notes := m.notes(NotifySet, r.Alarm)
	m.met.sets.Inc()
	return r.UUID, m.submit(ctx, ops, notes)
}

// notes returns the notification for a, or none if its id is suppressed.
func (m *Manager) notes(kind NotificationKind, a Alarm) []Notification {
	if m.disp == nil || m.suppressed(a.AlarmID) {
		return nil
	}
	m.decorate(&a)
	return []Notification{{Kind: kind, Alarm: a}}
}

func (m *Manager) suppressed(alarmID string) bool {
	s := m.supp[alarmID]
	return s != nil && s.SuppressionStatus == Suppressed
}

// eventFor makes the event record of a change to a.
func (m *Manager) eventFor(a *Alarm, st State, ts time.Time) Event {
	return Event{
		UUID: newUUID(), EventLogID: a.AlarmID, State: st, EntityTypeID: a.EntityTypeID,
		EntityInstanceID: a.EntityInstanceID, Timestamp: ts, Severity: a.Severity, ReasonText: a.ReasonText,
		EventLogType: a.AlarmType, ProbableCause: a.ProbableCause, ProposedRepairAction: a.ProposedRepairAction,
		ServiceAffecting: a.ServiceAffecting, Suppression: a.Suppression, AlarmUUID: a.UUID,
	}
}

// appendEvent adds ev to the ring and appends the ops that persist it.
func (m *Manager) appendEvent(ops []Op, ev Event) []Op {
	m.eventSeq++
	ev.Seq = m.eventSeq
	ops = append(ops, Op{Kind: OpAppendEvent, Event: &ev})
	if evicted, ok := m.events.push(ev); ok {
		ops = append(ops, Op{Kind: OpTrimEvents, TrimSeq: evicted})
	}
	return ops
}

// ClearAlarm clears every alarm with alarmID at or below eidPrefix
// (whole-component prefix), recording one "clear" event for each.
func (m *Manager) ClearAlarm(ctx context.Context, alarmID, eidPrefix string) error {
	if !validAlarmID(alarmID) {
		return fieldErr("alarm_id", "%q is not GGG.EEE", alarmID)
	}
	if _, err := ParseEntity(eidPrefix); err != nil {
		return err
	}
	if err := m.lockWrite(ctx); err != nil {
		return err
	}
	var victims []*rec
	for r := range m.byID[alarmID].all {
		if MatchEntity(eidPrefix, r.EntityInstanceID) {
			victims = append(victims, r)
		}
	}
	if len(victims) == 0 {
		m.mu.Unlock()
		return fmt.Errorf("fault: clear %s %s: %w", alarmID, eidPrefix, ErrNotFound)
	}
	sort.Slice(victims, func(i, j int) bool { return victims[i].Seq < victims[j].Seq })
	ops, notes := m.clear(victims, true)
	return m.submit(ctx, ops, notes)
}

// clear removes victims and returns the ops (and notifications) that
// persist it; perAlarm records one clear event per alarm.
func (m *Manager) clear(victims []*rec, perAlarm bool) ([]Op, []Notification) {
	now := m.stamp()
	var ops []Op
	var notes []Notification
	for _, r := range victims {
		m.unindex(r)
		m.removeFromOrder(r)
		ops = append(ops, Op{Kind: OpDeleteAlarm, Alarm: r.StoredAlarm})
		if perAlarm {
			ev := m.eventFor(&r.Alarm, StateClear, now)
			ops = m.appendEvent(ops, ev)
			a := r.Alarm
			a.Timestamp = now
			notes = append(notes, m.notes(NotifyClear, a)...)
		}
	}
	m.met.clears.Add(float64(len(victims)))
	return ops, notes
}

// ClearAll clears every alarm at or below eidPrefix and records a single
// hierarchical-clear event. It returns the number cleared.
func (m *Manager) ClearAll(ctx context.Context, eidPrefix string) (int, error) {
	if _, err := ParseEntity(eidPrefix); err != nil {
		return 0, err
	}
	if err := m.lockWrite(ctx); err != nil {
		return 0, err
	}
	var victims []*rec
	for r := range m.byTop[entityTop(eidPrefix)].all {
		if MatchEntity(eidPrefix, r.EntityInstanceID) {
			victims = append(victims, r)
		}
	}
	if len(victims) == 0 {
		m.mu.Unlock()
		return 0, nil
	}
	sort.Slice(victims, func(i, j int) bool { return victims[i].Seq < victims[j].Seq })
	ops, _ := m.clear(victims, false)
	now := m.stamp()
	ev := Event{UUID: newUUID(), State: StateClear, EntityInstanceID: eidPrefix, Timestamp: now,
		Severity: SeverityClear, ReasonText: HierarchicalClearReason}
	ops = m.appendEvent(ops, ev)
	var notes []Notification
	if m.disp != nil {
		notes = []Notification{{Kind: NotifyHierarchicalClear, Alarm: Alarm{
			EntityInstanceID: eidPrefix, Timestamp: now, ReasonText: HierarchicalClearReason}}}
	}
	return len(victims), m.submit(ctx, ops, notes)
}

// Log records a log or customer message (state log or msg) in the event
// log and returns its uuid.
func (m *Manager) Log(ctx context.Context, a Alarm) (string, error) {
	if a.State != StateLog && a.State != StateMsg {
		return "", fieldErr("alarm_state", "Log needs state log or msg, not %s", a.State)
	}
	if err := m.check(&a, KindLog); err != nil {
		return "", err
	}
	if err := m.lockWrite(ctx); err != nil {
		return "", err
	}
	a.UUID = newUUID()
	a.Timestamp = m.stamp()
	ev := m.eventFor(&a, StateLog, a.Timestamp)
	ev.UUID, ev.AlarmUUID = a.UUID, ""
	ops := m.appendEvent(nil, ev)
	var notes []Notification
	if m.disp != nil && !m.suppressed(a.AlarmID) {
		notes = []Notification{{Kind: NotifyLog, Alarm: a}}
	}
	return a.UUID, m.submit(ctx, ops, notes)
}

// decorate fills the derived fields of a copy of an active alarm.
func (m *Manager) decorate(a *Alarm) {
	mgmt, degrade := SeverityWarning, SeverityNone
	a.SuppressionStatus = Unsuppressed
	if s := m.supp[a.AlarmID]; s != nil {
		mgmt, degrade, a.SuppressionStatus = s.MgmtAffecting, s.DegradeAffecting, s.SuppressionStatus
	}
	a.MgmtAffecting = a.Severity >= mgmt
	a.DegradeAffecting = a.Severity >= degrade
	a.Masked = m.masked(a)
	if a.Ack != nil {
		ack := *a.Ack
		a.Ack = &ack
	}
}

// masked reports whether an active inhibiting alarm above a covers it.
// StarlingX only masks the alarms present when the inhibitor is raised;
// Flock derives masking, so an alarm raised under an inhibitor is masked too.
func (m *Manager) masked(a *Alarm) bool {
	if !a.Suppression {
		return false
	}
	for i := range m.inhibitors {
		if i.UUID != a.UUID && MatchEntity(i.EntityInstanceID, a.EntityInstanceID) {
			return true
		}
	}
	return false
}

// visible reports whether a (decorated) alarm shows in lists.
func visible(a *Alarm, includeSuppressed, includeMasked bool) bool {
	return (includeMasked || !a.Masked) && (includeSuppressed || a.SuppressionStatus != Suppressed)
}

// GetAlarm returns an active alarm by uuid. A masked alarm is not found,
// as in StarlingX; an operator-suppressed one is.
func (m *Manager) GetAlarm(ctx context.Context, uuid string) (Alarm, error) {
	if err := m.lockRead(ctx); err != nil {
		return Alarm{}, err
	}
	defer m.mu.RUnlock()
	r, ok := m.byUUID[uuid]
	if !ok {
		return Alarm{}, fmt.Errorf("fault: alarm %s: %w", uuid, ErrNotFound)
	}
	a := r.Alarm
	m.decorate(&a)
	if a.Masked {
		return Alarm{}, fmt.Errorf("fault: alarm %s is masked: %w", uuid, ErrNotFound)
	}
	return a, nil
}

// sortKeys maps AlarmQuery.SortKey to a less function over records.
var sortKeys = map[string]func(a, b *rec) int{
	"id":                 func(a, b *rec) int { return cmpInt(a.Seq, b.Seq) },
	"timestamp":          func(a, b *rec) int { return cmpTime(a.Timestamp, b.Timestamp, a.Seq, b.Seq) },
	"severity":           func(a, b *rec) int { return cmpThen(int64(a.Severity), int64(b.Severity), a.Seq, b.Seq) },
	"alarm_id":           func(a, b *rec) int { return cmpStr(a.AlarmID, b.AlarmID, a.Seq, b.Seq) },
	"entity_instance_id": func(a, b *rec) int { return cmpStr(a.EntityInstanceID, b.EntityInstanceID, a.Seq, b.Seq) },
	"uuid":               func(a, b *rec) int { return cmpStr(a.UUID, b.UUID, a.Seq, b.Seq) },
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
func cmpThen(a, b, sa, sb int64) int {
	if c := cmpInt(a, b); c != 0 {
		return c
	}
	return cmpInt(sa, sb)
}
func cmpStr(a, b string, sa, sb int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return cmpInt(sa, sb)
}
func cmpTime(a, b time.Time, sa, sb int64) int {
	if c := a.Compare(b); c != 0 {
		return c
	}
	return cmpInt(sa, sb)
}

// validateQuery checks q's fields.
func (q *AlarmQuery) validate() error {
	if q.AlarmID != "" && !validAlarmID(q.AlarmID) {
		return fieldErr("alarm_id", "%q is not GGG.EEE", q.AlarmID)
	}
	if q.EntityPrefix != "" {
		if _, err := ParseEntity(q.EntityPrefix); err != nil {
			return err
		}
	}
	if !q.Severity.Valid() {
		return fieldErr("severity", "unknown severity %d", int(q.Severity))
	}
	if q.SortKey != "" && sortKeys[q.SortKey] == nil {
		return fieldErr("sort_key", "unknown sort key %q", q.SortKey)
	}
	if q.Limit < 0 {
		return fieldErr("limit", "must not be negative")
	}
	return nil
}

// ListAlarms returns the active alarms matching q. Masked alarms and
// alarms of operator-suppressed ids are left out unless q asks for them.
func (m *Manager) ListAlarms(ctx context.Context, q AlarmQuery) ([]Alarm, error) {
	if err := q.validate(); err != nil {
		return nil, err
	}
	if err := m.lockRead(ctx); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	var cand recSet
	all := true
	if q.AlarmID != "" {
		cand, all = m.byID[q.AlarmID], false
	}
	if q.EntityPrefix != "" {
		if c := m.byTop[entityTop(q.EntityPrefix)]; all || c.len() < cand.len() {
			cand, all = c, false
		}
	}
	var hits []*rec
	match := func(r *rec) {
		if q.AlarmID != "" && r.AlarmID != q.AlarmID ||
			q.EntityPrefix != "" && !MatchEntity(q.EntityPrefix, r.EntityInstanceID) ||
			q.EntityTypeID != "" && r.EntityTypeID != q.EntityTypeID ||
			q.Severity != SeverityClear && r.Severity != q.Severity {
			return
		}
		hits = append(hits, r)
	}
	byID := q.SortKey == "" || q.SortKey == "id"
	if all && byID {
		// m.order is already in raise order.
		hits = make([]*rec, 0, len(m.byUUID))
		for _, r := range m.order {
			if r != nil {
				match(r)
			}
		}
	} else if all {
		hits = make([]*rec, 0, len(m.byUUID))
		for _, r := range m.byUUID {
			match(r)
		}
	} else {
		for r := range cand.all {
			match(r)
		}
	}
	less := sortKeys["id"]
	if q.SortKey != "" {
		less = sortKeys[q.SortKey]
	}
	if q.SortDesc {
		asc := less
		less = func(a, b *rec) int { return asc(b, a) }
	}
	switch {
	case all && byID && q.SortDesc:
		slices.Reverse(hits)
	case !(all && byID):
		slices.SortFunc(hits, less)
	}
	start := 0
	if q.Marker != "" {
		mr, ok := m.byUUID[q.Marker]
		if !ok {
			return nil, fieldErr("marker", "no active alarm %s", q.Marker)
		}
		start = sort.Search(len(hits), func(i int) bool { return less(hits[i], mr) > 0 })
	}
	n := len(hits) - start
	if q.Limit > 0 {
		n = min(n, q.Limit)
	}
	out := make([]Alarm, 0, n)
	for _, r := range hits[start:] {
		a := r.Alarm
		m.decorate(&a)
		if !visible(&a, q.IncludeSuppressed, q.IncludeMasked) ||
			q.MgmtAffecting && !a.MgmtAffecting || q.DegradeAffecting && !a.DegradeAffecting {
			continue
		}
		out = append(out, a)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

// DeleteAlarm clears one alarm by uuid and records a clear event.
func (m *Manager) DeleteAlarm(ctx context.Context, uuid string) error {
	if err := m.lockWrite(ctx); err != nil {
		return err
	}
	r, ok := m.byUUID[uuid]
	if !ok {
		m.mu.Unlock()
		return fmt.Errorf("fault: delete alarm %s: %w", uuid, ErrNotFound)
	}
	ops, notes := m.clear([]*rec{r}, true)
	return m.submit(ctx, ops, notes)
}

// AckAlarm records that operator by acknowledged the alarm and returns it.
func (m *Manager) AckAlarm(ctx context.Context, uuid, by string) (Alarm, error) {
	if by == "" || len(by) > maxString || !printable(by) {
		return Alarm{}, fieldErr("by", "must be 1 to %d printable bytes", maxString)
	}
	if err := m.lockWrite(ctx); err != nil {
		return Alarm{}, err
	}
	r, ok := m.byUUID[uuid]
	if !ok {
		m.mu.Unlock()
		return Alarm{}, fmt.Errorf("fault: ack alarm %s: %w", uuid, ErrNotFound)
	}
	sa := *r.StoredAlarm
	sa.Ack = &Ack{By: by, At: m.stamp()}
	m.overwrite(r, &sa)
	a := sa.Alarm
	m.decorate(&a)
	return a, m.submit(ctx, []Op{{Kind: OpPutAlarm, Alarm: &sa}}, nil)
}

// Summary counts the visible active alarms by severity.
func (m *Manager) Summary(ctx context.Context, includeSuppressed bool) (Summary, error) {
	if err := m.lockRead(ctx); err != nil {
		return Summary{}, err
	}
	defer m.mu.RUnlock()
	var s Summary
	for _, r := range m.byUUID {
		if !includeSuppressed && m.suppressed(r.AlarmID) || m.masked(&r.Alarm) {
			continue
		}
		switch r.Severity {
		case SeverityCritical:
			s.Critical++
		case SeverityMajor:
			s.Major++
		case SeverityMinor:
			s.Minor++
		case SeverityWarning:
			s.Warnings++
		}
	}
	s.Status = "OK"
	if s.Critical > 0 {
		s.Status = "critical"
	} else if s.Major+s.Minor > 0 {
		s.Status = "degraded"
	}
	return s, nil
}

func (q *EventQuery) validate() error {
	if q.EventLogID != "" && !validAlarmID(q.EventLogID) {
		return fieldErr("event_log_id", "%q is not GGG.EEE", q.EventLogID)
	}
	if q.EntityPrefix != "" {
		if _, err := ParseEntity(q.EntityPrefix); err != nil {
			return err
		}
	}
	if !q.Severity.Valid() {
		return fieldErr("severity", "unknown severity %d", int(q.Severity))
	}
	if q.AlarmsOnly && q.LogsOnly {
		return fieldErr("alarms", "alarms and logs are exclusive")
	}
	if q.Limit < 0 {
		return fieldErr("limit", "must not be negative")
	}
	return nil
}

// ListEvents returns event log records matching q, newest first.
func (m *Manager) ListEvents(ctx context.Context, q EventQuery) ([]Event, error) {
	if err := q.validate(); err != nil {
		return nil, err
	}
	if err := m.lockRead(ctx); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	end := m.events.len()
	if q.Marker != "" {
		i := m.eventIndex(q.Marker)
		if i < 0 {
			return nil, fieldErr("marker", "no event %s", q.Marker)
		}
		end = i
	}
	var out []Event
	for i := end - 1; i >= 0; i-- {
		e := *m.events.at(i)
		if q.EventLogID != "" && e.EventLogID != q.EventLogID ||
			q.EntityTypeID != "" && e.EntityTypeID != q.EntityTypeID ||
			q.EntityPrefix != "" && !MatchEntity(q.EntityPrefix, e.EntityInstanceID) ||
			q.Severity != SeverityClear && e.Severity != q.Severity ||
			q.AlarmsOnly && e.State == StateLog || q.LogsOnly && e.State != StateLog ||
			!q.Start.IsZero() && e.Timestamp.Before(q.Start) || !q.End.IsZero() && e.Timestamp.After(q.End) {
			continue
		}
		m.decorateEvent(&e)
		if !q.IncludeSuppressed && e.SuppressionStatus == Suppressed {
			continue
		}
		out = append(out, e)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

func (m *Manager) decorateEvent(e *Event) {
	e.SuppressionStatus = Unsuppressed
	if m.suppressed(e.EventLogID) {
		e.SuppressionStatus = Suppressed
	}
}

func (m *Manager) eventIndex(uuid string) int {
	for i := m.events.len() - 1; i >= 0; i-- {
		if m.events.at(i).UUID == uuid {
			return i
		}
	}
	return -1
}

// GetEvent returns one event log record by uuid.
func (m *Manager) GetEvent(ctx context.Context, uuid string) (Event, error) {
	if err := m.lockRead(ctx); err != nil {
		return Event{}, err
	}
	defer m.mu.RUnlock()
	i := m.eventIndex(uuid)
	if i < 0 {
		return Event{}, fmt.Errorf("fault: event %s: %w", uuid, ErrNotFound)
	}
	e := *m.events.at(i)
	m.decorateEvent(&e)
	return e, nil
}

// ListSuppressions returns the suppression entry of every alarm id in the
// catalog, ordered by alarm id.
func (m *Manager) ListSuppressions(ctx context.Context) ([]Suppression, error) {
	if err := m.lockRead(ctx); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	out := make([]Suppression, 0, len(m.supp))
	for _, s := range m.supp {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AlarmID < out[j].AlarmID })
	return out, nil
}

// SetSuppression sets the operator's suppression of an alarm id (id is
// the alarm id or the entry's uuid). Suppressed ids drop out of lists and
// summaries and raise no notifications; their events are still recorded.
func (m *Manager) SetSuppression(ctx context.Context, id string, status SuppressionStatus) (Suppression, error) {
	if !status.Valid() {
		return Suppression{}, fieldErr("suppression_status", "must be suppressed or unsuppressed, not %q", status)
	}
	if err := m.lockWrite(ctx); err != nil {
		return Suppression{}, err
	}
	s := m.supp[id]
	if s == nil {
		s = m.suppByUUID[id]
	}
	if s == nil {
		m.mu.Unlock()
		return Suppression{}, fmt.Errorf("fault: suppression %s: %w", id, ErrNotFound)
	}
	if s.SuppressionStatus == status {
		out := *s
		m.mu.Unlock()
		return out, nil
	}
	s.SuppressionStatus = status
	out := *s
	var notes []Notification
	if m.disp != nil {
		notes = []Notification{{Kind: NotifySuppressionChanged}}
	}
	return out, m.submit(ctx, []Op{{Kind: OpPutSuppression, Suppression: &SuppressionRecord{
		AlarmID: s.AlarmID, UUID: s.UUID, Status: status}}}, notes)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	// math/rand/v2's generator (ChaCha8, seeded from the system's entropy,
	// per thread) gives the 122 random bits without the allocation and the
	// lock of crypto/rand; a uuid is an identifier, not a secret.
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	var s [36]byte
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = hex[c>>4], hex[c&15]
		j += 2
	}
	return string(s[:])
}

// ring is the event log: it grows to size records, then each push
// overwrites the oldest, with no allocation.
type ring struct {
	buf   []Event
	start int // index of the oldest record once full
	size  int
}

// push adds e and, once full, returns the Seq of the record it evicted.
func (r *ring) push(e Event) (evicted int64, ok bool) {
	if len(r.buf) < r.size {
		r.buf = append(r.buf, e)
		return 0, false
	}
	evicted = r.buf[r.start].Seq
	r.buf[r.start] = e
	r.start = (r.start + 1) % len(r.buf)
	return evicted, true
}

func (r *ring) len() int { return len(r.buf) }

// at returns record i, 0 being the oldest.
func (r *ring) at(i int) *Event { return &r.buf[(r.start+i)%len(r.buf)] }
