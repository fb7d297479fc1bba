// Package http1 serves an http.Handler over HTTP/1.1 with one goroutine
// per connection and nothing else per request.
//
// net/http's server starts a background read of the connection for every
// request, so that it can cancel the request's context when the client
// goes away, and stops it again with a read deadline in the past before
// it reads the next request. On the fault service's POST path that costs
// an extra goroutine switch, a read that finds no data and two deadline
// changes per request. This server reads a request, runs the handler on
// the connection's own goroutine, writes the response and reads the next
// request: 10–20% less CPU per durable POST and 18% more POSTs/s on the
// project's 2-core machine (docs/benchmarks.md). Requests of the plain
// form API clients send are parsed straight from the read buffer
// (parseFast, checked against http.ReadRequest by a fuzz test); any
// other goes to net/http's own http.ReadRequest. Both get the checks
// net/http's server adds (Host header, header names and values, protocol
// version, header size). Responses are framed like net/http's
// (Content-Length when the handler finishes within the first 4 KiB,
// chunked otherwise, Date, Content-Type sniffing, 100-continue, HEAD,
// 204/304, a lingering close after Connection: close).
//
// What it leaves out, and what to use net/http for instead: HTTP/2, TLS
// configuration (a tls.Listener works, HTTP/1.1 only), Hijack, trailers,
// full-duplex bodies, and cancelling a request's context when the client
// disconnects while the handler runs. The request's context is cancelled
// when the handler returns and when the server is closed; a handler that
// streams a long answer sees the disconnect as a write error.
package http1

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/http/httpguts"
)

// DefaultMaxHeaderBytes is the limit on a request's header when
// Server.MaxHeaderBytes is 0, as in net/http.
const DefaultMaxHeaderBytes = http.DefaultMaxHeaderBytes

// maxDiscard is how much of a request body the handler left unread the
// server reads and drops to keep the connection; beyond it, it closes the
// connection (net/http's maxPostHandlerReadBytes).
const maxDiscard = 256 << 10

// Server serves HTTP/1.1 on listeners. The zero value is not usable; set
// Handler. Its fields must not change once Serve has been called.
type Server struct {
	// Handler answers every request.
	Handler http.Handler
	// ReadHeaderTimeout bounds the time from a request's first byte to
	// the end of its header; 0 means no limit.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds the time from a request's first byte to the end
	// of its body; 0 means no limit.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of a request's header to
	// the end of the response's write; 0 means no limit.
	WriteTimeout time.Duration
	// IdleTimeout bounds the wait for the next request on a kept-alive
	// connection; 0 means ReadTimeout, and no limit if that is 0 too.
	IdleTimeout time.Duration
	// MaxHeaderBytes limits a request line and header;
	// DefaultMaxHeaderBytes if 0. Beyond it the answer is 431.
	MaxHeaderBytes int
	// Logger receives handler panics and failed accepts; slog.Default()
	// if nil.
	Logger *slog.Logger

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	closing   atomic.Bool
	gone      chan struct{} // closed when conns becomes empty while closing
}

// ErrServerClosed is what Serve returns after Shutdown or Close; it is
// net/http's, so code that checks for it works with either server.
var ErrServerClosed = http.ErrServerClosed

// init prepares the server's shared state; the caller holds s.mu.
func (s *Server) init() {
	if s.conns == nil {
		s.listeners = make(map[net.Listener]struct{})
		s.conns = make(map[*conn]struct{})
	}
}

// Serve accepts connections on ln and serves each on its own goroutine
// until Shutdown or Close, after which it returns ErrServerClosed. It
// closes ln when it returns.
func (s *Server) Serve(ln net.Listener) error {
	if s.Handler == nil {
		return errors.New("http1: Server.Handler is nil")
	}
	s.mu.Lock()
	s.init()
	if s.closing.Load() {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		_ = ln.Close()
	}()
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.closing.Load() {
				return ErrServerClosed
			}
			if !retryableAccept(err) {
				return err
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.logger().Warn("http1: accept failed; retrying", "err", err, "in", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		c := s.newConn(nc)
		if c == nil { // closing
			_ = nc.Close()
			return ErrServerClosed
		}
		go c.serve()
	}
}

// retryableAccept reports whether an Accept error is one the listener
// recovers from (out of file descriptors or memory, an aborted
// handshake), as net/http treats its temporary errors.
func retryableAccept(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.ECONNRESET} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// newConn registers a connection, or returns nil if the server is
// closing.
func (s *Server) newConn(nc net.Conn) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return nil
	}
	maxHeader := s.MaxHeaderBytes
	if maxHeader <= 0 {
		maxHeader = DefaultMaxHeaderBytes
	}
	c := &conn{s: s, nc: nc, remote: nc.RemoteAddr().String(), headerLimit: int64(maxHeader) + 4096}
	c.ctx = context.WithValue(context.Background(), http.LocalAddrContextKey, nc.LocalAddr())
	c.lr = limitedReader{r: nc}
	c.br = bufio.NewReaderSize(&c.lr, 4096)
	c.fixed.r = c.br
	c.bw = bufio.NewWriterSize(nc, 4096)
	c.w.c = c
	c.w.header = make(http.Header)
	s.conns[c] = struct{}{}
	return c
}

