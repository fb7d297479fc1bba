package main

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/stx"
)

func buildController(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "stx-controller")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// start runs the controller and waits until it serves.
func start(t *testing.T, bin string, args ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "stx-controller serving") {
			return cmd, sc
		}
	}
	_ = cmd.Process.Kill()
	t.Fatal("stx-controller did not start")
	return nil, nil
}

// TestControllerConfigAndGracefulStop starts the binary from a YAML
// config, raises an alarm over REST, stops it with SIGTERM (exit 0), and
// finds the alarm again after a restart.
func TestControllerConfigAndGracefulStop(t *testing.T) {
	bin := buildController(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := filepath.Join(dir, "controller.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("listen: "+addr+"\ndata_dir: "+dir+"\nfault:\n  event_log_size: 100\n"), 0o600))
	cmd, sc := start(t, bin, "--config", cfg)
	tok, err := stx.EnsureTokenFile(filepath.Join(dir, "admin.token"))
	require.NoError(t, err)
	c := faulthttp.NewClient("http://"+addr, &faulthttp.ClientOptions{Token: tok})
	u, err := c.SetAlarm(t.Context(), faulttest.CPUAlarm("controller-0", fault.SeverityMajor))
	require.NoError(t, err)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	stopped := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "stx-controller stopping") {
			stopped = true
		}
	}
	require.NoError(t, cmd.Wait(), "a SIGTERM stop exits 0")
	assert.True(t, stopped)

	cmd, _ = start(t, bin, "--config", cfg)
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	a, err := c.GetAlarm(ctx, u)
	require.NoError(t, err)
	assert.Equal(t, "host=controller-0", a.EntityInstanceID)
}

func TestControllerRejectsBadConfig(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte("listen: 127.0.0.1:0\ncolour: red\n"), 0o600))
	err := run([]string{"--config", cfg})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "colour")
	assert.Error(t, run([]string{"--log-level", "loud", "--data-dir", t.TempDir()}))
}
