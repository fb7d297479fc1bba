package haplugin

import (
	"context"
	"fmt"

	"github.com/edgeflock/flock/ha"
)

// Funcs runs the actions of plugin_type go: the Go function registered
// under plugin_name. The embedding program fills it in (a function may
// serve several actions and services; it sees the call). A name with no
// function is ResultFatal, with an error naming plugin_name and wrapping
// ha.ErrNotFound.
//
// A function must return soon after ctx ends. If it does not, Run
// returns ResultTimeout when ctx ends anyway, as ha.Plugin requires, and
// leaves the function running in its goroutine; its late result is
// dropped.
type Funcs map[string]ha.PluginFunc

var _ ha.Plugin = Funcs(nil)

// Run calls the function registered under call.Spec.PluginName.
func (f Funcs) Run(ctx context.Context, call ha.PluginCall) ha.PluginResult {
	fn := f[call.Spec.PluginName]
	if fn == nil {
		return ha.PluginResult{Result: ha.ResultFatal, Err: fmt.Errorf("haplugin: plugin_name %q: no Go function registered under that name: %w", call.Spec.PluginName, ha.ErrNotFound)}
	}
	if err := ctx.Err(); err != nil {
		return ha.PluginResult{Result: ha.ResultTimeout, Err: fmt.Errorf("haplugin: go %s: %w", call.Spec.PluginName, context.Cause(ctx))}
	}
	done := make(chan ha.PluginResult, 1)
	go func() { done <- fn(ctx, call) }()
	select {
	case r := <-done:
		return r
	case <-ctx.Done():
		// A result that came in at the same time wins.
		select {
		case r := <-done:
			return r
		default:
		}
		return ha.PluginResult{Result: ha.ResultTimeout, Err: fmt.Errorf("haplugin: go %s: did not return before its context ended: %w", call.Spec.PluginName, context.Cause(ctx))}
	}
}
