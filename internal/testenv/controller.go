package testenv

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Controller is a real stx-controller process started by StartController.
type Controller struct {
	URL     string // http://127.0.0.1:port
	Token   string // the admin token
	DataDir string
	PID     int // the process id, to read its /proc entries
}

// StartController builds cmd/stx-controller and runs it on a free
// loopback port with a fresh data directory (SQLite) and args added to
// its flags. It is stopped with SIGTERM when the test ends; its log is
// printed if the test failed.
func StartController(t testing.TB, args ...string) *Controller {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "stx-controller")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/edgeflock/flock/cmd/stx-controller").CombinedOutput()
	require.NoError(t, err, "build stx-controller: %s", out)
	addr := "127.0.0.1:" + strconv.Itoa(FreePort(t))
	data := filepath.Join(dir, "data")
	logFile, err := os.Create(filepath.Join(dir, "controller.log"))
	require.NoError(t, err)
	cmd := exec.Command(bin, append([]string{"--listen", addr, "--data-dir", data}, args...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			log, _ := os.ReadFile(logFile.Name())
			t.Logf("stx-controller log:\n%s", log)
		}
	})
	url := "http://" + addr
	require.Eventually(t, func() bool {
		resp, err := http.Get(url + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond, "stx-controller did not become healthy")
	tok, err := os.ReadFile(filepath.Join(data, "admin.token"))
	require.NoError(t, err)
	return &Controller{URL: url, Token: strings.TrimSpace(string(tok)), DataDir: data, PID: cmd.Process.Pid}
}
