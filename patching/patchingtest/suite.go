// Package patchingtest holds FakeService, an in-memory patching.Service,
// and RunServiceSuite, the conformance suite every patching.Service
// must pass (patchingsql.Manager, patchinghttp.Client over the handler,
// an integrator's own).
package patchingtest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/edgeflock/flock/patching"
)

// Rig is what RunServiceSuite needs of an implementation.
type Rig struct {
	// Service is the implementation under test, empty: no release, no
	// deploy.
	Service patching.Service
	// Key signs releases; the Service trusts it under the name KeyName.
	Key     ed25519.PrivateKey
	KeyName string
	// Untrusted is a key the Service does not trust.
	Untrusted ed25519.PrivateKey
	// SetHosts sets which hosts exist and whether they are locked.
	SetHosts func(t *testing.T, hosts []Host)
	// Settle, if set, returns once the steps the Service runs in the
	// background after a call (a deploy start's preparation, an
	// activation) are done; nil: they are done when the call returns.
	Settle func(t *testing.T)
}

// Fixed keys, so that test releases are the same bytes from run to run.
var (
	trustedKey   = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	untrustedKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize))
)

// NewFakeRig returns a Rig over a new FakeService, and the fake.
func NewFakeRig(t *testing.T) (Rig, *FakeService) {
	f := NewFakeService(patching.Keyring{"flock-test": trustedKey.Public().(ed25519.PublicKey)}, nil)
	return Rig{Service: f, Key: trustedKey, KeyName: "flock-test", Untrusted: untrustedKey,
		SetHosts: func(_ *testing.T, h []Host) { f.SetHosts(h) }}, f
}

// Meta returns minimal valid metadata: id, sw_version 1.0, status REL,
// reboot_required as rr, and requires.
func Meta(id string, rr bool, requires ...string) patching.Metadata {
	return patching.Metadata{ID: id, SWVersion: "1.0", Status: "REL", Summary: "release " + id,
		RebootRequired: rr, Requires: requires}
}

// BuildRelease builds a release file of m with files (path → content;
// nil: one file, etc/<id>) as its content tree, signed by key, with
// patching.Build in a temporary directory.
func BuildRelease(t testing.TB, key ed25519.PrivateKey, m patching.Metadata, files map[string]string) []byte {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, WriteReleaseDir(dir, m, files))
	var b bytes.Buffer
	require.NoError(t, patching.Build(dir, key, &b))
	return b.Bytes()
}

