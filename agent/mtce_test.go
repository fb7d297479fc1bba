package agent_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/agent/agenttest"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/heartbeat"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// hostBootID is this machine's boot id.
func hostBootID(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	require.NoError(t, err)
	return strings.TrimSpace(string(data))
}

// hostUptime is this machine's uptime.
func hostUptime(t *testing.T) time.Duration {
	t.Helper()
	data, err := os.ReadFile("/proc/uptime")
	require.NoError(t, err)
	d, err := agent.ParseUptime(data)
	require.NoError(t, err)
	return d
}

// newMaint returns the maintenance side of r's agent (made if r.a is
// nil, not run).
func newMaint(t *testing.T, r *rig, links agent.LinkSource, opts *agent.MaintenanceOptions) *agent.Maintenance {
	t.Helper()
	if r.a == nil {
		a, err := agent.New(r.ctrl, r.disc, r.app, r.dir, &r.opts)
		require.NoError(t, err)
		r.a = a
	}
	if links == nil {
		links = &fakeLinks{}
	}
	m, err := agent.NewMaintenance(r.a, links, opts)
	require.NoError(t, err)
	return m
}

// run runs r's agent (made by newMaint) until r.stop.
func (r *rig) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	a := r.a
	go func() { done <- a.Run(ctx) }()
	r.stop = func() error {
		cancel()
		return <-done
	}
	synctest.Wait()
}

// script writes an executable shell script into dir.
func script(t *testing.T, dir, name, body string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755))
}

// TestGoenabled: the scripts run in name order and must all pass; the
// first that fails ends the command with an error naming it, its exit
// status and its last stderr line, and the scripts after it do not run.
// Hidden files, backups and files that are not executable are no
// scripts.
func TestGoenabled(t *testing.T) {
	dir := t.TempDir()
	gd, log := filepath.Join(dir, "goenabled.d"), filepath.Join(dir, "ran")
	m := newMaint(t, newRig(t), nil, &agent.MaintenanceOptions{GoenabledDir: gd})
	for _, name := range []string{"20-b", "10-a", ".hidden", "30-c~"} {
		script(t, gd, name, "echo "+name+" >> "+log)
	}
	require.NoError(t, os.WriteFile(filepath.Join(gd, "15-notexec"), []byte("#!/bin/sh\necho 15 >> "+log+"\n"), 0o644))
	require.NoError(t, m.Command(t.Context(), hostmgmt.CmdGoenabled))
	ran, err := os.ReadFile(log)
	require.NoError(t, err)
	assert.Equal(t, "10-a\n20-b\n", string(ran))

	script(t, gd, "25-disk", "echo $1 >> "+log+"\necho checking >&2\necho 'disk /dev/sdz missing' >&2\nexit 3")
	require.NoError(t, os.Remove(log))
	err = m.Command(t.Context(), hostmgmt.CmdGoenabled)
	require.Error(t, err)
	assert.Equal(t, "goenabled: 25-disk: exit status 3: disk /dev/sdz missing", err.Error())
	ran, err = os.ReadFile(log)
	require.NoError(t, err)
	assert.Equal(t, "10-a\n20-b\n\n", string(ran), "no argument, and nothing after the failure")

	script(t, gd, "26-quiet", "exit 1")
	require.NoError(t, os.Remove(filepath.Join(gd, "25-disk")))
	assert.EqualError(t, m.Command(t.Context(), hostmgmt.CmdGoenabled), "goenabled: 26-quiet: exit status 1")
}

// TestScriptTimeout: a script that outlives its timeout fails the
// command, and its whole process group is killed.
func TestScriptTimeout(t *testing.T) {
	dir := t.TempDir()
	gd, pidFile := filepath.Join(dir, "goenabled.d"), filepath.Join(dir, "pid")
	m := newMaint(t, newRig(t), nil, &agent.MaintenanceOptions{GoenabledDir: gd, ScriptTimeout: 300 * time.Millisecond})
	script(t, gd, "10-hang", "sleep 600 &\necho $! > "+pidFile+"\necho 'waiting for the disk' >&2\nwait")
	err := m.Command(t.Context(), hostmgmt.CmdGoenabled)
	require.Error(t, err)
	assert.Equal(t, "goenabled: 10-hang: timed out after 300ms: waiting for the disk", err.Error())
	data, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return true // gone
		}
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		return len(f) > 0 && f[0] == "Z" // dead, not reaped yet
	}, 10*time.Second, 10*time.Millisecond, "the script's child is killed with it")
}

