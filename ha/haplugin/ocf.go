package haplugin

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/edgeflock/flock/ha"
)

// DefaultOCFRoot is OCF_ROOT when OCF.Root is empty (StarlingX's and
// Pacemaker's).
const DefaultOCFRoot = "/usr/lib/ocf"

// OCF runs the actions of plugin_type ocf-script: an OCF resource agent,
// executed with the OCF verb of the action. The zero value is ready to
// use.
//
// The program is plugin_command when it is a path (it contains a
// slash); otherwise it is Root/resource.d/<plugin_class>/<plugin_name>,
// as in StarlingX, and a non-empty plugin_command is the verb. Without
// a verb in plugin_command the action gives it: enable and go-active
// start, disable and go-standby stop, audit-enabled and audit-disabled
// monitor.
//
// The environment is this process's plus OCF_ROOT, OCF_RA_VERSION_MAJOR
// and _MINOR (1, 0), OCF_RESOURCE_INSTANCE (the service's name),
// OCF_RESOURCE_TYPE (plugin_name), OCF_RESKEY_<name> for each
// plugin_parameters entry and OCF_RESKEY_CRM_meta_timeout (the action's
// timeout in milliseconds, as Pacemaker passes it). Stdin and stdout are
// /dev/null; the last 4 KiB of stderr go into PluginResult.Err.
//
// The agent runs in a process group of its own. When ctx ends the group
// gets SIGTERM, then SIGKILL after KillGrace, the agent is reaped, and
// the result is ResultTimeout. Exit codes map through ha.OCFResult; a
// program that cannot be started (missing, not executable) is
// ResultFatal.
type OCF struct {
	// Root is OCF_ROOT (default DefaultOCFRoot).
	Root string
	// KillGrace is the time between SIGTERM and SIGKILL to the agent's
	// process group once ctx ends (default 2 s).
	KillGrace time.Duration
}

var _ ha.Plugin = (*OCF)(nil)

// Run runs call's OCF agent.
func (p *OCF) Run(ctx context.Context, call ha.PluginCall) ha.PluginResult {
	path, verb, env, err := p.command(call)
	if err != nil {
		return ha.PluginResult{Result: ha.ResultFatal, Err: err}
	}
	r, err := runProgram(ctx, p.KillGrace, path, []string{verb}, env, false)
	if err != nil {
		fatal := ha.ResultFailed
		if startFailed(err) {
			fatal = ha.ResultFatal
		}
		return ha.PluginResult{Result: fatal, Err: fmt.Errorf("haplugin: ocf %s %s: %w", path, verb, err)}
	}
	if r.timedOut {
		return ha.PluginResult{Result: ha.ResultTimeout, Err: fmt.Errorf("haplugin: ocf %s %s: timed out, killed: %w%s", path, verb, context.Cause(ctx), stderrSuffix(r.stderr))}
	}
	res, state := ha.OCFResult(call.Action, r.code, call.Active)
	out := ha.PluginResult{Result: res}
	if isAudit(call.Action) {
		out.State = state
	}
	if res != ha.ResultSuccess {
		out.Err = fmt.Errorf("haplugin: ocf %s %s: exit %d (%s)%s", path, verb, r.code, ocfCodeName(r.code), stderrSuffix(r.stderr))
	}
	return out
}

// command returns the program, the verb and the OCF environment of call.
func (p *OCF) command(call ha.PluginCall) (path, verb string, env []string, err error) {
	spec := call.Spec
	root := p.Root
	if root == "" {
		root = DefaultOCFRoot
	}
	verb = ocfVerb(call.Action)
	switch cmd := spec.PluginCommand; {
	case strings.Contains(cmd, "/"):
		path = cmd
	default:
		if cmd != "" {
			if !validToken(cmd) {
				return "", "", nil, &ha.FieldError{Field: "plugin_command", Reason: fmt.Sprintf("%q is neither a path nor an OCF verb", cmd)}
			}
			verb = cmd
		}
		for _, f := range []struct{ name, v string }{{"plugin_class", spec.PluginClass}, {"plugin_name", spec.PluginName}} {
			if !validPathElem(f.v) {
				return "", "", nil, &ha.FieldError{Field: f.name, Reason: fmt.Sprintf("%q does not name an agent under %s/resource.d", f.v, root)}
			}
		}
		path = filepath.Join(root, "resource.d", spec.PluginClass, spec.PluginName)
	}
	if verb == "" {
		return "", "", nil, &ha.FieldError{Field: "action", Reason: fmt.Sprintf("no OCF verb for action %q", call.Action)}
	}
	name := ""
	if call.Service != nil {
		name = call.Service.Name
	}
	env = []string{
		"OCF_ROOT=" + root,
		"OCF_RA_VERSION_MAJOR=1",
		"OCF_RA_VERSION_MINOR=0",
		"OCF_RESOURCE_INSTANCE=" + name,
		"OCF_RESOURCE_TYPE=" + spec.PluginName,
		"OCF_RESKEY_CRM_meta_timeout=" + strconv.FormatInt(spec.Timeout.Milliseconds(), 10),
	}
	for k, v := range spec.PluginParameters {
		if !validEnvName(k) {
			return "", "", nil, &ha.FieldError{Field: "plugin_parameters." + k, Reason: "not a valid OCF parameter name (letters, digits, _)"}
		}
		env = append(env, "OCF_RESKEY_"+k+"="+v)
	}
	return path, verb, env, nil
}

// ocfVerb is the OCF verb of action a.
func ocfVerb(a ha.ActionName) string {
	switch a {
	case ha.ActionEnable, ha.ActionGoActive:
		return "start"
	case ha.ActionDisable, ha.ActionGoStandby:
		return "stop"
	case ha.ActionAuditEnabled, ha.ActionAuditDisabled:
		return "monitor"
	}
	return ""
}

// ocfCodeName names the OCF exit codes, for errors.
func ocfCodeName(code int) string {
	switch code {
	case -1:
		return "killed by a signal"
	case 0:
		return "OCF_SUCCESS"
	case 1:
		return "OCF_ERR_GENERIC"
	case 2:
		return "OCF_ERR_ARGS"
	case 3:
		return "OCF_ERR_UNIMPLEMENTED"
	case 4:
		return "OCF_ERR_PERM"
	case 5:
		return "OCF_ERR_INSTALLED"
	case 6:
		return "OCF_ERR_CONFIGURED"
	case 7:
		return "OCF_NOT_RUNNING"
	case 8:
		return "OCF_RUNNING_MASTER"
	case 9:
		return "OCF_FAILED_MASTER"
	}
	return "unknown"
}

func isAudit(a ha.ActionName) bool {
	return a == ha.ActionAuditEnabled || a == ha.ActionAuditDisabled
}

// stderrSuffix formats a program's standard error for an error message.
func stderrSuffix(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	return ": " + s
}

// validToken: a verb or a unit name, never an option.
func validToken(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for _, c := range s {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

func validPathElem(s string) bool {
	return validToken(s) && s != "." && s != ".." && !strings.ContainsRune(s, '/')
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
