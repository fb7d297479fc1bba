package agent

import (
	"context"
	"log/slog"

	"github.com/edgeflock/flock/hostmgmt/heartbeat"
)

// SetLinkRunner makes m's Run start f's runner instead of a
// heartbeat.Client: the link itself is tested in its own package.
func SetLinkRunner(m *Maintenance, f func(cfg heartbeat.ClientConfig, h heartbeat.Handler) func(ctx context.Context) error) {
	m.newClient = func(cfg heartbeat.ClientConfig, h heartbeat.Handler, _ *slog.Logger) (linkRunner, error) {
		return runFunc(f(cfg, h)), nil
	}
}

type runFunc func(ctx context.Context) error

func (f runFunc) Run(ctx context.Context) error { return f(ctx) }

// ParseUptime is parseUptime, for its fuzz test.
var ParseUptime = parseUptime