// WriteReleaseDir writes the directory patching.Build makes a release
// of: metadata.yaml of m, content/ holding files (path → content; nil:
// one file, etc/<id>), scripts/ with a script that exits 0 for each
// script m names.
func WriteReleaseDir(dir string, m patching.Metadata, files map[string]string) error {
	meta, err := yaml.Marshal(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "metadata.yaml"), meta, 0o644); err != nil {
		return err
	}
	for _, d := range []string{"content", "scripts"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	if files == nil {
		files = map[string]string{"etc/" + m.ID: m.ID + "\n"}
	}
	for p, body := range files {
		full := filepath.Join(dir, "content", filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			return err
		}
	}
	for _, s := range m.ScriptNames() {
		if err := os.WriteFile(filepath.Join(dir, "scripts", s), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// Unsigned returns a release file without its signature member: the
// same members, canonical headers, no signature.
func Unsigned(t testing.TB, file []byte) []byte {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(file))
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if h.Name == "signature" {
			continue
		}
		require.NoError(t, tw.WriteHeader(h))
		_, err = io.Copy(tw, tr)
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	return out.Bytes()
}

// RunServiceSuite runs the conformance suite: newRig returns a fresh
// Rig (an empty Service) for each subtest.
func RunServiceSuite(t *testing.T, newRig func(t *testing.T) Rig) {
	t.Run("Upload", func(t *testing.T) { testUpload(t, newRig) })
	t.Run("Releases", func(t *testing.T) { testReleases(t, newRig) })
	t.Run("Precheck", func(t *testing.T) { testPrecheck(t, newRig) })
	t.Run("DeployInService", func(t *testing.T) { testDeployInService(t, newRig) })
	t.Run("DeployRebootRequired", func(t *testing.T) { testDeployRebootRequired(t, newRig) })
	t.Run("HostFailureAndRetry", func(t *testing.T) { testHostFailure(t, newRig) })
	t.Run("AbortInHostPhase", func(t *testing.T) { testAbortHostPhase(t, newRig) })
	t.Run("AbortAfterActivate", func(t *testing.T) { testAbortAfterActivate(t, newRig) })
	t.Run("Requires", func(t *testing.T) { testRequires(t, newRig) })
	t.Run("NoDeploy", func(t *testing.T) { testNoDeploy(t, newRig) })
	t.Run("ReportHost", func(t *testing.T) { testReportHost(t, newRig) })
}

// RequireRule fails t unless err is a *patching.RuleError for rule
// (and so ErrInvalidTransition).
func RequireRule(t testing.TB, err error, rule string) {
	t.Helper()
	require.ErrorIs(t, err, patching.ErrInvalidTransition)
	re, ok := errors.AsType[*patching.RuleError](err)
	require.True(t, ok, "want a *patching.RuleError, got %T: %v", err, err)
	require.Equal(t, rule, re.Rule, "rule of %v", err)
}

// RequireField fails t unless err is a *patching.FieldError naming
// field (and so ErrInvalid).
func RequireField(t testing.TB, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, patching.ErrInvalid)
	fe, ok := errors.AsType[*patching.FieldError](err)
	require.True(t, ok, "want a *patching.FieldError, got %T: %v", err, err)
	require.Equal(t, field, fe.Field, "field of %v", err)
}

type suite struct {
	t   *testing.T
	rig Rig
	s   patching.Service
	ctx context.Context
}

func start(t *testing.T, newRig func(t *testing.T) Rig, hosts ...Host) *suite {
	rig := newRig(t)
	if len(hosts) > 0 {
		rig.SetHosts(t, hosts)
	}
	return &suite{t: t, rig: rig, s: rig.Service, ctx: t.Context()}
}

func (s *suite) settle() {
	if s.rig.Settle != nil {
		s.rig.Settle(s.t)
	}
}

func (s *suite) upload(file []byte) patching.ReleaseInfo {
	s.t.Helper()
	info, err := s.s.Upload(s.ctx, bytes.NewReader(file))
	require.NoError(s.t, err)
	return info
}

func (s *suite) release(id string, rr bool, requires ...string) (patching.ReleaseInfo, []byte) {
	s.t.Helper()
	file := BuildRelease(s.t, s.rig.Key, Meta(id, rr, requires...), nil)
	return s.upload(file), file
}

func (s *suite) ids() []string {
	s.t.Helper()
	list, err := s.s.ListReleases(s.ctx, "")
	require.NoError(s.t, err)
	ids := []string{}
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	return ids
}

func (s *suite) releaseState(id string) patching.ReleaseState {
	s.t.Helper()
	r, err := s.s.GetRelease(s.ctx, id)
	require.NoError(s.t, err)
	return r.State
}

func (s *suite) deployState() patching.DeployState {
	s.t.Helper()
	d, err := s.s.ShowDeploy(s.ctx)
	require.NoError(s.t, err)
	return d.State
}

func (s *suite) hostStates() map[string]patching.HostDeployState {
	s.t.Helper()
	list, err := s.s.ListDeployHosts(s.ctx)
	require.NoError(s.t, err)
	out := map[string]patching.HostDeployState{}
	for _, h := range list {
		out[h.Hostname] = h.State
	}
	return out
}

// agent answers host's assignment as its agent would: success (idle,
// running the release) or failure (install-failed with reason).
func (s *suite) agent(host string, ok bool, reason string) {
	s.t.Helper()
	a, err := s.s.Assignment(s.ctx, host)
	require.NoError(s.t, err)
	require.NotEqual(s.t, patching.ActionNone, a.Action, "host %s has no assignment", host)
	st := patching.HostStatus{State: patching.AgentIdle, Running: a.ReleaseID, Action: a.Action, ReleaseID: a.ReleaseID}
	if !ok {
		st = patching.HostStatus{State: patching.AgentInstallFailed, Reason: reason, Action: a.Action, ReleaseID: a.ReleaseID}
	}
	require.NoError(s.t, s.s.ReportHost(s.ctx, host, st))
}

func (s *suite) startDeploy(id string) patching.Deploy {
	s.t.Helper()
	_, err := s.s.DeployStart(s.ctx, id, false)
	require.NoError(s.t, err)
	s.settle()
	d, err := s.s.ShowDeploy(s.ctx)
	require.NoError(s.t, err)
	require.Equal(s.t, patching.DeployStartDone, d.State)
	return d
}

func (s *suite) deployAll(id string, hosts ...string) {
	s.t.Helper()
	s.startDeploy(id)
	for _, h := range hosts {
		_, err := s.s.DeployHost(s.ctx, h, false)
		require.NoError(s.t, err)
		s.agent(h, true, "")
	}
	require.Equal(s.t, patching.DeployHostDone, s.deployState())
	_, err := s.s.DeployActivate(s.ctx)
	require.NoError(s.t, err)
	s.settle()
	_, err = s.s.DeployComplete(s.ctx)
	require.NoError(s.t, err)
	require.NoError(s.t, s.s.DeployDelete(s.ctx))
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func testUpload(t *testing.T, newRig func(t *testing.T) Rig) {
	t.Run("Good", func(t *testing.T) {
		s := start(t, newRig)
		m := Meta("R-1", false)
		m.Description = "the first"
		file := BuildRelease(t, s.rig.Key, m, nil)
		info := s.upload(file)
		assert.Equal(t, "R-1", info.ID)
		assert.Equal(t, "the first", info.Description)
		assert.False(t, info.RebootRequired)
		assert.Equal(t, patching.ReleaseAvailable, info.State)
		assert.Equal(t, digest(file), info.Digest)
		assert.Equal(t, int64(len(file)), info.Size)
		if s.rig.KeyName != "" {
			assert.Equal(t, s.rig.KeyName, info.Signer)
		}
		assert.False(t, info.UploadedAt.IsZero())
		got, err := s.s.GetRelease(s.ctx, "R-1")
		require.NoError(t, err)
		assert.Equal(t, info.Digest, got.Digest)
		assert.True(t, info.UploadedAt.Equal(got.UploadedAt))
	})
	t.Run("Idempotent", func(t *testing.T) {
		s := start(t, newRig)
		first, file := s.release("R-1", true)
		again := s.upload(file)
		assert.Equal(t, first.Digest, again.Digest)
		assert.True(t, first.UploadedAt.Equal(again.UploadedAt), "a second upload is the same release")
		assert.Equal(t, []string{"R-1"}, s.ids())
	})
	refused := []struct {
		name  string
		file  func(s *suite) []byte
		check func(t *testing.T, err error)
	}{
		{"Unsigned", func(s *suite) []byte { return Unsigned(s.t, BuildRelease(s.t, s.rig.Key, Meta("R-2", true), nil)) },
			func(t *testing.T, err error) { require.ErrorIs(t, err, patching.ErrUnsigned) }},
		{"Tampered", func(s *suite) []byte {
			f := BuildRelease(s.t, s.rig.Key, Meta("R-2", true), nil)
			f[512+2] ^= 0x20 // a byte of metadata.yaml
			return f
		}, func(t *testing.T, err error) { require.ErrorIs(t, err, patching.ErrTampered) }},
		{"Untrusted", func(s *suite) []byte { return BuildRelease(s.t, s.rig.Untrusted, Meta("R-2", true), nil) },
			func(t *testing.T, err error) { require.ErrorIs(t, err, patching.ErrUntrusted) }},
		{"NotARelease", func(s *suite) []byte { return []byte("hello") },
			func(t *testing.T, err error) { require.ErrorIs(t, err, patching.ErrInvalid) }},
		{"SameIDOtherContent", func(s *suite) []byte {
			m := Meta("R-1", false)
			m.Summary = "another"
			return BuildRelease(s.t, s.rig.Key, m, nil)
		}, func(t *testing.T, err error) { require.ErrorIs(t, err, patching.ErrConflict) }},
		{"MissingRequires", func(s *suite) []byte { return BuildRelease(s.t, s.rig.Key, Meta("R-2", true, "R-0"), nil) },
			func(t *testing.T, err error) { RequireField(t, err, "requires") }},
		// A cycle can only close by replacing a release that others
		// require (requires name uploaded releases, never the release
		// itself): R-1 again, requiring R-9 which requires R-1.
		{"Cycle", func(s *suite) []byte {
			s.release("R-9", false, "R-1")
			return BuildRelease(s.t, s.rig.Key, Meta("R-1", false, "R-9"), nil)
		}, func(t *testing.T, err error) { require.ErrorIs(t, err, patching.ErrConflict) }},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, newRig)
			s.release("R-1", false)
			file := tc.file(s)
			before, err := s.s.ListReleases(s.ctx, "")
			require.NoError(t, err)
			_, err = s.s.Upload(s.ctx, bytes.NewReader(file))
			require.Error(t, err)
			tc.check(t, err)
			after, err := s.s.ListReleases(s.ctx, "")
			require.NoError(t, err)
			assert.Equal(t, before, after, "a refused upload changes nothing")
		})
	}
}

