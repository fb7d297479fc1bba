package hapeer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ErrNotRunning: Send was called while the link's Run is not running.
var ErrNotRunning = errors.New("hapeer: link not running")

// Conn is a path's datagram socket. *net.UDPConn satisfies it; tests and
// fake transports supply their own through Options.Listen.
type Conn interface {
	// ReadFromUDPAddrPort reads one datagram into b. After Close it
	// returns an error wrapping net.ErrClosed.
	ReadFromUDPAddrPort(b []byte) (n int, from netip.AddrPort, err error)
	// WriteToUDPAddrPort sends b as one datagram to addr.
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
	// Close closes the socket and wakes a blocked read.
	Close() error
}

var _ Conn = (*net.UDPConn)(nil)

// EventKind is the kind of a link Event.
type EventKind uint8

// The event kinds.
const (
	// EventPathUp: a valid message arrived on a path that was dead (or
	// not yet heard).
	EventPathUp EventKind = 1 + iota
	// EventPathDown: no valid message on the path for DeadInterval.
	EventPathDown
	// EventPeerUp: the first path came up.
	EventPeerUp
	// EventPeerDown: the last path went down.
	EventPeerDown
	// EventPeerRestarted: the peer was heard with a new instance or a
	// higher generation than before (its process or node restarted).
	EventPeerRestarted
)

var eventNames = [...]string{"", "path-up", "path-down", "peer-up", "peer-down", "peer-restarted"}

// String names the kind ("path-up" ...).
func (k EventKind) String() string {
	if k == 0 || int(k) >= len(eventNames) {
		return fmt.Sprintf("event(%d)", uint8(k))
	}
	return eventNames[k]
}

// Event is a change of a path's or the peer's state.
type Event struct {
	Kind EventKind
	// Path is the path's name in path events, else empty.
	Path string
	// Time is when the change was seen: the arrival of the message for
	// an up or restart, the deadline that passed for a down.
	Time time.Time
	// Node, Generation and Instance are the peer's as last heard (zero
	// until heard).
	Node       string
	Generation uint64
	Instance   InstanceID
}

// Options are a Link's optional settings; nil means all defaults.
type Options struct {
	// Logger gets debug logs of I/O errors (nil: discard).
	Logger *slog.Logger
	// OnEvent receives the path and peer events; see the package doc for
	// their order. It is called on Run's goroutine and must return
	// quickly: heartbeats wait while it runs.
	OnEvent func(Event)
	// Handler receives each message other than a heartbeat once, however
	// many paths it arrived on, on Run's goroutine, in the order of
	// arrival; m.Payload is its own copy. It must return quickly.
	Handler func(m Message)
	// OnHeartbeat receives the payload of the peer's heartbeats (its
	// node-info: failover state, group states) whenever it differs from
	// the last one delivered, and the first one of each run of the peer
	// and after each EventPeerDown,
	// on Run's goroutine; m.Payload is read-only. It must return quickly.
	OnHeartbeat func(m Message)
	// Instance is this run's instance id; zero means a random one.
	Instance InstanceID
	// Listen opens a path's socket; nil means net.ListenUDP on the path's
	// Local address. Run closes what it returns.
	Listen func(p Path) (Conn, error)
}

// pathLink is one path's static parts and its reader's state.
type pathLink struct {
	cfg   Path
	peer  netip.AddrPort
	dec   *Decoder
	sent  counter
	alive gauge
	conn  Conn // set by Run, under Link.mu
}

// rx is what a path's reader hands Run's loop.
type rx struct {
	path int
	at   time.Time
	msg  Message // Payload copied; for heartbeats shared read-only with the path's last
}

// Link runs the peer protocol with one peer over several paths: it sends
// a heartbeat on every path every Period, tracks each path's state and
// the peer's, sends the caller's messages on every path and delivers the
// peer's to a Handler. Create it with New and run it with Run.
type Link struct {
	cfg      Config
	opts     Options
	log      *slog.Logger
	paths    []*pathLink
	instance InstanceID
	peerUp   gauge
	running  atomic.Bool

	mu        sync.Mutex // guards what follows: the sending side
	enc       *Encoder
	seq       uint64
	buf       []byte
	hbPayload []byte
	conns     bool // the paths' conns are open
}

// New returns a link for cfg; it validates cfg (a *FieldError naming the
// field), registers the metrics on reg (nil: none), and does no I/O.
func New(cfg Config, reg prometheus.Registerer, opts *Options) (*Link, error) {
	ps, err := cfg.parse()
	if err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	l := &Link{cfg: cfg, log: slog.New(slog.DiscardHandler)}
	if opts != nil {
		l.opts = *opts
	}
	if l.opts.Logger != nil {
		l.log = l.opts.Logger
	}
	l.instance = l.opts.Instance
	if l.instance.IsZero() {
		l.instance = NewInstanceID()
	}
	var m *Metrics
	if reg != nil {
		if m, err = NewMetrics(reg); err != nil {
			return nil, err
		}
		l.peerUp = gauge{m.peerAlive}
	}
	if l.enc, err = NewEncoder([]byte(cfg.Key)); err != nil {
		return nil, err
	}
	for i, p := range ps {
		dec, err := NewDecoder([]byte(cfg.Key), p.name, &DecoderOptions{Self: cfg.Node, Peer: cfg.Peer, Metrics: m})
		if err != nil {
			return nil, err
		}
		pl := &pathLink{cfg: cfg.Paths[i], peer: p.peer, dec: dec}
		if m != nil {
			pl.sent = counter{m.sent.WithLabelValues(p.name)}
			pl.alive = gauge{m.pathAlive.WithLabelValues(p.name)}
			pl.alive.set(false)
		}
		l.paths = append(l.paths, pl)
	}
	l.peerUp.set(false)
	l.buf = make([]byte, 0, MaxMessage)
	return l, nil
}

