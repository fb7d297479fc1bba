package hanode

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hapeer"
)

// ErrNotRunning: the node's Run is not running.
var ErrNotRunning = errors.New("hanode: not running")

// Node is service management on one controller: it runs the peer
// protocol with the other controller, decides with ha.StepFailover which
// of the two is active, drives its service groups with ha.StepGroup,
// runs their actions through the plugins, fences the peer or holds the
// witness's lease before a takeover, and raises the HA alarms. Create it
// with New and run it with Run.
type Node struct {
	cfg    Config
	opts   Options
	log    *slog.Logger
	model  *ha.Model
	domain *ha.Domain
	fcfg   ha.FailoverConfig
	met    *metrics

	in   chan func()
	done chan struct{}
	// ran is set by Run (a Node runs once); running while it runs;
	// link is its link.
	ran     atomic.Bool
	running atomic.Bool
	link    *hapeer.Link
	ctx     context.Context
	plugins sync.WaitGroup
	alarms  chan alarmOp

	// Owned by Run's goroutine.
	fo         ha.FailoverState
	order      []string // groups of the domain, in the model's order
	groups     map[string]*ha.GroupRun
	moving     map[string]bool // the N + M groups, which follow the role
	groupOf    map[string]string
	runs       map[string]*pluginRun
	lastRun    map[string]chan struct{}
	fencing    bool // a fence attempt is in flight
	runSeq     uint64
	starting   bool // the start-up disable of the moving groups is not done
	want       ha.GroupEventKind
	failed     bool
	failedOnce bool
	peerGroups map[string]GroupStatus
	payload    []byte
	waiters    []*waiter
	swactSeq   uint64
	swactWait  map[uint64]chan error
	wasActive  bool
	released   bool              // see holding
	raised     map[string]string // 400.001 raised, by entity: what was last set
	// releasePending: release-lease waits for released.
	releasePending bool
	stuckLogged    bool

	status atomic.Pointer[Status]
}

type pluginRun struct {
	id     uint64
	action ha.ActionName
	cancel context.CancelFunc
}

type waiter struct {
	done  func() bool
	ch    chan struct{}
	fired bool
}

// New returns a node for cfg; it checks cfg (a *ha.FieldError naming the
// field) and does no I/O.
func New(cfg Config, opts *Options) (*Node, error) {
	if opts == nil {
		opts = &Options{}
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.Model == nil {
		cfg.Model = ha.DefaultModel()
	}
	if cfg.FenceTimeout == 0 {
		cfg.FenceTimeout = 10 * time.Second
	}
	n := &Node{cfg: cfg, opts: *opts, log: opts.Logger, model: cfg.Model,
		in: make(chan func(), 1024), done: make(chan struct{})}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Model.Domains) == 0 {
		return nil, bad("model.domains", "no domain")
	}
	n.domain = &cfg.Model.Domains[0]
	if cfg.Domain != "" {
		i := slices.IndexFunc(cfg.Model.Domains, func(d ha.Domain) bool { return d.Name == cfg.Domain })
		if i < 0 {
			return nil, bad("domain", "%q is not a domain of the model", cfg.Domain)
		}
		n.domain = &cfg.Model.Domains[i]
	}
	for _, s := range cfg.Model.Services {
		if s.Kind == ha.KindIP && s.IP != nil && s.IP.Address == "" {
			if _, ok := cfg.Addresses[s.IP.Network]; !ok {
				return nil, bad("addresses", "no address for network %q (service %s)", s.IP.Network, s.Name)
			}
		}
	}
	link := cfg.Link
	if err := link.Validate(); err != nil {
		return nil, err
	}
	paths := make([]string, len(link.Paths))
	for i, p := range link.Paths {
		paths[i] = p.Name
	}
	n.fcfg = cfg.Failover
	n.fcfg.Node, n.fcfg.Peer, n.fcfg.Paths = link.Node, link.Peer, paths
	n.fcfg.Fence, n.fcfg.Witness = opts.Fencer != nil, opts.Witness != nil
	n.fcfg.SplitBrainRecovery = n.domain.SplitBrainRecovery
	if _, _, err := ha.StepFailover(ha.FailoverState{}, ha.FailoverEvent{Kind: ha.FailoverTimer}, time.Now(), n.fcfg); err != nil {
		return nil, err
	}
	var err error
	if n.met, err = newMetrics(opts.Registry); err != nil {
		return nil, err
	}
	n.publishStatus()
	return n, nil
}

