package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorytest"
	"github.com/edgeflock/flock/patching"
)

// TestSoftwareE2E: a real stx-controller with software management and
// two real stx-agents, each installing into its own root, driven by the
// stx CLI as an operator would: build and upload a signed release,
// precheck, start, deploy each host, activate, complete; then a second
// release deployed to one host and rolled back. `stx software list` and
// `deploy host-list` show the states at each step, and the hosts' roots
// hold what the controller says.
func TestSoftwareE2E(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	keysDir := filepath.Join(dir, "keys")
	require.NoError(t, os.MkdirAll(keysDir, 0o700))
	key, err := patching.GenerateKey(nil)
	require.NoError(t, err)
	signer := filepath.Join(dir, "signer")
	require.NoError(t, patching.WriteKey(signer, key))
	pub, err := os.ReadFile(signer + ".pub")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(keysDir, "release.pub"), pub, 0o644))

	ctrl := testenv.StartController(t, "--software-keys", keysDir)
	agentBin := filepath.Join(dir, "stx-agent")
	stxBin := filepath.Join(dir, "stx")
	for bin, pkg := range map[string]string{agentBin: ".", stxBin: "../stx"} {
		out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput()
		require.NoError(t, err, "build %s: %s", pkg, out)
	}
	stx := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(stxBin, append([]string{"--url", ctrl.URL, "--token", ctrl.Token}, args...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "stx %s: %s", strings.Join(args, " "), out)
		return string(out)
	}
	// stxFails runs a verb that must fail and returns its output.
	stxFails := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(stxBin, append([]string{"--url", ctrl.URL, "--token", ctrl.Token}, args...)...).CombinedOutput()
		require.Error(t, err, "stx %s: %s", strings.Join(args, " "), out)
		return string(out)
	}
	admin := inventoryhttp.NewClient(ctrl.URL, &inventoryhttp.ClientOptions{Token: ctrl.Token})

	hosts := []string{"worker-0", "worker-1"}
	roots := map[string]string{}
	for _, h := range hosts {
		mac := inventorytest.MAC(h)
		_, err := admin.AddHost(ctx, inventory.HostSpec{Hostname: h, Personality: inventory.PersonalityWorker, MgmtMAC: mac})
		require.NoError(t, err)
		tok := issueAgentToken(t, ctrl.URL, ctrl.Token, h)
		hdir := filepath.Join(dir, h)
		require.NoError(t, os.MkdirAll(hdir, 0o700))
		tokFile := filepath.Join(hdir, "agent.token")
		require.NoError(t, os.WriteFile(tokFile, []byte(tok+"\n"), 0o600))
		report, err := json.Marshal(inventorytest.ReportFor(mac, inventorytest.WithHostname(h)))
		require.NoError(t, err)
		reportFile := filepath.Join(hdir, "report.json")
		require.NoError(t, os.WriteFile(reportFile, report, 0o600))
		roots[h] = filepath.Join(hdir, "software")
		logFile, err := os.Create(filepath.Join(hdir, "agent.log"))
		require.NoError(t, err)
		cmd := exec.Command(agentBin, "--controller", ctrl.URL, "--token-file", tokFile, "--state-dir", filepath.Join(hdir, "state"),
			"--report-file", reportFile, "--hostname", h, "--mtce=false", "--interval", "1s",
			"--software-root", roots[h], "--software-keys", keysDir, "--software-interval", "200ms")
		cmd.Stdout, cmd.Stderr = logFile, logFile
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		require.NoError(t, cmd.Start())
		t.Cleanup(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			_ = cmd.Wait()
			if t.Failed() {
				b, _ := os.ReadFile(logFile.Name())
				t.Logf("%s's agent log:\n%s", h, testenv.Tail(string(b), 40))
			}
		})
	}

	release := func(id, requires string) string {
		src := filepath.Join(dir, "src-"+id)
		require.NoError(t, os.MkdirAll(filepath.Join(src, "content", "etc"), 0o755))
		meta := fmt.Sprintf("id: %s\nsw_version: \"1.0\"\nstatus: REL\nsummary: %s\nreboot_required: N\n", id, id)
		if requires != "" {
			meta += "requires: [" + requires + "]\n"
		}
		require.NoError(t, os.WriteFile(filepath.Join(src, "metadata.yaml"), []byte(meta), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(src, "content", "etc", "flock-release"), []byte(id+"\n"), 0o644))
		out := filepath.Join(dir, id+".tar")
		stx("software", "build", src, "--key", signer, "-o", out)
		return out
	}
	// row finds the table row that mentions what and returns it.
	row := func(table, what string) string {
		for _, l := range strings.Split(table, "\n") {
			if strings.Contains(l, what) {
				return l
			}
		}
		return ""
	}
	waitHosts := func(state string, hs ...string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			out := stx("software", "deploy", "host-list")
			ok := true
			for _, h := range hs {
				f := strings.Fields(row(out, h))
				ok = ok && len(f) > 0 && f[len(f)-1] == state
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("hosts %v not %s:\n%s", hs, state, out)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	current := func(h string) string {
		b, err := os.ReadFile(filepath.Join(roots[h], "sw", "current", "etc", "flock-release"))
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	}

	rel1 := release("FLOCK-1.0-P1", "")
	assert.Contains(t, stx("software", "upload", rel1), "FLOCK-1.0-P1")
	assert.Contains(t, row(stx("software", "list"), "FLOCK-1.0-P1"), "available")
	// The hosts are locked and not yet enabled (no host maintenance in
	// this test): the pre-check says so, and the start is forced.
	pre := stxFails("software", "deploy", "precheck", "FLOCK-1.0-P1")
	assert.Contains(t, row(pre, "All hosts are unlocked/enabled"), "Fail")
	assert.Contains(t, row(pre, "Valid upgrade path"), "OK")
	assert.Contains(t, stxFails("software", "deploy", "start", "FLOCK-1.0-P1"), "pre-check")
	stx("software", "deploy", "start", "FLOCK-1.0-P1", "-f")
	assert.Contains(t, row(stx("software", "list"), "FLOCK-1.0-P1"), "deploying")
	waitHosts("pending", hosts...)
	for _, h := range hosts {
		stx("software", "deploy", "host", h)
	}
	waitHosts("deployed", hosts...)
	for _, h := range hosts {
		assert.Equal(t, "FLOCK-1.0-P1", current(h), h)
	}
	assert.Contains(t, stx("software", "deploy", "show"), "host-done")
	stx("software", "deploy", "activate")
	stx("software", "deploy", "complete")
	assert.Contains(t, row(stx("software", "list"), "FLOCK-1.0-P1"), "deployed")
	stx("software", "deploy", "delete")

	// The second release, on worker-0 only, then rolled back.
	rel2 := release("FLOCK-1.0-P2", "FLOCK-1.0-P1")
	stx("software", "upload", rel2)
	stx("software", "deploy", "start", "FLOCK-1.0-P2", "-f")
	stx("software", "deploy", "host", "worker-0")
	waitHosts("deployed", "worker-0")
	assert.Equal(t, "FLOCK-1.0-P2", current("worker-0"))
	assert.Equal(t, "FLOCK-1.0-P1", current("worker-1"))
	stx("software", "deploy", "abort")
	stx("software", "deploy", "host-rollback", "worker-0")
	waitHosts("rollback-deployed", hosts...)
	assert.Equal(t, "FLOCK-1.0-P1", current("worker-0"))
	assert.Contains(t, stx("software", "deploy", "show"), "host-rollback-done")
	assert.Contains(t, row(stx("software", "list"), "FLOCK-1.0-P2"), "available")
	stx("software", "deploy", "delete")
}

// issueAgentToken is the admin's POST /v1/ihosts/{host}/agent_token.
func issueAgentToken(t *testing.T, url, admin, host string) string {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url+"/v1/ihosts/"+host+"/agent_token", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	var tok struct{ Token string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	return tok.Token
}
