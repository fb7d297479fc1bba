package faulthttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/internal/httpx"
)

// TestClientDoesNotTrustTotalCount: a server that announces 100,000
// records and sends none costs the client no more than what it sent; the
// client once sized its buffers from X-Total-Count (70 MB here, gigabytes
// from one bad header).
func TestClientDoesNotTrustTotalCount(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Total-Count", "100000")
		switch r.URL.Path {
		case "/v1/alarms/detail":
			_, _ = w.Write([]byte(`{"alarms":[]}`))
		case "/v1/event_log":
			_, _ = w.Write([]byte(`{"event_log":[]}`))
		default:
			_, _ = w.Write([]byte(`{"uuid":"x"}`))
		}
	}))
	defer srv.Close()
	c := faulthttp.NewClient(srv.URL, nil)
	for name, call := range map[string]func() error{
		"alarms": func() error { _, err := c.ListAlarms(t.Context(), fault.AlarmQuery{}); return err },
		"events": func() error { _, err := c.ListEvents(t.Context(), fault.EventQuery{}); return err },
	} {
		require.NoError(t, call(), name) // warm up the connection
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		require.NoError(t, call(), name)
		runtime.ReadMemStats(&after)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "%s: bytes allocated for an empty answer", name)
	}
}

// brokenService fails every call it implements with err.
type brokenService struct {
	fault.Service
	err error
}

func (b brokenService) ListAlarms(context.Context, fault.AlarmQuery) ([]fault.Alarm, error) {
	return nil, b.err
}

func (b brokenService) SetAlarm(context.Context, fault.Alarm) (string, error) { return "", b.err }

// TestInternalErrorsAreHidden: an error the API does not map to a 4xx
// reaches the client as "internal error" (or the 503's fixed text) with a
// request id, in the body and the headers; its text (SQL, file paths)
// reaches only the handler's log, under the same id.
func TestInternalErrorsAreHidden(t *testing.T) {
	const secret = `sqlite: near "SELEC": syntax error: /var/lib/flock/flock.db`
	for _, tc := range []struct {
		name     string
		err      error
		status   int
		sentinel error
	}{
		{"internal", errors.New(secret), http.StatusInternalServerError, httpx.ErrInternal},
		{"unavailable", fmt.Errorf("%w: %s", fault.ErrUnavailable, secret), http.StatusServiceUnavailable, fault.ErrUnavailable},
		{"wrapped", fmt.Errorf("set alarm: %w", errors.New(secret)), http.StatusInternalServerError, httpx.ErrInternal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logged bytes.Buffer
			h := faulthttp.NewHandler(brokenService{err: tc.err},
				&faulthttp.HandlerOptions{Logger: slog.New(slog.NewJSONHandler(&logged, nil))})
			for _, req := range []*http.Request{
				httptest.NewRequest("GET", "/v1/alarms", nil),
				httptest.NewRequest("POST", "/v1/alarms", strings.NewReader(mustJSON(t,
					faulthttp.RequestOf(faulttest.CPUAlarm("controller-0", fault.SeverityMajor))))),
			} {
				logged.Reset()
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				require.Equal(t, tc.status, rec.Code, "%s %s", req.Method, req.URL)
				id := rec.Header().Get("X-Request-Id")
				require.NotEmpty(t, id)
				assert.Equal(t, id, rec.Header().Get("X-Openstack-Request-Id"))
				body := rec.Body.String()
				assert.NotContains(t, body, "SELEC")
				assert.NotContains(t, body, "/var/lib")
				assert.Contains(t, body, id)
				if tc.status == http.StatusInternalServerError {
					assert.Contains(t, body, "internal error")
				}
				assert.Contains(t, logged.String(), id, "the log has the id")
				assert.Contains(t, logged.String(), "/var/lib/flock/flock.db", "and the detail")
			}
			// The Go client still sees the sentinel.
			srv := httptest.NewServer(h)
			defer srv.Close()
			_, err := faulthttp.NewClient(srv.URL, nil).ListAlarms(t.Context(), fault.AlarmQuery{})
			assert.ErrorIs(t, err, tc.sentinel)
			assert.NotContains(t, err.Error(), "SELEC")
		})
	}
}

// TestEveryAnswerHasARequestID: successes carry the id too, as StarlingX's
// x-openstack-request-id.
func TestEveryAnswerHasARequestID(t *testing.T) {
	_, srv := serve(t)
	resp, err := http.Get(srv.URL + "/v1/alarms")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Regexp(t, `^req-[0-9a-f-]{36}$`, resp.Header.Get("X-Openstack-Request-Id"))
	assert.Equal(t, resp.Header.Get("X-Openstack-Request-Id"), resp.Header.Get("X-Request-Id"))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
