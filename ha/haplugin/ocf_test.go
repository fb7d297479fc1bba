//go:build linux

package haplugin_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/haplugin"
)

// agent is an OCF resource agent that keeps its state in the file
// OCF_RESKEY_state and logs each call, with its environment, to
// OCF_RESKEY_log.
const agent = `#!/bin/sh
echo "$1 instance=$OCF_RESOURCE_INSTANCE type=$OCF_RESOURCE_TYPE root=$OCF_ROOT greeting=$OCF_RESKEY_greeting timeout=$OCF_RESKEY_CRM_meta_timeout" >> "$OCF_RESKEY_log"
case "$1" in
start) touch "$OCF_RESKEY_state"; exit 0 ;;
stop) rm -f "$OCF_RESKEY_state"; exit 0 ;;
monitor) [ -e "$OCF_RESKEY_state" ] && exit 0; exit 7 ;;
promote) exit 0 ;;
esac
echo "unknown verb $1" >&2
exit 3
`

func writeScript(t *testing.T, path, text string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(text), 0o755))
	return path
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func ocfCall(svc string, a ha.ActionName, active bool, spec ha.ActionSpec) ha.PluginCall {
	spec.Action = a
	if spec.PluginType == "" {
		spec.PluginType = ha.PluginOCFScript
	}
	if spec.Timeout == 0 {
		spec.Timeout = 20 * time.Second
	}
	return ha.PluginCall{Service: &ha.Service{Name: svc}, Action: a, Spec: &spec, Active: active}
}

// TestOCFLifecycle drives an agent through start, monitor and stop, as
// a script path and as an agent under OCF_ROOT, and checks the verbs and
// the environment it got.
func TestOCFLifecycle(t *testing.T) {
	for _, layout := range []string{"path", "root"} {
		t.Run(layout, func(t *testing.T) {
			dir := t.TempDir()
			root := filepath.Join(dir, "ocf")
			p := &haplugin.OCF{Root: root}
			log := filepath.Join(dir, "log")
			spec := ha.ActionSpec{
				PluginClass: "flock", PluginName: "dummy",
				PluginParameters: map[string]string{"state": filepath.Join(dir, "state"), "log": log, "greeting": "hello world"},
			}
			installed := writeScript(t, filepath.Join(root, "resource.d", "flock", "dummy"), agent)
			if layout == "path" {
				spec.PluginCommand = writeScript(t, filepath.Join(dir, "bin", "agent"), agent)
				require.NoError(t, os.Remove(installed)) // only the path may be used
			}
			run := func(a ha.ActionName, active bool) ha.PluginResult {
				return p.Run(t.Context(), ocfCall("svc", a, active, spec))
			}

			assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledStandby}, run(ha.ActionAuditDisabled, false), "stopped where standby: a standby")
			assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceDisabled}, run(ha.ActionAuditDisabled, true), "stopped where active: disabled")
			assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess}, run(ha.ActionGoActive, true))
			assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledActive}, run(ha.ActionAuditEnabled, true))
			assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledStandby}, run(ha.ActionAuditEnabled, false))
			assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess}, run(ha.ActionGoStandby, false))
			assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledStandby}, run(ha.ActionAuditEnabled, false))
			assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceDisabled}, run(ha.ActionAuditEnabled, true))
			assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess}, run(ha.ActionEnable, false))
			assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess}, run(ha.ActionDisable, false))

			env := " instance=svc type=dummy root=" + root + " greeting=hello world timeout=20000"
			assert.Equal(t, []string{
				"monitor" + env, "monitor" + env, "start" + env, "monitor" + env, "monitor" + env,
				"stop" + env, "monitor" + env, "monitor" + env, "start" + env, "stop" + env,
			}, readLines(t, log))
		})
	}
}

// TestOCFVerbFromCommand: a bare plugin_command is the verb, as in
// StarlingX's rows (promote for go-active).
func TestOCFVerbFromCommand(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "ocf")
	writeScript(t, filepath.Join(root, "resource.d", "flock", "dummy"), agent)
	log := filepath.Join(dir, "log")
	spec := ha.ActionSpec{PluginClass: "flock", PluginName: "dummy", PluginCommand: "promote",
		PluginParameters: map[string]string{"log": log}}
	r := (&haplugin.OCF{Root: root}).Run(t.Context(), ocfCall("svc", ha.ActionGoActive, true, spec))
	assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess}, r)
	assert.Equal(t, "promote", strings.Fields(readLines(t, log)[0])[0])

	spec.PluginCommand = "reload"
	r = (&haplugin.OCF{Root: root}).Run(t.Context(), ocfCall("svc", ha.ActionGoActive, true, spec))
	assert.Equal(t, ha.ResultFatal, r.Result, "exit 3, OCF_ERR_UNIMPLEMENTED")
	assert.ErrorContains(t, r.Err, "exit 3 (OCF_ERR_UNIMPLEMENTED): unknown verb reload")
}