// TestMissingDirsPass: no goenabled or services directory: nothing to
// run, the commands pass.
func TestMissingDirsPass(t *testing.T) {
	dir := t.TempDir()
	m := newMaint(t, newRig(t), nil, &agent.MaintenanceOptions{GoenabledDir: filepath.Join(dir, "none"), ServicesDir: filepath.Join(dir, "none")})
	for _, c := range []hostmgmt.Command{hostmgmt.CmdGoenabled, hostmgmt.CmdStartServices, hostmgmt.CmdStopServices, hostmgmt.CmdMtcAlive} {
		assert.NoError(t, m.Command(t.Context(), c), c)
	}
	assert.ErrorContains(t, m.Command(t.Context(), "dance"), `"dance"`)
}

// TestServices: start-services runs the scripts with "start" in name
// order, stop-services with "stop" in reverse.
func TestServices(t *testing.T) {
	dir := t.TempDir()
	sd, log := filepath.Join(dir, "services.d"), filepath.Join(dir, "ran")
	m := newMaint(t, newRig(t), nil, &agent.MaintenanceOptions{ServicesDir: sd})
	script(t, sd, "10-net", "echo net $1 >> "+log)
	script(t, sd, "20-app", "echo app $1 >> "+log)
	require.NoError(t, m.Command(t.Context(), hostmgmt.CmdStartServices))
	require.NoError(t, m.Command(t.Context(), hostmgmt.CmdStopServices))
	ran, err := os.ReadFile(log)
	require.NoError(t, err)
	assert.Equal(t, "net start\napp start\napp stop\nnet stop\n", string(ran))

	script(t, sd, "15-db", `[ "$1" = start ] || { echo "db will not stop" >&2; exit 4; }`)
	require.NoError(t, m.Command(t.Context(), hostmgmt.CmdStartServices))
	assert.EqualError(t, m.Command(t.Context(), hostmgmt.CmdStopServices), "stop-services: 15-db: exit status 4: db will not stop")
}

