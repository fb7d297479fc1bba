package hapeer

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pair is two links over a memNet, with their recorders and registries.
type pair struct {
	net        *memNet
	cfgA, cfgB Config
	a, b       *Link
	evA, evB   *events
	regA       *prometheus.Registry
}

func newPair(t *testing.T) *pair {
	p := &pair{net: newMemNet(), evA: newEvents(), evB: newEvents(), regA: prometheus.NewRegistry()}
	p.cfgA, p.cfgB = pairConfigs()
	var err error
	p.a, err = New(p.cfgA, p.regA, &Options{OnEvent: p.evA.onEvent, Handler: p.evA.handle, Listen: p.net.listen})
	require.NoError(t, err)
	p.b = p.newB(t, p.cfgB)
	return p
}

func (p *pair) newB(t *testing.T, cfg Config) *Link {
	l, err := New(cfg, nil, &Options{OnEvent: p.evB.onEvent, Handler: p.evB.handle, Listen: p.net.listen})
	require.NoError(t, err)
	return l
}

// cutPath drops everything on path i (both directions, carriers up).
func (p *pair) cutPath(i int, cut bool) { p.net.setCut(p.cfgB.Paths[i].Local, cut) }

// TestLinkPaths: both sides see every path and the peer come up; one
// path cut is that path down, exactly DeadInterval after the last
// heartbeat that crossed it, with the peer still up; all paths cut is
// the peer down within DeadInterval of the cut; healing brings them back.
func TestLinkPaths(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t)
		start(t, p.a)
		start(t, p.b)
		// The first heartbeat of the side that starts first is lost (no
		// socket yet); its second comes a period later.
		time.Sleep(DefaultPeriod + time.Millisecond)
		synctest.Wait()

		for _, ev := range []*events{p.evA, p.evB} {
			ks := ev.kinds(0)
			require.Len(t, ks, 4, "%v", ks)
			assert.Equal(t, "peer-up ", ks[1], "the peer comes up with its first path")
			assert.ElementsMatch(t, []string{"path-up mgmt", "path-up oam", "path-up cluster-host"}, []string{ks[0], ks[2], ks[3]})
		}
		assert.Equal(t, "controller-1", p.evA.all()[1].Node)
		assert.Equal(t, p.b.Instance(), p.evA.all()[1].Instance)
		assert.Equal(t, 1.0, testutil.ToFloat64(p.a.paths[1].alive.g))
		assert.Equal(t, 1.0, testutil.ToFloat64(p.a.peerUp.g))

		// One path cut: path down, peer up.
		time.Sleep(20 * time.Millisecond) // off the heartbeat grid
		cut := time.Now()
		n := len(p.evA.all())
		p.cutPath(1, true)
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Equal(t, []string{"path-down oam"}, p.evA.kinds(n))
		down := p.evA.all()[n].Time
		assert.True(t, down.After(cut.Add(DefaultDeadInterval-DefaultPeriod)) && !down.After(cut.Add(DefaultDeadInterval)),
			"down %s after the cut", down.Sub(cut))
		assert.Equal(t, 0.0, testutil.ToFloat64(p.a.paths[1].alive.g))
		assert.Equal(t, 1.0, testutil.ToFloat64(p.a.peerUp.g))
		assert.Equal(t, []string{"path-down oam"}, p.evB.kinds(n), "B sees the same")

		// All paths cut: peer down.
		time.Sleep(7 * time.Millisecond)
		cut = time.Now()
		p.cutPath(0, true)
		p.cutPath(2, true)
		time.Sleep(time.Second)
		synctest.Wait()
		ks := p.evA.kinds(n + 1)
		require.Len(t, ks, 3, "%v", ks)
		assert.ElementsMatch(t, []string{"path-down mgmt", "path-down cluster-host"}, ks[:2])
		assert.Equal(t, "peer-down ", ks[2], "the peer goes down with its last path")
		peerDown := p.evA.all()[n+3].Time
		assert.True(t, peerDown.After(cut.Add(DefaultDeadInterval-DefaultPeriod)) && !peerDown.After(cut.Add(DefaultDeadInterval)),
			"peer down %s after the cut", peerDown.Sub(cut))
		assert.Equal(t, 0.0, testutil.ToFloat64(p.a.peerUp.g))

		// Healed: back within a period.
		n = len(p.evA.all())
		for i := range pathNames {
			p.cutPath(i, false)
		}
		time.Sleep(DefaultPeriod)
		synctest.Wait()
		ks = p.evA.kinds(n)
		require.Len(t, ks, 4, "%v", ks)
		assert.Equal(t, "peer-up ", ks[1])
	})
}

