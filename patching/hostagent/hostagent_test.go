package hostagent_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/content"
	"github.com/edgeflock/flock/patching/hostagent"
	"github.com/edgeflock/flock/patching/installer"
	"github.com/edgeflock/flock/patching/patchingsql"
)

type world struct {
	m      *patchingsql.Manager
	store  *content.Store
	srv    *httptest.Server
	key    ed25519.PrivateKey
	keys   patching.Keyring
	locked bool
}

func newWorld(t *testing.T) *world {
	dir := t.TempDir()
	key, err := patching.GenerateKey(nil)
	require.NoError(t, err)
	w := &world{store: &content.Store{Dir: filepath.Join(dir, "content")}, key: key,
		keys: patching.Keyring{"signer": key.Public().(ed25519.PublicKey)}}
	db, err := sqlstore.Open(t.Context(), "sqlite://"+filepath.Join(dir, "flock.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	w.m, err = patchingsql.New(t.Context(), db, patchingsql.Options{Store: w.store, Keyring: w.keys,
		Hosts: patchingsql.HostsFunc(func(context.Context) ([]patchingsql.Host, error) {
			return []patchingsql.Host{{Hostname: "worker-0", Provisioned: true, Enabled: !w.locked, Locked: w.locked, ConfigCurrent: true}}, nil
		})})
	require.NoError(t, err)
	w.srv = httptest.NewServer(http.StripPrefix("/v1/content", w.store.Handler()))
	t.Cleanup(w.srv.Close)
	return w
}

func (w *world) release(t *testing.T, id string, rr bool, script string) []byte {
	dir := t.TempDir()
	meta := fmt.Sprintf("id: %s\nsw_version: \"1.0\"\nstatus: REL\n", id)
	if !rr {
		meta += "reboot_required: N\n"
	}
	if script != "" {
		meta += "post_install: post.sh\n"
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "scripts"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "scripts", "post.sh"), []byte(script), 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "metadata.yaml"), []byte(meta), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "content"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "content", "version"), []byte(id), 0o644))
	var b bytes.Buffer
	require.NoError(t, patching.Build(dir, w.key, &b))
	return b.Bytes()
}

func (w *world) agent(t *testing.T, root string) (*hostagent.Agent, *installer.Installer) {
	inst, err := installer.New(installer.Config{Root: root}, nil)
	require.NoError(t, err)
	fetch := func(ctx context.Context, path, digest, dst string) error {
		return content.Fetch(ctx, w.srv.Client(), w.srv.URL+path, digest, dst)
	}
	a, err := hostagent.New(hostagent.Config{Host: "worker-0", DownloadDir: filepath.Join(root, "..", "downloads")}, w.m, fetch, w.keys, inst, nil)
	require.NoError(t, err)
	return a, inst
}

// TestAgentDeploysAndRollsBack: the host installs what the deploy
// assigns (in-service: current at once), the controller sees it
// deployed; a second release is installed, then rolled back on abort.
func TestAgentDeploysAndRollsBack(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	root := filepath.Join(t.TempDir(), "sw")
	a, inst := w.agent(t, root)
	_, err := w.m.Upload(ctx, bytes.NewReader(w.release(t, "REL-1", false, "")))
	require.NoError(t, err)
	_, err = w.m.Upload(ctx, bytes.NewReader(w.release(t, "REL-2", false, "#!/bin/sh\nexit 0\n")))
	require.NoError(t, err)

	require.NoError(t, a.Once(ctx), "nothing assigned: a report only")
	_, err = w.m.DeployStart(ctx, "REL-1", false)
	require.NoError(t, err)
	_, err = w.m.DeployHost(ctx, "worker-0", false)
	require.NoError(t, err)
	require.NoError(t, a.Once(ctx))
	st, _ := inst.Status()
	assert.Equal(t, "REL-1", st.Current)
	b, err := os.ReadFile(filepath.Join(inst.CurrentPath(), "version"))
	require.NoError(t, err)
	assert.Equal(t, "REL-1", string(b))
	d, _ := w.m.ShowDeploy(ctx)
	assert.Equal(t, patching.DeployHostDone, d.State)
	require.NoError(t, a.Once(ctx), "polled again: nothing repeated")
	_, err = w.m.DeployActivate(ctx)
	require.NoError(t, err)
	_, err = w.m.DeployComplete(ctx)
	require.NoError(t, err)
	require.NoError(t, w.m.DeployDelete(ctx))

	_, err = w.m.DeployStart(ctx, "REL-2", false)
	require.NoError(t, err)
	_, err = w.m.DeployHost(ctx, "worker-0", false)
	require.NoError(t, err)
	require.NoError(t, a.Once(ctx))
	st, _ = inst.Status()
	assert.Equal(t, "REL-2", st.Current)
	_, err = w.m.DeployAbort(ctx)
	require.NoError(t, err)
	_, err = w.m.DeployHostRollback(ctx, "worker-0")
	require.NoError(t, err)
	require.NoError(t, a.Once(ctx))
	st, _ = inst.Status()
	assert.Equal(t, "REL-1", st.Current)
	d, _ = w.m.ShowDeploy(ctx)
	assert.Equal(t, patching.DeployHostRollbackDone, d.State)
}

