package faulthttp

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/internal/httpx"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3 document of the REST API.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

// errTable maps fault's sentinels to HTTP. The messages are what clients
// are told of a 5xx; the error itself goes to the handler's log.
var errTable = &httpx.Errors{
	Mappings: []httpx.Mapping{
		{Err: fault.ErrNotFound, Code: "not_found", Status: http.StatusNotFound},
		{Err: fault.ErrInvalid, Code: "invalid", Status: http.StatusBadRequest},
		{Err: fault.ErrConflict, Code: "conflict", Status: http.StatusConflict},
		{Err: fault.ErrUnavailable, Code: "unavailable", Status: http.StatusServiceUnavailable,
			Message: "fault management is unavailable for now (its store cannot take the request); retry later"},
		{Err: fault.ErrUnimplemented, Code: "unimplemented", Status: http.StatusNotImplemented,
			Message: "not implemented by this fault management service"},
		{Err: fault.ErrClosed, Code: "closed", Status: http.StatusServiceUnavailable,
			Message: "fault management is shutting down"},
		{Err: context.DeadlineExceeded, Code: "timeout", Status: http.StatusGatewayTimeout,
			Message: "the request took too long"},
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
	// Logger receives the detail of every request answered with a 5xx,
	// under the request id the answer carries. nil discards.
	Logger *slog.Logger
}

type server struct {
	svc     fault.Service
	maxBody int64
	log     *slog.Logger
}

// NewHandler returns the REST API of svc under /v1 (StarlingX's fm-api
// paths and bodies). It does no authentication: wrap it (the stx package
// does). Every answer carries a request id (X-Request-Id and
// X-Openstack-Request-Id).
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
//	GET    /v1/event_suppression[?q.field=suppression_status&q.value=suppressed]
//	GET    /v1/event_suppression/{uuid or alarm id}
//	PATCH  /v1/event_suppression/{uuid or alarm id}   JSON patch
//	GET    /v1/openapi.json
func NewHandler(svc fault.Service, opts *HandlerOptions) http.Handler {
	s := &server{svc: svc, maxBody: 64 << 10, log: slog.New(slog.DiscardHandler)}
	if opts != nil {
		if opts.MaxBody > 0 {
			s.maxBody = opts.MaxBody
		}
		if opts.Logger != nil {
			s.log = opts.Logger
		}
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
	mux.HandleFunc("GET /v1/event_suppression/{id}", s.getSuppression)
	mux.HandleFunc("PATCH /v1/event_suppression/{id}", s.patchSuppression)
	mux.HandleFunc("GET /v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
	return httpx.WithRequestID(mux)
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	errTable.Write(w, r, s.log, err)
}

func bad(field, format string, args ...any) error {
	return &fault.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// query returns r's query parameters, refusing any that is not valid
// UTF-8 (url.ParseQuery keeps the bytes as they are).
func query(r *http.Request) (url.Values, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, bad("query", "%v", err)
	}
	for k, vals := range v {
		if k == "" || !utf8.ValidString(k) {
			k = "query"
		}
		for _, val := range vals {
			if !utf8.ValidString(val) {
				return nil, bad(k, "is not valid UTF-8 text")
			}
		}
	}
	return v, nil
}

// queryFilters collects StarlingX's q.field / q.op / q.value triples (only
// op "eq" exists; q.type, which fm sends, is ignored) and plain
// field=value parameters.
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
	for _, p := range []struct {
		name string
		dst  *bool
	}{{"include_suppress", &q.IncludeSuppressed}, {"include_masked", &q.IncludeMasked},
		{"mgmt_affecting", &q.MgmtAffecting}, {"degrade_affecting", &q.DegradeAffecting}} {
		if *p.dst, err = boolParam(v, p.name); err != nil {
			return q, false, err
		}
	}
	expand, err := boolParam(v, "expand")
	return q, expand, err
}

// hostURL is the scheme and host the client called, for the links of an
// answer (StarlingX's host_url).
func hostURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// nextURL is the link to the page after a full one, as StarlingX writes
// it: the same path and parameters with limit and the marker last.
func nextURL(r *http.Request, v url.Values, limit, n int, marker string) string {
	if limit <= 0 || n < limit {
		return ""
	}
	rest := url.Values{}
	for k, vals := range v {
		if k != "limit" && k != "marker" {
			rest[k] = vals
		}
	}
	args := rest.Encode()
	if args != "" {
		args += "&"
	}
	return hostURL(r) + r.URL.Path + "?" + args + "limit=" + strconv.Itoa(limit) + "&marker=" + url.QueryEscape(marker)
}

// writeList writes {"<key>":[items...],"next":...} item by item through
// encoding/json, so that a list of 100,000 alarms is never one buffer.
func writeList(w http.ResponseWriter, key string, n int, item func(i int) any, next string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Total-Count", strconv.Itoa(n))
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	_, _ = bw.WriteString(`{"` + key + `":[`)
	for i := range n {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		if err := enc.Encode(item(i)); err != nil {
			return // the client went away; nothing can be said to it now
		}
	}
	_, _ = bw.WriteString("]")
	if next != "" {
		_, _ = bw.WriteString(`,"next":`)
		_ = enc.Encode(next)
	}
	_, _ = bw.WriteString("}\n")
	_ = bw.Flush()
}

func (s *server) listAlarms(detail bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := query(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		q, expand, err := alarmQuery(v)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		as, err := s.svc.ListAlarms(r.Context(), q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		next := ""
		if len(as) > 0 {
			next = nextURL(r, v, q.Limit, len(as), as[len(as)-1].UUID)
		}
		item := func(i int) any { s := shortOf(&as[i]); return &s }
		if detail || expand {
			item = func(i int) any { f := fullOf(&as[i]); return &f }
		}
		writeList(w, "alarms", len(as), item, next)
	}
}

func (s *server) summary(w http.ResponseWriter, r *http.Request) {
	v, err := query(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	inc, err := boolParam(v, "include_suppress")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sum, err := s.svc.Summary(r.Context(), inc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, sum)
}

func (s *server) getAlarm(w http.ResponseWriter, r *http.Request) {
	a, err := s.svc.GetAlarm(r.Context(), r.PathValue("uuid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, fullOf(&a))
}

func (s *server) deleteAlarm(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteAlarm(r.Context(), r.PathValue("uuid")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// postBody is the body of POST /v1/alarms as the server reads it: an
// AlarmRequest, plus the read-only fields of an alarm, accepted and
// ignored so that a GET result can be posted back.
type postBody struct {
	AlarmRequest
	Timestamp         json.RawMessage `json:"timestamp,omitempty"`
	Masked            json.RawMessage `json:"masked,omitempty"`
	MgmtAffecting     json.RawMessage `json:"mgmt_affecting,omitempty"`
	DegradeAffecting  json.RawMessage `json:"degrade_affecting,omitempty"`
	SuppressionStatus json.RawMessage `json:"suppression_status,omitempty"`
	Ack               json.RawMessage `json:"ack,omitempty"`
}

// decodeAlarmRequest reads a POST /v1/alarms body strictly: one JSON
// object, known members only, valid UTF-8 text.
func decodeAlarmRequest(data []byte) (AlarmRequest, error) {
	var body postBody
	if err := errTable.Unmarshal(data, &body); err != nil {
		return AlarmRequest{}, err
	}
	return body.AlarmRequest, nil
}

func (s *server) postAlarm(w http.ResponseWriter, r *http.Request) {
	data, err := httpx.ReadBody(w, r, s.maxBody)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := decodeAlarmRequest(data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := body.Alarm()
	if err != nil {
		s.fail(w, r, err)
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
		s.fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if a.State == fault.StateClear {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, uuidAnswer{UUID: id})
}

func (s *server) ack(w http.ResponseWriter, r *http.Request) {
	var body ackRequest
	if err := errTable.DecodeJSON(w, r, s.maxBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.svc.AckAlarm(r.Context(), r.PathValue("uuid"), body.By)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, fullOf(&a))
}

func (s *server) clearAll(w http.ResponseWriter, r *http.Request) {
	var body clearAllRequest
	if err := errTable.DecodeJSON(w, r, s.maxBody, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := s.svc.ClearAll(r.Context(), body.EntityInstanceID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, clearAllAnswer{Cleared: n})
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
	if s := f["start"]; s != "" {
		if q.Start, err = parseISOTime(s); err != nil {
			return q, bad("start", "%q: %v", s, err)
		}
	}
	if s := f["end"]; s != "" {
		if q.End, err = parseISOTime(s); err != nil {
			return q, bad("end", "%q: %v", s, err)
		}
	}
	for _, p := range []struct {
		name string
		dst  *bool
	}{{"alarms", &q.AlarmsOnly}, {"logs", &q.LogsOnly}, {"include_suppress", &q.IncludeSuppressed}} {
		if *p.dst, err = boolParam(v, p.name); err != nil {
			return q, err
		}
	}
	q.Marker = v.Get("marker")
	q.Limit, err = intParam(v, "limit")
	return q, err
}

func (s *server) listEvents(w http.ResponseWriter, r *http.Request) {
	v, err := query(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q, err := eventQuery(v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	es, err := s.svc.ListEvents(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := ""
	if len(es) > 0 {
		next = nextURL(r, v, q.Limit, len(es), es[len(es)-1].UUID)
	}
	writeList(w, "event_log", len(es), func(i int) any { e := eventOf(&es[i]); return &e }, next)
}

func (s *server) getEvent(w http.ResponseWriter, r *http.Request) {
	e, err := s.svc.GetEvent(r.Context(), r.PathValue("uuid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, eventOf(&e))
}

var suppressionFilters = map[string]bool{"suppression_status": true, "alarm_id": true, "uuid": true}

func (s *server) listSuppressions(w http.ResponseWriter, r *http.Request) {
	v, err := query(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := queryFilters(v, suppressionFilters)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if st := f["suppression_status"]; st != "" && !fault.SuppressionStatus(st).Valid() {
		s.fail(w, r, bad("suppression_status", "must be suppressed or unsuppressed, not %q", st))
		return
	}
	sps, err := s.svc.ListSuppressions(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	keep := sps[:0:0]
	for _, sp := range sps {
		if st := f["suppression_status"]; st != "" && string(sp.SuppressionStatus) != st ||
			f["alarm_id"] != "" && sp.AlarmID != f["alarm_id"] || f["uuid"] != "" && sp.UUID != f["uuid"] {
			continue
		}
		keep = append(keep, sp)
	}
	host := hostURL(r)
	writeList(w, "event_suppression", len(keep), func(i int) any { j := suppressionOf(&keep[i], host); return &j }, "")
}

// findSuppression returns the entry whose uuid or alarm id is id.
func (s *server) findSuppression(ctx context.Context, id string) (fault.Suppression, error) {
	sps, err := s.svc.ListSuppressions(ctx)
	if err != nil {
		return fault.Suppression{}, err
	}
	for _, sp := range sps {
		if sp.UUID == id || sp.AlarmID == id {
			return sp, nil
		}
	}
	return fault.Suppression{}, fmt.Errorf("suppression entry %q: %w", id, fault.ErrNotFound)
}

func (s *server) getSuppression(w http.ResponseWriter, r *http.Request) {
	sp, err := s.findSuppression(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, suppressionOf(&sp, hostURL(r)))
}

// parsePatch reads a suppression JSON patch body and returns the status
// it sets. Operations apply in order (RFC 6902), so several on
// /suppression_status collapse into the last one, as in StarlingX: fm's
// event-suppress sends the same operation once per alarm id it has
// handled so far. "add" of a member that exists is a replace.
func parsePatch(data []byte) (fault.SuppressionStatus, error) {
	var ops []patchOp
	if err := errTable.Unmarshal(data, &ops); err != nil {
		return "", err
	}
	if len(ops) == 0 {
		return "", bad("body", "want at least one patch operation")
	}
	var st fault.SuppressionStatus
	for _, op := range ops {
		if op.Op != "replace" && op.Op != "add" {
			return "", bad("op", "only replace is supported, not %q", op.Op)
		}
		if op.Path != "/suppression_status" {
			return "", bad("path", "only /suppression_status can be patched, not %q", op.Path)
		}
		st = fault.SuppressionStatus(op.Value)
		if !st.Valid() {
			return "", bad("value", "must be suppressed or unsuppressed, not %q", op.Value)
		}
	}
	return st, nil
}

func (s *server) patchSuppression(w http.ResponseWriter, r *http.Request) {
	data, err := httpx.ReadBody(w, r, s.maxBody)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := parsePatch(data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sp, err := s.svc.SetSuppression(r.Context(), r.PathValue("id"), st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, suppressionOf(&sp, hostURL(r)))
}

// Bool is a request flag: JSON true/false, or StarlingX's "True"/"False"
// strings in any case; null is false.
type Bool bool

// UnmarshalJSON implements json.Unmarshaler.
func (b *Bool) UnmarshalJSON(data []byte) error {
	switch strings.ToLower(strings.Trim(string(data), `"`)) {
	case "true":
		*b = true
	case "false", "null":
		*b = false
	default:
		return &json.UnmarshalTypeError{Value: "other value", Type: boolType}
	}
	return nil
}

// AlarmRequest is the body of POST /v1/alarms. Enum fields are names
// ("critical", "operational-violation"). The server also accepts, and
// ignores, the read-only fields of an alarm (timestamp, masked,
// mgmt_affecting, degrade_affecting, suppression_status, ack), so a GET
// result can be posted back; any other member is refused.
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
