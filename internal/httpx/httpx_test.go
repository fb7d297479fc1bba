package httpx_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/httpx"
)

var (
	errGone        = errors.New("gone")
	errUnavailable = errors.New("unavailable")
)

var table = &httpx.Errors{Mappings: []httpx.Mapping{{Err: errGone, Code: "gone", Status: http.StatusGone},
	{Err: errUnavailable, Code: "unavailable", Status: http.StatusServiceUnavailable, Message: "unavailable, retry later"}},
	Invalid: errors.New("invalid")}

func roundTrip(t *testing.T, err error) error {
	t.Helper()
	rec := httptest.NewRecorder()
	table.Write(rec, httptest.NewRequest("GET", "/", nil), nil, err)
	return table.Decode(rec.Result())
}

func TestErrorsRoundTrip(t *testing.T) {
	err := roundTrip(t, errGone)
	assert.ErrorIs(t, err, errGone)
	assert.Equal(t, "gone", err.Error(), "the server's message, not doubled")
	assert.ErrorIs(t, roundTrip(t, httpx.ErrForbidden), httpx.ErrForbidden)
	assert.ErrorIs(t, roundTrip(t, errors.New("boom")), httpx.ErrInternal)
	rec := httptest.NewRecorder()
	table.Write(rec, httptest.NewRequest("GET", "/", nil), nil, httpx.ErrUnauthenticated)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.NotEmpty(t, rec.Header().Get("WWW-Authenticate"))
}

func TestUnmarshalNamesFields(t *testing.T) {
	var v struct {
		A int    `json:"a"`
		B string `json:"b"`
	}
	for in, field := range map[string]string{`{"a":"x"}`: "a", `{"c":1}`: "c", `{"":1}`: "body", `[`: "body", `{"a":1} 2`: "body",
		`{"a":1} ]`: "body", `{"A":1}`: "A", "{\"b\":\"\xff\"}": "b", `{"b":"\ud800"}`: "b", `{"b":"\udc00x"}`: "b",
		`{"b":"\ud800\u0041"}`: "b", `{"b\udfff":1}`: "body", "{\"b\xfe\":1}": "body", `[1]`: "body"} {
		err := table.Unmarshal([]byte(in), &v)
		var fe httpx.FieldNamer
		require.ErrorAs(t, err, &fe, in)
		f, _ := fe.InvalidField()
		assert.Equal(t, field, f, in)
		assert.ErrorIs(t, err, table.Invalid)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/", strings.NewReader(`{"b":"`+strings.Repeat("x", 100)+`"}`))
	assert.ErrorIs(t, table.DecodeJSON(rec, req, 50, &v), httpx.ErrTooLarge)
}

func TestAuth(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	h := httpx.NewAuth(map[string]httpx.Role{"adm": httpx.RoleAdmin, "rd": httpx.RoleReader}).Middleware(table, ok)
	for _, tc := range []struct {
		method, token string
		want          int
	}{{"GET", "", 401}, {"GET", "nope", 401}, {"GET", "rd", 204}, {"POST", "rd", 403}, {"DELETE", "rd", 403},
		{"POST", "adm", 204}, {"GET", "adm", 204}} {
		req := httptest.NewRequest(tc.method, "/", nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, tc.want, rec.Code, "%s with %q", tc.method, tc.token)
		// The same token in X-Auth-Token, as fm and system send it.
		req = httptest.NewRequest(tc.method, "/", nil)
		if tc.token != "" {
			req.Header.Set("X-Auth-Token", tc.token)
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, tc.want, rec.Code, "%s with X-Auth-Token %q", tc.method, tc.token)
	}
	// A bad bearer token is not rescued by a good X-Auth-Token.
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer nope")
	req.Header.Set("X-Auth-Token", "adm")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, 401, rec.Code)
	open := &httpx.Auth{Disabled: true}
	rec = httptest.NewRecorder()
	open.Middleware(table, ok).ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	assert.Equal(t, 204, rec.Code)
}

// TestReadBody: a body is read whole within the limit, with or without a
// Content-Length; beyond it, or shorter than it says, it is refused.
func TestReadBody(t *testing.T) {
	body := func(s string, length int64) *http.Request {
		req := httptest.NewRequest("POST", "/", io.NopCloser(strings.NewReader(s)))
		req.ContentLength = length
		return req
	}
	for _, tc := range []struct {
		body   string
		length int64
		want   error
	}{
		{"hello", 5, nil},
		{"hello", -1, nil},
		{strings.Repeat("x", 51), 51, httpx.ErrTooLarge},
		{strings.Repeat("x", 51), -1, httpx.ErrTooLarge},
		{"short", 10, httpx.ErrBadRequest},
	} {
		data, err := httpx.ReadBody(httptest.NewRecorder(), body(tc.body, tc.length), 50)
		if tc.want != nil {
			assert.ErrorIs(t, err, tc.want, "%q length %d", tc.body, tc.length)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.body, string(data))
	}
}

