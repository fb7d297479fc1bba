package hawitness

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hatest"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func metric(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
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
				for _, l := range m.GetLabel() {
					if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue next
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func initDir(t *testing.T) string {
	dir := t.TempDir()
	require.NoError(t, InitStateDir(dir))
	return dir
}

// TestServerSuite runs the conformance suite against the Server over
// loopback UDP, both clients and the witness on one manual clock.
func TestServerSuite(t *testing.T) {
	hatest.RunWitnessSuite(t, func(t *testing.T) (ha.Witness, ha.Witness) {
		clock := hatest.NewWitnessClock(t0)
		ts := startServer(t, initDir(t), clock, 10*time.Second)
		a, b := newClient(t, ts, nil, nil), newClient(t, ts, nil, nil)
		return hatest.WitnessWithClock{Witness: a, WitnessClock: clock}, b
	})
}

// TestServerPersistsBeforeAnswering: when the grant's answer leaves,
// the state file already holds it.
func TestServerPersistsBeforeAnswering(t *testing.T) {
	clock := hatest.NewWitnessClock(t0)
	ts := startServer(t, initDir(t), clock, 10*time.Second)
	var mu sync.Mutex
	var seen []stateFile
	ts.conn.setOnWrite(func(b []byte) bool {
		raw, err := os.ReadFile(filepath.Join(ts.dir, StateFile))
		if err == nil {
			var st stateFile
			if json.Unmarshal(raw, &st) == nil {
				mu.Lock()
				seen = append(seen, st)
				mu.Unlock()
			}
		}
		return true
	})
	a := newClient(t, ts, nil, nil)
	until, err := a.Acquire(t.Context(), hatest.WitnessNodeA)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(2*time.Second), until)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 1)
	require.Len(t, seen[0].Leases, 1)
	l := seen[0].Leases[0]
	assert.Equal(t, stateLease{Domain: testDomain, Holder: hatest.WitnessNodeA, Instance: a.Instance().String(), RemainingNS: int64(2 * time.Second)}, l)
	require.Len(t, seen[0].Clients, 1)
	assert.Equal(t, stateSeq{Instance: a.Instance().String(), Seq: 1}, seen[0].Clients[0])
}

// TestServerRestart: a witness restarted after any downtime refuses
// the other node for the whole persisted lease from its restart, and
// the holder renews across it.
func TestServerRestart(t *testing.T) {
	clock := hatest.NewWitnessClock(t0)
	dir := initDir(t)
	ts := startServer(t, dir, clock, 10*time.Second)
	a := newClient(t, ts, nil, nil)
	_, err := a.Acquire(t.Context(), hatest.WitnessNodeA)
	require.NoError(t, err)
	require.NoError(t, ts.stop())

	clock.Advance(time.Hour)
	restarted := clock.Now()
	ts = startServer(t, dir, clock, 10*time.Second)
	b := newClient(t, ts, nil, nil)
	_, err = b.Acquire(t.Context(), hatest.WitnessNodeB)
	var lh *ha.LeaseHeldError
	require.ErrorAs(t, err, &lh)
	assert.Equal(t, hatest.WitnessNodeA, lh.Holder)
	assert.Equal(t, restarted.Add(2*time.Second), lh.Until, "the full persisted lease, from the restart")

	clock.Advance(2*time.Second - time.Millisecond)
	_, err = b.Acquire(t.Context(), hatest.WitnessNodeB)
	require.ErrorAs(t, err, &lh)
	clock.Advance(time.Millisecond)
	_, err = b.Acquire(t.Context(), hatest.WitnessNodeB)
	require.NoError(t, err)
}

func TestServerRestartHolderRenews(t *testing.T) {
	clock := hatest.NewWitnessClock(t0)
	dir := initDir(t)
	ts := startServer(t, dir, clock, 10*time.Second)
	a := newClient(t, ts, nil, nil)
	_, err := a.Acquire(t.Context(), hatest.WitnessNodeA)
	require.NoError(t, err)
	require.NoError(t, ts.stop())
	ts = startServer(t, dir, clock, 10*time.Second)
	// The same client instance, pointed at the restarted witness.
	a2, err := NewClient(ClientConfig{Server: ts.addr, Key: testKey, Domain: testDomain, Lease: 3 * time.Second},
		nil, &ClientOptions{Now: clock.Now, Instance: a.Instance()})
	require.NoError(t, err)
	a2.seq = a.seq
	until, err := a2.Acquire(t.Context(), hatest.WitnessNodeA)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(3*time.Second), until)
}

