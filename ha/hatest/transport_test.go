package hatest_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha/hapeer"
	"github.com/edgeflock/flock/ha/hatest"
)

var netPathNames = []string{"mgmt", "oam", "cluster-host"}

// netRecorder records a link's events as "kind path" and their times.
type netRecorder struct {
	mu  sync.Mutex
	evs []hapeer.Event
}

func (r *netRecorder) onEvent(ev hapeer.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	r.mu.Unlock()
}

func (r *netRecorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.evs)
}

func (r *netRecorder) at(i int) hapeer.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.evs[i]
}

// kinds lists the events from index from on.
func (r *netRecorder) kinds(from int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := []string{}
	for _, ev := range r.evs[from:] {
		s = append(s, strings.TrimSpace(ev.Kind.String()+" "+ev.Path))
	}
	return s
}

// netPair is two links over a FakeNet, node 0 on 10.0.<i>.1:2000 and
// node 1 on 10.0.<i>.2:2000 for path i.
type netPair struct {
	net      *hatest.FakeNet
	cfg      [2]hapeer.Config
	link     [2]*hapeer.Link
	rec      [2]*netRecorder
	reg      [2]*prometheus.Registry
	cancel   [2]context.CancelFunc
	finished [2]chan error
}

func newNetPair(t *testing.T) *netPair {
	p := &netPair{net: hatest.NewFakeNet(1)}
	key := strings.Repeat("k", hapeer.MinKeyLen)
	for i := range 2 {
		p.cfg[i] = hapeer.Config{Node: fmt.Sprintf("controller-%d", i), Peer: fmt.Sprintf("controller-%d", 1-i), Key: key, Generation: 1}
		for j, name := range netPathNames {
			a, b := fmt.Sprintf("10.0.%d.%d:2000", j, i+1), fmt.Sprintf("10.0.%d.%d:2000", j, 2-i)
			p.cfg[i].Paths = append(p.cfg[i].Paths, hapeer.Path{Name: name, Local: a, Peer: b})
		}
		p.rec[i] = &netRecorder{}
		p.reg[i] = prometheus.NewRegistry()
		l, err := hapeer.New(p.cfg[i], p.reg[i], &hapeer.Options{OnEvent: p.rec[i].onEvent, Listen: p.net.Listen})
		require.NoError(t, err)
		p.link[i] = l
	}
	return p
}

// start runs both links until the test ends, and waits until each sees
// the other on every path.
func (p *netPair) start(t *testing.T) {
	for i, l := range p.link {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- l.Run(ctx) }()
		p.cancel[i], p.finished[i] = cancel, done
		t.Cleanup(func() {
			cancel()
			require.NoError(t, <-done)
		})
	}
	time.Sleep(hapeer.DefaultPeriod + time.Millisecond)
	synctest.Wait()
	for i := range 2 {
		require.ElementsMatch(t, []string{"path-up mgmt", "peer-up", "path-up oam", "path-up cluster-host"}, p.rec[i].kinds(0), "node %d", i)
	}
}

// path is node 0's path j.
func (p *netPair) path(j int) hapeer.Path { return p.cfg[0].Paths[j] }

// dropped is node i's flock_ha_peer_dropped_total{path,reason}.
func (p *netPair) dropped(t *testing.T, i int, path string, reason hapeer.DropReason) float64 {
	mfs, err := p.reg[i].Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != "flock_ha_peer_dropped_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["path"] == path && labels["reason"] == reason.String() {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestNetLinksUp: two links over a FakeNet see each other on every path,
// and stay up: nothing is lost on a healthy network.
func TestNetLinksUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newNetPair(t)
		p.start(t)
		n := p.rec[0].len()
		// The first heartbeat of the node that starts first finds no
		// socket; from now on every one crosses.
		before := p.net.Stats(p.path(0), hatest.NetBoth)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		assert.Empty(t, p.rec[0].kinds(n))
		s := p.net.Stats(p.path(0), hatest.NetBoth)
		assert.Equal(t, 2*int(10*time.Second/hapeer.DefaultPeriod), s.Written-before.Written)
		assert.Equal(t, s.Written-before.Written, s.Delivered-before.Delivered)
		assert.Equal(t, before.Lost, s.Lost)
		assert.Zero(t, s.Dropped)
	})
}

