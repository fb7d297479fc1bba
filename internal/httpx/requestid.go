package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// Request id headers: Flock's, and the one OpenStack and StarlingX
// clients (fm, system) read. Every answer carries both, with one value.
const (
	RequestIDHeader          = "X-Request-Id"
	OpenStackRequestIDHeader = "X-Openstack-Request-Id"
)

type requestIDKey struct{}

// NewRequestID returns a fresh request id in OpenStack's form,
// "req-" and a random UUID.
func NewRequestID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [40]byte
	copy(b[:], "req-")
	hex.Encode(b[4:12], u[0:4])
	b[12] = '-'
	hex.Encode(b[13:17], u[4:6])
	b[17] = '-'
	hex.Encode(b[18:22], u[6:8])
	b[22] = '-'
	hex.Encode(b[23:27], u[8:10])
	b[27] = '-'
	hex.Encode(b[28:40], u[10:16])
	return string(b[:])
}

// RequestID returns the id WithRequestID gave the request, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// WithRequestID gives every request an id, in its context and in both
// request id headers of its answer. A request that already has one (an
// outer WithRequestID) keeps it. Ids the client sends are not used: they
// would let a client write what it likes into the server's log.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if RequestID(r.Context()) != "" {
			next.ServeHTTP(w, r)
			return
		}
		id := NewRequestID()
		setRequestID(w, id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func setRequestID(w http.ResponseWriter, id string) {
	h := w.Header()
	h.Set(RequestIDHeader, id)
	h.Set(OpenStackRequestIDHeader, id)
}

// ensureRequestID returns r's id, making one (and setting the headers)
// for a request that came in without WithRequestID.
func ensureRequestID(w http.ResponseWriter, r *http.Request) string {
	if id := RequestID(r.Context()); id != "" {
		return id
	}
	if id := w.Header().Get(RequestIDHeader); id != "" {
		return id
	}
	id := NewRequestID()
	setRequestID(w, id)
	return id
}
