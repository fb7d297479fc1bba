package hostmgmthttp

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/internal/httpx"
	"github.com/edgeflock/flock/inventory"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3 document of the paths NewHandler serves
// itself (GET /v1/ihosts/{id}/mtce, GET /v1/mtce/hosts). The actions'
// PATCH /v1/ihosts/{id} is the inventory's path, in its document. The
// components it shares with the inventory's document (Error) are
// identical, so the two merge.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

// errTable maps host maintenance's sentinels to HTTP. The messages are
// what clients are told of a 5xx; the error itself goes to the handler's
// log.
var errTable = &httpx.Errors{
	Mappings: []httpx.Mapping{
		{Err: hostmgmt.ErrNotFound, Code: "not_found", Status: http.StatusNotFound},
		{Err: hostmgmt.ErrInvalid, Code: "invalid", Status: http.StatusBadRequest},
		{Err: hostmgmt.ErrInvalidTransition, Code: "invalid_transition", Status: http.StatusConflict},
		{Err: hostmgmt.ErrNoBMC, Code: "no_bmc", Status: http.StatusConflict},
		{Err: hostmgmt.ErrUnavailable, Code: "unavailable", Status: http.StatusServiceUnavailable,
			Message: "host maintenance could not reach the host's agent or BMC in time; retry later"},
		{Err: context.DeadlineExceeded, Code: "timeout", Status: http.StatusGatewayTimeout,
			Message: "the request took too long"},
		// A service that passes on the inventory's errors (the host
		// named is not in it, the inventory refused the state change)
		// is answered as the inventory's handler would; a client reads
		// them back as hostmgmt's sentinels of the same code.
		{Err: inventory.ErrNotFound, Code: "not_found", Status: http.StatusNotFound},
		{Err: inventory.ErrInvalid, Code: "invalid", Status: http.StatusBadRequest},
		{Err: inventory.ErrInvalidTransition, Code: "invalid_transition", Status: http.StatusConflict},
		{Err: inventory.ErrConflict, Code: "conflict", Status: http.StatusConflict},
		{Err: inventory.ErrUnavailable, Code: "unavailable", Status: http.StatusServiceUnavailable,
			Message: "the inventory is unavailable for now; retry later"},
	},
	Invalid: hostmgmt.ErrInvalid,
	NewFieldError: func(field, reason string) error {
		return &hostmgmt.FieldError{Field: field, Reason: reason}
	},
	RuleOf: func(err error) (string, string, bool) {
		if re, ok := errors.AsType[*hostmgmt.RuleError](err); ok {
			return re.Rule, re.Reason, true
		}
		if re, ok := errors.AsType[*inventory.RuleError](err); ok {
			return re.Rule, re.Reason, true
		}
		return "", "", false
	},
	NewRuleError: func(rule, reason string, kind error) error {
		if kind != hostmgmt.ErrInvalidTransition {
			// Only refusals carry a rule; anything else keeps its kind.
			return fmt.Errorf("%s (rule %s): %w", reason, rule, kind)
		}
		return &hostmgmt.RuleError{Rule: rule, Reason: reason}
	},
	OpenStackEnvelope: true,
}

// fieldError gives a *hostmgmt.FieldError the InvalidField method by
// which httpx names the field in the answer.
type fieldError struct{ *hostmgmt.FieldError }

func (e fieldError) InvalidField() (string, string) { return e.Field, e.Reason }

// reasonError says a refusal as its reason alone: the faultstring the
// system CLI prints is the error's text, and StarlingX's is the reason.
// The rule goes in the answer's rule member.
type reasonError struct {
	reason string
	err    error
}

func (e reasonError) Error() string { return e.reason }
func (e reasonError) Unwrap() error { return e.err }

// wireError prepares err for errTable.Write.
func wireError(err error) error {
	if fe, ok := errors.AsType[*hostmgmt.FieldError](err); ok {
		return fieldError{fe}
	}
	if re, ok := errors.AsType[*hostmgmt.RuleError](err); ok {
		return reasonError{re.Reason, err}
	}
	if re, ok := errors.AsType[*inventory.RuleError](err); ok {
		return reasonError{re.Reason, err}
	}
	return err
}

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// MaxBody caps the PATCH bodies the handler reads (default 1 MiB).
	MaxBody int64
	// Logger receives the detail of every request answered with a 5xx,
	// under the request id the answer carries. nil discards.
	Logger *slog.Logger
}

type handler struct {
	svc     hostmgmt.Service
	next    http.Handler
	maxBody int64
	log     *slog.Logger
}

// NewHandler returns host maintenance's REST API over svc, in front of
// next, the inventory's handler (inventoryhttp.NewHandler):
//
//	PATCH /v1/ihosts/{id}           with a /action operation: the action
//	GET   /v1/ihosts/{id}/mtce      the host's maintenance state
//	GET   /v1/ihosts/{id}/isensors  its BMC's sensors (sysinv's isensor shape)
//	GET   /v1/mtce/hosts            every host's
//
// Every other request, a PATCH without /action included, goes to next
// unchanged. An action's answer is next's answer to GET /v1/ihosts/{id};
// the patch's other operations go to next first, as a PATCH without the
// action (see the package documentation). The requests to next are the
// original's clones (headers, context) with the method, path and body
// changed. It does no authentication: wrap it. Every answer carries a
// request id (X-Request-Id and X-Openstack-Request-Id).
func NewHandler(svc hostmgmt.Service, next http.Handler, opts *HandlerOptions) http.Handler {
	h := &handler{svc: svc, next: next, maxBody: httpx.DefaultMaxBody, log: slog.New(slog.DiscardHandler)}
	if opts != nil {
		if opts.MaxBody > 0 {
			h.maxBody = opts.MaxBody
		}
		if opts.Logger != nil {
			h.log = opts.Logger
		}
	}
	return httpx.WithRequestID(h)
}

