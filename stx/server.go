package stx

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Server defaults, used where a ServerOptions field is zero.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultMaxConns          = 4096
	DefaultShutdownGrace     = 15 * time.Second
)

// ServerOptions configures NewServer; it is the "server" block of
// stx-controller's YAML config. Zero fields take the defaults above.
type ServerOptions struct {
	// ReadHeaderTimeout bounds the time to read a request's headers
	// (default 10s); it also closes a connection that sends nothing.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	// ReadTimeout bounds the time to read a whole request, body included
	// (default 60s): a client that declares a body and never sends it is
	// cut when it ends.
	ReadTimeout time.Duration `yaml:"read_timeout"`
	// WriteTimeout bounds the time from the end of a request's headers to
	// the end of its response (default 60s): a client that never reads a
	// response is cut when it ends, and the response is freed.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// IdleTimeout closes keep-alive connections idle that long (default
	// 120s).
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// MaxHeaderBytes bounds a request's headers (default 64 KiB).
	MaxHeaderBytes int `yaml:"max_header_bytes"`
	// MaxConns caps the open client connections (default 4096). A new
	// connection beyond it closes the longest-idle keep-alive connection
	// if there is one, else the connection whose last step (its accept,
	// or the start of its request) is oldest: stalled clients cannot lock
	// healthy ones out, each connection gets its turn, and memory stays
	// bounded. Keep it well below the process's open-file limit (ulimit
	// -n), which the database and the notifiers share.
	MaxConns int `yaml:"max_conns"`
	// ShutdownGrace is how long Shutdown waits for requests in progress
	// before it cuts their connections (default 15s).
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`

	// Logger receives the server's errors and its shutdown report; nil
	// discards.
	Logger *slog.Logger `yaml:"-"`
	// Registerer, if set, gets the connection metrics
	// flock_http_open_connections and flock_http_evicted_connections_total.
	Registerer prometheus.Registerer `yaml:"-"`
}

// Validate reports the first negative field, named as in the YAML config.
func (o *ServerOptions) Validate() error {
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"read_header_timeout", int64(o.ReadHeaderTimeout)},
		{"read_timeout", int64(o.ReadTimeout)},
		{"write_timeout", int64(o.WriteTimeout)},
		{"idle_timeout", int64(o.IdleTimeout)},
		{"max_header_bytes", int64(o.MaxHeaderBytes)},
		{"max_conns", int64(o.MaxConns)},
		{"shutdown_grace", int64(o.ShutdownGrace)},
	} {
		if f.v < 0 {
			return fmt.Errorf("stx: server.%s must not be negative", f.name)
		}
	}
	return nil
}

// Server is net/http's server with the timeouts of ServerOptions, a cap
// on open connections, and a shutdown that cuts what is still open at the
// end of its grace period. It is what stx-controller serves with.
type Server struct {
	srv   *http.Server
	conns *connTracker
	grace time.Duration
	log   *slog.Logger
}

// NewServer returns a server for h; nil opts means defaults. It fails only
// on invalid options (see ServerOptions.Validate) or metrics already
// registered on opts.Registerer.
func NewServer(h http.Handler, opts *ServerOptions) (*Server, error) {
	var o ServerOptions
	if opts != nil {
		o = *opts
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	orDefault(&o.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	orDefault(&o.ReadTimeout, DefaultReadTimeout)
	orDefault(&o.WriteTimeout, DefaultWriteTimeout)
	orDefault(&o.IdleTimeout, DefaultIdleTimeout)
	orDefault(&o.MaxHeaderBytes, DefaultMaxHeaderBytes)
	orDefault(&o.MaxConns, DefaultMaxConns)
	orDefault(&o.ShutdownGrace, DefaultShutdownGrace)
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{conns: newConnTracker(o.MaxConns), grace: o.ShutdownGrace, log: log}
	s.srv = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: o.ReadHeaderTimeout,
		ReadTimeout:       o.ReadTimeout,
		WriteTimeout:      o.WriteTimeout,
		IdleTimeout:       o.IdleTimeout,
		MaxHeaderBytes:    o.MaxHeaderBytes,
		ConnState:         s.conns.state,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if o.Registerer != nil {
		for _, c := range []prometheus.Collector{
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "flock", Subsystem: "http",
				Name: "open_connections", Help: "Client connections open (at most server.max_conns)."},
				func() float64 { return float64(s.conns.open()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "flock", Subsystem: "http",
				Name: "evicted_connections_total", Help: "Connections closed to make room under server.max_conns."},
				func() float64 { return float64(s.conns.evictions()) }),
		} {
			if err := o.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("stx: server metrics: %w", err)
			}
		}
	}
	return s, nil
}

func orDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Serve accepts connections on ln until Shutdown or Close, and then
// returns http.ErrServerClosed, as http.Server.Serve does.
func (s *Server) Serve(ln net.Listener) error { return s.srv.Serve(ln) }

// Shutdown stops accepting connections, closes the idle ones and waits
// for the requests in progress, for at most the grace period
// (ServerOptions.ShutdownGrace) and no longer than ctx allows. Then it
// closes the connections still open and logs how many it cut (those new
// or with a request in progress; idle ones are closed anyway). It returns
// nil in both cases: cutting stalled clients at the end of the grace
// period is how a shutdown is meant to end.
func (s *Server) Shutdown(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.grace)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err == nil {
		s.log.Info("http server stopped", "cut_connections", 0)
		return nil
	}
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		_ = s.srv.Close()
		return err
	}
	// Idle connections are closing already; the busy ones are cut.
	n := s.conns.busyConns()
	err = s.srv.Close()
	s.log.Warn("http server stopped: grace period over, connections cut", "cut_connections", n, "grace", s.grace)
	return err
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error { return s.srv.Close() }

// connTracker follows every connection through http.Server.ConnState and
// keeps at most max of them open. Connections are kept in two lists in the
// order of their last state change: idle (keep-alive, between requests)
// and busy (new, or with a request in progress). When a new connection
// goes over the cap, the front of idle is closed, else the front of busy:
// the connection that has been stuck longest, never the new one.
type connTracker struct {
	max int

	mu      sync.Mutex
	conns   map[net.Conn]*list.Element // of *trackedConn
	idle    list.List
	busy    list.List
	evicted int64
}

type trackedConn struct {
	c    net.Conn
	idle bool
}

func newConnTracker(limit int) *connTracker {
	return &connTracker{max: limit, conns: make(map[net.Conn]*list.Element)}
}

func (t *connTracker) lst(idle bool) *list.List {
	if idle {
		return &t.idle
	}
	return &t.busy
}

func (t *connTracker) state(c net.Conn, st http.ConnState) {
	var victim net.Conn
	t.mu.Lock()
	switch st {
	case http.StateNew:
		t.conns[c] = t.busy.PushBack(&trackedConn{c: c})
		if len(t.conns) > t.max {
			victim = t.evictLocked()
		}
	case http.StateActive, http.StateIdle:
		// An evicted connection is no longer in conns: it is closing.
		if e, ok := t.conns[c]; ok {
			tc := e.Value.(*trackedConn)
			t.lst(tc.idle).Remove(e)
			tc.idle = st == http.StateIdle
			t.conns[c] = t.lst(tc.idle).PushBack(tc)
		}
	case http.StateHijacked, http.StateClosed:
		if e, ok := t.conns[c]; ok {
			t.lst(e.Value.(*trackedConn).idle).Remove(e)
			delete(t.conns, c)
		}
	}
	t.mu.Unlock()
	if victim != nil {
		_ = victim.Close()
	}
}

// evictLocked forgets the connection to close and returns it. The new
// connection is at the back of busy and there are at least two (max >= 1),
// so it is never the one chosen.
func (t *connTracker) evictLocked() net.Conn {
	l := &t.idle
	if l.Len() == 0 {
		l = &t.busy
	}
	tc := l.Remove(l.Front()).(*trackedConn)
	delete(t.conns, tc.c)
	t.evicted++
	return tc.c
}

func (t *connTracker) open() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns)
}

// busyConns counts the connections that are new or have a request in
// progress.
func (t *connTracker) busyConns() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.busy.Len()
}

func (t *connTracker) evictions() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.evicted
}
