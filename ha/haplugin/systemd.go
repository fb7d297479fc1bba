package haplugin

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/edgeflock/flock/ha"
)

// Systemd runs the actions of plugin_type systemd on the unit
// plugin_name through systemctl: enable and go-active start it, disable
// and go-standby stop it, audit-enabled and audit-disabled ask
// is-active. A plugin_command, when given, is the systemctl verb
// instead (start, stop, restart, reload, is-active). The zero value is
// ready to use.
//
// systemctl exits with the LSB codes, which are OCF's, so start and
// stop map through ha.OCFResult: 0 success; 2, 3, 5 (a unit that does
// not exist) and 6 fatal; others failed. is-active exits 0 for an
// active (or reloading) unit, reported enabled-active when call.Active
// and enabled-standby otherwise, and 3 for one that is not: inactive
// or failed is reported disabled where the group is meant to be active
// and enabled-standby elsewhere (as ha.OCFResult does), activating and deactivating are a
// failed audit (the state cannot be told yet). A missing systemctl is
// fatal.
//
// When ctx ends systemctl is killed as an OCF agent is (its process
// group, SIGTERM then SIGKILL after KillGrace) and the result is
// ResultTimeout; the job it queued in systemd is not cancelled.
type Systemd struct {
	// Systemctl is the program (default "systemctl", looked up in PATH).
	Systemctl string
	// KillGrace is the time between SIGTERM and SIGKILL once ctx ends
	// (default 2 s).
	KillGrace time.Duration
}

var _ ha.Plugin = (*Systemd)(nil)

// Run runs call on its unit.
func (p *Systemd) Run(ctx context.Context, call ha.PluginCall) ha.PluginResult {
	unit := call.Spec.PluginName
	if !validToken(unit) {
		return ha.PluginResult{Result: ha.ResultFatal, Err: &ha.FieldError{Field: "plugin_name", Reason: fmt.Sprintf("%q is not a systemd unit name", unit)}}
	}
	verb := systemdVerb(call.Action)
	switch c := call.Spec.PluginCommand; c {
	case "":
	case "start", "stop", "restart", "reload", "is-active":
		verb = c
	default:
		return ha.PluginResult{Result: ha.ResultFatal, Err: &ha.FieldError{Field: "plugin_command", Reason: fmt.Sprintf("%q is not one of start, stop, restart, reload, is-active", c)}}
	}
	if verb == "" {
		return ha.PluginResult{Result: ha.ResultFatal, Err: &ha.FieldError{Field: "action", Reason: fmt.Sprintf("no systemctl verb for action %q", call.Action)}}
	}
	prog := p.Systemctl
	if prog == "" {
		prog = "systemctl"
	}
	r, err := runProgram(ctx, p.KillGrace, prog, []string{verb, unit}, nil, verb == "is-active")
	if err != nil {
		res := ha.ResultFailed
		if startFailed(err) {
			res = ha.ResultFatal
		}
		return ha.PluginResult{Result: res, Err: fmt.Errorf("haplugin: %s %s %s: %w", prog, verb, unit, err)}
	}
	if r.timedOut {
		return ha.PluginResult{Result: ha.ResultTimeout, Err: fmt.Errorf("haplugin: %s %s %s: timed out, killed: %w%s", prog, verb, unit, context.Cause(ctx), stderrSuffix(r.stderr))}
	}
	if verb != "is-active" {
		res, _ := ha.OCFResult(call.Action, r.code, call.Active)
		out := ha.PluginResult{Result: res}
		if res != ha.ResultSuccess {
			out.Err = fmt.Errorf("haplugin: %s %s %s: exit %d%s", prog, verb, unit, r.code, stderrSuffix(r.stderr))
		}
		return out
	}
	state := strings.TrimSpace(string(r.stdout))
	switch {
	case r.code == 0:
		s := ha.ServiceEnabledStandby
		if call.Active {
			s = ha.ServiceEnabledActive
		}
		return ha.PluginResult{Result: ha.ResultSuccess, State: s}
	case r.code == 3 && (state == "inactive" || state == "failed" || state == ""):
		if !call.Active {
			// A stopped unit is what an active/standby service's standby is.
			return ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledStandby}
		}
		return ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceDisabled}
	}
	return ha.PluginResult{Result: ha.ResultFailed, Err: fmt.Errorf("haplugin: %s is-active %s: exit %d, state %q%s", prog, unit, r.code, state, stderrSuffix(r.stderr))}
}

// systemdVerb is the systemctl verb of action a.
func systemdVerb(a ha.ActionName) string {
	switch a {
	case ha.ActionEnable, ha.ActionGoActive:
		return "start"
	case ha.ActionDisable, ha.ActionGoStandby:
		return "stop"
	case ha.ActionAuditEnabled, ha.ActionAuditDisabled:
		return "is-active"
	}
	return ""
}