func testReleases(t *testing.T, newRig func(t *testing.T) Rig) {
	s := start(t, newRig, Host{Name: "h1"})
	s.release("R-2", false)
	s.release("R-1", false)
	s.release("R-3", false, "R-1")
	assert.Equal(t, []string{"R-1", "R-2", "R-3"}, s.ids(), "id order")

	_, err := s.s.GetRelease(s.ctx, "R-404")
	require.ErrorIs(t, err, patching.ErrNotFound)
	require.ErrorIs(t, s.s.DeleteRelease(s.ctx, "R-404"), patching.ErrNotFound)
	_, err = s.s.ListReleases(s.ctx, "bogus")
	RequireField(t, err, "state")

	require.NoError(t, s.s.DeleteRelease(s.ctx, "R-2"))
	assert.Equal(t, []string{"R-1", "R-3"}, s.ids())
	_, err = s.s.GetRelease(s.ctx, "R-2")
	require.ErrorIs(t, err, patching.ErrNotFound)

	s.startDeploy("R-1")
	RequireRule(t, s.s.DeleteRelease(s.ctx, "R-1"), patching.RuleDelete) // deploying
	list, err := s.s.ListReleases(s.ctx, patching.ReleaseDeploying)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "R-1", list[0].ID)
	list, err = s.s.ListReleases(s.ctx, patching.ReleaseAvailable)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "R-3", list[0].ID)

	_, err = s.s.DeployHost(s.ctx, "h1", false)
	require.NoError(t, err)
	s.agent("h1", true, "")
	_, err = s.s.DeployActivate(s.ctx)
	require.NoError(t, err)
	s.settle()
	_, err = s.s.DeployComplete(s.ctx)
	require.NoError(t, err)
	require.NoError(t, s.s.DeployDelete(s.ctx))
	assert.Equal(t, patching.ReleaseDeployed, s.releaseState("R-1"))
	RequireRule(t, s.s.DeleteRelease(s.ctx, "R-1"), patching.RuleDelete) // deployed
	assert.Equal(t, []string{"R-1", "R-3"}, s.ids())
}

