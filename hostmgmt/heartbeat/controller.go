package heartbeat

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeflock/flock/hostmgmt"
)

// Interface guards.
var (
	_ hostmgmt.Heartbeat = (*Controller)(nil)
	_ hostmgmt.Agents    = (*Controller)(nil)
)

// readBuffer is the receive buffer NewController asks for on each
// socket: the answers to a period's pulses to thousands of hosts arrive
// at once.
const readBuffer = 4 << 20

// resultTTL is how long the controller waits for a delivered command's
// result before it forgets the command (a reboot has none).
const resultTTL = time.Hour

// Controller is the controller's side: it pulses the monitored hosts on
// every network they answer on, counts misses, reports health changes,
// mtcAlive, command results and MNFA to its Observer, and delivers
// commands. It implements hostmgmt.Heartbeat and hostmgmt.Agents.
//
// Its methods are safe for concurrent use. It calls its Observer from
// one goroutine at a time, never while it holds its own lock, so the
// Observer may call back into it.
type Controller struct {
	cfg     Config
	obs     hostmgmt.Observer
	log     *slog.Logger
	m       *metrics
	nets    []*ctlNet // in netNames order
	cmdID   atomic.Uint64
	running atomic.Bool

	mu      sync.Mutex // guards the hosts, their MACs and pending
	hosts   map[string]*ctlHost
	list    []*ctlHost
	pending map[uint64]*pendingCmd

	obsMu sync.Mutex // one Observe at a time

	// The pulse loop's own.
	snap []*ctlHost
	out  []report
}

// report is an observation waiting to be delivered.
type report struct {
	host string
	o    hostmgmt.Observation
}

// ctlNet is one network's socket and state.
type ctlNet struct {
	name hostmgmt.Network
	idx  int
	conn *net.UDPConn

	sendMu sync.Mutex // held from taking a sequence to writing its packet, so they leave in order
	seq    uint64
	sbuf   [maxPacket]byte

	// The receive loop's own.
	rbuf    [maxPacket + 1]byte
	scratch [tagLen]byte

	// The pulse loop's own; it writes period with c.mu held.
	period    time.Duration
	lastSend  time.Time // when the last pulses were due
	checkAt   time.Time // when their answers are checked
	checkDue  bool
	mnfa      bool
	mnfaSince time.Time
	mnfaHeld  bool // MNFA ended by its timeout: not entered again before the count falls below the threshold
}

// ctlHost is what the controller knows of a host.
type ctlHost struct {
	uuid      string
	mac       hash.Hash // nil: no key, the host's packets are dropped
	monitored bool
	gone      bool // removed by SetKey(nil)
	net       [numNets]hostNet

	// mtcAlive, as last reported.
	heard      bool
	lastAlive  time.Time
	offline    bool
	configured bool
	bootID     string
	flags      hostmgmt.HealthFlags
}

// hostNet is a host's heartbeat on one network.
type hostNet struct {
	addr     netip.AddrPort // learned from its packets; zero until heard
	lastSeq  uint64         // the last sequence accepted from the host here
	pulseSeq uint64         // the outstanding pulse; 0 before the first
	answered bool           // the outstanding pulse was answered
	misses   int            // consecutive missed pulses
	rspFlags hostmgmt.HealthFlags
	health   hostmgmt.Health // as last reported; "" before the first report
	flags    hostmgmt.HealthFlags
}

func (hn *hostNet) resetCounts() {
	hn.pulseSeq, hn.answered, hn.misses = 0, false, 0
	hn.health, hn.flags, hn.rspFlags = "", 0, 0 // unknown: the first look reports it
}

// pendingCmd is a command sent and not yet acknowledged, or whose result
// has not come.
type pendingCmd struct {
	host       string
	cmd        hostmgmt.Command
	at         time.Time
	acked      chan struct{} // closed at the acknowledgement
	ackDone    bool
	wantResult bool
}

