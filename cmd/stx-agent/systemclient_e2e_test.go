package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// sysCLI runs StarlingX's system CLI (cgts-client), unchanged, against
// one controller.
type sysCLI struct{ py, url, token string }

// run returns what the CLI printed on stdout and stderr and its exit code.
func (s sysCLI) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), s.py, append([]string{"-m", "cgtsclient.shell", "--system-url", s.url, "--os-auth-token", s.token}, args...)...)
	// A wide terminal so host-show's table does not wrap; an empty HOME
	// so no keyring or config of the user's is read.
	cmd.Env = append(os.Environ(), "COLUMNS=400", "HOME="+t.TempDir(), "CLI_CONFIRMATIONS=")
	cmd.Dir = t.TempDir()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "system %s", strings.Join(args, " "))
		code = exit.ExitCode()
	}
	require.NotContains(t, errOut.String(), "Traceback", "system %s: a client crash, not an answer", strings.Join(args, " "))
	return out.String(), errOut.String(), code
}

// ok runs a verb that must succeed and returns the host table it printed.
func (s sysCLI) ok(t *testing.T, args ...string) map[string]string {
	t.Helper()
	out, errOut, code := s.run(t, args...)
	require.Equal(t, 0, code, "system %s:\n%s%s", strings.Join(args, " "), out, errOut)
	return showProps(t, out)
}

// refused runs a verb that must be refused: exit code 1, nothing on
// stdout; it returns what the CLI printed on stderr.
func (s sysCLI) refused(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := s.run(t, args...)
	require.Equal(t, 1, code, "system %s:\n%s%s", strings.Join(args, " "), out, errOut)
	assert.Empty(t, out, "system %s printed on stdout", strings.Join(args, " "))
	return errOut
}

// showProps parses host-show's Property/Value table.
func showProps(t *testing.T, out string) map[string]string {
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
		switch {
		case k == "Property":
		case k == "":
			m[last] += v // a wrapped value's continuation line
		default:
			m[k], last = v, k
		}
	}
	require.NotEmpty(t, m, "no Property/Value table in %q", out)
	return m
}

// state is a host's admin-oper-avail as host-show prints it.
func state(p map[string]string) string {
	return p["administrative"] + "-" + p["operational"] + "-" + p["availability"]
}

// sysHost is a host run by a real stx-agent set up as
// TestHostMaintenanceE2E's (its agent token and inventory report, a
// dry-run applier, goenabled and host services scripts), except that it
// reboots by exiting (--reboot exit) and the test starts it again, as a
// supervisor would: so the host is really down for a while and the
// controller sees it go offline, as it sees a real host reboot.
type sysHost struct {
	name, state string
	cmd         func() *exec.Cmd
	log         *testenv.LogBuffer

	mu      sync.Mutex
	hold    chan struct{} // non-nil: a reboot stays down until it is closed
	reboots int           // exits on a reboot command
	stop    chan struct{}
	done    chan struct{}
}

