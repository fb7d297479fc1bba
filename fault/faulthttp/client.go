package faulthttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/edgeflock/flock/fault"
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
	base    string
	token   string
	hc      *http.Client
	timeout time.Duration
}

var _ fault.Service = (*Client)(nil)

// NewClient returns a client of the API at baseURL ("http://127.0.0.1:6385").
func NewClient(baseURL string, opts *ClientOptions) *Client {
	c := &Client{base: strings.TrimRight(baseURL, "/"), timeout: 30 * time.Second}
	if opts != nil {
		c.token = opts.Token
		c.hc = opts.HTTPClient
		if opts.Timeout > 0 {
			c.timeout = opts.Timeout
		}
	}
	if c.hc == nil {
		tr := &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     90 * time.Second,
		}
		c.hc = &http.Client{Transport: tr}
	}
	return c
}

// do sends a request and decodes a JSON answer into out (unless nil).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("faulthttp: encode: %w", err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("faulthttp: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("faulthttp: %s %s: %w", method, path, ctx.Err())
		}
		return fmt.Errorf("faulthttp: %s %s: %w: %v", method, path, fault.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("faulthttp: %s %s: %w", method, path, errTable.Decode(resp))
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	// Decoded as it arrives: the answer's size is what was sent, never
	// what a header announced.
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("faulthttp: %s %s: decode answer: %w: %s", method, path, fault.ErrUnavailable, answerError(err))
	}
	return nil
}

// answerError words a decoding error in the answer's terms, without the
// Go types that encoding/json names.
func answerError(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := te.Field[strings.LastIndexByte(te.Field, '.')+1:]
		if field == "" {
			return "the answer is a JSON " + te.Value + " where an object was expected"
		}
		return "member " + field + " has an unexpected " + te.Value + " value"
	}
	return err.Error()
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
