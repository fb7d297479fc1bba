package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hanode"
	"github.com/edgeflock/flock/ha/haplugin"
)

// openHA builds service management from the file at path, to run in
// this process: the plugins are haplugin's with the controller's own Go
// functions (controllerFuncs), its alarms go to faults. Its metrics are
// not registered: the controller's registry is made by stx.Open, after.
// onFailed is called when this controller lost survivor selection,
// unless the file sets exit_on_failed false.
func openHA(path, dataDir string, faults fault.Reporter, onFailed func(), log *slog.Logger) (*hanode.Node, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fc, err := hanode.ParseFile(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	plugins := haplugin.New(&haplugin.Options{OCFRoot: fc.Plugins.OCFRoot, Systemctl: fc.Plugins.Systemctl, Funcs: controllerFuncs(dataDir)})
	opts := &hanode.Options{Logger: log, Plugins: plugins, Alarms: faults}
	if fc.ExitOnFailed == nil || *fc.ExitOnFailed {
		opts.OnFailed = onFailed
	}
	if fc.API != "" || fc.Metrics != "" {
		log.Warn("stx-controller serves service management's API on its own port; api_listen and metrics_listen are stx-ha's and ignored here")
	}
	n, err := hanode.OpenConfig(fc, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// controllerFuncs are the Go plugins of Flock's default model that this
// process provides. Embedded, the controller's API is served by the
// process on both controllers, and the floating addresses decide which
// one clients reach: serve and stop have nothing to start or stop, and
// the health audit reports the process running. data-dir.check checks
// that the data directory takes a write.
func controllerFuncs(dataDir string) haplugin.Funcs {
	running := func(call ha.PluginCall) ha.PluginResult {
		st := ha.ServiceEnabledStandby
		if call.Active {
			st = ha.ServiceEnabledActive
		}
		switch call.Action {
		case ha.ActionAuditEnabled, ha.ActionAuditDisabled:
			return ha.PluginResult{Result: ha.ResultSuccess, State: st}
		}
		return ha.PluginResult{Result: ha.ResultSuccess}
	}
	return haplugin.Funcs{
		"stx-controller.serve":  func(_ context.Context, call ha.PluginCall) ha.PluginResult { return running(call) },
		"stx-controller.stop":   func(_ context.Context, call ha.PluginCall) ha.PluginResult { return running(call) },
		"stx-controller.health": func(_ context.Context, call ha.PluginCall) ha.PluginResult { return running(call) },
		"data-dir.check": func(_ context.Context, call ha.PluginCall) ha.PluginResult {
			f, err := os.CreateTemp(dataDir, ".ha-check-*")
			if err == nil {
				name := f.Name()
				_, err = f.Write([]byte("ok"))
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				os.Remove(filepath.Clean(name))
			}
			if err != nil {
				return ha.PluginResult{Result: ha.ResultFailed, Err: fmt.Errorf("data-dir.check: %w", err)}
			}
			return running(call)
		},
	}
}

// lateReporter forwards to fault management once it is open: service
// management is built before stx.Open (which mounts its API), its
// alarms after. Until then calls fail as unavailable, and the
// AsyncReporter in front retries them.
type lateReporter struct {
	mu     sync.Mutex
	target fault.Reporter
}

func (l *lateReporter) set(r fault.Reporter) {
	l.mu.Lock()
	l.target = r
	l.mu.Unlock()
}

func (l *lateReporter) get() (fault.Reporter, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.target == nil {
		return nil, fmt.Errorf("%w: fault management is not open yet", fault.ErrUnavailable)
	}
	return l.target, nil
}

// SetAlarm forwards to fault management.
func (l *lateReporter) SetAlarm(ctx context.Context, a fault.Alarm) (string, error) {
	r, err := l.get()
	if err != nil {
		return "", err
	}
	return r.SetAlarm(ctx, a)
}

// ClearAlarm forwards to fault management.
func (l *lateReporter) ClearAlarm(ctx context.Context, id, eid string) error {
	r, err := l.get()
	if err != nil {
		return err
	}
	return r.ClearAlarm(ctx, id, eid)
}
