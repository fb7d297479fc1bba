package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
}
