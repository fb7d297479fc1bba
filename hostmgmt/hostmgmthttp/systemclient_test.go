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
