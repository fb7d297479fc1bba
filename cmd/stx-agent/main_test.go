package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/agent"
)

// TestConfigErrors: bad configuration is refused naming the field.
func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(tok, []byte(strings.Repeat("a", 64)+"\n"), 0o600))
	open := filepath.Join(dir, "open.token")
	require.NoError(t, os.WriteFile(open, []byte(strings.Repeat("a", 64)), 0o644))
	require.NoError(t, os.Chmod(open, 0o644))
	short := filepath.Join(dir, "short.token")
	require.NoError(t, os.WriteFile(short, []byte("abc"), 0o600))
	yml := filepath.Join(dir, "agent.yaml")
	require.NoError(t, os.WriteFile(yml, []byte("controller_url: http://127.0.0.1:1\ntoken_file: "+tok+"\nbogus: 1\n"), 0o600))
	badNet := filepath.Join(dir, "badnet.yaml")
	require.NoError(t, os.WriteFile(badNet, []byte("controller_url: http://127.0.0.1:1\ntoken_file: "+tok+"\nlocal_addrs: {storage: 10.0.0.1}\n"), 0o600))
	negTimeout := filepath.Join(dir, "timeout.yaml")
	require.NoError(t, os.WriteFile(negTimeout, []byte("controller_url: http://127.0.0.1:1\ntoken_file: "+tok+"\nscript_timeout: -1s\n"), 0o600))
	good := []string{"--controller", "http://127.0.0.1:1", "--token-file", tok, "--state-dir", dir}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no controller", []string{"--token-file", tok}, "controller_url"},
		{"bad controller", []string{"--controller", "ftp://x", "--token-file", tok}, "controller_url"},
		{"no token file", []string{"--controller", "http://x"}, "token_file"},
		{"missing token file", []string{"--controller", "http://x", "--token-file", filepath.Join(dir, "none")}, "token_file"},
		{"open token file", []string{"--controller", "http://x", "--token-file", open}, "chmod 600"},
		{"short token", []string{"--controller", "http://x", "--token-file", short}, "need at least 32"},
		{"bad applier", append(good, "--applier", "ansible"), "applier"},
		{"empty dry run", append(good, "--applier", "dry-run:"), "applier"},
		{"negative interval", append(good, "--interval", "-1s"), "interval"},
		{"bad mac", append(good, "--mgmt-mac", "nope"), "mgmt_mac"},
		{"bad level", append(good, "--log-level", "loud"), "log_level"},
		{"unknown yaml field", []string{"--config", yml}, "bogus"},
		{"bad reboot", append(good, "--reboot", "kexec"), "reboot"},
		{"bad mgmt addr", append(good, "--mgmt-addr", "host-a"), "local_addrs.mgmt"},
		{"bad cluster-host addr", append(good, "--cluster-host-addr", "10.0.0.1:99999"), "local_addrs.cluster-host"},
		{"bad local network", []string{"--config", badNet}, "local_addrs"},
		{"negative script timeout", []string{"--config", negTimeout}, "script_timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(tc.args, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestConfigFile: the YAML file sets every field, and flags win.
func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	yml := filepath.Join(dir, "agent.yaml")
	require.NoError(t, os.WriteFile(yml, []byte(`controller_url: http://controller:6385
token_file: /etc/flock/agent.token
state_dir: /var/lib/x
applier: dry-run:/tmp/out
mgmt_mac: 52:54:00:00:00:01
hostname: worker-0
interval: 30s
poll_interval: 2s
log_level: debug
mtce: false
goenabled_dir: /opt/tests
services_dir: /opt/services
script_timeout: 2m
reboot: exec
local_addrs:
  mgmt: 192.168.204.3
  cluster-host: 192.168.206.3:2116
link_refresh: 1m
`), 0o600))
	cfg, err := config([]string{"--config", yml, "--interval", "10s"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "http://controller:6385", cfg.ControllerURL)
	assert.Equal(t, "/etc/flock/agent.token", cfg.TokenFile)
	assert.Equal(t, "/var/lib/x", cfg.StateDir)
	assert.Equal(t, "dry-run:/tmp/out", cfg.Applier)
	assert.Equal(t, "52:54:00:00:00:01", cfg.Agent.MgmtMAC)
	assert.Equal(t, "worker-0", cfg.Agent.Hostname)
	assert.Equal(t, "10s", cfg.Agent.Interval.String())
	assert.Equal(t, "2s", cfg.Agent.PollInterval.String())
	assert.Equal(t, "debug", cfg.LogLevel)
	assert.False(t, *cfg.Mtce)
	assert.Equal(t, "/opt/tests", cfg.Maintenance.GoenabledDir)
	assert.Equal(t, "/opt/services", cfg.Maintenance.ServicesDir)
	assert.Equal(t, 2*time.Minute, cfg.Maintenance.ScriptTimeout)
	assert.Equal(t, agent.RebootExec, cfg.Maintenance.Reboot)
	assert.Equal(t, map[string]string{"mgmt": "192.168.204.3", "cluster-host": "192.168.206.3:2116"}, cfg.Maintenance.LocalAddrs)
	assert.Equal(t, time.Minute, cfg.Maintenance.LinkRefresh)

	cfg, err = config([]string{"--config", yml, "--mtce", "--reboot", "exit", "--mgmt-addr", "10.0.0.3", "--services-dir", "/s"}, io.Discard)
	require.NoError(t, err)
	assert.True(t, *cfg.Mtce, "the flag wins")
	assert.Equal(t, agent.RebootExit, cfg.Maintenance.Reboot)
	assert.Equal(t, "10.0.0.3", cfg.Maintenance.LocalAddrs["mgmt"])
	assert.Equal(t, "192.168.206.3:2116", cfg.Maintenance.LocalAddrs["cluster-host"])
	assert.Equal(t, "/s", cfg.Maintenance.ServicesDir)
}

// TestConfigDefaults: host maintenance is on, and reboots the host.
func TestConfigDefaults(t *testing.T) {
	cfg, err := config([]string{"--controller", "http://controller:6385", "--token-file", "/t"}, io.Discard)
	require.NoError(t, err)
	assert.True(t, *cfg.Mtce)
	assert.Equal(t, agent.RebootSystem, cfg.Maintenance.Reboot)
	assert.Empty(t, cfg.Maintenance.LocalAddrs)
}