// Instance returns this link's instance id.
func (l *Link) Instance() InstanceID { return l.instance }

// SetHeartbeatPayload sets the payload of the heartbeats sent from now
// on (at most MaxPayload bytes; e.g. node-info flags: failover state,
// interface-down bits). The link keeps its own copy.
func (l *Link) SetHeartbeatPayload(b []byte) error {
	if len(b) > MaxPayload {
		return bad("payload", "%d bytes is over %d", len(b), MaxPayload)
	}
	l.mu.Lock()
	l.hbPayload = append(l.hbPayload[:0], b...)
	l.mu.Unlock()
	return nil
}

// Send sends a message of type t (not TypeHeartbeat) with payload on
// every path. It fails with ErrNotRunning when Run is not running, a
// *FieldError for a bad type or payload, and the write error when no
// path could send it. Delivery is not guaranteed: callers retry.
func (l *Link) Send(t Type, payload []byte) error {
	if t == TypeHeartbeat || !t.Valid() {
		return bad("type", "%s cannot be sent with Send", t)
	}
	if len(payload) > MaxPayload {
		return bad("payload", "%d bytes is over %d", len(payload), MaxPayload)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.conns {
		return ErrNotRunning
	}
	return l.sendLocked(t, payload)
}

// sendLocked sends one message, one sequence number, on every path.
func (l *Link) sendLocked(t Type, payload []byte) error {
	l.seq++
	m := Message{Type: t, Node: l.cfg.Node, Generation: l.cfg.Generation, Instance: l.instance, Seq: l.seq, Payload: payload}
	var firstErr error
	sent := false
	for _, p := range l.paths {
		m.Path = p.cfg.Name
		b, err := l.enc.Encode(l.buf[:0], &m)
		if err != nil {
			return err // not reached: every field was checked
		}
		if _, err := p.conn.WriteToUDPAddrPort(b, p.peer); err != nil {
			l.log.Debug("hapeer: send", "path", p.cfg.Name, "type", t, "err", err)
			if firstErr == nil {
				firstErr = fmt.Errorf("hapeer: send %s on %s: %w", t, p.cfg.Name, err)
			}
			continue
		}
		sent = true
		p.sent.inc()
	}
	if !sent {
		return firstErr
	}
	return nil
}

// Run opens the paths' sockets, runs the link until ctx ends, then
// closes them and returns nil. It returns an error if a socket cannot be
// opened or the link is already running.
func (l *Link) Run(ctx context.Context) error {
	if !l.running.CompareAndSwap(false, true) {
		return errors.New("hapeer: link already running")
	}
	defer l.running.Store(false)
	listen := l.opts.Listen
	if listen == nil {
		listen = listenUDP
	}
	conns := make([]Conn, 0, len(l.paths))
	closeAll := func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}
	for _, p := range l.paths {
		c, err := listen(p.cfg)
		if err != nil {
			closeAll()
			return fmt.Errorf("hapeer: listen on path %s (%s): %w", p.cfg.Name, p.cfg.Local, err)
		}
		conns = append(conns, c)
	}
	l.mu.Lock()
	for i, p := range l.paths {
		p.conn = conns[i]
	}
	l.conns = true
	l.mu.Unlock()

	rxc := make(chan rx, 4*len(l.paths))
	var wg sync.WaitGroup
	for i, p := range l.paths {
		wg.Go(func() { l.receive(ctx, i, p, rxc) })
	}
	l.loop(ctx, rxc)

	l.mu.Lock()
	l.conns = false
	l.mu.Unlock()
	closeAll()
	wg.Wait()
	for _, p := range l.paths {
		p.alive.set(false)
	}
	l.peerUp.set(false)
	return nil
}

func listenUDP(p Path) (Conn, error) {
	a, err := parseAddrPort(p.Local)
	if err != nil {
		return nil, err
	}
	return net.ListenUDP("udp", net.UDPAddrFromAddrPort(a))
}

