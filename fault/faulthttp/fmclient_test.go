package faulthttp_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/internal/testenv"
)

// fmInstall says how to get StarlingX's fm client's run-time dependencies.
const fmInstall = "scripts/install-deps.sh (apt-get install python3-venv python3-pip python3-oslo.utils python3-keystoneauth1 " +
	"python3-prettytable python3-six python3-httplib2 python3-dateutil python3-requests python3-openssl python3-pbr); " +
	"the client's source is testdata/python-fmclient (or set FLOCK_FMCLIENT_DIR)"

// fmClient is StarlingX's python-fmclient: FLOCK_FMCLIENT_DIR, or the
// unchanged copy in testdata.
func fmClient(t *testing.T) testenv.PythonClient {
	t.Helper()
	src := os.Getenv("FLOCK_FMCLIENT_DIR")
	if src == "" {
		var err error
		src, err = filepath.Abs(filepath.Join("testdata", "python-fmclient"))
		require.NoError(t, err)
	}
	return testenv.PythonClient{
		Name:    "StarlingX's fm client",
		Source:  src,
		Imports: []string{"keystoneauth1", "oslo_utils", "prettytable", "six", "httplib2", "dateutil", "requests", "OpenSSL", "pbr"},
		// fm imports platform_util.oidc (StarlingX's utilities) at start
		// and uses it only for --stx-auth-type oidc: a stub stands in.
		// keystoneauth1 imports osprofiler.web, if installed, for Keystone
		// sessions, which a client given --fm-url and a token does not
		// use; importing Debian's takes most of each run's start-up.
		Stubs: map[string]string{
			"platform_util/__init__.py":        "",
			"platform_util/oidc/__init__.py":   "",
			"platform_util/oidc/oidc_utils.py": "def get_oidc_token(username):\n    return None\n",
			"osprofiler/__init__.py":           "",
			"osprofiler/web.py":                "def get_trace_id_headers():\n    return {}\n",
		},
		Install: fmInstall,
	}
}

// startController starts a real stx-controller and returns its URL and
// admin token.
func startController(t *testing.T) (string, string) {
	c := testenv.StartController(t)
	return c.URL, c.Token
}

func table(t *testing.T, out string) []map[string]string { return testenv.Table(t, out) }

func column(rows []map[string]string, name string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r[name])
	}
	return out
}

