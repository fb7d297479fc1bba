package installer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// outputTail is how much of a script's output is kept.
const outputTail = 4096

// scriptPath is the PATH of a script's clean environment.
const scriptPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// runScript runs a release's script (field names it: "pre_install"),
// written to a temp file under the root, in its own process group with
// a clean environment plus env, within the timeout; on timeout or
// cancellation the whole group is killed. It returns the tail of the
// script's combined output, and a *ScriptError if it failed.
func (in *Installer) runScript(ctx context.Context, field, name string, body []byte, env []string, dir string) (string, error) {
	f, err := os.CreateTemp(in.cfg.Root, ".script-*")
	if err != nil {
		return "", fmt.Errorf("%s script %q: write it: %w", field, name, err)
	}
	path := f.Name()
	defer os.Remove(path)
	_, err = f.Write(body)
	if err == nil {
		err = f.Chmod(0o700)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("%s script %q: write it: %w", field, name, err)
	}
	sctx, cancel := context.WithTimeout(ctx, in.opts.ScriptTimeout)
	defer cancel()
	out := &tailBuffer{max: outputTail}
	var runErr error
	// A file just written can be busy for an exec while another
	// goroutine's fork still holds it open (golang/go#22315): retry.
	for try := 0; ; try++ {
		cmd := exec.CommandContext(sctx, path)
		cmd.Dir = dir
		cmd.Env = append([]string{"PATH=" + scriptPath, "LANG=C.UTF-8", "HOME=/"}, env...)
		cmd.Stdout, cmd.Stderr = out, out
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		// A child that left the group and keeps the output open does not
		// hold the install past this.
		cmd.WaitDelay = 2 * time.Second
		runErr = cmd.Run()
		if errors.Is(runErr, syscall.ETXTBSY) && try < 20 {
			time.Sleep(time.Duration(try+1) * 5 * time.Millisecond)
			continue
		}
		break
	}
	tail := out.String()
	if runErr == nil {
		return tail, nil
	}
	se := &ScriptError{Script: field, Name: name, Output: tail}
	switch {
	case ctx.Err() != nil:
		return tail, fmt.Errorf("%s script %q: %w", field, name, ctx.Err())
	case sctx.Err() != nil:
		se.What = fmt.Sprintf("timed out after %s (process group killed)", in.opts.ScriptTimeout)
	default:
		var ee *exec.ExitError
		if errors.As(runErr, &ee) {
			se.What = ee.String()
		} else {
			se.What = runErr.Error()
		}
	}
	return tail, se
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	buf []byte
	max int
}

// Write implements io.Writer.
func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= t.max {
		t.buf = append(t.buf[:0], p[len(p)-t.max:]...)
		return n, nil
	}
	if drop := len(t.buf) + len(p) - t.max; drop > 0 {
		t.buf = append(t.buf[:0], t.buf[drop:]...)
	}
	t.buf = append(t.buf, p...)
	return n, nil
}

// String returns the tail, valid UTF-8.
func (t *tailBuffer) String() string { return strings.ToValidUTF8(string(t.buf), "?") }

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	s = strings.TrimRight(s, "\n\r\t ")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}
