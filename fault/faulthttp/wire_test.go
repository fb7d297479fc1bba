package faulthttp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faulttest"
)

// stxTimestamp is StarlingX's form: naive UTC, six fractional digits.
const stxTimestamp = `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$`

// call sends one request to srv and decodes a JSON answer into a map.
func call(t *testing.T, method, u, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	if len(data) > 0 {
		require.NoError(t, json.Unmarshal(data, &out), "%s", data)
	}
	return resp.StatusCode, out
}

func items(t *testing.T, m map[string]any, key string) []map[string]any {
	t.Helper()
	raw, ok := m[key].([]any)
	require.True(t, ok, "%s in %v", key, m)
	var out []map[string]any
	for _, r := range raw {
		out = append(out, r.(map[string]any))
	}
	return out
}

// TestWireIsStarlingX: derived flags are "True"/"False", timestamps are
// naive UTC with six fractional digits, in every answer; the Go client
// reads them back into fault's types.
func TestWireIsStarlingX(t *testing.T) {
	m, srv := serve(t)
	ctx := t.Context()
	crit, err := m.SetAlarm(ctx, faulttest.CPUAlarm("controller-0", fault.SeverityCritical))
	require.NoError(t, err)
	_, err = m.SetAlarm(ctx, faulttest.CPUAlarm("controller-1", fault.SeverityMajor))
	require.NoError(t, err)
	_, err = m.SetAlarm(ctx, faulttest.LockedAlarm("compute-0"))
	require.NoError(t, err)
	_, err = m.AckAlarm(ctx, crit, "alice")
	require.NoError(t, err)
	want, err := m.GetAlarm(ctx, crit)
	require.NoError(t, err)

	for _, path := range []string{"/v1/alarms", "/v1/alarms/detail", "/v1/alarms?expand=True"} {
		code, body := call(t, "GET", srv.URL+path, "")
		require.Equal(t, 200, code)
		seen := map[any]bool{}
		for _, a := range items(t, body, "alarms") {
			seen[a["mgmt_affecting"]], seen[a["degrade_affecting"]] = true, true
			assert.Contains(t, []any{"True", "False"}, a["mgmt_affecting"], path)
			assert.Contains(t, []any{"True", "False"}, a["degrade_affecting"], path)
			assert.Regexp(t, stxTimestamp, a["timestamp"], path)
			if a["uuid"] == crit {
				assert.Equal(t, map[bool]string{true: "True", false: "False"}[want.MgmtAffecting], a["mgmt_affecting"])
				assert.Regexp(t, stxTimestamp, a["ack"].(map[string]any)["at"])
			}
		}
		assert.Equal(t, map[any]bool{"True": true, "False": true}, seen, path)
	}
	code, one := call(t, "GET", srv.URL+"/v1/alarms/"+crit, "")
	require.Equal(t, 200, code)
	assert.Regexp(t, stxTimestamp, one["timestamp"])
	assert.IsType(t, true, one["service_affecting"], "service_affecting stays a JSON boolean, as in StarlingX")
	code, evs := call(t, "GET", srv.URL+"/v1/event_log", "")
	require.Equal(t, 200, code)
	for _, e := range items(t, evs, "event_log") {
		assert.Regexp(t, stxTimestamp, e["timestamp"])
	}

	c := faulthttp.NewClient(srv.URL, nil)
	got, err := c.GetAlarm(ctx, crit)
	require.NoError(t, err)
	assert.Equal(t, want, got, "the Go client reads the StarlingX form back")
	list, err := c.ListAlarms(ctx, fault.AlarmQuery{})
	require.NoError(t, err)
	assert.Contains(t, list, want)
}