// TestOCFExitCodes maps the agent's exit codes through ha.OCFResult and
// carries its stderr into the error.
func TestOCFExitCodes(t *testing.T) {
	dir := t.TempDir()
	script := writeScript(t, filepath.Join(dir, "exit"), "#!/bin/sh\necho \"agent says $OCF_RESKEY_code\" >&2\nexit $OCF_RESKEY_code\n")
	for _, tc := range []struct {
		name   string
		action ha.ActionName
		code   int
		want   ha.ActionResult
		state  ha.ServiceState
	}{
		{"start generic error", ha.ActionGoActive, 1, ha.ResultFailed, ""},
		{"start bad args", ha.ActionGoActive, 2, ha.ResultFatal, ""},
		{"start unimplemented", ha.ActionEnable, 3, ha.ResultFatal, ""},
		{"start no permission", ha.ActionEnable, 4, ha.ResultFailed, ""},
		{"start not installed", ha.ActionGoActive, 5, ha.ResultFatal, ""},
		{"start not configured", ha.ActionGoActive, 6, ha.ResultFatal, ""},
		{"start not running", ha.ActionGoActive, 7, ha.ResultFailed, ""},
		{"stop not running", ha.ActionDisable, 7, ha.ResultSuccess, ""},
		{"monitor master", ha.ActionAuditEnabled, 8, ha.ResultSuccess, ha.ServiceEnabledActive},
		{"monitor failed master", ha.ActionAuditEnabled, 9, ha.ResultFailed, ""},
		{"monitor odd code", ha.ActionAuditEnabled, 42, ha.ResultFailed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := ha.ActionSpec{PluginName: "exit", PluginCommand: script,
				PluginParameters: map[string]string{"code": strconv.Itoa(tc.code)}}
			r := (&haplugin.OCF{}).Run(t.Context(), ocfCall("svc", tc.action, false, spec))
			assert.Equal(t, tc.want, r.Result)
			assert.Equal(t, tc.state, r.State)
			if tc.want == ha.ResultSuccess {
				assert.NoError(t, r.Err)
				return
			}
			require.Error(t, r.Err)
			assert.Contains(t, r.Err.Error(), fmt.Sprintf("exit %d", tc.code))
			assert.Contains(t, r.Err.Error(), fmt.Sprintf("agent says %d", tc.code))
		})
	}
}

// TestOCFStderrBounded keeps the tail of a chatty agent's stderr.
func TestOCFStderrBounded(t *testing.T) {
	dir := t.TempDir()
	script := writeScript(t, filepath.Join(dir, "chatty"),
		"#!/bin/sh\ni=0\nwhile [ $i -lt 2000 ]; do echo \"line $i of noise that fills the buffer\" >&2; i=$((i+1)); done\necho LAST >&2\nexit 1\n")
	r := (&haplugin.OCF{}).Run(t.Context(), ocfCall("svc", ha.ActionGoActive, true, ha.ActionSpec{PluginName: "chatty", PluginCommand: script}))
	require.Equal(t, ha.ResultFailed, r.Result)
	msg := r.Err.Error()
	assert.True(t, strings.HasSuffix(msg, "LAST"), "the tail is kept")
	assert.NotContains(t, msg, "line 0 of")
	assert.Less(t, len(msg), 4096+len(script)+100)
}

// TestOCFBadInput: a missing or unusable program and bad fields are
// fatal, and name what is wrong.
func TestOCFBadInput(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "not-exec")
	require.NoError(t, os.WriteFile(notExec, []byte("#!/bin/sh\nexit 0\n"), 0o644))
	for _, tc := range []struct {
		name  string
		spec  ha.ActionSpec
		field string // a *ha.FieldError's field, or
		text  string // text of another error
	}{
		{"missing path", ha.ActionSpec{PluginName: "x", PluginCommand: filepath.Join(dir, "nope")}, "", "no such file"},
		{"missing agent", ha.ActionSpec{PluginClass: "flock", PluginName: "nope"}, "", filepath.Join(dir, "resource.d", "flock", "nope")},
		{"not executable", ha.ActionSpec{PluginName: "x", PluginCommand: notExec}, "", "permission denied"},
		{"directory", ha.ActionSpec{PluginName: "x", PluginCommand: dir + "/"}, "", dir},
		{"class escapes", ha.ActionSpec{PluginClass: "..", PluginName: "x"}, "plugin_class", ""},
		{"no class", ha.ActionSpec{PluginName: "x"}, "plugin_class", ""},
		{"name escapes", ha.ActionSpec{PluginClass: "flock", PluginName: "a/b"}, "plugin_name", ""},
		{"verb is an option", ha.ActionSpec{PluginClass: "flock", PluginName: "x", PluginCommand: "--help"}, "plugin_command", ""},
		{"bad parameter", ha.ActionSpec{PluginName: "x", PluginCommand: notExec, PluginParameters: map[string]string{"a=b": "c"}}, "plugin_parameters.a=b", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := (&haplugin.OCF{Root: dir}).Run(t.Context(), ocfCall("svc", ha.ActionGoActive, true, tc.spec))
			assert.Equal(t, ha.ResultFatal, r.Result)
			require.Error(t, r.Err)
			if tc.field != "" {
				var fe *ha.FieldError
				require.ErrorAs(t, r.Err, &fe)
				assert.Equal(t, tc.field, fe.Field)
				assert.ErrorIs(t, r.Err, ha.ErrInvalid)
				return
			}
			assert.Contains(t, r.Err.Error(), tc.text)
		})
	}
}

