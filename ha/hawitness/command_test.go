package hawitness

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hatest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const exampleConfig = `listen: 0.0.0.0:7001
key_file: /etc/flock/witness.key
state_dir: /var/lib/flock/witness
max_lease: 30s
metrics_listen: 127.0.0.1:9107
domains:
  - name: controller
    nodes: [controller-0, controller-1]
`

func TestLoadConfig(t *testing.T) {
	fc, err := LoadConfig(strings.NewReader(exampleConfig))
	require.NoError(t, err)
	assert.Equal(t, FileConfig{Listen: "0.0.0.0:7001", KeyFile: "/etc/flock/witness.key", StateDir: "/var/lib/flock/witness",
		MaxLease: 30 * time.Second, MetricsListen: "127.0.0.1:9107",
		Domains: []Domain{{Name: "controller", Nodes: []string{"controller-0", "controller-1"}}}}, fc)
	fc, err = LoadConfig(strings.NewReader(""))
	require.NoError(t, err)
	assert.Equal(t, FileConfig{}, fc)
}

func TestLoadConfigErrors(t *testing.T) {
	for name, tc := range map[string]struct{ in, field string }{
		"unknown":         {"listen: a\nport: 1\n", "port"},
		"repeated":        {"listen: a\nlisten: b\n", "listen"},
		"not a string":    {"listen: 7001\n", "listen"},
		"bad duration":    {"max_lease: soon\n", "max_lease"},
		"negative":        {"max_lease: -1s\n", "max_lease"},
		"domains map":     {"domains: {a: 1}\n", "domains"},
		"domain field":    {"domains:\n  - name: a\n    node: [x]\n", "domains[0].node"},
		"node type":       {"domains:\n  - name: a\n    nodes: [x, [y]]\n", "domains[0].nodes[1]"},
		"alias":           {"listen: &a x\nstate_dir: *a\n", "listen"},
		"not a mapping":   {"- a\n", "config"},
		"two documents":   {"listen: a\n---\nlisten: b\n", "config"},
		"syntax":          {"listen: [\n", "config"},
		"non-string key":  {"1: a\n", "config"},
		"anchor in list":  {"domains:\n  - &d {name: a}\n", "domains[0]"},
		"nodes is scalar": {"domains:\n  - name: a\n    nodes: x\n", "domains[0].nodes"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadConfig(strings.NewReader(tc.in))
			var fe *ha.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field, fe.Error())
		})
	}
}

func FuzzLoadConfig(f *testing.F) {
	f.Add(exampleConfig)
	f.Add("domains:\n  - name: a\n")
	f.Add("listen: &a x\n")
	f.Fuzz(func(t *testing.T, in string) {
		fc, err := LoadConfig(strings.NewReader(in))
		if err != nil {
			var fe *ha.FieldError
			require.ErrorAs(t, err, &fe)
			require.NotEmpty(t, fe.Field)
			require.Equal(t, FileConfig{}, fc, "an error changes nothing")
			return
		}
		// Whatever parsed validates without panicking.
		_ = Config{Listen: fc.Listen, Key: testKey, StateDir: fc.StateDir, MaxLease: fc.MaxLease, Domains: fc.Domains}.Validate()
	})
}

func TestFileConfigKey(t *testing.T) {
	dir := t.TempDir()
	kf := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(kf, append(bytes.Clone(testKey), '\n'), 0o600))
	cfg, err := FileConfig{Listen: "127.0.0.1:7001", KeyFile: kf, StateDir: dir}.Config()
	require.NoError(t, err)
	assert.Equal(t, testKey, cfg.Key, "trailing newline trimmed")

	var fe *ha.FieldError
	_, err = FileConfig{Listen: "127.0.0.1:7001", StateDir: dir}.Config()
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "key_file", fe.Field)
	require.NoError(t, os.WriteFile(kf, []byte("short\n"), 0o600))
	_, err = FileConfig{Listen: "127.0.0.1:7001", KeyFile: kf, StateDir: dir}.Config()
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "key", fe.Field)
}

// TestCommand runs the witness command as the daemon would, on a free
// loopback port, and asks it for a lease.
func TestCommand(t *testing.T) {
	dir := t.TempDir()
	kf := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(kf, testKey, 0o600))
	state := filepath.Join(dir, "state")
	require.NoError(t, os.Mkdir(state, 0o700))

	// --init once, then never again.
	cmd := Command()
	cmd.SetArgs([]string{"--init", "--state-dir", state})
	require.NoError(t, cmd.Execute())
	cmd = Command()
	cmd.SetArgs([]string{"--init", "--state-dir", state})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	require.Error(t, cmd.Execute())

	// Bad flags name the field.
	cmd = Command()
	cmd.SetArgs([]string{"--listen", "127.0.0.1:7001", "--key-file", kf, "--state-dir", state, "--domain", "controller=a,a"})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err := cmd.Execute()
	var fe *ha.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "domains[0].nodes[1]", fe.Field)

	cfgFile := filepath.Join(dir, "witness.yaml")
	require.NoError(t, os.WriteFile(cfgFile, []byte("listen: 127.0.0.1:1\nkey_file: "+kf+"\nmax_lease: 5s\n"), 0o600))
	addr := freeUDPAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cmd = Command()
	var logs bytes.Buffer
	cmd.SetErr(&logs)
	cmd.SetArgs([]string{"--config", cfgFile, "--listen", addr, "--state-dir", state,
		"--domain", "controller=" + hatest.WitnessNodeA + "," + hatest.WitnessNodeB})
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()

	c, err := NewClient(ClientConfig{Server: addr, Key: testKey, Domain: "controller", Retry: 20 * time.Millisecond, Timeout: 10 * time.Second}, nil, nil)
	require.NoError(t, err)
	until, err := c.Acquire(t.Context(), hatest.WitnessNodeA)
	require.NoError(t, err)
	assert.True(t, until.After(time.Now()))
	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, logs.String(), "witness listening")
}

func freeUDPAddr(t *testing.T) string {
	t.Helper()
	c, err := netListenLoopback()
	require.NoError(t, err)
	addr := c.LocalAddr().String()
	require.NoError(t, c.Close())
	return addr
}
