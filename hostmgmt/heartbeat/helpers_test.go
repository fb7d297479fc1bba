package heartbeat

import (
	"context"
	"crypto/rand"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

const (
	mgmt    = hostmgmt.NetworkMgmt
	cluster = hostmgmt.NetworkClusterHost
)

// waitLimit bounds every wait for an outcome; the outcomes come in well
// under it.
const waitLimit = 20 * time.Second

// entry is one recorded observation.
type entry struct {
	host string
	hostmgmt.Observation
}

// recorder is an Observer that keeps every observation.
type recorder struct {
	mu   sync.Mutex
	obs  []entry
	more chan struct{}
}

func newRecorder() *recorder { return &recorder{more: make(chan struct{}, 1)} }

func (r *recorder) Observe(host string, o hostmgmt.Observation) {
	r.mu.Lock()
	r.obs = append(r.obs, entry{host, o})
	r.mu.Unlock()
	select {
	case r.more <- struct{}{}:
	default:
	}
}

func (r *recorder) all() []entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]entry(nil), r.obs...)
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.obs)
}

// waitFor returns the index of the first observation at or after from
// that matches.
func (r *recorder) waitFor(t testing.TB, from int, what string, match func(entry) bool) int {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		for i := from; i < len(r.obs); i++ {
			if match(r.obs[i]) {
				r.mu.Unlock()
				return i
			}
		}
		r.mu.Unlock()
		select {
		case <-r.more:
		case <-deadline.C:
			t.Fatalf("no %s observed; observations: %+v", what, r.all())
		}
	}
}

// heartbeatOf matches host's heartbeat health on network n.
func heartbeatOf(host string, n hostmgmt.Network, h hostmgmt.Health) func(entry) bool {
	return func(e entry) bool {
		return e.host == host && e.Kind == hostmgmt.ObsHeartbeat && e.Network == n && e.Health == h
	}
}

func kindOf(host string, k hostmgmt.ObservationKind) func(entry) bool {
	return func(e entry) bool { return e.host == host && e.Kind == k }
}

// healths lists host's reported health on n, in order.
func healths(obs []entry, host string, n hostmgmt.Network) []hostmgmt.Health {
	var hs []hostmgmt.Health
	for _, e := range obs {
		if e.host == host && e.Kind == hostmgmt.ObsHeartbeat && e.Network == n {
			hs = append(hs, e.Health)
		}
	}
	return withoutFirstOK(hs)
}

// withoutFirstOK drops the report a monitored host's network gets at the
// first look (ok when it answers), leaving the changes that followed.
func withoutFirstOK(hs []hostmgmt.Health) []hostmgmt.Health {
	if len(hs) > 0 && hs[0] == hostmgmt.HealthOK {
		return hs[1:]
	}
	return hs
}

// pipe is a lossy link between one host's client and the controller on
// one network: the client sends to front, which forwards to the
// controller from back, and back to the client. drop decides per packet.
type pipe struct {
	front, back *net.UDPConn
	ctl         netip.AddrPort
	client      atomic.Pointer[netip.AddrPort]
	drop        atomic.Pointer[func(up bool, k kind) bool]
	passed      [2][8]atomic.Int64 // [up][kind]
}

func newPipe(t testing.TB, ctl netip.AddrPort) *pipe {
	t.Helper()
	p := &pipe{ctl: ctl, front: listen(t), back: listen(t)}
	var wg sync.WaitGroup
	wg.Go(func() { p.forward(true) })
	wg.Go(func() { p.forward(false) })
	t.Cleanup(func() {
		p.front.Close()
		p.back.Close()
		wg.Wait()
	})
	return p
}

func listen(t testing.TB) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	require.NoError(t, err)
	return c
}

func addrOf(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }

func (p *pipe) forward(up bool) {
	var buf [2048]byte
	in, out := p.back, p.front
	if up {
		in, out = p.front, p.back
	}
	for {
		n, from, err := in.ReadFromUDPAddrPort(buf[:])
		if err != nil {
			return
		}
		to := p.ctl
		if up {
			p.client.Store(&from)
		} else if c := p.client.Load(); c != nil {
			to = *c
		} else {
			continue
		}
		k := kind(0)
		if n > 4 && kind(buf[4]).valid() {
			k = kind(buf[4])
		}
		if d := p.drop.Load(); d != nil && (*d)(up, k) {
			continue
		}
		p.passed[b2i(up)][k].Add(1)
		_, _ = out.WriteToUDPAddrPort(buf[:n], to)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// silence drops everything (on) or nothing.
func (p *pipe) silence(on bool) {
	if !on {
		p.drop.Store(nil)
		return
	}
	all := func(bool, kind) bool { return true }
	p.drop.Store(&all)
}

// fakeHandler is a host's agent.
type fakeHandler struct {
	bootID   string
	flags    atomic.Uint32
	mu       sync.Mutex
	run      func(ctx context.Context, cmd hostmgmt.Command) error
	commands []hostmgmt.Command
}

func (f *fakeHandler) Status() Status {
	return Status{Configured: true, BootID: f.bootID, Uptime: time.Minute, Flags: hostmgmt.HealthFlags(f.flags.Load())}
}

func (f *fakeHandler) Command(ctx context.Context, cmd hostmgmt.Command) error {
	f.mu.Lock()
	f.commands = append(f.commands, cmd)
	run := f.run
	f.mu.Unlock()
	if run != nil {
		return run(ctx, cmd)
	}
	return nil
}

// setRun sets what Command does.
func (f *fakeHandler) setRun(run func(ctx context.Context, cmd hostmgmt.Command) error) {
	f.mu.Lock()
	f.run = run
	f.mu.Unlock()
}

func (f *fakeHandler) calls() []hostmgmt.Command {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]hostmgmt.Command(nil), f.commands...)
}

