package faulthttp

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/internal/wire"
	"github.com/edgeflock/flock/internal/httpx"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3 document of the REST API.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

// errTable maps fault's sentinels to HTTP.
var errTable = &httpx.Errors{
	Mappings: []httpx.Mapping{
		{Err: fault.ErrNotFound, Code: "not_found", Status: http.StatusNotFound},
		{Err: fault.ErrInvalid, Code: "invalid", Status: http.StatusBadRequest},
		{Err: fault.ErrConflict, Code: "conflict", Status: http.StatusConflict},
		{Err: fault.ErrUnavailable, Code: "unavailable", Status: http.StatusServiceUnavailable},
		{Err: fault.ErrUnimplemented, Code: "unimplemented", Status: http.StatusNotImplemented},
		{Err: fault.ErrClosed, Code: "closed", Status: http.StatusServiceUnavailable},
		{Err: context.DeadlineExceeded, Code: "timeout", Status: http.StatusGatewayTimeout},
	},
	Invalid: fault.ErrInvalid,
	NewFieldError: func(field, reason string) error {
		return &fault.FieldError{Field: field, Reason: reason}
	},
}

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// MaxBody caps request bodies (default 64 KiB; an alarm is < 4 KiB).
	MaxBody int64
}

type server struct {
	svc     fault.Service
	maxBody int64
}