// TestSystemRebooter: the commands are tried in turn until one works;
// if none does the error names each.
func TestSystemRebooter(t *testing.T) {
	dir := t.TempDir()
	done := filepath.Join(dir, "rebooted")
	r := agent.SystemRebooter{Commands: [][]string{{"sh", "-c", "echo no systemd >&2; exit 1"}, {"touch", done}}}
	require.NoError(t, r.Reboot(t.Context()))
	assert.FileExists(t, done)

	r = agent.SystemRebooter{Commands: [][]string{{"sh", "-c", "echo no systemd >&2; exit 1"}, {filepath.Join(dir, "no-reboot")}}}
	err := r.Reboot(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sh -c echo no systemd >&2; exit 1: exit status 1: no systemd")
	assert.Contains(t, err.Error(), "no-reboot")
}

// TestRebootRecordsSimulatedBoot: in the exec and exit modes a reboot
// records a new boot id (kept over a restart of the agent, with the
// uptime counted from the reboot); in the system mode it records none.
// A rebooter that fails fails the command.
func TestRebootRecordsSimulatedBoot(t *testing.T) {
	boot := hostBootID(t)
	for _, mode := range []string{agent.RebootExec, agent.RebootExit, agent.RebootSystem} {
		t.Run(mode, func(t *testing.T) {
			r := newRig(t)
			calls := 0
			opts := &agent.MaintenanceOptions{Reboot: mode, Rebooter: agent.RebooterFunc(func(context.Context) error {
				calls++
				return nil
			})}
			m := newMaint(t, r, nil, opts)
			before := m.Status()
			assert.Equal(t, boot, before.BootID, "the host's boot id until a simulated reboot")
			require.NoError(t, m.Command(t.Context(), hostmgmt.CmdReboot))
			assert.Equal(t, 1, calls)
			_, err := os.Stat(filepath.Join(r.dir, agent.SimBootFile))
			if mode == agent.RebootSystem {
				assert.ErrorIs(t, err, os.ErrNotExist)
				return
			}
			require.NoError(t, err)
			r.a = nil
			after := newMaint(t, r, nil, opts).Status()
			assert.NotEqual(t, boot, after.BootID)
			assert.Len(t, after.BootID, 36)
			assert.Less(t, after.Uptime, before.Uptime, "uptime starts again at the simulated reboot")
			r.a = nil
			assert.Equal(t, after.BootID, newMaint(t, r, nil, opts).Status().BootID, "the same boot over an agent restart")
		})
	}
	r := newRig(t)
	m := newMaint(t, r, nil, &agent.MaintenanceOptions{Reboot: agent.RebootExec,
		Rebooter: agent.RebooterFunc(func(context.Context) error { return errors.New("exec: permission denied") })})
	assert.EqualError(t, m.Command(t.Context(), hostmgmt.CmdReboot), "reboot: exec: permission denied")
}

// TestSimulatedBootFile: a simulated boot recorded under another boot of
// the host (which has really rebooted since) is dropped; a corrupt one
// stops NewMaintenance with an error naming the file; the system mode
// ignores it.
func TestSimulatedBootFile(t *testing.T) {
	boot := hostBootID(t)
	r := newRig(t)
	path := filepath.Join(r.dir, agent.SimBootFile)
	write := func(sb agent.SimBoot) {
		data, err := json.Marshal(sb)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, data, 0o600))
	}
	sim := "5b0e3d2c-1f4a-4b6e-8c9d-0a1b2c3d4e5f"
	write(agent.SimBoot{BootID: sim, BootedAt: time.Now().Add(-time.Hour), HostBootID: boot})
	st := newMaint(t, r, nil, &agent.MaintenanceOptions{Reboot: agent.RebootSystem}).Status()
	assert.Equal(t, boot, st.BootID, "system mode: the host's own")
	st = newMaint(t, r, nil, &agent.MaintenanceOptions{Reboot: agent.RebootExec}).Status()
	assert.Equal(t, sim, st.BootID)
	assert.InDelta(t, time.Hour.Seconds(), st.Uptime.Seconds(), 60, "uptime since the simulated boot")

	write(agent.SimBoot{BootID: sim, BootedAt: time.Now(), HostBootID: "00000000-0000-4000-8000-000000000000"})
	st = newMaint(t, r, nil, &agent.MaintenanceOptions{Reboot: agent.RebootExec}).Status()
	assert.Equal(t, boot, st.BootID, "a real reboot since: the host's own")
	assert.NoFileExists(t, path, "the stale record is removed")

	require.NoError(t, os.WriteFile(path, []byte(`{"boot_id":"x"}`), 0o600))
	_, err := agent.NewMaintenance(r.a, &fakeLinks{}, &agent.MaintenanceOptions{Reboot: agent.RebootExit})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "boot_id")
	assert.Contains(t, err.Error(), path)
}

// rebootHelper is the environment variable that makes
// TestRebootHelperProcess a helper: its value is the state directory,
// and rebootHelperMode's the reboot mode.
const (
	rebootHelper     = "FLOCK_TEST_REBOOT_HELPER"
	rebootHelperMode = "FLOCK_TEST_REBOOT_HELPER_MODE"
)