// lab is a controller on loopback with hosts behind pipes.
type lab struct {
	t    *testing.T
	ctl  *Controller
	rec  *recorder
	reg  *prometheus.Registry
	addr map[hostmgmt.Network]netip.AddrPort
	nets []hostmgmt.Network
}

// fastConfig is the defaults with a 20 ms period.
func fastConfig() Config {
	c := Config{Period: 20 * time.Millisecond, CommandTimeout: 50 * time.Millisecond}.withDefaults()
	return c
}

func newLab(t *testing.T, cfg Config, nets ...hostmgmt.Network) *lab {
	t.Helper()
	l := &lab{t: t, rec: newRecorder(), reg: prometheus.NewRegistry(), addr: map[hostmgmt.Network]netip.AddrPort{}, nets: nets}
	conns := map[hostmgmt.Network]*net.UDPConn{}
	for _, n := range nets {
		c := listen(t)
		t.Cleanup(func() { c.Close() })
		conns[n], l.addr[n] = c, addrOf(c)
	}
	ctl, err := newController(conns, l.rec, cfg, l.reg, nil)
	require.NoError(t, err)
	l.ctl = ctl
	runUntilCleanup(t, ctl.Run)
	return l
}

// runUntilCleanup runs run until the test ends.
func runUntilCleanup(t testing.TB, run func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
}

// testHost is a host's client behind one pipe per network.
type testHost struct {
	uuid   string
	key    []byte
	h      *fakeHandler
	client *Client
	pipes  map[hostmgmt.Network]*pipe
}

// addHost starts a client for a new host, admitted with its key.
func (l *lab) addHost(name string, aliveInterval time.Duration) *testHost {
	l.t.Helper()
	th := &testHost{uuid: name, key: make([]byte, 32), h: &fakeHandler{bootID: "boot-" + name}, pipes: map[hostmgmt.Network]*pipe{}}
	_, _ = rand.Read(th.key)
	l.ctl.SetKey(th.uuid, th.key)
	link := hostmgmt.LinkConfig{HostUUID: th.uuid, Key: th.key, PeriodMS: int(l.ctl.cfg.Period / time.Millisecond), Controller: map[hostmgmt.Network]string{}}
	for _, n := range l.nets {
		p := newPipe(l.t, l.addr[n])
		th.pipes[n] = p
		link.Controller[n] = addrOf(p.front).String()
	}
	c, err := NewClient(ClientConfig{Link: link, AliveInterval: aliveInterval}, th.h, nil)
	require.NoError(l.t, err)
	th.client = c
	runUntilCleanup(l.t, c.Run)
	return th
}

// waitHeard waits until the controller knows th's address on every
// network.
func (l *lab) waitHeard(th *testHost) {
	l.t.Helper()
	require.Eventually(l.t, func() bool {
		l.ctl.mu.Lock()
		defer l.ctl.mu.Unlock()
		h := l.ctl.hosts[th.uuid]
		for _, n := range l.nets {
			if h == nil || !h.net[netIndex(n)].addr.IsValid() {
				return false
			}
		}
		return true
	}, waitLimit, time.Millisecond)
}

// misses is th's count of consecutive misses on n.
func (l *lab) misses(uuid string, n hostmgmt.Network) int {
	l.ctl.mu.Lock()
	defer l.ctl.mu.Unlock()
	if h := l.ctl.hosts[uuid]; h != nil {
		return h.net[netIndex(n)].misses
	}
	return -1
}

// metric is the value of a counter or gauge with the given labels.
func (l *lab) metric(name string, labels ...string) float64 {
	l.t.Helper()
	return gathered(l.t, l.reg, name, labels...)
}

// gathered is the value of a counter or gauge of reg with the given
// labels (0 if it has none yet).
func gathered(t testing.TB, reg prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					found = found || (lp.GetName() == labels[i] && lp.GetValue() == labels[i+1])
				}
				if !found {
					continue next
				}
			}
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}
