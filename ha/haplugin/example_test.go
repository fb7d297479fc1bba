//go:build unix

package haplugin_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/haplugin"
)

// A daemon runs each action of the model with the plugin of its
// plugin_type: here a Go function for the embedded API and an OCF
// resource agent (a shell script keeping its state in a file) for a
// cache.
func Example() {
	dir, err := os.MkdirTemp("", "haplugin-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	agent := filepath.Join(dir, "cache")
	_ = os.WriteFile(agent, []byte(`#!/bin/sh
case "$1" in
start) touch "$OCF_RESKEY_state" ;;
stop) rm -f "$OCF_RESKEY_state" ;;
monitor) [ -e "$OCF_RESKEY_state" ] || exit 7 ;;
esac
`), 0o755)

	m, err := ha.LoadModel(strings.NewReader(`
service_groups:
  - name: web-services
    services:
      - {service_name: web-api}
      - {service_name: cache}
services:
  - name: web-api
    actions:
      - {action: go-active, plugin_type: go, plugin_name: api.serve, timeout: 30s}
      - {action: audit-enabled, plugin_type: go, plugin_name: api.health, timeout: 5s, interval: 5s}
  - name: cache
    actions:
      - {action: go-active, plugin_type: ocf-script, plugin_name: cache, plugin_command: ` + agent + `, plugin_parameters: {state: ` + filepath.Join(dir, "running") + `}, timeout: 10s}
      - {action: audit-enabled, plugin_type: ocf-script, plugin_name: cache, plugin_command: ` + agent + `, plugin_parameters: {state: ` + filepath.Join(dir, "running") + `}, timeout: 10s, interval: 5s}
`))
	if err != nil {
		fmt.Println(err)
		return
	}

	serving := false
	plugins := haplugin.New(&haplugin.Options{Funcs: haplugin.Funcs{
		"api.serve": func(ctx context.Context, call ha.PluginCall) ha.PluginResult {
			serving = true
			return ha.PluginResult{Result: ha.ResultSuccess}
		},
		"api.health": func(ctx context.Context, call ha.PluginCall) ha.PluginResult {
			if !serving {
				return ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceDisabled}
			}
			return ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledActive}
		},
	}})

	ctx := context.Background()
	for _, name := range []string{"web-api", "cache"} {
		svc, _ := m.Service(name)
		for _, a := range []ha.ActionName{ha.ActionAuditEnabled, ha.ActionGoActive, ha.ActionAuditEnabled} {
			r := plugins.Run(ctx, ha.PluginCall{Service: svc, Action: a, Spec: svc.Action(a), Active: true})
			fmt.Printf("%s %s: %s %s -> %s\n", name, a, r.Result, r.State, r.Event(a).Kind)
		}
	}
	// Output:
	// web-api audit-enabled: success disabled -> audit-success
	// web-api go-active: success  -> go-active-success
	// web-api audit-enabled: success enabled-active -> audit-success
	// cache audit-enabled: success disabled -> audit-success
	// cache go-active: success  -> go-active-success
	// cache audit-enabled: success enabled-active -> audit-success
}
