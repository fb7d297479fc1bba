package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgeflock/flock/inventory"
)

// Defaults of Options.
const (
	DefaultInterval     = 60 * time.Second
	DefaultPollInterval = 5 * time.Second
	DefaultMinBackoff   = 1 * time.Second
	DefaultMaxBackoff   = 5 * time.Minute
)

// Discoverer finds what hardware the host has, as the report its agent
// sends. The engine is inventory/hwdiscovery; agenttest has a fake.
type Discoverer interface {
	Discover(ctx context.Context) (inventory.Report, error)
}

// DiscovererFunc is a function that is a Discoverer.
type DiscovererFunc func(ctx context.Context) (inventory.Report, error)

// Discover calls f.
func (f DiscovererFunc) Discover(ctx context.Context) (inventory.Report, error) { return f(ctx) }

// Applier applies a host's rendered configuration. Apply must be
// idempotent: an agent stopped between an apply and the record of it
// applies the same document again when it restarts.
type Applier interface {
	Apply(ctx context.Context, c inventory.HostConfig) error
}

// Options configure New; nil means defaults. It is the agent block of
// stx-agent's YAML config.
type Options struct {
	// MgmtMAC, if set, is the report's mgmt_mac whatever discovery says:
	// the host's identity at the controller.
	MgmtMAC string `yaml:"mgmt_mac"`
	// Hostname, if set, is the report's hostname.
	Hostname string `yaml:"hostname"`
	// Interval between full reports (default 60 s).
	Interval time.Duration `yaml:"interval"`
	// PollInterval between discoveries that look for a hardware change
	// (default 5 s); a change is reported at once.
	PollInterval time.Duration `yaml:"poll_interval"`
	// MinBackoff and MaxBackoff bound the wait before a failed call to
	// the controller is tried again (default 1 s and 5 min); it doubles
	// with each failure, with jitter.
	MinBackoff time.Duration `yaml:"min_backoff"`
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// Logger; nil discards.
	Logger *slog.Logger `yaml:"-"`
}

// Validate names the first bad field, as in the YAML config.
func (o *Options) Validate() error {
	for _, f := range []struct {
		name string
		v    time.Duration
	}{{"interval", o.Interval}, {"poll_interval", o.PollInterval}, {"min_backoff", o.MinBackoff}, {"max_backoff", o.MaxBackoff}} {
		if f.v < 0 {
			return fmt.Errorf("agent: %s must not be negative", f.name)
		}
	}
	if o.MgmtMAC != "" {
		if hw, err := net.ParseMAC(o.MgmtMAC); err != nil || len(hw) != 6 {
			return fmt.Errorf("agent: mgmt_mac: %q is not a MAC address (aa:bb:cc:dd:ee:ff)", o.MgmtMAC)
		}
	}
	if o.MinBackoff > 0 && o.MaxBackoff > 0 && o.MinBackoff > o.MaxBackoff {
		return errors.New("agent: min_backoff must not be above max_backoff")
	}
	return nil
}

// Agent reports a host's hardware and applies its configuration. It is
// used by one Run at a time.
type Agent struct {
	ctrl inventory.Reporter
	disc Discoverer
	app  Applier
	dir  string
	o    Options
	log  *slog.Logger

	mu sync.Mutex // guards st and target
	st State
	// target is the config_target of the controller's last answer in
	// this run, if targetKnown.
	target      string
	targetKnown bool
	// configured is Configured's answer, worked out when st or target
	// changes.
	configured  atomic.Bool
	applyFailed atomic.Bool // the last Apply failed
	// epoch and tick time Run's steps for LastStep: tick is when the
	// last step ended, as time since epoch (0: Run never stepped).
	epoch time.Time
	tick  atomic.Int64

	// Run's own, in memory.
	nextFull  time.Time
	retryAt   time.Time
	failures  int
	configDue bool
	pendingFP string
}

