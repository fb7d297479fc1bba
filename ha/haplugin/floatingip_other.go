//go:build !linux

package haplugin

import (
	"context"
	"errors"
	"fmt"

	"github.com/edgeflock/flock/ha"
)

// Run fails: floating addresses need Linux's netlink.
func (p *FloatingIP) Run(ctx context.Context, call ha.PluginCall) ha.PluginResult {
	return ha.PluginResult{Result: ha.ResultFatal, Err: fmt.Errorf("haplugin: ip: floating addresses need Linux: %w", errors.ErrUnsupported)}
}