// TestServerNoStateHoldsBack: a witness that finds no state refuses
// every node for max_lease, and a restart within it does not end it.
func TestServerNoStateHoldsBack(t *testing.T) {
	clock := hatest.NewWitnessClock(t0)
	dir := t.TempDir()
	ts := startServer(t, dir, clock, 5*time.Second)
	a := newClient(t, ts, nil, nil)
	_, err := a.Acquire(t.Context(), hatest.WitnessNodeA)
	var lh *ha.LeaseHeldError
	require.ErrorAs(t, err, &lh)
	assert.Equal(t, "", lh.Holder)
	assert.Equal(t, t0.Add(5*time.Second), lh.Until)
	l, err := a.Lease(t.Context(), hatest.WitnessNodeB)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(5*time.Second), l, "the hold is reported as anyone's lease")
	require.NoError(t, ts.stop())

	clock.Advance(4 * time.Second)
	ts = startServer(t, dir, clock, 5*time.Second)
	a = newClient(t, ts, nil, nil)
	_, err = a.Acquire(t.Context(), hatest.WitnessNodeA)
	require.ErrorAs(t, err, &lh, "restarted within the hold: still held back")
	clock.Advance(5 * time.Second)
	_, err = a.Acquire(t.Context(), hatest.WitnessNodeA)
	require.NoError(t, err)

	require.Error(t, InitStateDir(dir), "an existing state is never reset")
}

// TestServerDropsBadDatagrams: forged, truncated, replayed, oversize
// and misdirected datagrams get no answer and are counted.
func TestServerDropsBadDatagrams(t *testing.T) {
	clock := hatest.NewWitnessClock(t0)
	ts := startServer(t, initDir(t), clock, 10*time.Second)
	good := encode(t, Message{Type: TypeAcquire, Domain: testDomain, Node: hatest.WitnessNodeA, Instance: instA, Seq: 5, Duration: time.Second})
	ans := rawSend(t, ts.addr, good, 5*time.Second)
	require.NotNil(t, ans)
	assert.Equal(t, TypeGranted, decode(t, ans).Type)

	forged := append([]byte(nil), good...)
	forged[len(forged)-1] ^= 1
	bad := [][]byte{
		forged,
		good[:len(good)-3],
		make([]byte, MaxMessage+1),
		encode(t, Message{Type: TypeAcquire, Domain: testDomain, Node: hatest.WitnessNodeA, Instance: instA, Seq: 4, Duration: time.Second}),
		encode(t, Message{Type: TypeGranted, Domain: testDomain, Node: hatest.WitnessNodeA, Instance: instA, Seq: 6, Duration: time.Second}),
	}
	ap := netip.MustParseAddrPort(ts.addr)
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(ap))
	require.NoError(t, err)
	defer c.Close()
	for _, b := range bad {
		_, err := c.Write(b)
		require.NoError(t, err)
	}
	// The server reads in order: the first answer is the query's.
	query := encode(t, Message{Type: TypeQuery, Domain: testDomain, Node: hatest.WitnessNodeA, Instance: instB, Seq: 1})
	_, err = c.Write(query)
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	buf := make([]byte, MaxMessage+1)
	n, err := c.Read(buf)
	require.NoError(t, err)
	got := decode(t, buf[:n])
	assert.Equal(t, TypeLease, got.Type)
	assert.Equal(t, instB, got.Instance)
	assert.Equal(t, time.Second, got.Duration, "the replayed acquire did not extend the lease")

	for reason, want := range map[string]float64{"forged": 1, "truncated": 1, "oversize": 1, "replayed": 1, "unexpected": 1, "malformed": 0} {
		assert.Equal(t, want, metric(t, ts.reg, "flock_ha_witness_dropped_total", "reason", reason), reason)
	}
	assert.Equal(t, 1.0, metric(t, ts.reg, "flock_ha_witness_grants_total"))
	assert.Equal(t, 1.0, metric(t, ts.reg, "flock_ha_witness_queries_total"))
}

