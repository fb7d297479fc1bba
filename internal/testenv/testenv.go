// Package testenv starts the real components that Flock's tests run
// against (PostgreSQL, snmptrapd ...) as child processes of the test binary:
// on 127.0.0.1, on free ports, in temporary directories, stopped in
// t.Cleanup and killed with the test binary if it dies (Pdeathsig).
//
// Under CI=true a component that cannot start fails the test; elsewhere the
// test is skipped with a message saying how to install the component.
//
// The starters of components whose client libraries are heavy (Kubernetes,
// Ceph, libvirt, OpenStack Keystone) live beside the engines in
// their own modules under engines/ and build on this package's Start,
// WaitFor, Output and Missing.
package testenv

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// InCI reports whether the tests run under CI (CI=true).
func InCI() bool { return os.Getenv("CI") == "true" }

// Missing reports that a component is unavailable: a failure under CI, a
// skip elsewhere.
func Missing(t testing.TB, component, install string, err error) {
	t.Helper()
	msg := fmt.Sprintf("%s is not available (%v); install it with: %s", component, err, install)
	if InCI() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: free udp port: %v", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// Proc is a started component process.
type Proc struct {
	Name string
	Cmd  *exec.Cmd
	Log  *LogBuffer
	// Exited is closed when the process has exited.
	Exited <-chan struct{}
	// Grace is how long the cleanup waits after SIGTERM before SIGKILL
	// (default 10 s); set it after Start for daemons slow to stop.
	Grace time.Duration
}

// LogBuffer keeps a process's output for failure reports.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Tail returns the last n lines.
func (l *LogBuffer) Tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Tail(l.buf.String(), n)
}

// Start starts a component process that dies with the test binary and is
// killed in t.Cleanup. cred, if not nil, runs it as that user.
func Start(t testing.TB, name string, cred *syscall.Credential, bin string, args ...string) (*Proc, error) {
	t.Helper()
	return start(t, name, cred, nil, bin, args...)
}

// StartEnv is Start with env as the process's environment.
func StartEnv(t testing.TB, name string, env []string, bin string, args ...string) (*Proc, error) {
	t.Helper()
	return start(t, name, nil, env, bin, args...)
}

func start(t testing.TB, name string, cred *syscall.Credential, env []string, bin string, args ...string) (*Proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	log := &LogBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true, Credential: cred}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	exited := make(chan struct{})
	p := &Proc{Name: name, Cmd: cmd, Log: log, Exited: exited, Grace: 10 * time.Second}
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(p.Grace):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})
	return p, nil
}

// WaitFor polls ready every 50 ms until it returns nil or timeout passes;
// the error carries the process's log tail.
func WaitFor(p *Proc, timeout time.Duration, ready func() error) error {
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if err = ready(); err == nil {
			return nil
		}
		select {
		case <-p.Exited:
			return fmt.Errorf("%s exited: %v\n--- %s log tail ---\n%s", p.Name, err, p.Name, p.Log.Tail(30))
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not become ready: %v\n--- %s log tail ---\n%s", p.Name, err, p.Name, p.Log.Tail(30))
}

// run runs a setup command and returns its output on failure.
func run(cred *syscall.Credential, bin string, args ...string) error {
	_, err := output(cred, nil, bin, args...)
	return err
}

// Output runs a setup command (with env as its environment, or ours if
// nil) and returns what it printed, trimmed; on failure the error carries
// the command and the tail of its output.
func Output(env []string, bin string, args ...string) (string, error) {
	return output(nil, env, bin, args...)
}

// output is Output run as cred's user if cred is not nil.
func output(cred *syscall.Credential, env []string, bin string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Credential: cred}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", bin, strings.Join(args, " "), err, Tail(string(out), 30))
	}
	return strings.TrimSpace(string(out)), nil
}

// Tail returns the last n lines of s, for failure reports that quote a
// component's log file.
func Tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