// forget removes a finished connection.
func (s *Server) forget(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if len(s.conns) == 0 && s.gone != nil {
		close(s.gone)
		s.gone = nil
	}
}

// Shutdown stops the server gracefully: it closes the listeners, closes
// connections that wait for a request, lets requests in progress finish
// (their answers carry Connection: close) and returns when every
// connection is gone, or with ctx's error when ctx ends first. Request
// contexts are not cancelled; call Close after a failed Shutdown for
// that.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.init()
	s.closing.Store(true)
	for ln := range s.listeners {
		_ = ln.Close()
	}
	s.mu.Unlock()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		for c := range s.conns {
			if c.state.CompareAndSwap(stateIdle, stateClosed) {
				_ = c.nc.Close()
			}
		}
		if len(s.conns) == 0 {
			s.mu.Unlock()
			return nil
		}
		if s.gone == nil {
			s.gone = make(chan struct{})
		}
		gone := s.gone
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-gone:
		case <-tick.C:
		}
	}
}

// Close closes the listeners and every connection at once, and cancels
// the context of every request in progress.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.closing.Store(true)
	for ln := range s.listeners {
		_ = ln.Close()
	}
	for c := range s.conns {
		c.state.Store(stateClosed)
		_ = c.nc.Close()
		c.kill()
	}
	return nil
}

// Connection states: a connection waiting for a request may be closed by
// Shutdown; one in a request may not.
const (
	stateIdle int32 = iota
	stateActive
	stateClosed
)

// conn is one client connection. Everything but state and what reqMu
// guards is used by its own goroutine only.
type conn struct {
	s      *Server
	nc     net.Conn
	remote string
	state  atomic.Int32
	ctx    context.Context // the parent of its requests' contexts
	// reqMu guards killed and cancel, the running request's cancel
	// function, which Close calls. A request's context is not a child of
	// a cancellable one: that would register and unregister every
	// request with its parent.
	reqMu        sync.Mutex
	killed       bool
	cancel       context.CancelFunc
	lr           limitedReader
	br           *bufio.Reader
	bw           *bufio.Writer
	headerLimit  int64
	tls          *tls.ConnectionState
	w            response
	body         body
	hbufTmp      []byte // the status line and header being sent
	linger       bool   // the last answer said Connection: close
	fixed        fixedBody
	chunkHead    [24]byte  // a chunk's size line
	readDeadline time.Time // as last set
	date         dateCache
}

// limitedReader stops reading after n bytes with errHeaderTooLarge; it
// bounds the request line and header as net/http does.
type limitedReader struct {
	r io.Reader
	n int64
}

var errHeaderTooLarge = errors.New("http1: request header too large")

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errHeaderTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

func (c *conn) serve() {
	defer func() {
		c.close()
		c.s.forget(c)
	}()
	for {
		if !c.state.CompareAndSwap(stateActive, stateIdle) && c.state.Load() != stateIdle {
			return // closed
		}
		if c.s.closing.Load() {
			return
		}
		if !c.next() {
			return
		}
	}
}

// lingerTime is how long a connection closed after an answer waits for
// the client to close its side (net/http's rstAvoidanceDelay).
const lingerTime = 500 * time.Millisecond

// close closes the connection. After an answer that said Connection:
// close it first ends the sending side and reads what the client still
// sends, for at most lingerTime: closing a socket with unread data makes
// the kernel reset the connection, and the reset can destroy the answer
// before the client has read it.
func (c *conn) close() {
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok && c.linger && c.state.Load() != stateClosed && cw.CloseWrite() == nil {
		_ = c.nc.SetReadDeadline(time.Now().Add(lingerTime))
		_, _ = io.Copy(io.Discard, io.LimitReader(c.nc, maxDiscard))
	}
	_ = c.nc.Close()
}