// startSysHost issues host's agent token and starts its agent.
func startSysHost(t *testing.T, ctrl *testenv.Controller, bin, dir, host string) *sysHost {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ctrl.URL+"/v1/ihosts/"+host+"/agent_token", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+ctrl.Token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var tok struct{ Token string }
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	dir = filepath.Join(dir, host)
	require.NoError(t, os.MkdirAll(dir, 0o700))
	tokFile := filepath.Join(dir, "agent.token")
	require.NoError(t, os.WriteFile(tokFile, []byte(tok.Token+"\n"), 0o600))
	report, err := json.Marshal(inventorytest.ReportFor(inventorytest.MAC(host)))
	require.NoError(t, err)
	repFile := filepath.Join(dir, "report.json")
	require.NoError(t, os.WriteFile(repFile, report, 0o600))
	genDir, svcDir := filepath.Join(dir, "goenabled.d"), filepath.Join(dir, "services.d")
	require.NoError(t, os.MkdirAll(genDir, 0o700))
	require.NoError(t, os.MkdirAll(svcDir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(genDir, "10-test"), []byte("#!/bin/sh\nexit 0\n"), 0o700))
	h := &sysHost{name: host, state: filepath.Join(dir, "state"), log: &testenv.LogBuffer{}, stop: make(chan struct{}), done: make(chan struct{})}
	h.cmd = func() *exec.Cmd {
		cmd := exec.Command(bin, "--controller", ctrl.URL, "--token-file", tokFile, "--state-dir", h.state,
			"--applier", "dry-run:"+filepath.Join(dir, "root"), "--report-file", repFile,
			"--reboot", "exit", "--goenabled-dir", genDir, "--services-dir", svcDir, "--poll-interval", "200ms")
		cmd.Stdout, cmd.Stderr = h.log, h.log
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		return cmd
	}
	first := h.cmd()
	require.NoError(t, first.Start())
	go h.supervise(first)
	t.Cleanup(func() {
		close(h.stop)
		<-h.done
		if t.Failed() {
			t.Logf("stx-agent of %s:\n%s", host, h.log.Tail(60))
		}
	})
	return h
}

// supervise waits for the agent and starts it again after each reboot
// (exit code agent.RebootExitCode), once the hold, if any, is released.
func (h *sysHost) supervise(cmd *exec.Cmd) {
	defer close(h.done)
	for {
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var err error
		select {
		case <-h.stop:
			_ = cmd.Process.Kill()
			<-exited
			return
		case err = <-exited:
		}
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != agent.RebootExitCode {
			fmt.Fprintf(h.log, "test: the agent exited, not on a reboot: %v\n", err)
			return
		}
		h.mu.Lock()
		h.reboots++
		hold := h.hold
		h.mu.Unlock()
		if hold != nil {
			select {
			case <-h.stop:
				return
			case <-hold:
			}
		}
		cmd = h.cmd()
		if err := cmd.Start(); err != nil {
			fmt.Fprintf(h.log, "test: start the agent again: %v\n", err)
			return
		}
	}
}

// holdReboot keeps the host down after its next reboot until the
// returned function is called.
func (h *sysHost) holdReboot() (release func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	hold := make(chan struct{})
	h.hold = hold
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.hold = nil
		close(hold)
	}
}

// rebootCount is how many times the agent rebooted on a command.
func (h *sysHost) rebootCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reboots
}

// bootID returns the boot id of the agent's simulated boot, "" before
// its first reboot.
func (h *sysHost) bootID(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(h.state, agent.SimBootFile))
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	require.NoError(t, err)
	sb, err := agent.DecodeSimBoot(data)
	require.NoError(t, err)
	return sb.BootID
}