// TestNetPartitionPath: one path partitioned (writes still succeed) is
// that path down on both nodes and nothing else; healed, it comes back.
func TestNetPartitionPath(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newNetPair(t)
		p.start(t)
		n0, n1 := p.rec[0].len(), p.rec[1].len()
		before := p.net.Stats(p.path(1), hatest.NetBoth)
		p.net.Partition(p.path(1), hatest.NetBoth)
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Equal(t, []string{"path-down oam"}, p.rec[0].kinds(n0))
		assert.Equal(t, []string{"path-down oam"}, p.rec[1].kinds(n1))
		s := p.net.Stats(p.path(1), hatest.NetBoth)
		assert.Equal(t, before.Delivered, s.Delivered, "nothing crossed")
		assert.Equal(t, s.Written-before.Written, s.Dropped-before.Dropped, "every write dropped")
		assert.Positive(t, s.Dropped)

		p.net.Heal(p.path(1), hatest.NetBoth)
		time.Sleep(hapeer.DefaultPeriod)
		synctest.Wait()
		assert.Equal(t, []string{"path-down oam", "path-up oam"}, p.rec[0].kinds(n0))
	})
}

// TestNetPartitionOneWay: node 1's heartbeats to node 0 lost on one path
// is the path down on node 0 only.
func TestNetPartitionOneWay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newNetPair(t)
		p.start(t)
		n0, n1 := p.rec[0].len(), p.rec[1].len()
		p.net.Partition(p.path(2), hatest.NetIn)
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Equal(t, []string{"path-down cluster-host"}, p.rec[0].kinds(n0))
		assert.Empty(t, p.rec[1].kinds(n1))
	})
}

// TestNetPartitionAll: every path partitioned is the peer down on both
// nodes, DeadInterval after the last heartbeat that crossed.
func TestNetPartitionAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newNetPair(t)
		p.start(t)
		time.Sleep(13 * time.Millisecond)
		n0, n1 := p.rec[0].len(), p.rec[1].len()
		cut := time.Now()
		for j := range netPathNames {
			p.net.Partition(p.path(j), hatest.NetBoth)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		for i, n := range []int{n0, n1} {
			ks := p.rec[i].kinds(n)
			require.Len(t, ks, 4, "node %d: %v", i, ks)
			assert.ElementsMatch(t, []string{"path-down mgmt", "path-down oam", "path-down cluster-host"}, ks[:3])
			assert.Equal(t, "peer-down", ks[3])
			down := p.rec[i].at(n + 3).Time
			assert.True(t, down.After(cut.Add(hapeer.DefaultDeadInterval-hapeer.DefaultPeriod)) && !down.After(cut.Add(hapeer.DefaultDeadInterval)),
				"node %d: peer down %s after the cut", i, down.Sub(cut))
		}
	})
}

// TestNetDuplicateReplay: duplicated datagrams and a replayed one are
// dropped by hapeer's replay check and counted; the path stays up.
func TestNetDuplicateReplay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newNetPair(t)
		p.start(t)
		n0 := p.rec[0].len()
		before := p.dropped(t, 0, "mgmt", hapeer.DropReplayed)
		p.net.Duplicate(p.path(0), hatest.NetIn, 2)
		time.Sleep(time.Second)
		synctest.Wait()
		s := p.net.Stats(p.path(0), hatest.NetIn)
		require.Positive(t, s.Duplicated)
		assert.Equal(t, float64(s.Duplicated), p.dropped(t, 0, "mgmt", hapeer.DropReplayed)-before, "each extra copy dropped as replayed")
		assert.Zero(t, p.dropped(t, 1, "mgmt", hapeer.DropReplayed), "the other direction was not duplicated")

		p.net.Heal(p.path(0), hatest.NetIn)
		before = p.dropped(t, 0, "oam", hapeer.DropReplayed)
		for range 5 {
			require.True(t, p.net.Replay(p.path(1), hatest.NetIn))
		}
		synctest.Wait()
		assert.Equal(t, 5.0, p.dropped(t, 0, "oam", hapeer.DropReplayed)-before)
		assert.Equal(t, 5, p.net.Stats(p.path(1), hatest.NetIn).Replayed)
		assert.Empty(t, p.rec[0].kinds(n0), "nothing went down")
	})
}

