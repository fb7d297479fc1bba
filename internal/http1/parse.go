package http1

import (
	"bytes"
	"io"
	"net/http"
	"net/url"

	"golang.org/x/net/http/httpguts"
)

// maxFastHeaders is the most header lines parseFast takes.
const maxFastHeaders = 24

// parseFast parses the request at the start of b when it is of the plain
// form API clients send into req, and returns the length of its request
// line and header; 0 means "not sure": the caller reads the request with
// http.ReadRequest, which then parses it or refuses it. (req is the
// caller's, so that the one copy WithContext makes is the only one on
// the heap.)
//
// The plain form: the whole header already in b, CRLF line ends, a token
// method, an origin-form target whose path needs no unescaping,
// HTTP/1.1, at most maxFastHeaders header lines, each a canonical-case
// token, a colon and a value of the bytes textproto allows, no name
// twice, at most one Content-Length of digits, and no Transfer-Encoding,
// Trailer or Pragma. For such a request the result equals
// http.ReadRequest's field by field (FuzzParseFast compares them), with
// one string allocation for all of the text instead of one per line.
func parseFast(b []byte, body *fixedBody, req *http.Request) int {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return 0
	}
	nl := bytes.IndexByte(b, '\n') // b[:end+2] holds one
	if nl < 1 || b[nl-1] != '\r' {
		return 0
	}
	line := b[:nl-1]
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 <= 0 {
		return 0
	}
	sp2 := bytes.IndexByte(line[sp1+1:], ' ') + sp1 + 1
	if sp2 <= sp1+1 || string(line[sp2+1:]) != "HTTP/1.1" {
		return 0
	}
	for _, c := range line[:sp1] {
		if !httpguts.IsTokenRune(rune(c)) {
			return 0
		}
	}
	q := -1
	for i, c := range line[sp1+1 : sp2] {
		if c == '?' {
			q = i
			break
		}
		if !pathByte[c] {
			return 0
		}
	}
	target := line[sp1+1 : sp2]
	if target[0] != '/' || q == len(target)-1 {
		return 0
	}
	if q >= 0 {
		for _, c := range target[q+1:] {
			if c <= ' ' || c >= 0x7f || c == '#' {
				return 0
			}
		}
	}

	// Header lines: find them all before any allocation.
	type field struct{ k0, k1, v0, v1 int }
	var fields [maxFastHeaders]field
	n := 0
	host, length := -1, -1
	var clen int64
	for i := len(line) + 2; i < end+2; {
		eol := i + bytes.IndexByte(b[i:end+2], '\n') - 1 // the line's '\r'
		if n == maxFastHeaders || eol <= i || b[eol] != '\r' {
			return 0
		}
		colon := bytes.IndexByte(b[i:eol], ':')
		if colon <= 0 {
			return 0
		}
		name := b[i : i+colon]
		upper := true
		for _, c := range name {
			switch {
			case upper && 'a' <= c && c <= 'z', !upper && 'A' <= c && c <= 'Z', !httpguts.IsTokenRune(rune(c)):
				return 0 // not canonical, or not a token
			}
			upper = c == '-'
		}
		v0, v1 := i+colon+1, eol
		for v0 < v1 && (b[v0] == ' ' || b[v0] == '\t') {
			v0++
		}
		for v1 > v0 && (b[v1-1] == ' ' || b[v1-1] == '\t') {
			v1--
		}
		for _, c := range b[v0:v1] {
			if c < ' ' && c != '\t' || c == 0x7f {
				return 0
			}
		}
		for _, f := range fields[:n] {
			if bytes.Equal(b[f.k0:f.k1], name) {
				return 0
			}
		}
		switch string(name) {
		case "Transfer-Encoding", "Trailer", "Pragma":
			return 0
		case "Host":
			host = n
		case "Content-Length":
			length = n
			v := b[v0:v1]
			if len(v) == 0 || len(v) > 18 {
				return 0
			}
			for _, c := range v {
				if c < '0' || c > '9' {
					return 0
				}
				clen = clen*10 + int64(c-'0')
			}
		}
		fields[n] = field{i, i + colon, v0, v1}
		n++
		i = eol + 2
	}

	// One string for the whole text; everything is a part of it.
	s := string(b[:end])
	vals := make([]string, n)
	h := make(http.Header, n)
	*req = http.Request{
		Method:     s[:sp1],
		RequestURI: s[sp1+1 : sp2],
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Body:       http.NoBody,
	}
	u := &url.URL{Path: req.RequestURI}
	if q >= 0 {
		u.Path, u.RawQuery = req.RequestURI[:q], req.RequestURI[q+1:]
	}
	req.URL = u
	for i, f := range fields[:n] {
		if i == host {
			req.Host = s[f.v0:f.v1]
			continue
		}
		vals[i] = s[f.v0:f.v1]
		h[s[f.k0:f.k1]] = vals[i : i+1 : i+1]
	}
	if length >= 0 {
		req.ContentLength = clen
		if clen > 0 {
			*body = fixedBody{r: body.r, n: clen}
			req.Body = body
		}
	}
	req.Close = httpguts.HeaderValuesContainsToken(h["Connection"], "close")
	return end + 4
}

// pathByte marks the bytes a path may hold for parseFast: those that
// url.URL keeps as they are (no unescaping, no RawPath).
var pathByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-_.~$&+,/:;=@" {
		t[c] = true
	}
	return t
}()

// fixedBody is the body of a request with a Content-Length, read from
// the connection's buffer; like net/http's, it returns io.EOF with its
// last bytes and io.ErrUnexpectedEOF when the connection ends early.
type fixedBody struct {
	r io.Reader
	n int64
}

func (f *fixedBody) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	k, err := f.r.Read(p)
	f.n -= int64(k)
	switch {
	case f.n == 0:
		return k, io.EOF
	case err == io.EOF:
		return k, io.ErrUnexpectedEOF
	}
	return k, err
}

// Close does nothing: what is left is dropped when the answer is written.
func (f *fixedBody) Close() error { return nil }
