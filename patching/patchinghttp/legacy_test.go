package patchinghttp_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
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

type legacyRig struct {
	m   *patchingsql.Manager
	key ed25519.PrivateKey
	c   *patchinghttp.Client
	url string
}

// newLegacyRig serves USM's and sw-patch's paths over a patchingsql
// Manager on SQLite with n hosts (host-0000 ...), as stx mounts them.
func newLegacyRig(tb testing.TB, n int) *legacyRig {
	tb.Helper()
	dir := tb.TempDir()
	key, err := patching.GenerateKey(nil)
	require.NoError(tb, err)
	db, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.Join(dir, "flock.db"))
	require.NoError(tb, err)
	tb.Cleanup(func() { db.Close() })
	var hosts []patchingsql.Host
	for i := range n {
		hosts = append(hosts, patchingsql.Host{Hostname: fmt.Sprintf("host-%04d", i), Provisioned: true, Enabled: true, ConfigCurrent: true})
	}
	m, err := patchingsql.New(context.Background(), db, patchingsql.Options{Store: &content.Store{Dir: filepath.Join(dir, "content")},
		Keyring: patching.Keyring{"k": key.Public().(ed25519.PublicKey)},
		Hosts:   patchingsql.HostsFunc(func(context.Context) ([]patchingsql.Host, error) { return hosts, nil })})
	require.NoError(tb, err)
	mux := http.NewServeMux()
	mux.Handle("/", patchinghttp.NewHandler(m, nil))
	mux.Handle(patchinghttp.LegacyPrefix+"/", patchinghttp.NewLegacyHandler(m, m, nil))
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return &legacyRig{m: m, key: key, c: patchinghttp.NewClient(srv.URL, nil), url: srv.URL}
}

func (r *legacyRig) upload(t *testing.T, id string, rr bool, requires ...string) {
	t.Helper()
	ans, err := r.c.SWPatchUpload(t.Context(), id+".patch", bytes.NewReader(patchingtest.BuildRelease(t, r.key, patchingtest.Meta(id, rr, requires...), nil)))
	require.NoError(t, err)
	assert.Equal(t, id+" is now available\n", ans.Info)
}

// report plays host's agent: it does its assignment and reports.
func (r *legacyRig) report(t *testing.T, host string) {
	t.Helper()
	a, err := r.m.Assignment(t.Context(), host)
	require.NoError(t, err)
	require.NotEmpty(t, a.Action)
	running := a.ReleaseID
	require.NoError(t, r.m.ReportHost(t.Context(), host, patching.HostStatus{Running: running, State: patching.AgentIdle, Action: a.Action, ReleaseID: a.ReleaseID}))
}

func (r *legacyRig) states(t *testing.T) map[string]string {
	t.Helper()
	pd, err := r.c.SWPatchQuery(t.Context(), "", "")
	require.NoError(t, err)
	out := map[string]string{}
	for id, m := range pd {
		out[id] = string(m.RepoState) + "/" + string(m.PatchState)
	}
	return out
}

func requireRule(t *testing.T, err error, rule string) {
	t.Helper()
	re, ok := ruleOf(err)
	require.True(t, ok, "%v is not a RuleError", err)
	assert.Equal(t, rule, re.Rule)
}