// TestAgentFailures: a failing post-install script leaves the host on
// its release and reports install-failed with the output; a file whose
// signature the host does not trust is rejected before installing.
func TestAgentFailures(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	a, inst := w.agent(t, filepath.Join(t.TempDir(), "sw"))
	_, err := w.m.Upload(ctx, bytes.NewReader(w.release(t, "REL-1", false, "#!/bin/sh\necho disk on fire >&2\nexit 3\n")))
	require.NoError(t, err)
	_, err = w.m.DeployStart(ctx, "REL-1", false)
	require.NoError(t, err)
	_, err = w.m.DeployHost(ctx, "worker-0", false)
	require.NoError(t, err)
	assert.Error(t, a.Once(ctx))
	st, _ := inst.Status()
	assert.Equal(t, "", st.Current, "still on the base")
	hosts, _ := w.m.ListDeployHosts(ctx)
	require.Len(t, hosts, 1)
	assert.Equal(t, patching.HostFailed, hosts[0].State)
	assert.Contains(t, hosts[0].Reason, "disk on fire")

	// The host trusts another key than the controller.
	other, _ := patching.GenerateKey(nil)
	w.keys = patching.Keyring{"other": other.Public().(ed25519.PublicKey)}
	b, _ := w.agent(t, filepath.Join(t.TempDir(), "sw2"))
	_, err = w.m.DeployHost(ctx, "worker-0", false)
	require.NoError(t, err, "re-entered after the failure")
	err = b.Once(ctx)
	assert.ErrorIs(t, err, patching.ErrUntrusted)
	hosts, _ = w.m.ListDeployHosts(ctx)
	assert.Equal(t, patching.HostFailed, hosts[0].State)
	assert.Contains(t, hosts[0].Reason, "untrusted")
}

// TestAgentRollbacks: the first release rolls back to the base install;
// a host whose install failed rolls back by staying where it is (its
// stale install-failed is not reported again).
func TestAgentRollbacks(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	a, inst := w.agent(t, filepath.Join(t.TempDir(), "sw"))
	_, err := w.m.Upload(ctx, bytes.NewReader(w.release(t, "REL-1", false, "")))
	require.NoError(t, err)
	_, err = w.m.DeployStart(ctx, "REL-1", false)
	require.NoError(t, err)
	_, err = w.m.DeployHost(ctx, "worker-0", false)
	require.NoError(t, err)
	require.NoError(t, a.Once(ctx))
	st, _ := inst.Status()
	require.Equal(t, "REL-1", st.Current)
	_, err = w.m.DeployAbort(ctx)
	require.NoError(t, err)
	_, err = w.m.DeployHostRollback(ctx, "worker-0")
	require.NoError(t, err)
	require.NoError(t, a.Once(ctx))
	st, _ = inst.Status()
	assert.Equal(t, "", st.Current, "back on the base install")
	d, _ := w.m.ShowDeploy(ctx)
	assert.Equal(t, patching.DeployHostRollbackDone, d.State)
	require.NoError(t, w.m.DeployDelete(ctx))

	// A failed install, then the rollback.
	_, err = w.m.Upload(ctx, bytes.NewReader(w.release(t, "REL-2", false, "#!/bin/sh\nexit 1\n")))
	require.NoError(t, err)
	_, err = w.m.DeployStart(ctx, "REL-2", false)
	require.NoError(t, err)
	_, err = w.m.DeployHost(ctx, "worker-0", false)
	require.NoError(t, err)
	assert.Error(t, a.Once(ctx))
	_, err = w.m.DeployAbort(ctx)
	require.NoError(t, err)
	_, err = w.m.DeployHostRollback(ctx, "worker-0")
	require.NoError(t, err)
	require.NoError(t, a.Once(ctx))
	d, _ = w.m.ShowDeploy(ctx)
	assert.Equal(t, patching.DeployHostRollbackDone, d.State, "the failed host is where it was: rolled back")
}

// TestAgentBootSwitch: a reboot-required release waits for the host's
// next boot: an agent restart in the same boot does not switch to it; a
// start in a new boot does.
func TestAgentBootSwitch(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	root := filepath.Join(t.TempDir(), "sw")
	boot := "boot-1"
	start := func() installer.Status {
		inst, err := installer.New(installer.Config{Root: root}, nil)
		require.NoError(t, err)
		b, err := hostagent.New(hostagent.Config{Host: "worker-0", DownloadDir: filepath.Join(root, "..", "downloads"), Interval: time.Hour,
			BootID: func() (string, error) { return boot, nil }}, w.m, func(context.Context, string, string, string) error { return nil }, w.keys, inst, nil)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(ctx)
		cancel() // Run handles the start, polls once, and returns
		_ = b.Run(ctx)
		st, err := inst.Status()
		require.NoError(t, err)
		return st
	}
	start() // the agent's first start in boot-1
	a, inst := w.agent(t, root)
	_, err := w.m.Upload(ctx, bytes.NewReader(w.release(t, "REL-RR", true, "")))
	require.NoError(t, err)
	_, err = w.m.DeployStart(ctx, "REL-RR", false)
	require.NoError(t, err)
	w.locked = true
	_, err = w.m.DeployHost(ctx, "worker-0", false)
	require.NoError(t, err)
	require.NoError(t, a.Once(ctx))
	st, _ := inst.Status()
	require.Equal(t, "REL-RR", st.Pending)

	st = start()
	assert.Equal(t, "", st.Current, "an agent restart is not a reboot")
	assert.Equal(t, "REL-RR", st.Pending)
	boot = "boot-2"
	st = start()
	assert.Equal(t, "REL-RR", st.Current, "the host rebooted")
	assert.Empty(t, st.Pending)
}