// Run runs the node until ctx ends: it raises and saves the generation,
// starts the peer link, disables the moving service groups left from an
// earlier run (a floating address still configured after a crash), then
// follows survivor selection. When ctx ends it cancels the running
// plugins and returns; it does not move the services (a stopped node is
// a silent node: its peer takes over through the fence or the witness).
func (n *Node) Run(ctx context.Context) error {
	if !n.ran.CompareAndSwap(false, true) {
		return errors.New("hanode: a Node runs once")
	}
	n.running.Store(true)
	defer func() {
		n.running.Store(false)
		close(n.done)
	}()
	st, err := loadState(n.cfg.StateDir)
	if err != nil {
		return err
	}
	st.Generation++
	if err := saveState(n.cfg.StateDir, st); err != nil {
		return fmt.Errorf("hanode: save state: %w", err)
	}
	lcfg := n.cfg.Link
	lcfg.Generation = st.Generation
	link, err := hapeer.New(lcfg, n.opts.Registry, &hapeer.Options{
		Logger:      n.log,
		OnEvent:     func(ev hapeer.Event) { n.post(func() { n.linkEvent(ev) }) },
		OnHeartbeat: func(m hapeer.Message) { n.post(func() { n.peerPayload(m.Payload) }) },
		Handler:     func(m hapeer.Message) { n.post(func() { n.message(m) }) },
		Listen:      n.opts.Listen,
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n.ctx, n.link = ctx, link
	n.init(st)

	linkErr := make(chan error, 1)
	go func() { linkErr <- link.Run(ctx) }()
	n.alarms = make(chan alarmOp, 256)
	alarmsDone := make(chan struct{})
	go func() { n.alarmLoop(ctx); close(alarmsDone) }()
	defer func() {
		cancel() // the link, the alarm loop and the plugins' contexts
		for _, r := range n.runs {
			r.cancel()
		}
		n.plugins.Wait()
		<-alarmsDone
		for _, w := range n.waiters {
			close(w.ch) // not fired: the caller sees the node stopped
		}
		n.waiters = nil
	}()

	n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverHealth})
	for _, g := range n.order {
		if n.moving[g] {
			// 400.002 is not kept across restarts: clear what an earlier
			// run may have left; survivor selection raises it again.
			n.queueAlarm(alarmOp{id: ha.AlarmNoTakeover, eid: "service_domain=" + n.domain.Name + ".service_group=" + g, clear: true})
			n.stepGroup(g, ha.GroupEvent{Kind: ha.GroupEventDisable})
		} else {
			n.stepGroup(g, ha.GroupEvent{Kind: ha.GroupEventGoActive})
		}
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		n.settle()
		if d := n.nextDeadline(); !d.IsZero() {
			timer.Reset(time.Until(d))
		} else {
			timer.Reset(time.Hour)
		}
		select {
		case <-ctx.Done():
			<-linkErr
			return nil
		case err := <-linkErr:
			return err
		case f := <-n.in:
			f()
		case <-timer.C:
			n.tick()
		}
	}
}

func (n *Node) init(st persisted) {
	n.fo = ha.FailoverState{WasActive: st.WasActive}
	n.wasActive = st.WasActive
	n.groups = map[string]*ha.GroupRun{}
	n.moving = map[string]bool{}
	n.groupOf = map[string]string{}
	n.runs = map[string]*pluginRun{}
	n.lastRun = map[string]chan struct{}{}
	n.peerGroups = map[string]GroupStatus{}
	n.swactWait = map[uint64]chan error{}
	n.raised = map[string]string{}
	n.order = nil
	n.starting, n.want, n.failed, n.failedOnce, n.payload = true, ha.GroupEventGoStandby, false, false, nil
	n.released = true // nothing is published before the start-up disable is done
	for _, m := range n.domain.Members {
		g, err := ha.NewGroupRun(n.model, m.ServiceGroup)
		if err != nil {
			continue // LoadModel resolved every member
		}
		n.groups[m.ServiceGroup] = &g
		n.order = append(n.order, m.ServiceGroup)
		n.moving[m.ServiceGroup] = m.RedundancyModel != ha.RedundancyN
		for _, s := range g.Services {
			n.groupOf[s.Name] = m.ServiceGroup
		}
	}
}

// post hands f to Run's loop; it gives up when the node has stopped.
func (n *Node) post(f func()) {
	select {
	case n.in <- f:
	case <-n.done:
	}
}

// call runs f on Run's loop and returns its error.
func (n *Node) call(ctx context.Context, f func() error) error {
	if !n.running.Load() {
		return ErrNotRunning
	}
	errc := make(chan error, 1)
	select {
	case n.in <- func() { errc <- f() }:
	case <-n.done:
		return ErrNotRunning
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-errc:
		return err
	case <-n.done:
		return ErrNotRunning
	case <-ctx.Done():
		return ctx.Err()
	}
}

// settle finishes an iteration of the loop: the start-up disable,
// the report to the peer, the waiters and the status.
func (n *Node) settle() {
	if n.starting && n.allMoving(ha.GroupDisabled) {
		if s := n.stuck(); s != "" {
			if !n.stuckLogged {
				n.stuckLogged = true
				n.log.Error("ha: a service could not be disabled at start; this node takes no part until it is", "service", s)
			}
		} else {
			n.starting = false
			n.commandMoving(n.want)
		}
	}
	if n.failed && !n.failedOnce && n.allGroups(ha.GroupDisabled) {
		n.failedOnce = true
		n.log.Error("ha: this node lost survivor selection; its services are disabled")
		if n.opts.OnFailed != nil {
			go n.opts.OnFailed()
		}
	}
	n.swactFailedGroup()
	n.noteReleased()
	if n.releasePending && n.released {
		n.releasePending = false
		n.releaseLease()
	}
	n.publishReport()
	for _, w := range n.waiters {
		if !w.fired && w.done() {
			w.fired = true
			close(w.ch)
		}
	}
	n.waiters = slices.DeleteFunc(n.waiters, func(w *waiter) bool { return w.fired })
	n.publishStatus()
	n.met.set(n.fo.Role)
}

