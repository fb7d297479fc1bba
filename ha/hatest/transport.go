package hatest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/edgeflock/flock/ha/hapeer"
)

// FakeNet is an in-memory datagram network for hapeer links: each
// node's Link gets Options.Listen = FakeNet.Listen, which opens a socket
// at the path's Local address, and a datagram written to a Peer address
// is delivered to the socket listening there. Nothing touches the
// operating system's network: reads block on channels and delays run on
// timers, so links over a FakeNet run inside a testing/synctest bubble
// and their time-based behaviour is deterministic there.
//
// Each direction of each path (datagrams from one address to another)
// has its own faults, which the test sets and clears at any time:
// Partition, DropFraction, DropNext, Delay, Duplicate and Reorder, and
// Heal to clear them. A faulty network stays silent as a real one does:
// a write into a partition succeeds and the datagram is lost. A datagram
// for an address nobody listens on, or for a socket whose queue
// (NetQueueLen datagrams) is full, is lost too.
//
// Its methods are safe for concurrent use.
type FakeNet struct {
	mu    sync.Mutex
	conns map[netip.AddrPort]*netConn
	dirs  map[netDirKey]*netDirState
	rand  *rand.Rand
}

// NetQueueLen is how many datagrams a FakeNet socket holds unread;
// more are lost.
const NetQueueLen = 256

// NetDir selects the directions of a path a fault applies to, seen from
// the node whose hapeer.Path is given: Out is Local to Peer, In is Peer
// to Local.
type NetDir uint8

// The directions.
const (
	NetBoth NetDir = iota // both directions
	NetOut                // from the path's Local to its Peer
	NetIn                 // from the path's Peer to its Local
)

// String names the direction ("both", "out", "in").
func (d NetDir) String() string {
	switch d {
	case NetBoth:
		return "both"
	case NetOut:
		return "out"
	case NetIn:
		return "in"
	}
	return fmt.Sprintf("netdir(%d)", uint8(d))
}

// NetFault is what happens to the datagrams of one direction of a path.
// The zero value delivers every datagram at once, in order.
type NetFault struct {
	// Partition drops every datagram.
	Partition bool
	// DropNext drops the next DropNext datagrams (counted down as they
	// are dropped).
	DropNext int
	// DropFraction drops each datagram with this probability (0–1),
	// drawn from the FakeNet's seeded generator.
	DropFraction float64
	// Duplicate delivers this many extra copies of each datagram.
	Duplicate int
	// Reorder swaps each pair of consecutive datagrams: the first is
	// held until the second has been delivered (or until Heal).
	Reorder bool
	// Delay delivers each datagram this long after it was written.
	Delay time.Duration
}

// NetStats counts one direction's datagrams.
type NetStats struct {
	// Written is the datagrams written.
	Written int
	// Dropped is the datagrams the faults dropped (Partition, DropNext,
	// DropFraction).
	Dropped int
	// Duplicated is the extra copies made.
	Duplicated int
	// Delivered is the datagrams (copies included) queued at the
	// receiving socket.
	Delivered int
	// Lost is the datagrams that reached no socket: nobody listened at
	// the address, or its queue was full.
	Lost int
	// Replayed is the datagrams injected with Replay.
	Replayed int
}

type netDirKey struct{ from, to netip.AddrPort }

// netDirState is one direction's faults, counters and in-flight
// datagrams.
type netDirState struct {
	key   netDirKey
	fault NetFault
	stats NetStats
	last  []byte     // the last datagram written, for Replay
	held  [][]byte   // Reorder: the copies of the datagram held back
	queue []netDelay // Delay: in flight, by due time
	timer *time.Timer
}

type netDelay struct {
	due time.Time
	b   []byte
}

type netDatagram struct {
	b    []byte
	from netip.AddrPort
}