// TestRebootHelperProcess is not a test: TestExecReboot and
// TestExitReboot run the test binary as a helper process in which it
// prints its pid and status, and reboots (simulated) on its first run.
func TestRebootHelperProcess(t *testing.T) {
	dir := os.Getenv(rebootHelper)
	if dir == "" {
		t.Skip("a helper process of TestExecReboot and TestExitReboot")
	}
	mode := os.Getenv(rebootHelperMode)
	if mode != agent.RebootExec && mode != agent.RebootExit {
		fmt.Println("refusing reboot mode", mode) // never the host's own reboot
		os.Exit(2)
	}
	a, err := agent.New(agenttest.NewController(hostUUID), agenttest.NewDiscoverer(inventorytest.ReportFor(mac)), &agenttest.Applier{}, dir, nil)
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	m, err := agent.NewMaintenance(a, &fakeLinks{}, &agent.MaintenanceOptions{Reboot: mode})
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	st := m.Status()
	fmt.Printf("boot %d %s %d\n", os.Getpid(), st.BootID, st.Uptime)
	if _, err := os.Stat(filepath.Join(dir, "rebooted-once")); err == nil {
		os.Exit(0)
	}
	if err := os.WriteFile(filepath.Join(dir, "rebooted-once"), nil, 0o600); err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	err = m.Command(context.Background(), hostmgmt.CmdReboot)
	fmt.Println("reboot returned:", err)
	os.Exit(3)
}

type helperBoot struct {
	pid    int
	bootID string
	uptime time.Duration
}

// runRebootHelper runs the helper process in dir with mode; it returns
// the boots it printed and its exit status.
func runRebootHelper(t *testing.T, dir, mode string) ([]helperBoot, int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestRebootHelperProcess$")
	cmd.Env = append(os.Environ(), rebootHelper+"="+dir, rebootHelperMode+"="+mode)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	t.Logf("helper output:\n%s", out.String())
	var boots []helperBoot
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var b helperBoot
		if n, _ := fmt.Sscanf(sc.Text(), "boot %d %s %d", &b.pid, &b.bootID, &b.uptime); n == 3 {
			boots = append(boots, b)
		}
	}
	return boots, code
}

// TestExecReboot: the exec mode's reboot replaces the process with a new
// run of itself (same pid) that reports a new boot id, the one recorded
// in the state directory, and an uptime counted from the reboot.
func TestExecReboot(t *testing.T) {
	dir := t.TempDir()
	boots, code := runRebootHelper(t, dir, agent.RebootExec)
	require.Equal(t, 0, code, "the second run exits 0")
	require.Len(t, boots, 2, "two runs")
	assert.Equal(t, boots[0].pid, boots[1].pid, "the same process, exec'd")
	assert.Equal(t, hostBootID(t), boots[0].bootID)
	assert.NotEqual(t, boots[0].bootID, boots[1].bootID, "a new boot id after the reboot")
	assert.Less(t, boots[1].uptime, boots[0].uptime, "uptime starts again")
	data, err := os.ReadFile(filepath.Join(dir, agent.SimBootFile))
	require.NoError(t, err)
	sb, err := agent.DecodeSimBoot(data)
	require.NoError(t, err)
	assert.Equal(t, boots[1].bootID, sb.BootID, "persisted")
	assert.Equal(t, hostBootID(t), sb.HostBootID)
}

// TestExitReboot: the exit mode's reboot exits with RebootExitCode after
// recording a new boot id, which the next run (the supervisor's restart)
// reports.
func TestExitReboot(t *testing.T) {
	dir := t.TempDir()
	boots, code := runRebootHelper(t, dir, agent.RebootExit)
	require.Equal(t, agent.RebootExitCode, code)
	require.Len(t, boots, 1)
	assert.Equal(t, hostBootID(t), boots[0].bootID)
	again, code := runRebootHelper(t, dir, agent.RebootExit)
	require.Equal(t, 0, code)
	require.Len(t, again, 1)
	assert.NotEqual(t, boots[0].bootID, again[0].bootID, "a new boot id after the reboot")
	assert.Less(t, again[0].uptime, boots[0].uptime, "uptime starts again")
}

// TestStatusAllocs: Status allocates nothing.
func TestStatusAllocs(t *testing.T) {
	m := newMaint(t, newRig(t), nil, nil)
	var st heartbeat.Status
	allocs := testing.AllocsPerRun(1000, func() { st = m.Status() })
	assert.Zero(t, allocs)
	assert.NotEmpty(t, st.BootID)
}