func (n *Node) nextDeadline() time.Time {
	d := n.fo.NextDeadline(n.fcfg)
	for _, g := range n.groups {
		if t := g.NextDeadline(); !t.IsZero() && (d.IsZero() || t.Before(d)) {
			d = t
		}
	}
	return d
}

func (n *Node) tick() {
	now := time.Now()
	if d := n.fo.NextDeadline(n.fcfg); !d.IsZero() && !d.After(now) {
		n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverTimer})
	}
	for _, name := range n.order {
		if d := n.groups[name].NextDeadline(); !d.IsZero() && !d.After(now) {
			n.stepGroup(name, ha.GroupEvent{Kind: ha.GroupEventTimer})
		}
	}
}

// linkEvent feeds the peer link's path and peer events to failover.
func (n *Node) linkEvent(ev hapeer.Event) {
	switch ev.Kind {
	case hapeer.EventPathUp:
		n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverPathUp, Path: ev.Path})
	case hapeer.EventPathDown:
		n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverPathDown, Path: ev.Path})
	case hapeer.EventPeerDown:
		n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverPeerDown})
		n.peerGroups = map[string]GroupStatus{}
	case hapeer.EventPeerRestarted:
		n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverPeerRestarted})
		n.peerGroups = map[string]GroupStatus{}
	}
}

func (n *Node) stepFailover(ev ha.FailoverEvent) error {
	next, acts, err := ha.StepFailover(n.fo, ev, time.Now(), n.fcfg)
	if err != nil {
		n.log.Debug("ha: failover event refused", "event", ev.Kind, "err", err)
		return err
	}
	prev := n.fo
	n.fo = next
	if next.Role != prev.Role {
		n.log.Info("ha: role", "from", prev.Role, "to", next.Role, "phase", next.Phase)
	}
	if next.WasActive != n.wasActive {
		n.saveWasActive(next.WasActive)
	}
	for _, a := range acts {
		n.failoverAction(a)
	}
	return nil
}

func (n *Node) saveWasActive(v bool) {
	st, err := loadState(n.cfg.StateDir)
	if err == nil {
		st.WasActive = v
		err = saveState(n.cfg.StateDir, st)
	}
	if err != nil {
		n.log.Error("ha: save state", "err", err)
		return
	}
	n.wasActive = v
}

func (n *Node) failoverAction(a ha.FailoverAction) {
	switch a.Kind {
	case ha.FailGoActive:
		n.log.Info("ha: go active", "rule", a.Rule)
		n.met.takeovers.Inc()
		n.released = false
		n.setWant(ha.GroupEventGoActive)
	case ha.FailGoStandby:
		n.log.Info("ha: go standby", "rule", a.Rule)
		n.setWant(ha.GroupEventGoStandby)
	case ha.FailSelf:
		n.log.Error("ha: failing this node", "rule", a.Rule)
		n.failed = true
		n.setWant(ha.GroupEventDisable)
		for _, g := range n.order {
			if !n.moving[g] {
				n.stepGroup(g, ha.GroupEvent{Kind: ha.GroupEventDisable})
			}
		}
	case ha.FailRequestFence:
		n.fence(a.Node)
	case ha.FailRequestLease, ha.FailRenewLease:
		n.acquireLease()
	case ha.FailReleaseLease:
		// Given back only once the moving groups are released (see
		// settle): the peer may be granted it at once.
		n.releasePending = true
	case ha.FailRaiseAlarm, ha.FailClearAlarm:
		n.failoverAlarm(a)
	}
}

func (n *Node) setWant(k ha.GroupEventKind) {
	n.want = k
	if !n.starting {
		n.commandMoving(k)
	}
}

func (n *Node) commandMoving(k ha.GroupEventKind) {
	for _, g := range n.order {
		if n.moving[g] {
			n.stepGroup(g, ha.GroupEvent{Kind: k})
		}
	}
}

func (n *Node) fence(node string) {
	if n.fencing {
		return // one attempt at a time; the state machine asks again after it
	}
	n.fencing = true
	if node == "" {
		node = n.fcfg.Peer
	}
	f := n.opts.Fencer
	ctx, timeout := n.ctx, n.cfg.FenceTimeout
	n.log.Warn("ha: fencing the silent peer", "node", node)
	go func() {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		err := f.Fence(ctx, node)
		n.post(func() {
			n.fencing = false
			kind := ha.FailoverFenceConfirmed
			if err != nil {
				n.log.Error("ha: fence failed", "node", node, "err", err)
				kind = ha.FailoverFenceFailed
			} else {
				n.log.Warn("ha: peer fenced", "node", node)
			}
			n.stepFailover(ha.FailoverEvent{Kind: kind})
		})
	}()
}