// NewController returns a controller side that uses conns (one bound UDP
// socket per network; the caller owns them) and reports to obs. reg, if
// not nil, gets its metrics; log may be nil.
//
// cfg must pass Validate. NewController asks for a 4 MiB receive buffer
// on each socket (the kernel caps it at net.core.rmem_max): the answers
// of thousands of hosts arrive within a few milliseconds of each other.
// Run sets the sockets' read deadlines to stop its receive loops and
// clears them when it returns; the caller must not set them meanwhile.
func NewController(conns map[hostmgmt.Network]*net.UDPConn, obs hostmgmt.Observer, cfg Config, reg prometheus.Registerer, log *slog.Logger) (*Controller, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("heartbeat: %w", err)
	}
	return newController(conns, obs, cfg.withDefaults(), reg, log)
}

// newController takes cfg as it is: the tests run it faster than
// Validate allows.
func newController(conns map[hostmgmt.Network]*net.UDPConn, obs hostmgmt.Observer, cfg Config, reg prometheus.Registerer, log *slog.Logger) (*Controller, error) {
	if obs == nil {
		return nil, errors.New("heartbeat: nil observer")
	}
	if len(conns) == 0 {
		return nil, fmt.Errorf("heartbeat: %w", &hostmgmt.FieldError{Field: "conns", Reason: "no network socket"})
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Controller{cfg: cfg, obs: obs, log: log, hosts: map[string]*ctlHost{}, pending: map[uint64]*pendingCmd{}}
	start := uint64(time.Now().UnixNano())
	c.cmdID.Store(start)
	for n, conn := range conns {
		i := netIndex(n)
		if i < 0 {
			return nil, fmt.Errorf("heartbeat: %w", &hostmgmt.FieldError{Field: "conns", Reason: fmt.Sprintf("unknown network %q", n)})
		}
		if conn == nil {
			return nil, fmt.Errorf("heartbeat: %w", &hostmgmt.FieldError{Field: "conns", Reason: fmt.Sprintf("no socket for network %s", n)})
		}
		if err := conn.SetReadBuffer(readBuffer); err != nil {
			log.Warn("heartbeat: cannot size the receive buffer", "network", n, "err", err)
		}
		c.nets = append(c.nets, &ctlNet{name: n, idx: i, conn: conn, seq: start, period: cfg.Period})
	}
	slices.SortFunc(c.nets, func(a, b *ctlNet) int { return a.idx - b.idx })
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	c.m = m
	return c, nil
}

// SetKey implements hostmgmt.Heartbeat. A new key replaces the old one at
// once. SetKey(uuid, nil) forgets the host: its key, its addresses and
// its heartbeat (it is no longer monitored).
func (c *Controller) SetKey(hostUUID string, key []byte) {
	if len(hostUUID) == 0 || len(hostUUID) > maxHostLen {
		c.log.Error("heartbeat: host uuid must be 1–64 bytes; key ignored", "host", hostUUID)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.hosts[hostUUID]
	if len(key) == 0 {
		if h != nil {
			c.removeHost(h)
		}
		return
	}
	if h == nil {
		h = c.addHost(hostUUID)
	}
	h.mac = newMAC(key) // hmac.New keeps no reference to key
}

// addHost adds an entry for uuid; c.mu is held.
func (c *Controller) addHost(uuid string) *ctlHost {
	h := &ctlHost{uuid: uuid}
	for i := range h.net {
		h.net[i].resetCounts()
	}
	c.hosts[uuid] = h
	c.list = append(c.list, h)
	return h
}

// removeHost removes h; c.mu is held.
func (c *Controller) removeHost(h *ctlHost) {
	h.gone = true
	if h.monitored {
		c.m.monitored.Dec()
	}
	delete(c.hosts, h.uuid)
	if i := slices.Index(c.list, h); i >= 0 {
		last := len(c.list) - 1
		c.list[i] = c.list[last]
		c.list[last] = nil
		c.list = c.list[:last]
	}
}

// Monitor implements hostmgmt.Heartbeat. Starting and stopping both
// forget the host's miss counts and last reported health: after a start,
// the first look at each network the host is heard on reports its health
// (ok when it answers), so the observer learns which networks it has.
// A host is pulsed on the networks it has been heard on; one with no
// key is remembered and pulsed once it has one.
func (c *Controller) Monitor(hostUUID string, on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.hosts[hostUUID]
	if h == nil {
		if !on || len(hostUUID) == 0 || len(hostUUID) > maxHostLen {
			return
		}
		h = c.addHost(hostUUID)
	}
	switch {
	case on && !h.monitored:
		c.m.monitored.Inc()
	case !on && h.monitored:
		c.m.monitored.Dec()
	}
	h.monitored = on
	for i := range h.net {
		h.net[i].resetCounts()
	}
	if !on && h.mac == nil {
		c.removeHost(h)
	}
}

// Send implements hostmgmt.Agents. It sends the command on the
// management network (else on another network the host was heard on)
// and again every CommandTimeout until the host's agent acknowledges it
// or ctx ends. The agent runs a command once however often it comes.
func (c *Controller) Send(ctx context.Context, hostUUID string, cmd hostmgmt.Command) error {
	if !cmd.Valid() {
		return fmt.Errorf("heartbeat: send to host %s: %w", hostUUID, &hostmgmt.FieldError{Field: "command", Reason: fmt.Sprintf("unknown command %q", cmd)})
	}
	id := c.cmdID.Add(1)
	p := &pendingCmd{host: hostUUID, cmd: cmd, at: time.Now(), acked: make(chan struct{}), wantResult: cmd != hostmgmt.CmdMtcAlive}
	c.mu.Lock()
	c.pending[id] = p
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}
	t := time.NewTimer(c.cfg.CommandTimeout)
	defer t.Stop()
	for {
		n, err := c.commandNet(hostUUID)
		if err == nil {
			err = c.sendTo(n, hostUUID, msg{kind: kindCmd, id: id, command: string(cmd)})
		}
		if err != nil && !errors.Is(err, errWrite) {
			forget()
			return fmt.Errorf("heartbeat: %s to host %s: %w: %w", cmd, hostUUID, hostmgmt.ErrUnavailable, err)
		}
		select {
		case <-p.acked:
			if !p.wantResult {
				forget()
			}
			return nil
		case <-ctx.Done():
			forget()
			return fmt.Errorf("heartbeat: %s to host %s: not acknowledged: %w: %w", cmd, hostUUID, hostmgmt.ErrUnavailable, ctx.Err())
		case <-t.C:
			t.Reset(c.cfg.CommandTimeout)
		}
	}
}

var (
	errUnknownHost = errors.New("unknown host")
	errNoAddress   = errors.New("host not heard on any network")
	errWrite       = errors.New("write failed")
)

// commandNet picks the network to send a command to host on: the
// management network if the host was heard on it, else the first other.
func (c *Controller) commandNet(host string) (*ctlNet, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.hosts[host]
	if h == nil || h.mac == nil {
		return nil, errUnknownHost
	}
	for _, n := range c.nets {
		if h.net[n.idx].addr.IsValid() {
			return n, nil
		}
	}
	return nil, errNoAddress
}

// sendTo sends m to host on n, with the sequence, network, host and time
// filled in.
func (c *Controller) sendTo(n *ctlNet, host string, m msg) error {
	n.sendMu.Lock()
	defer n.sendMu.Unlock()
	c.mu.Lock()
	h := c.hosts[host]
	if h == nil || h.mac == nil {
		c.mu.Unlock()
		return errUnknownHost
	}
	addr := h.net[n.idx].addr
	if !addr.IsValid() {
		c.mu.Unlock()
		return errNoAddress
	}
	n.seq++
	m.seq, m.network, m.host, m.time = n.seq, n.name, h.uuid, time.Now().UnixNano()
	b := seal(h.mac, m.appendTo(n.sbuf[:0]))
	c.mu.Unlock()
	if _, err := n.conn.WriteToUDPAddrPort(b, addr); err != nil {
		c.log.Debug("heartbeat: send", "network", n.name, "host", host, "kind", m.kind, "err", err)
		return fmt.Errorf("%w: %w", errWrite, err)
	}
	return nil
}

// Run serves until ctx ends: one receive loop per network and the pulse
// loop. It returns nil when ctx ends.
func (c *Controller) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("heartbeat: controller already running")
	}
	defer c.running.Store(false)
	var wg sync.WaitGroup
	for _, n := range c.nets {
		wg.Go(func() { c.receive(ctx, n) })
	}
	woken := make(chan struct{})
	context.AfterFunc(ctx, func() {
		for _, n := range c.nets {
			_ = n.conn.SetReadDeadline(time.Unix(1, 0)) // wakes the receive loops
		}
		close(woken)
	})
	c.pulseLoop(ctx) // until ctx ends
	<-woken
	wg.Wait()
	for _, n := range c.nets {
		_ = n.conn.SetReadDeadline(time.Time{})
	}
	return nil
}