// TestStatusBootAndUptime: the host's boot id, and its uptime moving on
// with the clock.
func TestStatusBootAndUptime(t *testing.T) {
	up := hostUptime(t)
	m := newMaint(t, newRig(t), nil, nil)
	st := m.Status()
	assert.Equal(t, hostBootID(t), st.BootID)
	assert.GreaterOrEqual(t, st.Uptime, up)
	assert.Less(t, st.Uptime, hostUptime(t)+time.Second)
	synctest.Test(t, func(t *testing.T) {
		m := newMaint(t, newRig(t), nil, nil)
		u0 := m.Status().Uptime
		time.Sleep(time.Hour)
		assert.Equal(t, u0+time.Hour, m.Status().Uptime)
	})
}

// TestStatusConfigured: configured once the agent has applied the
// configuration the controller last named in this run; not while a new
// target does not apply, not for a host without configuration, and not
// after a restart until the controller has answered.
func TestStatusConfigured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		r.ctrl.SetConfig(inventory.HostConfig{UUID: config1, Hostname: "worker-0"})
		m := newMaint(t, r, nil, nil)
		assert.False(t, m.Status().Configured, "before the agent runs")
		r.run(t)
		assert.True(t, m.Status().Configured)

		r.app.Fail(errors.New("networkd refused"))
		r.ctrl.SetConfig(inventory.HostConfig{UUID: config2, Hostname: "worker-0"})
		assert.True(t, m.Status().Configured, "the agent does not know of config2 yet")
		after(61 * time.Second)
		assert.False(t, m.Status().Configured, "config2 does not apply")
		r.app.Fail(nil)
		after(8 * time.Second)
		assert.True(t, m.Status().Configured, "config2 applied")
		require.NoError(t, r.stop())

		r.ctrl.SetDown(true)
		r.a = nil
		m = newMaint(t, r, nil, nil)
		r.run(t)
		assert.Equal(t, config2, r.a.State().AppliedConfig)
		assert.False(t, m.Status().Configured, "no answer from the controller in this run")
		r.ctrl.SetDown(false)
		after(8 * time.Second)
		assert.True(t, m.Status().Configured)
		require.NoError(t, r.stop())

		bare := newRig(t)
		m = newMaint(t, bare, nil, nil)
		bare.run(t)
		assert.NotEmpty(t, bare.a.State().HostUUID)
		assert.False(t, m.Status().Configured, "a host without configuration")
		require.NoError(t, bare.stop())
	})
}

// TestStatusStalled: FlagProcessStalled while the agent's loop has not
// finished a step for more than three poll intervals.
func TestStatusStalled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		m := newMaint(t, r, nil, nil)
		stalled := func() bool { return m.Status().Flags&hostmgmt.FlagProcessStalled != 0 }
		after(15 * time.Second)
		assert.False(t, stalled(), "three poll intervals of grace")
		after(time.Second)
		assert.True(t, stalled(), "the agent is not running")
		r.run(t)
		assert.False(t, stalled())
		after(5 * time.Minute)
		assert.False(t, stalled(), "the agent steps every poll")
		assert.Zero(t, m.Status().Flags)
		require.NoError(t, r.stop())
		after(15 * time.Second)
		assert.False(t, stalled())
		after(time.Second)
		assert.True(t, stalled(), "the agent stopped")
	})
}

// diskSpace is a settable DiskSpace.
type diskSpace struct {
	mu           sync.Mutex
	avail, total uint64
	err          error
	paths        []string
}

func (d *diskSpace) set(avail, total uint64, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.avail, d.total, d.err = avail, total, err
}

func (d *diskSpace) space(path string) (uint64, uint64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.paths = append(d.paths, path)
	return d.avail, d.total, d.err
}

