package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/patchinghttp"
	"github.com/edgeflock/flock/patching/patchingtest"
)

// swCLI runs stx against the software handler over a fake, through
// the HTTP client as the binary does.
func swCLI(t *testing.T, f *patchingtest.FakeService, args ...string) (string, error) {
	t.Helper()
	var h patching.Service = f
	if f == nil {
		h = patchingtest.NewFakeService(nil, nil)
	}
	srv := httptest.NewServer(patchinghttp.NewHandler(h, nil))
	t.Cleanup(srv.Close)
	var out bytes.Buffer
	g := &globals{out: &out, newSoftware: func(g *globals) (patching.Service, error) {
		require.Equal(t, srv.URL, g.url, "the client goes to --url")
		return newSoftwareClient(g)
	}}
	root := rootCommand(g)
	root.SetErr(io.Discard)
	root.SetArgs(append([]string{"--url", srv.URL, "--token", "t0ken"}, args...))
	err := root.ExecuteContext(t.Context())
	return out.String(), err
}

// releaseDir writes a release directory for id.
func releaseDir(t *testing.T, id, rr string) string {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "metadata.yaml"),
		[]byte("id: "+id+"\nsw_version: \"1.0\"\nstatus: REL\nreboot_required: "+rr+"\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "content", "etc"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "scripts"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "content", "etc", id), []byte(id), 0o644))
	return dir
}

func TestSoftwareLifecycle(t *testing.T) {
	// keygen and build, then a fake that trusts the key.
	keyDir := t.TempDir()
	keyPath := filepath.Join(keyDir, "ops")
	_, err := swCLI(t, nil, "software", "keygen", keyPath)
	require.NoError(t, err)
	kr, err := patching.LoadKeyring(keyDir)
	require.NoError(t, err)
	require.Contains(t, kr, "ops")
	f := patchingtest.NewFakeService(kr, nil)
	f.SetHosts([]patchingtest.Host{{Name: "controller-0"}, {Name: "worker-0"}})

	rel := filepath.Join(t.TempDir(), "R-1.tar")
	_, err = swCLI(t, f, "software", "build", releaseDir(t, "R-1", "N"), "--key", keyPath, "-o", rel)
	require.NoError(t, err)
	out, err := swCLI(t, f, "software", "upload", rel)
	require.NoError(t, err)
	assert.Equal(t, "R-1 is now uploaded\n", out)

	out, err = swCLI(t, f, "software", "list")
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"Release", "RR", "State"}, {"R-1", "N", "available"}}, rows(out))
	out, err = swCLI(t, f, "software", "list", "--state", "deployed")
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"Release", "RR", "State"}}, rows(out))
	_, err = swCLI(t, f, "software", "list", "--state", "nope")
	require.ErrorIs(t, err, patching.ErrInvalid)
	out, err = swCLI(t, f, "software", "show", "R-1")
	require.NoError(t, err)
	assert.Equal(t, "available", propValue(out, "state"))
	assert.Equal(t, "ops", propValue(out, "signer"))
	_, err = swCLI(t, f, "software", "show", "R-9")
	require.ErrorIs(t, err, patching.ErrNotFound)

	out, err = swCLI(t, f, "software", "deploy", "precheck", "R-1")
	require.NoError(t, err)
	assert.Contains(t, out, "[OK]")
	out, err = swCLI(t, f, "software", "deploy", "start", "R-1")
	require.NoError(t, err)
	assert.Equal(t, "start-done", lastCell(out))

	hostList := func() [][]string {
		out, err := swCLI(t, f, "software", "deploy", "host-list")
		require.NoError(t, err)
		return rows(out)
	}
	assert.Equal(t, [][]string{{"Host", "From", "Release", "To", "Release", "RR", "State"},
		{"controller-0", "None", "R-1", "N", "pending"}, {"worker-0", "None", "R-1", "N", "pending"}}, hostList())

	for _, h := range []string{"controller-0", "worker-0"} {
		out, err = swCLI(t, f, "software", "deploy", "host", h)
		require.NoError(t, err)
		assert.Equal(t, "deploying", lastCell(out))
		a, err := f.Assignment(t.Context(), h)
		require.NoError(t, err)
		require.NoError(t, f.ReportHost(t.Context(), h, patching.HostStatus{State: patching.AgentIdle, Running: "R-1",
			Action: a.Action, ReleaseID: a.ReleaseID}))
	}
	assert.Equal(t, []string{"controller-0", "None", "R-1", "N", "deployed"}, hostList()[1])
	out, err = swCLI(t, f, "software", "deploy", "show")
	require.NoError(t, err)
	assert.Equal(t, "host-done", lastCell(out))
	_, err = swCLI(t, f, "software", "deploy", "complete")
	require.ErrorIs(t, err, patching.ErrInvalidTransition)
	for _, v := range []string{"activate", "complete"} {
		_, err = swCLI(t, f, "software", "deploy", v)
		require.NoError(t, err)
	}
	out, err = swCLI(t, f, "--format", "json", "software", "deploy", "show")
	require.NoError(t, err)
	var d patching.Deploy
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	assert.Equal(t, patching.DeployCompleted, d.State)
	out, err = swCLI(t, f, "software", "deploy", "delete")
	require.NoError(t, err)
	assert.Equal(t, "Deploy deleted with success\n", out)
	assert.Equal(t, []string{"worker-0", "R-1", "None", "None", "None"}, hostList()[2])
	out, err = swCLI(t, f, "software", "list")
	require.NoError(t, err)
	assert.Equal(t, []string{"R-1", "N", "deployed"}, rows(out)[1])
	_, err = swCLI(t, f, "software", "delete", "R-1")
	require.ErrorIs(t, err, patching.ErrInvalidTransition)
}

