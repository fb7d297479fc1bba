package testenv

import (
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Controller is a real stx-controller process started by StartController.
type Controller struct {
	URL     string // http://127.0.0.1:port (or the ip of StartControllerAt)
	Token   string // the admin token
	DataDir string
	PID     int // the process id, to read its /proc entries

	bin, addr, log string
	args           []string
	cmd            *exec.Cmd
	done           chan error
}

// StartController builds cmd/stx-controller and runs it on a free
// loopback port with a fresh data directory (SQLite) and args added to
// its flags. It is stopped with SIGTERM when the test ends; its log is
// printed if the test failed.
func StartController(t testing.TB, args ...string) *Controller {
	t.Helper()
	return startController(t, "127.0.0.1", args...)
}

// StartControllerAt is StartController with the REST API on a free port
// of ip rather than of 127.0.0.1: the address agents in other network
// namespaces reach it at (NetLab.ServerIP).
func StartControllerAt(t testing.TB, ip netip.Addr, args ...string) *Controller {
	t.Helper()
	return startController(t, ip.String(), args...)
}

func startController(t testing.TB, ip string, args ...string) *Controller {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "stx-controller")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/edgeflock/flock/cmd/stx-controller").CombinedOutput()
	require.NoError(t, err, "build stx-controller: %s", out)
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	require.NoError(t, err, "free port on %s", ip)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	c := &Controller{
		bin: bin, addr: addr, args: args,
		DataDir: filepath.Join(dir, "data"), log: filepath.Join(dir, "controller.log"),
	}
	c.URL = "http://" + c.addr
	c.Start(t)
	t.Cleanup(func() {
		if c.cmd != nil {
			_ = c.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-c.done:
			case <-time.After(20 * time.Second):
				_ = c.cmd.Process.Kill()
				<-c.done
			}
		}
		if t.Failed() {
			log, _ := os.ReadFile(c.log)
			t.Logf("stx-controller log:\n%s", log)
		}
	})
	tok, err := os.ReadFile(filepath.Join(c.DataDir, "admin.token"))
	require.NoError(t, err)
	c.Token = strings.TrimSpace(string(tok))
	return c
}

// Start starts the controller again (after Kill) on the same address,
// data directory and flags, and waits until it is healthy.
func (c *Controller) Start(t testing.TB) {
	t.Helper()
	require.Nil(t, c.cmd, "the controller is running")
	logFile, err := os.OpenFile(c.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	require.NoError(t, err)
	defer logFile.Close()
	cmd := exec.Command(c.bin, append([]string{"--listen", c.addr, "--data-dir", c.DataDir}, c.args...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, cmd.Start())
	c.cmd, c.done, c.PID = cmd, make(chan error, 1), cmd.Process.Pid
	go func(done chan error) { done <- cmd.Wait() }(c.done)
	require.Eventually(t, func() bool {
		resp, err := http.Get(c.URL + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond, "stx-controller did not become healthy")
}

// Kill kills the controller with SIGKILL (kill -9) and waits for it to
// be gone.
func (c *Controller) Kill(t testing.TB) {
	t.Helper()
	require.NotNil(t, c.cmd, "the controller is not running")
	require.NoError(t, c.cmd.Process.Kill())
	<-c.done
	c.cmd = nil
}