func testPrecheck(t *testing.T, newRig func(t *testing.T) Rig) {
	s := start(t, newRig, Host{Name: "h1"}, Host{Name: "h2"})
	s.release("R-1", false)
	s.release("R-2", false, "R-1")
	_, err := s.s.Precheck(s.ctx, "R-404")
	require.ErrorIs(t, err, patching.ErrNotFound)

	pc, err := s.s.Precheck(s.ctx, "R-1")
	require.NoError(t, err)
	assert.Equal(t, "R-1", pc.ReleaseID)
	assert.True(t, pc.OK, "%+v", pc.Checks)
	require.NotEmpty(t, pc.Checks)
	for _, l := range pc.Checks {
		assert.True(t, l.OK, "%+v", l)
		assert.NotEmpty(t, l.Check)
	}

	failing := func(pc patching.Precheck) []patching.PrecheckLine {
		var out []patching.PrecheckLine
		for _, l := range pc.Checks {
			if !l.OK {
				out = append(out, l)
			}
		}
		return out
	}
	pc, err = s.s.Precheck(s.ctx, "R-2")
	require.NoError(t, err)
	assert.False(t, pc.OK, "R-2 requires R-1, not deployed")
	bad := failing(pc)
	require.Len(t, bad, 1)
	assert.Contains(t, bad[0].Detail, "R-1")

	s.rig.SetHosts(t, []Host{{Name: "h1"}, {Name: "h2", Locked: true}})
	pc, err = s.s.Precheck(s.ctx, "R-1")
	require.NoError(t, err)
	assert.False(t, pc.OK, "a locked host")
	bad = failing(pc)
	require.Len(t, bad, 1)
	assert.Contains(t, bad[0].Detail, "h2")

	// A failing pre-check refuses the start, unless forced.
	_, err = s.s.DeployStart(s.ctx, "R-1", false)
	require.ErrorIs(t, err, patching.ErrInvalidTransition)
	_, err = s.s.ShowDeploy(s.ctx)
	require.ErrorIs(t, err, patching.ErrNotFound)
	assert.Equal(t, patching.ReleaseAvailable, s.releaseState("R-1"))
	_, err = s.s.DeployStart(s.ctx, "R-1", true)
	require.NoError(t, err)
	s.settle()
	assert.Equal(t, patching.DeployStartDone, s.deployState())
}

