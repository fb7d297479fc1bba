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

	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/hwdiscovery"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
)

// BenchmarkAgentIdle runs the real stx-agent, discovering this machine's
// hardware, against a real stx-controller, waits until it has reported
// and applied its configuration, and measures it between discoveries
// (it still polls every 5 s for hardware changes): one op is 10 s of
// its life. Metrics: its resident memory (rss-MiB) and the share of one
// core it used (cpu-%).
func BenchmarkAgentIdle(b *testing.B) {
	ctx := b.Context()
	ctrl := testenv.StartController(b)
	dir := b.TempDir()
	bin := filepath.Join(dir, "stx-agent")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build stx-agent: %v: %s", err, out)
	}
	// The MAC the agent will identify this machine by.
	facts, err := hwdiscovery.New(os.DirFS("/"), nil).Discover(ctx)
	if err != nil {
		b.Fatal(err)
	}
	mac := facts.Report("").MgmtMAC
	if mac == "" {
		b.Fatal("this machine has no Ethernet port to identify it by")
	}
	admin := inventoryhttp.NewClient(ctrl.URL, &inventoryhttp.ClientOptions{Token: ctrl.Token})
	if _, err := admin.AddHost(ctx, inventory.HostSpec{Hostname: "controller-0", Personality: inventory.PersonalityController,
		MgmtMAC: mac}); err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ctrl.URL+"/v1/ihosts/controller-0/agent_token", nil)
	req.Header.Set("Authorization", "Bearer "+ctrl.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var tok struct{ Token string }
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	tokFile := filepath.Join(dir, "agent.token")
	if err := os.WriteFile(tokFile, []byte(tok.Token+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "--controller", ctrl.URL, "--token-file", tokFile, "--state-dir", filepath.Join(dir, "state"),
		"--applier", "dry-run:"+filepath.Join(dir, "root"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		h, err := admin.GetHost(ctx, "controller-0")
		if err == nil && h.ConfigTarget != "" && h.ConfigApplied == h.ConfigTarget {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the agent did not report and apply its configuration")
		}
		time.Sleep(100 * time.Millisecond)
	}
	pid := cmd.Process.Pid
	var cpu time.Duration
	for b.Loop() {
		t0, err := testenv.CPUTime(pid)
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(10 * time.Second)
		t1, err := testenv.CPUTime(pid)
		if err != nil {
			b.Fatal(err)
		}
		cpu += t1 - t0
	}
	rss, err := testenv.RSS(pid)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(100*cpu.Seconds()/b.Elapsed().Seconds(), "cpu-%")
	b.ReportMetric(float64(rss)/(1<<20), "rss-MiB")
}
