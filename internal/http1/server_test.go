package http1

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testHandler is the handler both servers run in the comparison tests.
func testHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Method", r.Method)
		w.Header().Set("X-Host", r.Host)
		_, _ = w.Write(b)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		for i := range 10 {
			_, _ = w.Write(bytes.Repeat([]byte{byte('a' + i)}, 10_000))
			if i == 4 {
				w.(http.Flusher).Flush()
			}
		}
	})
	mux.HandleFunc("/flush", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("first "))
		if err := http.NewResponseController(w).Flush(); err != nil {
			panic(err)
		}
		_, _ = w.Write([]byte("second"))
	})
	mux.HandleFunc("/cl", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5")
		_, _ = w.Write([]byte("hello"))
		if _, err := w.Write([]byte("!")); !errors.Is(err, http.ErrContentLength) {
			panic(fmt.Sprint("write past Content-Length: ", err))
		}
	})
	mux.HandleFunc("/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		_, _ = w.Write([]byte("hello"))
	})
	mux.HandleFunc("/nocontent", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		if _, err := w.Write([]byte("x")); !errors.Is(err, http.ErrBodyNotAllowed) {
			panic(fmt.Sprint("body on 204: ", err))
		}
	})
	mux.HandleFunc("/notmodified", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotModified)
	})
	mux.HandleFunc("/ignore", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ignored"))
	})
	mux.HandleFunc("/sniff", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<html><body>hi</body></html>"))
	})
	mux.HandleFunc("/inject", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Inject", "a\r\nSet-Cookie: evil=1")
		w.Header()["Bad Name"] = []string{"x"}
		_, _ = w.Write([]byte("ok"))
	})
	mux.HandleFunc("/late-header", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		w.Header().Set("X-Late", "1")
		_, _ = w.Write([]byte("ok"))
	})
	mux.HandleFunc("/close", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		_, _ = w.Write([]byte("bye"))
	})
	mux.HandleFunc("/early", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</a.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		_, _ = w.Write([]byte("done"))
	})
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		panic("test panic")
	})
	return mux
}

// servers starts the handler on net/http's server and on ours, on
// loopback; the comparison tests run every case against both.
func servers(t *testing.T, h http.Handler) map[string]string {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ours := &Server{Handler: h, Logger: quiet}
	theirs := &http.Server{Handler: h, ErrorLog: slog.NewLogLogger(quiet.Handler(), slog.LevelError)}
	addrs := map[string]string{}
	for name, serve := range map[string]func(net.Listener) error{"http1": ours.Serve, "net-http": theirs.Serve} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		go func() { _ = serve(ln) }()
		addrs[name] = ln.Addr().String()
	}
	t.Cleanup(func() { _ = ours.Close(); _ = theirs.Close() })
	return addrs
}

// answer is what a test expects of one response.
type answer struct {
	status  int
	body    string
	headers map[string]string // "" means absent
	chunked bool
}

// exchange sends raw on a new connection (after the 100 Continue, if
// continueBody is set) and reads n responses to the given methods,
// reporting whether the server closed the connection after them.
func exchange(t *testing.T, addr, raw, continueBody string, methods ...string) ([]*http.Response, []string, bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(c, raw)
	require.NoError(t, err)
	br := bufio.NewReader(c)
	var resps []*http.Response
	var bodies []string
	for _, m := range methods {
		resp, err := http.ReadResponse(br, &http.Request{Method: m})
		require.NoError(t, err)
		if resp.StatusCode == http.StatusContinue || resp.StatusCode == http.StatusEarlyHints {
			resps = append(resps, resp)
			bodies = append(bodies, "")
			if resp.StatusCode == http.StatusContinue {
				_, err = io.WriteString(c, continueBody)
				require.NoError(t, err)
			}
			resp, err = http.ReadResponse(br, &http.Request{Method: m})
			require.NoError(t, err)
		}
		b, err := io.ReadAll(resp.Body)
		if !errors.Is(err, io.ErrUnexpectedEOF) { // a body shorter than announced
			require.NoError(t, err)
		}
		resps = append(resps, resp)
		bodies = append(bodies, string(b))
	}
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err = br.ReadByte()
	closed := errors.Is(err, io.EOF)
	if !closed {
		var ne net.Error
		require.True(t, errors.As(err, &ne) && ne.Timeout(), "after the answers: %v", err)
	}
	return resps, bodies, closed
}

