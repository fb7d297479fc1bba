package patchingsql_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/content"
	"github.com/edgeflock/flock/patching/patchingsql"
	"github.com/edgeflock/flock/patching/patchingtest"
)

type rig struct {
	t      *testing.T
	dbURL  string
	store  *content.Store
	key    ed25519.PrivateKey
	keys   patching.Keyring
	mu     sync.Mutex
	hosts  []patchingsql.Host
	alarms *faulttest.FakeReporter
	m      *patchingsql.Manager
}

func newRig(t *testing.T) *rig { return newRigAt(t, "") }

// newRigAt opens the manager on dbURL ("": SQLite in a temporary
// directory).
func newRigAt(t *testing.T, dbURL string) *rig {
	dir := t.TempDir()
	key, err := patching.GenerateKey(nil)
	require.NoError(t, err)
	if dbURL == "" {
		dbURL = "sqlite://" + filepath.Join(dir, "flock.db")
	}
	r := &rig{t: t, dbURL: dbURL, store: &content.Store{Dir: filepath.Join(dir, "content")},
		key: key, keys: patching.Keyring{"signer": key.Public().(ed25519.PublicKey)}, alarms: faulttest.NewFakeReporter()}
	for _, h := range []string{"controller-0", "worker-0"} {
		r.hosts = append(r.hosts, patchingsql.Host{Hostname: h, Provisioned: true, Enabled: true, ConfigCurrent: true})
	}
	r.open()
	return r
}

// open (re)opens the manager on the same database, as after a restart.
func (r *rig) open() {
	db, err := sqlstore.Open(context.Background(), r.dbURL)
	require.NoError(r.t, err)
	r.t.Cleanup(func() { db.Close() })
	r.m, err = patchingsql.New(context.Background(), db, patchingsql.Options{Store: r.store, Keyring: r.keys,
		Hosts: patchingsql.HostsFunc(func(context.Context) ([]patchingsql.Host, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			return append([]patchingsql.Host(nil), r.hosts...), nil
		}), Alarms: r.alarms})
	require.NoError(r.t, err)
}

func (r *rig) setLocked(host string, locked bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.hosts {
		if r.hosts[i].Hostname == host {
			r.hosts[i].Locked, r.hosts[i].Enabled = locked, !locked
		}
	}
}

// build makes a signed release file.
func (r *rig) build(key ed25519.PrivateKey, id string, rr bool, requires ...string) []byte {
	dir := r.t.TempDir()
	meta := fmt.Sprintf("id: %s\nsw_version: \"1.0\"\nstatus: REL\nsummary: test %s\n", id, id)
	if !rr {
		meta += "reboot_required: N\n"
	}
	if len(requires) > 0 {
		meta += "requires: [" + strings.Join(requires, ", ") + "]\n"
	}
	require.NoError(r.t, os.WriteFile(filepath.Join(dir, "metadata.yaml"), []byte(meta), 0o644))
	require.NoError(r.t, os.MkdirAll(filepath.Join(dir, "content", "etc"), 0o755))
	require.NoError(r.t, os.WriteFile(filepath.Join(dir, "content", "etc", "version"), []byte(id), 0o644))
	var b bytes.Buffer
	require.NoError(r.t, patching.Build(dir, key, &b))
	return b.Bytes()
}

// TestLifecycle: upload → precheck → start → host → the agents report →
// activate → complete; then a second release deployed and aborted, the
// hosts rolled back; the state survives a restart of the controller.
func TestLifecycle(t *testing.T) { testLifecycle(t, newRig(t)) }

// TestLifecyclePostgres: the same on a real PostgreSQL server.
func TestLifecyclePostgres(t *testing.T) {
	pg := testenv.StartPostgres(t)
	testLifecycle(t, newRigAt(t, pg.NewDatabase(t)))
}

