package agent

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// scriptTailBytes is how much of a script's stderr is kept for its
// error.
const scriptTailBytes = 4096

// executables lists the scripts of dir in name order: the regular files
// (symbolic links followed) with an execute bit, leaving out hidden
// files and editor backups ("x~"). A missing dir has none.
func executables(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents { // ReadDir sorts by name
		name := e.Name()
		if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			continue
		}
		out = append(out, name)
	}
	return out, nil
}

// runScripts runs the scripts of dir with args, one at a time (in name
// order, or reversed), each within timeout, and stops at the first that
// fails: its error names it.
func runScripts(ctx context.Context, dir string, reverse bool, timeout time.Duration, args ...string) error {
	names, err := executables(dir)
	if err != nil {
		return err
	}
	if reverse {
		slices.Reverse(names)
	}
	for _, name := range names {
		if err := runScript(ctx, filepath.Join(dir, name), timeout, args...); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// runScript runs one script in its own process group, which is killed
// whole when it times out or ctx ends. Its error is the exit status (or
// the timeout) and the last line it wrote to stderr.
func runScript(ctx context.Context, path string, timeout time.Duration, args ...string) error {
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(sctx, path, args...)
	stderr := &tailBuffer{max: scriptTailBytes}
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// A child that left the group and holds stderr open does not hold
	// the command past this.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if err == nil {
		return nil
	}
	var what string
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case sctx.Err() != nil:
		what = fmt.Sprintf("timed out after %s", timeout)
	default:
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			what = ee.String() // "exit status 3", "signal: killed"
		} else {
			what = err.Error()
		}
	}
	if line := lastLine(stderr.buf); line != "" {
		return fmt.Errorf("%s: %s", what, line)
	}
	return errors.New(what)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	buf []byte
	max int
}

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
