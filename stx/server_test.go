package stx

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeConn is a net.Conn that records whether it was closed.
type fakeConn struct {
	net.Conn
	name   string
	closed bool
}

func (c *fakeConn) Close() error { c.closed = true; return nil }

// TestConnTrackerEviction drives the tracker through ConnState sequences
// and checks which connection a new one over the cap closes.
func TestConnTrackerEviction(t *testing.T) {
	type step struct {
		conn  string
		state http.ConnState
	}
	tests := []struct {
		name   string
		max    int
		steps  []step
		closed []string
	}{
		{"under the cap nothing is closed", 3,
			[]step{{"a", http.StateNew}, {"b", http.StateNew}, {"c", http.StateNew}}, nil},
		{"the oldest stalled new connection goes first", 2,
			[]step{{"a", http.StateNew}, {"b", http.StateNew}, {"c", http.StateNew}}, []string{"a"}},
		{"an idle keep-alive connection goes before stalled ones", 2,
			[]step{{"a", http.StateNew}, {"a", http.StateActive}, {"b", http.StateNew}, {"b", http.StateActive},
				{"b", http.StateIdle}, {"c", http.StateNew}}, []string{"b"}},
		{"with all busy, the one whose last step is oldest", 2,
			[]step{{"a", http.StateNew}, {"b", http.StateNew}, {"b", http.StateActive}, {"a", http.StateActive},
				{"c", http.StateNew}}, []string{"b"}},
		{"a new request moves a connection to the back", 2,
			[]step{{"a", http.StateNew}, {"b", http.StateNew}, {"a", http.StateActive}, {"a", http.StateIdle},
				{"a", http.StateActive}, {"c", http.StateNew}, {"d", http.StateNew}}, []string{"b", "a"}},
		{"closed connections free their place", 2,
			[]step{{"a", http.StateNew}, {"b", http.StateNew}, {"a", http.StateClosed}, {"c", http.StateNew}}, nil},
		{"hijacked connections free their place", 2,
			[]step{{"a", http.StateNew}, {"b", http.StateNew}, {"a", http.StateHijacked}, {"c", http.StateNew}}, nil},
		{"an evicted connection's later states are ignored", 1,
			[]step{{"a", http.StateNew}, {"b", http.StateNew}, {"a", http.StateActive}, {"a", http.StateClosed},
				{"c", http.StateNew}}, []string{"a", "b"}},
		{"the new connection is never the one closed", 1,
			[]step{{"a", http.StateNew}, {"a", http.StateActive}, {"b", http.StateNew}}, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newConnTracker(tt.max)
			conns := map[string]*fakeConn{}
			var order []*fakeConn
			for _, s := range tt.steps {
				c, ok := conns[s.conn]
				if !ok {
					c = &fakeConn{name: s.conn}
					conns[s.conn] = c
					order = append(order, c)
				}
				tr.state(c, s.state)
				assert.LessOrEqual(t, tr.open(), tt.max)
			}
			var closed []string
			for _, c := range order {
				if c.closed {
					closed = append(closed, c.name)
				}
			}
			assert.ElementsMatch(t, tt.closed, closed)
			assert.Equal(t, int64(len(tt.closed)), tr.evictions())
		})
	}
}

// serveTest serves h with opts on loopback and returns its address.
func serveTest(t *testing.T, h http.Handler, opts *ServerOptions) (*Server, string) {
	t.Helper()
	srv, err := NewServer(h, opts)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		assert.ErrorIs(t, <-errc, http.ErrServerClosed)
	})
	return srv, ln.Addr().String()
}

// dialRaw opens a connection that gives up after 30 s: a test that
// waits for the server to cut it fails instead of hanging.
func dialRaw(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(30*time.Second)))
	return c
}

// requireCut reads c to its end and fails if that took the safety
// deadline rather than the server closing it. It returns what was read.
func requireCut(t *testing.T, c net.Conn) string {
	t.Helper()
	b, err := io.ReadAll(c)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server never closed the connection")
	return string(b)
}

func readBody(w http.ResponseWriter, r *http.Request) {
	if _, err := io.ReadAll(r.Body); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	_, _ = io.WriteString(w, "ok")
}

func TestServerDeadlines(t *testing.T) {
	short := &ServerOptions{ReadHeaderTimeout: 100 * time.Millisecond, ReadTimeout: 200 * time.Millisecond}
	tests := []struct {
		name, send string
		wantReply  string
	}{
		// net/http answers nothing to a request that never ends its headers.
		{"headers never end", "GET / HTTP/1.1\r\nHost: x\r\n", ""},
		{"nothing sent", "", ""},
		{"declared body never sent", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":", "400 Bad Request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, addr := serveTest(t, http.HandlerFunc(readBody), short)
			c := dialRaw(t, addr)
			_, err := io.WriteString(c, tt.send)
			require.NoError(t, err)
			got := requireCut(t, c)
			if tt.wantReply == "" {
				assert.Empty(t, got)
			} else {
				assert.Contains(t, got, tt.wantReply)
			}
		})
	}
}

