//go:build unix

package haplugin

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"time"
)

const (
	// stderrLimit bounds the standard error kept for PluginResult.Err:
	// its last stderrLimit bytes.
	stderrLimit = 4096
	// pipeWait is how long a run waits, after its program exits, for
	// the program's children to close its stdout and stderr (a start
	// script that leaves a daemon holding them), before it closes them.
	pipeWait = 250 * time.Millisecond
	// defaultKillGrace is the time between SIGTERM and SIGKILL.
	defaultKillGrace = 2 * time.Second
)

// run is one finished program run.
type run struct {
	// code is the exit status, -1 when a signal ended the program.
	code     int
	stdout   []byte // empty unless asked for
	stderr   []byte // the last stderrLimit bytes
	timedOut bool   // ctx ended first; the process group was killed
}

// runProgram runs path with args and the environment env (added to this
// process's) in a process group of its own, stdin from /dev/null. When
// ctx ends first it sends SIGTERM to the group, SIGKILL after grace, and
// reaps the program before it returns. The error is for a program that
// could not be started (missing, not executable); the run's exit status
// is in run.
func runProgram(ctx context.Context, grace time.Duration, path string, args, env []string, wantStdout bool) (run, error) {
	if err := ctx.Err(); err != nil {
		return run{code: -1, timedOut: true}, nil
	}
	if grace <= 0 {
		grace = defaultKillGrace
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	errBuf := &tailBuffer{max: stderrLimit}
	cmd.Stderr = errBuf
	var outBuf *tailBuffer
	if wantStdout {
		outBuf = &tailBuffer{max: stderrLimit}
		cmd.Stdout = outBuf
	}
	cmd.WaitDelay = pipeWait
	if err := cmd.Start(); err != nil {
		return run{}, err
	}
	pgid := cmd.Process.Pid
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the status is in cmd.ProcessState
		close(done)
	}()
	r := run{}
	select {
	case <-done:
	case <-ctx.Done():
		select {
		case <-done: // it ended at the same time: its own result
		default:
			r.timedOut = true
			killGroup(pgid, grace, done)
		}
	}
	r.code = cmd.ProcessState.ExitCode()
	r.stderr = errBuf.buf
	if outBuf != nil {
		r.stdout = outBuf.buf
	}
	return r, nil
}

// killGroup sends SIGTERM to the process group pgid, waits for its
// leader (done) at most grace, then sends SIGKILL to the group and waits
// for the leader to be reaped.
func killGroup(pgid int, grace time.Duration, done <-chan struct{}) {
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	t := time.NewTimer(grace)
	select {
	case <-done:
	case <-t.C:
	}
	t.Stop()
	// The whole group, also the children that outlived the leader or
	// ignore SIGTERM. The group id stays taken while any member lives;
	// once none does, the kernel hands it out again only after cycling
	// through the pid range.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-done
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}

// startFailed reports whether err from runProgram is a missing or
// unusable program (a fatal result: retrying cannot help).
func startFailed(err error) bool {
	return errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) ||
		errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.ENOEXEC) ||
		errors.Is(err, syscall.EISDIR)
}

// tailBuffer keeps the last max bytes written to it. It is written by
// os/exec's copying goroutine and read after Wait returns.
type tailBuffer struct {
	max int
	buf []byte
}

// Write implements io.Writer.
func (b *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= b.max {
		b.buf = append(b.buf[:0], p[len(p)-b.max:]...)
		return n, nil
	}
	if over := len(b.buf) + len(p) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	b.buf = append(b.buf, p...)
	return n, nil
}
