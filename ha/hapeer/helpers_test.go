package hapeer

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// memNet is an in-memory datagram network for synctest bubbles (a real
// socket's read is not durably blocking, so virtual time would not
// advance). cut drops every datagram to or from an address.
type memNet struct {
	mu    sync.Mutex
	conns map[netip.AddrPort]*memConn
	cut   map[netip.AddrPort]bool
	tap   func(to netip.AddrPort, b []byte) // sees every delivered datagram
}

func newMemNet() *memNet {
	return &memNet{conns: map[netip.AddrPort]*memConn{}, cut: map[netip.AddrPort]bool{}}
}

type datagram struct {
	b    []byte
	from netip.AddrPort
}

type memConn struct {
	net    *memNet
	addr   netip.AddrPort
	in     chan datagram
	closed chan struct{}
	once   sync.Once
}

func (n *memNet) listen(p Path) (Conn, error) {
	a := netip.MustParseAddrPort(p.Local)
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.conns[a]; ok {
		return nil, fmt.Errorf("%s in use", a)
	}
	c := &memConn{net: n, addr: a, in: make(chan datagram, 64), closed: make(chan struct{})}
	n.conns[a] = c
	return c, nil
}

func (n *memNet) setCut(a string, cut bool) {
	n.mu.Lock()
	n.cut[netip.MustParseAddrPort(a)] = cut
	n.mu.Unlock()
}

// inject delivers b to the socket at to as if from from.
func (n *memNet) inject(to netip.AddrPort, b []byte) {
	n.mu.Lock()
	c := n.conns[to]
	n.mu.Unlock()
	if c != nil {
		c.in <- datagram{b: append([]byte(nil), b...)}
	}
}

func (c *memConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	select {
	case d := <-c.in:
		return copy(b, d.b), d.from, nil
	case <-c.closed:
		return 0, netip.AddrPort{}, net.ErrClosed
	}
}

func (c *memConn) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	n := c.net
	n.mu.Lock()
	dst, cut := n.conns[to], n.cut[to] || n.cut[c.addr]
	tap := n.tap
	n.mu.Unlock()
	if dst == nil || cut {
		return len(b), nil // lost
	}
	if tap != nil {
		tap(to, b)
	}
	select {
	case dst.in <- datagram{b: append([]byte(nil), b...), from: c.addr}:
	case <-dst.closed:
	default: // queue full: lost
	}
	return len(b), nil
}

func (c *memConn) Close() error {
	c.once.Do(func() {
		close(c.closed)
		c.net.mu.Lock()
		delete(c.net.conns, c.addr)
		c.net.mu.Unlock()
	})
	return nil
}

// pathNames are the three paths of the tests.
var pathNames = []string{"mgmt", "oam", "cluster-host"}

// pairConfigs are two nodes' configs over the three paths, node 0 on
// 10.0.<i>.1:2000, node 1 on 10.0.<i>.2:2000.
func pairConfigs() (Config, Config) {
	a := Config{Node: "controller-0", Peer: "controller-1", Key: string(testKey), Generation: 1}
	b := Config{Node: "controller-1", Peer: "controller-0", Key: string(testKey), Generation: 1}
	for i, n := range pathNames {
		x, y := fmt.Sprintf("10.0.%d.1:2000", i), fmt.Sprintf("10.0.%d.2:2000", i)
		a.Paths = append(a.Paths, Path{Name: n, Local: x, Peer: y})
		b.Paths = append(b.Paths, Path{Name: n, Local: y, Peer: x})
	}
	return a, b
}

// events records a link's events and delivered messages.
type events struct {
	mu   sync.Mutex
	evs  []Event
	msgs []Message
	more chan struct{}
}

func newEvents() *events { return &events{more: make(chan struct{}, 1)} }

func (e *events) onEvent(ev Event) {
	e.mu.Lock()
	e.evs = append(e.evs, ev)
	e.mu.Unlock()
	e.poke()
}

func (e *events) handle(m Message) {
	e.mu.Lock()
	e.msgs = append(e.msgs, m)
	e.mu.Unlock()
	e.poke()
}

func (e *events) poke() {
	select {
	case e.more <- struct{}{}:
	default:
	}
}

func (e *events) all() []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Event(nil), e.evs...)
}

func (e *events) messages() []Message {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Message(nil), e.msgs...)
}

// kinds lists the events from index from on as "kind path".
func (e *events) kinds(from int) []string {
	var s []string
	for _, ev := range e.all()[from:] {
		s = append(s, (ev.Kind.String() + " " + ev.Path))
	}
	return s
}

// waitFor waits (in real time; outside bubbles) for an event matching.
func (e *events) waitFor(t testing.TB, from int, k EventKind, path string) Event {
	t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	for {
		for _, ev := range e.all()[from:] {
			if ev.Kind == k && ev.Path == path {
				return ev
			}
		}
		select {
		case <-e.more:
		case <-deadline.C:
			t.Fatalf("no %s %s; events: %v", k, path, e.kinds(0))
		}
	}
}

// start runs l until the test ends.
func start(t testing.TB, l *Link) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			require.NoError(t, <-done)
		}
	}
	t.Cleanup(stop)
	return stop
}
