package fault

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeflock/flock/fault/faultstore"
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
	// CommitTimeout bounds each store commit (default
	// DefaultCommitTimeout); writes of a commit that does not finish in
	// time fail with ErrUnavailable.
	CommitTimeout time.Duration `yaml:"commit_timeout" json:"commit_timeout"`
	// Notifiers are told of every set, clear and log of an unsuppressed id,
	// and (batched) of suppression changes, once the change is durable.
	// Run delivers them.
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
// semantics over a store. It is safe for concurrent use.
//
// The store is the truth. The manager serves reads from an index of what
// the store has committed, and changes it only after a commit: no reader,
// notifier or event log sees a write before it is durable. Concurrent
// writes share one commit (see commit.go).
type Manager struct {
	store         faultstore.Store
	cat           *Catalog
	opts          Options
	log           *slog.Logger
	now           func() time.Time
	commitTimeout time.Duration
	disp          *dispatcher
	met           *metrics

	// cmu guards the write queue and the committer's flags.
	cmu     sync.Mutex
	idle    *sync.Cond // signalled when leading turns false
	queue   []*pending
	leading bool
	closed  atomic.Bool // set under cmu; read without it by readers
	health  error       // the last commit's error, nil after a success
	// Owned by the leader of the moment (handed over under cmu).
	stale bool            // a commit failed: reload before the next
	seeds []faultstore.Op // suppression entries still to store

	// mu guards st for readers; only the leader replaces or changes it.
	mu sync.RWMutex
	st *state
}

var _ Service = (*Manager)(nil)

// Open loads the state from store and returns a Manager over it. The
// Manager owns store from then on and closes it in Close. A manager with
// notifiers delivers them in Run.
func Open(ctx context.Context, store faultstore.Store, opts *Options) (*Manager, error) {
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
	if m.opts.CommitTimeout < 0 {
		return nil, fieldErr("commit_timeout", "must not be negative")
	}
	m.commitTimeout = cmp.Or(m.opts.CommitTimeout, DefaultCommitTimeout)
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
	m.idle = sync.NewCond(&m.cmu)
	snap, err := store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("fault: load store: %w: %w", ErrUnavailable, err)
	}
	st, seeds, err := newState(snap, m.cat, m.opts.EventLogSize)
	if err != nil {
		return nil, fmt.Errorf("fault: load store: %w: %w", ErrUnavailable, err)
	}
	if len(seeds) > 0 {
		if err := store.Commit(ctx, seeds); err != nil {
			return nil, fmt.Errorf("fault: seed suppression table: %w: %w", ErrUnavailable, err)
		}
	}
	m.st = st
	m.met = newMetrics(m, m.opts.Registerer)
	m.disp = newDispatcher(&m.opts, m.log, m.met)
	return m, nil
}

// Close refuses new writes, waits for the commit in progress, delivers
// the notifications still queued (within ctx) unless Run is still
// delivering, and closes the store.
func (m *Manager) Close(ctx context.Context) error {
	m.cmu.Lock()
	if m.closed.Load() {
		m.cmu.Unlock()
		return nil
	}
	m.closed.Store(true)
	m.waitIdle()
	m.cmu.Unlock()
	m.disp.mu.Lock()
	if !m.disp.running {
		m.disp.drain(ctx)
	}
	m.disp.mu.Unlock()
	m.met.unregister()
	return m.store.Close()
}

// stamp returns the current time in UTC at the microsecond precision
// that StarlingX (and Flock's stores) keep.
func (m *Manager) stamp() time.Time { return m.now().UTC().Truncate(time.Microsecond) }

// Catalog returns the catalog the manager checks against.
func (m *Manager) Catalog() *Catalog { return m.cat }

// read takes the read lock and returns the committed state; the caller
// must RUnlock.
func (m *Manager) read() (*state, error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	m.mu.RLock()
	return m.st, nil
}

// thresholds returns the severities at which alarmID's alarms become
// management and degrade affecting.
func thresholds(st *state, alarmID string) (mgmt, degrade Severity) {
	if s := st.supp[alarmID]; s != nil {
		return s.MgmtAffecting, s.DegradeAffecting
	}
	return SeverityWarning, SeverityNone
}

// decorate fills the derived fields of a copy of an active alarm.
func decorate(st *state, a *Alarm) {
	mgmt, degrade := thresholds(st, a.AlarmID)
	a.SuppressionStatus = Unsuppressed
	if st.suppressed(a.AlarmID) {
		a.SuppressionStatus = Suppressed
	}
	a.MgmtAffecting = a.Severity >= mgmt
	a.DegradeAffecting = a.Severity >= degrade
	a.Masked = masked(st, a)
	if a.Ack != nil {
		ack := *a.Ack
		a.Ack = &ack
	}
}