// TestClientResendCountsFromFirstSend: the witness's first answer is
// lost and the clock moves before the resend; the witness answers the
// resend from its cache without extending the lease, and the client
// counts the lease from its first send.
func TestClientResendCountsFromFirstSend(t *testing.T) {
	clock := hatest.NewWitnessClock(t0)
	ts := startServer(t, initDir(t), clock, 10*time.Second)
	var mu sync.Mutex
	dropped := false
	ts.conn.setOnWrite(func([]byte) bool {
		mu.Lock()
		defer mu.Unlock()
		if !dropped {
			dropped = true
			clock.Advance(time.Second)
			return false
		}
		return true
	})
	reg := prometheus.NewRegistry()
	a := newClient(t, ts, reg, nil)
	until, err := a.Acquire(t.Context(), hatest.WitnessNodeA)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(2*time.Second), until, "from the first send, not the answer")
	assert.Equal(t, 1.0, metric(t, ts.reg, "flock_ha_witness_duplicates_total"))
	assert.Equal(t, 1.0, metric(t, ts.reg, "flock_ha_witness_grants_total"))
	assert.GreaterOrEqual(t, metric(t, reg, "flock_ha_witness_client_resent_total"), 1.0)

	b := newClient(t, ts, nil, nil)
	_, err = b.Acquire(t.Context(), hatest.WitnessNodeB)
	var lh *ha.LeaseHeldError
	require.ErrorAs(t, err, &lh)
	assert.Equal(t, t0.Add(2*time.Second), lh.Until, "the resend did not extend the lease")
}

// TestClientUnavailable: a witness that does not answer, or is not
// there, is ha.ErrUnavailable once the context ends (or Timeout).
func TestClientUnavailable(t *testing.T) {
	silent, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer silent.Close()
	gone, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	goneAddr := gone.LocalAddr().String()
	require.NoError(t, gone.Close())

	for name, addr := range map[string]string{"silent": silent.LocalAddr().String(), "gone": goneAddr} {
		t.Run(name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			c, err := NewClient(ClientConfig{Server: addr, Key: testKey, Domain: testDomain, Retry: 10 * time.Millisecond, Timeout: 50 * time.Millisecond}, reg, nil)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			_, err = c.Acquire(ctx, hatest.WitnessNodeA)
			require.ErrorIs(t, err, ha.ErrUnavailable)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			// No deadline: Timeout bounds the call.
			err = c.Release(context.Background(), hatest.WitnessNodeA)
			require.ErrorIs(t, err, ha.ErrUnavailable)
			// Cancelled: at once.
			ctx, cancel = context.WithCancel(t.Context())
			cancel()
			_, err = c.Lease(ctx, hatest.WitnessNodeA)
			require.ErrorIs(t, err, ha.ErrUnavailable)
			require.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, 3.0, testutil.ToFloat64(c.metrics.unavailable))
		})
	}
	t.Run("resends", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		c, err := NewClient(ClientConfig{Server: silent.LocalAddr().String(), Key: testKey, Domain: testDomain, Retry: 5 * time.Millisecond, Timeout: 40 * time.Millisecond}, reg, nil)
		require.NoError(t, err)
		_, err = c.Acquire(t.Context(), hatest.WitnessNodeA)
		require.ErrorIs(t, err, ha.ErrUnavailable)
		assert.GreaterOrEqual(t, testutil.ToFloat64(c.metrics.resent), 1.0)
	})
}

// TestClientDropsStrayAnswers: before the right answer, a forged one
// and an answer to another request arrive; the client takes only its
// own.
func TestClientDropsStrayAnswers(t *testing.T) {
	srv, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer srv.Close()
	go func() {
		buf := make([]byte, MaxMessage+1)
		n, from, err := srv.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		d, _ := NewDecoder(testKey)
		var m Message
		if d.Decode(buf[:n], &m) != nil {
			return
		}
		e, _ := NewEncoder(testKey)
		other := Message{Type: TypeGranted, Domain: m.Domain, Node: m.Node, Instance: m.Instance, Seq: m.Seq + 1, Duration: time.Hour}
		right := Message{Type: TypeGranted, Domain: m.Domain, Node: m.Node, Instance: m.Instance, Seq: m.Seq, Duration: time.Second}
		forged, _ := e.Encode(nil, &Message{Type: TypeGranted, Domain: m.Domain, Node: m.Node, Instance: m.Instance, Seq: m.Seq, Duration: time.Hour})
		forged[len(forged)-1] ^= 1
		reqEcho := buf[:n] // the request itself, reflected
		o, _ := e.Encode(nil, &other)
		r, _ := e.Encode(nil, &right)
		for _, b := range [][]byte{forged, o, reqEcho, r} {
			_, _ = srv.WriteToUDPAddrPort(b, from)
		}
	}()
	clock := hatest.NewWitnessClock(t0)
	reg := prometheus.NewRegistry()
	c, err := NewClient(ClientConfig{Server: srv.LocalAddr().String(), Key: testKey, Domain: testDomain, Retry: time.Minute}, reg, &ClientOptions{Now: clock.Now})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	until, err := c.Acquire(ctx, hatest.WitnessNodeA)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(time.Second), until)
	assert.Equal(t, 1.0, metric(t, reg, "flock_ha_witness_client_dropped_total", "reason", "forged"))
	assert.Equal(t, 2.0, metric(t, reg, "flock_ha_witness_client_dropped_total", "reason", "unexpected"))
}