func TestLegacyLifecycle(t *testing.T) {
	r := newLegacyRig(t, 2)
	ctx := t.Context()
	r.upload(t, "P-1", false)
	r.upload(t, "P-2", false, "P-1")
	assert.Equal(t, map[string]string{"P-1": "Available/n/a", "P-2": "Available/n/a"}, r.states(t))

	_, err := r.c.SWPatchApply(ctx, []string{"P-1", "P-2"}, false)
	requireRule(t, err, patching.RuleLegacyUnmapped)
	_, err = r.c.SWPatchApply(ctx, []string{"P-2"}, false)
	requireRule(t, err, patching.RuleRequiresNotDeployed)
	_, err = r.c.SWPatchApply(ctx, []string{"P-9"}, false)
	require.ErrorIs(t, err, patching.ErrNotFound)

	ans, err := r.c.SWPatchApply(ctx, []string{"P-1"}, false)
	require.NoError(t, err)
	assert.Equal(t, "P-1 is now in the repo\n", ans.Info)
	assert.Equal(t, "Applied/Partial-Apply", r.states(t)["P-1"])

	ans, err = r.c.SWPatchHostInstall(ctx, "host-0000", false)
	require.NoError(t, err)
	assert.Equal(t, "Patch installation request sent to host-0000.\n", ans.Info)
	hosts, err := r.c.SWPatchQueryHosts(ctx)
	require.NoError(t, err)
	require.Len(t, hosts, 2)
	assert.True(t, hosts[0].InterimState, "told to install, not reported yet: Pending")
	assert.False(t, hosts[1].InterimState)
	r.report(t, "host-0000")
	_, err = r.c.SWPatchHostInstall(ctx, "nohost", false)
	require.ErrorIs(t, err, patching.ErrNotFound)
	assert.Equal(t, "Applied/Partial-Apply", r.states(t)["P-1"], "one host of two")
	_, err = r.c.SWPatchHostInstall(ctx, "host-0001", false)
	require.NoError(t, err)
	r.report(t, "host-0001")
	assert.Equal(t, "Applied/Applied", r.states(t)["P-1"])
	ans, err = r.c.SWPatchHostInstall(ctx, "host-0001", false)
	require.NoError(t, err)
	assert.Contains(t, ans.Info, "patch current")
	lh, err := r.c.LegacyHosts(ctx)
	require.NoError(t, err)
	for _, h := range lh {
		assert.True(t, h.PatchCurrent, h.Hostname)
		assert.Equal(t, "P-1", h.Release)
	}

	ans, err = r.c.SWPatchWhatRequires(ctx, []string{"P-1", "P-2"})
	require.NoError(t, err)
	assert.Equal(t, "P-1 is required by: P-2\nP-2 is not required by any patches.\n", ans.Info)
	deps, err := r.c.SWPatchQueryDependencies(ctx, []string{"P-2"}, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"P-1", "P-2"}, deps)

	// Applying P-2 closes P-1's finished deploy first.
	ans, err = r.c.SWPatchApply(ctx, []string{"P-2"}, false)
	require.NoError(t, err)
	assert.Contains(t, ans.Info, "The deploy of P-1 (host-done) is closed\n")
	rel, err := r.m.GetRelease(ctx, "P-1")
	require.NoError(t, err)
	assert.Equal(t, patching.ReleaseDeployed, rel.State)
	_, err = r.c.SWPatchRemove(ctx, []string{"P-1"}, false)
	requireRule(t, err, patching.RuleRequiredByDeployed)

	// Remove before any host deployed: USM has no abort from start-done.
	_, err = r.c.SWPatchRemove(ctx, []string{"P-2"}, false)
	requireRule(t, err, patching.RuleDeployTransition)

	// Remove after one host installed: Partial-Remove until host-install
	// rolls it back.
	_, err = r.c.SWPatchHostInstall(ctx, "host-0000", false)
	require.NoError(t, err)
	r.report(t, "host-0000")
	_, err = r.c.SWPatchRemove(ctx, []string{"P-2"}, false)
	require.NoError(t, err)
	assert.Equal(t, "Available/Partial-Remove", r.states(t)["P-2"])
	_, err = r.c.SWPatchDelete(ctx, []string{"P-2"})
	requireRule(t, err, patching.RuleDelete)
	_, err = r.c.SWPatchHostInstall(ctx, "host-0000", false)
	require.NoError(t, err)
	r.report(t, "host-0000")
	assert.Equal(t, "Available/Available", r.states(t)["P-2"])

	// Commit P-2 commits P-1 too.
	_, err = r.c.SWPatchApply(ctx, []string{"P-2"}, false)
	require.NoError(t, err)
	_, err = r.c.SWPatchCommit(ctx, []string{"P-2"}, false)
	requireRule(t, err, patching.RuleLegacyCommit)
	for _, h := range []string{"host-0000", "host-0001"} {
		_, err = r.c.SWPatchHostInstall(ctx, h, false)
		require.NoError(t, err)
		r.report(t, h)
	}
	ans, err = r.c.SWPatchCommit(ctx, []string{"P-2"}, true)
	require.NoError(t, err)
	assert.Contains(t, ans.Info, "would be committed: P-1, P-2")
	assert.Equal(t, "Applied/Applied", r.states(t)["P-2"], "a dry run changes nothing")
	ans, err = r.c.SWPatchCommit(ctx, []string{"P-2"}, false)
	require.NoError(t, err)
	assert.Contains(t, ans.Info, "The patches have been committed.")
	assert.Equal(t, map[string]string{"P-1": "Committed/Committed", "P-2": "Committed/Committed"}, r.states(t))
	_, err = r.c.SWPatchRemove(ctx, []string{"P-1"}, false)
	requireRule(t, err, patching.RuleUnremovable)

	show, err := r.c.SWPatchShow(ctx, []string{"P-2", "P-7"})
	require.NoError(t, err)
	assert.Equal(t, []string{"P-1"}, show.Metadata["P-2"].Requires)
	assert.Equal(t, "N", show.Metadata["P-2"].RebootRequired)
	assert.Equal(t, "P-7 is unrecognized\n", show.Error)
	pd, err := r.c.SWPatchQuery(ctx, "available", "")
	require.NoError(t, err)
	assert.Empty(t, pd)

	r.upload(t, "P-3", false)
	ans, err = r.c.SWPatchDelete(ctx, []string{"P-3"})
	require.NoError(t, err)
	assert.Equal(t, "P-3 has been deleted\n", ans.Info)
}

