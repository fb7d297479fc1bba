package haplugin_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/haplugin"
)

func goCall(name string, a ha.ActionName) ha.PluginCall {
	return ha.PluginCall{Service: &ha.Service{Name: "api"}, Action: a, Active: true,
		Spec: &ha.ActionSpec{Action: a, PluginType: ha.PluginGo, PluginName: name, Timeout: time.Second}}
}

func TestFuncs(t *testing.T) {
	var got ha.PluginCall
	f := haplugin.Funcs{
		"api.health": func(ctx context.Context, call ha.PluginCall) ha.PluginResult {
			got = call
			return ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledActive}
		},
	}
	call := goCall("api.health", ha.ActionAuditEnabled)
	assert.Equal(t, ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledActive}, f.Run(t.Context(), call))
	assert.Equal(t, call, got)

	r := f.Run(t.Context(), goCall("api.serve", ha.ActionGoActive))
	assert.Equal(t, ha.ResultFatal, r.Result)
	assert.ErrorIs(t, r.Err, ha.ErrNotFound)
	assert.ErrorContains(t, r.Err, `plugin_name "api.serve"`)

	r = haplugin.Funcs(nil).Run(t.Context(), goCall("api.serve", ha.ActionGoActive))
	assert.Equal(t, ha.ResultFatal, r.Result)
}

// TestFuncsTimeout: a function that ignores its context still gives a
// timeout when the context ends; none runs on an ended context.
func TestFuncsTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		called := false
		f := haplugin.Funcs{
			"stuck": func(ctx context.Context, call ha.PluginCall) ha.PluginResult {
				<-release
				return ha.PluginResult{Result: ha.ResultSuccess}
			},
			"quick": func(ctx context.Context, call ha.PluginCall) ha.PluginResult {
				called = true
				return ha.PluginResult{Result: ha.ResultFailed, Err: errors.New("quick failure")}
			},
		}
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()
		r := f.Run(ctx, goCall("stuck", ha.ActionGoActive))
		assert.Equal(t, ha.ResultTimeout, r.Result)
		assert.ErrorIs(t, r.Err, context.DeadlineExceeded)
		assert.Equal(t, 5*time.Second, time.Since(start))
		close(release)

		r = f.Run(ctx, goCall("quick", ha.ActionGoActive))
		assert.Equal(t, ha.ResultTimeout, r.Result)
		assert.False(t, called, "a context already ended runs nothing")

		ctx, cancel = context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		r = f.Run(ctx, goCall("quick", ha.ActionGoActive))
		require.Equal(t, ha.ResultFailed, r.Result)
		assert.EqualError(t, r.Err, "quick failure")
	})
}

// TestNew: the default set has a plugin for every type, configured from
// the options.
func TestNew(t *testing.T) {
	ps := haplugin.New(nil)
	for _, pt := range []ha.PluginType{ha.PluginOCFScript, ha.PluginSystemd, ha.PluginGo, ha.PluginIP} {
		assert.NotNil(t, ps[pt], pt)
	}
	assert.Equal(t, &haplugin.OCF{}, ps[ha.PluginOCFScript])

	ip := &haplugin.FloatingIP{GARPCount: 5}
	ps = haplugin.New(&haplugin.Options{OCFRoot: "/opt/ocf", Systemctl: "/bin/systemctl", KillGrace: time.Second, IP: ip,
		Funcs: haplugin.Funcs{"x": func(context.Context, ha.PluginCall) ha.PluginResult { return ha.PluginResult{Result: ha.ResultSuccess} }}})
	assert.Equal(t, &haplugin.OCF{Root: "/opt/ocf", KillGrace: time.Second}, ps[ha.PluginOCFScript])
	assert.Equal(t, &haplugin.Systemd{Systemctl: "/bin/systemctl", KillGrace: time.Second}, ps[ha.PluginSystemd])
	assert.Equal(t, ip, ps[ha.PluginIP])
	assert.NotSame(t, ip, ps[ha.PluginIP], "a copy")
	assert.Equal(t, ha.ResultSuccess, ps.Run(t.Context(), goCall("x", ha.ActionEnable)).Result)
}