func TestClientRejected(t *testing.T) {
	clock := hatest.NewWitnessClock(t0)
	ts := startServer(t, initDir(t), clock, 10*time.Second)
	c := newClient(t, ts, nil, func(c *ClientConfig) { c.Domain = "other" })
	_, err := c.Acquire(t.Context(), hatest.WitnessNodeA)
	var fe *ha.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "domain", fe.Field)
	c = newClient(t, ts, nil, nil)
	_, err = c.Lease(t.Context(), "intruder")
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "node", fe.Field)
	assert.Equal(t, 1.0, metric(t, ts.reg, "flock_ha_witness_rejected_total", "code", "node_not_allowed"))
	_, err = c.Acquire(t.Context(), "")
	require.ErrorAs(t, err, &fe)
}

// TestClientConcurrentCalls: calls on one client from several
// goroutines are serialised and all answered.
func TestClientConcurrentCalls(t *testing.T) {
	clock := hatest.NewWitnessClock(t0)
	ts := startServer(t, initDir(t), clock, 10*time.Second)
	c := newClient(t, ts, nil, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			var err error
			if i%2 == 0 {
				_, err = c.Acquire(t.Context(), hatest.WitnessNodeA)
			} else {
				_, err = c.Lease(t.Context(), hatest.WitnessNodeA)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 0.0, metric(t, ts.reg, "flock_ha_witness_dropped_total", "reason", "replayed"))
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Listen: "0.0.0.0:7001", Key: testKey, StateDir: "/x", Domains: []Domain{{Name: "d", Nodes: []string{"a", "b"}}}}
	require.NoError(t, ok.Validate())
	for field, mod := range map[string]func(*Config){
		"listen":              func(c *Config) { c.Listen = "x" },
		"key":                 func(c *Config) { c.Key = c.Key[:5] },
		"state_dir":           func(c *Config) { c.StateDir = "" },
		"max_lease":           func(c *Config) { c.MaxLease = time.Hour },
		"domains[1].name":     func(c *Config) { c.Domains = append(c.Domains, Domain{Name: "d"}) },
		"domains[0].nodes[1]": func(c *Config) { c.Domains[0].Nodes = []string{"a", "a"} },
	} {
		c := ok
		c.Domains = []Domain{{Name: "d", Nodes: []string{"a", "b"}}}
		mod(&c)
		var fe *ha.FieldError
		require.ErrorAs(t, c.Validate(), &fe, field)
		assert.Equal(t, field, fe.Field)
	}
	_, err := New(Config{}, nil, nil)
	require.ErrorIs(t, err, ha.ErrInvalid)
}

func TestServerCorruptStateFails(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, StateFile), []byte("{"), 0o600))
	s, err := New(Config{Listen: "127.0.0.1:1", Key: testKey, StateDir: dir}, nil, nil)
	require.NoError(t, err)
	err = s.Run(t.Context())
	require.ErrorIs(t, err, ha.ErrInvalid)
	require.False(t, errors.Is(err, net.ErrClosed))
}

// TestClientTimesAcrossTransit: the request takes a second to reach
// the witness. A grant is counted from before the request left (so it
// ends before the witness's end), a refusal and a lease from after the
// answer came (so they end no earlier than the witness's).
func TestClientTimesAcrossTransit(t *testing.T) {
	clock := hatest.NewWitnessClock(t0)
	ts := startServer(t, initDir(t), clock, 10*time.Second)
	ts.conn.setOnRead(func() { clock.Advance(time.Second) })
	a, b := newClient(t, ts, nil, nil), newClient(t, ts, nil, nil)

	ua, err := a.Acquire(t.Context(), hatest.WitnessNodeA) // processed at t0+1s: the witness's end is t0+3s
	require.NoError(t, err)
	assert.Equal(t, t0.Add(2*time.Second), ua, "sent at t0, granted 2s")

	_, err = b.Acquire(t.Context(), hatest.WitnessNodeB) // sent at t0+1s, processed at t0+2s: 1s left
	var lh *ha.LeaseHeldError
	require.ErrorAs(t, err, &lh)
	assert.Equal(t, t0.Add(3*time.Second), lh.Until, "arrived at t0+2s, 1s left")

	ts.conn.setOnRead(func() { clock.Advance(500 * time.Millisecond) })
	l, err := b.Lease(t.Context(), hatest.WitnessNodeA) // sent at t0+2s, processed at t0+2.5s: 0.5s left
	require.NoError(t, err)
	assert.Equal(t, t0.Add(3*time.Second), l)
}