func testLifecycle(t *testing.T, r *rig) {
	ctx := t.Context()
	rel1 := r.build(r.key, "FLOCK-1.0-P1", false)
	info, err := r.m.Upload(ctx, bytes.NewReader(rel1))
	require.NoError(t, err)
	assert.Equal(t, patching.ReleaseAvailable, info.State)
	assert.False(t, info.RebootRequired)
	again, err := r.m.Upload(ctx, bytes.NewReader(rel1))
	require.NoError(t, err, "the same file twice")
	assert.Equal(t, info.Digest, again.Digest)

	p, err := r.m.Precheck(ctx, "FLOCK-1.0-P1")
	require.NoError(t, err)
	assert.True(t, p.OK, "%+v", p)
	d, err := r.m.DeployStart(ctx, "FLOCK-1.0-P1", false)
	require.NoError(t, err)
	assert.Equal(t, patching.DeployStartDone, d.State)
	rel, _ := r.m.GetRelease(ctx, "FLOCK-1.0-P1")
	assert.Equal(t, patching.ReleaseDeploying, rel.State)

	for _, h := range []string{"controller-0", "worker-0"} {
		hd, err := r.m.DeployHost(ctx, h, false)
		require.NoError(t, err, "in-service: unlocked hosts install")
		assert.Equal(t, patching.HostDeploying, hd.State)
		a, err := r.m.Assignment(ctx, h)
		require.NoError(t, err)
		assert.Equal(t, patching.Assignment{Action: patching.ActionInstall, ReleaseID: "FLOCK-1.0-P1", Digest: info.Digest,
			ContentPath: "/v1/content/" + info.Digest}, a)
	}
	r.open() // a controller restart in the middle
	require.NoError(t, r.m.ReportHost(ctx, "controller-0", patching.HostStatus{Running: "FLOCK-1.0-P1", State: patching.AgentIdle,
		Action: patching.ActionInstall, ReleaseID: "FLOCK-1.0-P1"}))
	d, _ = r.m.ShowDeploy(ctx)
	assert.Equal(t, patching.DeployHost, d.State, "one host still deploying")
	require.NoError(t, r.m.ReportHost(ctx, "worker-0", patching.HostStatus{Running: "FLOCK-1.0-P1", State: patching.AgentIdle,
		Action: patching.ActionInstall, ReleaseID: "FLOCK-1.0-P1"}))
	d, _ = r.m.ShowDeploy(ctx)
	assert.Equal(t, patching.DeployHostDone, d.State)
	a, _ := r.m.Assignment(ctx, "worker-0")
	assert.Equal(t, patching.ActionNone, a.Action)

	d, err = r.m.DeployActivate(ctx)
	require.NoError(t, err)
	assert.Equal(t, patching.DeployActivateDone, d.State)
	d, err = r.m.DeployComplete(ctx)
	require.NoError(t, err)
	assert.Equal(t, patching.DeployCompleted, d.State)
	rel, _ = r.m.GetRelease(ctx, "FLOCK-1.0-P1")
	assert.Equal(t, patching.ReleaseDeployed, rel.State)
	lp, err := r.m.LegacyPatches(ctx)
	require.NoError(t, err)
	require.Len(t, lp, 1)
	assert.Equal(t, patching.PatchApplied, lp[0].PatchState, "sw-patch query")
	lh, err := r.m.LegacyHosts(ctx)
	require.NoError(t, err)
	require.Len(t, lh, 2)
	assert.True(t, lh[0].PatchCurrent && lh[1].PatchCurrent, "%+v", lh)
	require.NoError(t, r.m.DeployDelete(ctx))
	_, err = r.m.ShowDeploy(ctx)
	assert.ErrorIs(t, err, patching.ErrNotFound)

	// A reboot-required release that requires the first: locked hosts
	// only; then aborted and rolled back.
	_, err = r.m.Upload(ctx, bytes.NewReader(r.build(r.key, "FLOCK-1.0-P2", true, "FLOCK-1.0-P1")))
	require.NoError(t, err)
	assert.ErrorIs(t, r.m.DeleteRelease(ctx, "FLOCK-1.0-P1"), patching.ErrInvalidTransition, "deployed")
	_, err = r.m.DeployStart(ctx, "FLOCK-1.0-P1", true)
	var sre *patching.RuleError
	require.ErrorAs(t, err, &sre, "deploying back to a deployed release is refused up front")
	assert.Equal(t, patching.RuleDeployStart, sre.Rule)
	_, err = r.m.DeployStart(ctx, "FLOCK-1.0-P2", false)
	require.NoError(t, err)
	_, err = r.m.DeployHost(ctx, "worker-0", false)
	var re *patching.RuleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, patching.RuleNeedsLocked, re.Rule)
	r.setLocked("worker-0", true)
	_, err = r.m.DeployHost(ctx, "worker-0", false)
	require.NoError(t, err)
	require.NoError(t, r.m.ReportHost(ctx, "worker-0", patching.HostStatus{Running: "FLOCK-1.0-P1", Pending: "FLOCK-1.0-P2",
		State: patching.AgentIdle, Action: patching.ActionInstall, ReleaseID: "FLOCK-1.0-P2"}))
	hosts, err := r.m.ListDeployHosts(ctx)
	require.NoError(t, err)
	require.Len(t, hosts, 2)
	assert.Equal(t, patching.HostPending, hosts[0].State, "controller-0")
	assert.Equal(t, patching.HostDeployed, hosts[1].State, "worker-0: installed, active at the next boot")
	assert.Equal(t, "FLOCK-1.0-P1", hosts[1].FromRelease)
	lp, err = r.m.LegacyPatches(ctx)
	require.NoError(t, err)
	assert.Equal(t, patching.PatchPartialApply, lp[1].PatchState, "applied in the repository, no host runs it yet")
	lh, err = r.m.LegacyHosts(ctx)
	require.NoError(t, err)
	assert.False(t, lh[1].PatchCurrent)
	assert.True(t, lh[1].RequiresReboot, "worker-0 waits for its reboot")

	d, err = r.m.DeployAbort(ctx)
	require.NoError(t, err)
	assert.Equal(t, patching.DeployHostRollback, d.State)
	hosts, _ = r.m.ListDeployHosts(ctx)
	assert.Equal(t, patching.HostRollbackDeployed, hosts[0].State, "never installed: nothing to roll back")
	assert.Equal(t, patching.HostRollbackPending, hosts[1].State)
	_, err = r.m.DeployHostRollback(ctx, "worker-0")
	require.NoError(t, err)
	a, _ = r.m.Assignment(ctx, "worker-0")
	assert.Equal(t, patching.ActionRollback, a.Action)
	assert.Equal(t, "FLOCK-1.0-P1", a.ReleaseID)
	require.NoError(t, r.m.ReportHost(ctx, "worker-0", patching.HostStatus{Running: "FLOCK-1.0-P1", State: patching.AgentIdle,
		Action: patching.ActionRollback, ReleaseID: "FLOCK-1.0-P1"}))
	d, _ = r.m.ShowDeploy(ctx)
	assert.Equal(t, patching.DeployHostRollbackDone, d.State)
	rel, _ = r.m.GetRelease(ctx, "FLOCK-1.0-P2")
	assert.Equal(t, patching.ReleaseAvailable, rel.State)
	require.NoError(t, r.m.DeployDelete(ctx))
	require.NoError(t, r.m.DeleteRelease(ctx, "FLOCK-1.0-P2"))
	entries, _ := os.ReadDir(r.store.Dir)
	assert.Len(t, entries, 1, "P2's file removed with it")
}