func testDeployInService(t *testing.T, newRig func(t *testing.T) Rig) {
	s := start(t, newRig, Host{Name: "h2"}, Host{Name: "h1"})
	info, _ := s.release("R-1", false)

	d := s.startDeploy("R-1")
	assert.Equal(t, patching.Deploy{FromRelease: "", ToRelease: "R-1", State: patching.DeployStartDone, RebootRequired: false}, d)
	assert.Equal(t, patching.ReleaseDeploying, s.releaseState("R-1"))
	hosts, err := s.s.ListDeployHosts(s.ctx)
	require.NoError(t, err)
	assert.Equal(t, []patching.HostDeploy{
		{Hostname: "h1", ToRelease: "R-1", State: patching.HostPending},
		{Hostname: "h2", ToRelease: "R-1", State: patching.HostPending},
	}, hosts)
	a, err := s.s.Assignment(s.ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, patching.Assignment{}, a, "nothing before deploy host")
	_, err = s.s.DeployActivate(s.ctx)
	RequireRule(t, err, patching.RuleDeployTransition)

	// In service: installs on an unlocked host.
	hd, err := s.s.DeployHost(s.ctx, "h1", false)
	require.NoError(t, err)
	assert.Equal(t, patching.HostDeploying, hd.State)
	assert.Equal(t, "h1", hd.Hostname)
	assert.Equal(t, patching.DeployHost, s.deployState())
	a, err = s.s.Assignment(s.ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, patching.Assignment{Action: patching.ActionInstall, ReleaseID: "R-1", Digest: info.Digest,
		ContentPath: "/v1/content/" + info.Digest}, a)
	_, err = s.s.DeployHost(s.ctx, "h1", false)
	RequireRule(t, err, patching.RuleHostTransition)
	_, err = s.s.DeployHost(s.ctx, "h404", false)
	require.ErrorIs(t, err, patching.ErrNotFound)

	require.NoError(t, s.s.ReportHost(s.ctx, "h1", patching.HostStatus{State: patching.AgentInstalling, Action: patching.ActionInstall, ReleaseID: "R-1"}))
	assert.Equal(t, patching.HostDeploying, s.hostStates()["h1"])
	s.agent("h1", true, "")
	assert.Equal(t, map[string]patching.HostDeployState{"h1": patching.HostDeployed, "h2": patching.HostPending}, s.hostStates())
	assert.Equal(t, patching.DeployHost, s.deployState(), "h2 still pending")
	a, err = s.s.Assignment(s.ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, patching.Assignment{}, a, "done")

	_, err = s.s.DeployHost(s.ctx, "h2", false)
	require.NoError(t, err)
	s.agent("h2", true, "")
	assert.Equal(t, patching.DeployHostDone, s.deployState())
	_, err = s.s.DeployComplete(s.ctx)
	RequireRule(t, err, patching.RuleDeployTransition)

	_, err = s.s.DeployActivate(s.ctx)
	require.NoError(t, err)
	s.settle()
	assert.Equal(t, patching.DeployActivateDone, s.deployState())
	RequireRule(t, s.s.DeployDelete(s.ctx), patching.RuleDeployTransition)
	d, err = s.s.DeployComplete(s.ctx)
	require.NoError(t, err)
	assert.Equal(t, patching.DeployCompleted, d.State)
	assert.Equal(t, patching.ReleaseDeployed, s.releaseState("R-1"))
	require.NoError(t, s.s.DeployDelete(s.ctx))
	_, err = s.s.ShowDeploy(s.ctx)
	require.ErrorIs(t, err, patching.ErrNotFound)
	hosts, err = s.s.ListDeployHosts(s.ctx)
	require.NoError(t, err)
	assert.Equal(t, []patching.HostDeploy{{Hostname: "h1", FromRelease: "R-1"}, {Hostname: "h2", FromRelease: "R-1"}}, hosts,
		"no deploy: each host's running release")
}

