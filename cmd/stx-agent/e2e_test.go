package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// TestEndToEnd: a real stx-controller and the built stx-agent. An admin
// adds a host and issues its agent token; the agent reports the host's
// hardware and applies its configuration; an operator's change marks the
// host out of date (alarm 250.001) and the agent applying it clears it.
func TestEndToEnd(t *testing.T) {
	ctx := t.Context()
	ctrl := testenv.StartController(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "stx-agent")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "build stx-agent: %s", out)

	admin := inventoryhttp.NewClient(ctrl.URL, &inventoryhttp.ClientOptions{Token: ctrl.Token})
	alarms := faulthttp.NewClient(ctrl.URL, &faulthttp.ClientOptions{Token: ctrl.Token})
	mac := inventorytest.MAC("worker-0")
	h, err := admin.AddHost(ctx, inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker, MgmtMAC: mac})
	require.NoError(t, err)

	// The admin's call: POST /v1/ihosts/worker-0/agent_token.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ctrl.URL+"/v1/ihosts/worker-0/agent_token", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+ctrl.Token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var tok struct{ Token string }
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	tokFile := filepath.Join(dir, "agent.token")
	require.NoError(t, os.WriteFile(tokFile, []byte(tok.Token+"\n"), 0o600))

	report, err := json.Marshal(inventorytest.ReportFor(mac, inventorytest.WithHostname("worker-0")))
	require.NoError(t, err)
	reportFile := filepath.Join(dir, "report.json")
	require.NoError(t, os.WriteFile(reportFile, report, 0o600))
	stateDir, root := filepath.Join(dir, "state"), filepath.Join(dir, "root")

	startAgent := func() func() {
		t.Helper()
		logFile, err := os.Create(filepath.Join(dir, "agent.log"))
		require.NoError(t, err)
		cmd := exec.Command(bin, "--controller", ctrl.URL, "--token-file", tokFile, "--state-dir", stateDir,
			"--applier", "dry-run:"+root, "--report-file", reportFile, "--interval", "1s", "--poll-interval", "200ms")
		cmd.Stdout, cmd.Stderr = logFile, logFile
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		require.NoError(t, cmd.Start())
		stopped := false
		stop := func() {
			if stopped {
				return
			}
			stopped = true
			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			err := cmd.Wait()
			if err != nil || t.Failed() {
				log, _ := os.ReadFile(logFile.Name())
				t.Logf("stx-agent log:\n%s", log)
			}
			assert.NoError(t, err, "SIGTERM stops the agent cleanly")
		}
		t.Cleanup(stop)
		return stop
	}
	outOfDate := func() []fault.Alarm {
		as, err := alarms.ListAlarms(ctx, fault.AlarmQuery{AlarmID: "250.001"})
		require.NoError(t, err)
		return as
	}
	current := func() bool {
		got, err := admin.GetHost(ctx, h.UUID)
		require.NoError(t, err)
		return got.ConfigTarget != "" && got.ConfigApplied == got.ConfigTarget && len(outOfDate()) == 0
	}

	stop := startAgent()
	// The host's hardware appears, and its configuration is applied.
	require.Eventually(t, func() bool {
		cpus, err := admin.ListCPUs(ctx, h.UUID)
		require.NoError(t, err)
		return len(cpus) == 16
	}, 30*time.Second, 50*time.Millisecond, "the agent's report")
	disks, err := admin.ListDisks(ctx, h.UUID)
	require.NoError(t, err)
	assert.Len(t, disks, 2)
	require.Eventually(t, current, 30*time.Second, 50*time.Millisecond, "the agent applies its configuration")
	stop()

	// An operator's change while the agent is stopped: out of date.
	_, err = admin.AssignLabels(ctx, h.UUID, map[string]string{"sriov": "enabled"}, false)
	require.NoError(t, err)
	got, err := admin.GetHost(ctx, h.UUID)
	require.NoError(t, err)
	require.Equal(t, inventory.ConfigOutOfDate, got.ConfigStatus)
	as := outOfDate()
	require.Len(t, as, 1, "250.001 raised")
	assert.Equal(t, "host=worker-0", as[0].EntityInstanceID)

	// The agent, restarted, applies it and the alarm clears.
	startAgent()
	require.Eventually(t, current, 30*time.Second, 50*time.Millisecond, "the agent applies the change")
	got, err = admin.GetHost(ctx, h.UUID)
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(stateDir, agent.StateFile))
	require.NoError(t, err)
	st, err := agent.DecodeState(data)
	require.NoError(t, err)
	assert.Equal(t, got.ConfigTarget, st.AppliedConfig, "the state file records what was applied")

	// A new disk is reported at the next poll.
	report, err = json.Marshal(inventorytest.ReportFor(mac, inventorytest.WithHostname("worker-0"), inventorytest.WithDisks(3)))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(reportFile+".tmp", report, 0o600))
	require.NoError(t, os.Rename(reportFile+".tmp", reportFile))
	require.Eventually(t, func() bool {
		disks, err := admin.ListDisks(ctx, h.UUID)
		require.NoError(t, err)
		return len(disks) == 3
	}, 30*time.Second, 50*time.Millisecond, "the new disk")
}
