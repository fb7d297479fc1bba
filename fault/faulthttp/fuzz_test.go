package faulthttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/internal/httpx"
)

// fuzzHandler is the handler over a fresh in-memory manager.
func fuzzHandler(t *testing.T) (*fault.Manager, http.Handler) {
	m, err := fault.Open(t.Context(), faultstore.NewMemoryStore(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close(t.Context()) })
	return m, faulthttp.NewHandler(m, nil)
}

// checkAnswer: never a 5xx; a 400 names the field; a refused request
// changed nothing.
func checkAnswer(t *testing.T, m *fault.Manager, rec *httptest.ResponseRecorder) {
	t.Helper()
	require.Less(t, rec.Code, 500, "body: %s", rec.Body)
	if rec.Code == http.StatusBadRequest {
		var b struct {
			Error struct{ Code, Message, Field string }
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &b))
		require.Equal(t, "invalid", b.Error.Code)
		require.NotEmpty(t, b.Error.Field, "400 names the field: %s", rec.Body)
	}
	if rec.Code >= 400 {
		es, err := m.ListEvents(t.Context(), fault.EventQuery{IncludeSuppressed: true})
		require.NoError(t, err)
		require.Empty(t, es, "a refused request wrote nothing")
	}
}

func FuzzPostAlarm(f *testing.F) {
	f.Add([]byte(`{"alarm_id":"100.101","alarm_state":"set","entity_type_id":"host","entity_instance_id":"host=c0","severity":"major","alarm_type":"other","probable_cause":"unknown"}`))
	f.Add([]byte(`{"alarm_state":"clear","alarm_id":"100.101","entity_instance_id":"host=c0"}`))
	f.Add([]byte(`{"alarm_state":"msg","alarm_id":"200.021","entity_type_id":"host","entity_instance_id":"host=a","severity":"warning","alarm_type":"other","probable_cause":"unknown","service_affecting":"True"}`))
	f.Add([]byte(`{"alarm_id":1}`))
	f.Add([]byte(`{"alarm_id":"100.101","alarm_state":"set","entity_type_id":"host","entity_instance_id":"host=\ud800","severity":"major","alarm_type":"other","probable_cause":"unknown"}`))
	f.Add([]byte(`{"ALARM_ID":"100.101","alarm_state":"clear","entity_instance_id":"host=c0"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, h := fuzzHandler(t)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/alarms", bytes.NewReader(body)))
		checkAnswer(t, m, rec)
		if rec.Code < 300 {
			// Accepted text is the text sent: never a U+FFFD that the
			// body did not hold.
			require.True(t, utf8.Valid(body))
			es, err := m.ListEvents(t.Context(), fault.EventQuery{IncludeSuppressed: true})
			require.NoError(t, err)
			for _, e := range es {
				for _, s := range []string{e.EntityInstanceID, e.ReasonText, e.ProposedRepairAction, e.EntityTypeID} {
					if strings.ContainsRune(s, utf8.RuneError) {
						require.Contains(t, string(body), "\ufffd", "U+FFFD only where the body wrote one")
					}
				}
			}
		}
	})
}

func FuzzPatchSuppression(f *testing.F) {
	f.Add([]byte(`[{"path":"/suppression_status","value":"suppressed","op":"replace"}]`))
	f.Add([]byte(`[{"path":"/x","value":"suppressed","op":"add"}]`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[{"path":"/suppression_status","value":"suppressed","op":"replace"},{"path":"/suppression_status","value":"suppressed","op":"replace"}]`))
	f.Add([]byte(`[{"path":"/suppression_status","value":"\udc00","op":"replace"}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		st, err := faulthttp.ParsePatch(body)
		if err != nil {
			require.ErrorIs(t, err, fault.ErrInvalid)
			var fe *fault.FieldError
			require.ErrorAs(t, err, &fe)
			require.NotEmpty(t, fe.Field)
			require.NotContains(t, err.Error(), "faulthttp")
			return
		}
		require.True(t, st.Valid())
	})
}

func FuzzListQuery(f *testing.F) {
	f.Add("q.field=alarm_id&q.op=eq&q.value=100.101&limit=3&sort_key=severity&sort_dir=desc")
	f.Add("include_suppress=maybe")
	f.Add("q.field=colour&q.value=red")
	f.Add("q.field=start&q.value=20160131+10:23:45&q.field=end&q.value=20171225")
	f.Add("q.field=suppression_status&q.op=eq&q.type=string&q.value=suppressed")
	f.Add("q.field=entity_instance_id&q.value=%FF")
	f.Fuzz(func(t *testing.T, query string) {
		m, h := fuzzHandler(t)
		for _, p := range []string{"/v1/alarms", "/v1/alarms/detail", "/v1/event_log", "/v1/alarms/summary", "/v1/event_suppression"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p+"?"+url.PathEscape(query), nil))
			require.Less(t, rec.Code, 500, "%s?%s: %s", p, query, rec.Body)
			rec = httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, p, nil)
			req.URL.RawQuery = query
			h.ServeHTTP(rec, req)
			checkAnswer(t, m, rec)
		}
	})
}

// FuzzClientAnswer: whatever a server answers, the client returns records
// or an error wrapping a sentinel; it never panics, and it allocates in
// proportion to what arrived.
func FuzzClientAnswer(f *testing.F) {
	f.Add(200, []byte(`{"alarms":[{"uuid":"u","timestamp":"2024-05-01T10:23:45.123456","mgmt_affecting":"True","degrade_affecting":"false","severity":"major"}]}`))
	f.Add(200, []byte(`{"event_log":[{"timestamp":"2024-05-01T10:23:45Z","state":"set"}],"next":"http://x/v1/event_log?limit=1&marker=u"}`))
	f.Add(404, []byte(`{"error":{"code":"not_found","message":"x"}}`))
	f.Add(400, []byte(`{"error":{"code":"invalid","message":"x","field":"alarm_id"}}`))
	f.Add(500, []byte(`<html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 {
			return
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Total-Count", "99999999")
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}))
		defer srv.Close()
		c := faulthttp.NewClient(srv.URL, nil)
		check := func(err error) {
			if err == nil {
				return
			}
			known := false
			for _, s := range []error{fault.ErrNotFound, fault.ErrInvalid, fault.ErrConflict, fault.ErrUnavailable,
				fault.ErrUnimplemented, fault.ErrClosed, httpx.ErrInternal, httpx.ErrUnauthenticated, httpx.ErrForbidden,
				httpx.ErrTooLarge, httpx.ErrBadRequest, context.DeadlineExceeded} {
				known = known || errors.Is(err, s)
			}
			require.True(t, known, "%v", err)
			require.NotContains(t, err.Error(), "faulthttp.", "no Go type names")
			require.NotContains(t, err.Error(), "Go struct", "no Go type names")
		}
		_, err := c.ListAlarms(t.Context(), fault.AlarmQuery{})
		check(err)
		_, err = c.ListEvents(t.Context(), fault.EventQuery{})
		check(err)
		_, err = c.GetAlarm(t.Context(), "u")
		check(err)
		_, err = c.ListSuppressions(t.Context())
		check(err)
		_, err = c.Summary(t.Context(), false)
		check(err)
	})
}