// TestUnmarshalNamesNoGoTypes: a value of the wrong JSON type is named by
// its field and described in JSON's words, never with a Go type name.
func TestUnmarshalNamesNoGoTypes(t *testing.T) {
	type op struct {
		Op string `json:"op"`
	}
	type inner struct {
		N  int  `json:"n"`
		OK bool `json:"ok"`
	}
	var v struct {
		Ops   []op  `json:"ops"`
		In    inner `json:"in"`
		Items []op
	}
	for in, want := range map[string][2]string{
		`{"ops":{}}`:         {"ops", "must be an array, not object"},
		`{"ops":[1]}`:        {"ops", "must be an object, not number"},
		`{"ops":[{"op":1}]}`: {"ops.op", "must be a string, not number"},
		`{"in":{"n":"x"}}`:   {"in.n", "must be an integer, not string"},
		`{"in":{"ok":1}}`:    {"in.ok", "must be true or false, not number"},
		`[]`:                 {"body", "must be an object, not array"},
	} {
		err := table.Unmarshal([]byte(in), &v)
		var fe httpx.FieldNamer
		require.ErrorAs(t, err, &fe, in)
		f, reason := fe.InvalidField()
		assert.Equal(t, want[0], f, in)
		assert.Equal(t, want[1], reason, in)
		assert.NotContains(t, err.Error(), "httpx", in)
		assert.NotContains(t, err.Error(), "struct", in)
	}
	var list []op
	err := table.Unmarshal([]byte(`{}`), &list)
	require.Error(t, err)
	assert.Equal(t, "invalid body: must be an array, not object", err.Error())
}

// TestWriteHidesInternalErrors: a 5xx answer says what kind of failure it
// was and the request id, never the error's text; the log has the text
// under the same id, which the answer's headers carry too.
func TestWriteHidesInternalErrors(t *testing.T) {
	var logged strings.Builder
	log := slog.New(slog.NewJSONHandler(&logged, nil))
	for _, tc := range []struct {
		err    error
		status int
	}{
		{errors.New(`sqlite: near "SELEC": syntax error in /var/lib/flock/flock.db`), 500},
		{fmt.Errorf("%w: open /var/lib/flock/flock.db: disk full", errUnavailable), 503},
	} {
		logged.Reset()
		rec := httptest.NewRecorder()
		h := httpx.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			table.Write(w, r, log, tc.err)
		}))
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/alarms", nil))
		assert.Equal(t, tc.status, rec.Code)
		id := rec.Header().Get("X-Request-Id")
		require.NotEmpty(t, id)
		assert.Equal(t, id, rec.Header().Get("x-openstack-request-id"))
		var b httpx.Body
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &b))
		assert.Equal(t, id, b.Error.RequestID)
		assert.Contains(t, b.Error.Message, id)
		assert.NotContains(t, rec.Body.String(), "/var/lib")
		assert.NotContains(t, rec.Body.String(), "SELEC")
		assert.Contains(t, logged.String(), id)
		assert.Contains(t, logged.String(), "/var/lib/flock/flock.db")
	}
	// A 4xx is the client's to read: its message goes out, and nothing is logged.
	logged.Reset()
	rec := httptest.NewRecorder()
	table.Write(rec, httptest.NewRequest("GET", "/", nil), log, fmt.Errorf("%w: alarm x", errGone))
	assert.Equal(t, http.StatusGone, rec.Code)
	assert.Contains(t, rec.Body.String(), "alarm x")
	assert.NotEmpty(t, rec.Header().Get("X-Request-Id"), "an answer without WithRequestID gets an id too")
	assert.Empty(t, logged.String())
}

func TestRequestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := httpx.NewRequestID()
		assert.Regexp(t, `^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
		assert.False(t, seen[id])
		seen[id] = true
	}
	var inner string
	h := httpx.WithRequestID(httpx.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner = httpx.RequestID(r.Context())
	})))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Request-Id", "client-chosen")
	h.ServeHTTP(rec, req)
	assert.Equal(t, inner, rec.Header().Get("X-Request-Id"), "nested: one id")
	assert.NotEqual(t, "client-chosen", inner)
}

// TestOpenStackEnvelope: with OpenStackEnvelope, an error answer also
// carries error_message, a JSON text whose faultstring is the message
// (cgts-client prints it); without, no such member.
func TestOpenStackEnvelope(t *testing.T) {
	os := *table
	os.OpenStackEnvelope = true
	for _, c := range []struct {
		err, is error
		want    string
	}{
		{fmt.Errorf("host worker-9: %w", errGone), errGone, "host worker-9: gone"},
		{errors.New("select * from secrets"), httpx.ErrInternal, "internal error (request id "},
	} {
		rec := httptest.NewRecorder()
		os.Write(rec, httptest.NewRequest("GET", "/", nil), nil, c.err)
		var b httpx.Body
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &b))
		var fs struct {
			FaultString string  `json:"faultstring"`
			DebugInfo   *string `json:"debuginfo"`
		}
		require.NoError(t, json.Unmarshal([]byte(b.ErrorMessage), &fs), rec.Body.String())
		assert.Contains(t, fs.FaultString, c.want)
		assert.NotContains(t, fs.FaultString, "secrets")
		assert.ErrorIs(t, os.Decode(rec.Result()), c.is, "the client still decodes it")
	}
	rec := httptest.NewRecorder()
	table.Write(rec, httptest.NewRequest("GET", "/", nil), nil, errGone)
	assert.NotContains(t, rec.Body.String(), "error_message")
}

type ruleErr struct{ rule, reason string }

func (e *ruleErr) Error() string { return e.reason + " (rule " + e.rule + ")" }
func (e *ruleErr) Unwrap() error { return errGone }

// TestRuleRoundTrip: with RuleOf and NewRuleError, the rule a change
// broke survives the round trip with the reason alone as message.
func TestRuleRoundTrip(t *testing.T) {
	rt := *table
	rt.RuleOf = func(err error) (string, string, bool) {
		re, ok := errors.AsType[*ruleErr](err)
		if !ok {
			return "", "", false
		}
		return re.rule, re.reason, true
	}
	rt.NewRuleError = func(rule, reason string, kind error) error {
		return fmt.Errorf("%w", &ruleErr{rule: rule, reason: reason})
	}
	rec := httptest.NewRecorder()
	rt.Write(rec, httptest.NewRequest("GET", "/", nil), nil, fmt.Errorf("host a: %w", &ruleErr{"locked", "host must be locked"}))
	assert.Contains(t, rec.Body.String(), `"rule":"locked"`)
	err := rt.Decode(rec.Result())
	re, ok := errors.AsType[*ruleErr](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, ruleErr{"locked", "host must be locked"}, *re)
	assert.ErrorIs(t, err, errGone)
}

type strictEnum string

func (e *strictEnum) UnmarshalText(b []byte) error {
	if string(b) != "on" && string(b) != "off" {
		return &httpx.FieldError{Field: "switch", Reason: "must be on or off"}
	}
	*e = strictEnum(b)
	return nil
}

// TestUnmarshalKeepsValueFieldErrors: a value whose own parser names
// the field keeps that name (not "body").
func TestUnmarshalKeepsValueFieldErrors(t *testing.T) {
	var v struct {
		S strictEnum `json:"switch"`
	}
	err := table.Unmarshal([]byte(`{"switch":"dim"}`), &v)
	fe, ok := errors.AsType[httpx.FieldNamer](err)
	require.True(t, ok, "%v", err)
	f, reason := fe.InvalidField()
	assert.Equal(t, "switch", f)
	assert.Equal(t, "must be on or off", reason)
}

// TestAuthLookup: a token found by Lookup gets its principal; a role
// other than admin and reader is refused unless Authorize lets it
// through, and the handler sees the principal.
func TestAuthLookup(t *testing.T) {
	var seen httpx.Principal
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = httpx.PrincipalFrom(r.Context())
		w.WriteHeader(204)
	})
	a := httpx.NewAuth(map[string]httpx.Role{"adm": httpx.RoleAdmin})
	a.Lookup = func(_ context.Context, tok string) (httpx.Principal, bool, error) {
		switch tok {
		case "agent-h1":
			return httpx.Principal{Role: "agent", Subject: "h1"}, true, nil
		case "broken":
			return httpx.Principal{}, false, errors.New("database down")
		}
		return httpx.Principal{}, false, nil
	}
	do := func(h http.Handler, method, path, tok string) int {
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	h := a.Middleware(table, ok)
	assert.Equal(t, 204, do(h, "GET", "/", "adm"))
	assert.Equal(t, httpx.RoleAdmin, seen.Role)
	assert.Equal(t, 401, do(h, "GET", "/", "agent-h2"))
	assert.Equal(t, 500, do(h, "GET", "/", "broken"))
	// No Authorize: the agent role may do nothing, not even read.
	assert.Equal(t, 403, do(h, "GET", "/", "agent-h1"))
	a.Authorize = func(r *http.Request, p httpx.Principal) (*http.Request, error) {
		if r.URL.Path != "/"+p.Subject {
			return r, fmt.Errorf("%w: not yours", httpx.ErrForbidden)
		}
		return r, nil
	}
	assert.Equal(t, 403, do(h, "POST", "/h2", "agent-h1"))
	assert.Equal(t, 204, do(h, "POST", "/h1", "agent-h1"))
	assert.Equal(t, httpx.Principal{Role: "agent", Subject: "h1"}, seen)
}