// TestNextLinks: a full page carries the URL of the next one, as
// StarlingX writes it, and following it gives the rest.
func TestNextLinks(t *testing.T) {
	m, srv := serve(t)
	for _, h := range []string{"compute-0", "compute-1", "compute-2"} {
		_, err := m.SetAlarm(t.Context(), faulttest.CPUAlarm(h, fault.SeverityMajor))
		require.NoError(t, err)
	}
	for _, tc := range []struct{ path, key string }{
		{"/v1/alarms?q.field=alarm_id&q.op=eq&q.value=100.101&limit=2", "alarms"},
		{"/v1/alarms/detail?limit=2", "alarms"},
		{"/v1/event_log?limit=2", "event_log"},
	} {
		code, page := call(t, "GET", srv.URL+tc.path, "")
		require.Equal(t, 200, code)
		first := items(t, page, tc.key)
		require.Len(t, first, 2)
		next, _ := page["next"].(string)
		u, err := url.Parse(next)
		require.NoError(t, err, tc.path)
		assert.Equal(t, srv.URL, u.Scheme+"://"+u.Host, tc.path)
		assert.True(t, strings.HasSuffix(next, "limit=2&marker="+first[1]["uuid"].(string)), "%s: %s", tc.path, next)
		code, page = call(t, "GET", next, "")
		require.Equal(t, 200, code)
		rest := items(t, page, tc.key)
		require.Len(t, rest, 1, tc.path)
		assert.NotContains(t, page, "next", "the last page has no next")
	}
}

// TestSuppressionAPI: fm's filter on the suppression status, links, one
// entry by uuid or alarm id, and patches that repeat an operation.
func TestSuppressionAPI(t *testing.T) {
	_, srv := serve(t)
	code, all := call(t, "GET", srv.URL+"/v1/event_suppression", "")
	require.Equal(t, 200, code)
	entries := items(t, all, "event_suppression")
	require.NotEmpty(t, entries)
	first := entries[0]
	id := first["uuid"].(string)
	links := first["links"].([]any)
	require.Len(t, links, 2)
	assert.Equal(t, map[string]any{"href": srv.URL + "/v1/event_suppression/" + id, "rel": "self"}, links[0])

	op := `{"path":"/suppression_status","value":"suppressed","op":"replace"}`
	code, patched := call(t, "PATCH", srv.URL+"/v1/event_suppression/"+id, "["+op+","+op+","+op+"]")
	require.Equal(t, 200, code, "%v", patched)
	assert.Equal(t, "suppressed", patched["suppression_status"])

	const onlySuppressed = "/v1/event_suppression?q.field=suppression_status&q.op=eq&q.type=string&q.value=suppressed"
	code, sup := call(t, "GET", srv.URL+onlySuppressed, "")
	require.Equal(t, 200, code)
	got := items(t, sup, "event_suppression")
	require.Len(t, got, 1)
	assert.Equal(t, id, got[0]["uuid"])

	for _, key := range []string{id, first["alarm_id"].(string)} {
		code, one := call(t, "GET", srv.URL+"/v1/event_suppression/"+key, "")
		require.Equal(t, 200, code)
		assert.Equal(t, id, one["uuid"])
		assert.Equal(t, "suppressed", one["suppression_status"])
	}
	code, _ = call(t, "GET", srv.URL+"/v1/event_suppression/00000000-0000-4000-8000-000000000000", "")
	assert.Equal(t, 404, code)

	// Operations apply in order: the last one on a path wins.
	unsup := strings.Replace(op, `"suppressed"`, `"unsuppressed"`, 1)
	code, patched = call(t, "PATCH", srv.URL+"/v1/event_suppression/"+id, "["+op+","+unsup+"]")
	require.Equal(t, 200, code)
	assert.Equal(t, "unsuppressed", patched["suppression_status"])

	for body, field := range map[string]string{
		`[]`: "body", `{}`: "body", `[{"op":"replace","path":"/suppression_status","value":1}]`: "value",
		`[{"op":"remove","path":"/suppression_status"}]`: "op", `[` + op + `,{"op":"replace","path":"/alarm_id","value":"x"}]`: "path",
		`[{"op":"replace","path":"/suppression_status","value":"suppressed","Value":"x"}]`: "Value",
		`[{"op":"replace","path":"/suppression_status","value":"\udc00"}]`:                 "value",
	} {
		code, ans := call(t, "PATCH", srv.URL+"/v1/event_suppression/"+id, body)
		require.Equal(t, 400, code, body)
		e := ans["error"].(map[string]any)
		assert.Equal(t, field, e["field"], body)
		assert.NotContains(t, e["message"], "faulthttp", body)
		assert.NotContains(t, e["message"], "[]", body)
	}
	code, ans := call(t, "GET", srv.URL+"/v1/event_suppression?q.field=suppression_status&q.value=maybe", "")
	assert.Equal(t, 400, code)
	assert.Equal(t, "suppression_status", ans["error"].(map[string]any)["field"])
}

