package httpx_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/httpx"
)

var errGone = errors.New("gone")

var table = &httpx.Errors{Mappings: []httpx.Mapping{{Err: errGone, Code: "gone", Status: http.StatusGone}},
	Invalid: errors.New("invalid")}

func roundTrip(t *testing.T, err error) error {
	t.Helper()
	rec := httptest.NewRecorder()
	table.Write(rec, err)
	return table.Decode(rec.Result())
}

func TestErrorsRoundTrip(t *testing.T) {
	err := roundTrip(t, errGone)
	assert.ErrorIs(t, err, errGone)
	assert.Equal(t, "gone", err.Error(), "the server's message, not doubled")
	assert.ErrorIs(t, roundTrip(t, httpx.ErrForbidden), httpx.ErrForbidden)
	assert.ErrorIs(t, roundTrip(t, errors.New("boom")), httpx.ErrInternal)
	rec := httptest.NewRecorder()
	table.Write(rec, httpx.ErrUnauthenticated)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.NotEmpty(t, rec.Header().Get("WWW-Authenticate"))
}

func TestUnmarshalNamesFields(t *testing.T) {
	var v struct {
		A int    `json:"a"`
		B string `json:"b"`
	}
	for in, field := range map[string]string{`{"a":"x"}`: "a", `{"c":1}`: "c", `{"":1}`: "body", `[`: "body", `{"a":1} 2`: "body"} {
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
	}
	open := &httpx.Auth{Disabled: true}
	rec := httptest.NewRecorder()
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
