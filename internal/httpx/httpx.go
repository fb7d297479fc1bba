// Package httpx holds the HTTP conventions every Flock service shares: the
// JSON error envelope {"error":{"code","message","field"}}, the mapping
// between a package's sentinel errors and HTTP status codes in both
// directions, strict size-limited JSON decoding, bearer-token
// authentication with two roles, and the /healthz and /metrics handlers.
package httpx

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultMaxBody is the largest request body accepted by default (1 MiB).
const DefaultMaxBody = 1 << 20

// Generic errors for the conditions no service package has a sentinel for.
var (
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrForbidden       = errors.New("forbidden")
	ErrTooLarge        = errors.New("request body too large")
	ErrBadRequest      = errors.New("bad request")
	ErrInternal        = errors.New("internal server error")
)

// Mapping ties one sentinel error to its wire code and HTTP status.
type Mapping struct {
	Err    error
	Code   string
	Status int
}

// Errors maps a service's errors to HTTP and back.
type Errors struct {
	// Mappings in order of precedence.
	Mappings []Mapping
	// Invalid is the sentinel that wraps field errors ("invalid" code).
	Invalid error
	// NewFieldError rebuilds a package's field error on the client.
	NewFieldError func(field, reason string) error
}

// FieldNamer is implemented by errors that name the invalid input field.
type FieldNamer interface {
	error
	InvalidField() (field, reason string)
}

// generic mappings appended to every table.
var generic = []Mapping{
	{ErrUnauthenticated, "unauthenticated", http.StatusUnauthorized},
	{ErrForbidden, "forbidden", http.StatusForbidden},
	{ErrTooLarge, "too_large", http.StatusRequestEntityTooLarge},
	{ErrBadRequest, "bad_request", http.StatusBadRequest},
}

// Body is the JSON error envelope.
type Body struct {
	Error BodyError `json:"error"`
}

