package main

import (
	"log/slog"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/haplugin"
)

// plugins are the standalone daemon's: OCF agents, systemd units and
// floating addresses. It has no Go functions of its own (plugin_type go
// is for programs that embed the node, as stx-controller does); a model
// naming one fails that action fatally.
func plugins(fc fileConfig, _ *slog.Logger) ha.Plugins {
	return haplugin.New(&haplugin.Options{OCFRoot: fc.Plugins.OCFRoot, Systemctl: fc.Plugins.Systemctl})
}