func (n *Node) acquireLease() {
	w, node, ctx := n.opts.Witness, n.fcfg.Node, n.ctx
	timeout := n.fcfg.RetryInterval
	if timeout == 0 {
		timeout = time.Second
	}
	go func() {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		until, err := w.Acquire(ctx, node)
		n.post(func() {
			var held *ha.LeaseHeldError
			switch {
			case err == nil:
				n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverLeaseGranted, LeaseUntil: until})
			case errors.As(err, &held):
				n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverPeerLease, LeaseUntil: held.Until})
				n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverLeaseFailed})
			default:
				n.log.Warn("ha: witness", "err", err)
				n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverLeaseFailed})
			}
		})
	}()
}

func (n *Node) releaseLease() {
	w, node, ctx := n.opts.Witness, n.fcfg.Node, n.ctx
	go func() {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := w.Release(ctx, node); err != nil {
			n.log.Warn("ha: witness release", "err", err)
		}
	}()
}

// others are the states of the services outside group g, for its
// cross-group dependencies.
func (n *Node) others(g string) map[string]ha.ServiceState {
	m := map[string]ha.ServiceState{}
	for _, name := range n.order {
		if name == g {
			continue
		}
		for _, s := range n.groups[name].Services {
			m[s.Name] = s.State
		}
	}
	return m
}

// stepGroup feeds ev to group g, performs its actions, and lets the
// other groups re-evaluate their cross-group dependencies when a member
// changed state.
func (n *Node) stepGroup(g string, ev ha.GroupEvent) {
	n.stepGroupDepth(g, ev, 0)
}

func (n *Node) stepGroupDepth(g string, ev ha.GroupEvent, depth int) {
	cur := n.groups[g]
	next, acts, err := ha.StepGroup(*cur, ev, time.Now(), ha.GroupConfig{Model: n.model, Others: n.others(g)})
	if err != nil {
		n.log.Debug("ha: group event refused", "group", g, "event", ev.Kind, "err", err)
		return
	}
	changed := false
	for i := range next.Services {
		if i < len(cur.Services) && next.Services[i].State != cur.Services[i].State {
			changed = true
		}
	}
	*cur = next
	for _, a := range acts {
		switch a.Kind {
		case ha.DoRun:
			n.startRun(g, a.Service, a.Action)
		case ha.DoCancel:
			if r := n.runs[a.Service]; r != nil {
				r.cancel()
				delete(n.runs, a.Service)
			}
		case ha.DoReport:
			n.groupAlarm(a)
		}
	}
	if changed && depth < 4 {
		for _, o := range n.order {
			if o != g {
				n.stepGroupDepth(o, ha.GroupEvent{Kind: ha.GroupEventAudit}, depth+1)
			}
		}
	}
}

// startRun runs a service's action plugin on its own goroutine; the
// result comes back to the loop, where a result of a run that was
// cancelled or overtaken is dropped.
func (n *Node) startRun(g, service string, action ha.ActionName) {
	svc, err := n.model.Service(service)
	if err != nil {
		return
	}
	svc = n.resolve(svc)
	spec := svc.Action(action)
	if old := n.runs[service]; old != nil {
		old.cancel()
	}
	n.runSeq++
	id := n.runSeq
	timeout := time.Minute
	if spec != nil && spec.Timeout > 0 {
		timeout = spec.Timeout + time.Second // the state machine times it out first
	}
	ctx, cancel := context.WithTimeout(n.ctx, timeout)
	n.runs[service] = &pluginRun{id: id, action: action, cancel: cancel}
	call := ha.PluginCall{Service: svc, Action: action, Spec: spec, Active: n.groups[g].DesiredState == ha.GroupActive}
	plugins := n.opts.Plugins
	// A run starts only once the service's run before it (cancelled or
	// overtaken) has returned: a late go-active never lands after the
	// disable that overtook it.
	prev, done := n.lastRun[service], make(chan struct{})
	n.lastRun[service] = done
	n.plugins.Add(1)
	go func() {
		defer n.plugins.Done()
		defer close(done)
		defer cancel()
		if prev != nil {
			select {
			case <-prev:
			case <-ctx.Done():
			}
		}
		res := ha.PluginResult{Result: ha.ResultTimeout, Err: fmt.Errorf("ha: %s of %s: the run before it did not return in time", action, service)}
		if ctx.Err() == nil {
			res = plugins.Run(ctx, call)
		}
		if res.Result != ha.ResultSuccess && res.Err != nil {
			n.log.Warn("ha: action", "service", service, "action", action, "result", res.Result, "err", res.Err)
		}
		n.post(func() {
			r := n.runs[service]
			if r == nil || r.id != id {
				return
			}
			delete(n.runs, service)
			n.stepGroup(g, ha.GroupEvent{Kind: ha.GroupEventService, Service: service, Event: res.Event(action)})
		})
	}()
}

// resolve fills in a floating address service's address and interface
// from the configuration.
func (n *Node) resolve(svc *ha.Service) *ha.Service {
	if svc.Kind != ha.KindIP || svc.IP == nil {
		return svc
	}
	a, ok := n.cfg.Addresses[svc.IP.Network]
	if !ok {
		return svc
	}
	c := *svc
	ip := *svc.IP
	if ip.Address == "" {
		ip.Address = a.Address
	}
	if ip.Interface == "" {
		ip.Interface = a.Interface
	}
	c.IP = &ip
	return &c
}