// BodyError is the inside of the envelope.
type BodyError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Write writes err as a JSON error response.
func (e *Errors) Write(w http.ResponseWriter, err error) {
	status, code := http.StatusInternalServerError, "internal"
	for _, m := range append(e.Mappings, generic...) {
		if errors.Is(err, m.Err) {
			status, code = m.Status, m.Code
			break
		}
	}
	b := Body{Error: BodyError{Code: code, Message: err.Error()}}
	var fe FieldNamer
	if errors.As(err, &fe) {
		b.Error.Field, b.Error.Message = fe.InvalidField()
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="flock"`)
	}
	WriteJSON(w, status, b)
}

// Decode turns an error response back into an error that wraps the
// sentinel of its code, so errors.Is works on the client as on the server.
func (e *Errors) Decode(resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, DefaultMaxBody))
	var b Body
	if json.Unmarshal(data, &b) != nil || b.Error.Code == "" {
		msg := strings.TrimSpace(string(data))
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return fmt.Errorf("http %d: %s: %w", resp.StatusCode, msg, e.statusErr(resp.StatusCode))
	}
	if b.Error.Field != "" && e.NewFieldError != nil {
		return e.NewFieldError(b.Error.Field, b.Error.Message)
	}
	for _, m := range append(e.Mappings, generic...) {
		if m.Code == b.Error.Code {
			return &RemoteError{Status: resp.StatusCode, Code: b.Error.Code, Message: b.Error.Message, Err: m.Err}
		}
	}
	return fmt.Errorf("http %d %s: %s: %w", resp.StatusCode, b.Error.Code, b.Error.Message, e.statusErr(resp.StatusCode))
}

func (e *Errors) statusErr(status int) error {
	for _, m := range append(e.Mappings, generic...) {
		if m.Status == status {
			return m.Err
		}
	}
	return ErrInternal
}

// RemoteError is an error answered by a server: its message is the
// server's, and it unwraps to the sentinel of its code.
type RemoteError struct {
	Status  int
	Code    string
	Message string
	Err     error
}

// Error returns the server's message.
func (e *RemoteError) Error() string { return e.Message }

// Unwrap returns the sentinel.
func (e *RemoteError) Unwrap() error { return e.Err }

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// FieldError is the field error httpx itself reports for bodies it cannot
// decode; services map it with their own Invalid sentinel.
type FieldError struct {
	Field, Reason string
	invalid       error
}

// Error implements error.
func (f *FieldError) Error() string { return "invalid " + f.Field + ": " + f.Reason }

// InvalidField implements FieldNamer.
func (f *FieldError) InvalidField() (string, string) { return f.Field, f.Reason }

// Unwrap returns the service's Invalid sentinel.
func (f *FieldError) Unwrap() error { return f.invalid }

// DecodeJSON decodes the request body into v strictly: at most max bytes
// (DefaultMaxBody if 0), no unknown fields, one JSON value. A failure is
// ErrTooLarge or a field error wrapping e.Invalid.
func (e *Errors) DecodeJSON(w http.ResponseWriter, r *http.Request, max int64, v any) error {
	data, err := ReadBody(w, r, max)
	if err != nil {
		return err
	}
	return e.Unmarshal(data, v)
}

// ReadBody reads the request body, at most max bytes (DefaultMaxBody if
// 0): ErrTooLarge beyond. A body with a Content-Length is read into a
// buffer of that size at once.
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBody
	}
	if r.ContentLength > max {
		return nil, fmt.Errorf("%w: limit is %d bytes", ErrTooLarge, max)
	}
	var data []byte
	var err error
	if n := r.ContentLength; n >= 0 {
		// Within the limit (checked above), and the server's body reader
		// stops at the declared length.
		data = make([]byte, n)
		_, err = io.ReadFull(r.Body, data)
	} else {
		data, err = io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fmt.Errorf("%w: limit is %d bytes", ErrTooLarge, max)
		}
		return nil, fmt.Errorf("%w: read body: %v", ErrBadRequest, err)
	}
	return data, nil
}

// Unmarshal decodes data strictly into v, naming the offending field on error.
func (e *Errors) Unmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON value")
	}
	if err == nil {
		return nil
	}
	field, reason := "body", err.Error()
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field = te.Field
		if field == "" {
			field = "body"
		}
		reason = "must be " + te.Type.String() + ", not " + te.Value
	} else if s, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field, reason = strings.Trim(s, `"`), "unknown field"
		if field == "" {
			field, reason = "body", `unknown field ""`
		}
	}
	return &FieldError{Field: field, Reason: reason, invalid: e.Invalid}
}

// Role is what a token may do.
type Role string

// Roles: an admin may read and write, a reader may only read (GET, HEAD).
const (
	RoleAdmin  Role = "admin"
	RoleReader Role = "reader"
)

// Auth checks bearer tokens.
type Auth struct {
	// Disabled lets every request through (for tests and trusted loopback).
	Disabled bool
	tokens   map[[32]byte]Role
}

// NewAuth returns an Auth that accepts the given tokens. Tokens are kept
// hashed, so a lookup leaks no timing about their bytes.
func NewAuth(tokens map[string]Role) *Auth {
	a := &Auth{tokens: map[[32]byte]Role{}}
	for t, r := range tokens {
		a.tokens[sha256.Sum256([]byte(t))] = r
	}
	return a
}

// Middleware authenticates every request to next. Errors are written with e.
func (a *Auth) Middleware(e *Errors, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a == nil || a.Disabled {
			next.ServeHTTP(w, r)
			return
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		// On the stack for tokens of usual length (ours are 64 characters).
		var buf [128]byte
		role, known := a.tokens[sha256.Sum256(append(buf[:0], strings.TrimSpace(tok)...))]
		if !ok || !known {
			e.Write(w, fmt.Errorf("%w: a valid bearer token is required", ErrUnauthenticated))
			return
		}
		if role != RoleAdmin && r.Method != http.MethodGet && r.Method != http.MethodHead {
			e.Write(w, fmt.Errorf("%w: role %s may only read", ErrForbidden, role))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Healthz answers 200 "ok" while check returns nil, else 503.
func Healthz(check func() error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if check != nil {
			if err := check(); err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
	})
}

// Metrics serves the metrics of g in the Prometheus text format.
func Metrics(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}
