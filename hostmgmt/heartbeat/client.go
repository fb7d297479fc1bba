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

	"github.com/edgeflock/flock/hostmgmt"
)

// Status is what a host's agent reports about itself.
type Status struct {
	// Configured is StarlingX's I_AM_CONFIGURED: the host applied its
	// configuration.
	Configured bool
	// BootID changes at every boot; the controller compares it to tell a
	// reboot from a network outage. Up to 64 bytes are sent.
	BootID string
	// Uptime since boot.
	Uptime time.Duration
	// Flags are the local health flags.
	Flags hostmgmt.HealthFlags
}

// Handler is the agent's side of the commands.
type Handler interface {
	// Status is read for every pulse answer and mtcAlive; it must be
	// cheap and must not allocate.
	Status() Status
	// Command runs a command. The client acknowledges the command before
	// it calls Command, and sends the result (error or nil) to the
	// controller when Command returns (for reboot, the host goes down
	// and there is none). Its ctx ends when the client's Run does. The
	// error's text, cut to 200 bytes, is the result's reason.
	Command(ctx context.Context, cmd hostmgmt.Command) error
}

// ClientConfig configures a host's side.
type ClientConfig struct {
	// Link is what the controller issued to the host.
	Link hostmgmt.LinkConfig
	// Local is the local address to bind per network (default: any
	// address, any port).
	Local map[hostmgmt.Network]netip.AddrPort
	// AliveInterval between mtcAlive messages (default 1 s).
	AliveInterval time.Duration
}

// DefaultAliveInterval is the default time between mtcAlive messages.
const DefaultAliveInterval = time.Second

// A command's result is sent every resultInterval until the controller
// acknowledges it, at most resultTries times.
const (
	resultInterval = 250 * time.Millisecond
	resultTries    = 40
)

// seenIDs is how many recent command ids the client remembers to run a
// resent command once.
const seenIDs = 256

// Client is a host's side (hbsClient and mtcClient's link): it answers
// pulses on each network, sends mtcAlive, and runs commands through its
// Handler.
type Client struct {
	host    string
	h       Handler
	log     *slog.Logger
	alive   time.Duration
	nets    []*clientNet // in netNames order
	running atomic.Bool

	mu      sync.Mutex // guards seen and results
	seen    map[uint64]struct{}
	ring    [seenIDs]uint64
	ringPos int
	results map[uint64]chan struct{} // closed at the result's acknowledgement
}

// clientNet is one network's socket and state.
type clientNet struct {
	name  hostmgmt.Network
	idx   int
	ctrl  netip.AddrPort // the controller
	local netip.AddrPort
	conn  *net.UDPConn // while Run runs

	mu   sync.Mutex // held from taking a sequence to writing its packet
	seq  uint64
	mac  hash.Hash
	sbuf [maxPacket]byte

	// The receive loop's own.
	rmac    hash.Hash
	lastSeq uint64
	rbuf    [maxPacket + 1]byte
	scratch [tagLen]byte
}

// NewClient returns a host's side; Run opens its sockets. A bad config
// is a *hostmgmt.FieldError naming the field (the LinkConfig's JSON
// names, "local" or "alive_interval").
func NewClient(cfg ClientConfig, h Handler, log *slog.Logger) (*Client, error) {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("heartbeat: %w", &hostmgmt.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	l := cfg.Link
	switch {
	case h == nil:
		return nil, errors.New("heartbeat: nil handler")
	case len(l.HostUUID) == 0 || len(l.HostUUID) > maxHostLen:
		return nil, bad("host_uuid", "%q is not 1–64 bytes", l.HostUUID)
	case len(l.Key) == 0:
		return nil, bad("key", "empty")
	case len(l.Controller) == 0:
		return nil, bad("controller", "no network")
	case cfg.AliveInterval < 0:
		return nil, bad("alive_interval", "%s is negative", cfg.AliveInterval)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{host: l.HostUUID, h: h, log: log, alive: cfg.AliveInterval,
		seen: map[uint64]struct{}{}, results: map[uint64]chan struct{}{}}
	if c.alive == 0 {
		c.alive = DefaultAliveInterval
	}
	for n, s := range l.Controller {
		i := netIndex(n)
		if i < 0 {
			return nil, bad("controller", "unknown network %q", n)
		}
		ap, err := netip.ParseAddrPort(s)
		if err != nil || ap.Port() == 0 {
			return nil, bad("controller", "%s: %q is not an ip:port", n, s)
		}
		local, ok := cfg.Local[n]
		if !ok {
			local = netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
			if ap.Addr().Is6() && !ap.Addr().Is4In6() {
				local = netip.AddrPortFrom(netip.IPv6Unspecified(), 0)
			}
		}
		c.nets = append(c.nets, &clientNet{name: n, idx: i, ctrl: ap, local: local, mac: newMAC(l.Key), rmac: newMAC(l.Key)})
	}
	for n := range cfg.Local {
		if _, ok := l.Controller[n]; !ok {
			return nil, bad("local", "network %q has no controller address", n)
		}
	}
	slices.SortFunc(c.nets, func(a, b *clientNet) int { return a.idx - b.idx })
	return c, nil
}

// Run opens the client's sockets and serves until ctx ends; it closes
// them and waits for the running commands' contexts to end before it
// returns nil. It returns an error if a socket cannot be opened.
func (c *Client) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("heartbeat: client already running")
	}
	defer c.running.Store(false)
	for _, n := range c.nets {
		conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(n.local))
		if err != nil {
			c.closeAll()
			return fmt.Errorf("heartbeat: %s socket: %w", n.name, err)
		}
		n.conn = conn
	}
	start := uint64(time.Now().UnixNano())
	for _, n := range c.nets {
		n.seq, n.lastSeq = start, 0
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, n := range c.nets {
		wg.Go(func() { c.receive(ctx, &wg, n) })
	}
	wg.Go(func() { c.aliveLoop(ctx) })
	<-ctx.Done()
	cancel()
	c.closeAll()
	wg.Wait()
	return nil
}

