package http1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzParseFast: whatever parseFast takes, http.ReadRequest reads the
// same way, field by field, body and what follows included.
func FuzzParseFast(f *testing.F) {
	for _, seed := range []string{
		"POST /v1/alarms HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer abc\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
		"GET /v1/alarms?alarm_id=100.101&limit=10 HTTP/1.1\r\nHost: x:6385\r\nConnection: keep-alive, close\r\n\r\n",
		"GET /a?b? HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n",
		"DELETE /v1/alarms/1234 HTTP/1.1\r\nHost: x\r\nX-Empty:\r\nX-Pad: \t v \t\r\n\r\n",
		"PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab",
		"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0007\r\n\r\nabcdefgGET / HTTP/1.1\r\n\r\n",
		"GET //x HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /%41 HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nhost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
		"GET / HTTP/1.1\r\nX-A: \x80\xff\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		body := &fixedBody{}
		got := &http.Request{}
		n := parseFast(input, body, got)
		if n == 0 {
			return
		}
		body.r = bytes.NewReader(input[n:])
		br := bufio.NewReader(bytes.NewReader(input))
		want, err := http.ReadRequest(br)
		require.NoError(t, err, "parseFast took a request ReadRequest refuses")
		// The server skips check's header loop for what parseFast took.
		_, hostStatus := check(got, false)
		_, fullStatus := check(got, true)
		assert.Equal(t, hostStatus, fullStatus, "parseFast took a header net/http's server refuses")
		assert.Equal(t, want.Method, got.Method)
		assert.Equal(t, want.URL, got.URL)
		assert.Equal(t, want.RequestURI, got.RequestURI)
		assert.Equal(t, want.Proto, got.Proto)
		assert.Equal(t, want.ProtoMajor, got.ProtoMajor)
		assert.Equal(t, want.ProtoMinor, got.ProtoMinor)
		assert.Equal(t, want.Header, got.Header)
		assert.Equal(t, want.Host, got.Host)
		assert.Equal(t, want.ContentLength, got.ContentLength)
		assert.Equal(t, want.Close, got.Close)
		assert.Nil(t, got.TransferEncoding)
		assert.Nil(t, got.Trailer)
		assert.Equal(t, want.Body == http.NoBody, got.Body == http.NoBody, "no body")
		wantBody, wantErr := io.ReadAll(want.Body)
		gotBody, gotErr := io.ReadAll(got.Body)
		assert.Equal(t, wantBody, gotBody)
		assert.Equal(t, wantErr, gotErr)
		rest, _ := io.ReadAll(br)
		if wantErr == nil {
			assert.Equal(t, rest, input[n+len(gotBody):], "what follows the request")
		}
	})
}

// The requests the project's clients send take the fast path.
func TestParseFastTakesClientRequests(t *testing.T) {
	for _, raw := range []string{
		"POST /v1/alarms HTTP/1.1\r\nHost: 127.0.0.1:6385\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 2\r\nAuthorization: Bearer abc\r\nContent-Type: application/json\r\nAccept-Encoding: gzip\r\n\r\n{}",
		"GET /v1/alarms?limit=10&marker=0b4c HTTP/1.1\r\nHost: localhost:6385\r\nUser-Agent: Go-http-client/1.1\r\nAuthorization: Bearer abc\r\nAccept-Encoding: gzip\r\n\r\n",
	} {
		req := &http.Request{}
		n := parseFast([]byte(raw), &fixedBody{}, req)
		require.NotZero(t, n, raw)
		assert.Equal(t, len(raw)-int(req.ContentLength), n)
	}
}