// TestFmClient runs StarlingX's own fm CLI, unchanged, against a real
// stx-controller: every verb, with the options an operator uses.
func TestFmClient(t *testing.T) {
	py := fmClient(t).Python(t)
	url, token := startController(t)
	fm := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), py, append([]string{"-m", "fmclient.shell", "--fm-url", url, "--os-auth-token", token}, args...)...)
		cmd.Env = append(os.Environ(), "COLUMNS=400", "HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "fm %s: %s", strings.Join(args, " "), out)
		return string(out)
	}
	fmFails := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), py, append([]string{"-m", "fmclient.shell", "--fm-url", url, "--os-auth-token", token}, args...)...)
		cmd.Env = append(os.Environ(), "COLUMNS=400", "HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		require.Error(t, err, "fm %s: %s", strings.Join(args, " "), out)
		return string(out)
	}

	ctx := t.Context()
	c := faulthttp.NewClient(url, &faulthttp.ClientOptions{Token: token})
	crit, err := c.SetAlarm(ctx, faulttest.CPUAlarm("controller-0", fault.SeverityCritical))
	require.NoError(t, err)
	major, err := c.SetAlarm(ctx, faulttest.CPUAlarm("compute-1", fault.SeverityMajor))
	require.NoError(t, err)
	locked, err := c.SetAlarm(ctx, faulttest.LockedAlarm("compute-2"))
	require.NoError(t, err)
	other, err := fault.ParseAlarmType("other")
	require.NoError(t, err)
	unknown, err := fault.ParseProbableCause("unknown")
	require.NoError(t, err)
	logID, err := c.Log(ctx, fault.Alarm{AlarmID: "200.021", State: fault.StateLog, EntityTypeID: "host",
		EntityInstanceID: "host=controller-0.command=lock", Severity: fault.SeverityWarning,
		ReasonText: "controller-0 lock requested", AlarmType: other, ProbableCause: unknown})
	require.NoError(t, err)
	today := time.Now().UTC().Format("2006-01-02")

	t.Run("alarm-list", func(t *testing.T) {
		rows := table(t, fm("alarm-list"))
		require.Len(t, rows, 3)
		assert.ElementsMatch(t, []string{"100.101", "100.101", "200.001"}, column(rows, "Alarm ID"))
		assert.ElementsMatch(t, []string{"host=controller-0", "host=compute-1", "host=compute-2"}, column(rows, "Entity ID"))
		assert.ElementsMatch(t, []string{"critical", "major", "warning"}, column(rows, "Severity"))
		for _, ts := range column(rows, "Time Stamp") {
			assert.Regexp(t, `^`+today+`T\d{2}:\d{2}:\d{2}\.\d{6}$`, ts)
		}

		rows = table(t, fm("alarm-list", "--uuid"))
		assert.ElementsMatch(t, []string{crit, major, locked}, column(rows, "UUID"))

		rows = table(t, fm("alarm-list", "--query", "alarm_id=100.101"))
		assert.ElementsMatch(t, []string{"100.101", "100.101"}, column(rows, "Alarm ID"))
		rows = table(t, fm("alarm-list", "--query", "entity_instance_id=host=compute-1;severity=major"))
		assert.Equal(t, []string{"host=compute-1"}, column(rows, "Entity ID"))

		rows = table(t, fm("alarm-list", "--uuid", "--mgmt_affecting", "--degrade_affecting"))
		require.Len(t, rows, 3)
		py := map[bool]string{true: "True", false: "False"}
		seen := map[string]bool{}
		for _, r := range rows {
			a, err := c.GetAlarm(ctx, r["UUID"])
			require.NoError(t, err)
			assert.Equal(t, py[a.MgmtAffecting], r["Management Affecting"], "%v", r)
			assert.Equal(t, py[a.DegradeAffecting], r["Degrade Affecting"], "%v", r)
			seen[r["Degrade Affecting"]] = true
		}
		assert.Len(t, seen, 2, "both values shown") // critical 100.101 degrades, major does not
	})

	t.Run("alarm-show", func(t *testing.T) {
		show := map[string]string{}
		for _, r := range table(t, fm("alarm-show", crit)) {
			show[r["Property"]] = r["Value"]
		}
		assert.Equal(t, crit, show["uuid"])
		assert.Equal(t, "100.101", show["alarm_id"])
		assert.Equal(t, "set", show["alarm_state"])
		assert.Equal(t, "host=controller-0", show["entity_instance_id"])
		assert.Equal(t, "critical", show["severity"])
		assert.Equal(t, "True", show["mgmt_affecting"])
		assert.Equal(t, "True", show["degrade_affecting"])
		assert.Equal(t, "unsuppressed", show["suppression_status"])
		assert.Equal(t, "operational-violation", show["alarm_type"])
		assert.Contains(t, show["timestamp"], today)
		assert.Contains(t, fmFails("alarm-show", "00000000-0000-4000-8000-000000000000"), "Alarm not found")
	})

	t.Run("alarm-summary", func(t *testing.T) {
		rows := table(t, fm("alarm-summary"))
		require.Len(t, rows, 1)
		assert.Equal(t, map[string]string{"Critical Alarms": "1", "Major Alarms": "1", "Minor Alarms": "0", "Warnings": "1"}, rows[0])
	})

	t.Run("event-list", func(t *testing.T) {
		rows := table(t, fm("event-list", "--nopaging"))
		require.Len(t, rows, 4)
		assert.ElementsMatch(t, []string{"set", "set", "set", "log"}, column(rows, "State"))
		for _, ts := range column(rows, "Time Stamp") {
			assert.Regexp(t, `^`+today+`T\d{2}:\d{2}:\d{2}\.\d{6}$`, ts)
		}
		assert.Len(t, table(t, fm("event-list", "--nopaging", "-l", "2")), 2)
		assert.Equal(t, []string{"log"}, column(table(t, fm("event-list", "--nopaging", "--logs")), "State"))
		assert.ElementsMatch(t, []string{"set", "set", "set"}, column(table(t, fm("event-list", "--nopaging", "--alarms")), "State"))
		rows = table(t, fm("event-list", "--nopaging", "--uuid", "-q", "event_log_id=200.021"))
		assert.Equal(t, []string{logID}, column(rows, "UUID"))
		// The forms of fm's own help.
		assert.Empty(t, table(t, fm("event-list", "--nopaging", "-q", "start=20160131 10:23:45;end=20171225")))
		assert.Len(t, table(t, fm("event-list", "--nopaging", "-q", "start=20160131 10:23:45")), 4)
		assert.Len(t, table(t, fm("event-list", "--nopaging", "-q", "start=2016-01-31T10:23:45+02:00;end="+today+"T23:59:59")), 4)
		assert.Empty(t, table(t, fm("event-list", "--nopaging", "-q", "end=20171225")))
	})

	t.Run("event-show", func(t *testing.T) {
		show := map[string]string{}
		for _, r := range table(t, fm("event-show", logID)) {
			show[r["Property"]] = r["Value"]
		}
		assert.Equal(t, logID, show["uuid"])
		assert.Equal(t, "200.021", show["event_log_id"])
		assert.Equal(t, "log", show["state"])
		assert.Equal(t, "host=controller-0.command=lock", show["entity_instance_id"])
		assert.Equal(t, "controller-0 lock requested", show["reason_text"])
		assert.Contains(t, show["timestamp"], today)
		assert.Contains(t, fmFails("event-show", "00000000-0000-4000-8000-000000000000"), "not found")
	})

	t.Run("event-suppress", func(t *testing.T) {
		out := fm("event-suppress", "--alarm_id", "100.101,200.001", "--nopaging")
		// fm sends its second PATCH with the first's operation repeated.
		assert.Contains(t, out, "Alarm ID: 100.101 suppressed.")
		assert.Contains(t, out, "Alarm ID: 200.001 suppressed.")
		rows := table(t, fm("event-suppress-list", "--nopaging"))
		assert.ElementsMatch(t, []string{"100.101", "200.001"}, column(rows, "Event ID"))
		assert.Equal(t, []string{"suppressed", "suppressed"}, column(rows, "Status"))
		all := table(t, fm("event-suppress-list", "--include-unsuppressed", "--nopaging", "--uuid"))
		assert.Greater(t, len(all), 10, "the whole catalog")
		assert.Contains(t, column(all, "Status"), "unsuppressed")
		for _, r := range all {
			assert.Regexp(t, `^[0-9a-f-]{36}$`, r["UUID"])
		}

		// Suppressed alarms leave the list unless asked for, marked S(...).
		assert.Empty(t, table(t, fm("alarm-list")))
		rows = table(t, fm("alarm-list", "--include_suppress"))
		assert.ElementsMatch(t, []string{"S(100.101)", "S(100.101)", "S(200.001)"}, column(rows, "Alarm ID"))
		rows = table(t, fm("alarm-summary", "--include_suppress"))
		assert.Equal(t, "1", rows[0]["Critical Alarms"])
		assert.Equal(t, "0", table(t, fm("alarm-summary"))[0]["Critical Alarms"])

		out = fm("event-unsuppress", "--alarm_id", "100.101", "--nopaging")
		assert.Contains(t, out, "Alarm ID: 100.101 unsuppressed.")
		assert.Equal(t, []string{"200.001"}, column(table(t, fm("event-suppress-list", "--nopaging")), "Event ID"))
		out = fm("event-unsuppress-all", "--nopaging")
		assert.Contains(t, out, "Alarm ID: 200.001 unsuppressed.")
		assert.Empty(t, table(t, fm("event-suppress-list", "--nopaging")))
	})

	t.Run("alarm-delete", func(t *testing.T) {
		fm("alarm-delete", major)
		rows := table(t, fm("alarm-list", "--uuid"))
		assert.ElementsMatch(t, []string{crit, locked}, column(rows, "UUID"))
		assert.Contains(t, fmFails("alarm-delete", major), "Alarm not found")
		rows = table(t, fm("event-list", "--nopaging", "-q", "entity_instance_id=host=compute-1"))
		assert.ElementsMatch(t, []string{"set", "clear"}, column(rows, "State"))
	})
}