func (n *Node) allMoving(s ha.GroupState) bool {
	for _, g := range n.order {
		if n.moving[g] && n.groups[g].State != s {
			return false
		}
	}
	return true
}

func (n *Node) allGroups(s ha.GroupState) bool {
	for _, g := range n.order {
		if n.groups[g].State != s {
			return false
		}
	}
	return true
}

// swactFailedGroup moves activity to a healthy standby peer when a
// moving group has failed on this active node (a critical member failed
// past its max_failures), as StarlingX's SM does: the services are
// better off on the other controller. The peer's own group must not be
// failed, so that the two do not hand a broken group back and forth.
func (n *Node) swactFailedGroup() {
	if n.fo.Role != ha.ControllerActive || n.fo.Yield || !n.fo.PeerAlive() || n.fo.PeerRole != ha.ControllerStandby {
		return
	}
	for _, g := range n.order {
		if !n.moving[g] || n.groups[g].Status != ha.StatusFailed {
			continue
		}
		if pg, ok := n.peerGroups[g]; !ok || pg.Status == ha.StatusFailed {
			continue
		}
		n.log.Warn("ha: service group failed on the active controller; swact to the standby", "group", g)
		_ = n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverSwact})
		return
	}
}

// holding reports whether this node may still hold what only the
// active may hold (a floating address): it went active and the members
// of its moving groups have not all reached enabled-standby or disabled
// since. A member whose stop failed (unknown, failed) keeps the node
// holding: its peer does not take over from it.
func (n *Node) holding() bool { return !n.released }

// noteReleased marks the moving groups released once the node is not
// active and every one of them is standby or disabled.
func (n *Node) noteReleased() {
	if n.released || n.fo.Role == ha.ControllerActive {
		return
	}
	if n.stuck() != "" {
		return
	}
	n.released = true
}

// stuck names a member of a moving group that is neither disabled nor
// enabled-standby (it may still hold its address or run: a failed stop
// leaves it unknown), or returns "".
func (n *Node) stuck() string {
	for _, g := range n.order {
		if !n.moving[g] {
			continue
		}
		for _, s := range n.groups[g].Services {
			if s.State != ha.ServiceDisabled && s.State != ha.ServiceEnabledStandby {
				return s.Name
			}
		}
	}
	return ""
}

// report is what a node tells its peer in every heartbeat (and in a
// hello whenever it changes): its failover report and its groups.
type report struct {
	// R is the failover report; absent while the node is starting (it
	// takes no part in survivor selection until its moving groups are
	// disabled).
	R *ha.FailoverEvent `json:"r,omitempty"`
	// G are the node's groups.
	G []wireGroup `json:"g,omitempty"`
}

type wireGroup struct {
	Name      string        `json:"n"`
	Desired   ha.GroupState `json:"d"`
	State     ha.GroupState `json:"s"`
	Status    ha.Status     `json:"st,omitempty"`
	Condition ha.Condition  `json:"c,omitempty"`
}

func (n *Node) publishReport() {
	var r report
	if !n.starting {
		rep := n.fo.Report()
		if rep.Role != ha.ControllerActive && n.holding() {
			// Still releasing: the peer must not take over yet.
			rep.Role = ha.ControllerActive
		}
		r.R = &rep
	}
	for _, g := range n.order {
		gr := n.groups[g]
		r.G = append(r.G, wireGroup{Name: g, Desired: gr.DesiredState, State: gr.State, Status: gr.Status, Condition: gr.Condition})
	}
	b, err := json.Marshal(r)
	if err == nil && len(b) > hapeer.MaxPayload {
		r.G = nil
		b, err = json.Marshal(r)
	}
	if err != nil || bytes.Equal(b, n.payload) {
		return
	}
	n.payload = b
	if err := n.link.SetHeartbeatPayload(b); err != nil {
		n.log.Error("ha: heartbeat payload", "err", err)
		return
	}
	// Tell the peer now rather than at the next heartbeat: a swact's or
	// a takeover's handshake takes a few reports.
	if err := n.link.Send(hapeer.TypeHello, b); err != nil && !errors.Is(err, hapeer.ErrNotRunning) {
		n.log.Debug("ha: hello", "err", err)
	}
}

// decodeReport parses a peer's report. The payload is authenticated,
// but a peer running another version may still send anything; a report
// that does not parse or is not a peer-state is refused whole.
func decodeReport(b []byte) (report, error) {
	var r report
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return report{}, err
	}
	if dec.More() {
		return report{}, errors.New("hanode: trailing data after the report")
	}
	if r.R != nil && r.R.Kind != ha.FailoverPeerState {
		return report{}, fmt.Errorf("hanode: report kind %q, want %q", r.R.Kind, ha.FailoverPeerState)
	}
	if r.R != nil && !r.R.Role.Valid() {
		return report{}, fmt.Errorf("hanode: report role %q", r.R.Role)
	}
	for _, g := range r.G {
		if !g.State.Valid() || !g.Desired.Valid() || (g.Status != "" && !g.Status.Valid()) || !g.Condition.Valid() {
			return report{}, fmt.Errorf("hanode: group %q: bad state", g.Name)
		}
	}
	return r, nil
}

