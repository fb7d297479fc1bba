// Package hostmgmtsql is host maintenance over a SQL database: the
// Manager that drives hostmgmt.Step for every host of the inventory,
// keeps each host's FSM state in the database, performs the actions the
// FSM asks for (through the agents, the BMCs, the pre-lock hooks and
// service management), turns what the heartbeat and the agents report
// into events, mirrors the states into inventory and raises and clears
// the 200-series alarms.
//
// # Nothing lost, nothing repeated
//
// A transition is one transaction: the host's new state and the actions
// it asks for (an outbox) are committed together, and only then are the
// actions performed and the new state shown to readers and inventory.
// An action is deleted from the outbox once performed. When the Manager
// starts, it resumes every host at the stage it was in, with the stage's
// deadline recomputed from now (hostmgmt.Resume), and performs again the
// outbox actions that are safe to repeat (heartbeat start and stop,
// alarms, mtcAlive requests, tests, services, pre-lock hooks). Those
// that are not — a reboot command, a BMC reset, power on and off, a
// netboot, a swact — are dropped and logged, never sent twice: whether
// the first one left before the crash cannot be known, and the stage's
// timer already retries them, counted, as StarlingX does.
//
// # Where it differs from StarlingX
//
// mtcAgent learns of hosts from sysinv's REST notifications; the Manager
// polls inventory (every SyncInterval) and acts on a host's first
// action at once. Host state is written back to inventory after each
// transition commits; after a crash between the two writes, the next
// start writes it again. A reset, reinstall or power action on a locked
// host without a BMC is refused at once with mtce's words ("Request
// Failed, Management Controller Not Provisioned"), where StarlingX
// accepts it and then fails it in the host's task. Power-on of a host
// that is not powered off is refused. The answer to an action is the
// host as it is once the action's first step committed, not sysinv's
// patched record.
package hostmgmtsql

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/inventory"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect names the SQL engine behind a *sql.DB handed to New.
type Dialect string

// Dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Options configure a Manager. Inventory is required; every other part
// may be nil, and the actions that need it then fail as they would with
// the part unreachable (a reboot command without Agents is never
// acknowledged, so the FSM goes on to a BMC reset).
type Options struct {
	// Inventory is where hosts come from and where their states go.
	Inventory inventory.HostStatusWriter
	// Faults receives the alarms (200.004/005/009/010/011, 200.001) and,
	// if it also has Log (as *fault.Manager has), the 200.020–200.022
	// event logs.
	Faults fault.Reporter
	// Agents sends commands to hosts' agents (the heartbeat engine).
	Agents hostmgmt.Agents
	// Heartbeat starts and stops heartbeating hosts (the heartbeat
	// engine); it also gets every host's key.
	Heartbeat hostmgmt.Heartbeat
	// BMCs opens hosts' BMCs.
	BMCs hostmgmt.BMCs
	// LockHooks run, in order, before a lock.
	LockHooks []hostmgmt.LockHook
	// Swacter is service management. Without one, no controller is
	// active as far as the lock rules go, and swact is refused.
	Swacter hostmgmt.Swacter
	// Timings of the FSMs; nil means hostmgmt.DefaultTimings().
	Timings *hostmgmt.Timings
	// Link is what LinkConfig tells agents besides their key: the
	// controller's heartbeat endpoints and period.
	Link LinkOptions
	// SyncInterval between reads of the inventory's host list (default
	// 2 s).
	SyncInterval time.Duration
	// BMCAuditInterval between reads of every BMC's power state and
	// sensors (default 30 s; negative: no audit). Sensors past a
	// threshold raise 200.007; an unreachable BMC counts towards 200.010.
	BMCAuditInterval time.Duration
	// BMCAuditParallel bounds the BMCs read at once (default 32).
	BMCAuditParallel int
	// Logger; nil discards.
	Logger *slog.Logger
}

// LinkOptions are the controller's side of the maintenance link as
// agents must see it.
type LinkOptions struct {
	// Controller is the controller's heartbeat "ip:port" per network.
	Controller map[hostmgmt.Network]string
	// PeriodMS is the heartbeat period in milliseconds (default 100).
	PeriodMS int
}