// receive reads path i until its socket is closed.
func (l *Link) receive(ctx context.Context, i int, p *pathLink, out chan<- rx) {
	buf := make([]byte, MaxMessage+1)
	var m Message
	var lastHB []byte // the last heartbeat payload on this path, never modified
	for {
		n, _, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
				return
			}
			l.log.Debug("hapeer: read", "path", p.cfg.Name, "err", err)
			continue
		}
		if p.dec.Decode(buf[:n], &m) != nil {
			continue // counted by the decoder
		}
		r := rx{path: i, at: time.Now(), msg: m}
		if m.Type == TypeHeartbeat {
			if !bytes.Equal(m.Payload, lastHB) || lastHB == nil {
				lastHB = append(make([]byte, 0, len(m.Payload)), m.Payload...)
			}
			r.msg.Payload = lastHB
		} else {
			r.msg.Payload = append([]byte(nil), m.Payload...)
		}
		select {
		case out <- r:
		case <-ctx.Done():
			return
		}
	}
}

// peerView is the loop's view of the peer's runs, to detect restarts and
// deliver each message once.
type peerView struct {
	known     bool
	node      string
	gen       uint64
	inst      InstanceID
	retired   [retiredInstances]InstanceID
	next      int
	delivered uint64 // the last delivered non-heartbeat's sequence
	hb        []byte // the last heartbeat payload delivered in this run
	hbKnown   bool
}

// see takes in a message's run; it reports whether the run is the
// current one (not a stale packet of an earlier run) and whether it is a
// new run of a peer heard before.
func (v *peerView) see(m *Message) (current, restarted bool) {
	switch {
	case !v.known:
		*v = peerView{known: true, node: m.Node, gen: m.Generation, inst: m.Instance}
		return true, false
	case m.Generation < v.gen:
		return false, false
	case m.Generation > v.gen:
		*v = peerView{known: true, node: m.Node, gen: m.Generation, inst: m.Instance}
		return true, true
	case m.Instance == v.inst:
		return true, false
	}
	for _, r := range v.retired {
		if r == m.Instance {
			return false, false
		}
	}
	v.retired[v.next] = v.inst
	v.next = (v.next + 1) % retiredInstances
	v.inst, v.delivered, v.hb, v.hbKnown = m.Instance, 0, nil, false
	return true, true
}

// loop sends the heartbeats, takes in what the readers hand it and
// declares paths dead, until ctx ends.
func (l *Link) loop(ctx context.Context, rxc <-chan rx) {
	period, dead := l.cfg.Period, l.cfg.DeadInterval
	last := make([]time.Time, len(l.paths)) // last valid message per path
	alive := make([]bool, len(l.paths))
	nAlive := 0
	var peer peerView
	emit := func(k EventKind, path string, at time.Time) {
		if l.opts.OnEvent != nil {
			l.opts.OnEvent(Event{Kind: k, Path: path, Time: at, Node: peer.node, Generation: peer.gen, Instance: peer.inst})
		}
	}
	heartbeat := func() {
		l.mu.Lock()
		_ = l.sendLocked(TypeHeartbeat, l.hbPayload) // errors logged; the peer's dead interval tells
		l.mu.Unlock()
	}

	heartbeat()
	nextSend := time.Now().Add(period)
	timer := time.NewTimer(period)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-rxc:
			current, restarted := peer.see(&r.msg)
			if !current {
				continue
			}
			if restarted {
				emit(EventPeerRestarted, "", r.at)
			}
			if r.at.After(last[r.path]) {
				last[r.path] = r.at
			}
			if !alive[r.path] {
				alive[r.path] = true
				nAlive++
				l.paths[r.path].alive.set(true)
				emit(EventPathUp, l.paths[r.path].cfg.Name, r.at)
				if nAlive == 1 {
					l.peerUp.set(true)
					emit(EventPeerUp, "", r.at)
				}
			}
			if r.msg.Type == TypeHeartbeat && (!peer.hbKnown || !bytes.Equal(r.msg.Payload, peer.hb)) {
				peer.hb, peer.hbKnown = r.msg.Payload, true
				if l.opts.OnHeartbeat != nil {
					l.opts.OnHeartbeat(r.msg)
				}
			}
			if r.msg.Type != TypeHeartbeat && r.msg.Seq > peer.delivered {
				peer.delivered = r.msg.Seq
				if l.opts.Handler != nil {
					l.opts.Handler(r.msg)
				}
			}
		case <-timer.C:
		}
		now := time.Now()
		if !now.Before(nextSend) {
			heartbeat()
			nextSend = nextSend.Add(period)
			if !nextSend.After(now) { // fell behind: no burst to catch up
				nextSend = now.Add(period)
			}
		}
		wake := nextSend
		for i, ok := range alive {
			if !ok {
				continue
			}
			deadline := last[i].Add(dead)
			if !now.Before(deadline) {
				alive[i] = false
				nAlive--
				l.paths[i].alive.set(false)
				emit(EventPathDown, l.paths[i].cfg.Name, deadline)
				if nAlive == 0 {
					l.peerUp.set(false)
					peer.hb, peer.hbKnown = nil, false // delivered again once heard
					emit(EventPeerDown, "", deadline)
				}
				continue
			}
			if deadline.Before(wake) {
				wake = deadline
			}
		}
		timer.Reset(wake.Sub(now)) // Go 1.23+: no stale tick after Reset
	}
}
