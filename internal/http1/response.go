package http1

import (
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
)

// bufferBeforeChunking is how much body the server holds before it must
// send the header: a handler that finishes within it gets a
// Content-Length, one that writes more is sent chunked (net/http holds
// 2 KiB).
const bufferBeforeChunking = 4096

// response is the http.ResponseWriter of one request. A connection keeps
// one and resets it for each request, so a handler must not use it after
// it returns (net/http's rule too).
type response struct {
	c      *conn
	req    *http.Request // nil for the server's own error answers
	header http.Header

	status      int
	wroteHeader bool   // WriteHeader called, the header is fixed
	headerSent  bool   // the header is in the connection's buffer
	hbuf        []byte // the handler's header lines as they were at WriteHeader
	keys        []string
	hasType     bool  // Content-Type present (even empty): no sniffing
	hasDate     bool  // Date present: no automatic one
	hasEncoding bool  // a Content-Encoding: no sniffing
	length      int64 // the handler's Content-Length, or -1
	chunked     bool
	closeAfter  bool
	written     int64
	buf         []byte // body held until the header is sent
	err         error  // the connection's write error
}

func (w *response) reset(req *http.Request) {
	clear(w.header)
	*w = response{c: w.c, req: req, header: w.header, hbuf: w.hbuf[:0], keys: w.keys[:0], buf: w.buf[:0], length: -1}
	// HTTP/1.0 connections are closed after each answer: keeping them
	// needs the keep-alive extension, which no client of ours speaks.
	w.closeAfter = req == nil || req.Close || !req.ProtoAtLeast(1, 1)
}

// Header returns the header to send; changes after WriteHeader (or the
// first Write) have no effect, as with net/http.
func (w *response) Header() http.Header { return w.header }

// WriteHeader sends the status code with the header as it is now. 1xx
// codes are sent at once as informational answers; a second call is
// ignored.
func (w *response) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	if code < 100 || code > 999 {
		panic("http1: invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code < 200 {
		b := appendStatus(w.c.hbufTmp[:0], code)
		b, _ = appendLines(b, w.header, &w.keys, code)
		b = append(b, "\r\n"...)
		w.c.hbufTmp = b
		if _, err := w.c.bw.Write(b); err != nil {
			w.fail(err)
			return
		}
		if err := w.c.bw.Flush(); err != nil {
			w.fail(err)
		}
		return
	}
	w.wroteHeader = true
	w.status = code
	var f headerFacts
	w.hbuf, f = appendLines(w.hbuf[:0], w.header, &w.keys, code)
	w.hasType, w.hasDate, w.hasEncoding, w.length = f.hasType, f.hasDate, f.hasEncoding, f.length
	if f.close {
		w.closeAfter = true
	}
}

// headerFacts are what the server needs to know of the handler's header.
type headerFacts struct {
	hasType, hasDate, hasEncoding, close bool
	length                               int64
}