// Manager is host maintenance over a SQL database. It implements
// hostmgmt.Service and hostmgmt.Observer. Run drives it.
type Manager struct {
	db     *sqlstore.DB
	dbDone func() error
	o      Options
	t      hostmgmt.Timings
	log    *slog.Logger

	// mu serialises transitions and guards hosts: one transition at a
	// time, from the read of the state to its commit and publication.
	mu    sync.Mutex
	hosts map[string]*host
	seq   int64 // outbox sequence

	kick chan struct{}    // wakes the timer loop
	obs  chan observation // from Observe to Run
	run  chan struct{}    // closed when Run starts performing
	wg   sync.WaitGroup   // workers
	ctx  context.Context  // Run's, for workers
	mnfa map[hostmgmt.Network]bool
	// sensorsSeeded: the 200.007 alarms raised before this start have
	// been read into the hosts' sensorAlarms.
	sensorsSeeded bool
	sensorSeed    map[string]map[string]fault.Severity // hostname → sensor → severity
}

// host is one host as the Manager holds it: the committed state, what
// inventory says of it, and runtime data that is not persisted
// (heartbeat health, flags).
type host struct {
	uuid        string
	hostname    string
	personality inventory.Personality
	id          int64
	st          hostmgmt.State
	bootID      string
	updated     time.Time

	health   map[hostmgmt.Network]hostmgmt.Health
	flags    hostmgmt.HealthFlags
	bmcFails int
	// bmcChecked: a BMC call succeeded since start, so 200.010 is known
	// to be clear unless bmcAlarmed.
	bmcChecked bool
	bmcAlarmed bool // this Manager raised 200.010
	netAlarms  map[hostmgmt.Network]fault.Severity
	bmcStatus  *hostmgmt.BMCStatus
	// sensorAlarms is the 200.007 severity raised per sensor; nil until
	// the first audit since start, which clears what is back in range.
	sensorAlarms map[string]fault.Severity

	// The action queue, performed in order by the host's worker.
	qmu     sync.Mutex
	queue   []job
	signal  chan struct{}
	fsmCtx  context.Context // cancelled when a new FSM starts
	fsmStop context.CancelFunc
	working bool
}

// job is one action to perform.
type job struct {
	id  string // outbox row; "" for runtime-only actions
	act hostmgmt.Action
	ctx context.Context
}

type observation struct {
	host string
	o    hostmgmt.Observation
}

var (
	_ hostmgmt.Service  = (*Manager)(nil)
	_ hostmgmt.Observer = (*Manager)(nil)
)

// Open opens the database at url (sqlite:///path.db or postgres://...),
// migrates host maintenance's tables and returns a Manager that owns the
// database.
func Open(ctx context.Context, url string, opts Options) (*Manager, error) {
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("hostmgmtsql: %w", err)
	}
	m, err := newManager(ctx, db, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	m.dbDone = db.Close
	return m, nil
}

// New returns a Manager over db (shared with other services), whose
// engine is dialect; it migrates host maintenance's tables. Close does
// not close db.
func New(ctx context.Context, db *sql.DB, dialect Dialect, opts Options) (*Manager, error) {
	var d sqlstore.Dialect
	switch dialect {
	case SQLite:
		d = sqlstore.SQLite
	case Postgres:
		d = sqlstore.Postgres
	default:
		return nil, fmt.Errorf("hostmgmtsql: unknown dialect %q (want %q or %q)", dialect, SQLite, Postgres)
	}
	return newManager(ctx, &sqlstore.DB{DB: db, Dialect: d}, opts)
}

