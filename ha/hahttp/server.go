// Package hahttp serves any ha.API over HTTP on StarlingX's paths, and
// Client is an ha.API over that HTTP API.
//
// The paths are sm-api's (port 7777 in StarlingX) and the ones sysinv
// relays them under, so one handler answers both StarlingX's system CLI
// (cgts-client's servicegroup-list, servicenode-list, service-list,
// service-show) and what sysinv and mtce ask of SM:
//
//	GET   /v1/services[/{name or id}]          {"services": [...]}
//	GET   /v1/nodes[/{name or id}]             {"nodes": [...]}        (sm-api)
//	GET   /v1/servicenodes[/{name or id}]      {"nodes": [...]}        (sysinv)
//	GET   /v1/sm_sda[/{uuid or id}]            {"sm_sda": [...]}       (sm-api)
//	GET   /v1/service_groups[/{uuid or id}]    {"service_groups": [...]} (sm-api: the same rows)
//	GET   /v1/servicegroup[/{uuid or id}]      {"sm_servicegroup": [...]} (sysinv)
//	PATCH /v1/servicenode/{hostname}           {"origin", "action", "admin", "oper", "avail"}
//
// The PATCH takes sm-api's node command; Flock's service management acts
// on the actions swact, swact-force and swact-pre-check (lock, unlock
// and event are mtce's notifications to SM and are refused, naming the
// action field). Unlike sm-api, which answers once SM has accepted the
// swact and leaves mtce to poll, the answer comes once the swact is
// complete (ha.API's Swact).
//
// # Errors
//
// Errors are Flock's JSON envelope {"error": {"code", "message", "field",
// "rule", "request_id"}} with OpenStack's error_message member beside it:
// not_found (404), invalid (400, naming the field), invalid_transition
// (400: a swact refused by a rule, named), unavailable (503), timeout
// (504). A node command's answer also carries sm-api's result members,
// error_code "-1000" (no such host), "-1001" (action failed) or "-1002"
// (no host to swact to) and error_details. The client turns the envelope
// back into ha's errors, so errors.Is(err, ha.ErrNotFound) and
// errors.AsType[*ha.RuleError] work as in-process.
package hahttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/internal/httpx"
)

// errTable maps ha's sentinels to HTTP.
var errTable = &httpx.Errors{
	Mappings: []httpx.Mapping{
		{Err: ha.ErrNotFound, Code: "not_found", Status: http.StatusNotFound},
		{Err: ha.ErrInvalid, Code: "invalid", Status: http.StatusBadRequest},
		// sm-api answers a refused swact with 400.
		{Err: ha.ErrInvalidTransition, Code: "invalid_transition", Status: http.StatusBadRequest},
		{Err: ha.ErrUnavailable, Code: "unavailable", Status: http.StatusServiceUnavailable,
			Message: "service management is unavailable for now; retry later"},
		{Err: context.DeadlineExceeded, Code: "timeout", Status: http.StatusGatewayTimeout,
			Message: "the request took too long"},
	},
	Invalid: ha.ErrInvalid,
	NewFieldError: func(field, reason string) error {
		return &ha.FieldError{Field: field, Reason: reason}
	},
	RuleOf: func(err error) (string, string, bool) {
		re, ok := errors.AsType[*ha.RuleError](err)
		if !ok {
			return "", "", false
		}
		return re.Rule, re.Reason, true
	},
	NewRuleError: func(rule, reason string, _ error) error {
		return &ha.RuleError{Rule: rule, Reason: reason}
	},
	OpenStackEnvelope: true,
}

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// MaxBody caps request bodies (default 16 KiB; a node command is
	// under 200 bytes).
	MaxBody int64
	// Logger receives the detail of every request answered with a 5xx,
	// under the request id the answer carries. nil discards.
	Logger *slog.Logger
}

type server struct {
	api     ha.API
	maxBody int64
	log     *slog.Logger
}