// receive reads n's socket until ctx ends.
func (c *Controller) receive(ctx context.Context, n *ctlNet) {
	for {
		nb, from, err := n.conn.ReadFromUDPAddrPort(n.rbuf[:])
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, net.ErrClosed) {
				c.log.Error("heartbeat: socket closed under the controller", "network", n.name)
				return
			}
			c.log.Debug("heartbeat: read", "network", n.name, "err", err)
			continue
		}
		c.handle(n, n.rbuf[:nb], from, time.Now())
	}
}

// handle takes one packet that arrived on n from from.
func (c *Controller) handle(n *ctlNet, b []byte, from netip.AddrPort, now time.Time) {
	f, err := parse(b)
	if err == nil && !f.kind.fromHost() {
		err = errDirection
	}
	if err != nil {
		c.m.malformed.Inc()
		c.log.Debug("heartbeat: malformed packet dropped", "network", n.name, "from", from, "err", err)
		return
	}
	c.mu.Lock()
	h := c.hosts[string(f.host)]
	if h == nil || h.mac == nil {
		c.mu.Unlock()
		c.m.unknownHost.Inc()
		c.log.Debug("heartbeat: packet of an unknown host dropped", "network", n.name, "from", from)
		return
	}
	if !verify(h.mac, &f, &n.scratch) {
		c.mu.Unlock()
		c.m.forged.Inc()
		c.log.Debug("heartbeat: forged packet dropped", "network", n.name, "from", from)
		return
	}
	hn := &h.net[n.idx]
	if f.network != n.name || f.seq <= hn.lastSeq {
		c.mu.Unlock()
		c.m.replayed.Inc()
		c.log.Debug("heartbeat: replayed packet dropped", "network", n.name, "from", from)
		return
	}
	hn.lastSeq = f.seq
	hn.addr = from
	switch f.kind {
	case kindPulseRsp:
		if f.id == hn.pulseSeq && hn.pulseSeq != 0 {
			hn.answered = true
			hn.rspFlags = f.flags
		}
		c.mu.Unlock()
		c.m.responses[n.idx].Inc()
	case kindAlive:
		c.alive(h, &f, now) // unlocks
	case kindCmdAck:
		if p := c.pending[f.id]; p != nil && p.host == h.uuid {
			p.ack()
		}
		c.mu.Unlock()
	case kindCmdResult:
		var o hostmgmt.Observation
		p := c.pending[f.id]
		report := p != nil && p.host == h.uuid && p.wantResult
		if report {
			p.ack() // the result stands for a lost acknowledgement
			delete(c.pending, f.id)
			o = hostmgmt.Observation{Kind: hostmgmt.ObsCommandResult, Command: p.cmd, OK: f.bits&bitOK != 0, Reason: string(f.reason)}
		}
		c.mu.Unlock()
		// Acknowledged however often it comes, reported once.
		_ = c.sendTo(n, h.uuid, msg{kind: kindResultAck, id: f.id})
		if report {
			c.observe(h.uuid, o)
		}
	}
}