// TestNetDelay: a delay beyond DeadInterval on one direction of a path
// is that path down on the receiving node, DeadInterval after the last
// heartbeat that came in time, then up again when the delayed ones
// arrive; the other node does not notice.
func TestNetDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newNetPair(t)
		p.start(t)
		time.Sleep(7 * time.Millisecond)
		n0, n1 := p.rec[0].len(), p.rec[1].len()
		const delay = hapeer.DefaultDeadInterval + 100*time.Millisecond
		cut := time.Now()
		p.net.Delay(p.path(1), hatest.NetIn, delay)
		time.Sleep(time.Second)
		synctest.Wait()
		require.Equal(t, []string{"path-down oam", "path-up oam"}, p.rec[0].kinds(n0))
		down, up := p.rec[0].at(n0).Time, p.rec[0].at(n0+1).Time
		assert.True(t, down.After(cut.Add(hapeer.DefaultDeadInterval-hapeer.DefaultPeriod)) && !down.After(cut.Add(hapeer.DefaultDeadInterval)),
			"down %s after the delay began", down.Sub(cut))
		assert.True(t, !up.Before(cut.Add(delay)) && up.Before(cut.Add(delay+hapeer.DefaultPeriod)),
			"up %s after the delay began", up.Sub(cut))
		assert.Empty(t, p.rec[1].kinds(n1))
	})
}

// netSocks opens two sockets on a FakeNet and returns node 0's path
// between them.
func netSocks(t *testing.T, n *hatest.FakeNet) (a, b hapeer.Conn, p hapeer.Path) {
	p = hapeer.Path{Name: "mgmt", Local: "10.0.0.1:2000", Peer: "10.0.0.2:2000"}
	a, err := n.Listen(p)
	require.NoError(t, err)
	b, err = n.Listen(hapeer.Path{Name: "mgmt", Local: p.Peer, Peer: p.Local})
	require.NoError(t, err)
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b, p
}

// netSend writes the datagrams "0", "1" ... "k-1" from c to p.Peer.
func netSend(t *testing.T, c hapeer.Conn, p hapeer.Path, from, to int) {
	for i := from; i < to; i++ {
		n, err := c.WriteToUDPAddrPort([]byte(fmt.Sprint(i)), netip.MustParseAddrPort(p.Peer))
		require.NoError(t, err)
		require.Equal(t, len(fmt.Sprint(i)), n)
	}
}

// netRecv returns what c has queued and closes it.
func netRecv(t *testing.T, c hapeer.Conn) []string {
	out := make(chan string, 1000)
	go func() {
		defer close(out)
		buf := make([]byte, 100)
		for {
			n, _, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			out <- string(buf[:n])
		}
	}()
	synctest.Wait() // the reader has read everything and waits
	require.NoError(t, c.Close())
	got := []string{}
	for s := range out {
		got = append(got, s)
	}
	return got
}

