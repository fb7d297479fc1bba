package faulthttp

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/internal/httpx"
)

// ClientOptions configure NewClient.
type ClientOptions struct {
	// Token is sent as "Authorization: Bearer <token>".
	Token string
	// HTTPClient, if set, is used instead of a client tuned for many
	// concurrent requests to one server.
	HTTPClient *http.Client
	// Timeout bounds each request when the context has no deadline
	// (default 30 s).
	Timeout time.Duration
}

// Client is a fault.Service over the REST API. Its errors wrap fault's
// sentinels, so errors.Is(err, fault.ErrNotFound) holds as in-process.
type Client struct {
	api *httpx.Caller
}

var _ fault.Service = (*Client)(nil)

// NewClient returns a client of the API at baseURL ("http://127.0.0.1:6385").
func NewClient(baseURL string, opts *ClientOptions) *Client {
	if opts == nil {
		opts = &ClientOptions{}
	}
	return &Client{api: httpx.NewCaller("faulthttp", baseURL, opts.Token, opts.HTTPClient, opts.Timeout, errTable, fault.ErrUnavailable)}
}

// do sends a request and decodes a JSON answer into out (unless nil).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	return c.api.Do(ctx, method, path, query, in, out)
}

// SetAlarm raises or updates an alarm (POST /v1/alarms, state set).
func (c *Client) SetAlarm(ctx context.Context, a fault.Alarm) (string, error) {
	if a.State != fault.StateSet {
		return "", &fault.FieldError{Field: "alarm_state", Reason: "SetAlarm needs state set, not " + a.State.String()}
	}
	var out uuidAnswer
	err := c.do(ctx, http.MethodPost, "/v1/alarms", nil, RequestOf(a), &out)
	return out.UUID, err
}

// ClearAlarm clears by alarm id and entity prefix (POST /v1/alarms, state clear).
func (c *Client) ClearAlarm(ctx context.Context, alarmID, eidPrefix string) error {
	return c.do(ctx, http.MethodPost, "/v1/alarms", nil,
		map[string]string{"alarm_state": "clear", "alarm_id": alarmID, "entity_instance_id": eidPrefix}, nil)
}

// ClearAll clears everything at or below eidPrefix (POST /v1/alarms/clear_all).
func (c *Client) ClearAll(ctx context.Context, eidPrefix string) (int, error) {
	var out clearAllAnswer
	err := c.do(ctx, http.MethodPost, "/v1/alarms/clear_all", nil, clearAllRequest{EntityInstanceID: eidPrefix}, &out)
	return out.Cleared, err
}

// Log records a log or message (POST /v1/alarms, state log or msg).
func (c *Client) Log(ctx context.Context, a fault.Alarm) (string, error) {
	if a.State != fault.StateLog && a.State != fault.StateMsg {
		return "", &fault.FieldError{Field: "alarm_state", Reason: "Log needs state log or msg, not " + a.State.String()}
	}
	var out uuidAnswer
	err := c.do(ctx, http.MethodPost, "/v1/alarms", nil, RequestOf(a), &out)
	return out.UUID, err
}

// GetAlarm returns one alarm (GET /v1/alarms/{uuid}).
func (c *Client) GetAlarm(ctx context.Context, uuid string) (fault.Alarm, error) {
	var a alarmFull
	if err := c.do(ctx, http.MethodGet, "/v1/alarms/"+url.PathEscape(uuid), nil, nil, &a); err != nil {
		return fault.Alarm{}, err
	}
	return a.alarm(), nil
}