func testDeployRebootRequired(t *testing.T, newRig func(t *testing.T) Rig) {
	s := start(t, newRig, Host{Name: "h1"})
	info, _ := s.release("R-1", true)
	d := s.startDeploy("R-1")
	assert.True(t, d.RebootRequired)
	_, err := s.s.DeployHost(s.ctx, "h1", false)
	RequireRule(t, err, patching.RuleNeedsLocked)
	assert.Equal(t, patching.HostPending, s.hostStates()["h1"], "refused: nothing changed")
	assert.Equal(t, patching.DeployStartDone, s.deployState())

	s.rig.SetHosts(t, []Host{{Name: "h1", Locked: true}})
	hd, err := s.s.DeployHost(s.ctx, "h1", false)
	require.NoError(t, err)
	assert.True(t, hd.RebootRequired)
	a, err := s.s.Assignment(s.ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, patching.Assignment{Action: patching.ActionInstall, ReleaseID: "R-1", Digest: info.Digest,
		ContentPath: "/v1/content/" + info.Digest, RebootRequired: true}, a)
	// Installed, taking effect at the next boot.
	require.NoError(t, s.s.ReportHost(s.ctx, "h1", patching.HostStatus{State: patching.AgentIdle, Pending: "R-1",
		Action: patching.ActionInstall, ReleaseID: "R-1"}))
	assert.Equal(t, patching.HostDeployed, s.hostStates()["h1"])
	assert.Equal(t, patching.DeployHostDone, s.deployState())
}

func testHostFailure(t *testing.T, newRig func(t *testing.T) Rig) {
	s := start(t, newRig, Host{Name: "h1"}, Host{Name: "h2"})
	s.release("R-1", false)
	s.startDeploy("R-1")
	_, err := s.s.DeployHost(s.ctx, "h1", false)
	require.NoError(t, err)
	s.agent("h1", false, "pre_install: exit status 3")
	list, err := s.s.ListDeployHosts(s.ctx)
	require.NoError(t, err)
	assert.Equal(t, patching.HostFailed, list[0].State)
	assert.Contains(t, list[0].Reason, "exit status 3")
	d, err := s.s.ShowDeploy(s.ctx)
	require.NoError(t, err)
	assert.Equal(t, patching.DeployHostFailed, d.State)
	a, err := s.s.Assignment(s.ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, patching.Assignment{}, a)

	// Retry.
	_, err = s.s.DeployHost(s.ctx, "h1", false)
	require.NoError(t, err)
	s.agent("h1", true, "")
	_, err = s.s.DeployHost(s.ctx, "h2", false)
	require.NoError(t, err)
	s.agent("h2", true, "")
	assert.Equal(t, patching.DeployHostDone, s.deployState())
	list, err = s.s.ListDeployHosts(s.ctx)
	require.NoError(t, err)
	assert.Empty(t, list[0].Reason)
}

