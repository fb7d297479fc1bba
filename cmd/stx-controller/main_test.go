package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
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

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/stx"
)

// binDir holds the binary that the tests build once and share.
var binDir string

func TestMain(m *testing.M) {
	var err error
	if binDir, err = os.MkdirTemp("", "stx-controller-test"); err != nil {
		panic(err)
	}
	code := m.Run()
	_ = os.RemoveAll(binDir)
	os.Exit(code)
}

var buildOnce = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(binDir, "stx-controller")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w\n%s", err, out)
	}
	return bin, nil
})

// buildController builds ./cmd/stx-controller (once per test binary).
func buildController(t *testing.T) string {
	t.Helper()
	bin, err := buildOnce()
	require.NoError(t, err)
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

// TestControllerServerConfig: the YAML server block sets the server's
// options, a flag given wins over it, and what is not given stays zero
// (stx.NewServer's defaults).
func TestControllerServerConfig(t *testing.T) {
	cfgFile := filepath.Join(t.TempDir(), "controller.yaml")
	require.NoError(t, os.WriteFile(cfgFile, []byte(`server:
  read_timeout: 3s
  write_timeout: 1m
  max_conns: 100
  shutdown_grace: 2s
  max_header_bytes: 32768
`), 0o600))
	cfg, _, err := config([]string{"--config", cfgFile, "--max-conns", "50", "--idle-timeout", "30s"})
	require.NoError(t, err)
	assert.Equal(t, stx.ServerOptions{
		ReadTimeout: 3 * time.Second, WriteTimeout: time.Minute, MaxConns: 50, ShutdownGrace: 2 * time.Second,
		MaxHeaderBytes: 32768, IdleTimeout: 30 * time.Second,
	}, cfg.Server)

	for _, tt := range []struct {
		name  string
		args  []string
		yaml  string
		field string
	}{
		{"negative flag", []string{"--read-timeout", "-1s"}, "", "server.read_timeout"},
		{"negative cap in the file", nil, "server: {max_conns: -5}\n", "server.max_conns"},
		{"unknown server option", nil, "server: {max_connections: 5}\n", "max_connections"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.yaml != "" {
				f := filepath.Join(t.TempDir(), "c.yaml")
				require.NoError(t, os.WriteFile(f, []byte(tt.yaml), 0o600))
				args = append(args, "--config", f)
			}
			_, _, err := config(args)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.field)
		})
	}
}

// TestControllerRefusesUnsafeTokens: the binary does not start with an
// admin token file others can read (and says how to fix it), nor with a
// short token in the file or in auth.tokens.
func TestControllerRefusesUnsafeTokens(t *testing.T) {
	long := strings.Repeat("t", 64)
	tests := []struct {
		name, token string
		mode        os.FileMode
		yaml        string
		want        string
	}{
		{"token file readable by others", long, 0o644, "", "chmod 600 "},
		{"short token file", "0123456789", 0o600, "", "at least 32"},
		{"short token in auth.tokens", long, 0o600, "auth:\n  tokens:\n    - {token: reader-1234, role: reader}\n", "auth.tokens[0].token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tokFile := filepath.Join(dir, "admin.token")
			require.NoError(t, os.WriteFile(tokFile, []byte(tt.token+"\n"), 0o600))
			require.NoError(t, os.Chmod(tokFile, tt.mode))
			args := []string{"--data-dir", dir, "--listen", "127.0.0.1:0"}
			if tt.yaml != "" {
				f := filepath.Join(dir, "c.yaml")
				require.NoError(t, os.WriteFile(f, []byte(tt.yaml), 0o600))
				args = append(args, "--config", f)
			}
			err := run(args)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			if tt.mode&0o077 != 0 {
				assert.Contains(t, err.Error(), "chmod 600 "+tokFile)
			}
		})
	}
}

// TestREADMEConfig: the README's example config is one stx-controller
// reads, and the server values it calls the defaults are.
func TestREADMEConfig(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "## Configuring stx-controller")
	require.True(t, ok)
	_, block, ok := strings.Cut(section, "```yaml\n")
	require.True(t, ok)
	block, _, ok = strings.Cut(block, "```")
	require.True(t, ok)
	f := filepath.Join(t.TempDir(), "controller.yaml")
	require.NoError(t, os.WriteFile(f, []byte(block), 0o600))
	cfg, _, err := config([]string{"--config", f})
	require.NoError(t, err)
	assert.Equal(t, stx.ServerOptions{
		ReadHeaderTimeout: stx.DefaultReadHeaderTimeout, ReadTimeout: stx.DefaultReadTimeout,
		WriteTimeout: stx.DefaultWriteTimeout, IdleTimeout: stx.DefaultIdleTimeout,
		MaxHeaderBytes: stx.DefaultMaxHeaderBytes, MaxConns: stx.DefaultMaxConns, ShutdownGrace: stx.DefaultShutdownGrace,
	}, cfg.Server)
}