// NewHandler returns the REST API of svc under /v1 (StarlingX's fm-api
// paths). It does no authentication: wrap it (the stx package does).
//
//	GET    /v1/alarms[?q.field=&q.value=&marker=&limit=&sort_key=&sort_dir=&include_suppress=&expand=]
//	GET    /v1/alarms/detail                 (expand=true)
//	GET    /v1/alarms/summary[?include_suppress=]
//	GET    /v1/alarms/{uuid}
//	DELETE /v1/alarms/{uuid}
//	POST   /v1/alarms                        (alarm_state set | clear | log | msg)
//	POST   /v1/alarms/{uuid}/ack             {"by": "..."}            (Flock)
//	POST   /v1/alarms/clear_all              {"entity_instance_id"}   (Flock)
//	GET    /v1/event_log[?...], /v1/event_log/{uuid}
//	GET    /v1/event_suppression
//	PATCH  /v1/event_suppression/{uuid or alarm id}   JSON patch
//	GET    /v1/openapi.json
func NewHandler(svc fault.Service, opts *HandlerOptions) http.Handler {
	s := &server{svc: svc, maxBody: 64 << 10}
	if opts != nil && opts.MaxBody > 0 {
		s.maxBody = opts.MaxBody
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/alarms", s.listAlarms(false))
	mux.HandleFunc("GET /v1/alarms/detail", s.listAlarms(true))
	mux.HandleFunc("GET /v1/alarms/summary", s.summary)
	mux.HandleFunc("GET /v1/alarms/{uuid}", s.getAlarm)
	mux.HandleFunc("DELETE /v1/alarms/{uuid}", s.deleteAlarm)
	mux.HandleFunc("POST /v1/alarms", s.postAlarm)
	mux.HandleFunc("POST /v1/alarms/clear_all", s.clearAll)
	mux.HandleFunc("POST /v1/alarms/{uuid}/ack", s.ack)
	mux.HandleFunc("GET /v1/event_log", s.listEvents)
	mux.HandleFunc("GET /v1/event_log/{uuid}", s.getEvent)
	mux.HandleFunc("GET /v1/event_suppression", s.listSuppressions)
	mux.HandleFunc("PATCH /v1/event_suppression/{id}", s.patchSuppression)
	mux.HandleFunc("GET /v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
	return mux
}

func (s *server) fail(w http.ResponseWriter, err error) { errTable.Write(w, err) }

func bad(field, format string, args ...any) error {
	return &fault.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// queryFilters collects StarlingX's q.field / q.op / q.value triples (only
// op "eq" exists) and plain field=value parameters.
func queryFilters(v url.Values, allowed map[string]bool) (map[string]string, error) {
	out := map[string]string{}
	fields, values, ops := v["q.field"], v["q.value"], v["q.op"]
	if len(fields) != len(values) {
		return nil, bad("q.value", "each q.field needs one q.value")
	}
	for i, f := range fields {
		if i < len(ops) && ops[i] != "" && ops[i] != "eq" {
			return nil, bad("q.op", "only eq is supported, not %q", ops[i])
		}
		if !allowed[f] {
			return nil, bad("q.field", "cannot filter on %q", f)
		}
		out[f] = values[i]
	}
	for f := range allowed {
		if val := v.Get(f); val != "" {
			out[f] = val
		}
	}
	return out, nil
}

func boolParam(v url.Values, name string) (bool, error) {
	s := v.Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, bad(name, "%q is not true or false", s)
	}
	return b, nil
}

func intParam(v url.Values, name string) (int, error) {
	s := v.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, bad(name, "%q is not a non-negative integer", s)
	}
	return n, nil
}

var alarmFilters = map[string]bool{"alarm_id": true, "severity": true, "entity_instance_id": true, "entity_type_id": true}

func alarmQuery(v url.Values) (fault.AlarmQuery, bool, error) {
	var q fault.AlarmQuery
	f, err := queryFilters(v, alarmFilters)
	if err != nil {
		return q, false, err
	}
	q.AlarmID, q.EntityPrefix, q.EntityTypeID = f["alarm_id"], f["entity_instance_id"], f["entity_type_id"]
	if s := f["severity"]; s != "" {
		if q.Severity, err = fault.ParseSeverity(s); err != nil {
			return q, false, bad("severity", "unknown severity %q", s)
		}
	}
	q.Marker = v.Get("marker")
	q.SortKey = v.Get("sort_key")
	switch d := v.Get("sort_dir"); d {
	case "", "asc":
	case "desc":
		q.SortDesc = true
	default:
		return q, false, bad("sort_dir", "must be asc or desc, not %q", d)
	}
	if q.Limit, err = intParam(v, "limit"); err != nil {
		return q, false, err
	}
	for name, dst := range map[string]*bool{"include_suppress": &q.IncludeSuppressed, "include_masked": &q.IncludeMasked,
		"mgmt_affecting": &q.MgmtAffecting, "degrade_affecting": &q.DegradeAffecting} {
		if *dst, err = boolParam(v, name); err != nil {
			return q, false, err
		}
	}
	expand, err := boolParam(v, "expand")
	return q, expand, err
}

func (s *server) listAlarms(detail bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, expand, err := alarmQuery(r.URL.Query())
		if err != nil {
			s.fail(w, err)
			return
		}
		as, err := s.svc.ListAlarms(r.Context(), q)
		if err != nil {
			s.fail(w, err)
			return
		}
		// Written in chunks as it is encoded, so that a client decodes the
		// first alarms while the server encodes the last. X-Total-Count
		// lets a client size its buffers.
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Total-Count", strconv.Itoa(len(as)))
		const chunk = 64 << 10
		b := make([]byte, 0, chunk+4096)
		b = append(b, `{"alarms":[`...)
		for i := range as {
			if i > 0 {
				b = append(b, ',')
			}
			b = wire.AppendAlarm(b, &as[i], form(detail || expand))
			if len(b) >= chunk {
				if _, err := w.Write(b); err != nil {
					return
				}
				b = b[:0]
			}
		}
		b = append(b, ']')
		if q.Limit > 0 && len(as) == q.Limit {
			b = append(b, `,"next":`...)
			b = wire.AppendString(b, as[len(as)-1].UUID)
		}
		b = append(b, "}\n"...)
		_, _ = w.Write(b)
	}
}

func form(expand bool) wire.Form {
	if expand {
		return wire.Full
	}
	return wire.Short
}