func testAbortHostPhase(t *testing.T, newRig func(t *testing.T) Rig) {
	s := start(t, newRig, Host{Name: "h1"}, Host{Name: "h2"})
	s.deployAllFirst()
	info, _ := s.release("R-2", false, "R-1")
	d := s.startDeploy("R-2")
	assert.Equal(t, "R-1", d.FromRelease)
	_, err := s.s.DeployHostRollback(s.ctx, "h1")
	RequireRule(t, err, patching.RuleDeployTransition)
	_, err = s.s.DeployHost(s.ctx, "h1", false)
	require.NoError(t, err)
	_, err = s.s.DeployAbort(s.ctx)
	require.Error(t, err, "h1 is installing")
	s.agent("h1", true, "")
	_ = info

	d, err = s.s.DeployAbort(s.ctx)
	require.NoError(t, err)
	assert.Equal(t, patching.DeployHostRollback, d.State)
	assert.Equal(t, map[string]patching.HostDeployState{"h1": patching.HostRollbackPending, "h2": patching.HostRollbackDeployed}, s.hostStates())
	_, err = s.s.DeployHost(s.ctx, "h1", false)
	RequireRule(t, err, patching.RuleDeployTransition)
	r1, err := s.s.GetRelease(s.ctx, "R-1")
	require.NoError(t, err)

	hd, err := s.s.DeployHostRollback(s.ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, patching.HostRollbackDeploying, hd.State)
	a, err := s.s.Assignment(s.ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, patching.Assignment{Action: patching.ActionRollback, ReleaseID: "R-1", Digest: r1.Digest,
		ContentPath: "/v1/content/" + r1.Digest}, a)
	s.agent("h1", true, "")
	assert.Equal(t, patching.DeployHostRollbackDone, s.deployState())
	assert.Equal(t, patching.ReleaseAvailable, s.releaseState("R-2"))
	assert.Equal(t, patching.ReleaseDeployed, s.releaseState("R-1"))
	require.NoError(t, s.s.DeployDelete(s.ctx))
	_, err = s.s.ShowDeploy(s.ctx)
	require.ErrorIs(t, err, patching.ErrNotFound)
}

// deployAllFirst uploads R-1 (in service) and deploys it on h1 and h2.
func (s *suite) deployAllFirst() {
	s.t.Helper()
	s.release("R-1", false)
	s.deployAll("R-1", "h1", "h2")
}

func testAbortAfterActivate(t *testing.T, newRig func(t *testing.T) Rig) {
	for _, completed := range []bool{false, true} {
		name := "Activated"
		if completed {
			name = "Completed"
		}
		t.Run(name, func(t *testing.T) {
			s := start(t, newRig, Host{Name: "h1"})
			s.release("R-1", false)
			s.startDeploy("R-1")
			_, err := s.s.DeployHost(s.ctx, "h1", false)
			require.NoError(t, err)
			s.agent("h1", true, "")
			_, err = s.s.DeployActivate(s.ctx)
			require.NoError(t, err)
			s.settle()
			_, err = s.s.DeployActivateRollback(s.ctx)
			RequireRule(t, err, patching.RuleDeployTransition) // abort first
			if completed {
				_, err = s.s.DeployComplete(s.ctx)
				require.NoError(t, err)
			}
			d, err := s.s.DeployAbort(s.ctx)
			require.NoError(t, err)
			assert.Equal(t, patching.DeployActivateRollbackPend, d.State)
			_, err = s.s.DeployHostRollback(s.ctx, "h1")
			RequireRule(t, err, patching.RuleDeployTransition)
			_, err = s.s.DeployActivateRollback(s.ctx)
			require.NoError(t, err)
			s.settle()
			assert.Equal(t, patching.DeployActivateRollbackDone, s.deployState())
			assert.Equal(t, patching.HostRollbackPending, s.hostStates()["h1"])
			_, err = s.s.DeployHostRollback(s.ctx, "h1")
			require.NoError(t, err)
			assert.Equal(t, patching.DeployHostRollback, s.deployState())
			s.agent("h1", true, "")
			assert.Equal(t, patching.DeployHostRollbackDone, s.deployState())
			assert.Equal(t, patching.ReleaseAvailable, s.releaseState("R-1"))
			require.NoError(t, s.s.DeployDelete(s.ctx))
		})
	}
}