// New returns an agent that reports to ctrl what disc finds, applies its
// configuration with app, and keeps its state in stateDir (created 0700
// by Run if missing).
func New(ctrl inventory.Reporter, disc Discoverer, app Applier, stateDir string, opts *Options) (*Agent, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	switch {
	case ctrl == nil:
		return nil, errors.New("agent: a controller (inventory.Reporter) is required")
	case disc == nil:
		return nil, errors.New("agent: a discoverer is required")
	case app == nil:
		return nil, errors.New("agent: an applier is required")
	case stateDir == "":
		return nil, errors.New("agent: state_dir is required")
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	orDefault(&o.Interval, DefaultInterval)
	orDefault(&o.PollInterval, DefaultPollInterval)
	orDefault(&o.MinBackoff, DefaultMinBackoff)
	orDefault(&o.MaxBackoff, DefaultMaxBackoff)
	o.MaxBackoff = max(o.MaxBackoff, o.MinBackoff)
	if o.MgmtMAC != "" {
		hw, _ := net.ParseMAC(o.MgmtMAC)
		o.MgmtMAC = hw.String()
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Agent{ctrl: ctrl, disc: disc, app: app, dir: stateDir, o: o, log: log, epoch: time.Now()}, nil
}

func orDefault(v *time.Duration, def time.Duration) {
	if *v == 0 {
		*v = def
	}
}

// State returns a copy of the agent's state as last saved.
func (a *Agent) State() State {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.st
}

// Configured reports whether the host has applied its configuration
// (StarlingX's I_AM_CONFIGURED): the controller answered this Run with a
// config_target (to a report, a config_applied or a configuration fetch)
// and the state's AppliedConfig is that target. It is false from the
// start of Run until the controller's first answer, while a new target
// is not applied yet, and for a host that has no configuration (a
// discovered host without personality). An applied configuration the
// controller has not acknowledged yet (State.PendingApplied) counts as
// applied. It is cheap: one atomic load.
func (a *Agent) Configured() bool { return a.configured.Load() }

// ConfigFailed reports whether the last attempt to apply the host's
// configuration failed (cleared by one that succeeds). It is cheap: one
// atomic load.
func (a *Agent) ConfigFailed() bool { return a.applyFailed.Load() }

// LastStep returns when Run last finished a step (a poll: discovery,
// reports, configuration), or started; zero if Run never ran. A Run that
// is stuck in a step (an Apply or a controller call that does not
// return) stops moving it. It is cheap: one atomic load.
func (a *Agent) LastStep() time.Time {
	d := a.tick.Load()
	if d == 0 {
		return time.Time{}
	}
	return a.epoch.Add(time.Duration(d))
}

// PollInterval is the agent's time between steps.
func (a *Agent) PollInterval() time.Duration { return a.o.PollInterval }

// ticked notes a step's end for LastStep.
func (a *Agent) ticked() { a.tick.Store(max(int64(time.Since(a.epoch)), 1)) }

// setTarget notes the config_target of a controller's answer.
func (a *Agent) setTarget(target string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.target, a.targetKnown = target, true
	a.publish()
}

// publish works out Configured; a.mu is held.
func (a *Agent) publish() {
	a.configured.Store(a.targetKnown && a.target != "" && a.st.AppliedConfig == a.target)
}

// save writes st to the state file and makes it State's.
func (a *Agent) save(st State) error {
	if err := saveState(a.dir, st); err != nil {
		return fmt.Errorf("agent: save state: %w", err)
	}
	a.mu.Lock()
	a.st = st
	a.publish()
	a.mu.Unlock()
	return nil
}

// Run reports and applies until ctx ends, then returns nil. It fails
// only if its state cannot be read or written: the controller being
// down, discovery failing or a configuration that does not apply are
// logged and tried again.
func (a *Agent) Run(ctx context.Context) error {
	if err := os.MkdirAll(a.dir, 0o700); err != nil {
		return fmt.Errorf("agent: state dir: %w", err)
	}
	st, err := loadState(a.dir)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.st, a.target, a.targetKnown = st, "", false
	a.publish()
	a.mu.Unlock()
	a.ticked()
	now := time.Now()
	a.nextFull, a.retryAt, a.failures = now, now, 0
	a.configDue = st.HostUUID != ""
	if st.Pending != nil {
		a.pendingFP = Fingerprint(*st.Pending)
	}
	a.log.Info("agent started", "state_dir", a.dir, "host_uuid", st.HostUUID, "pending_report", st.Pending != nil,
		"applied_config", st.AppliedConfig, "pending_config_applied", st.PendingApplied)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			a.log.Info("agent stopped")
			return nil
		case <-timer.C:
		}
		if err := a.step(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		a.ticked()
		timer.Reset(a.wait(time.Now()))
	}
}

// wait is the time until the next step: the next poll, or sooner the
// next full report or retry.
func (a *Agent) wait(now time.Time) time.Duration {
	next := now.Add(a.o.PollInterval)
	if a.nextFull.After(now) && a.nextFull.Before(next) {
		next = a.nextFull
	}
	st := a.State()
	if (st.Pending != nil || st.PendingApplied != "" || a.configDue) && a.retryAt.After(now) && a.retryAt.Before(next) {
		next = a.retryAt
	}
	return next.Sub(now)
}

// step is one poll: discover, report if due or changed, then catch up
// with the configuration. Only a state that cannot be saved is an error.
func (a *Agent) step(ctx context.Context) error {
	now := time.Now()
	st := a.State()
	r, err := a.disc.Discover(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		a.log.Warn("discovery failed", "error", err)
	} else {
		if a.o.MgmtMAC != "" {
			r.MgmtMAC = a.o.MgmtMAC
		}
		if a.o.Hostname != "" {
			r.Hostname = a.o.Hostname
		}
		fp := Fingerprint(r)
		due := !now.Before(a.nextFull)
		changed := fp != st.Fingerprint
		if due || changed || st.Pending != nil {
			// The newest discovery replaces a report not yet sent; the
			// file is written when what it says changes.
			if changed && st.Pending == nil {
				a.log.Info("hardware changed", "fingerprint", fp)
			}
			write := st.Pending == nil || fp != a.pendingFP
			st.Pending, a.pendingFP = &r, fp
			if write {
				if err := a.save(st); err != nil {
					return err
				}
			}
		}
	}
	if now.Before(a.retryAt) {
		return nil
	}
	if st.Pending != nil {
		if err := a.report(ctx, now, st); err != nil {
			return err
		}
	}
	return a.syncConfig(ctx)
}

// report sends the pending report.
func (a *Agent) report(ctx context.Context, now time.Time, st State) error {
	rep := *st.Pending
	h, err := a.ctrl.ReportInventory(ctx, rep)
	switch {
	case err == nil:
		a.log.Info("inventory reported", "host", h.Hostname, "host_uuid", h.UUID, "config_target", h.ConfigTarget)
		st.HostUUID, st.LastReport, st.Pending, st.Fingerprint = h.UUID, &rep, nil, a.pendingFP
		a.setTarget(h.ConfigTarget)
		a.ok()
		a.nextFull = now.Add(a.o.Interval)
		a.track(h, &st)
		return a.save(st)
	case errors.Is(err, inventory.ErrInvalid):
		// Refused: sending it again changes nothing. The next interval
		// or hardware change sends a new one.
		attrs := []any{"error", err}
		if fe, ok := errors.AsType[*inventory.FieldError](err); ok {
			attrs = append(attrs, "field", fe.Field)
		}
		a.log.Error("inventory report refused by the controller", attrs...)
		st.Pending, st.Fingerprint = nil, a.pendingFP
		a.nextFull = now.Add(a.o.Interval)
		return a.save(st)
	default:
		a.fail(now, "inventory report", err)
		return nil
	}
}

// track notes what h says of the host's configuration: nothing to do,
// an applied configuration to tell again, or a new one to apply.
func (a *Agent) track(h inventory.Host, st *State) {
	switch {
	case h.ConfigTarget == "":
		a.configDue = false
	case h.ConfigTarget == st.AppliedConfig:
		a.configDue = false
		if h.ConfigApplied != st.AppliedConfig && st.PendingApplied == "" {
			st.PendingApplied = st.AppliedConfig
		}
	default:
		a.configDue = true
	}
}

// syncConfig tells the controller of an applied configuration, or
// fetches and applies a new one and then tells it.
func (a *Agent) syncConfig(ctx context.Context) error {
	// A few rounds at most: apply, tell, and follow a target that moved
	// meanwhile; more waits for the next step.
	for range 4 {
		now := time.Now()
		st := a.State()
		if st.HostUUID == "" || now.Before(a.retryAt) {
			return nil
		}
		switch {
		case st.PendingApplied != "":
			h, err := a.ctrl.ReportConfigApplied(ctx, st.HostUUID, st.PendingApplied)
			switch {
			case err == nil:
				a.log.Info("config applied reported", "config_uuid", st.PendingApplied, "config_status", h.ConfigStatus)
				st.PendingApplied = ""
				a.setTarget(h.ConfigTarget)
				a.ok()
				a.configDue = h.ConfigTarget != "" && h.ConfigTarget != st.AppliedConfig
			case errors.Is(err, inventory.ErrInvalid) || errors.Is(err, inventory.ErrNotFound):
				a.log.Error("config applied refused by the controller", "config_uuid", st.PendingApplied, "error", err)
				st.PendingApplied = ""
			default:
				a.fail(now, "config applied", err)
				return nil
			}
			if err := a.save(st); err != nil {
				return err
			}
		case a.configDue:
			hc, err := a.ctrl.HostConfig(ctx, st.HostUUID)
			switch {
			case errors.Is(err, inventory.ErrNotFound):
				a.configDue = false // no configuration rendered yet
				return nil
			case err != nil:
				a.fail(now, "host config", err)
				return nil
			}
			a.setTarget(hc.UUID)
			switch {
			case hc.UUID == st.AppliedConfig:
				// Applied already (before a restart): say so, never
				// apply it twice.
				st.PendingApplied = hc.UUID
			default:
				if err := a.app.Apply(ctx, hc); err != nil {
					if ctx.Err() != nil {
						return nil
					}
					a.applyFailed.Store(true)
					a.fail(now, "apply config "+hc.UUID, err)
					return nil
				}
				a.applyFailed.Store(false)
				a.log.Info("config applied", "config_uuid", hc.UUID)
				st.AppliedConfig, st.PendingApplied = hc.UUID, hc.UUID
			}
			a.configDue = false
			if err := a.save(st); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// ok resets the backoff after a call that worked.
func (a *Agent) ok() { a.failures, a.retryAt = 0, time.Time{} }

// fail logs a failed call and sets when to try again: MinBackoff doubled
// per failure up to MaxBackoff, then a random point in its upper half.
func (a *Agent) fail(now time.Time, what string, err error) {
	a.failures++
	d := backoff(a.o.MinBackoff, a.o.MaxBackoff, a.failures)
	a.retryAt = now.Add(d)
	a.log.Warn(what+" failed; will retry", "error", err, "failures", a.failures, "retry_in", d)
}

// Fingerprint is a digest of what in a report is hardware, not load: the
// NUMA nodes, CPUs, memory totals, disks, partitions, ports, volume
// groups and physical volumes by their identity and size. Free memory,
// link speed or an uptime do not change it; a disk or NIC that appears,
// goes or changes does.
func Fingerprint(r inventory.Report) string {
	type disk struct {
		Node, Path, Serial, WWN string
		Size                    int
	}
	type port struct{ Name, MAC, PCI, Driver string }
	type part struct {
		Path string
		Size int
	}
	var f struct {
		MAC, Hostname, SW string
		Nodes             []int
		CPUs              [][4]int
		Mem               [][3]int
		Disks             []disk
		Ports             []port
		Parts             []part
		LVGs, PVs         []string
	}
	f.MAC, f.Hostname, f.SW = r.MgmtMAC, r.Hostname, r.SWVersion
	for _, n := range r.Nodes {
		f.Nodes = append(f.Nodes, n.NumaNode)
	}
	for _, c := range r.CPUs {
		f.CPUs = append(f.CPUs, [4]int{c.CPU, c.NumaNode, c.Core, c.Thread})
	}
	for _, m := range r.Memory {
		f.Mem = append(f.Mem, [3]int{m.NumaNode, m.MemTotalMiB, m.NodeMemTotalMiB})
	}
	for _, d := range r.Disks {
		f.Disks = append(f.Disks, disk{d.DeviceNode, d.DevicePath, d.SerialID, d.DeviceWWN, d.SizeMiB})
	}
	for _, p := range r.Ports {
		f.Ports = append(f.Ports, port{p.Name, p.MAC, p.PCIAddr, p.Driver})
	}
	for _, p := range r.Partitions {
		f.Parts = append(f.Parts, part{p.DevicePath, p.SizeMiB})
	}
	for _, g := range r.LVGs {
		f.LVGs = append(f.LVGs, g.LVMVGName)
	}
	for _, p := range r.PVs {
		f.PVs = append(f.PVs, p.LVMVGName+"/"+p.DiskOrPartDevicePath)
	}
	// Discovery order is not hardware.
	slices.Sort(f.Nodes)
	slices.SortFunc(f.CPUs, func(a, b [4]int) int { return a[0] - b[0] })
	slices.SortFunc(f.Mem, func(a, b [3]int) int { return a[0] - b[0] })
	slices.SortFunc(f.Disks, func(a, b disk) int { return strings.Compare(a.Path+a.Node, b.Path+b.Node) })
	slices.SortFunc(f.Ports, func(a, b port) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(f.Parts, func(a, b part) int { return strings.Compare(a.Path, b.Path) })
	slices.Sort(f.LVGs)
	slices.Sort(f.PVs)
	data, _ := json.Marshal(f)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}