// appendLines appends h's lines in key order, without the framing
// headers the server writes itself (Content-Length, Transfer-Encoding,
// Connection), invalid names or trailer keys, with CR and LF in values
// turned to spaces (and without Content-Type on a 304, as net/http), and
// reports what the server needs to know of them. keys is scratch space
// for the sorted keys.
func appendLines(b []byte, h http.Header, keys *[]string, status int) ([]byte, headerFacts) {
	var facts headerFacts
	facts.length = -1
	ks := (*keys)[:0]
	for k := range h {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	*keys = ks
	for _, k := range ks {
		vv := h[k]
		switch k {
		case "Content-Length":
			if len(vv) > 0 {
				if n, err := strconv.ParseInt(textproto.TrimString(vv[0]), 10, 64); err == nil && n >= 0 {
					facts.length = n
				}
			}
			continue
		case "Transfer-Encoding":
			continue
		case "Connection":
			for _, v := range vv {
				for tok := range strings.SplitSeq(v, ",") {
					if asciiEqualFold(textproto.TrimString(tok), "close") {
						facts.close = true
					}
				}
			}
			continue
		case "Content-Type":
			facts.hasType = true
			if status == http.StatusNotModified {
				continue
			}
		case "Date":
			facts.hasDate = true
		case "Content-Encoding":
			facts.hasEncoding = len(vv) > 0 && vv[0] != ""
		}
		if strings.HasPrefix(k, http.TrailerPrefix) || !httpguts.ValidHeaderFieldName(k) {
			continue
		}
		for _, v := range vv {
			b = append(b, k...)
			b = append(b, ": "...)
			b = appendValue(b, v)
			b = append(b, "\r\n"...)
		}
	}
	return b, facts
}

// appendValue appends v trimmed, with CR and LF as spaces, so a value
// cannot start a new header line.
func appendValue(b []byte, v string) []byte {
	v = textproto.TrimString(v)
	for i := range len(v) {
		c := v[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return b
}

func appendStatus(b []byte, code int) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	if text := http.StatusText(code); text != "" {
		b = append(b, text...)
	} else {
		b = append(b, "status code "...)
		b = strconv.AppendInt(b, int64(code), 10)
	}
	return append(b, "\r\n"...)
}

// bodyAllowed reports whether a status may carry a body (RFC 9110).
func bodyAllowed(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}

func (w *response) isHEAD() bool { return w.req != nil && w.req.Method == http.MethodHead }

// Write sends body bytes; the first 4 KiB are held so that a short
// answer goes out with a Content-Length in one write.
func (w *response) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	w.written += int64(len(p))
	if w.length >= 0 && w.written > w.length {
		w.closeAfter = true // as net/http: the handler lost count
		return 0, http.ErrContentLength
	}
	if w.isHEAD() {
		if !w.headerSent && len(w.buf) < 512 { // kept for sniffing
			w.buf = append(w.buf, p[:min(len(p), 512-len(w.buf))]...)
		}
		return len(p), nil
	}
	if !w.headerSent {
		if len(w.buf)+len(p) <= bufferBeforeChunking {
			w.buf = append(w.buf, p...)
			return len(p), nil
		}
		w.sendHeader(false)
		if w.err != nil {
			return 0, w.err
		}
	}
	return w.writeBody(p)
}

// writeBody writes p as the body, in a chunk if the answer is chunked.
func (w *response) writeBody(p []byte) (int, error) {
	bw := w.c.bw
	if w.chunked {
		h := strconv.AppendInt(w.c.chunkHead[:0], int64(len(p)), 16)
		h = append(h, "\r\n"...)
		_, _ = bw.Write(h)
	}
	n, err := bw.Write(p)
	if err == nil && w.chunked {
		_, err = bw.WriteString("\r\n")
	}
	if err != nil {
		w.fail(err)
		return n, err
	}
	return n, nil
}

func (w *response) fail(err error) {
	if w.err == nil {
		w.err = err
	}
	w.closeAfter = true
}

// sendHeader puts the status line and header into the connection's
// buffer, followed by the held body. final means the handler is done, so
// the body's length is known.
func (w *response) sendHeader(final bool) {
	w.headerSent = true
	c := w.c
	// Drop what the handler left of the request body now, before the
	// answer: some clients send the whole request before they read.
	if !w.closeAfter && !c.body.drain() {
		w.closeAfter = true
	}
	head := w.isHEAD()
	bodyOK := bodyAllowed(w.status)
	length := int64(-1)
	switch {
	case !bodyOK:
	case w.length >= 0:
		length = w.length
	case final && (!head || w.written > 0):
		length = w.written
	case head:
	case w.req != nil && w.req.ProtoAtLeast(1, 1):
		w.chunked = true
	default:
		w.closeAfter = true // the end of the body is the end of the connection
	}
	if c.s.closing.Load() {
		w.closeAfter = true
	}
	b := appendStatus(c.hbufTmp[:0], w.status)
	b = append(b, w.hbuf...)
	if bodyOK && !w.hasType && !w.hasEncoding && len(w.buf) > 0 {
		b = append(b, "Content-Type: "...)
		b = append(b, http.DetectContentType(w.buf)...)
		b = append(b, "\r\n"...)
	}
	if !w.hasDate {
		b = append(b, "Date: "...)
		b = append(b, c.date.get(time.Now())...)
		b = append(b, "\r\n"...)
	}
	if length >= 0 {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, length, 10)
		b = append(b, "\r\n"...)
	}
	if w.chunked {
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	}
	if w.closeAfter {
		b = append(b, "Connection: close\r\n"...)
	}
	b = append(b, "\r\n"...)
	c.hbufTmp = b
	if _, err := c.bw.Write(b); err != nil {
		w.fail(err)
		return
	}
	if !head && len(w.buf) > 0 {
		_, _ = w.writeBody(w.buf)
	}
	w.buf = w.buf[:0]
}

// finish completes the answer after the handler returned and reports
// whether the connection can carry another request.
func (w *response) finish() bool {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.headerSent {
		w.sendHeader(true)
	} else {
		if w.chunked && w.err == nil {
			if _, err := w.c.bw.WriteString("0\r\n\r\n"); err != nil {
				w.fail(err)
			}
		}
	}
	if w.length >= 0 && w.written < w.length && !w.isHEAD() && bodyAllowed(w.status) {
		w.closeAfter = true // the client waits for bytes that will not come
	}
	if w.err == nil {
		if err := w.c.bw.Flush(); err != nil {
			w.fail(err)
		}
	}
	w.c.linger = w.err == nil && w.closeAfter
	return w.err == nil && !w.closeAfter
}

// FlushError sends the header and what the handler wrote so far; with
// Flush it makes the response an http.Flusher and works with
// http.ResponseController.
func (w *response) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.headerSent {
		w.sendHeader(false)
	}
	if w.err == nil {
		if err := w.c.bw.Flush(); err != nil {
			w.fail(err)
		}
	}
	return w.err
}

// Flush is FlushError without the error.
func (w *response) Flush() { _ = w.FlushError() }

// SetReadDeadline sets the connection's read deadline, for
// http.ResponseController.
func (w *response) SetReadDeadline(t time.Time) error { return w.c.nc.SetReadDeadline(t) }

// SetWriteDeadline sets the connection's write deadline, for
// http.ResponseController.
func (w *response) SetWriteDeadline(t time.Time) error { return w.c.nc.SetWriteDeadline(t) }
