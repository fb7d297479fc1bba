package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
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

	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// TestMaintenanceLinkFetch: the built stx-agent, in front of a real
// stx-controller whose GET /v1/ihosts/{uuid}/mtce_link answers 404 (not
// issued yet): once its report has made the host known, the agent asks
// for the host's link by its uuid with its agent token, and asks again
// after the 404.
func TestMaintenanceLinkFetch(t *testing.T) {
	ctx := t.Context()
	ctrl := testenv.StartController(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "stx-agent")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "build stx-agent: %s", out)

	admin := inventoryhttp.NewClient(ctrl.URL, &inventoryhttp.ClientOptions{Token: ctrl.Token})
	mac := inventorytest.MAC("worker-0")
	h, err := admin.AddHost(ctx, inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker, MgmtMAC: mac})
	require.NoError(t, err)
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

	// The controller's API, with mtce_link answered here.
	target, err := url.Parse(ctrl.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	var asked []string
	reported := false
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/mtce_link") {
			mu.Lock()
			asked = append(asked, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" reported="+map[bool]string{true: "yes", false: "no"}[reported])
			mu.Unlock()
			http.Error(w, `{"error_message":"no maintenance link issued for this host yet"}`, http.StatusNotFound)
			return
		}
		if r.URL.Path == "/v1/ihosts/inventory_report" {
			defer func() {
				mu.Lock()
				reported = true
				mu.Unlock()
			}()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)

	logFile, err := os.Create(filepath.Join(dir, "agent.log"))
	require.NoError(t, err)
	cmd := exec.Command(bin, "--controller", front.URL, "--token-file", tokFile, "--state-dir", filepath.Join(dir, "state"),
		"--applier", "dry-run:"+filepath.Join(dir, "root"), "--report-file", reportFile, "--interval", "1s", "--poll-interval", "200ms",
		"--reboot", "exec", "--goenabled-dir", filepath.Join(dir, "goenabled.d"), "--mgmt-addr", "127.0.0.1")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		err := cmd.Wait()
		if err != nil || t.Failed() {
			log, _ := os.ReadFile(logFile.Name())
			t.Logf("stx-agent log:\n%s", log)
		}
		assert.NoError(t, err, "SIGTERM stops the agent and its maintenance cleanly")
	})

	want := "GET /v1/ihosts/" + h.UUID + "/mtce_link Bearer " + tok.Token + " reported=yes"
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(asked) >= 2
	}, 30*time.Second, 50*time.Millisecond, "the agent asks for its link, and again after the 404")
	mu.Lock()
	defer mu.Unlock()
	for _, a := range asked {
		assert.Equal(t, want, a)
	}
}
