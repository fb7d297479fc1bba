package faulthttp_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
)

// fuzzHandler is the handler over a fresh in-memory manager.
func fuzzHandler(t *testing.T) (*fault.Manager, http.Handler) {
	m, err := fault.Open(t.Context(), fault.NewMemoryStore(), nil)
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
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, h := fuzzHandler(t)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/alarms", bytes.NewReader(body)))
		checkAnswer(t, m, rec)
	})
}

func FuzzPatchSuppression(f *testing.F) {
	f.Add([]byte(`[{"path":"/suppression_status","value":"suppressed","op":"replace"}]`))
	f.Add([]byte(`[{"path":"/x","value":"suppressed","op":"add"}]`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		st, err := faulthttp.ParsePatch(body)
		if err != nil {
			require.ErrorIs(t, err, fault.ErrInvalid)
			return
		}
		require.True(t, st.Valid())
	})
}

func FuzzListQuery(f *testing.F) {
	f.Add("q.field=alarm_id&q.op=eq&q.value=100.101&limit=3&sort_key=severity&sort_dir=desc")
	f.Add("include_suppress=maybe")
	f.Add("q.field=colour&q.value=red")
	f.Fuzz(func(t *testing.T, query string) {
		m, h := fuzzHandler(t)
		for _, p := range []string{"/v1/alarms", "/v1/alarms/detail", "/v1/event_log", "/v1/alarms/summary"} {
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
