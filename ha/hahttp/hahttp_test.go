package hahttp_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hahttp"
	"github.com/edgeflock/flock/ha/hatest"
)

func serve(t *testing.T, f *hatest.FakeAPI) *httptest.Server {
	srv := httptest.NewServer(hahttp.NewHandler(f, nil))
	t.Cleanup(srv.Close)
	return srv
}

// The conformance suite through the client, the handler and the fake.
func TestClientSuite(t *testing.T) {
	hatest.RunAPISuite(t, func(t *testing.T) hatest.APIRig {
		f := hatest.NewFakeAPI(nil)
		return hatest.FakeAPIRig(f, hahttp.NewClient(serve(t, f).URL, nil))
	})
}

// call sends a request and returns the status and the decoded JSON body.
func call(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m), "%s", data)
	return resp.StatusCode, m
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// The collections and records have sm-api's (and sysinv's) member names,
// which cgts-client reads.
func TestJSONShapes(t *testing.T) {
	srv := serve(t, hatest.NewFakeAPI(nil))
	tests := []struct {
		path, key string
		fields    []string
	}{
		{"/v1/services", "services", []string{"desired_state", "id", "name", "node_name", "state", "status"}},
		{"/v1/nodes", "nodes", []string{"administrative_state", "availability_status", "id", "name", "operational_state", "ready_state"}},
		{"/v1/servicenodes", "nodes", []string{"administrative_state", "availability_status", "id", "name", "operational_state", "ready_state"}},
		{"/v1/sm_sda", "sm_sda", []string{"condition", "desired_state", "id", "name", "node_name", "service_group_name", "state", "status", "uuid"}},
		{"/v1/service_groups", "service_groups", []string{"condition", "desired_state", "id", "name", "node_name", "service_group_name", "state", "status", "uuid"}},
		{"/v1/servicegroup", "sm_servicegroup", []string{"condition", "desired_state", "id", "name", "node_name", "service_group_name", "state", "status", "uuid"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, m := call(t, "GET", srv.URL+tt.path, "")
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, []string{tt.key}, keys(m))
			list, ok := m[tt.key].([]any)
			require.True(t, ok)
			require.NotEmpty(t, list)
			first := list[0].(map[string]any)
			assert.Equal(t, tt.fields, keys(first))
			// The record by id is the list's.
			id, ok := first["id"].(float64)
			require.True(t, ok, "id is a number")
			status, one := call(t, "GET", srv.URL+tt.path+"/"+strconv.Itoa(int(id)), "")
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, first, one)
		})
	}
	status, m := call(t, "GET", srv.URL+"/v1/sm_sda", "")
	require.Equal(t, http.StatusOK, status)
	first := m["sm_sda"].([]any)[0].(map[string]any)
	assert.Equal(t, "controller", first["name"], "the domain")
	assert.Equal(t, "controller-0", first["node_name"])
	assert.Equal(t, "oam-services", first["service_group_name"])
	assert.Equal(t, "active", first["state"])
	assert.Equal(t, "", first["status"])
	assert.Equal(t, "", first["condition"])
}

func TestNotFoundEnvelope(t *testing.T) {
	srv := serve(t, hatest.NewFakeAPI(nil))
	for _, p := range []string{"/v1/services/nope", "/v1/nodes/controller-9", "/v1/servicenodes/controller-9", "/v1/sm_sda/nope", "/v1/servicegroup/nope"} {
		status, m := call(t, "GET", srv.URL+p, "")
		assert.Equal(t, http.StatusNotFound, status, p)
		e, ok := m["error"].(map[string]any)
		require.True(t, ok, "%s: %v", p, m)
		assert.Equal(t, "not_found", e["code"])
		assert.Contains(t, m["error_message"], "faultstring", "OpenStack's member for cgts-client")
	}
}

// A swact as sysinv and mtce send it: sm-api's node command.
func TestNodeCommand(t *testing.T) {
	f := hatest.NewFakeAPI(nil)
	srv := serve(t, f)
	url := srv.URL + "/v1/servicenode/controller-0"

	// swact-pre-check: 200 with the result, as sysinv's swact_pre_check reads it.
	require.NoError(t, f.SetNodeState("controller-1", ha.AdminLocked, ha.OperEnabled))
	status, m := call(t, "PATCH", url, `{"origin":"sysinv","action":"swact-pre-check","admin":"unknown","oper":"unknown","avail":""}`)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "-1001", m["error_code"])
	assert.Equal(t, "controller-1 is not ready to take service, controller-1 is locked", m["error_details"])
	assert.Equal(t, ha.RuleSwactTargetLocked, m["rule"])
	assert.Equal(t, "controller-0", m["hostname"])
	assert.Equal(t, "swact-pre-check", m["action"])

	// swact refused: 400, sm-api's result and Flock's envelope naming the rule.
	status, m = call(t, "PATCH", url, `{"origin":"mtce","action":"swact","admin":"unlocked","oper":"enabled","avail":"available"}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "-1001", m["error_code"])
	e := m["error"].(map[string]any)
	assert.Equal(t, "invalid_transition", e["code"])
	assert.Equal(t, ha.RuleSwactTargetLocked, e["rule"])
	assert.NotEmpty(t, e["request_id"])
	assert.Zero(t, f.Swacts())

	// swact: 200 once complete.
	require.NoError(t, f.SetNodeState("controller-1", ha.AdminUnlocked, ha.OperEnabled))
	status, m = call(t, "PATCH", url, `{"origin":"mtce","action":"swact","admin":"unlocked","oper":"enabled","avail":"available"}`)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "0", m["error_code"])
	assert.Equal(t, "sm", m["origin"])
	assert.Equal(t, 1, f.Swacts())
	groups, err := f.ListServiceGroups(t.Context())
	require.NoError(t, err)
	assert.True(t, ha.SwactComplete(f.Model(), groups, "controller-0"))

	// Unknown host: 404 with -1000.
	status, m = call(t, "PATCH", srv.URL+"/v1/servicenode/controller-7", `{"action":"swact"}`)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "-1000", m["error_code"])
}

func TestNodeCommandBadInput(t *testing.T) {
	f := hatest.NewFakeAPI(nil)
	srv := serve(t, f)
	url := srv.URL + "/v1/servicenode/controller-0"
	tests := []struct{ body, field string }{
		{`{"action":"lock"}`, "action"},
		{`{"origin":"mtce"}`, "action"},
		{`{"action":7}`, "action"},
		{`{"action":"swact","admin":false}`, "admin"},
		{`{"action":"swact","colour":"red"}`, "colour"},
		{`not json`, "body"},
	}
	for _, tt := range tests {
		status, m := call(t, "PATCH", url, tt.body)
		assert.Equal(t, http.StatusBadRequest, status, tt.body)
		e := m["error"].(map[string]any)
		assert.Equal(t, "invalid", e["code"], tt.body)
		assert.Equal(t, tt.field, e["field"], tt.body)
	}
	assert.Zero(t, f.Swacts(), "bad input changes nothing")
}

func TestClientRuleErrors(t *testing.T) {
	f := hatest.NewFakeAPI(nil)
	c := hahttp.NewClient(serve(t, f).URL, nil)
	f.FailNextSwact(nil)
	err := c.Swact(t.Context(), ha.SwactRequest{Node: "controller-0"})
	re, ok := errors.AsType[*ha.RuleError](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, ha.RuleSwactFailed, re.Rule)

	_, err = hahttp.NewClient("http://127.0.0.1:1", nil).ListServices(t.Context())
	assert.ErrorIs(t, err, ha.ErrUnavailable)
}
