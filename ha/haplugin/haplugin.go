package haplugin

import (
	"time"

	"github.com/edgeflock/flock/ha"
)

// Options configure the default plugins. The zero value (or nil) means
// the defaults; it is what a daemon's configuration file unmarshals into.
type Options struct {
	// OCFRoot is OCF_ROOT for ocf-script actions (default
	// DefaultOCFRoot).
	OCFRoot string `yaml:"ocf_root" json:"ocf_root,omitempty"`
	// Systemctl is the systemctl program (default "systemctl").
	Systemctl string `yaml:"systemctl" json:"systemctl,omitempty"`
	// KillGrace is the time between SIGTERM and SIGKILL to a timed-out
	// OCF agent's or systemctl's process group (default 2 s).
	KillGrace time.Duration `yaml:"kill_grace" json:"kill_grace,omitempty"`
	// Funcs are the Go functions for plugin_type go.
	Funcs Funcs `yaml:"-" json:"-"`
	// IP configures the floating address plugin (nil: defaults).
	IP *FloatingIP `yaml:"ip" json:"ip,omitempty"`
}

// New returns the default plugins, one per plugin type: OCF for
// ocf-script, Systemd for systemd, opts.Funcs for go and FloatingIP for
// ip. The map is the caller's to change (add or replace a type).
func New(opts *Options) ha.Plugins {
	if opts == nil {
		opts = &Options{}
	}
	ip := &FloatingIP{}
	if opts.IP != nil {
		c := *opts.IP
		ip = &c
	}
	funcs := opts.Funcs
	if funcs == nil {
		funcs = Funcs{}
	}
	return ha.Plugins{
		ha.PluginOCFScript: &OCF{Root: opts.OCFRoot, KillGrace: opts.KillGrace},
		ha.PluginSystemd:   &Systemd{Systemctl: opts.Systemctl, KillGrace: opts.KillGrace},
		ha.PluginGo:        funcs,
		ha.PluginIP:        ip,
	}
}