// masked reports whether an active inhibiting alarm above a covers it.
// StarlingX only masks the alarms present when the inhibitor is raised;
// Flock derives masking, so an alarm raised under an inhibitor is masked too.
func masked(st *state, a *Alarm) bool {
	if !a.Suppression {
		return false
	}
	for i := range st.inhibitors {
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
	st, err := m.read()
	if err != nil {
		return Alarm{}, err
	}
	defer m.mu.RUnlock()
	r, ok := st.byUUID[uuid]
	if !ok {
		return Alarm{}, fmt.Errorf("fault: alarm %s: %w", uuid, ErrNotFound)
	}
	a := r.Alarm
	decorate(st, &a)
	if a.Masked {
		return Alarm{}, fmt.Errorf("fault: alarm %s is masked: %w", uuid, ErrNotFound)
	}
	return a, nil
}

// alarmOrder returns the comparison of AlarmQuery.SortKey, ties broken by
// raise order; nil for an unknown key.
func alarmOrder(key string) func(a, b *alarm) int {
	var by func(a, b *alarm) int
	switch key {
	case "", "id":
		by = func(a, b *alarm) int { return 0 }
	case "timestamp":
		by = func(a, b *alarm) int { return a.Timestamp.Compare(b.Timestamp) }
	case "severity":
		by = func(a, b *alarm) int { return cmp.Compare(a.Severity, b.Severity) }
	case "alarm_id":
		by = func(a, b *alarm) int { return cmp.Compare(a.AlarmID, b.AlarmID) }
	case "entity_instance_id":
		by = func(a, b *alarm) int { return cmp.Compare(a.EntityInstanceID, b.EntityInstanceID) }
	case "uuid":
		by = func(a, b *alarm) int { return cmp.Compare(a.UUID, b.UUID) }
	default:
		return nil
	}
	return func(a, b *alarm) int { return cmp.Or(by(a, b), cmp.Compare(a.seq, b.seq)) }
}

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
	if alarmOrder(q.SortKey) == nil {
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
	st, err := m.read()
	if err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	// The candidates: the smaller index entry the query names, or all.
	size, cand := len(st.byUUID), maps.Values(st.byUUID)
	if q.AlarmID != "" {
		s := st.byID[q.AlarmID]
		size, cand = len(s), maps.Keys(s)
	}
	if q.EntityPrefix != "" {
		if l := st.byTop[entityTop(q.EntityPrefix)]; len(l) < size {
			cand = slices.Values(l)
		}
	}
	var hits []*alarm
	for r := range cand {
		if (q.AlarmID == "" || r.AlarmID == q.AlarmID) &&
			(q.EntityPrefix == "" || MatchEntity(q.EntityPrefix, r.EntityInstanceID)) &&
			(q.EntityTypeID == "" || r.EntityTypeID == q.EntityTypeID) &&
			(q.Severity == SeverityClear || r.Severity == q.Severity) {
			hits = append(hits, r)
		}
	}
	order := alarmOrder(q.SortKey)
	if q.SortDesc {
		asc := order
		order = func(a, b *alarm) int { return asc(b, a) }
	}
	slices.SortFunc(hits, order)
	start := 0
	if q.Marker != "" {
		mr, ok := st.byUUID[q.Marker]
		if !ok {
			return nil, fieldErr("marker", "no active alarm %s", q.Marker)
		}
		start = sort.Search(len(hits), func(i int) bool { return order(hits[i], mr) > 0 })
	}
	var out []Alarm
	for _, r := range hits[start:] {
		a := r.Alarm
		decorate(st, &a)
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

// Summary counts the visible active alarms by severity.
func (m *Manager) Summary(ctx context.Context, includeSuppressed bool) (Summary, error) {
	st, err := m.read()
	if err != nil {
		return Summary{}, err
	}
	defer m.mu.RUnlock()
	var s Summary
	for _, r := range st.byUUID {
		if !includeSuppressed && st.suppressed(r.AlarmID) || masked(st, &r.Alarm) {
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
	st, err := m.read()
	if err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	end := st.events.len()
	if q.Marker != "" {
		i := eventIndex(st, q.Marker)
		if i < 0 {
			return nil, fieldErr("marker", "no event %s", q.Marker)
		}
		end = i
	}
	var out []Event
	for i := end - 1; i >= 0; i-- {
		e := *st.events.at(i)
		if q.EventLogID != "" && e.EventLogID != q.EventLogID ||
			q.EntityTypeID != "" && e.EntityTypeID != q.EntityTypeID ||
			q.EntityPrefix != "" && !MatchEntity(q.EntityPrefix, e.EntityInstanceID) ||
			q.Severity != SeverityClear && e.Severity != q.Severity ||
			q.AlarmsOnly && e.State == StateLog || q.LogsOnly && e.State != StateLog ||
			!q.Start.IsZero() && e.Timestamp.Before(q.Start) || !q.End.IsZero() && e.Timestamp.After(q.End) {
			continue
		}
		decorateEvent(st, &e)
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

func decorateEvent(st *state, e *Event) {
	e.SuppressionStatus = Unsuppressed
	if st.suppressed(e.EventLogID) {
		e.SuppressionStatus = Suppressed
	}
}

func eventIndex(st *state, uuid string) int {
	for i := st.events.len() - 1; i >= 0; i-- {
		if st.events.at(i).UUID == uuid {
			return i
		}
	}
	return -1
}

// GetEvent returns one event log record by uuid.
func (m *Manager) GetEvent(ctx context.Context, uuid string) (Event, error) {
	st, err := m.read()
	if err != nil {
		return Event{}, err
	}
	defer m.mu.RUnlock()
	i := eventIndex(st, uuid)
	if i < 0 {
		return Event{}, fmt.Errorf("fault: event %s: %w", uuid, ErrNotFound)
	}
	e := *st.events.at(i)
	decorateEvent(st, &e)
	return e, nil
}

// ListSuppressions returns the suppression entry of every alarm id in the
// catalog, ordered by alarm id.
func (m *Manager) ListSuppressions(ctx context.Context) ([]Suppression, error) {
	st, err := m.read()
	if err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	out := make([]Suppression, 0, len(st.supp))
	for _, s := range st.supp {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Suppression) int { return cmp.Compare(a.AlarmID, b.AlarmID) })
	return out, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