// NewHandler returns the REST API of api (see the package comment for
// the paths). It does no authentication: wrap it. Every answer carries a
// request id (X-Request-Id and X-Openstack-Request-Id).
func NewHandler(api ha.API, opts *HandlerOptions) http.Handler {
	s := &server{api: api, maxBody: 16 << 10, log: slog.New(slog.DiscardHandler)}
	if opts != nil {
		if opts.MaxBody > 0 {
			s.maxBody = opts.MaxBody
		}
		if opts.Logger != nil {
			s.log = opts.Logger
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/services", s.listServices)
	mux.HandleFunc("GET /v1/services/{id}", s.getService)
	for _, p := range []string{"/v1/nodes", "/v1/servicenodes"} {
		mux.HandleFunc("GET "+p, s.listNodes)
		mux.HandleFunc("GET "+p+"/{id}", s.getNode)
	}
	for p, key := range map[string]string{"/v1/sm_sda": "sm_sda", "/v1/service_groups": "service_groups", "/v1/servicegroup": "sm_servicegroup"} {
		mux.HandleFunc("GET "+p, s.listGroups(key))
		mux.HandleFunc("GET "+p+"/{id}", s.getGroup)
	}
	mux.HandleFunc("PATCH /v1/servicenode/{hostname}", s.nodeCommand)
	return httpx.WithRequestID(mux)
}

// Paths returns the path prefixes NewHandler serves, for a server that
// mounts it beside other APIs on one mux (each as "/v1/x" and "/v1/x/").
func Paths() []string {
	return []string{"/v1/services", "/v1/nodes", "/v1/servicenodes", "/v1/sm_sda", "/v1/service_groups",
		"/v1/servicegroup", "/v1/servicenode"}
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	errTable.Write(w, r, s.log, err)
}

func (s *server) reply(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

func (s *server) listServices(w http.ResponseWriter, r *http.Request) {
	list, err := s.api.ListServices(r.Context())
	s.reply(w, r, servicesAnswer{Services: nonNil(list)}, err)
}

func (s *server) getService(w http.ResponseWriter, r *http.Request) {
	v, err := s.api.GetService(r.Context(), r.PathValue("id"))
	s.reply(w, r, v, err)
}

func (s *server) listNodes(w http.ResponseWriter, r *http.Request) {
	list, err := s.api.ListServiceNodes(r.Context())
	s.reply(w, r, nodesAnswer{Nodes: nonNil(list)}, err)
}

func (s *server) getNode(w http.ResponseWriter, r *http.Request) {
	v, err := s.api.GetServiceNode(r.Context(), r.PathValue("id"))
	s.reply(w, r, v, err)
}

func (s *server) listGroups(key string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		list, err := s.api.ListServiceGroups(r.Context())
		s.reply(w, r, map[string][]ha.Assignment{key: nonNil(list)}, err)
	}
}

func (s *server) getGroup(w http.ResponseWriter, r *http.Request) {
	v, err := s.api.GetServiceGroup(r.Context(), r.PathValue("id"))
	s.reply(w, r, v, err)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// nodeCommand is sm-api's PATCH /v1/servicenode/{hostname}.
func (s *server) nodeCommand(w http.ResponseWriter, r *http.Request) {
	host := r.PathValue("hostname")
	data, err := httpx.ReadBody(w, r, s.maxBody)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cmd, req, err := ParseNodeCommand(data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req.Node = host
	res := CommandResult{Origin: "sm", Hostname: host, Action: cmd.Action, Admin: cmd.Admin, Oper: cmd.Oper, Avail: cmd.Avail,
		ErrorCode: CodeSuccess}
	err = s.api.Swact(r.Context(), req)
	if err == nil {
		httpx.WriteJSON(w, http.StatusOK, res)
		return
	}
	re, isRule := errors.AsType[*ha.RuleError](err)
	switch {
	case isRule:
		res.ErrorCode, res.ErrorDetails, res.Rule = CodeActionFailed, re.Reason, re.Rule
		if re.Rule == ha.RuleSwactNoPeer {
			res.ErrorCode = CodeNoHostToSwactTo
		}
		if req.CheckOnly {
			// sm-api answers a failed pre-check with 200 and the result.
			httpx.WriteJSON(w, http.StatusOK, res)
			return
		}
	case errors.Is(err, ha.ErrNotFound):
		res.ErrorCode, res.ErrorDetails = CodeHostNotFound, err.Error()
	default:
		s.fail(w, r, err)
		return
	}
	// A 4xx: Flock's envelope (as errTable writes it) with sm-api's
	// result members beside it.
	rec := &envelope{header: http.Header{}}
	errTable.Write(rec, r, s.log, err)
	res.Error, res.ErrorMessage = &rec.body.Error, rec.body.ErrorMessage
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	httpx.WriteJSON(w, rec.status, res)
}

// ParseNodeCommand decodes the body of PATCH /v1/servicenode/{hostname}
// (sm-api's ServiceNodeCommand: origin, action, admin, oper, avail, every
// member optional but action) into the swact it asks for; req.Node is
// left for the caller to set from the path. Unknown members, a value of
// the wrong type, and an action other than swact, swact-force or
// swact-pre-check are *ha.FieldError naming the member.
func ParseNodeCommand(data []byte) (NodeCommand, ha.SwactRequest, error) {
	var cmd NodeCommand
	if err := errTable.Unmarshal(data, &cmd); err != nil {
		return NodeCommand{}, ha.SwactRequest{}, err
	}
	var req ha.SwactRequest
	switch cmd.Action {
	case ActionSwact:
	case ActionSwactForce:
		req.Force = true
	case ActionSwactPreCheck:
		req.CheckOnly = true
	case "":
		return NodeCommand{}, ha.SwactRequest{}, &ha.FieldError{Field: "action", Reason: "is required"}
	default:
		return NodeCommand{}, ha.SwactRequest{}, &ha.FieldError{Field: "action",
			Reason: fmt.Sprintf("%q is not one of %q, %q, %q", cmd.Action, ActionSwact, ActionSwactForce, ActionSwactPreCheck)}
	}
	return cmd, req, nil
}

// envelope captures what errTable.Write writes.
type envelope struct {
	header http.Header
	status int
	body   httpx.Body
	buf    []byte
}

func (e *envelope) Header() http.Header    { return e.header }
func (e *envelope) WriteHeader(status int) { e.status = status }
func (e *envelope) Write(p []byte) (int, error) {
	e.buf = append(e.buf, p...)
	// errTable.Write writes one JSON document, which it encoded itself.
	_ = json.Unmarshal(e.buf, &e.body)
	return len(p), nil
}