// NewFakeNet returns an empty network whose DropFraction draws come from
// a generator seeded with seed.
func NewFakeNet(seed uint64) *FakeNet {
	return &FakeNet{
		conns: map[netip.AddrPort]*netConn{},
		dirs:  map[netDirKey]*netDirState{},
		rand:  rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
}

// Listen opens the socket of path p at p.Local, as hapeer's
// Options.Listen. It fails if p.Local is not an ip:port or a socket is
// open there.
func (n *FakeNet) Listen(p hapeer.Path) (hapeer.Conn, error) {
	a, err := netip.ParseAddrPort(p.Local)
	if err != nil {
		return nil, fmt.Errorf("hatest: listen %q: %w", p.Local, err)
	}
	a = unmap(a)
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.conns[a]; ok {
		return nil, fmt.Errorf("hatest: listen %s: address in use", a)
	}
	c := &netConn{net: n, addr: a, in: make(chan netDatagram, NetQueueLen), closed: make(chan struct{})}
	n.conns[a] = c
	return c, nil
}

// Set replaces the faults of the given directions of p.
func (n *FakeNet) Set(p hapeer.Path, dir NetDir, f NetFault) {
	n.update(p, dir, func(d *netDirState) { d.fault = f })
}

// Fault returns the faults of one direction of p (NetBoth: out's).
func (n *FakeNet) Fault(p hapeer.Path, dir NetDir) NetFault {
	var f NetFault
	n.update(p, first(dir), func(d *netDirState) { f = d.fault })
	return f
}

// Partition drops every datagram of the given directions of p, silently,
// until Heal.
func (n *FakeNet) Partition(p hapeer.Path, dir NetDir) {
	n.update(p, dir, func(d *netDirState) { d.fault.Partition = true })
}

// DropNext drops the next k datagrams of each given direction of p.
func (n *FakeNet) DropNext(p hapeer.Path, dir NetDir, k int) {
	n.update(p, dir, func(d *netDirState) { d.fault.DropNext = k })
}

// DropFraction drops each datagram of the given directions of p with
// probability f (0–1).
func (n *FakeNet) DropFraction(p hapeer.Path, dir NetDir, f float64) {
	n.update(p, dir, func(d *netDirState) { d.fault.DropFraction = f })
}

// Delay delivers the datagrams of the given directions of p written from
// now on d after they were written.
func (n *FakeNet) Delay(p hapeer.Path, dir NetDir, d time.Duration) {
	n.update(p, dir, func(s *netDirState) { s.fault.Delay = d })
}

// Duplicate delivers copies extra copies of each datagram of the given
// directions of p.
func (n *FakeNet) Duplicate(p hapeer.Path, dir NetDir, copies int) {
	n.update(p, dir, func(d *netDirState) { d.fault.Duplicate = copies })
}

// Reorder swaps each pair of consecutive datagrams of the given
// directions of p.
func (n *FakeNet) Reorder(p hapeer.Path, dir NetDir) {
	n.update(p, dir, func(d *netDirState) { d.fault.Reorder = true })
}

// Heal clears the faults of the given directions of p: a datagram held
// back by Reorder is delivered now; the delayed ones still arrive when
// due.
func (n *FakeNet) Heal(p hapeer.Path, dir NetDir) {
	n.update(p, dir, func(d *netDirState) {
		d.fault = NetFault{}
		n.flushHeld(d)
	})
}

// HealAll clears every fault of the network, as Heal does.
func (n *FakeNet) HealAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, d := range n.dirs {
		d.fault = NetFault{}
		n.flushHeld(d)
	}
}

// Stats returns the counters of one direction of p (NetBoth: the sum of
// both).
func (n *FakeNet) Stats(p hapeer.Path, dir NetDir) NetStats {
	var s NetStats
	n.update(p, dir, func(d *netDirState) {
		s.Written += d.stats.Written
		s.Dropped += d.stats.Dropped
		s.Duplicated += d.stats.Duplicated
		s.Delivered += d.stats.Delivered
		s.Lost += d.stats.Lost
		s.Replayed += d.stats.Replayed
	})
	return s
}

// Replay delivers again the last datagram written in each given
// direction of p, as an attacker on the wire would, past the faults: it
// reports whether there was one to replay.
func (n *FakeNet) Replay(p hapeer.Path, dir NetDir) bool {
	replayed := false
	n.update(p, dir, func(d *netDirState) {
		if d.last != nil {
			d.stats.Replayed++
			n.deliver(d, d.last)
			replayed = true
		}
	})
	return replayed
}

// first is the one direction a getter reads for dir.
func first(dir NetDir) NetDir {
	if dir == NetBoth {
		return NetOut
	}
	return dir
}