func testRequires(t *testing.T, newRig func(t *testing.T) Rig) {
	s := start(t, newRig, Host{Name: "h1"})
	s.release("R-1", false)
	s.release("R-2", false, "R-1")
	_, err := s.s.DeployStart(s.ctx, "R-2", true)
	RequireRule(t, err, patching.RuleRequiresNotDeployed)
	_, err = s.s.ShowDeploy(s.ctx)
	require.ErrorIs(t, err, patching.ErrNotFound)
	_, err = s.s.DeployStart(s.ctx, "R-404", false)
	require.ErrorIs(t, err, patching.ErrNotFound)
	s.deployAll("R-1", "h1")
	d := s.startDeploy("R-2")
	assert.Equal(t, "R-1", d.FromRelease)
	assert.Equal(t, "R-2", d.ToRelease)
	_, err = s.s.DeployStart(s.ctx, "R-2", false)
	RequireRule(t, err, patching.RuleDeployExists)
}

func testNoDeploy(t *testing.T, newRig func(t *testing.T) Rig) {
	s := start(t, newRig, Host{Name: "h1"})
	_, err := s.s.ShowDeploy(s.ctx)
	require.ErrorIs(t, err, patching.ErrNotFound)
	for name, call := range map[string]func() error{
		"host":              func() error { _, err := s.s.DeployHost(s.ctx, "h1", false); return err },
		"host-rollback":     func() error { _, err := s.s.DeployHostRollback(s.ctx, "h1"); return err },
		"activate":          func() error { _, err := s.s.DeployActivate(s.ctx); return err },
		"activate-rollback": func() error { _, err := s.s.DeployActivateRollback(s.ctx); return err },
		"complete":          func() error { _, err := s.s.DeployComplete(s.ctx); return err },
		"abort":             func() error { _, err := s.s.DeployAbort(s.ctx); return err },
		"delete":            func() error { return s.s.DeployDelete(s.ctx) },
	} {
		RequireRule(t, call(), patching.RuleNoDeploy)
		_ = name
	}
	hosts, err := s.s.ListDeployHosts(s.ctx)
	require.NoError(t, err)
	assert.Equal(t, []patching.HostDeploy{{Hostname: "h1"}}, hosts)
	a, err := s.s.Assignment(s.ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, patching.Assignment{}, a)
	_, err = s.s.Assignment(s.ctx, "h404")
	require.ErrorIs(t, err, patching.ErrNotFound)
}

func testReportHost(t *testing.T, newRig func(t *testing.T) Rig) {
	s := start(t, newRig, Host{Name: "h1"})
	require.ErrorIs(t, s.s.ReportHost(s.ctx, "h404", patching.HostStatus{State: patching.AgentIdle}), patching.ErrNotFound)
	RequireField(t, s.s.ReportHost(s.ctx, "h1", patching.HostStatus{State: "sleeping"}), "state")
	RequireField(t, s.s.ReportHost(s.ctx, "h1", patching.HostStatus{State: patching.AgentIdle, Action: "dance"}), "action")
	RequireField(t, s.s.ReportHost(s.ctx, "h1", patching.HostStatus{State: patching.AgentIdle, Running: "../x"}), "running")
	// A report with no assignment is recorded: the running release.
	require.NoError(t, s.s.ReportHost(s.ctx, "h1", patching.HostStatus{State: patching.AgentIdle, Running: "R-0"}))
	hosts, err := s.s.ListDeployHosts(s.ctx)
	require.NoError(t, err)
	assert.Equal(t, []patching.HostDeploy{{Hostname: "h1", FromRelease: "R-0"}}, hosts)
}