func TestServerWriteTimeoutCutsClientThatNeverReads(t *testing.T) {
	writeErr := make(chan error, 1)
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// 256 MiB: far more than the sockets' buffers hold.
		for range 8 << 10 {
			if _, err := w.Write(chunk); err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- nil
	})
	_, addr := serveTest(t, h, &ServerOptions{WriteTimeout: 200 * time.Millisecond})
	c := dialRaw(t, addr)
	_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	select {
	case err := <-writeErr:
		require.Error(t, err, "the handler wrote 256 MiB to a client that reads nothing")
	case <-time.After(30 * time.Second):
		t.Fatal("the handler's write never failed")
	}
	// What was in the sockets' buffers arrives, then the end: the
	// response is cut short.
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	n, err := io.Copy(io.Discard, resp.Body)
	assert.Error(t, err)
	assert.Less(t, n, int64(256<<20))
}

func TestServerCapKeepsHealthyClientsIn(t *testing.T) {
	reg := prometheus.NewRegistry()
	srv, addr := serveTest(t, http.HandlerFunc(readBody), &ServerOptions{MaxConns: 8, Registerer: reg})
	// 40 stalled clients: half never finish their headers, half never
	// send the body they declared.
	stalled := make([]net.Conn, 40)
	for i := range stalled {
		stalled[i] = dialRaw(t, addr)
		req := "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"
		if i%2 == 0 {
			req = "GET / HTTP/1.1\r\nHo"
		}
		_, err := io.WriteString(stalled[i], req)
		require.NoError(t, err)
	}
	// The oldest was closed to make room.
	requireCut(t, stalled[0])
	hc := &http.Client{Timeout: 10 * time.Second}
	for range 3 {
		resp, err := hc.Get("http://" + addr + "/")
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}
	assert.LessOrEqual(t, srv.conns.open(), 8)
	assert.GreaterOrEqual(t, srv.conns.evictions(), int64(40+1-8))

	mfs, err := reg.Gather()
	require.NoError(t, err)
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	assert.True(t, names["flock_http_open_connections"])
	assert.True(t, names["flock_http_evicted_connections_total"])
}

func TestServerShutdown(t *testing.T) {
	started := make(chan struct{}, 10)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stall" {
			started <- struct{}{}
		}
		readBody(w, r)
	})
	var logs bytes.Buffer
	srv, addr := serveTest(t, h, &ServerOptions{ShutdownGrace: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	// One idle keep-alive client: closed at once, not counted as cut.
	hc := &http.Client{}
	resp, err := hc.Get("http://" + addr + "/")
	require.NoError(t, err)
	_ = resp.Body.Close()
	// Three requests that never send their body.
	var stalled []net.Conn
	for range 3 {
		c := dialRaw(t, addr)
		_, err := io.WriteString(c, "POST /stall HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{")
		require.NoError(t, err)
		<-started
		stalled = append(stalled, c)
	}
	require.NoError(t, srv.Shutdown(t.Context()))
	for _, c := range stalled {
		requireCut(t, c)
	}
	assert.Contains(t, logs.String(), "cut_connections=3")
	hc.CloseIdleConnections()
}

func TestServerShutdownWithNothingInProgress(t *testing.T) {
	var logs bytes.Buffer
	srv, addr := serveTest(t, http.HandlerFunc(readBody), &ServerOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	hc := &http.Client{}
	resp, err := hc.Get("http://" + addr + "/")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.NoError(t, srv.Shutdown(t.Context()))
	assert.Contains(t, logs.String(), "cut_connections=0")
}

func TestServerOptionsErrors(t *testing.T) {
	tests := []struct {
		opts  ServerOptions
		field string
	}{
		{ServerOptions{ReadHeaderTimeout: -1}, "server.read_header_timeout"},
		{ServerOptions{ReadTimeout: -time.Second}, "server.read_timeout"},
		{ServerOptions{WriteTimeout: -1}, "server.write_timeout"},
		{ServerOptions{IdleTimeout: -1}, "server.idle_timeout"},
		{ServerOptions{MaxHeaderBytes: -1}, "server.max_header_bytes"},
		{ServerOptions{MaxConns: -1}, "server.max_conns"},
		{ServerOptions{ShutdownGrace: -1}, "server.shutdown_grace"},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			_, err := NewServer(http.NotFoundHandler(), &tt.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.field)
			_, err = Open(t.Context(), Config{DataDir: t.TempDir(), Server: tt.opts})
			assert.ErrorContains(t, err, tt.field)
		})
	}
	reg := prometheus.NewRegistry()
	_, err := NewServer(http.NotFoundHandler(), &ServerOptions{Registerer: reg})
	require.NoError(t, err)
	_, err = NewServer(http.NotFoundHandler(), &ServerOptions{Registerer: reg})
	assert.ErrorContains(t, err, "server metrics")
}

func TestServerHeaderLimit(t *testing.T) {
	_, addr := serveTest(t, http.HandlerFunc(readBody), nil)
	c := dialRaw(t, addr)
	_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 80<<10)+"\r\n\r\n")
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		// The server may close before reading it all; its answer is what matters.
		t.Log(err)
	}
	assert.Contains(t, requireCut(t, c), "431 Request Header Fields Too Large")
}
