package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/content"
	"github.com/edgeflock/flock/patching/patchinghttp"
	"github.com/edgeflock/flock/patching/patchingsql"
	"github.com/edgeflock/flock/patching/patchingtest"
)

// swPatchRig serves USM's and sw-patch's paths over a patchingsql
// Manager on SQLite, as stx-controller mounts them.
func swPatchRig(t *testing.T) (*patchingsql.Manager, ed25519.PrivateKey, func(args ...string) (string, error)) {
	dir := t.TempDir()
	key, err := patching.GenerateKey(nil)
	require.NoError(t, err)
	db, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.Join(dir, "flock.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	hosts := []patchingsql.Host{{Hostname: "controller-0", Provisioned: true, Enabled: true, ConfigCurrent: true},
		{Hostname: "worker-0", Provisioned: true, Enabled: true, ConfigCurrent: true}}
	m, err := patchingsql.New(context.Background(), db, patchingsql.Options{Store: &content.Store{Dir: filepath.Join(dir, "content")},
		Keyring: patching.Keyring{"k": key.Public().(ed25519.PublicKey)},
		Hosts:   patchingsql.HostsFunc(func(context.Context) ([]patchingsql.Host, error) { return hosts, nil })})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/", patchinghttp.NewHandler(m, nil))
	mux.Handle(patchinghttp.LegacyPrefix+"/", patchinghttp.NewLegacyHandler(m, m, nil))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		g := &globals{out: &out}
		root := rootCommand(g)
		root.SetErr(io.Discard)
		root.SetArgs(append([]string{"--url", srv.URL, "--token", "t0ken"}, args...))
		err := root.ExecuteContext(t.Context())
		return out.String(), err
	}
	return m, key, run
}

func TestSWPatchVerbs(t *testing.T) {
	m, key, run := swPatchRig(t)
	file := filepath.Join(t.TempDir(), "P-1.patch")
	require.NoError(t, os.WriteFile(file, patchingtest.BuildRelease(t, key, patchingtest.Meta("P-1", false), nil), 0o644))
	out, err := run("sw-patch", "upload", file)
	require.NoError(t, err)
	assert.Equal(t, "P-1 is now available\n", out)
	out, err = run("sw-patch", "query")
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"Patch", "ID", "RR", "Release", "Repo", "State", "Patch", "State"}, {"P-1", "N", "1.0", "Available", "n/a"}}, rows(out))

	out, err = run("sw-patch", "apply", "P-1")
	require.NoError(t, err)
	assert.Equal(t, "P-1 is now in the repo\n", out)
	out, err = run("sw-patch", "query")
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"Patch", "ID", "RR", "Release", "Patch", "State"}, {"P-1", "N", "1.0", "Partial-Apply"}}, rows(out))

	_, err = run("sw-patch", "host-install", "controller-0")
	require.NoError(t, err)
	out, err = run("sw-patch", "query-hosts")
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"Hostname", "IP", "Address", "Patch", "Current", "Reboot", "Required", "Release", "State"},
		{"controller-0", "None", "Pending", "No", "None", "idle"}, {"worker-0", "None", "No", "No", "None", "idle"}}, rows(out))
	for _, h := range []string{"controller-0", "worker-0"} {
		if h == "worker-0" {
			_, err = run("sw-patch", "host-install", h)
			require.NoError(t, err)
		}
		a, err := m.Assignment(t.Context(), h)
		require.NoError(t, err)
		require.NoError(t, m.ReportHost(t.Context(), h, patching.HostStatus{Running: "P-1", State: patching.AgentIdle, Action: a.Action, ReleaseID: a.ReleaseID}))
	}
	out, err = run("sw-patch", "query-hosts")
	require.NoError(t, err)
	assert.Equal(t, []string{"worker-0", "None", "Yes", "No", "P-1", "idle"}, rows(out)[2])

	out, err = run("sw-patch", "what-requires", "P-1")
	require.NoError(t, err)
	assert.Equal(t, "P-1 is not required by any patches.\n", out)
	out, err = run("sw-patch", "query-dependencies", "P-1", "--recursive")
	require.NoError(t, err)
	assert.Equal(t, "P-1\n", out)
	out, err = run("sw-patch", "show", "P-1")
	require.NoError(t, err)
	assert.Contains(t, out, "Patch State:    Applied")
	_, err = run("sw-patch", "delete", "P-1")
	require.ErrorIs(t, err, patching.ErrInvalidTransition)
	out, err = run("sw-patch", "commit", "P-1")
	require.NoError(t, err)
	assert.Contains(t, out, "The patches have been committed.")
	out, err = run("sw-patch", "query", "committed")
	require.NoError(t, err)
	assert.Equal(t, []string{"P-1", "N", "1.0", "Committed"}, rows(out)[1])
	_, err = run("sw-patch", "remove", "P-1")
	require.ErrorIs(t, err, patching.ErrInvalidTransition)
	_, err = run("sw-patch", "query", "bogus")
	require.ErrorIs(t, err, patching.ErrInvalid)
}