// TestStatusDiskFull: FlagDiskFull while the state directory's
// filesystem has less than 1 % or 16 MiB free, as Run's periodic check
// finds it; a failed check changes nothing.
func TestStatusDiskFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const mib, gib = 1 << 20, 1 << 30
		r := newRig(t)
		ds := &diskSpace{avail: 50 * gib, total: 100 * gib}
		m := newMaint(t, r, nil, &agent.MaintenanceOptions{DiskSpace: ds.space})
		full := func() bool { return m.Status().Flags&hostmgmt.FlagDiskFull != 0 }
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		synctest.Wait()
		assert.False(t, full())
		prev := false
		for _, tc := range []struct {
			name         string
			avail, total uint64
			full         bool
		}{
			{"under 16 MiB", 15 * mib, 1 * gib, true},
			{"under 1 %", 900 * mib, 100 * gib, true},
			{"room", 2 * gib, 100 * gib, false},
			{"small filesystem with room", 20 * mib, 1 * gib, false},
			{"16 MiB exactly", 16 * mib, 1 * gib, false},
		} {
			ds.set(tc.avail, tc.total, nil)
			after(9 * time.Second)
			assert.Equal(t, prev, full(), "%s: not before the next check", tc.name)
			after(time.Second)
			assert.Equal(t, tc.full, full(), tc.name)
			prev = tc.full
		}
		ds.set(1, 100*gib, nil)
		after(10 * time.Second)
		require.True(t, full())
		ds.set(0, 0, errors.New("statfs: no such file"))
		after(30 * time.Second)
		assert.True(t, full(), "a failed check changes nothing")
		cancel()
		require.NoError(t, <-done)
		assert.Equal(t, r.dir, ds.paths[0], "the state directory")
	})
}

// fakeLinks is a LinkSource: notIssued 404s, then link.
type fakeLinks struct {
	mu        sync.Mutex
	notIssued int
	link      hostmgmt.LinkConfig
	err       error
	hosts     []string
}

func (f *fakeLinks) MtceLink(_ context.Context, hostUUID string) (hostmgmt.LinkConfig, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hosts = append(f.hosts, hostUUID)
	switch {
	case f.err != nil:
		return hostmgmt.LinkConfig{}, f.err
	case f.notIssued > 0 || f.link.HostUUID == "":
		f.notIssued--
		return hostmgmt.LinkConfig{}, fmt.Errorf("fake: %w", agent.ErrLinkNotIssued)
	}
	return f.link, nil
}

func (f *fakeLinks) set(link hostmgmt.LinkConfig, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.link, f.err = link, err
}

func (f *fakeLinks) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.hosts)
}

// fakeClient is a heartbeat client started by Run: it runs until its
// context ends or a test fails it.
type fakeClient struct {
	cfg     heartbeat.ClientConfig
	h       heartbeat.Handler
	fail    chan error
	stopped chan struct{}
}

// clients records the fake clients Run starts.
type clients struct {
	mu  sync.Mutex
	all []*fakeClient
}

func (c *clients) start(cfg heartbeat.ClientConfig, h heartbeat.Handler) func(context.Context) error {
	fc := &fakeClient{cfg: cfg, h: h, fail: make(chan error, 1), stopped: make(chan struct{})}
	c.mu.Lock()
	c.all = append(c.all, fc)
	c.mu.Unlock()
	return func(ctx context.Context) error {
		defer close(fc.stopped)
		select {
		case <-ctx.Done():
			return nil
		case err := <-fc.fail:
			return err
		}
	}
}

func (c *clients) list() []*fakeClient {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*fakeClient(nil), c.all...)
}

func stopped(fc *fakeClient) bool {
	select {
	case <-fc.stopped:
		return true
	default:
		return false
	}
}

func testLink(key string) hostmgmt.LinkConfig {
	return hostmgmt.LinkConfig{HostUUID: hostUUID, Key: []byte(key), PeriodMS: 100,
		Controller: map[hostmgmt.Network]string{hostmgmt.NetworkMgmt: "192.168.204.2:2106"}}
}

