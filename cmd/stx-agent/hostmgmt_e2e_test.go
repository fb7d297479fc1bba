package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmthttp"
	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// agentProc is a real stx-agent process.
type agentProc struct {
	args []string
	bin  string
	log  *testenv.LogBuffer
	cmd  *exec.Cmd
	done chan error
}

func (a *agentProc) start(t *testing.T) {
	t.Helper()
	cmd := exec.Command(a.bin, a.args...)
	cmd.Stdout, cmd.Stderr = a.log, a.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, cmd.Start())
	a.cmd, a.done = cmd, make(chan error, 1)
	go func(done chan error) { done <- cmd.Wait() }(a.done)
}

func (a *agentProc) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, a.cmd.Process.Kill())
	<-a.done
	a.cmd = nil
}

// TestHostMaintenanceE2E drives host maintenance end to end on real
// processes and real UDP: a real stx-controller and a real stx-agent
// (rebooting by re-executing itself). The host comes online by its
// mtcAlive, is unlocked through the enable sequence (reboot, goenabled,
// host services, heartbeat soak), fails when its agent is killed and
// comes back gracefully, without a reboot, when it is started again; and
// an enable interrupted by kill -9 of the controller resumes after the
// restart without a second reboot.
func TestHostMaintenanceE2E(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "controller.yaml")
	hbPort := testenv.FreeUDPPort(t)
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf("host_maintenance:\n  listen:\n    mgmt: 127.0.0.1:%d\n", hbPort)), 0o600))
	ctrl := testenv.StartController(t, "--config", cfg)
	bin := filepath.Join(dir, "stx-agent")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "build stx-agent: %s", out)

	admin := inventoryhttp.NewClient(ctrl.URL, &inventoryhttp.ClientOptions{Token: ctrl.Token})
	inventorytest.PlatformNetworks(t, admin)
	h := inventorytest.NewReadyHost(t, admin, "worker-0", inventory.PersonalityWorker)
	mac := inventorytest.MAC("worker-0")

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
	report, err := json.Marshal(inventorytest.ReportFor(mac))
	require.NoError(t, err)
	reportFile := filepath.Join(dir, "report.json")
	require.NoError(t, os.WriteFile(reportFile, report, 0o600))

	// goenabled runs one test, slow while the file "slow" exists.
	genDir, svcDir, state := filepath.Join(dir, "goenabled.d"), filepath.Join(dir, "services.d"), filepath.Join(dir, "state")
	require.NoError(t, os.MkdirAll(genDir, 0o700))
	require.NoError(t, os.MkdirAll(svcDir, 0o700))
	slow := filepath.Join(dir, "slow")
	script := fmt.Sprintf("#!/bin/sh\necho run >> %s/goenabled.log\nif [ -e %s ]; then sleep 4; fi\nexit 0\n", dir, slow)
	require.NoError(t, os.WriteFile(filepath.Join(genDir, "10-test"), []byte(script), 0o700))

	ag := &agentProc{bin: bin, log: &testenv.LogBuffer{}, args: []string{
		"--controller", ctrl.URL, "--token-file", tokFile, "--state-dir", state,
		"--applier", "dry-run:" + filepath.Join(dir, "root"), "--report-file", reportFile,
		"--reboot", "exec", "--goenabled-dir", genDir, "--services-dir", svcDir, "--poll-interval", "200ms",
	}}
	ag.start(t)
	t.Cleanup(func() {
		if ag.cmd != nil {
			ag.kill(t)
		}
		if t.Failed() {
			t.Logf("stx-agent log:\n%s", ag.log.Tail(80))
		}
	})
	mt := hostmgmthttp.NewClient(ctrl.URL, &hostmgmthttp.ClientOptions{Token: ctrl.Token})
	wait := func(what string, within time.Duration, ok func(hostmgmt.HostState) bool) hostmgmt.HostState {
		t.Helper()
		var last hostmgmt.HostState
		if !assert.Eventually(t, func() bool {
			hs, err := mt.GetHostState(ctx, h.UUID)
			if err != nil {
				return false
			}
			last = hs
			return ok(hs)
		}, within, 20*time.Millisecond) {
			js, _ := json.Marshal(last)
			t.Fatalf("%s: never happened; last state %s", what, js)
		}
		return last
	}
	idleIn := func(avail inventory.Availability) func(hostmgmt.HostState) bool {
		return func(hs hostmgmt.HostState) bool { return hs.Stage == hostmgmt.StageIdle && hs.Availability == avail }
	}
	bootID := func() string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(state, "sim-boot.json"))
		require.NoError(t, err)
		sb, err := agent.DecodeSimBoot(data)
		require.NoError(t, err)
		return sb.BootID
	}

	wait("online by mtcAlive", 30*time.Second, idleIn(inventory.AvailOnline))
	_, err = mt.Act(ctx, "worker-0", hostmgmt.ActionUnlock)
	require.NoError(t, err)
	hs := wait("unlocked-enabled-available", 60*time.Second, idleIn(inventory.AvailAvailable))
	assert.Equal(t, inventory.OperEnabled, hs.Operational)
	ih, err := admin.GetHost(ctx, h.UUID)
	require.NoError(t, err)
	assert.Equal(t, "unlocked-enabled-available", string(ih.Administrative)+"-"+string(ih.Operational)+"-"+string(ih.Availability))
	boot1 := bootID()

	// kill -9 of the agent: heartbeat loss fails the host; the agent
	// back within the recovery window brings it back without a reboot.
	ag.kill(t)
	wait("failed on heartbeat loss", 10*time.Second, func(hs hostmgmt.HostState) bool { return hs.Availability == inventory.AvailFailed })
	ag.start(t)
	hs = wait("graceful recovery", 60*time.Second, idleIn(inventory.AvailAvailable))
	assert.Equal(t, boot1, bootID(), "recovered without a reboot")
	assert.Equal(t, 1, hs.GracefulRecoveries)

	// kill -9 of the controller in the middle of an enable.
	require.NoError(t, os.WriteFile(slow, nil, 0o600))
	_, err = mt.Act(ctx, "worker-0", hostmgmt.ActionLock)
	require.NoError(t, err)
	wait("locked", 30*time.Second, idleIn(inventory.AvailOnline))
	_, err = mt.Act(ctx, "worker-0", hostmgmt.ActionUnlock)
	require.NoError(t, err)
	wait("in the in-service tests", 60*time.Second, func(hs hostmgmt.HostState) bool { return hs.Stage == hostmgmt.StageGoenabledWait })
	boot2 := bootID()
	require.NotEqual(t, boot1, boot2, "the unlock rebooted the host")
	ctrl.Kill(t)
	ctrl.Start(t)
	require.NoError(t, os.Remove(slow))
	hs = wait("the resumed enable", 60*time.Second, idleIn(inventory.AvailAvailable))
	assert.Equal(t, boot2, bootID(), "the reboot was not repeated after the controller's restart")
	runs, err := os.ReadFile(filepath.Join(dir, "goenabled.log"))
	require.NoError(t, err)
	n := bytes.Count(runs, []byte("run"))
	assert.GreaterOrEqual(t, n, 3, "goenabled ran for the first enable and again for the resumed one: %d runs", n)
	t.Logf("goenabled runs: %s", strconv.Itoa(n))
}