// TestLinkMessages: a message sent on every path is handled once, with
// its own payload; heartbeats are not handed to the handler.
func TestLinkMessages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t)
		assert.ErrorIs(t, p.a.Send(TypeSwactRequest, nil), ErrNotRunning)
		start(t, p.a)
		start(t, p.b)
		time.Sleep(time.Second)
		payload := []byte("swact controller-services")
		require.NoError(t, p.a.Send(TypeSwactRequest, payload))
		payload[0] = 'X' // the link sent its own copy
		synctest.Wait()
		got := p.evB.messages()
		require.Len(t, got, 1, "one delivery for three copies")
		assert.Equal(t, TypeSwactRequest, got[0].Type)
		assert.Equal(t, "controller-0", got[0].Node)
		assert.Equal(t, "swact controller-services", string(got[0].Payload))
		assert.Equal(t, p.a.Instance(), got[0].Instance)

		require.NoError(t, p.b.Send(TypeSwactResponse, []byte("ok")))
		require.NoError(t, p.b.Send(TypeExchange, []byte("page 1")))
		synctest.Wait()
		var types []Type
		for _, m := range p.evA.messages() {
			types = append(types, m.Type)
		}
		assert.Equal(t, []Type{TypeSwactResponse, TypeExchange}, types)

		err := p.a.Send(TypeHeartbeat, nil)
		assert.ErrorIs(t, err, ErrInvalid)
		assert.ErrorIs(t, p.a.Send(TypeHello, make([]byte, MaxPayload+1)), ErrInvalid)
		assert.ErrorIs(t, p.a.SetHeartbeatPayload(make([]byte, MaxPayload+1)), ErrInvalid)
		// A sent its one message on each of the three paths.
		assert.Equal(t, 3.0, sentTotal(t, p.regA)-3*heartbeatsSent(p.a))
	})
}

func sentTotal(t *testing.T, reg *prometheus.Registry) float64 {
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() == "flock_ha_peer_sent_total" {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// heartbeatsSent is the number of heartbeats l sent: its sequence less
// the one message Send sent (in TestLinkMessages).
func heartbeatsSent(l *Link) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return float64(l.seq) - 1
}

// TestLinkPeerRestart: a restarted peer (new instance, then a higher
// generation) is reported before the paths it comes back on.
func TestLinkPeerRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t)
		start(t, p.a)
		stopB := start(t, p.b)
		time.Sleep(time.Second)
		oldInst := p.b.Instance()

		// A quick restart, within the dead interval: no path goes down.
		stopB()
		n := len(p.evA.all())
		time.Sleep(DefaultPeriod)
		b2 := p.newB(t, p.cfgB)
		stopB = start(t, b2)
		time.Sleep(time.Second)
		synctest.Wait()
		assert.Equal(t, []string{"peer-restarted "}, p.evA.kinds(n))
		ev := p.evA.all()[n]
		assert.Equal(t, b2.Instance(), ev.Instance)
		assert.NotEqual(t, oldInst, ev.Instance)

		// Down long enough to be declared dead, back with generation 2.
		stopB()
		time.Sleep(time.Second)
		n = len(p.evA.all())
		cfg := p.cfgB
		cfg.Generation = 2
		start(t, p.newB(t, cfg))
		time.Sleep(time.Second)
		synctest.Wait()
		ks := p.evA.kinds(n)
		require.Len(t, ks, 5, "%v", ks)
		assert.Equal(t, "peer-restarted ", ks[0], "before the path that reveals it")
		assert.Equal(t, "peer-up ", ks[2])
		assert.Equal(t, uint64(2), p.evA.all()[n].Generation)
	})
}