// next reads and answers one request; false means the connection ends.
func (c *conn) next() bool {
	s := c.s
	c.lr.n = c.headerLimit
	// Wait for the request's first byte, with the idle timeout.
	if c.br.Buffered() == 0 {
		idle := s.IdleTimeout
		if idle == 0 {
			idle = s.ReadTimeout
		}
		if idle > 0 {
			c.setReadDeadline(time.Now().Add(idle))
		}
		if _, err := c.br.Peek(1); err != nil {
			return false // closed, timed out or gone
		}
	}
	if !c.state.CompareAndSwap(stateIdle, stateActive) {
		return false // Shutdown closed it meanwhile
	}
	if c.tls == nil {
		if tc, ok := c.nc.(*tls.Conn); ok {
			st := tc.ConnectionState()
			c.tls = &st
		}
	}
	start := time.Now()
	// parsed may point at fast, on the stack: it must not leave this
	// function; the handler gets WithContext's copy.
	var fast http.Request
	parsed := &fast
	if n := parseFast(c.peekBuffered(), &c.fixed, &fast); n > 0 {
		_, _ = c.br.Discard(n)
		// The header was in memory; so is the body unless it is longer
		// than what is buffered.
		if fast.ContentLength > int64(c.br.Buffered()) {
			c.bodyDeadline(start)
		}
	} else {
		switch {
		case s.ReadHeaderTimeout > 0:
			c.setReadDeadline(start.Add(s.ReadHeaderTimeout))
		case s.ReadTimeout > 0:
			c.setReadDeadline(start.Add(s.ReadTimeout))
		default:
			c.setReadDeadline(time.Time{})
		}
		var err error
		if parsed, err = http.ReadRequest(c.br); err != nil {
			switch {
			case errors.Is(err, errHeaderTooLarge) || c.lr.n <= 0:
				c.fail(http.StatusRequestHeaderFieldsTooLarge, "request header too large")
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed), isTimeout(err):
				// The client went away or stalled: nobody to answer.
			default:
				c.fail(http.StatusBadRequest, "malformed request: "+err.Error())
			}
			return false
		}
		c.bodyDeadline(start)
	}
	c.lr.n = math.MaxInt64
	if msg, status := check(parsed, parsed != &fast); status != 0 {
		c.fail(status, msg)
		return false
	}
	if s.WriteTimeout > 0 {
		_ = c.nc.SetWriteDeadline(time.Now().Add(s.WriteTimeout))
	}
	ctx, cancel := context.WithCancel(c.ctx)
	c.setCancel(cancel)
	defer c.setCancel(nil)
	req := parsed.WithContext(ctx)
	req.RemoteAddr = c.remote
	req.TLS = c.tls

	w := &c.w
	w.reset(req)
	c.body = body{w: w}
	if req.Body != nil && req.Body != http.NoBody {
		c.body.r = req.Body
		req.Body = &c.body
	}
	if ex, ok := req.Header["Expect"]; ok {
		if len(ex) == 1 && asciiEqualFold(ex[0], "100-continue") && req.ProtoAtLeast(1, 1) {
			c.body.expect = req.ContentLength != 0
		} else {
			w.closeAfter = true
			w.WriteHeader(http.StatusExpectationFailed)
			w.finish()
			return false
		}
	}
	if !c.run(w, req) {
		return false
	}
	return w.finish() && !w.closeAfter
}

// setCancel records the running request's cancel function (nil when it
// has ended, after cancelling the last one). After kill it cancels at once.
func (c *conn) setCancel(cancel context.CancelFunc) {
	c.reqMu.Lock()
	if c.cancel != nil {
		c.cancel()
	}
	c.cancel = cancel
	if c.killed && cancel != nil {
		cancel()
	}
	c.reqMu.Unlock()
}

// kill cancels the running request's context, and that of any request
// that starts after it.
func (c *conn) kill() {
	c.reqMu.Lock()
	c.killed = true
	if c.cancel != nil {
		c.cancel()
	}
	c.reqMu.Unlock()
}

// peekBuffered returns the bytes the reader holds, without reading.
func (c *conn) peekBuffered() []byte {
	b, _ := c.br.Peek(c.br.Buffered())
	return b
}

// setReadDeadline sets the connection's read deadline unless it is
// already t.
func (c *conn) setReadDeadline(t time.Time) {
	if t.Equal(c.readDeadline) {
		return
	}
	c.readDeadline = t
	_ = c.nc.SetReadDeadline(t)
}

// bodyDeadline sets the read deadline for the request body: ReadTimeout
// from the request's start, or none.
func (c *conn) bodyDeadline(start time.Time) {
	if c.s.ReadTimeout > 0 {
		c.setReadDeadline(start.Add(c.s.ReadTimeout))
	} else {
		c.setReadDeadline(time.Time{})
	}
}