func newManager(ctx context.Context, db *sqlstore.DB, o Options) (*Manager, error) {
	if o.Inventory == nil {
		return nil, errors.New("hostmgmtsql: Options.Inventory is required")
	}
	t := hostmgmt.DefaultTimings()
	if o.Timings != nil {
		t = *o.Timings
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("hostmgmtsql: timings: %w", err)
	}
	if o.BMCAuditInterval == 0 {
		o.BMCAuditInterval = 30 * time.Second
	}
	if o.BMCAuditParallel <= 0 {
		o.BMCAuditParallel = 32
	}
	if o.SyncInterval <= 0 {
		o.SyncInterval = 2 * time.Second
	}
	if o.Link.PeriodMS <= 0 {
		o.Link.PeriodMS = 100
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, "hostmgmt", sub); err != nil {
		return nil, fmt.Errorf("hostmgmtsql: %w", err)
	}
	m := &Manager{
		db: db, o: o, t: t, log: log,
		hosts: map[string]*host{},
		kick:  make(chan struct{}, 1),
		obs:   make(chan observation, 16384),
		run:   make(chan struct{}),
		mnfa:  map[hostmgmt.Network]bool{},
	}
	if err := m.load(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// Close closes the database if Open opened it. Call it after Run
// returned.
func (m *Manager) Close() error {
	if m.dbDone != nil {
		return m.dbDone()
	}
	return nil
}

// Timings returns the timings the Manager runs with.
func (m *Manager) Timings() hostmgmt.Timings { return m.t }

// Run drives the Manager until ctx ends: it syncs hosts with inventory,
// performs committed actions, feeds timers and observations to the FSMs.
// It returns nil when ctx ends.
func (m *Manager) Run(ctx context.Context) error {
	if err := m.loadKeys(ctx); err != nil {
		return fmt.Errorf("hostmgmtsql: keys: %w", err)
	}
	m.mu.Lock()
	m.ctx = ctx
	for _, h := range m.hosts {
		m.startWorker(h)
		// The heartbeat engine starts with no host: those maintenance
		// was heartbeating before a restart are heartbeated again.
		if m.o.Heartbeat != nil && monitored(h.st) {
			m.o.Heartbeat.Monitor(h.uuid, true)
		}
	}
	m.mu.Unlock()
	close(m.run)
	defer m.wg.Wait()
	if m.o.BMCs != nil && m.o.BMCAuditInterval > 0 {
		m.wg.Go(func() { m.auditBMCs(ctx) })
	}

	if err := m.sync(ctx); err != nil && ctx.Err() == nil {
		m.log.Warn("inventory sync", "err", err)
	}
	syncT := time.NewTicker(m.o.SyncInterval)
	defer syncT.Stop()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		timer.Reset(m.untilNextDeadline())
		select {
		case <-ctx.Done():
			return nil
		case <-m.kick:
		case <-timer.C:
			m.fireTimers(ctx)
		case <-syncT.C:
			if err := m.sync(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("inventory sync", "err", err)
			}
		case ob := <-m.obs:
			m.observe(ctx, ob.host, ob.o)
		}
	}
}

func (m *Manager) wake() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

func (m *Manager) untilNextDeadline() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	next := time.Hour
	now := time.Now()
	for _, h := range m.hosts {
		if d := h.st.Deadline; !d.IsZero() {
			if w := d.Sub(now); w < next {
				next = max(w, 0)
			}
		}
	}
	return next
}

func (m *Manager) fireTimers(ctx context.Context) {
	m.mu.Lock()
	var due []string
	now := time.Now()
	for _, h := range m.hosts {
		if d := h.st.Deadline; !d.IsZero() && !now.Before(d) {
			due = append(due, h.uuid)
		}
	}
	m.mu.Unlock()
	for _, u := range due {
		if _, err := m.event(ctx, u, hostmgmt.Event{Kind: hostmgmt.EventTimer}); err != nil && !errors.Is(err, hostmgmt.ErrNotFound) {
			m.log.Warn("timer", "host", u, "err", err)
		}
	}
}

// Act implements hostmgmt.Service.
func (m *Manager) Act(ctx context.Context, hostKey string, a hostmgmt.AdminAction) (hostmgmt.HostState, error) {
	if !a.Valid() || a == hostmgmt.ActionNone || a == hostmgmt.ActionRecovery || a == hostmgmt.ActionEnable {
		return hostmgmt.HostState{}, &hostmgmt.FieldError{Field: "action", Reason: fmt.Sprintf("%q is not an operator action", a)}
	}
	uuid, err := m.resolve(ctx, hostKey)
	if err != nil {
		return hostmgmt.HostState{}, err
	}
	if a == hostmgmt.ActionUnlock {
		// sysinv's semantic checks before an unlock; force-unlock skips them.
		if err := m.o.Inventory.CheckUnlock(ctx, uuid); err != nil {
			return hostmgmt.HostState{}, unlockRefusal(err)
		}
	}
	if err := m.checkBMC(ctx, uuid, a); err != nil {
		return hostmgmt.HostState{}, err
	}
	m.logEvent(ctx, "200.021", uuid, ".command="+string(a), fault.SeverityWarning, "%s "+string(a)+" request")
	return m.event(ctx, uuid, hostmgmt.Event{Kind: hostmgmt.EventAdmin, Action: a})
}