// update runs f under the lock on the state of each direction of p that
// dir selects. A malformed path address panics: it is the test's bug.
func (n *FakeNet) update(p hapeer.Path, dir NetDir, f func(*netDirState)) {
	local, peer := mustAddr(p.Local), mustAddr(p.Peer)
	var keys []netDirKey
	switch dir {
	case NetBoth:
		keys = []netDirKey{{local, peer}, {peer, local}}
	case NetOut:
		keys = []netDirKey{{local, peer}}
	case NetIn:
		keys = []netDirKey{{peer, local}}
	default:
		panic(fmt.Sprintf("hatest: %s is not a direction", dir))
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, k := range keys {
		f(n.dir(k))
	}
}

func mustAddr(s string) netip.AddrPort {
	a, err := netip.ParseAddrPort(s)
	if err != nil {
		panic(fmt.Sprintf("hatest: path address %q: %v", s, err))
	}
	return unmap(a)
}

func unmap(a netip.AddrPort) netip.AddrPort { return netip.AddrPortFrom(a.Addr().Unmap(), a.Port()) }

// dir returns k's state, creating it. n.mu is held.
func (n *FakeNet) dir(k netDirKey) *netDirState {
	d := n.dirs[k]
	if d == nil {
		d = &netDirState{key: k}
		n.dirs[k] = d
	}
	return d
}

// write takes in a datagram written from from to to. n.mu is not held.
func (n *FakeNet) write(from, to netip.AddrPort, b []byte) {
	n.mu.Lock()
	defer n.mu.Unlock()
	d := n.dir(netDirKey{from, to})
	d.stats.Written++
	d.last = slices.Clone(b)
	f := &d.fault
	switch {
	case f.Partition:
		d.stats.Dropped++
		return
	case f.DropNext > 0:
		f.DropNext--
		d.stats.Dropped++
		return
	case f.DropFraction > 0 && n.rand.Float64() < f.DropFraction:
		d.stats.Dropped++
		return
	}
	copies := make([][]byte, 1+max(f.Duplicate, 0))
	for i := range copies {
		copies[i] = d.last
	}
	d.stats.Duplicated += len(copies) - 1
	if f.Reorder {
		if d.held == nil {
			d.held = copies
			return
		}
		copies, d.held = append(copies, d.held...), nil
	}
	for _, c := range copies {
		n.send(d, c)
	}
}

// flushHeld sends the datagram Reorder held back. n.mu is held.
func (n *FakeNet) flushHeld(d *netDirState) {
	held := d.held
	d.held = nil
	for _, c := range held {
		n.send(d, c)
	}
}

// send delivers b now or queues it for its delay. n.mu is held.
func (n *FakeNet) send(d *netDirState, b []byte) {
	if d.fault.Delay <= 0 {
		n.deliver(d, b)
		return
	}
	due := time.Now().Add(d.fault.Delay)
	// After the last one due no later: equal delays keep their order.
	i := len(d.queue)
	for i > 0 && d.queue[i-1].due.After(due) {
		i--
	}
	d.queue = slices.Insert(d.queue, i, netDelay{due: due, b: b})
	n.arm(d)
}

// arm sets d's timer for the first datagram in flight. n.mu is held.
func (n *FakeNet) arm(d *netDirState) {
	if len(d.queue) == 0 {
		return
	}
	wait := time.Until(d.queue[0].due)
	if d.timer == nil {
		d.timer = time.AfterFunc(wait, func() { n.due(d) })
		return
	}
	d.timer.Reset(wait)
}

// due delivers d's datagrams whose time has come.
func (n *FakeNet) due(d *netDirState) {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := time.Now()
	i := 0
	for ; i < len(d.queue) && !d.queue[i].due.After(now); i++ {
		n.deliver(d, d.queue[i].b)
	}
	d.queue = slices.Delete(d.queue, 0, i)
	n.arm(d)
}

// deliver queues b at the socket listening at d's destination. n.mu is
// held.
func (n *FakeNet) deliver(d *netDirState, b []byte) {
	c := n.conns[d.key.to]
	if c == nil {
		d.stats.Lost++
		return
	}
	select {
	case c.in <- netDatagram{b: b, from: d.key.from}:
		d.stats.Delivered++
	default:
		d.stats.Lost++
	}
}

// netConn is a FakeNet socket; it implements hapeer.Conn.
type netConn struct {
	net    *FakeNet
	addr   netip.AddrPort
	in     chan netDatagram
	closed chan struct{}
	once   sync.Once
}

var _ hapeer.Conn = (*netConn)(nil)

// ReadFromUDPAddrPort reads the next datagram delivered to the socket.
func (c *netConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	select {
	case <-c.closed:
		return 0, netip.AddrPort{}, net.ErrClosed
	default:
	}
	select {
	case d := <-c.in:
		return copy(b, d.b), d.from, nil
	case <-c.closed:
		return 0, netip.AddrPort{}, net.ErrClosed
	}
}

// WriteToUDPAddrPort sends b to addr through the network's faults; it
// succeeds whatever becomes of the datagram.
func (c *netConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	c.net.write(c.addr, unmap(addr), b)
	return len(b), nil
}

// Close closes the socket, frees its address and wakes a blocked read.
func (c *netConn) Close() error {
	c.once.Do(func() {
		close(c.closed)
		c.net.mu.Lock()
		if c.net.conns[c.addr] == c {
			delete(c.net.conns, c.addr)
		}
		c.net.mu.Unlock()
	})
	return nil
}