// TestOCFLeavesDaemon: an agent's start that leaves a daemon behind
// (even one holding its stderr) returns, and the daemon lives on: only
// a timed-out agent's group is killed.
func TestOCFLeavesDaemon(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	script := writeScript(t, filepath.Join(dir, "daemon"), "#!/bin/sh\nsleep 1000 &\necho $! > \"$OCF_RESKEY_pid\"\nexit 0\n")
	r := (&haplugin.OCF{}).Run(t.Context(), ocfCall("svc", ha.ActionGoActive, true, ha.ActionSpec{PluginName: "d", PluginCommand: script, PluginParameters: map[string]string{"pid": pidFile}}))
	require.Equal(t, ha.PluginResult{Result: ha.ResultSuccess}, r)
	b, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = unix.Kill(pid, unix.SIGKILL) })
	assert.NoError(t, unix.Kill(pid, 0), "the daemon still runs")
	assert.Equal(t, "S", procState(t, pid))
}

// TestOCFTimeout: when ctx ends the agent and its children are killed,
// with SIGTERM or, for those that ignore it, SIGKILL after the grace;
// the agent is reaped and the result is a timeout.
func TestOCFTimeout(t *testing.T) {
	for _, tc := range []struct {
		name, trap string
		cancel     bool
	}{
		{"term on cancel", "", true},
		{"term on deadline", "", false},
		{"ignores term", "trap '' TERM\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "fifo")
			require.NoError(t, unix.Mkfifo(fifo, 0o600))
			script := writeScript(t, filepath.Join(dir, "hang"), "#!/bin/sh\n"+tc.trap+
				"echo about to hang >&2\nsleep 1000 &\necho \"$$ $!\" > \"$OCF_RESKEY_fifo\"\nwait\n")
			p := &haplugin.OCF{KillGrace: 100 * time.Millisecond}
			ctx, cancel := context.WithCancel(t.Context())
			if !tc.cancel {
				ctx, cancel = context.WithTimeout(t.Context(), time.Second)
			}
			defer cancel()

			pids := make(chan [2]int, 1)
			go func() {
				f, err := os.Open(fifo) // blocks until the agent writes
				if err != nil {
					pids <- [2]int{}
					return
				}
				defer f.Close()
				var leader, child int
				_, _ = fmt.Fscan(bufio.NewReader(f), &leader, &child)
				pids <- [2]int{leader, child}
				if tc.cancel {
					cancel()
				}
			}()
			r := p.Run(ctx, ocfCall("svc", ha.ActionGoActive, true, ha.ActionSpec{PluginName: "hang", PluginCommand: script,
				PluginParameters: map[string]string{"fifo": fifo}}))
			select {
			case got := <-pids:
				pids <- got
			default: // the agent never wrote: unblock the reader
				if f, err := os.OpenFile(fifo, os.O_WRONLY|unix.O_NONBLOCK, 0); err == nil {
					_, _ = f.WriteString("0 0\n")
					f.Close()
				}
			}
			got := <-pids
			require.NotZero(t, got[0], "the agent ran")

			assert.Equal(t, ha.ResultTimeout, r.Result)
			require.Error(t, r.Err)
			assert.Contains(t, r.Err.Error(), "about to hang")
			if tc.cancel {
				assert.ErrorIs(t, r.Err, context.Canceled)
			} else {
				assert.ErrorIs(t, r.Err, context.DeadlineExceeded)
			}
			// The agent was reaped: no zombie left.
			assert.ErrorIs(t, unix.Kill(got[0], 0), unix.ESRCH, "agent %d still exists", got[0])
			// Its child was killed (SIGKILL was sent before Run returned).
			waitExit(t, got[1])
		})
	}
}

// TestOCFEndedContext: an action whose context has already ended runs
// nothing.
func TestOCFEndedContext(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	script := writeScript(t, filepath.Join(dir, "agent"), agent)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r := (&haplugin.OCF{}).Run(ctx, ocfCall("svc", ha.ActionGoActive, true, ha.ActionSpec{PluginName: "a", PluginCommand: script,
		PluginParameters: map[string]string{"log": log, "state": filepath.Join(dir, "state")}}))
	assert.Equal(t, ha.ResultTimeout, r.Result)
	assert.ErrorIs(t, r.Err, context.Canceled)
	assert.NoFileExists(t, log)
}

// waitExit waits until pid has ended (gone, or a zombie of another
// parent), at most 10 s.
func waitExit(t *testing.T, pid int) {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return
	}
	require.NoError(t, err)
	defer unix.Close(fd)
	n, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 10_000)
	require.NoError(t, err)
	require.Equal(t, 1, n, "process %d (state %s) still runs", pid, procState(t, pid))
}

// procState is the state letter of /proc/<pid>/stat ("" if gone).
func procState(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+3 > len(s) {
		return ""
	}
	return s[i+2 : i+3]
}