func (n *Node) peerPayload(b []byte) {
	if len(b) == 0 {
		return // a peer that has not reported yet
	}
	r, err := decodeReport(b)
	if err != nil {
		n.log.Warn("ha: peer report dropped", "err", err)
		return
	}
	pg := make(map[string]GroupStatus, len(r.G))
	for _, g := range r.G {
		pg[g.Name] = GroupStatus{Name: g.Name, DesiredState: g.Desired, State: g.State, Status: g.Status, Condition: g.Condition}
	}
	n.peerGroups = pg
	if r.R != nil {
		n.stepFailover(*r.R)
	}
}

// message handles the peer's messages other than heartbeats.
func (n *Node) message(m hapeer.Message) {
	switch m.Type {
	case hapeer.TypeHello:
		n.peerPayload(m.Payload)
	case hapeer.TypeSwactRequest:
		var req swactMsg
		if err := json.Unmarshal(m.Payload, &req); err != nil {
			return
		}
		err := n.swactRefusal(n.swactLocal(req.Force))
		resp := swactMsg{ID: req.ID}
		if err != nil {
			resp.Error = err.Error()
			var re *ha.RuleError
			if errors.As(err, &re) {
				resp.Rule = re.Rule
			}
		}
		b, _ := json.Marshal(resp)
		_ = n.link.Send(hapeer.TypeSwactResponse, b)
	case hapeer.TypeSwactResponse:
		var resp swactMsg
		if err := json.Unmarshal(m.Payload, &resp); err != nil {
			return
		}
		if ch, ok := n.swactWait[resp.ID]; ok {
			delete(n.swactWait, resp.ID)
			var err error
			if resp.Error != "" {
				err = &ha.RuleError{Rule: resp.Rule, Reason: "peer: " + resp.Error}
				if resp.Rule == "" {
					err = fmt.Errorf("%w: peer: %s", ha.ErrUnavailable, resp.Error)
				}
			}
			ch <- err
		}
	}
}

type swactMsg struct {
	ID    uint64 `json:"id"`
	Force bool   `json:"force,omitempty"`
	Error string `json:"error,omitempty"`
	Rule  string `json:"rule,omitempty"`
}

// Alarms.

type alarmOp struct {
	set   *fault.Alarm
	id    string
	eid   string
	clear bool
}

func (n *Node) alarmLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case op := <-n.alarms:
			if n.opts.Alarms == nil {
				continue
			}
			actx, cancel := context.WithTimeout(ctx, 5*time.Second)
			var err error
			if op.clear {
				err = n.opts.Alarms.ClearAlarm(actx, op.id, op.eid)
				if errors.Is(err, fault.ErrNotFound) {
					err = nil
				}
			} else {
				_, err = n.opts.Alarms.SetAlarm(actx, *op.set)
			}
			cancel()
			if err != nil {
				n.log.Warn("ha: alarm", "alarm", op.id, "entity", op.eid, "err", err)
			}
		}
	}
}

func (n *Node) queueAlarm(op alarmOp) {
	if op.clear {
		n.log.Info("ha: clear alarm", "alarm", op.id, "entity", op.eid)
	} else {
		n.log.Warn("ha: raise alarm", "alarm", op.id, "entity", op.eid, "reason", op.set.ReasonText)
	}
	select {
	case n.alarms <- op:
	default:
		n.log.Error("ha: alarm queue full; dropped", "alarm", op.id, "entity", op.eid)
	}
}

func (n *Node) failoverAlarm(a ha.FailoverAction) {
	switch a.Alarm {
	case ha.AlarmPathLost:
		eid := "host=" + n.fcfg.Node + ".network=" + a.Path
		if a.Kind == ha.FailClearAlarm {
			n.queueAlarm(alarmOp{id: a.Alarm, eid: eid, clear: true})
			return
		}
		n.queueAlarm(alarmOp{id: a.Alarm, eid: eid, set: &fault.Alarm{AlarmID: a.Alarm, State: fault.StateSet,
			EntityTypeID: "host.network", EntityInstanceID: eid, Severity: fault.SeverityMajor,
			ReasonText: fmt.Sprintf("Communication failure detected with peer over port %s on host %s", a.Path, n.fcfg.Node),
			AlarmType:  fault.AlarmTypeCommunication, ProbableCause: fault.CauseUnderlyingResourceUnavail,
			ProposedRepairAction: "Check the " + a.Path + " network between the two controllers.", ServiceAffecting: true, Suppression: true}})
	case ha.AlarmNoTakeover:
		for _, g := range n.order {
			if !n.moving[g] {
				continue
			}
			eid := "service_domain=" + n.domain.Name + ".service_group=" + g
			if a.Kind == ha.FailClearAlarm {
				n.queueAlarm(alarmOp{id: a.Alarm, eid: eid, clear: true})
				continue
			}
			n.queueAlarm(alarmOp{id: a.Alarm, eid: eid, set: &fault.Alarm{AlarmID: a.Alarm, State: fault.StateSet,
				EntityTypeID: "service_domain.service_group", EntityInstanceID: eid, Severity: fault.SeverityMajor,
				ReasonText: fmt.Sprintf("Service group %s loss of redundancy; %s cannot take over from its silent peer %s (%s)", g, n.fcfg.Node, n.fcfg.Peer, a.Rule),
				AlarmType:  fault.AlarmTypeProcessingError, ProbableCause: fault.CauseUnderlyingResourceUnavail,
				ProposedRepairAction: "Bring the peer controller back, or configure a fence (its BMC) or a witness.", ServiceAffecting: true, Suppression: true}})
		}
	}
}