func TestSameAsNetHTTP(t *testing.T) {
	const host = "Host: x\r\n"
	cases := []struct {
		name     string
		raw      string
		cont     string // body sent after 100 Continue
		methods  []string
		want     []answer
		closed   bool
		onlyOurs bool // net/http differs on purpose (see the note)
	}{
		{name: "get", raw: "GET /echo HTTP/1.1\r\n" + host + "\r\n", methods: []string{"GET"},
			want: []answer{{status: 200, headers: map[string]string{"Content-Length": "0", "X-Method": "GET", "X-Host": "x", "Content-Type": "text/plain"}}}},
		{name: "post body", raw: "POST /echo HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhello", methods: []string{"POST"},
			want: []answer{{status: 200, body: "hello", headers: map[string]string{"Content-Length": "5"}}}},
		{name: "chunked request", raw: "POST /echo HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n", methods: []string{"POST"},
			want: []answer{{status: 200, body: "hello"}}},
		{name: "pipelined", raw: "POST /echo HTTP/1.1\r\n" + host + "Content-Length: 1\r\n\r\naGET /echo HTTP/1.1\r\n" + host + "\r\nPOST /echo HTTP/1.1\r\n" + host + "Content-Length: 1\r\n\r\nb",
			methods: []string{"POST", "GET", "POST"}, want: []answer{{status: 200, body: "a"}, {status: 200, body: ""}, {status: 200, body: "b"}}},
		{name: "expect continue", raw: "POST /echo HTTP/1.1\r\n" + host + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n", cont: "hello", methods: []string{"POST"},
			want: []answer{{status: 100}, {status: 200, body: "hello"}}},
		// net/http announces the close but keeps the connection open a while.
		{name: "expect continue unread", raw: "POST /ignore HTTP/1.1\r\n" + host + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n", methods: []string{"POST"},
			want: []answer{{status: 200, body: "ignored", headers: map[string]string{"Connection": "close"}}}, closed: true, onlyOurs: true},
		{name: "expect other", raw: "POST /echo HTTP/1.1\r\n" + host + "Expect: something\r\nContent-Length: 5\r\n\r\nhello", methods: []string{"POST"},
			want: []answer{{status: 417}}, closed: true},
		{name: "head", raw: "HEAD /echo HTTP/1.1\r\n" + host + "\r\n", methods: []string{"HEAD"},
			want: []answer{{status: 200, headers: map[string]string{"X-Method": "HEAD", "Content-Length": ""}}}},
		{name: "head sniffed", raw: "HEAD /sniff HTTP/1.1\r\n" + host + "\r\n", methods: []string{"HEAD"},
			want: []answer{{status: 200, headers: map[string]string{"Content-Type": "text/html; charset=utf-8", "Content-Length": "28"}}}},
		{name: "streamed", raw: "GET /big HTTP/1.1\r\n" + host + "\r\n", methods: []string{"GET"},
			want: []answer{{status: 200, chunked: true, body: bigBody(), headers: map[string]string{"Content-Length": ""}}}},
		{name: "flush", raw: "GET /flush HTTP/1.1\r\n" + host + "\r\nGET /flush HTTP/1.1\r\n" + host + "\r\n", methods: []string{"GET", "GET"},
			want: []answer{{status: 200, chunked: true, body: "first second"}, {status: 200, chunked: true, body: "first second"}}},
		{name: "handler content length", raw: "GET /cl HTTP/1.1\r\n" + host + "\r\n", methods: []string{"GET"},
			want: []answer{{status: 200, body: "hello", headers: map[string]string{"Content-Length": "5"}}}, closed: true},
		{name: "short body closes", raw: "GET /short HTTP/1.1\r\n" + host + "\r\n", methods: []string{"GET"},
			want: []answer{{status: 200, body: "hello", headers: map[string]string{"Content-Length": "10"}}}, closed: true},
		{name: "no content", raw: "GET /nocontent HTTP/1.1\r\n" + host + "\r\n", methods: []string{"GET"},
			want: []answer{{status: 204, headers: map[string]string{"Content-Length": "", "Content-Type": ""}}}},
		{name: "not modified", raw: "GET /notmodified HTTP/1.1\r\n" + host + "\r\n", methods: []string{"GET"},
			want: []answer{{status: 304, headers: map[string]string{"Content-Length": "", "Content-Type": ""}}}},
		{name: "unread body kept", raw: "POST /ignore HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhelloGET /echo HTTP/1.1\r\n" + host + "\r\n", methods: []string{"POST", "GET"},
			want: []answer{{status: 200, body: "ignored"}, {status: 200}}},
		{name: "unread big body closes", raw: "POST /ignore HTTP/1.1\r\n" + host + "Content-Length: 300000\r\n\r\n" + strings.Repeat("x", 300_000), methods: []string{"POST"},
			want: []answer{{status: 200, body: "ignored", headers: map[string]string{"Connection": "close"}}}, closed: true},
		{name: "sniff", raw: "GET /sniff HTTP/1.1\r\n" + host + "\r\n", methods: []string{"GET"},
			want: []answer{{status: 200, body: "<html><body>hi</body></html>", headers: map[string]string{"Content-Type": "text/html; charset=utf-8"}}}},
		{name: "header injection", raw: "GET /inject HTTP/1.1\r\n" + host + "\r\n", methods: []string{"GET"},
			want: []answer{{status: 200, body: "ok", headers: map[string]string{"X-Inject": "a  Set-Cookie: evil=1", "Set-Cookie": "", "Bad Name": ""}}}},
		{name: "header fixed at WriteHeader", raw: "GET /late-header HTTP/1.1\r\n" + host + "\r\n", methods: []string{"GET"},
			want: []answer{{status: 202, body: "ok", headers: map[string]string{"X-Late": ""}}}},
		{name: "handler closes", raw: "GET /close HTTP/1.1\r\n" + host + "\r\n", methods: []string{"GET"},
			want: []answer{{status: 200, body: "bye", headers: map[string]string{"Connection": "close"}}}, closed: true},
		{name: "client closes", raw: "GET /echo HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", methods: []string{"GET"},
			want: []answer{{status: 200, headers: map[string]string{"Connection": "close"}}}, closed: true},
		{name: "http/1.0", raw: "GET /echo HTTP/1.0\r\n\r\n", methods: []string{"GET"},
			want: []answer{{status: 200, headers: map[string]string{"Content-Length": "0"}}}, closed: true},
		{name: "early hints", raw: "GET /early HTTP/1.1\r\n" + host + "\r\n", methods: []string{"GET"},
			want: []answer{{status: 103, headers: map[string]string{"Link": "</a.css>; rel=preload"}}, {status: 200, body: "done"}}},
		{name: "missing host", raw: "GET /echo HTTP/1.1\r\n\r\n", methods: []string{"GET"}, want: []answer{{status: 400}}, closed: true},
		{name: "two hosts", raw: "GET /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", methods: []string{"GET"}, want: []answer{{status: 400}}, closed: true},
		{name: "bad host", raw: "GET /echo HTTP/1.1\r\nHost: a b\r\n\r\n", methods: []string{"GET"}, want: []answer{{status: 400}}, closed: true},
		{name: "bad request line", raw: "GARBAGE\r\n\r\n", methods: []string{"GET"}, want: []answer{{status: 400}}, closed: true},
		{name: "bad header name", raw: "GET /echo HTTP/1.1\r\n" + host + "Bad Name: x\r\n\r\n", methods: []string{"GET"}, want: []answer{{status: 400}}, closed: true},
		{name: "bad header value", raw: "GET /echo HTTP/1.1\r\n" + host + "X: a\x01b\r\n\r\n", methods: []string{"GET"}, want: []answer{{status: 400}}, closed: true},
		// ReadRequest lets Transfer-Encoding win over Content-Length (RFC 9112 6.3).
		{name: "length and chunked", raw: "POST /echo HTTP/1.1\r\n" + host + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", methods: []string{"POST"}, want: []answer{{status: 200}}},
		{name: "bad chunk", raw: "POST /echo HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", methods: []string{"POST"}, want: []answer{{status: 400}}, closed: true},
		{name: "http/2 line", raw: "GET /echo HTTP/2.0\r\n" + host + "\r\n", methods: []string{"GET"}, want: []answer{{status: 505}}, closed: true},
		{name: "header too large", raw: "GET /echo HTTP/1.1\r\n" + host + "X-Big: " + strings.Repeat("a", DefaultMaxHeaderBytes+8192) + "\r\n\r\n", methods: []string{"GET"},
			want: []answer{{status: 431}}, closed: true},
	}
	addrs := servers(t, testHandler())
	for _, tc := range cases {
		for name, addr := range addrs {
			if tc.onlyOurs && name != "http1" {
				continue
			}
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				resps, bodies, closed := exchange(t, addr, tc.raw, tc.cont, tc.methods...)
				require.Len(t, resps, len(tc.want))
				for i, want := range tc.want {
					resp := resps[i]
					assert.Equal(t, want.status, resp.StatusCode, "answer %d", i)
					if want.status < 400 && want.status >= 200 {
						assert.Equal(t, want.body, bodies[i], "answer %d", i)
						assert.NotEmpty(t, resp.Header.Get("Date"), "answer %d has a Date", i)
					}
					if want.chunked {
						assert.Equal(t, []string{"chunked"}, resp.TransferEncoding, "answer %d", i)
					}
					for k, v := range want.headers {
						if k == "Content-Length" && v == "" {
							assert.Empty(t, resp.Header.Values(k), "answer %d has no Content-Length", i)
							if bodyAllowed(resp.StatusCode) && resp.Request.Method != "HEAD" {
								assert.Equal(t, int64(-1), resp.ContentLength, "answer %d", i)
							}
							continue
						}
						if k == "Content-Length" {
							assert.Equal(t, v, fmt.Sprint(resp.ContentLength), "answer %d", i)
							continue
						}
						if k == "Connection" {
							assert.True(t, resp.Close, "answer %d says Connection: close", i)
							continue
						}
						assert.Equal(t, v, resp.Header.Get(k), "answer %d header %s", i, k)
					}
				}
				assert.Equal(t, tc.closed, closed, "connection closed after the answers")
			})
		}
	}
}