// TestNetFaults checks each fault on plain sockets: what arrives, when,
// in which order.
func TestNetFaults(t *testing.T) {
	cases := []struct {
		name  string
		fault func(n *hatest.FakeNet, p hapeer.Path)
		want  []string
		stats hatest.NetStats
	}{
		{"none", func(*hatest.FakeNet, hapeer.Path) {}, []string{"0", "1", "2", "3", "4", "5"},
			hatest.NetStats{Written: 6, Delivered: 6}},
		{"partition", func(n *hatest.FakeNet, p hapeer.Path) { n.Partition(p, hatest.NetOut) }, []string{},
			hatest.NetStats{Written: 6, Dropped: 6}},
		{"partition-in", func(n *hatest.FakeNet, p hapeer.Path) { n.Partition(p, hatest.NetIn) }, []string{"0", "1", "2", "3", "4", "5"},
			hatest.NetStats{Written: 6, Delivered: 6}},
		{"drop-next", func(n *hatest.FakeNet, p hapeer.Path) { n.DropNext(p, hatest.NetBoth, 2) }, []string{"2", "3", "4", "5"},
			hatest.NetStats{Written: 6, Dropped: 2, Delivered: 4}},
		{"duplicate", func(n *hatest.FakeNet, p hapeer.Path) { n.Duplicate(p, hatest.NetOut, 1) }, []string{"0", "0", "1", "1", "2", "2", "3", "3", "4", "4", "5", "5"},
			hatest.NetStats{Written: 6, Duplicated: 6, Delivered: 12}},
		{"reorder", func(n *hatest.FakeNet, p hapeer.Path) { n.Reorder(p, hatest.NetOut) }, []string{"1", "0", "3", "2", "5", "4"},
			hatest.NetStats{Written: 6, Delivered: 6}},
		{"heal", func(n *hatest.FakeNet, p hapeer.Path) {
			n.Set(p, hatest.NetOut, hatest.NetFault{Partition: true, Duplicate: 3})
			n.Heal(p, hatest.NetBoth)
		}, []string{"0", "1", "2", "3", "4", "5"},
			hatest.NetStats{Written: 6, Delivered: 6}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := hatest.NewFakeNet(1)
				a, b, p := netSocks(t, n)
				c.fault(n, p)
				netSend(t, a, p, 0, 6)
				assert.Equal(t, c.want, netRecv(t, b))
				assert.Equal(t, c.stats, n.Stats(p, hatest.NetOut))
			})
		})
	}
}

// TestNetDelayOrder: delayed datagrams arrive exactly their delay after
// they were written, in order; Reorder's held datagram is released by
// Heal; a closed socket's address loses what is sent to it.
func TestNetDelayOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := hatest.NewFakeNet(1)
		a, b, p := netSocks(t, n)
		n.Delay(p, hatest.NetOut, 30*time.Millisecond)
		start := time.Now()
		netSend(t, a, p, 0, 3)
		time.Sleep(10 * time.Millisecond)
		netSend(t, a, p, 3, 4)
		buf := make([]byte, 10)
		for i := range 4 {
			k, _, err := b.ReadFromUDPAddrPort(buf)
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprint(i), string(buf[:k]))
			want := 30 * time.Millisecond
			if i == 3 {
				want += 10 * time.Millisecond
			}
			assert.Equal(t, want, time.Since(start), "datagram %d", i)
		}

		n.Set(p, hatest.NetOut, hatest.NetFault{Reorder: true})
		netSend(t, a, p, 4, 5)
		synctest.Wait()
		assert.Equal(t, hatest.NetFault{Reorder: true}, n.Fault(p, hatest.NetOut))
		n.Heal(p, hatest.NetOut)
		k, from, err := b.ReadFromUDPAddrPort(buf)
		require.NoError(t, err)
		assert.Equal(t, "4", string(buf[:k]), "released by Heal")
		assert.Equal(t, p.Local, from.String())

		require.NoError(t, b.Close())
		_, _, err = b.ReadFromUDPAddrPort(buf)
		assert.ErrorIs(t, err, net.ErrClosed)
		netSend(t, a, p, 5, 6)
		assert.Equal(t, 1, n.Stats(p, hatest.NetOut).Lost, "nobody listens")
		_, err = n.Listen(hapeer.Path{Name: "x", Local: p.Local, Peer: p.Peer})
		assert.ErrorContains(t, err, "in use")
	})
}

// TestNetDropFraction: a fraction of the datagrams is dropped, drawn
// from the seeded generator: the same seed drops the same ones.
func TestNetDropFraction(t *testing.T) {
	run := func() []string {
		var got []string
		synctest.Test(t, func(t *testing.T) {
			n := hatest.NewFakeNet(42)
			a, b, p := netSocks(t, n)
			n.DropFraction(p, hatest.NetOut, 0.5)
			netSend(t, a, p, 0, 200)
			got = netRecv(t, b)
			s := n.Stats(p, hatest.NetOut)
			assert.Equal(t, 200, s.Dropped+s.Delivered)
		})
		return got
	}
	first := run()
	assert.InDelta(t, 100, len(first), 30)
	assert.Equal(t, first, run())
}