func (n *Node) groupAlarm(a ha.Action) {
	eid := "service_domain=" + n.domain.Name + ".service_group=" + a.Group + ".host=" + n.fcfg.Node
	var sev fault.Severity
	switch a.Status {
	case ha.StatusFailed:
		sev = fault.SeverityCritical
	case ha.StatusDegraded:
		sev = fault.SeverityMajor
	case ha.StatusWarn:
		sev = fault.SeverityMinor
	default:
		// Cleared once per run (an alarm may be left from before a
		// restart), then only after a raise.
		if n.raised[eid] != "clear" {
			n.raised[eid] = "clear"
			n.queueAlarm(alarmOp{id: "400.001", eid: eid, clear: true})
		}
		return
	}
	if n.raised[eid] == sev.String()+string(a.State)+string(a.Condition) {
		return // unchanged
	}
	n.raised[eid] = sev.String() + string(a.State) + string(a.Condition)
	cond := ""
	if a.Condition != "" {
		cond = ", " + string(a.Condition)
	}
	n.queueAlarm(alarmOp{id: "400.001", eid: eid, set: &fault.Alarm{AlarmID: "400.001", State: fault.StateSet,
		EntityTypeID: "service_domain.service_group.host", EntityInstanceID: eid, Severity: sev,
		ReasonText: fmt.Sprintf("Service group %s %s on host %s (%s%s)", a.Group, a.Status, n.fcfg.Node, a.State, cond),
		AlarmType:  fault.AlarmTypeProcessingError, ProbableCause: fault.CauseUnderlyingResourceUnavail,
		ProposedRepairAction: "Lock and unlock the host; contact support if the service group stays unhealthy.", ServiceAffecting: true, Suppression: true}})
}

// Status.

// Status is a snapshot of a node's view: its role and the peer's, the
// paths, and both nodes' service groups.
type Status struct {
	Node  string
	Peer  string
	Role  ha.ControllerState
	Phase ha.FailoverPhase
	// Starting: the node is still disabling what an earlier run left.
	Starting bool
	// Failed: the node lost survivor selection.
	Failed    bool
	PeerAlive bool
	PeerRole  ha.ControllerState
	Paths     map[string]bool
	// Groups are this node's groups, with their services; PeerGroups
	// the peer's as last reported (without services).
	Groups     []GroupStatus
	PeerGroups []GroupStatus
	// Failover is the failover state machine's state.
	Failover ha.FailoverState
}

// GroupStatus is a service group on one node.
type GroupStatus struct {
	Name         string
	DesiredState ha.GroupState
	State        ha.GroupState
	Status       ha.Status
	Condition    ha.Condition
	Services     []ha.ServiceRun
}

func (n *Node) publishStatus() {
	s := &Status{Node: n.cfg.Link.Node, Peer: n.cfg.Link.Peer, Role: n.fo.Role, Phase: n.fo.Phase,
		Starting: n.starting, Failed: n.failed, PeerAlive: n.fo.PeerAlive(), PeerRole: n.fo.PeerRole,
		Paths: map[string]bool{}, Failover: n.fo}
	if s.Role == "" {
		s.Role = ha.ControllerInit
	}
	for p, ok := range n.fo.Paths {
		s.Paths[p] = ok
	}
	for _, g := range n.order {
		gr := n.groups[g]
		s.Groups = append(s.Groups, GroupStatus{Name: g, DesiredState: gr.DesiredState, State: gr.State,
			Status: gr.Status, Condition: gr.Condition, Services: slices.Clone(gr.Services)})
		if pg, ok := n.peerGroups[g]; ok {
			s.PeerGroups = append(s.PeerGroups, pg)
		}
	}
	n.status.Store(s)
}

// Status returns the node's current view. It is safe to call at any
// time, from any goroutine.
func (n *Node) Status() Status { return *n.status.Load() }

// Swacts.

