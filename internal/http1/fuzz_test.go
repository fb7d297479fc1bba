package http1

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pipeConn is a connection whose input is a fixed byte string and whose
// output is kept: the fuzz test serves it on the calling goroutine.
type pipeConn struct {
	in  *bytes.Reader
	out bytes.Buffer
}

func (p *pipeConn) Read(b []byte) (int, error)       { return p.in.Read(b) }
func (p *pipeConn) Write(b []byte) (int, error)      { return p.out.Write(b) }
func (p *pipeConn) Close() error                     { return nil }
func (p *pipeConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80} }
func (p *pipeConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000} }
func (p *pipeConn) SetDeadline(time.Time) error      { return nil }
func (p *pipeConn) SetReadDeadline(time.Time) error  { return nil }
func (p *pipeConn) SetWriteDeadline(time.Time) error { return nil }

// serveOne serves nc on the calling goroutine until the connection ends.
func serveOne(s *Server, nc net.Conn) {
	s.mu.Lock()
	s.init()
	s.mu.Unlock()
	s.newConn(nc).serve()
}

// FuzzServe feeds any bytes to a connection: the server must not panic,
// must end when the input does, and what it writes must be a sequence of
// well-formed HTTP/1.1 answers, one per request the handler saw (plus at
// most one error answer), each carrying what the handler wrote.
func FuzzServe(f *testing.F) {
	for _, seed := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
		"HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"GET / HTTP/2.0\r\nHost: x\r\n\r\n",
		"GET /big HTTP/1.1\r\nHost: x\r\n\r\n",
		"\r\n\r\nGARBAGE",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(checkServe)
}

// checkServe serves input and checks the answers (FuzzServe's body).
func checkServe(t *testing.T, input []byte) {
	type seen struct {
		method string
		body   []byte
	}
	var reqs []seen
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		reqs = append(reqs, seen{r.Method, b})
		if r.URL.Path == "/big" {
			for range 3 {
				_, _ = w.Write(bytes.Repeat([]byte("x"), 3000))
			}
			return
		}
		_, _ = fmt.Fprintf(w, "%s %q", r.Method, b)
	})
	s := &Server{Handler: h, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxHeaderBytes: 4096}
	conn := &pipeConn{in: bytes.NewReader(input)}
	serveOne(s, conn)

	br := bufio.NewReader(&conn.out)
	finals := 0
	for {
		method, want := http.MethodGet, ""
		if finals < len(reqs) {
			method = reqs[finals].method
			want = fmt.Sprintf("%s %q", method, reqs[finals].body)
		}
		if _, err := br.Peek(1); errors.Is(err, io.EOF) {
			break
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		require.NoError(t, err, "answer %d of %q", finals, conn.out.String())
		got, err := io.ReadAll(resp.Body)
		require.NoError(t, err, "answer %d's body", finals)
		if resp.StatusCode < 200 {
			continue
		}
		if finals < len(reqs) && method != http.MethodHead && resp.StatusCode == http.StatusOK && !bytes.HasPrefix(got, []byte("xxx")) {
			require.Equal(t, want, string(got), "answer %d", finals)
		}
		finals++
	}
	require.GreaterOrEqual(t, finals, len(reqs), "an answer per request handled")
	require.LessOrEqual(t, finals, len(reqs)+1, "at most one error answer more")
}