// ListAlarms lists alarms (GET /v1/alarms/detail).
func (c *Client) ListAlarms(ctx context.Context, q fault.AlarmQuery) ([]fault.Alarm, error) {
	v := url.Values{}
	addFilter(v, "alarm_id", q.AlarmID)
	addFilter(v, "entity_instance_id", q.EntityPrefix)
	addFilter(v, "entity_type_id", q.EntityTypeID)
	if q.Severity != fault.SeverityClear {
		addFilter(v, "severity", q.Severity.String())
	}
	setBool(v, "include_suppress", q.IncludeSuppressed)
	setBool(v, "include_masked", q.IncludeMasked)
	setBool(v, "mgmt_affecting", q.MgmtAffecting)
	setBool(v, "degrade_affecting", q.DegradeAffecting)
	if q.SortKey != "" {
		v.Set("sort_key", q.SortKey)
	}
	if q.SortDesc {
		v.Set("sort_dir", "desc")
	}
	if q.Marker != "" {
		v.Set("marker", q.Marker)
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	var out alarmList
	if err := c.do(ctx, http.MethodGet, "/v1/alarms/detail", v, nil, &out); err != nil {
		return nil, err
	}
	as := make([]fault.Alarm, len(out.Alarms))
	for i := range out.Alarms {
		as[i] = out.Alarms[i].alarm()
	}
	return as, nil
}

func addFilter(v url.Values, field, value string) {
	if value != "" {
		v.Add("q.field", field)
		v.Add("q.op", "eq")
		v.Add("q.value", value)
	}
}

func setBool(v url.Values, name string, b bool) {
	if b {
		v.Set(name, "true")
	}
}

// DeleteAlarm clears one alarm (DELETE /v1/alarms/{uuid}).
func (c *Client) DeleteAlarm(ctx context.Context, uuid string) error {
	return c.do(ctx, http.MethodDelete, "/v1/alarms/"+url.PathEscape(uuid), nil, nil, nil)
}

// AckAlarm acknowledges an alarm (POST /v1/alarms/{uuid}/ack).
func (c *Client) AckAlarm(ctx context.Context, uuid, by string) (fault.Alarm, error) {
	var a alarmFull
	if err := c.do(ctx, http.MethodPost, "/v1/alarms/"+url.PathEscape(uuid)+"/ack", nil, ackRequest{By: by}, &a); err != nil {
		return fault.Alarm{}, err
	}
	return a.alarm(), nil
}

// Summary returns the alarm summary (GET /v1/alarms/summary).
func (c *Client) Summary(ctx context.Context, includeSuppressed bool) (fault.Summary, error) {
	v := url.Values{}
	setBool(v, "include_suppress", includeSuppressed)
	var s fault.Summary
	err := c.do(ctx, http.MethodGet, "/v1/alarms/summary", v, nil, &s)
	return s, err
}

// ListEvents lists the event log (GET /v1/event_log).
func (c *Client) ListEvents(ctx context.Context, q fault.EventQuery) ([]fault.Event, error) {
	v := url.Values{}
	addFilter(v, "event_log_id", q.EventLogID)
	addFilter(v, "entity_type_id", q.EntityTypeID)
	addFilter(v, "entity_instance_id", q.EntityPrefix)
	if q.Severity != fault.SeverityClear {
		addFilter(v, "severity", q.Severity.String())
	}
	if !q.Start.IsZero() {
		addFilter(v, "start", q.Start.UTC().Format(time.RFC3339Nano))
	}
	if !q.End.IsZero() {
		addFilter(v, "end", q.End.UTC().Format(time.RFC3339Nano))
	}
	setBool(v, "alarms", q.AlarmsOnly)
	setBool(v, "logs", q.LogsOnly)
	setBool(v, "include_suppress", q.IncludeSuppressed)
	if q.Marker != "" {
		v.Set("marker", q.Marker)
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	var out eventList
	if err := c.do(ctx, http.MethodGet, "/v1/event_log", v, nil, &out); err != nil {
		return nil, err
	}
	es := make([]fault.Event, len(out.Events))
	for i := range out.Events {
		es[i] = out.Events[i].event()
	}
	return es, nil
}

// GetEvent returns one event record (GET /v1/event_log/{uuid}).
func (c *Client) GetEvent(ctx context.Context, uuid string) (fault.Event, error) {
	var e eventJSON
	if err := c.do(ctx, http.MethodGet, "/v1/event_log/"+url.PathEscape(uuid), nil, nil, &e); err != nil {
		return fault.Event{}, err
	}
	return e.event(), nil
}

// ListSuppressions lists the suppression table (GET /v1/event_suppression).
func (c *Client) ListSuppressions(ctx context.Context) ([]fault.Suppression, error) {
	var out suppressionList
	if err := c.do(ctx, http.MethodGet, "/v1/event_suppression", nil, nil, &out); err != nil {
		return nil, err
	}
	sps := make([]fault.Suppression, len(out.Suppressions))
	for i := range out.Suppressions {
		sps[i] = out.Suppressions[i].suppression()
	}
	return sps, nil
}

// SetSuppression patches one entry (PATCH /v1/event_suppression/{id}).
func (c *Client) SetSuppression(ctx context.Context, id string, status fault.SuppressionStatus) (fault.Suppression, error) {
	var s suppressionJSON
	if err := c.do(ctx, http.MethodPatch, "/v1/event_suppression/"+url.PathEscape(id), nil,
		[]patchOp{{Op: "replace", Path: "/suppression_status", Value: string(status)}}, &s); err != nil {
		return fault.Suppression{}, err
	}
	return s.suppression(), nil
}