func (c *Client) closeAll() {
	for _, n := range c.nets {
		if n.conn != nil {
			_ = n.conn.Close()
		}
	}
}

// aliveLoop sends an mtcAlive on every network now and every
// AliveInterval.
func (c *Client) aliveLoop(ctx context.Context) {
	t := time.NewTicker(c.alive)
	defer t.Stop()
	for {
		for _, n := range c.nets {
			c.sendAlive(n, false)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (c *Client) sendAlive(n *clientNet, requested bool) {
	st := c.h.Status()
	var bits uint8
	if st.Configured {
		bits |= bitConfigured
	}
	if requested {
		bits |= bitRequested
	}
	c.send(n, msg{kind: kindAlive, bits: bits, flags: st.Flags, uptime: int64(st.Uptime), bootID: st.BootID})
}

// send sends m to the controller on n, with the sequence, network, host
// and time filled in.
func (c *Client) send(n *clientNet, m msg) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.seq++
	m.seq, m.network, m.host, m.time = n.seq, n.name, c.host, time.Now().UnixNano()
	b := seal(n.mac, m.appendTo(n.sbuf[:0]))
	if _, err := n.conn.WriteToUDPAddrPort(b, n.ctrl); err != nil {
		c.log.Debug("heartbeat: send", "network", n.name, "kind", m.kind, "err", err)
	}
}

// receive reads n's socket until it is closed.
func (c *Client) receive(ctx context.Context, wg *sync.WaitGroup, n *clientNet) {
	for {
		nb, from, err := n.conn.ReadFromUDPAddrPort(n.rbuf[:])
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			c.log.Debug("heartbeat: read", "network", n.name, "err", err)
			continue
		}
		c.handle(ctx, wg, n, n.rbuf[:nb], from)
	}
}

// handle takes one packet that arrived on n.
func (c *Client) handle(ctx context.Context, wg *sync.WaitGroup, n *clientNet, b []byte, from netip.AddrPort) {
	f, err := parse(b)
	switch {
	case err != nil:
	case f.kind.fromHost():
		err = errToHost
	case string(f.host) != c.host:
		err = errOtherHost
	case !verify(n.rmac, &f, &n.scratch):
		err = errForged
	case f.network != n.name || f.seq <= n.lastSeq:
		err = errReplayed
	}
	if err != nil {
		c.log.Debug("heartbeat: packet dropped", "network", n.name, "from", from, "err", err)
		return
	}
	n.lastSeq = f.seq
	switch f.kind {
	case kindPulseReq:
		c.send(n, msg{kind: kindPulseRsp, id: f.seq, flags: c.h.Status().Flags})
	case kindCmd:
		c.send(n, msg{kind: kindCmdAck, id: f.id})
		if !c.firstTime(f.id) {
			return
		}
		cmd := hostmgmt.Command(f.command)
		if cmd == hostmgmt.CmdMtcAlive {
			c.sendAlive(n, true)
			return
		}
		id := f.id // not f: a closure over f would move it to the heap on every packet
		wg.Go(func() { c.runCommand(ctx, n, id, cmd) })
	case kindResultAck:
		c.mu.Lock()
		ch := c.results[f.id]
		delete(c.results, f.id)
		c.mu.Unlock()
		if ch != nil {
			close(ch)
		}
	}
}

var (
	errToHost    = errors.New("heartbeat: a host's packet sent to a host")
	errOtherHost = errors.New("heartbeat: packet for another host")
	errForged    = errors.New("heartbeat: forged packet (bad tag)")
	errReplayed  = errors.New("heartbeat: replayed packet (old sequence or another network's)")
)

// firstTime reports whether command id is new, and remembers it.
func (c *Client) firstTime(id uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.seen[id]; ok {
		return false
	}
	delete(c.seen, c.ring[c.ringPos])
	c.ring[c.ringPos] = id
	c.ringPos = (c.ringPos + 1) % seenIDs
	c.seen[id] = struct{}{}
	return true
}

// runCommand runs cmd and sends its result until the controller
// acknowledges it, first on the network the command came on, then on
// each in turn.
func (c *Client) runCommand(ctx context.Context, n *clientNet, id uint64, cmd hostmgmt.Command) {
	var err error
	if cmd.Valid() {
		err = c.h.Command(ctx, cmd)
	} else {
		err = fmt.Errorf("unknown command %q", cmd)
	}
	m := msg{kind: kindCmdResult, id: id, command: string(cmd)}
	if err == nil {
		m.bits = bitOK
	} else {
		m.reason = err.Error()
	}
	acked := make(chan struct{})
	c.mu.Lock()
	c.results[id] = acked
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.results, id)
		c.mu.Unlock()
	}()
	t := time.NewTimer(resultInterval)
	defer t.Stop()
	i := slices.Index(c.nets, n)
	for try := range resultTries {
		c.send(c.nets[(i+try)%len(c.nets)], m)
		select {
		case <-acked:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			t.Reset(resultInterval)
		}
	}
	c.log.Warn("heartbeat: command result not acknowledged", "command", cmd, "tries", resultTries)
}
