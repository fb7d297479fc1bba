// Package httpx holds the HTTP conventions every Flock service shares: the
// JSON error envelope {"error":{"code","message","field","request_id"}},
// the mapping between a package's sentinel errors and HTTP status codes in
// both directions, request ids, strict size-limited JSON decoding,
// token authentication with two roles, and the /healthz and /metrics
// handlers.
package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
	// Message is what a client is told when Status is 5xx: the error's own
	// text stays in the server's log, since it may hold SQL, file paths
	// or other internals. Empty means the status text.
	Message string
}

// Errors maps a service's errors to HTTP and back.
type Errors struct {
	// Mappings in order of precedence.
	Mappings []Mapping
	// Invalid is the sentinel that wraps field errors ("invalid" code).
	Invalid error
	// NewFieldError rebuilds a package's field error on the client.
	NewFieldError func(field, reason string) error
	// RuleOf, if set, names the rule an error broke (a state or
	// uniqueness rule of the service): the answer's rule member, and its
	// message is the reason alone, as for a field.
	RuleOf func(err error) (rule, reason string, ok bool)
	// NewRuleError rebuilds a package's rule error on the client, kind
	// being the sentinel of the answer's code.
	NewRuleError func(rule, reason string, kind error) error
	// OpenStackEnvelope also writes OpenStack's (WSME's) error member,
	// {"error_message": "{\"faultstring\": ..., \"debuginfo\": null}"},
	// a JSON text in a string: what StarlingX's own clients (cgts-client's
	// system CLI) print. The faultstring is the error's text as the
	// message member says it, with the field named.
	OpenStackEnvelope bool
}

// FieldNamer is implemented by errors that name the invalid input field.
type FieldNamer interface {
	error
	InvalidField() (field, reason string)
}

// generic mappings appended to every table.
var generic = []Mapping{
	{Err: ErrUnauthenticated, Code: "unauthenticated", Status: http.StatusUnauthorized},
	{Err: ErrForbidden, Code: "forbidden", Status: http.StatusForbidden},
	{Err: ErrTooLarge, Code: "too_large", Status: http.StatusRequestEntityTooLarge},
	{Err: ErrBadRequest, Code: "bad_request", Status: http.StatusBadRequest},
}

// internal is the mapping of every error no table names.
var internal = Mapping{Err: ErrInternal, Code: "internal", Status: http.StatusInternalServerError, Message: "internal error"}

// Body is the JSON error envelope.
type Body struct {
	Error BodyError `json:"error"`
	// ErrorMessage is OpenStack's envelope (Errors.OpenStackEnvelope).
	ErrorMessage string `json:"error_message,omitempty"`
}

// faultString is the inside of OpenStack's envelope.
type faultString struct {
	FaultString string  `json:"faultstring"`
	DebugInfo   *string `json:"debuginfo"`
}

// BodyError is the inside of the envelope.
type BodyError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Rule names the rule a refused change broke (Errors.RuleOf).
	Rule string `json:"rule,omitempty"`
	// RequestID is the id of the failed request, also in the
	// X-Request-Id header; the server's log holds the detail under it.
	RequestID string `json:"request_id,omitempty"`
}

func (e *Errors) mapping(err error) Mapping {
	for _, list := range [][]Mapping{e.Mappings, generic} {
		for _, m := range list {
			if errors.Is(err, m.Err) {
				return m
			}
		}
	}
	return internal
}

// Write writes err as the JSON error answer to r. An error that maps to a
// 4xx is the client's to read: its message goes out as it is. Any other
// error says only what kind of failure it was and the request id; its
// detail goes to log (nil: nowhere) under that id.
func (e *Errors) Write(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	m := e.mapping(err)
	id := ensureRequestID(w, r)
	b := Body{Error: BodyError{Code: m.Code, Message: err.Error(), RequestID: id}}
	if m.Status >= 500 {
		msg := m.Message
		if msg == "" {
			msg = strings.ToLower(http.StatusText(m.Status))
		}
		b.Error.Message = msg + " (request id " + id + ")"
		if log != nil {
			log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("request_id", id),
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", m.Status),
				slog.String("error", err.Error()))
		}
	} else if fe, ok := errors.AsType[FieldNamer](err); ok {
		b.Error.Field, b.Error.Message = fe.InvalidField()
	} else if e.RuleOf != nil {
		if rule, reason, ok := e.RuleOf(err); ok {
			b.Error.Rule, b.Error.Message = rule, reason
		}
	}
	if e.OpenStackEnvelope {
		msg := b.Error.Message
		if (b.Error.Field != "" || b.Error.Rule != "") && m.Status < 500 {
			msg = err.Error()
		}
		fs, _ := json.Marshal(faultString{FaultString: msg})
		b.ErrorMessage = string(fs)
	}
	if m.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="flock"`)
	}
	WriteJSON(w, m.Status, b)
}

// Decode turns an error answer back into an error that wraps the sentinel
// of its code, so errors.Is works on the client as on the server.
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
	for _, list := range [][]Mapping{e.Mappings, generic} {
		for _, m := range list {
			if m.Code == b.Error.Code {
				if b.Error.Rule != "" && e.NewRuleError != nil {
					return e.NewRuleError(b.Error.Rule, b.Error.Message, m.Err)
				}
				return &RemoteError{Status: resp.StatusCode, Code: b.Error.Code, Message: b.Error.Message, Err: m.Err}
			}
		}
	}
	return fmt.Errorf("http %d %s: %s: %w", resp.StatusCode, b.Error.Code, b.Error.Message, e.statusErr(resp.StatusCode))
}

func (e *Errors) statusErr(status int) error {
	for _, list := range [][]Mapping{e.Mappings, generic} {
		for _, m := range list {
			if m.Status == status {
				return m.Err
			}
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
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
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
