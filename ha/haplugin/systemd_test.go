//go:build linux

package haplugin_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/haplugin"
)

// This machine has no systemd as PID 1, and booting one in a PID
// namespace runs its boot services against the shared file system, so
// these tests run the plugin against a stand-in for systemctl. It
// follows systemctl(1)'s documented behaviour for the verbs the plugin
// uses: start and stop exit 0 on success, 1 when the job failed and 5
// for a unit that does not exist ("Unit x.service not found.");
// is-active prints the unit's active state and exits 0 when it is
// active (or reloading), 3 otherwise (LSB "program is not running"),
// also for a unit that does not exist. A unit's state is the file
// <dir>/<unit>; a file <unit>.fail makes its start fail, a unit
// hang.service never finishes.
const systemctlStandIn = `#!/bin/sh
dir=%DIR%
echo "$*" >> "$dir/calls"
verb=$1 unit=$2
if [ "$unit" = hang.service ]; then exec sleep 1000; fi
if [ "$unit" = missing.service ]; then
	case "$verb" in
	is-active) echo inactive; exit 3 ;;
	*) echo "Failed to $verb $unit: Unit $unit not found." >&2; exit 5 ;;
	esac
fi
case "$verb" in
start)
	if [ -e "$dir/$unit.fail" ]; then
		echo "failed" > "$dir/$unit"
		echo "Job for $unit failed because the control process exited with error code." >&2
		exit 1
	fi
	echo active > "$dir/$unit"; exit 0 ;;
stop) echo inactive > "$dir/$unit"; exit 0 ;;
is-active)
	state=$(cat "$dir/$unit" 2>/dev/null || echo inactive)
	echo "$state"
	case "$state" in active|reloading) exit 0 ;; esac
	exit 3 ;;
esac
echo "Unknown command verb $verb." >&2
exit 1
`

func standIn(t *testing.T) (*haplugin.Systemd, string) {
	t.Helper()
	dir := t.TempDir()
	prog := writeScript(t, filepath.Join(dir, "systemctl"), strings.ReplaceAll(systemctlStandIn, "%DIR%", dir))
	return &haplugin.Systemd{Systemctl: prog, KillGrace: 100 * time.Millisecond}, dir
}

func unitCall(unit string, a ha.ActionName, active bool) ha.PluginCall {
	return ha.PluginCall{Service: &ha.Service{Name: "database"}, Action: a, Active: active,
		Spec: &ha.ActionSpec{Action: a, PluginType: ha.PluginSystemd, PluginName: unit, Timeout: 10 * time.Second}}
}

// TestSystemdLifecycle maps the actions to start, stop and is-active.
func TestSystemdLifecycle(t *testing.T) {
	p, dir := standIn(t)
	run := func(a ha.ActionName, active bool) ha.PluginResult {
		return p.Run(t.Context(), unitCall("db.service", a, active))
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

	assert.Equal(t, []string{
		"is-active db.service", "is-active db.service", "start db.service", "is-active db.service", "is-active db.service",
		"stop db.service", "is-active db.service", "is-active db.service", "start db.service", "stop db.service",
	}, readLines(t, filepath.Join(dir, "calls")))
}

// TestSystemdStates: a failed unit audits disabled, a transitional one
// is a failed audit, a failed start is a failed action with systemctl's
// message, a missing unit is fatal.
func TestSystemdStates(t *testing.T) {
	p, dir := standIn(t)
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}

	write("web.service.fail", "")
	r := p.Run(t.Context(), unitCall("web.service", ha.ActionGoActive, true))
	assert.Equal(t, ha.ResultFailed, r.Result)
	assert.ErrorContains(t, r.Err, "exit 1: Job for web.service failed")
	r = p.Run(t.Context(), unitCall("web.service", ha.ActionAuditEnabled, true))
	assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceDisabled}, r, "failed is not running")

	write("slow.service", "activating\n")
	r = p.Run(t.Context(), unitCall("slow.service", ha.ActionAuditEnabled, true))
	assert.Equal(t, ha.ResultFailed, r.Result)
	assert.ErrorContains(t, r.Err, `state "activating"`)
	assert.Equal(t, ha.EventAuditFailed, r.Event(ha.ActionAuditEnabled).Kind)

	write("cfg.service", "reloading\n")
	r = p.Run(t.Context(), unitCall("cfg.service", ha.ActionAuditEnabled, false))
	assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledStandby}, r)

	for _, a := range []ha.ActionName{ha.ActionGoActive, ha.ActionDisable} {
		r = p.Run(t.Context(), unitCall("missing.service", a, true))
		assert.Equal(t, ha.ResultFatal, r.Result, a)
		assert.ErrorContains(t, r.Err, "Unit missing.service not found.")
	}
	r = p.Run(t.Context(), unitCall("missing.service", ha.ActionAuditEnabled, true))
	assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceDisabled}, r)
}

// TestSystemdCommand: plugin_command picks another verb.
func TestSystemdCommand(t *testing.T) {
	p, dir := standIn(t)
	call := unitCall("db.service", ha.ActionGoActive, true)
	call.Spec.PluginCommand = "restart"
	r := p.Run(t.Context(), call)
	assert.Equal(t, ha.ResultFailed, r.Result, "the stand-in knows no restart")
	assert.Equal(t, []string{"restart db.service"}, readLines(t, filepath.Join(dir, "calls")))
}

// TestSystemdBadInput: a bad unit name, verb or program is fatal.
func TestSystemdBadInput(t *testing.T) {
	p, _ := standIn(t)
	for _, tc := range []struct {
		name, unit, command, field string
	}{
		{"empty unit", "", "", "plugin_name"},
		{"unit is an option", "--all", "", "plugin_name"},
		{"unit with a space", "a b.service", "", "plugin_name"},
		{"unknown verb", "db.service", "mask", "plugin_command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			call := unitCall(tc.unit, ha.ActionGoActive, true)
			call.Spec.PluginCommand = tc.command
			r := p.Run(t.Context(), call)
			assert.Equal(t, ha.ResultFatal, r.Result)
			var fe *ha.FieldError
			require.ErrorAs(t, r.Err, &fe)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
	missing := &haplugin.Systemd{Systemctl: filepath.Join(t.TempDir(), "systemctl")}
	r := missing.Run(t.Context(), unitCall("db.service", ha.ActionGoActive, true))
	assert.Equal(t, ha.ResultFatal, r.Result)
	assert.ErrorIs(t, r.Err, os.ErrNotExist)

	notInPath := &haplugin.Systemd{Systemctl: "flock-no-such-systemctl"}
	r = notInPath.Run(t.Context(), unitCall("db.service", ha.ActionGoActive, true))
	assert.Equal(t, ha.ResultFatal, r.Result)
}

// TestSystemdTimeout: a systemctl that does not return is killed.
func TestSystemdTimeout(t *testing.T) {
	p, _ := standIn(t)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	r := p.Run(ctx, unitCall("hang.service", ha.ActionGoActive, true))
	assert.Equal(t, ha.ResultTimeout, r.Result)
	assert.ErrorIs(t, r.Err, context.DeadlineExceeded)
}