func TestLegacyBadRequests(t *testing.T) {
	r := newLegacyRig(t, 1)
	for _, tc := range []struct {
		name, method, path, field string
	}{
		{"BadID", http.MethodPost, "/patching/v1/apply/..%2Fetc", "patch_id"},
		{"NoID", http.MethodPost, "/patching/v1/delete/", "patch_id"},
		{"UnknownParam", http.MethodGet, "/patching/v1/query?bogus=1", "bogus"},
		{"BadShow", http.MethodGet, "/patching/v1/query?show=nope", "show"},
		{"BadRecursive", http.MethodGet, "/patching/v1/query_dependencies/P-1?recursive=maybe", "recursive"},
		{"NotMultipart", http.MethodPost, "/patching/v1/upload", "Content-Type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tc.method, r.url+tc.path, nil)
			require.NoError(t, err)
			if tc.method == http.MethodPost {
				req.Header.Set("Content-Type", "application/octet-stream")
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		})
	}
}

func TestParseLegacyIDs(t *testing.T) {
	ids, all, err := patchinghttp.ParseLegacyIDs("P-2/P-1//P-2/--all", true)
	require.NoError(t, err)
	assert.Equal(t, []string{"P-1", "P-2"}, ids)
	assert.True(t, all)
	_, _, err = patchinghttp.ParseLegacyIDs("P-1/--all", false)
	patchingtest.RequireField(t, err, "patch_id")
	_, _, err = patchinghttp.ParseLegacyIDs("", false)
	patchingtest.RequireField(t, err, "patch_id")
	_, err = patchinghttp.ParseLegacyQuery("query", url.Values{"show": {"applied", "available"}})
	patchingtest.RequireField(t, err, "show")
	q, err := patchinghttp.ParseLegacyQuery("remove", url.Values{"removeunremovable": {"yes"}})
	require.NoError(t, err)
	assert.Equal(t, "yes", q["removeunremovable"])
}

func ruleOf(err error) (*patching.RuleError, bool) { return errors.AsType[*patching.RuleError](err) }