// checkBMC refuses an action that needs the host's BMC (reset,
// reinstall, power on and off) on a locked host that has none, with
// mtce's task text; the state machine's own rules come first for an
// unlocked host.
func (m *Manager) checkBMC(ctx context.Context, uuid string, a hostmgmt.AdminAction) error {
	switch a {
	case hostmgmt.ActionReset, hostmgmt.ActionReinstall, hostmgmt.ActionPowerOn, hostmgmt.ActionPowerOff:
	default:
		return nil
	}
	m.mu.Lock()
	h := m.hosts[uuid]
	lockedHost := h != nil && h.st.Administrative == inventory.AdminLocked
	m.mu.Unlock()
	if !lockedHost {
		return nil
	}
	refusal := &hostmgmt.RuleError{Rule: hostmgmt.RuleNoBMC, Reason: string(hostmgmt.TaskBMCNotProvisioned)}
	if m.o.BMCs == nil {
		return refusal
	}
	if _, err := m.o.BMCs.BMC(ctx, uuid); errors.Is(err, hostmgmt.ErrNoBMC) {
		return refusal
	}
	return nil
}

// unlockRefusal turns inventory's refusal of an unlock into host
// maintenance's, keeping the reason.
func unlockRefusal(err error) error {
	var re *inventory.RuleError
	if errors.As(err, &re) {
		return &hostmgmt.RuleError{Rule: "unlock-check", Reason: re.Reason}
	}
	if errors.Is(err, inventory.ErrNotFound) {
		return fmt.Errorf("%w: %v", hostmgmt.ErrNotFound, err)
	}
	return err
}

// GetHostState implements hostmgmt.Service.
func (m *Manager) GetHostState(ctx context.Context, hostKey string) (hostmgmt.HostState, error) {
	uuid, err := m.resolve(ctx, hostKey)
	if err != nil {
		return hostmgmt.HostState{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.hosts[uuid]
	if h == nil {
		return hostmgmt.HostState{}, fmt.Errorf("%w: host %q", hostmgmt.ErrNotFound, hostKey)
	}
	return h.view(), nil
}

// ListHostStates implements hostmgmt.Service.
func (m *Manager) ListHostStates(ctx context.Context) ([]hostmgmt.HostState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	hs := make([]*host, 0, len(m.hosts))
	for _, h := range m.hosts {
		hs = append(hs, h)
	}
	slices.SortFunc(hs, func(a, b *host) int {
		if a.id != b.id {
			return int(a.id - b.id)
		}
		return strings.Compare(a.uuid, b.uuid)
	})
	out := make([]hostmgmt.HostState, len(hs))
	for i, h := range hs {
		out[i] = h.view()
	}
	m.mu.Unlock()
	return out, nil
}

func (h *host) view() hostmgmt.HostState {
	v := hostmgmt.HostState{UUID: h.uuid, Hostname: h.hostname, State: h.st, Flags: h.flags, UpdatedAt: h.updated}
	if len(h.health) > 0 {
		v.Heartbeat = make(map[hostmgmt.Network]hostmgmt.Health, len(h.health))
		for n, x := range h.health {
			v.Heartbeat[n] = x
		}
	}
	if h.bmcStatus != nil {
		b := *h.bmcStatus
		b.Sensors = slices.Clone(b.Sensors)
		v.BMC = &b
	}
	return v
}

// resolve finds a host's uuid from its hostname, uuid or id, through
// inventory, and makes sure the Manager knows it.
func (m *Manager) resolve(ctx context.Context, key string) (string, error) {
	ih, err := m.o.Inventory.GetHost(ctx, key)
	if err != nil {
		if errors.Is(err, inventory.ErrNotFound) {
			return "", fmt.Errorf("%w: host %q", hostmgmt.ErrNotFound, key)
		}
		if errors.Is(err, inventory.ErrInvalid) {
			return "", &hostmgmt.FieldError{Field: "host", Reason: err.Error()}
		}
		return "", err
	}
	m.mu.Lock()
	known := m.hosts[ih.UUID] != nil
	m.mu.Unlock()
	if !known {
		if err := m.addHost(ctx, ih); err != nil {
			return "", err
		}
	}
	return ih.UUID, nil
}

// Observe implements hostmgmt.Observer: it queues o for Run.
func (m *Manager) Observe(hostUUID string, o hostmgmt.Observation) {
	m.obs <- observation{hostUUID, o}
}