// TestLinkDropsOnTheWire: a captured heartbeat replayed, a copy of one
// path's message on another and a reflected message are dropped and
// counted, and do not keep a dead path alive.
func TestLinkDropsOnTheWire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t)
		var mu sync.Mutex
		captured := map[netip.AddrPort][]byte{}
		p.net.tap = func(to netip.AddrPort, b []byte) {
			mu.Lock()
			captured[to] = append([]byte(nil), b...)
			mu.Unlock()
		}
		start(t, p.a)
		start(t, p.b)
		time.Sleep(time.Second)
		synctest.Wait()
		p.net.mu.Lock()
		p.net.tap = nil
		p.net.mu.Unlock()
		aMgmt := netip.MustParseAddrPort(p.cfgA.Paths[0].Local)
		aOAM := netip.MustParseAddrPort(p.cfgA.Paths[1].Local)
		bMgmt := netip.MustParseAddrPort(p.cfgB.Paths[0].Local)

		// B silent on every path; the attacker keeps replaying.
		n := len(p.evA.all())
		for i := range pathNames {
			p.cutPath(i, true)
		}
		for range 10 {
			p.net.inject(aMgmt, captured[aMgmt]) // replayed
			p.net.inject(aOAM, captured[aMgmt])  // mgmt's copy on OAM
			p.net.inject(aMgmt, captured[bMgmt]) // A's own, reflected
			time.Sleep(DefaultPeriod)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		drops := func(path string, r DropReason) float64 { return gathered(t, p.regA, path, r) }
		assert.Equal(t, 10.0, drops("mgmt", DropReplayed))
		assert.Equal(t, 10.0, drops("oam", DropWrongPath))
		assert.Equal(t, 10.0, drops("mgmt", DropUnexpectedNode))
		assert.Contains(t, p.evA.kinds(n), "peer-down ", "the replays kept nothing alive")
	})
}

// gathered is flock_ha_peer_dropped_total{path,reason} in reg.
func gathered(t *testing.T, reg *prometheus.Registry, path string, r DropReason) float64 {
	mfs, err := reg.Gather()
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
			if labels["path"] == path && labels["reason"] == r.String() {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestLinkConfig: a bad config names its field; New does no I/O.
func TestLinkConfig(t *testing.T) {
	good, _ := pairConfigs()
	for field, mut := range map[string]func(*Config){
		"node":           func(c *Config) { c.Node = "" },
		"peer":           func(c *Config) { c.Peer = c.Node },
		"key":            func(c *Config) { c.Key = c.Key[:31] },
		"paths":          func(c *Config) { c.Paths = nil },
		"period":         func(c *Config) { c.Period = time.Microsecond },
		"dead_interval":  func(c *Config) { c.DeadInterval = c.withDefaults().Period },
		"paths[1].name":  func(c *Config) { c.Paths[1].Name = "mgmt" },
		"paths[2].local": func(c *Config) { c.Paths[2].Local = "10.0.0.1" },
		"paths[0].peer":  func(c *Config) { c.Paths[0].Peer = "0.0.0.0:2000" },
		"paths[0].name":  func(c *Config) { c.Paths[0].Name = "Mgmt" },
	} {
		t.Run(field, func(t *testing.T) {
			c := good
			c.Paths = append([]Path(nil), good.Paths...)
			mut(&c)
			_, err := New(c, nil, nil)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, field, fe.Field)
			assert.ErrorIs(t, err, ErrInvalid)
		})
	}
	require.NoError(t, good.Validate())
	opened := false
	_, err := New(good, nil, &Options{Listen: func(Path) (Conn, error) { opened = true; return nil, nil }})
	require.NoError(t, err)
	assert.False(t, opened)
}

// TestLinkRunTwice: a second Run while one runs fails.
func TestLinkRunTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPair(t)
		start(t, p.a)
		time.Sleep(time.Millisecond)
		assert.Error(t, p.a.Run(context.Background()))
	})
}

// TestLinkHeartbeatPayload: the peer's heartbeat payload is delivered
// once per change (not once per heartbeat or per path), and again after
// the peer restarts even when unchanged.
func TestLinkHeartbeatPayload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := newMemNet()
		cfgA, cfgB := pairConfigs()
		var mu sync.Mutex
		var got []string
		onHB := func(m Message) {
			mu.Lock()
			got = append(got, string(m.Payload))
			mu.Unlock()
		}
		a, err := New(cfgA, nil, &Options{OnHeartbeat: onHB, Listen: net.listen})
		require.NoError(t, err)
		newB := func() *Link {
			b, err := New(cfgB, nil, &Options{Listen: net.listen})
			require.NoError(t, err)
			return b
		}
		b := newB()
		require.NoError(t, b.SetHeartbeatPayload([]byte("standby")))
		start(t, a)
		stopB := start(t, b)
		time.Sleep(time.Second)
		require.NoError(t, b.SetHeartbeatPayload([]byte("active")))
		time.Sleep(time.Second)
		stopB()
		b = newB()
		require.NoError(t, b.SetHeartbeatPayload([]byte("active")))
		start(t, b)
		time.Sleep(time.Second)
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, []string{"standby", "active", "active"}, got)
	})
}