// check applies the checks net/http's server makes beyond ReadRequest's;
// a non-zero status is the answer to send. headers also checks every
// header name and value, which parseFast has already done for the
// requests it takes.
func check(req *http.Request, headers bool) (string, int) {
	if req.ProtoMajor != 1 {
		return "unsupported protocol version", http.StatusHTTPVersionNotSupported
	}
	// ReadRequest has moved the Host header to req.Host (and refused
	// two of them); a request with an absolute URI takes its host from
	// there, as net/http's server allows too.
	if req.Host == "" && req.ProtoAtLeast(1, 1) && req.Method != http.MethodConnect {
		return "missing required Host header", http.StatusBadRequest
	}
	if !httpguts.ValidHostHeader(req.Host) {
		return "malformed Host header", http.StatusBadRequest
	}
	if !headers {
		return "", 0
	}
	for k, vv := range req.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return "invalid header name", http.StatusBadRequest
		}
		for _, v := range vv {
			if !httpguts.ValidHeaderFieldValue(v) {
				return "invalid header value", http.StatusBadRequest
			}
		}
	}
	return "", 0
}

// run calls the handler; false means it panicked and the connection must
// close without more output, as net/http does.
func (c *conn) run(w *response, req *http.Request) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			ok = false
			if v != http.ErrAbortHandler { //nolint:errorlint // a sentinel value, compared as net/http does
				buf := make([]byte, 64<<10)
				buf = buf[:runtime.Stack(buf, false)]
				c.s.logger().Error("http1: panic serving request", "remote", c.remote, "method", req.Method, "path", req.URL.Path, "panic", fmt.Sprint(v), "stack", string(buf))
			}
		}
	}()
	c.s.Handler.ServeHTTP(w, req)
	return true
}

// fail answers a request the server could not read and marks the
// connection to close, with the JSON error body the project's APIs use.
func (c *conn) fail(status int, msg string) {
	c.state.Store(stateActive)
	w := &c.w
	w.reset(nil)
	c.body = body{w: w}
	code := "bad_request"
	if status == http.StatusRequestHeaderFieldsTooLarge {
		code = "too_large"
	}
	w.header.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := fmt.Appendf(nil, `{"error":{"code":%q,"message":%q}}`+"\n", code, msg)
	_, _ = w.Write(body)
	w.finish()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// asciiEqualFold reports whether s equals the lower-case ASCII t, case
// ignored.
func asciiEqualFold(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range len(s) {
		b := s[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != t[i] {
			return false
		}
	}
	return true
}

// body wraps a request body: it records whether the handler read it to
// the end, and sends "100 Continue" before the first read when the client
// asked for it.
type body struct {
	r        io.ReadCloser
	w        *response
	expect   bool // the client waits for 100 Continue
	sentCont bool
	sawEOF   bool
	closed   bool
	err      error // a read error other than EOF
}

func (b *body) Read(p []byte) (int, error) {
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	if b.sawEOF {
		return 0, io.EOF
	}
	if b.expect && !b.sentCont {
		b.sentCont = true
		if !b.w.headerSent {
			c := b.w.c
			_, _ = c.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
			if err := c.bw.Flush(); err != nil {
				b.err = err
				return 0, err
			}
		}
	}
	n, err := b.r.Read(p)
	if err == io.EOF {
		b.sawEOF = true
	} else if err != nil {
		b.err = err
	}
	return n, err
}

// Close marks the body closed; what is left is dropped (or the
// connection closed) when the response is written.
func (b *body) Close() error {
	b.closed = true
	return nil
}

// drain makes the connection ready for the next request after the
// handler is done with the body: it reads up to maxDiscard bytes of what
// the handler left and reports false if the connection must close
// instead.
func (b *body) drain() bool {
	switch {
	case b.r == nil || b.sawEOF:
		return true
	case b.err != nil:
		return false // a broken body: the rest of the stream is unknown
	case b.expect && !b.sentCont:
		return false // the client may or may not send the body now
	}
	_, err := io.CopyN(io.Discard, b.r, maxDiscard+1)
	if err == io.EOF {
		b.sawEOF = true
		return true
	}
	return false
}

// dateCache keeps the Date header's text for the current second.
type dateCache struct {
	sec int64
	b   []byte
}

func (d *dateCache) get(now time.Time) []byte {
	if sec := now.Unix(); sec != d.sec || d.b == nil {
		d.sec = sec
		d.b = now.UTC().AppendFormat(d.b[:0], http.TimeFormat)
	}
	return d.b
}