// TestRunLink: Run waits for the agent's first answer, fetches the link
// (retrying while it is not issued), runs a client on it with the local
// addresses; a changed link restarts the client, a client that fails
// is restarted on the link fetched again, and a revoked link stops it.
func TestRunLink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		links := &fakeLinks{notIssued: 2}
		m := newMaint(t, r, links, &agent.MaintenanceOptions{LinkRefresh: time.Minute, AliveInterval: 2 * time.Second,
			LocalAddrs: map[string]string{"mgmt": "192.168.204.3", "cluster-host": "192.168.206.3:2116"},
			DiskSpace:  func(string) (uint64, uint64, error) { return 1 << 40, 1 << 40, nil }})
		cl := &clients{}
		agent.SetLinkRunner(m, cl.start)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		after(time.Minute)
		assert.Zero(t, links.calls(), "no link before the agent knows its host")

		link1 := testLink("0123456789abcdef")
		links.set(link1, nil)
		r.run(t)
		after(5 * time.Second)
		assert.Equal(t, 3, links.calls(), "two 404s, then the link")
		require.Len(t, cl.list(), 1)
		c := cl.list()[0]
		assert.Equal(t, link1, c.cfg.Link)
		assert.Equal(t, "192.168.204.3:0", c.cfg.Local[hostmgmt.NetworkMgmt].String())
		assert.Equal(t, "192.168.206.3:2116", c.cfg.Local[hostmgmt.NetworkClusterHost].String())
		assert.Equal(t, 2*time.Second, c.cfg.AliveInterval)
		assert.Same(t, m, c.h)

		after(3 * time.Minute)
		assert.Len(t, cl.list(), 1, "the same link: the same client")
		assert.False(t, stopped(c))

		link2 := testLink("fedcba9876543210")
		links.set(link2, nil)
		after(time.Minute)
		require.Len(t, cl.list(), 2, "a new key: a new client")
		assert.True(t, stopped(c))
		c = cl.list()[1]
		assert.Equal(t, link2, c.cfg.Link)

		c.fail <- errors.New("key refused")
		after(2 * time.Second)
		require.Len(t, cl.list(), 3, "restarted after the client failed")
		c = cl.list()[2]
		assert.Equal(t, link2, c.cfg.Link)

		links.set(hostmgmt.LinkConfig{}, errors.New("controller unreachable"))
		after(3 * time.Minute)
		assert.False(t, stopped(c), "the API down: the link stays")

		links.set(hostmgmt.LinkConfig{}, fmt.Errorf("revoked: %w", agent.ErrLinkNotIssued))
		after(time.Minute)
		assert.True(t, stopped(c), "a revoked link stops the client")
		assert.Len(t, cl.list(), 3)
		links.set(link2, nil)
		after(10 * time.Second)
		require.Len(t, cl.list(), 4, "and it comes back when issued again")

		cancel()
		require.NoError(t, <-done)
		assert.True(t, stopped(cl.list()[3]), "Run stops its client")
		require.NoError(t, r.stop())
		for _, h := range links.hosts {
			assert.Equal(t, hostUUID, h)
		}
	})
}

// TestMaintenanceOptions: bad options are refused naming the field.
func TestMaintenanceOptions(t *testing.T) {
	r := newRig(t)
	a, err := agent.New(r.ctrl, r.disc, r.app, r.dir, nil)
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		opts  agent.MaintenanceOptions
		field string
	}{
		{"negative timeout", agent.MaintenanceOptions{ScriptTimeout: -1}, "script_timeout"},
		{"negative refresh", agent.MaintenanceOptions{LinkRefresh: -time.Second}, "link_refresh"},
		{"negative alive", agent.MaintenanceOptions{AliveInterval: -time.Second}, "alive_interval"},
		{"negative disk", agent.MaintenanceOptions{DiskCheckInterval: -time.Second}, "disk_check_interval"},
		{"bad reboot", agent.MaintenanceOptions{Reboot: "kexec"}, "reboot"},
		{"bad network", agent.MaintenanceOptions{LocalAddrs: map[string]string{"storage": "10.0.0.1"}}, "local_addrs"},
		{"bad address", agent.MaintenanceOptions{LocalAddrs: map[string]string{"mgmt": "host-a"}}, "local_addrs.mgmt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := agent.NewMaintenance(a, &fakeLinks{}, &tc.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.field)
		})
	}
	_, err = agent.NewMaintenance(nil, &fakeLinks{}, nil)
	assert.Error(t, err)
	_, err = agent.NewMaintenance(a, nil, nil)
	assert.Error(t, err)
}
