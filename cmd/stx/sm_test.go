package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hahttp"
	"github.com/edgeflock/flock/ha/hatest"
)

// smCLI runs stx against the service management handler over a fake,
// through the HTTP client as the binary does.
func smCLI(t *testing.T, f *hatest.FakeAPI, args ...string) (string, error) {
	t.Helper()
	srv := httptest.NewServer(hahttp.NewHandler(f, nil))
	t.Cleanup(srv.Close)
	var out bytes.Buffer
	g := &globals{out: &out, newSM: func(g *globals) (ha.API, error) {
		require.Equal(t, srv.URL, g.url, "the client goes to --url")
		return newSMClient(g)
	}}
	root := rootCommand(g)
	root.SetErr(io.Discard)
	root.SetArgs(append([]string{"--url", srv.URL, "--token", "t0ken"}, args...))
	err := root.ExecuteContext(t.Context())
	return out.String(), err
}

// rows returns a table's lines split into cells.
func rows(out string) [][]string {
	var r [][]string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		r = append(r, strings.Fields(line))
	}
	return r
}

func TestServiceGroupList(t *testing.T) {
	f := hatest.NewFakeAPI(nil)
	require.NoError(t, f.SetGroup("controller-1", "oam-services", ha.GroupStandby, ha.GroupStandby, ha.StatusDegraded, ha.ConditionDataSyncing))
	out, err := smCLI(t, f, "servicegroup-list")
	require.NoError(t, err)
	r := rows(out)
	require.Len(t, r, 7)
	assert.Equal(t, []string{"uuid", "service_group_name", "hostname", "state"}, r[0])
	groups, err := f.ListServiceGroups(t.Context())
	require.NoError(t, err)
	var got [][]string
	for _, row := range r[1:] {
		got = append(got, row[1:])
		assert.Len(t, row[0], 36, "a uuid")
	}
	assert.Equal(t, [][]string{
		{"controller-services", "controller-0", "active"},
		{"controller-services", "controller-1", "standby"},
		{"directory-services", "controller-0", "active"},
		{"directory-services", "controller-1", "active"},
		{"oam-services", "controller-0", "active"},
		{"oam-services", "controller-1", "standby-degraded"},
	}, got, "sorted by group, state-status as cgts-client prints")

	out, err = smCLI(t, f, "servicegroup-show", groups[0].UUID)
	require.NoError(t, err)
	assert.Equal(t, "oam-services", propValue(out, "service_group_name"))
	assert.Equal(t, "controller-0", propValue(out, "hostname"))
	assert.Equal(t, "controller", propValue(out, "name"))

	_, err = smCLI(t, f, "servicegroup-show", "oam-services")
	assert.ErrorIs(t, err, ha.ErrNotFound)
}

func TestServiceNodeList(t *testing.T) {
	f := hatest.NewFakeAPI(nil)
	require.NoError(t, f.SetNodeState("controller-1", ha.AdminLocked, ha.OperDisabled))
	out, err := smCLI(t, f, "servicenode-list")
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		{"id", "name", "administrative", "operational", "availability", "ready_state"},
		{"1", "controller-0", "unlocked", "enabled", "available", "enabled"},
		{"2", "controller-1", "locked", "disabled", "failed", "disabled"},
	}, rows(out))
	out, err = smCLI(t, f, "servicenode-show", "controller-1")
	require.NoError(t, err)
	assert.Equal(t, "locked", propValue(out, "administrative_state"))
	assert.Equal(t, "2", propValue(out, "id"))
}

func TestServiceListAndShow(t *testing.T) {
	f := hatest.NewFakeAPI(nil)
	out, err := smCLI(t, f, "service-list")
	require.NoError(t, err)
	r := rows(out)
	assert.Equal(t, []string{"id", "service_name", "hostname", "state"}, r[0])
	var names []string
	for _, row := range r[1:] {
		names = append(names, row[1])
		assert.Equal(t, "controller-0", row[2])
		assert.Equal(t, "enabled-active", row[3])
	}
	assert.IsIncreasing(t, names, "sorted by service_name")
	assert.Contains(t, names, "oam-ip")

	require.NoError(t, f.Swact(t.Context(), ha.SwactRequest{Node: "controller-0"}))
	out, err = smCLI(t, f, "service-show", "oam-ip")
	require.NoError(t, err)
	assert.Equal(t, "oam-ip", propValue(out, "service_name"))
	assert.Equal(t, "controller-1", propValue(out, "hostname"), "answered by the new active")
	assert.Equal(t, "enabled-active", propValue(out, "state"))

	out, err = smCLI(t, f, "--format", "json", "service-show", "oam-ip")
	require.NoError(t, err)
	var s map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	assert.Equal(t, "oam-ip", s["name"], "json has the API's member names")

	_, err = smCLI(t, f, "service-show", "no-such-service")
	assert.ErrorIs(t, err, ha.ErrNotFound)
}