// Swact moves activity away from req.Node (this node or its peer) to
// the other controller, and returns once every moving group is active
// on the other and standby (or disabled) on req.Node, or with the error
// that stopped it. Unless forced it runs §3.7's pre-checks first
// (ha.CheckSwact: a peer to swact to, unlocked and enabled, no group
// transitioning or unhealthy); CheckOnly runs only them. Even forced,
// the failover state machine refuses (a *ha.RuleError, RuleSwact) a
// swact whose target is not heard and standby.
func (n *Node) Swact(ctx context.Context, req ha.SwactRequest) error {
	var w *waiter
	var resp chan error
	var id uint64
	self, peer, node, force := n.fcfg.Node, n.fcfg.Peer, req.Node, req.Force
	err := n.call(ctx, func() error {
		if node != self && node != peer {
			return fmt.Errorf("swact: node %q: %w", node, ha.ErrNotFound)
		}
		if req.CheckOnly {
			return n.swactPrecheck(node)
		}
		switch node {
		case self:
			if err := n.swactLocal(force); err != nil {
				return n.swactRefusal(err)
			}
		case peer:
			if !force {
				if err := n.swactPrecheck(peer); err != nil {
					return err
				}
			}
			n.swactSeq++
			id = n.swactSeq
			resp = make(chan error, 1)
			n.swactWait[n.swactSeq] = resp
			b, _ := json.Marshal(swactMsg{ID: n.swactSeq, Force: force})
			if err := n.link.Send(hapeer.TypeSwactRequest, b); err != nil {
				delete(n.swactWait, n.swactSeq)
				return fmt.Errorf("%w: %v", ha.ErrUnavailable, err)
			}
		}
		w = &waiter{ch: make(chan struct{}), done: func() bool { return n.swactDone(node) }}
		n.waiters = append(n.waiters, w)
		return nil
	})
	if err != nil || req.CheckOnly {
		return err
	}
	// forget drops the waiter (and the pending answer) of a swact given
	// up, so that they do not linger in the loop.
	forget := func(id uint64) {
		n.post(func() {
			n.waiters = slices.DeleteFunc(n.waiters, func(x *waiter) bool { return x == w })
			delete(n.swactWait, id)
		})
	}
	if resp != nil {
		select {
		case err := <-resp:
			if err != nil {
				forget(id)
				return err
			}
		case <-time.After(2 * time.Second):
			forget(id)
			return fmt.Errorf("%w: the peer did not answer the swact request", ha.ErrUnavailable)
		case <-ctx.Done():
			forget(id)
			return ctx.Err()
		}
	}
	timeout := n.fcfg.SwactTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	select {
	case <-w.ch:
		if !w.fired {
			return ErrNotRunning // closed by Run's return, not by completion
		}
		return nil
	case <-time.After(timeout + time.Second):
		forget(id)
		return &ha.RuleError{Rule: ha.RuleSwactFailed, Reason: fmt.Sprintf("the swact away from %s did not complete within %v", node, timeout)}
	case <-ctx.Done():
		forget(id)
		return ctx.Err()
	}
}

// swactRefusal turns the failover state machine's refusal of a swact
// (forced, so past the pre-checks) into the API's rules: no peer to swact
// to, or the swact failed.
func (n *Node) swactRefusal(err error) error {
	var re *ha.RuleError
	if !errors.As(err, &re) || re.Rule != ha.RuleSwact {
		return err
	}
	if !n.fo.PeerAlive() {
		return &ha.RuleError{Rule: ha.RuleSwactNoPeer, Reason: re.Reason}
	}
	return &ha.RuleError{Rule: ha.RuleSwactFailed, Reason: re.Reason}
}

// swactLocal starts a swact away from this node.
func (n *Node) swactLocal(force bool) error {
	if !force {
		if err := n.swactPrecheck(n.fcfg.Node); err != nil {
			return err
		}
	}
	return n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverSwact})
}

// swactPrecheck is §3.7's, on the current state: ha.CheckSwact.
func (n *Node) swactPrecheck(from string) error {
	n.publishStatus()
	st := n.Status()
	return ha.CheckSwact(n.model, n.serviceNodes(st), n.assignments(st), ha.SwactRequest{Node: from})
}

// swactDone: every moving group is active, and not transitioning, on
// the node other than from, and standby or disabled on from
// (ha.SwactComplete on the current assignments).
func (n *Node) swactDone(from string) bool {
	n.publishStatus()
	st := n.Status()
	as := n.assignments(st)
	other := false
	for _, a := range as {
		other = other || a.NodeName != from
	}
	return other && ha.SwactComplete(n.model, as, from)
}

// SetHealth feeds this node's interface-down flags to survivor
// selection (the healthier node is active).
func (n *Node) SetHealth(h ha.InterfaceDown) {
	n.post(func() { n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverHealth, Health: h}) })
}

// SetClusterView feeds host maintenance's cluster view (nil: lost) to
// survivor selection.
func (n *Node) SetClusterView(v *ha.ClusterView) {
	n.post(func() { n.stepFailover(ha.FailoverEvent{Kind: ha.FailoverClusterView, View: v}) })
}

// metrics are the node's gauges and counters.
type metrics struct {
	active    prometheus.Gauge
	takeovers prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		active: prometheus.NewGauge(prometheus.GaugeOpts{Name: "flock_ha_active",
			Help: "1 while this controller is active."}),
		takeovers: prometheus.NewCounter(prometheus.CounterOpts{Name: "flock_ha_go_active_total",
			Help: "Times this controller went active."}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.active, m.takeovers} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *metrics) set(role ha.ControllerState) {
	if role == ha.ControllerActive {
		m.active.Set(1)
	} else {
		m.active.Set(0)
	}
}
