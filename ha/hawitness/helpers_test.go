package hawitness

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/edgeflock/flock/ha/hatest"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

var (
	testKey = []byte("0123456789abcdef0123456789abcdef-witness")
	instA   = InstanceID{1}
	instB   = InstanceID{2}
	t0      = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

const testDomain = "controller"

// hookConn lets a test drop answers and move the clock on the
// server's side.
type hookConn struct {
	*net.UDPConn
	mu sync.Mutex
	// onWrite, when set, is called before each answer is sent; false
	// drops it.
	onWrite func(b []byte) bool
	// onRead, when set, is called after each datagram is read.
	onRead func()
}

func (c *hookConn) setOnWrite(f func([]byte) bool) { c.mu.Lock(); c.onWrite = f; c.mu.Unlock() }
func (c *hookConn) setOnRead(f func())             { c.mu.Lock(); c.onRead = f; c.mu.Unlock() }

func (c *hookConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	n, from, err := c.UDPConn.ReadFromUDPAddrPort(b)
	c.mu.Lock()
	f := c.onRead
	c.mu.Unlock()
	if err == nil && f != nil {
		f()
	}
	return n, from, err
}

func (c *hookConn) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	c.mu.Lock()
	f := c.onWrite
	c.mu.Unlock()
	if f != nil && !f(b) {
		return len(b), nil
	}
	return c.UDPConn.WriteToUDPAddrPort(b, to)
}

// testServer is a Server running on loopback.
type testServer struct {
	srv   *Server
	addr  string
	reg   *prometheus.Registry
	dir   string
	clock *hatest.WitnessClock
	conn  *hookConn
	stop  func() error
}

// startServer runs a witness on a fresh loopback socket, its state in
// dir, on clock, with domain "controller" for controller-0 and -1.
func startServer(t testing.TB, dir string, clock *hatest.WitnessClock, maxLease time.Duration) *testServer {
	t.Helper()
	uc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	ts := &testServer{addr: uc.LocalAddr().String(), reg: prometheus.NewRegistry(), dir: dir, clock: clock, conn: &hookConn{UDPConn: uc}}
	cfg := Config{Listen: ts.addr, Key: testKey, StateDir: dir, MaxLease: maxLease,
		Domains: []Domain{{Name: testDomain, Nodes: []string{hatest.WitnessNodeA, hatest.WitnessNodeB}}}}
	ts.srv, err = New(cfg, ts.reg, &Options{Now: clock.Now, Listen: func(netip.AddrPort) (Conn, error) { return ts.conn, nil }})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ts.srv.Run(ctx) }()
	var once sync.Once
	var runErr error
	ts.stop = func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() { require.NoError(t, ts.stop()) })
	return ts
}

// newClient returns a client of ts on ts's clock.
func newClient(t testing.TB, ts *testServer, reg prometheus.Registerer, mod func(*ClientConfig)) *Client {
	t.Helper()
	cfg := ClientConfig{Server: ts.addr, Key: testKey, Domain: testDomain, Lease: 2 * time.Second, Retry: 20 * time.Millisecond, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewClient(cfg, reg, &ClientOptions{Now: ts.clock.Now})
	require.NoError(t, err)
	return c
}

// rawSend sends b to addr from a fresh socket and returns the answer,
// or nil if none came within wait.
func rawSend(t testing.TB, addr string, b []byte, wait time.Duration) []byte {
	t.Helper()
	ap := netip.MustParseAddrPort(addr)
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(ap))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write(b)
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(wait)))
	buf := make([]byte, MaxMessage+1)
	n, err := c.Read(buf)
	if err != nil {
		return nil
	}
	return buf[:n]
}

func encode(t testing.TB, m Message) []byte {
	t.Helper()
	e, err := NewEncoder(testKey)
	require.NoError(t, err)
	b, err := e.Encode(nil, &m)
	require.NoError(t, err)
	return b
}

func decode(t testing.TB, b []byte) Message {
	t.Helper()
	d, err := NewDecoder(testKey)
	require.NoError(t, err)
	var m Message
	require.NoError(t, d.Decode(b, &m))
	return m
}

func netListenLoopback() (*net.UDPConn, error) {
	return net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
}