func bigBody() string {
	var b strings.Builder
	for i := range 10 {
		b.WriteString(strings.Repeat(string(rune('a'+i)), 10_000))
	}
	return b.String()
}

// A handler's panic closes the connection without an answer and is
// logged; the server keeps serving.
func TestPanicClosesTheConnection(t *testing.T) {
	var logged bytes.Buffer
	s := &Server{Handler: testHandler(), Logger: slog.New(slog.NewTextHandler(&syncWriter{w: &logged}, nil))}
	addr := serve(t, s)
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, "GET /panic HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	n, err := c.Read(make([]byte, 1))
	assert.Equal(t, 0, n)
	assert.ErrorIs(t, err, io.EOF)
	resp, err := http.Get("http://" + addr + "/echo")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, logged.String(), "test panic")
}

func serve(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		_ = s.Close()
		assert.ErrorIs(t, <-done, ErrServerClosed)
	})
	return ln.Addr().String()
}

// The request's context ends when the handler returns, and at Close for
// a handler in progress.
func TestRequestContext(t *testing.T) {
	got := make(chan context.Context, 1)
	started := make(chan struct{})
	ended := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/wait" {
			close(started)
			select {
			case <-r.Context().Done():
				ended <- r.Context().Err()
			case <-time.After(10 * time.Second):
				ended <- errors.New("not cancelled")
			}
			return
		}
		assert.NoError(t, r.Context().Err())
		assert.NotNil(t, r.Context().Value(http.LocalAddrContextKey))
		assert.NotEmpty(t, r.RemoteAddr)
		got <- r.Context()
	})
	s := &Server{Handler: h}
	addr := serve(t, s)
	resp, err := http.Get("http://" + addr + "/")
	require.NoError(t, err)
	resp.Body.Close()
	// The answer can reach the client before the server's goroutine gets
	// past the handler's return and cancels; the cancel must follow.
	select {
	case <-(<-got).Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the request's context was not cancelled after the handler returned")
	}

	go func() {
		resp, err := http.Get("http://" + addr + "/wait")
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	require.NoError(t, s.Close())
	assert.ErrorIs(t, <-ended, context.Canceled, "Close cancels the context of a request in progress")
}