func (s *server) summary(w http.ResponseWriter, r *http.Request) {
	inc, err := boolParam(r.URL.Query(), "include_suppress")
	if err != nil {
		s.fail(w, err)
		return
	}
	sum, err := s.svc.Summary(r.Context(), inc)
	if err != nil {
		s.fail(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, sum)
}

func (s *server) getAlarm(w http.ResponseWriter, r *http.Request) {
	a, err := s.svc.GetAlarm(r.Context(), r.PathValue("uuid"))
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(wire.AppendAlarm(nil, &a, wire.Full), '\n'))
}

func (s *server) deleteAlarm(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteAlarm(r.Context(), r.PathValue("uuid")); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) postAlarm(w http.ResponseWriter, r *http.Request) {
	data, err := httpx.ReadBody(w, r, s.maxBody)
	if err != nil {
		s.fail(w, err)
		return
	}
	body, err := decodeAlarmRequest(data)
	if err != nil {
		s.fail(w, err)
		return
	}
	a, err := body.Alarm()
	if err != nil {
		s.fail(w, err)
		return
	}
	var id string
	switch a.State {
	case fault.StateSet:
		id, err = s.svc.SetAlarm(r.Context(), a)
	case fault.StateLog, fault.StateMsg:
		id, err = s.svc.Log(r.Context(), a)
	case fault.StateClear:
		if a.UUID != "" && a.AlarmID == "" {
			err = s.svc.DeleteAlarm(r.Context(), a.UUID)
			id = a.UUID
		} else {
			err = s.svc.ClearAlarm(r.Context(), a.AlarmID, a.EntityInstanceID)
		}
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	status := http.StatusCreated
	if a.State == fault.StateClear {
		status = http.StatusOK
	}
	out := append(wire.AppendString(append(make([]byte, 0, 64), `{"uuid":`...), id), "}\n"...)
	// The shared header value saves the hot path two allocations;
	// net/http adds the Content-Length of a body this small itself.
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// jsonContentType is the Content-Type header value of JSON answers; net/http
// only reads it.
var jsonContentType = []string{"application/json"}

// ackRequest is the body of POST /v1/alarms/{uuid}/ack.
type ackRequest struct {
	By string `json:"by"`
}

func (s *server) ack(w http.ResponseWriter, r *http.Request) {
	var body ackRequest
	if err := errTable.DecodeJSON(w, r, s.maxBody, &body); err != nil {
		s.fail(w, err)
		return
	}
	a, err := s.svc.AckAlarm(r.Context(), r.PathValue("uuid"), body.By)
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(wire.AppendAlarm(nil, &a, wire.Full), '\n'))
}

// clearAllRequest is the body of POST /v1/alarms/clear_all.
type clearAllRequest struct {
	EntityInstanceID string `json:"entity_instance_id"`
}

func (s *server) clearAll(w http.ResponseWriter, r *http.Request) {
	var body clearAllRequest
	if err := errTable.DecodeJSON(w, r, s.maxBody, &body); err != nil {
		s.fail(w, err)
		return
	}
	n, err := s.svc.ClearAll(r.Context(), body.EntityInstanceID)
	if err != nil {
		s.fail(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]int{"cleared": n})
}

var eventFilters = map[string]bool{"event_log_id": true, "entity_type_id": true, "entity_instance_id": true,
	"severity": true, "start": true, "end": true}

func eventQuery(v url.Values) (fault.EventQuery, error) {
	var q fault.EventQuery
	f, err := queryFilters(v, eventFilters)
	if err != nil {
		return q, err
	}
	q.EventLogID, q.EntityTypeID, q.EntityPrefix = f["event_log_id"], f["entity_type_id"], f["entity_instance_id"]
	if s := f["severity"]; s != "" {
		if q.Severity, err = fault.ParseSeverity(s); err != nil {
			return q, bad("severity", "unknown severity %q", s)
		}
	}
	for name, dst := range map[string]*time.Time{"start": &q.Start, "end": &q.End} {
		if s := f[name]; s != "" {
			if *dst, err = time.Parse(time.RFC3339Nano, s); err != nil {
				return q, bad(name, "%q is not an RFC 3339 time", s)
			}
		}
	}
	for name, dst := range map[string]*bool{"alarms": &q.AlarmsOnly, "logs": &q.LogsOnly, "include_suppress": &q.IncludeSuppressed} {
		if *dst, err = boolParam(v, name); err != nil {
			return q, err
		}
	}
	q.Marker = v.Get("marker")
	q.Limit, err = intParam(v, "limit")
	return q, err
}

func (s *server) listEvents(w http.ResponseWriter, r *http.Request) {
	q, err := eventQuery(r.URL.Query())
	if err != nil {
		s.fail(w, err)
		return
	}
	es, err := s.svc.ListEvents(r.Context(), q)
	if err != nil {
		s.fail(w, err)
		return
	}
	resp := EventList{Events: es}
	if resp.Events == nil {
		resp.Events = []fault.Event{}
	}
	if q.Limit > 0 && len(es) == q.Limit {
		resp.Next = es[len(es)-1].UUID
	}
	httpx.WriteJSON(w, http.StatusOK, resp)
}

func (s *server) getEvent(w http.ResponseWriter, r *http.Request) {
	e, err := s.svc.GetEvent(r.Context(), r.PathValue("uuid"))
	if err != nil {
		s.fail(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, e)
}

func (s *server) listSuppressions(w http.ResponseWriter, r *http.Request) {
	sps, err := s.svc.ListSuppressions(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, SuppressionList{Suppressions: sps})
}

// PatchOp is one operation of a JSON patch body.
type PatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value string `json:"value"`
}

// ParsePatch checks a suppression JSON patch body and returns the status it
// sets: exactly one replace of /suppression_status.
func ParsePatch(data []byte) (fault.SuppressionStatus, error) {
	var ops []PatchOp
	if err := errTable.Unmarshal(data, &ops); err != nil {
		return "", err
	}
	if len(ops) != 1 {
		return "", bad("body", "want exactly one patch operation, got %d", len(ops))
	}
	op := ops[0]
	if op.Op != "replace" {
		return "", bad("op", "only replace is supported, not %q", op.Op)
	}
	if op.Path != "/suppression_status" {
		return "", bad("path", "only /suppression_status can be patched, not %q", op.Path)
	}
	st := fault.SuppressionStatus(op.Value)
	if !st.Valid() {
		return "", bad("value", "must be suppressed or unsuppressed, not %q", op.Value)
	}
	return st, nil
}

func (s *server) patchSuppression(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	if err := errTable.DecodeJSON(w, r, s.maxBody, &raw); err != nil {
		s.fail(w, err)
		return
	}
	st, err := ParsePatch(raw)
	if err != nil {
		s.fail(w, err)
		return
	}
	sp, err := s.svc.SetSuppression(r.Context(), r.PathValue("id"), st)
	if err != nil {
		s.fail(w, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, sp)
}

// EventList is the body of GET /v1/event_log.
type EventList struct {
	Events []fault.Event `json:"event_log"`
	Next   string        `json:"next,omitempty"`
}

// SuppressionList is the body of GET /v1/event_suppression.
type SuppressionList struct {
	Suppressions []fault.Suppression `json:"event_suppression"`
}

// AlarmList is the body of GET /v1/alarms.
type AlarmList struct {
	Alarms []fault.Alarm `json:"alarms"`
	Next   string        `json:"next,omitempty"`
}

// Bool accepts JSON true/false and StarlingX's "True"/"False" strings.
type Bool bool

// UnmarshalJSON implements json.Unmarshaler.
func (b *Bool) UnmarshalJSON(data []byte) error {
	switch strings.ToLower(strings.Trim(string(data), `"`)) {
	case "true":
		*b = true
	case "false", "null":
		*b = false
	default:
		return fmt.Errorf("not a boolean: %s", data)
	}
	return nil
}

// AlarmRequest is the body of POST /v1/alarms. Enum fields are names
// ("critical", "operational-violation"). The read-only fields of an alarm
// (timestamp, masked, mgmt_affecting, degrade_affecting,
// suppression_status, ack) are accepted and ignored, so a GET result can
// be posted back; any other field is refused.
type AlarmRequest struct {
	UUID                 string `json:"uuid,omitempty"`
	AlarmID              string `json:"alarm_id"`
	AlarmState           string `json:"alarm_state"`
	EntityTypeID         string `json:"entity_type_id"`
	EntityInstanceID     string `json:"entity_instance_id"`
	Severity             string `json:"severity"`
	ReasonText           string `json:"reason_text"`
	AlarmType            string `json:"alarm_type"`
	ProbableCause        string `json:"probable_cause"`
	ProposedRepairAction string `json:"proposed_repair_action"`
	ServiceAffecting     Bool   `json:"service_affecting"`
	Suppression          Bool   `json:"suppression"`
	InhibitAlarms        Bool   `json:"inhibit_alarms"`
	KeepExisting         Bool   `json:"keep_existing"`
}

// Alarm converts the request, naming the first invalid field. A clear
// needs the uuid, or alarm_id and entity_instance_id; set, log and msg
// need every field the service checks.
func (r *AlarmRequest) Alarm() (fault.Alarm, error) {
	a := fault.Alarm{UUID: r.UUID, AlarmID: r.AlarmID, EntityTypeID: r.EntityTypeID, EntityInstanceID: r.EntityInstanceID,
		ReasonText: r.ReasonText, ProposedRepairAction: r.ProposedRepairAction, ServiceAffecting: bool(r.ServiceAffecting),
		Suppression: bool(r.Suppression), InhibitAlarms: bool(r.InhibitAlarms), KeepExisting: bool(r.KeepExisting)}
	var err error
	if r.AlarmState == "" {
		return a, bad("alarm_state", "is required (set, clear, log or msg)")
	}
	if a.State, err = fault.ParseState(r.AlarmState); err != nil {
		return a, bad("alarm_state", "unknown state %q", r.AlarmState)
	}
	if a.State == fault.StateClear {
		if r.UUID == "" && (r.AlarmID == "" || r.EntityInstanceID == "") {
			return a, bad("uuid", "a clear needs uuid, or alarm_id and entity_instance_id")
		}
		return a, nil
	}
	for _, req := range []struct{ name, v string }{{"alarm_id", r.AlarmID}, {"entity_type_id", r.EntityTypeID},
		{"entity_instance_id", r.EntityInstanceID}, {"severity", r.Severity}, {"alarm_type", r.AlarmType},
		{"probable_cause", r.ProbableCause}} {
		if req.v == "" {
			return a, bad(req.name, "is required")
		}
	}
	if a.Severity, err = fault.ParseSeverity(r.Severity); err != nil {
		return a, bad("severity", "unknown severity %q", r.Severity)
	}
	if a.AlarmType, err = fault.ParseAlarmType(r.AlarmType); err != nil {
		return a, bad("alarm_type", "unknown alarm type %q", r.AlarmType)
	}
	if a.ProbableCause, err = fault.ParseProbableCause(r.ProbableCause); err != nil {
		return a, bad("probable_cause", "unknown probable cause %q", r.ProbableCause)
	}
	return a, nil
}

// RequestOf returns the POST body that raises (or logs) a.
func RequestOf(a fault.Alarm) AlarmRequest {
	return AlarmRequest{UUID: a.UUID, AlarmID: a.AlarmID, AlarmState: a.State.String(), EntityTypeID: a.EntityTypeID,
		EntityInstanceID: a.EntityInstanceID, Severity: a.Severity.String(), ReasonText: a.ReasonText,
		AlarmType: a.AlarmType.String(), ProbableCause: a.ProbableCause.String(),
		ProposedRepairAction: a.ProposedRepairAction, ServiceAffecting: Bool(a.ServiceAffecting),
		Suppression: Bool(a.Suppression), InhibitAlarms: Bool(a.InhibitAlarms), KeepExisting: Bool(a.KeepExisting)}
}
