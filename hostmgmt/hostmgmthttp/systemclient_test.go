package hostmgmthttp_test

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/internal/testenv"
)

// system runs the system CLI against url; it returns what it printed
// (stdout, then stderr) and its exit code.
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

// hostProps parses host-show's Property/Value table; a wrapped value's
// continuation lines (empty property) are joined back.
func hostProps(t *testing.T, out string) map[string]string {
	t.Helper()
	m := map[string]string{}
	last := ""
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 2 {
			continue
		}
		k, v := strings.TrimSpace(cells[0]), strings.TrimSpace(cells[1])
		if k == "Property" {
			continue
		}
		if k == "" {
			m[last] += v
			continue
		}
		m[k], last = v, k
	}
	require.NotEmpty(t, m, "no Property/Value table in %q", out)
	return m
}

// TestSystemClient runs StarlingX's own system CLI, unchanged, against
// host maintenance in front of the real inventory handler: each action
// verb prints the host as it is after the action, a refusal prints the
// rule's reason and exits 1.
func TestSystemClient(t *testing.T) {
	py := testenv.SystemClient(t).Python(t)
	s := newStack(t)
	ok := func(args ...string) map[string]string {
		t.Helper()
		out, code := system(t, py, s.url, args...)
		require.Equal(t, 0, code, "system %s:\n%s", strings.Join(args, " "), out)
		return hostProps(t, out)
	}
	fails := func(args ...string) string {
		t.Helper()
		out, code := system(t, py, s.url, args...)
		require.Equal(t, 1, code, "system %s:\n%s", strings.Join(args, " "), out)
		return out
	}

	p := ok("host-reboot", "worker-0")
	assert.Equal(t, "worker-0", p["hostname"])
	assert.Equal(t, "locked", p["administrative"])
	assert.Equal(t, "Rebooting", p["task"])
	assert.Equal(t, "reboot", p["action"])

	assert.Equal(t, "Host is busy with action reboot\n", fails("host-reset", "worker-0"))
	assert.Equal(t, "controller-0 : Rejected: Can not lock an active controller.\n", fails("host-lock", "controller-0"))
	assert.Equal(t, "Avoiding 'unlock' action on already 'unlocked' host controller-1\n", fails("host-unlock", "controller-1"))
	assert.Equal(t, "Can not 'Reinstall' an 'unlocked' host controller-1; Please 'Lock' first\n", fails("host-reinstall", "controller-1"))
	assert.Equal(t, "Can not 'Power-Off' an 'unlocked' host controller-1; Please 'Lock' first\n", fails("host-power-off", "controller-1"))
	assert.Equal(t, "Can not 'Power-On' an already Powered-on and 'unlocked' host controller-1\n", fails("host-power-on", "controller-1"))
	assert.Equal(t, "Swact action not allowed for a host that is not the active controller\n", fails("host-swact", "controller-1"))
	assert.Equal(t, "host not found: nosuch\n", fails("host-lock", "nosuch"))
	assert.Contains(t, fails("host-lock", "-f", "-u", "controller-1"), "force-unsafe-lock", "names the value")
	assert.Contains(t, fails("host-lock", "-f", "-u", "controller-1"), "action")

	p = ok("host-swact", "controller-0")
	assert.Equal(t, "Swact: In-Progress", p["task"])
	p = ok("host-lock", "controller-1")
	assert.Equal(t, "unlocked", p["administrative"], "locked once the pre-lock hooks are done")
	assert.Equal(t, "Locking", p["task"])
	p = ok("host-lock", "-f", "controller-1")
	assert.Equal(t, "locked", p["administrative"])
	assert.Equal(t, "Force Lock Reset in Progress", p["task"])

	// An action this host maintenance does not know is refused naming
	// it; one it knows goes through.
	for _, v := range []struct{ verb, action, host string }{{"host-unlock", "force-unlock", "worker-0"}, {"host-swact", "force-swact", "controller-0"}} {
		if _, err := hostmgmt.ParseAdminAction(v.action); err != nil {
			assert.Contains(t, fails(v.verb, "-f", v.host), v.action)
		}
	}
}

// TestSystemClientSensors: StarlingX's system host-sensor-list shows the
// last BMC audit's sensors with sysinv's statuses.
func TestSystemClientSensors(t *testing.T) {
	py := testenv.SystemClient(t).Python(t)
	s := newStack(t)
	lim := func(v float64) *float64 { return &v }
	s.mtce.mu.Lock()
	s.mtce.bmc = map[string]*hostmgmt.BMCStatus{"worker-0": {Power: hostmgmt.PowerOn, ReadAt: s.mtce.now, Sensors: []hostmgmt.Sensor{
		{Name: "CPU Temp", Type: hostmgmt.SensorTemperature, Reading: 95, Units: "Cel", Status: hostmgmt.SensorCritical,
			Thresholds: hostmgmt.Thresholds{UpperCritical: lim(90)}},
		{Name: "Fan 1", Type: hostmgmt.SensorFan, Reading: 5200, Units: "RPM", Status: hostmgmt.SensorOK},
	}}}
	s.mtce.mu.Unlock()
	out, code := system(t, py, s.url, "host-sensor-list", "worker-0")
	require.Equal(t, 0, code, out)
	rows := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if !strings.HasPrefix(line, "|") || len(cells) != 5 {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows[cells[1]] = cells
	}
	require.Contains(t, rows, "CPU Temp", out)
	assert.Equal(t, []string{"temperature", "enabled", "critical"}, rows["CPU Temp"][2:])
	assert.Equal(t, []string{"fan", "enabled", "ok"}, rows["Fan 1"][2:])
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, rows["Fan 1"][0])

	out, code = system(t, py, s.url, "host-sensor-list", "controller-0")
	require.Equal(t, 0, code, out)
	assert.NotContains(t, out, "CPU Temp", "a host without an audit has no sensors")
}