// segments returns the path's segments, unescaped, or false if one does
// not unescape.
func segments(r *http.Request) ([]string, bool) {
	p := r.URL.EscapedPath()
	if !strings.HasPrefix(p, "/") {
		return nil, false
	}
	segs := strings.Split(p[1:], "/")
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		segs[i] = u
	}
	return segs, true
}

// hostSeg reports whether s names a host: "", "." and ".." name none
// (a router would clean them away).
func hostSeg(s string) bool { return s != "" && s != "." && s != ".." }

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs, ok := segments(r)
	if ok {
		switch {
		case r.Method == http.MethodPatch && len(segs) == 3 && segs[0] == "v1" && segs[1] == "ihosts" && hostSeg(segs[2]):
			h.patch(w, r, segs[2])
			return
		case r.Method == http.MethodGet && len(segs) == 4 && segs[0] == "v1" && segs[1] == "ihosts" && hostSeg(segs[2]) && segs[3] == "mtce":
			h.state(w, r, segs[2])
			return
		case r.Method == http.MethodGet && len(segs) == 4 && segs[0] == "v1" && segs[1] == "ihosts" && hostSeg(segs[2]) && segs[3] == "isensors":
			h.sensors(w, r, segs[2])
			return
		case r.Method == http.MethodGet && len(segs) == 3 && segs[0] == "v1" && segs[1] == "mtce" && segs[2] == "hosts":
			h.list(w, r)
			return
		}
	}
	h.next.ServeHTTP(w, r)
}

func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	errTable.Write(w, r, h.log, wireError(err))
}

// patch serves PATCH /v1/ihosts/{id}: the action, if the patch has one.
func (h *handler) patch(w http.ResponseWriter, r *http.Request, id string) {
	data, err := httpx.ReadBody(w, r, h.maxBody)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := parseActionPatch(data)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !p.found {
		// The inventory's host-update, as it came.
		r2 := r.Clone(r.Context())
		setBody(r2, data)
		h.next.ServeHTTP(w, r2)
		return
	}
	if len(p.rest) > 0 {
		ans := h.call(r, http.MethodPatch, "", p.restBody())
		if ans.status >= 300 {
			ans.copyTo(w)
			return
		}
		// The other operations may have renamed the host: name it by
		// uuid from here on.
		var host struct {
			UUID string `json:"uuid"`
		}
		if json.Unmarshal(ans.body.Bytes(), &host) == nil && hostSeg(host.UUID) {
			id = host.UUID
		}
	}
	st, err := h.svc.Act(r.Context(), id, p.action)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if hostSeg(st.UUID) {
		id = st.UUID
	}
	h.call(r, http.MethodGet, "/v1/ihosts/"+url.PathEscape(id), nil).copyTo(w)
}

// state serves GET /v1/ihosts/{id}/mtce.
func (h *handler) state(w http.ResponseWriter, r *http.Request, id string) {
	st, err := h.svc.GetHostState(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, st)
}

// hostList is the body of GET /v1/mtce/hosts.
type hostList struct {
	Hosts []hostmgmt.HostState `json:"hosts"`
}

// list serves GET /v1/mtce/hosts.
func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	sts, err := h.svc.ListHostStates(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if sts == nil {
		sts = []hostmgmt.HostState{}
	}
	httpx.WriteJSON(w, http.StatusOK, hostList{Hosts: sts})
}

// setBody makes data r's body.
func setBody(r *http.Request, data []byte) {
	r.Body = http.NoBody
	r.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
	if data != nil {
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	r.ContentLength = int64(len(data))
	if r.Header.Get("Content-Length") != "" {
		r.Header.Set("Content-Length", strconv.Itoa(len(data)))
	}
}

// call sends next a clone of r with method, path (r's if empty) and body
// (none if nil), and returns its answer.
func (h *handler) call(r *http.Request, method, path string, body []byte) *answer {
	r2 := r.Clone(r.Context())
	r2.Method = method
	if path != "" {
		r2.URL.Path, r2.URL.RawPath, r2.URL.RawQuery = path, "", ""
		r2.RequestURI = r2.URL.RequestURI()
	}
	setBody(r2, body)
	if body == nil {
		r2.Header.Del("Content-Type")
	}
	a := &answer{header: http.Header{}}
	h.next.ServeHTTP(a, r2)
	return a
}

// answer is an http.ResponseWriter that keeps next's answer.
type answer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *answer) Header() http.Header { return a.header }

func (a *answer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *answer) Write(b []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(b)
}

// copyTo writes the kept answer to w.
func (a *answer) copyTo(w http.ResponseWriter) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body.Bytes())
}