// TestEventTimeFilters: start and end take the forms StarlingX takes.
func TestEventTimeFilters(t *testing.T) {
	m, srv := serve(t)
	_, err := m.SetAlarm(t.Context(), faulttest.CPUAlarm("controller-0", fault.SeverityMajor))
	require.NoError(t, err)
	for q, n := range map[string]int{
		"q.field=start&q.value=20160131 10:23:45":                              1,
		"q.field=start&q.value=20160131 10:23:45&q.field=end&q.value=20171225": 0,
		"q.field=end&q.value=2999-01-01T00:00:00%2B02:00":                      1,
		"q.field=start&q.value=2999-01-01T00:00:00Z":                           0,
		"start=2016-01-31T10:23:45.123456":                                     1,
	} {
		v, err := url.ParseQuery(q)
		require.NoError(t, err)
		code, body := call(t, "GET", srv.URL+"/v1/event_log?"+v.Encode(), "")
		require.Equal(t, 200, code, "%s: %v", q, body)
		assert.Len(t, items(t, body, "event_log"), n, q)
	}
	code, body := call(t, "GET", srv.URL+"/v1/event_log?q.field=end&q.value=yesterday", "")
	assert.Equal(t, 400, code)
	assert.Equal(t, "end", body["error"].(map[string]any)["field"])
}

// TestBadTextRefused: invalid UTF-8 and lone surrogate escapes, which
// encoding/json alone would turn into U+FFFD, are refused naming the
// field, and nothing is written; so are members in another case.
func TestBadTextRefused(t *testing.T) {
	m, srv := serve(t)
	good := mustJSON(t, faulthttp.RequestOf(faulttest.CPUAlarm("controller-0", fault.SeverityMajor)))
	for body, field := range map[string]string{
		strings.Replace(good, `"host=controller-0"`, "\"host=controller-\xff\"", 1):          "entity_instance_id",
		strings.Replace(good, `"host=controller-0"`, `"host=controller-\ud800"`, 1):          "entity_instance_id",
		strings.Replace(good, `"reason_text":"`, `"reason_text":"\udfff`, 1):                 "reason_text",
		strings.Replace(good, `"reason_text":"`, `"reason_text":"\ud83d\u0041`, 1):           "reason_text",
		strings.Replace(good, `"reason_text"`, `"Reason_Text"`, 1):                           "Reason_Text",
		strings.Replace(good, `"service_affecting":false`, `"service_affecting":"maybe"`, 1): "service_affecting",
		strings.Replace(good, `"severity":"major"`, `"severity":3`, 1):                       "severity",
		`{"alarm_state":"set","timestamp":"\ud800"}`:                                         "timestamp",
	} {
		code, ans := call(t, "POST", srv.URL+"/v1/alarms", body)
		require.Equal(t, 400, code, body)
		e := ans["error"].(map[string]any)
		assert.Equal(t, field, e["field"], body)
		assert.NotContains(t, e["message"], "faulthttp.", body)
	}
	code, ans := call(t, "GET", srv.URL+"/v1/alarms?q.field=entity_instance_id&q.value=host%3D%FF", "")
	assert.Equal(t, 400, code)
	assert.Equal(t, "q.value", ans["error"].(map[string]any)["field"])
	es, err := m.ListEvents(t.Context(), fault.EventQuery{})
	require.NoError(t, err)
	assert.Empty(t, es, "nothing written")
	// A valid surrogate pair is text like any other.
	code, _ = call(t, "POST", srv.URL+"/v1/alarms", strings.Replace(good, `"reason_text":"`, `"reason_text":"\ud83d\ude00 `, 1))
	assert.Equal(t, 201, code)
}