// TestSystemClientE2E runs StarlingX's system CLI (cgts-client),
// unchanged, against a real stx-controller whose hosts run real
// stx-agents: host-unlock, host-lock and host-reboot really happen (the
// agent reboots, the host goes through the enable sequence and comes
// back), the refusal rules answer with exit code 1 and their reason, and
// host-reset, host-power-off and host-power-on on hosts with no BMC do
// what stx-controller does today (which is not yet StarlingX's: see the
// comments there).
func TestSystemClientE2E(t *testing.T) {
	py := testenv.SystemClient(t).Python(t)
	dir := t.TempDir()
	// Offline after 3 s without mtcAlive (the agents send one a second),
	// so that a rebooted host is seen offline soon.
	cfg := filepath.Join(dir, "controller.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf("host_maintenance:\n  listen:\n    mgmt: 127.0.0.1:%d\n  heartbeat:\n    offline_timeout: 3s\n",
		testenv.FreeUDPPort(t))), 0o600))
	ctrl := testenv.StartController(t, "--config", cfg)
	bin := filepath.Join(dir, "stx-agent")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "build stx-agent: %s", out)
	sys := sysCLI{py: py, url: ctrl.URL, token: ctrl.Token}

	// worker-0 and controller-0 (the active controller, stx-controller's
	// default host_maintenance.active_controller) run agents; worker-1
	// has none: it stays offline.
	admin := inventoryhttp.NewClient(ctrl.URL, &inventoryhttp.ClientOptions{Token: ctrl.Token})
	inventorytest.PlatformNetworks(t, admin)
	inventorytest.NewReadyHost(t, admin, "worker-0", inventory.PersonalityWorker)
	inventorytest.NewReadyHost(t, admin, "controller-0", inventory.PersonalityController)
	inventorytest.NewLockedHost(t, admin, "worker-1", inventory.PersonalityWorker)
	w0 := startSysHost(t, ctrl, bin, dir, "worker-0")
	c0 := startSysHost(t, ctrl, bin, dir, "controller-0")

	show := func(host string) map[string]string {
		t.Helper()
		out, errOut, code := sys.run(t, "host-show", host)
		require.Equal(t, 0, code, "system host-show %s:\n%s%s", host, out, errOut)
		return showProps(t, out)
	}
	// wait runs host-show until it shows the host in state (admin-oper-
	// avail) with the task given.
	wait := func(host, want, task string, within time.Duration) map[string]string {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			p := show(host)
			if state(p) == want && p["task"] == task {
				return p
			}
			if time.Now().After(deadline) {
				t.Fatalf("system host-show %s never showed %s with task %q; last: %s task %q", host, want, task, state(p), p["task"])
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// reason is what a refusal prints: the rule's reason and a newline.
	reason := func(args ...string) string {
		t.Helper()
		return strings.TrimSuffix(sys.refused(t, args...), "\n")
	}

	// No BMC provisioned, as StarlingX shows it.
	for _, h := range []string{"worker-0", "worker-1"} {
		p := sys.ok(t, "host-update", h, "bm_type=none")
		assert.Equal(t, "none", p["bm_type"])
	}
	for _, h := range []string{"worker-0", "controller-0"} {
		wait(h, "locked-disabled-online", "", 30*time.Second)
	}
	assert.Equal(t, "locked-disabled-offline", state(show("worker-1")))

	// Locked: the active controller's rule applies to an unlocked
	// controller only; a locked one is simply already locked.
	assert.Equal(t, "Avoiding lock action on already 'locked' host controller-0", reason("host-lock", "controller-0"))
	assert.Equal(t, "Avoiding lock action on already 'locked' host worker-0", reason("host-lock", "worker-0"))
	assert.Equal(t, "Controller is Locked ; No services to Swact", reason("host-swact", "controller-0"))

	// host-unlock: the answer shows the enable under way (the host is
	// rebooted); host-show shows the host in service when it is done.
	for _, h := range []string{"worker-0", "controller-0"} {
		p := sys.ok(t, "host-unlock", h)
		assert.Equal(t, h, p["hostname"])
		assert.Equal(t, "unlocked-disabled-offline", state(p))
		// The answer is the host read after the action began: the
		// agent may have acknowledged the reboot already.
		assert.Contains(t, []string{"Rebooting", "Booting"}, p["task"])
	}
	for _, h := range []string{"worker-0", "controller-0"} {
		wait(h, "unlocked-enabled-available", "", 60*time.Second)
	}
	assert.Equal(t, 1, w0.rebootCount(), "the unlock rebooted worker-0")
	assert.Equal(t, 1, c0.rebootCount(), "the unlock rebooted controller-0")
	boot1 := w0.bootID(t)
	require.NotEmpty(t, boot1)

	// Refusals: exit code 1, the rule's reason on stderr, nothing changed.
	assert.Equal(t, "Can not 'Reset' an 'unlocked' host worker-0; Please 'Lock' first", reason("host-reset", "worker-0"))
	assert.Equal(t, "Can not 'Reboot' an 'unlocked' host worker-0; Please 'Lock' first", reason("host-reboot", "worker-0"))
	assert.Equal(t, "Can not 'Power-Off' an 'unlocked' host worker-0; Please 'Lock' first", reason("host-power-off", "worker-0"))
	assert.Equal(t, "Can not 'Power-On' an already Powered-on and 'unlocked' host worker-0", reason("host-power-on", "worker-0"))
	assert.Equal(t, "Avoiding 'unlock' action on already 'unlocked' host worker-0", reason("host-unlock", "worker-0"))
	assert.Equal(t, "controller-0 : Rejected: Can not lock an active controller.", reason("host-lock", "controller-0"))
	// Without service management (issue 20) there is no standby
	// controller: swact is refused by the rule that needs one.
	assert.Equal(t, "Swact action not allowed: no healthy standby controller", reason("host-swact", "controller-0"))
	assert.Equal(t, "Swact action not allowed for non controller host worker-0.", reason("host-swact", "worker-0"))
	for _, h := range []string{"worker-0", "controller-0"} {
		p := show(h)
		assert.Equal(t, "unlocked-enabled-available", state(p), "%s after the refusals", h)
		assert.Empty(t, p["task"], "%s after the refusals", h)
	}
	assert.Equal(t, boot1, w0.bootID(t), "no refused action rebooted worker-0")

	// host-lock: locked once the pre-lock hooks are done; the host stays
	// up (online), not rebooted. The answer is the host read after the
	// lock began; stx-controller has no pre-lock hooks, so the lock may
	// be done already.
	p := sys.ok(t, "host-lock", "worker-0")
	assert.Contains(t, []string{"unlocked-enabled-available/Locking", "locked-disabled-online/"}, state(p)+"/"+p["task"])
	wait("worker-0", "locked-disabled-online", "", 30*time.Second)
	assert.Equal(t, boot1, w0.bootID(t), "the lock did not reboot worker-0")
	assert.Equal(t, "Swact action not allowed for non controller host worker-0.", reason("host-swact", "worker-0"))

	// host-reboot of the locked host: the agent reboots; the host is
	// seen offline while it is down, online again when it is back.
	release := w0.holdReboot()
	p = sys.ok(t, "host-reboot", "worker-0")
	assert.Equal(t, "locked-disabled-online", state(p))
	assert.Equal(t, "Rebooting", p["task"])
	wait("worker-0", "locked-disabled-offline", "Rebooting", 30*time.Second)
	assert.Equal(t, 2, w0.rebootCount(), "worker-0's agent rebooted on the command")
	release()
	wait("worker-0", "locked-disabled-online", "", 30*time.Second)
	boot2 := w0.bootID(t)
	assert.NotEqual(t, boot1, boot2, "worker-0 booted anew")

	// The BMC actions on hosts with no BMC. StarlingX's sysinv accepts
	// them on a locked host, and its mtce fails them at once (task
	// "Reset Failed - BMC is not provisioned"); stx-controller refuses
	// them up front with mtce's words, and nothing happens to the host.
	for _, c := range []struct{ verb, host string }{
		{"host-reset", "worker-0"}, {"host-power-off", "worker-0"}, {"host-power-on", "worker-0"},
		{"host-reinstall", "worker-0"}, {"host-power-off", "worker-1"},
	} {
		assert.Equal(t, "Request Failed, Management Controller Not Provisioned", reason(c.verb, c.host), "%s %s", c.verb, c.host)
	}
	p = show("worker-0")
	assert.Equal(t, "locked-disabled-online", state(p))
	assert.Empty(t, p["task"])
	assert.Equal(t, "locked-disabled-offline", state(show("worker-1")))
	assert.Equal(t, boot2, w0.bootID(t), "no BMC: the reset did not reboot worker-0")
	assert.Equal(t, 2, w0.rebootCount(), "no BMC: the reset did not reboot worker-0")
}