// Shutdown closes idle connections at once, lets a request in progress
// finish with Connection: close, and returns when it has.
func TestShutdown(t *testing.T) {
	started := make(chan struct{}, 1)
	slow := func(release chan struct{}) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/slow" {
				started <- struct{}{}
				<-release
			}
			_, _ = w.Write([]byte("ok"))
		})
	}
	release := make(chan struct{})
	s := &Server{Handler: slow(release)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	addr := ln.Addr().String()

	idle, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer idle.Close()
	busy, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer busy.Close()
	_, err = io.WriteString(busy, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	<-started

	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	assert.ErrorIs(t, <-served, ErrServerClosed)
	require.NoError(t, idle.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = idle.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "the idle connection is closed")
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v while a request was running", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	resp, err := http.ReadResponse(bufio.NewReader(busy), nil)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "ok", string(b))
	assert.True(t, resp.Close, "the last answer says Connection: close")
	require.NoError(t, <-shut)
	_, err = net.Dial("tcp", addr)
	assert.Error(t, err, "the listener is closed")

	// A Shutdown that times out reports it.
	release2 := make(chan struct{})
	s2 := &Server{Handler: slow(release2)}
	addr2 := serve(t, s2)
	busy2, err := net.Dial("tcp", addr2)
	require.NoError(t, err)
	defer busy2.Close()
	_, err = io.WriteString(busy2, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, s2.Shutdown(ctx), context.DeadlineExceeded)
	close(release2)
}

// The idle and header timeouts close connections that send nothing, or
// too slowly.
func TestTimeouts(t *testing.T) {
	s := &Server{Handler: testHandler(), IdleTimeout: 100 * time.Millisecond, ReadHeaderTimeout: 100 * time.Millisecond}
	addr := serve(t, s)
	for name, send := range map[string]string{"idle": "", "slow header": "GET /echo HTTP/1.1\r\n"} {
		t.Run(name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer c.Close()
			_, err = io.WriteString(c, send)
			require.NoError(t, err)
			require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
			start := time.Now()
			_, err = io.ReadAll(c)
			require.NoError(t, err, "the server closed the connection")
			assert.Less(t, time.Since(start), 4*time.Second)
		})
	}
	// A kept-alive connection that is used within the idle timeout stays.
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	br := bufio.NewReader(c)
	for range 3 {
		_, err = io.WriteString(c, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		resp.Body.Close()
		time.Sleep(30 * time.Millisecond)
	}
}

// syncWriter lets the logger and the test share a buffer.
type syncWriter struct{ w io.Writer }

var mu = &sync.Mutex{}

func (s *syncWriter) Write(p []byte) (int, error) {
	mu.Lock()
	defer mu.Unlock()
	return s.w.Write(p)
}
