package hapeer

import (
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// filterConn drops every datagram while drop is set, in both directions,
// as a firewall rule would with the carrier up.
type filterConn struct {
	*net.UDPConn
	drop *atomic.Bool
}

func (c filterConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	for {
		n, from, err := c.UDPConn.ReadFromUDPAddrPort(b)
		if err != nil || !c.drop.Load() {
			return n, from, err
		}
	}
}

func (c filterConn) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	if c.drop.Load() {
		return len(b), nil
	}
	return c.UDPConn.WriteToUDPAddrPort(b, to)
}

// udpPair opens two nodes' sockets on loopback for paths, and returns
// their configs and Listen functions, each socket behind the path's
// filter (node 1's side).
func udpPair(t testing.TB, paths []string, period, dead time.Duration) (cfgA, cfgB Config, listenA, listenB func(Path) (Conn, error), drop []*atomic.Bool) {
	cfgA = Config{Node: "controller-0", Peer: "controller-1", Key: string(testKey), Period: period, DeadInterval: dead}
	cfgB = Config{Node: "controller-1", Peer: "controller-0", Key: string(testKey), Period: period, DeadInterval: dead}
	conns := map[string]Conn{}
	open := func() *net.UDPConn {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		require.NoError(t, err)
		return c
	}
	for _, name := range paths {
		a, b := open(), open()
		d := &atomic.Bool{}
		drop = append(drop, d)
		aa, ba := a.LocalAddr().String(), b.LocalAddr().String()
		conns["a"+aa], conns["b"+ba] = a, filterConn{b, d}
		cfgA.Paths = append(cfgA.Paths, Path{Name: name, Local: aa, Peer: ba})
		cfgB.Paths = append(cfgB.Paths, Path{Name: name, Local: ba, Peer: aa})
	}
	listenA = func(p Path) (Conn, error) { return conns["a"+p.Local], nil }
	listenB = func(p Path) (Conn, error) { return conns["b"+p.Local], nil }
	return
}

// TestLinkUDP: two links on loopback over two real UDP paths: both come
// up; one path cut is that path down and the peer still up; both cut is
// the peer down; healed, it comes back; a message crosses once.
func TestLinkUDP(t *testing.T) {
	const period, dead = 10 * time.Millisecond, 40 * time.Millisecond
	cfgA, cfgB, listenA, listenB, drop := udpPair(t, []string{"mgmt", "oam"}, period, dead)
	evA, evB := newEvents(), newEvents()
	regA := prometheus.NewRegistry()
	a, err := New(cfgA, regA, &Options{OnEvent: evA.onEvent, Handler: evA.handle, Listen: listenA})
	require.NoError(t, err)
	b, err := New(cfgB, nil, &Options{OnEvent: evB.onEvent, Handler: evB.handle, Listen: listenB})
	require.NoError(t, err)
	start(t, a)
	start(t, b)

	for _, ev := range []*events{evA, evB} {
		ev.waitFor(t, 0, EventPathUp, "mgmt")
		ev.waitFor(t, 0, EventPathUp, "oam")
		ev.waitFor(t, 0, EventPeerUp, "")
	}

	drop[1].Store(true) // oam
	n := len(evA.all())
	evA.waitFor(t, n, EventPathDown, "oam")
	evB.waitFor(t, 0, EventPathDown, "oam")
	// mgmt carries on: 20 more heartbeats (five dead intervals' worth)
	// arrive on it, and neither mgmt nor the peer goes down.
	require.NoError(t, b.Send(TypeHello, []byte("still here")))
	received := func() float64 { return testutil.ToFloat64(a.paths[0].dec.ok.c) }
	r0 := received()
	require.Eventually(t, func() bool { return received() >= r0+5*float64(dead/period) }, 20*time.Second, period)
	for _, ev := range evA.all()[n:] {
		assert.NotEqual(t, EventPeerDown, ev.Kind, "peer down with mgmt alive: %v", evA.kinds(0))
		assert.NotEqual(t, "mgmt", ev.Path, "mgmt changed: %v", evA.kinds(0))
	}
	msgs := evA.messages()
	require.NotEmpty(t, msgs)
	assert.Equal(t, "still here", string(msgs[0].Payload))
	assert.Equal(t, "mgmt", msgs[0].Path, "delivered over the path left")

	drop[0].Store(true) // mgmt too
	evA.waitFor(t, n, EventPathDown, "mgmt")
	evA.waitFor(t, n, EventPeerDown, "")
	evB.waitFor(t, 0, EventPeerDown, "")

	n = len(evA.all())
	drop[0].Store(false)
	drop[1].Store(false)
	evA.waitFor(t, n, EventPeerUp, "")
	evA.waitFor(t, n, EventPathUp, "oam")
}