var errDirection = errors.New("heartbeat: a controller's packet sent to the controller")

// ack closes p.acked once; c.mu is held.
func (p *pendingCmd) ack() {
	if !p.ackDone {
		p.ackDone = true
		close(p.acked)
	}
}

// alive takes an authenticated mtcAlive; c.mu is held and alive unlocks
// it.
func (c *Controller) alive(h *ctlHost, f *frame, now time.Time) {
	h.lastAlive = now
	configured := f.bits&bitConfigured != 0
	requested := f.bits&bitRequested != 0
	if h.heard && !h.offline && !requested && configured == h.configured && string(f.bootID) == h.bootID && f.flags == h.flags {
		c.mu.Unlock()
		return
	}
	h.heard, h.offline, h.configured, h.flags = true, false, configured, f.flags
	if string(f.bootID) != h.bootID {
		h.bootID = string(f.bootID)
	}
	o := hostmgmt.Observation{Kind: hostmgmt.ObsMtcAlive, Configured: configured, BootID: h.bootID,
		Uptime: time.Duration(f.uptime), Flags: f.flags}
	uuid := h.uuid
	c.mu.Unlock()
	c.observe(uuid, o)
}

// observe delivers one observation.
func (c *Controller) observe(host string, o hostmgmt.Observation) {
	c.obsMu.Lock()
	defer c.obsMu.Unlock()
	c.obs.Observe(host, o)
}