// TestUploadRefusals: unsigned-by-us, tampered, conflicting and
// dangling releases are refused and leave nothing stored.
func TestUploadRefusals(t *testing.T) {
	r := newRig(t)
	ctx := t.Context()
	other, err := patching.GenerateKey(nil)
	require.NoError(t, err)
	_, err = r.m.Upload(ctx, bytes.NewReader(r.build(other, "FLOCK-1.0-P1", false)))
	assert.ErrorIs(t, err, patching.ErrUntrusted)
	good := r.build(r.key, "FLOCK-1.0-P1", false)
	bad := bytes.Clone(good)
	bad[len(bad)/2] ^= 1
	_, err = r.m.Upload(ctx, bytes.NewReader(bad))
	assert.ErrorIs(t, err, patching.ErrInvalid)
	_, err = r.m.Upload(ctx, bytes.NewReader(r.build(r.key, "FLOCK-1.0-P3", false, "FLOCK-1.0-MISSING")))
	assert.ErrorIs(t, err, patching.ErrInvalid)
	entries, _ := os.ReadDir(r.store.Dir)
	assert.Empty(t, entries, "nothing kept of refused uploads")

	_, err = r.m.Upload(ctx, bytes.NewReader(good))
	require.NoError(t, err)
	_, err = r.m.Upload(ctx, bytes.NewReader(r.build(r.key, "FLOCK-1.0-P1", true)))
	assert.ErrorIs(t, err, patching.ErrConflict)
	// A release another one requires is not deleted, even available.
	_, err = r.m.Upload(ctx, bytes.NewReader(r.build(r.key, "FLOCK-1.0-P9", false, "FLOCK-1.0-P1")))
	require.NoError(t, err)
	var dre *patching.RuleError
	require.ErrorAs(t, r.m.DeleteRelease(ctx, "FLOCK-1.0-P1"), &dre)
	assert.Equal(t, patching.RuleDelete, dre.Rule)
	require.NoError(t, r.m.DeleteRelease(ctx, "FLOCK-1.0-P9"))
	list, err := r.m.ListReleases(ctx, "")
	require.NoError(t, err)
	assert.Len(t, list, 1)
	_, err = r.m.ListReleases(ctx, "bogus")
	assert.ErrorIs(t, err, patching.ErrInvalid)

	// A failed precheck refuses start unless forced.
	r.setLocked("worker-0", true)
	p, err := r.m.Precheck(ctx, "FLOCK-1.0-P1")
	require.NoError(t, err)
	assert.False(t, p.OK)
	_, err = r.m.DeployStart(ctx, "FLOCK-1.0-P1", false)
	assert.ErrorIs(t, err, patching.ErrInvalidTransition)
	_, err = r.m.DeployStart(ctx, "FLOCK-1.0-P1", true)
	require.NoError(t, err)
	_, ok := r.alarms.Active("900.020", "host=controller")
	assert.True(t, ok, "deployment in progress")

	// A host that fails its install fails the deploy's host phase.
	_, err = r.m.DeployHost(ctx, "controller-0", false)
	require.NoError(t, err)
	require.NoError(t, r.m.ReportHost(ctx, "controller-0", patching.HostStatus{State: patching.AgentInstallFailed,
		Reason: "post_install: exit 1", Action: patching.ActionInstall, ReleaseID: "FLOCK-1.0-P1"}))
	d, _ := r.m.ShowDeploy(ctx)
	assert.Equal(t, patching.DeployHostFailed, d.State)
	a, ok := r.alarms.Active("900.021", "host=controller-0")
	require.True(t, ok)
	assert.Contains(t, a.ReasonText, "post_install")
	assert.ErrorIs(t, r.m.ReportHost(ctx, "controller-0", patching.HostStatus{State: "busy"}), patching.ErrInvalid)
}

// TestConformance: the Manager passes the Service suite every
// implementation must pass (the fake does too).
func TestConformance(t *testing.T) {
	patchingtest.RunServiceSuite(t, func(t *testing.T) patchingtest.Rig {
		r := newRig(t)
		other, err := patching.GenerateKey(nil)
		require.NoError(t, err)
		return patchingtest.Rig{Service: r.m, Key: r.key, KeyName: "signer", Untrusted: other,
			SetHosts: func(t *testing.T, hosts []patchingtest.Host) {
				r.mu.Lock()
				defer r.mu.Unlock()
				r.hosts = nil
				for _, h := range hosts {
					r.hosts = append(r.hosts, patchingsql.Host{Hostname: h.Name, Provisioned: true, Locked: h.Locked, Enabled: !h.Locked, ConfigCurrent: true})
				}
			}}
	})
}