func TestSoftwareAbortAndRollback(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	f := patchingtest.NewFakeService(patching.Keyring{"k": key.Public().(ed25519.PublicKey)}, nil)
	f.SetHosts([]patchingtest.Host{{Name: "controller-0"}})
	_, err := f.Upload(t.Context(), bytes.NewReader(patchingtest.BuildRelease(t, key, patchingtest.Meta("R-1", true), nil)))
	require.NoError(t, err)
	_, err = swCLI(t, f, "software", "deploy", "start", "R-1")
	require.NoError(t, err)
	_, err = swCLI(t, f, "software", "deploy", "host", "controller-0")
	require.ErrorIs(t, err, patching.ErrInvalidTransition, "reboot required: the host must be locked")
	out, err := swCLI(t, f, "software", "deploy", "host", "controller-0", "--force")
	require.NoError(t, err)
	assert.Equal(t, []string{"controller-0", "None", "R-1", "Y", "deploying"}, rows(out)[1])
	require.NoError(t, f.ReportHost(t.Context(), "controller-0", patching.HostStatus{State: patching.AgentInstallFailed,
		Reason: "post_install failed", Action: patching.ActionInstall, ReleaseID: "R-1"}))
	out, err = swCLI(t, f, "software", "deploy", "abort")
	require.NoError(t, err)
	assert.Equal(t, []string{"From", "Release", "To", "Release", "RR", "State", "Reason"}, rows(out)[0])
	assert.Equal(t, []string{"None", "R-1", "Y", "host-rollback", "host", "controller-0:", "post_install", "failed"}, rows(out)[1])
	f.SetHosts([]patchingtest.Host{{Name: "controller-0", Locked: true}})
	out, err = swCLI(t, f, "software", "deploy", "host-rollback", "controller-0")
	require.NoError(t, err)
	assert.Equal(t, "rollback-deploying", lastCell(out))
	require.NoError(t, f.ReportHost(t.Context(), "controller-0", patching.HostStatus{State: patching.AgentIdle,
		Action: patching.ActionRollback}))
	out, err = swCLI(t, f, "software", "deploy", "show")
	require.NoError(t, err)
	assert.Equal(t, "host-rollback-done", lastCell(out))
	_, err = swCLI(t, f, "software", "deploy", "delete")
	require.NoError(t, err)
	_, err = swCLI(t, f, "software", "deploy", "show")
	require.ErrorIs(t, err, patching.ErrNotFound)
	out, err = swCLI(t, f, "software", "delete", "R-1")
	require.NoError(t, err)
	assert.Equal(t, "R-1 has been deleted\n", out)
}

func TestSoftwareBuildRefusesBadDir(t *testing.T) {
	keyPath := filepath.Join(t.TempDir(), "k")
	_, err := swCLI(t, nil, "software", "keygen", keyPath)
	require.NoError(t, err)
	dir := releaseDir(t, "R-1", "N")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "metadata.yaml"), []byte("id: R-1\nsw_version: x\nstatus: REL\n"), 0o644))
	out := filepath.Join(t.TempDir(), "r.tar")
	_, err = swCLI(t, nil, "software", "build", dir, "--key", keyPath, "-o", out)
	require.ErrorIs(t, err, patching.ErrInvalid)
	assert.Contains(t, err.Error(), "sw_version")
	_, statErr := os.Stat(out)
	assert.ErrorIs(t, statErr, os.ErrNotExist, "no partial file")
}

// lastCell returns the last cell of a one-row table.
func lastCell(out string) string {
	r := rows(out)
	if len(r) != 2 {
		return ""
	}
	return r[1][len(r[1])-1]
}