// emit delivers the pulse loop's observations.
func (c *Controller) emit() {
	if len(c.out) == 0 {
		return
	}
	c.obsMu.Lock()
	for _, r := range c.out {
		c.obs.Observe(r.host, r.o)
	}
	c.obsMu.Unlock()
	clear(c.out) // drop the references
	c.out = c.out[:0]
}

// pulseLoop sends each network's pulses every period, checks their
// answers half a period after, and does the housekeeping, until ctx
// ends.
//
// A pulse is missed when its answer has not come half a period after it
// was sent. A host that dies is sent its first unanswered pulse within a
// period of its death, and that pulse's check is half a period later; so
// the failure threshold's miss comes between (threshold - 0.5) and
// (threshold + 0.5) periods after the death: 0.95–1.05 s with the
// defaults, inside StarlingX's 1.1 s. (Checking a pulse only when the next
// is sent, a period later, would take up to threshold + 1 periods.)
func (c *Controller) pulseLoop(ctx context.Context) {
	now := time.Now()
	c.mu.Lock()
	for _, n := range c.nets {
		n.period, n.lastSend, n.checkDue = c.cfg.Period, now.Add(-c.cfg.Period), false
	}
	c.mu.Unlock()
	chores := now.Add(c.cfg.Period)
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		now = time.Now()
		for _, n := range c.nets {
			if n.checkDue && !now.Before(n.checkAt) {
				n.checkDue = false
				c.check(n, now)
			}
			if at := n.lastSend.Add(n.period); !now.Before(at) {
				if now.Sub(at) >= n.period { // more than a period late: start anew
					at = now
				}
				n.lastSend = at
				c.send(n, now)
				n.checkAt, n.checkDue = at.Add(n.period/2), true
			}
		}
		if !now.Before(chores) {
			c.housekeep(now)
			chores = now.Add(c.cfg.Period)
		}
		wake := chores
		for _, n := range c.nets {
			if n.checkDue && n.checkAt.Before(wake) {
				wake = n.checkAt
			}
			if at := n.lastSend.Add(n.period); at.Before(wake) {
				wake = at
			}
		}
		t.Reset(time.Until(wake))
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// check counts the misses of network n's last pulses, updates MNFA and
// reports the health changes.
func (c *Controller) check(n *ctlNet, now time.Time) {
	cfg := &c.cfg
	c.mu.Lock()
	c.snap = c.snap[:0]
	count := 0
	for _, h := range c.list {
		hn := &h.net[n.idx]
		if !h.monitored || h.mac == nil || !hn.addr.IsValid() {
			continue
		}
		if hn.pulseSeq != 0 {
			if hn.answered {
				hn.misses = 0
			} else {
				hn.misses++
			}
		}
		if hn.misses >= cfg.MinorThreshold {
			count++
		}
		c.snap = append(c.snap, h)
	}
	c.mnfa(n, count, now)
	for _, h := range c.snap {
		hn := &h.net[n.idx]
		health := cfg.health(hn.misses)
		if n.mnfa && health == hostmgmt.HealthFailed {
			health = hostmgmt.HealthDegraded
		}
		flags := hn.flags
		if hn.answered {
			flags = hn.rspFlags
		}
		if health != hn.health || flags != hn.flags {
			hn.health, hn.flags = health, flags
			c.out = append(c.out, report{h.uuid, hostmgmt.Observation{Kind: hostmgmt.ObsHeartbeat, Network: n.name, Health: health, Flags: flags}})
		}
	}
	c.mu.Unlock()
	clear(c.snap)
	c.emit()
}

// send sends network n's pulses to the monitored hosts heard on it.
func (c *Controller) send(n *ctlNet, now time.Time) {
	c.mu.Lock()
	c.snap = c.snap[:0]
	for _, h := range c.list {
		if h.monitored && h.mac != nil && h.net[n.idx].addr.IsValid() {
			c.snap = append(c.snap, h)
		}
	}
	c.mu.Unlock()
	ts := now.UnixNano()
	n.sendMu.Lock()
	for _, h := range c.snap {
		c.pulse(n, h, ts)
	}
	n.sendMu.Unlock()
	clear(c.snap)
}

// mnfa enters or leaves multi-node failure avoidance on n, given the
// count of its monitored hosts at minor or worse; c.mu is held.
func (c *Controller) mnfa(n *ctlNet, count int, now time.Time) {
	cfg := &c.cfg
	if !n.mnfa {
		if n.mnfaHeld && count < cfg.MNFAThreshold {
			n.mnfaHeld = false
		}
		if n.mnfaHeld || count < cfg.MNFAThreshold {
			return
		}
		n.mnfa, n.mnfaSince, n.period = true, now, cfg.Period*mnfaBackoff
		c.m.mnfa[n.idx].Set(1)
		c.log.Warn("heartbeat: multi-node failure avoidance entered", "network", n.name, "hosts", count)
		c.out = append(c.out, report{"", hostmgmt.Observation{Kind: hostmgmt.ObsMNFAEnter, Network: n.name, Count: count}})
		return
	}
	timedOut := cfg.MNFATimeout > 0 && now.Sub(n.mnfaSince) >= cfg.MNFATimeout
	if count >= cfg.MNFAThreshold && !timedOut {
		return
	}
	n.mnfa, n.mnfaHeld, n.period = false, count >= cfg.MNFAThreshold, cfg.Period
	c.m.mnfa[n.idx].Set(0)
	c.log.Warn("heartbeat: multi-node failure avoidance exited", "network", n.name, "hosts", count, "timed_out", timedOut)
	c.out = append(c.out, report{"", hostmgmt.Observation{Kind: hostmgmt.ObsMNFAExit, Network: n.name, Count: count}})
}

// pulse sends host h its pulse on n; n.sendMu is held.
func (c *Controller) pulse(n *ctlNet, h *ctlHost, ts int64) {
	c.mu.Lock()
	hn := &h.net[n.idx]
	if h.gone || !h.monitored || h.mac == nil || !hn.addr.IsValid() {
		c.mu.Unlock()
		return
	}
	n.seq++
	hn.pulseSeq, hn.answered = n.seq, false
	m := msg{kind: kindPulseReq, network: n.name, seq: n.seq, time: ts, host: h.uuid}
	b := seal(h.mac, m.appendTo(n.sbuf[:0]))
	addr := hn.addr
	c.mu.Unlock()
	if _, err := n.conn.WriteToUDPAddrPort(b, addr); err != nil {
		c.log.Debug("heartbeat: pulse", "network", n.name, "host", h.uuid, "err", err)
	}
	c.m.pulses[n.idx].Inc()
}

// housekeep reports hosts gone offline and forgets commands whose result
// never came.
func (c *Controller) housekeep(now time.Time) {
	c.mu.Lock()
	for _, h := range c.list {
		if h.heard && !h.offline && now.Sub(h.lastAlive) >= c.cfg.OfflineTimeout {
			h.offline = true
			c.out = append(c.out, report{h.uuid, hostmgmt.Observation{Kind: hostmgmt.ObsOffline}})
		}
	}
	for id, p := range c.pending {
		if p.ackDone && now.Sub(p.at) > resultTTL {
			delete(c.pending, id)
		}
	}
	c.mu.Unlock()
	c.emit()
}
