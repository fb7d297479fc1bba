package hahttp_test

import (
	"bytes"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hahttp"
	"github.com/edgeflock/flock/ha/hatest"
	"github.com/edgeflock/flock/internal/testenv"
)

// system runs StarlingX's system CLI against url; it returns what it
// printed (stdout, then stderr) and its exit code.
func system(t *testing.T, py, url string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), py, append([]string{"-m", "cgtsclient.shell", "--system-url", url, "--os-auth-token", "t"}, args...)...)
	cmd.Env = append(os.Environ(), "COLUMNS=400", "HOME="+t.TempDir(), "CLI_CONFIRMATIONS=")
	cmd.Dir = t.TempDir()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if err != nil {
		exit, ok := err.(*exec.ExitError)
		require.True(t, ok, "system %s: %v", strings.Join(args, " "), err)
		code = exit.ExitCode()
	}
	assert.NotContains(t, errOut.String(), "Traceback", "a client crash, not an answer")
	return out.String() + errOut.String(), code
}

// TestSystemClient runs StarlingX's own system CLI, unchanged, against
// the handler over the fake: servicegroup-list, servicenode-list,
// service-list and service-show read sysinv's paths and members.
func TestSystemClient(t *testing.T) {
	py := testenv.SystemClient(t).Python(t)
	f := hatest.NewFakeAPI(nil)
	require.NoError(t, f.SetGroup("controller-1", "oam-services", ha.GroupStandby, ha.GroupStandby, ha.StatusDegraded, ha.ConditionDataSyncing))
	srv := httptest.NewServer(hahttp.NewHandler(f, nil))
	t.Cleanup(srv.Close)
	run := func(args ...string) string {
		t.Helper()
		out, code := system(t, py, srv.URL, args...)
		require.Equal(t, 0, code, "system %s:\n%s", strings.Join(args, " "), out)
		return out
	}

	rows := testenv.Table(t, run("servicegroup-list"))
	require.Len(t, rows, 6)
	groups, err := f.ListServiceGroups(t.Context())
	require.NoError(t, err)
	for _, r := range rows {
		i := -1
		for j, g := range groups {
			if g.UUID == r["uuid"] {
				i = j
			}
		}
		require.GreaterOrEqual(t, i, 0, "row %v names an assignment by uuid", r)
		g := groups[i]
		assert.Equal(t, g.ServiceGroupName, r["service_group_name"])
		assert.Equal(t, g.NodeName, r["hostname"])
		want := string(g.State)
		if g.Status != "" {
			want += "-" + string(g.Status)
		}
		assert.Equal(t, want, r["state"])
	}

	rows = testenv.Table(t, run("servicenode-list"))
	require.Len(t, rows, 2)
	assert.Equal(t, map[string]string{"id": "1", "name": "controller-0", "administrative": "unlocked", "operational": "enabled",
		"availability": "available", "ready_state": "enabled"}, rows[0])

	rows = testenv.Table(t, run("service-list"))
	services, err := f.ListServices(t.Context())
	require.NoError(t, err)
	require.Len(t, rows, len(services))
	for _, r := range rows {
		assert.Equal(t, "controller-0", r["hostname"])
		assert.Equal(t, "enabled-active", r["state"])
	}

	out := run("service-show", "oam-ip")
	assert.Contains(t, out, "oam-ip")
	assert.Contains(t, out, "enabled-active")

	out, code := system(t, py, srv.URL, "service-show", "no-such-service")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, out, "no-such-service")
}
