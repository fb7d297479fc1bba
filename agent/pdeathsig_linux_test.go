//go:build linux

package agent_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/agent"
)

const pdeathHelper = "FLOCK_TEST_PDEATH_HELPER"

// pdeathSig is read in init, on the main thread, in the helper
// processes: what the process was started with.
var pdeathSig syscall.Signal

func init() {
	if os.Getenv(pdeathHelper) == "" {
		return
	}
	runtime.LockOSThread()
	pdeathSig = agent.ParentDeathSignal()
}

// TestMain runs the helper processes of TestExecKeepsParentDeathSignal
// when the environment names one, and the tests otherwise.
func TestMain(m *testing.M) {
	if h := os.Getenv(pdeathHelper); h != "" {
		pdeathHelperMain(h)
	}
	os.Exit(m.Run())
}

// pdeathHelperMain is the helper processes: "middle" starts "child" with
// a parent-death signal and prints its pid; "child" re-executes itself
// as "execd" from another goroutine with ExecRebooter; "execd" says so
// and waits. Each waits until it is killed.
func pdeathHelperMain(role string) {
	wait := func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		<-c
		os.Exit(0)
	}
	switch role {
	case "middle":
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), pdeathHelper+"=child")
		cmd.Stdout = os.Stdout
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			os.Exit(2)
		}
		os.Stdout.WriteString("child " + strconv.Itoa(cmd.Process.Pid) + "\n")
		wait()
	case "child":
		done := make(chan error)
		go func() {
			os.Setenv(pdeathHelper, "execd")
			done <- agent.ExecRebooter{ParentDeathSignal: pdeathSig}.Reboot(context.Background())
		}()
		<-done
		os.Exit(3)
	case "execd":
		os.Stdout.WriteString("execd " + strconv.Itoa(int(pdeathSig)) + "\n")
		wait()
	}
	os.Exit(4)
}

// TestExecKeepsParentDeathSignal: an agent started with a parent-death
// signal keeps it across a simulated (exec) reboot done from any
// goroutine, so it still dies with its parent.
func TestExecKeepsParentDeathSignal(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), pdeathHelper+"=middle")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(out)
	var child int
	execd := false
	for !execd && lines.Scan() {
		f := strings.Fields(lines.Text())
		switch {
		case len(f) == 2 && f[0] == "child":
			child, _ = strconv.Atoi(f[1])
		case len(f) == 2 && f[0] == "execd":
			execd = true
			assert.Equal(t, strconv.Itoa(int(syscall.SIGKILL)), f[1], "the new image has the parent-death signal")
		}
	}
	require.True(t, execd, "the child re-executed itself")
	require.NotZero(t, child)
	t.Cleanup(func() { _ = syscall.Kill(child, syscall.SIGKILL) })
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	assert.Eventually(t, func() bool { return syscall.Kill(child, 0) != nil }, 5*time.Second, 20*time.Millisecond,
		"the re-executed child died with its parent")
}
