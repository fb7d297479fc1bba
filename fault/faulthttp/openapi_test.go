package faulthttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/fault/faulttest"
)

func loadSpec(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(faulthttp.OpenAPI())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(t.Context()), "the document itself is valid OpenAPI 3")
	doc.Servers = openapi3.Servers{{URL: "/"}}
	r, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return doc, r
}

// validate checks one real exchange against the document.
func validate(t *testing.T, r routers.Router, req *http.Request, reqBody []byte, status int, hdr http.Header, body []byte) error {
	t.Helper()
	check := req.Clone(context.Background())
	check.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := r.FindRoute(check)
	if err != nil {
		return err
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route, Options: opts}
	if status < 400 { // refused requests are refused for breaking the document
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			return err
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: hdr,
		Body: io.NopCloser(bytes.NewReader(body)), Options: opts}
	return openapi3filter.ValidateResponse(context.Background(), out)
}

// TestResponsesMatchOpenAPI drives every path of the real handler and
// checks each request and answer against the served OpenAPI document.
func TestResponsesMatchOpenAPI(t *testing.T) {
	_, router := loadSpec(t)
	m, err := fault.Open(t.Context(), faultstore.NewMemoryStore(), nil)
	require.NoError(t, err)
	defer m.Close(t.Context())
	h := faulthttp.NewHandler(m, nil)
	call := func(method, path string, body any) (int, []byte) {
		t.Helper()
		var data []byte
		if body != nil {
			data, _ = json.Marshal(body)
		}
		req := httptest.NewRequest(method, path, bytes.NewReader(data))
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.NoError(t, validate(t, router, req, data, rec.Code, rec.Header(), rec.Body.Bytes()),
			"%s %s -> %d %s", method, path, rec.Code, rec.Body)
		return rec.Code, rec.Body.Bytes()
	}
	code, body := call("POST", "/v1/alarms", faulthttp.RequestOf(faulttest.CPUAlarm("controller-0", fault.SeverityMajor)))
	require.Equal(t, http.StatusCreated, code)
	var ans struct{ UUID string }
	require.NoError(t, json.Unmarshal(body, &ans))
	call("POST", "/v1/alarms", faulthttp.RequestOf(faulttest.LockedAlarm("compute-1")))
	call("POST", "/v1/alarms/"+ans.UUID+"/ack", map[string]string{"by": "alice"})
	call("GET", "/v1/alarms", nil)
	call("GET", "/v1/alarms?expand=true&limit=1&sort_key=severity&sort_dir=desc", nil)
	call("GET", "/v1/alarms/detail?q.field=alarm_id&q.op=eq&q.value=100.101&include_suppress=true", nil)
	call("GET", "/v1/alarms/"+ans.UUID, nil)
	call("GET", "/v1/alarms/summary", nil)
	call("GET", "/v1/event_log?limit=2", nil)
	call("GET", "/v1/event_suppression", nil)
	call("GET", "/v1/event_suppression?q.field=suppression_status&q.op=eq&q.type=string&q.value=unsuppressed", nil)
	call("GET", "/v1/event_suppression/100.101", nil)
	call("GET", "/v1/event_log?q.field=start&q.value=20160131%2010:23:45&end=2999-01-01T00:00:00Z", nil)
	call("PATCH", "/v1/event_suppression/100.101", []map[string]string{{"op": "replace", "path": "/suppression_status", "value": "unsuppressed"},
		{"op": "replace", "path": "/suppression_status", "value": "unsuppressed"}})
	call("PATCH", "/v1/event_suppression/100.101", []map[string]string{{"op": "replace", "path": "/suppression_status", "value": "suppressed"}})
	code, body = call("GET", "/v1/event_log?alarms=true&include_suppress=true", nil)
	require.Equal(t, http.StatusOK, code)
	var el struct {
		Events []struct{ UUID string } `json:"event_log"`
	}
	require.NoError(t, json.Unmarshal(body, &el))
	call("GET", "/v1/event_log/"+el.Events[0].UUID, nil)
	call("POST", "/v1/alarms", map[string]string{"alarm_state": "clear", "alarm_id": "100.101", "entity_instance_id": "host=controller-0"})
	call("POST", "/v1/alarms/clear_all", map[string]string{"entity_instance_id": "host=compute-1"})
	// Error answers follow the document too.
	call("GET", "/v1/alarms/00000000-0000-4000-8000-000000000000", nil)
	call("DELETE", "/v1/alarms/00000000-0000-4000-8000-000000000000", nil)
	call("POST", "/v1/alarms", map[string]string{"alarm_state": "set", "alarm_id": "1"})
	call("GET", "/v1/alarms?limit=many", nil)
	call("GET", "/v1/event_suppression/999.999", nil)
	call("PATCH", "/v1/event_suppression/100.101", []map[string]string{})
}

// TestInternalErrorMatchesOpenAPI: a 500 follows the document too.
func TestInternalErrorMatchesOpenAPI(t *testing.T) {
	_, router := loadSpec(t)
	h := faulthttp.NewHandler(brokenService{err: errors.New("boom")}, nil)
	req := httptest.NewRequest("GET", "/v1/alarms", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.NoError(t, validate(t, router, req, nil, rec.Code, rec.Header(), rec.Body.Bytes()))
}

// TestOpenAPICheckCanFail: an answer that breaks the document is caught.
func TestOpenAPICheckCanFail(t *testing.T) {
	_, router := loadSpec(t)
	req := httptest.NewRequest("GET", "/v1/alarms/summary", nil)
	hdr := http.Header{"Content-Type": []string{"application/json"}}
	assert.NoError(t, validate(t, router, req, nil, 200, hdr, []byte(`{"critical":0,"major":0,"minor":0,"warnings":0,"status":"OK"}`)))
	assert.Error(t, validate(t, router, req, nil, 200, hdr, []byte(`{"critical":"none","major":0,"minor":0,"warnings":0,"status":"OK"}`)))
	assert.Error(t, validate(t, router, req, nil, 200, hdr, []byte(`{"critical":0,"major":0,"minor":0,"warnings":0,"status":"fine"}`)))
	ev := httptest.NewRequest("GET", "/v1/event_suppression", nil)
	assert.Error(t, validate(t, router, ev, nil, 200, hdr, []byte(strings.Replace(
		`{"event_suppression":[{"uuid":"x","alarm_id":"100.101","description":"d","suppression_status":"maybe","mgmt_affecting":"major","degrade_affecting":"none"}]}`,
		"x", "0b0f6c1e-8f0a-4d7e-9d7a-2f5a3c9e1b11", 1))))
}
