package patchingtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/edgeflock/flock/patching"
)

// Host is a host as the deploy sees it: its name and whether it is
// locked (a reboot-required release installs only on a locked host).
type Host struct {
	Name   string
	Locked bool
}

// FakeService is an in-memory patching.Service: the repository, the one
// deploy and the hosts' reports in maps, every decision taken by
// package patching's pure functions (Open with the keyring, NewGraph,
// ReleaseTransition, StepDeploy, StepHostDeploy, HostsEvent,
// CheckHostInstall). The steps a controller would run in the background
// (the start's preparation, activation, the activate rollback) succeed
// at once; hosts move only through ReportHost, as their agents say.
// Which hosts exist, and whether they are locked, is SetHosts's.
//
// It passes RunServiceSuite. It is safe for concurrent use.
type FakeService struct {
	keys patching.Keyring
	now  func() time.Time

	mu       sync.Mutex
	releases map[string]*fakeRelease
	hosts    map[string]*fakeHost
	deploy   *fakeDeploy
	seq      int // deploy order of the releases
}

type fakeRelease struct {
	info     patching.ReleaseInfo
	data     []byte
	deployed int // seq when it was deployed
}

type fakeHost struct {
	locked     bool
	status     patching.HostStatus
	assignment patching.Assignment
}

type fakeDeploy struct {
	d        patching.Deploy
	hosts    map[string]*patching.HostDeploy
	removing []string // deployed releases a deploy back to an older one removes at complete
}

var _ patching.Service = (*FakeService)(nil)

// NewFakeService returns an empty FakeService that trusts keys. now
// stamps uploads (nil: time.Now).
func NewFakeService(keys patching.Keyring, now func() time.Time) *FakeService {
	if now == nil {
		now = time.Now
	}
	return &FakeService{keys: maps.Clone(keys), now: now, releases: map[string]*fakeRelease{}, hosts: map[string]*fakeHost{}}
}

// SetHosts sets which hosts exist and their locked state. A host left
// out is forgotten (except in the deploy in progress, which keeps its
// row); a host kept keeps what its agent reported.
func (f *FakeService) SetHosts(hosts []Host) {
	f.mu.Lock()
	defer f.mu.Unlock()
	next := map[string]*fakeHost{}
	for _, h := range hosts {
		fh := f.hosts[h.Name]
		if fh == nil {
			fh = &fakeHost{status: patching.HostStatus{State: patching.AgentIdle}}
		}
		fh.locked = h.Locked
		next[h.Name] = fh
	}
	f.hosts = next
}

func notFound(what, id string) error {
	return fmt.Errorf("patching: %s %s: %w", what, id, patching.ErrNotFound)
}

func rule(name, format string, args ...any) error {
	return &patching.RuleError{Rule: name, Reason: fmt.Sprintf(format, args...)}
}

// Upload implements patching.Service. The fake reads the file into
// memory.
func (f *FakeService) Upload(ctx context.Context, r io.Reader) (patching.ReleaseInfo, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return patching.ReleaseInfo{}, fmt.Errorf("patching: upload: %w", err)
	}
	rel, err := patching.Open(bytes.NewReader(data), int64(len(data)), f.keys)
	if err != nil {
		return patching.ReleaseInfo{}, fmt.Errorf("patching: upload: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if old, ok := f.releases[rel.ID()]; ok {
		if old.info.Digest == rel.Digest() {
			return cloneInfo(old.info), nil
		}
		return patching.ReleaseInfo{}, fmt.Errorf("patching: upload: release %s exists with another content (digest %s): %w",
			rel.ID(), old.info.Digest, patching.ErrConflict)
	}
	metas := []patching.Metadata{rel.Meta()}
	for _, x := range f.releases {
		metas = append(metas, x.info.Metadata)
	}
	if _, err := patching.NewGraph(metas); err != nil {
		return patching.ReleaseInfo{}, fmt.Errorf("patching: upload: %w", err)
	}
	if err := patching.ReleaseTransition(patching.ReleaseUploading, patching.ReleaseAvailable); err != nil {
		return patching.ReleaseInfo{}, err
	}
	info := patching.ReleaseInfo{Metadata: rel.Meta(), State: patching.ReleaseAvailable, Digest: rel.Digest(),
		Size: rel.Size(), Signer: rel.Signer(), UploadedAt: f.now().UTC()}
	f.releases[rel.ID()] = &fakeRelease{info: info, data: data}
	return cloneInfo(info), nil
}

func cloneInfo(i patching.ReleaseInfo) patching.ReleaseInfo {
	i.Requires = slices.Clone(i.Requires)
	i.ActivationScripts = slices.Clone(i.ActivationScripts)
	return i
}

// ListReleases implements patching.Service.
func (f *FakeService) ListReleases(ctx context.Context, state patching.ReleaseState) ([]patching.ReleaseInfo, error) {
	if state != "" && !state.Valid() {
		_, err := patching.ParseReleaseState(string(state))
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []patching.ReleaseInfo{}
	for _, id := range slices.Sorted(maps.Keys(f.releases)) {
		if r := f.releases[id]; state == "" || r.info.State == state {
			out = append(out, cloneInfo(r.info))
		}
	}
	return out, nil
}

// GetRelease implements patching.Service.
func (f *FakeService) GetRelease(ctx context.Context, id string) (patching.ReleaseInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.releases[id]
	if !ok {
		return patching.ReleaseInfo{}, notFound("release", id)
	}
	return cloneInfo(r.info), nil
}

// Content returns the release file of the release whose digest is
// digest (what an Assignment's ContentPath serves).
func (f *FakeService) Content(digest string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.releases {
		if r.info.Digest == digest {
			return slices.Clone(r.data), nil
		}
	}
	return nil, notFound("content", digest)
}

// graph returns the repository's requires graph (with f.mu held).
func (f *FakeService) graph() (*patching.Graph, error) {
	var metas []patching.Metadata
	for _, r := range f.releases {
		metas = append(metas, r.info.Metadata)
	}
	return patching.NewGraph(metas)
}

// deployedIDs returns the deployed (and committed) release ids, in the
// order they were deployed (with f.mu held).
func (f *FakeService) deployedIDs() []string {
	var ids []string
	for id, r := range f.releases {
		if r.info.State == patching.ReleaseDeployed || r.info.State == patching.ReleaseCommitted {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int { return f.releases[a].deployed - f.releases[b].deployed })
	return ids
}

// DeleteRelease implements patching.Service.
func (f *FakeService) DeleteRelease(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.releases[id]
	if !ok {
		return notFound("release", id)
	}
	if err := patching.CheckDelete(id, r.info.State); err != nil {
		return err
	}
	g, err := f.graph()
	if err != nil {
		return err
	}
	if err := g.CanRemove(id, f.deployedIDs()); err != nil {
		if re, ok := err.(*patching.RuleError); !ok || re.Rule != patching.RuleUnremovable {
			return err
		}
	}
	// The graph must stay whole: a release still required by another
	// one in the repository stays.
	if by, _ := g.WhatRequires(id); len(by) > 0 {
		return rule(patching.RuleDelete, "release %s is required by %s", id, strings.Join(by, ", "))
	}
	delete(f.releases, id)
	return nil
}

// The pre-checks, in StarlingX's words.
const (
	CheckProvisioned = "All hosts are provisioned"
	CheckUnlocked    = "All hosts are unlocked/enabled"
	CheckConfig      = "All hosts have current configurations"
	CheckAlarms      = "No management-affecting alarms"
	CheckDeployable  = "Release is deployable (requires deployed, valid path)"
	CheckDisk        = "Enough disk space on hosts"
)

// Precheck implements patching.Service.
func (f *FakeService) Precheck(ctx context.Context, id string) (patching.Precheck, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.precheck(id)
}

func (f *FakeService) precheck(id string) (patching.Precheck, error) {
	r, ok := f.releases[id]
	if !ok {
		return patching.Precheck{}, notFound("release", id)
	}
	pc := patching.Precheck{ReleaseID: id}
	line := func(check string, err error) {
		l := patching.PrecheckLine{Check: check, OK: err == nil}
		if err != nil {
			l.Detail = err.Error()
		}
		pc.Checks = append(pc.Checks, l)
	}
	if len(f.hosts) == 0 {
		line(CheckProvisioned, fmt.Errorf("no hosts"))
	} else {
		line(CheckProvisioned, nil)
	}
	var locked []string
	for _, n := range slices.Sorted(maps.Keys(f.hosts)) {
		if f.hosts[n].locked {
			locked = append(locked, n)
		}
	}
	if len(locked) > 0 {
		line(CheckUnlocked, fmt.Errorf("locked: %s", strings.Join(locked, ", ")))
	} else {
		line(CheckUnlocked, nil)
	}
	line(CheckConfig, nil)
	line(CheckAlarms, nil)
	err := patching.CheckDeployStart(id, r.info.State)
	if err == nil {
		var g *patching.Graph
		if g, err = f.graph(); err == nil {
			err = g.CanDeploy(id, f.deployedIDs())
		}
	}
	line(CheckDeployable, err)
	line(CheckDisk, nil)
	pc.OK = true
	for _, l := range pc.Checks {
		pc.OK = pc.OK && l.OK
	}
	return pc, nil
}

// step moves the deploy by ev (with f.mu held).
func (f *FakeService) step(ev patching.DeployEvent) error {
	s := patching.DeployNone
	if f.deploy != nil {
		s = f.deploy.d.State
	}
	to, err := patching.StepDeploy(s, ev)
	if err != nil {
		return err
	}
	if to == patching.DeployNone {
		f.deploy = nil
		return nil
	}
	f.deploy.d.State = to
	return nil
}

func (f *FakeService) setRelease(id string, to patching.ReleaseState) error {
	r := f.releases[id]
	if r == nil {
		return notFound("release", id)
	}
	if r.info.State == to {
		return nil
	}
	if err := patching.ReleaseTransition(r.info.State, to); err != nil {
		return err
	}
	r.info.State = to
	if to == patching.ReleaseDeployed {
		f.seq++
		r.deployed = f.seq
	}
	return nil
}

// DeployStart implements patching.Service. A failed pre-check refuses
// the start (ErrInvalidTransition) unless force.
func (f *FakeService) DeployStart(ctx context.Context, id string, force bool) (patching.Deploy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.releases[id]
	if !ok {
		return patching.Deploy{}, notFound("release", id)
	}
	if f.deploy != nil {
		_, err := patching.StepDeploy(f.deploy.d.State, patching.EventStart)
		return patching.Deploy{}, err
	}
	if err := patching.CheckDeployStart(id, r.info.State); err != nil {
		return patching.Deploy{}, err
	}
	g, err := f.graph()
	if err != nil {
		return patching.Deploy{}, err
	}
	deployed := f.deployedIDs()
	if err := g.CanDeploy(id, deployed); err != nil {
		return patching.Deploy{}, err
	}
	pc, err := f.precheck(id)
	if err != nil {
		return patching.Deploy{}, err
	}
	if !pc.OK && !force {
		var failed []string
		for _, l := range pc.Checks {
			if !l.OK {
				failed = append(failed, l.Check+": "+l.Detail)
			}
		}
		return patching.Deploy{}, fmt.Errorf("patching: deploy start %s: pre-check failed (%s), use force: %w",
			id, strings.Join(failed, "; "), patching.ErrInvalidTransition)
	}
	from := ""
	if len(deployed) > 0 {
		from = deployed[len(deployed)-1]
	}
	dep := &fakeDeploy{d: patching.Deploy{FromRelease: from, ToRelease: id, RebootRequired: r.info.RebootRequired},
		hosts: map[string]*patching.HostDeploy{}}
	if r.info.State == patching.ReleaseDeployed {
		// Deploy back to it: the releases deployed after it go.
		if id == from {
			return patching.Deploy{}, rule(patching.RuleDeployStart, "release %s is the running release", id)
		}
		for _, d := range deployed {
			if f.releases[d].deployed > r.deployed {
				if err := g.CanRemove(d, nil); err != nil {
					return patching.Deploy{}, err
				}
				dep.removing = append(dep.removing, d)
			}
		}
	}
	// Every check passed: from here nothing is refused.
	f.deploy = &fakeDeploy{d: patching.Deploy{}}
	if err := f.step(patching.EventStart); err != nil {
		return patching.Deploy{}, err
	}
	dep.d.State = f.deploy.d.State
	f.deploy = dep
	if r.info.State == patching.ReleaseAvailable {
		if err := f.setRelease(id, patching.ReleaseDeploying); err != nil {
			return patching.Deploy{}, err
		}
	}
	for n := range f.hosts {
		dep.hosts[n] = &patching.HostDeploy{Hostname: n, FromRelease: from, ToRelease: id,
			RebootRequired: r.info.RebootRequired, State: patching.HostPending}
	}
	if err := f.step(patching.EventStartDone); err != nil {
		return patching.Deploy{}, err
	}
	return f.deploy.d, nil
}

func (f *FakeService) deployHost(host string) (*patching.HostDeploy, *fakeHost, error) {
	if f.deploy == nil {
		_, err := patching.StepDeploy(patching.DeployNone, patching.EventHost)
		return nil, nil, err
	}
	hd, ok := f.deploy.hosts[host]
	fh := f.hosts[host]
	if !ok || fh == nil {
		return nil, nil, notFound("host", host)
	}
	return hd, fh, nil
}

func (f *FakeService) content(id string) (digest string) {
	if r := f.releases[id]; r != nil {
		return r.info.Digest
	}
	return ""
}

func contentPath(digest string) string {
	if digest == "" {
		return ""
	}
	return "/v1/content/" + digest
}

// DeployHost implements patching.Service. force skips the locked rule.
func (f *FakeService) DeployHost(ctx context.Context, host string, force bool) (patching.HostDeploy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	hd, fh, err := f.deployHost(host)
	if err != nil {
		return patching.HostDeploy{}, err
	}
	switch s := f.deploy.d.State; s {
	case patching.DeployHostRollback, patching.DeployHostRollbackFailed, patching.DeployActivateRollbackDone:
		return patching.HostDeploy{}, rule(patching.RuleDeployTransition, "the deployment is rolling back (%s): use deploy host-rollback", s)
	}
	if _, err := patching.StepDeploy(f.deploy.d.State, patching.EventHost); err != nil {
		return patching.HostDeploy{}, err
	}
	if !force {
		if err := patching.CheckHostInstall(host, f.deploy.d.RebootRequired, fh.locked); err != nil {
			return patching.HostDeploy{}, err
		}
	}
	to, err := patching.StepHostDeploy(hd.State, patching.HostEventDeployStarted)
	if err != nil {
		return patching.HostDeploy{}, err
	}
	if err := f.step(patching.EventHost); err != nil {
		return patching.HostDeploy{}, err
	}
	hd.State, hd.Reason = to, ""
	dg := f.content(f.deploy.d.ToRelease)
	fh.assignment = patching.Assignment{Action: patching.ActionInstall, ReleaseID: f.deploy.d.ToRelease, Digest: dg,
		ContentPath: contentPath(dg), RebootRequired: f.deploy.d.RebootRequired}
	return *hd, nil
}

// DeployHostRollback implements patching.Service: after deploy abort,
// the host goes back to the deploy's from release.
func (f *FakeService) DeployHostRollback(ctx context.Context, host string) (patching.HostDeploy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	hd, fh, err := f.deployHost(host)
	if err != nil {
		return patching.HostDeploy{}, err
	}
	switch s := f.deploy.d.State; s {
	case patching.DeployHostRollback, patching.DeployHostRollbackFailed, patching.DeployActivateRollbackDone:
	default:
		return patching.HostDeploy{}, rule(patching.RuleDeployTransition, "deploy host-rollback needs a deployment rolling back (deploy abort), not %s", s)
	}
	if err := patching.CheckHostInstall(host, f.deploy.d.RebootRequired, fh.locked); err != nil {
		return patching.HostDeploy{}, err
	}
	to, err := patching.StepHostDeploy(hd.State, patching.HostEventRollbackStarted)
	if err != nil {
		return patching.HostDeploy{}, err
	}
	if err := f.step(patching.EventHost); err != nil {
		return patching.HostDeploy{}, err
	}
	hd.State, hd.Reason = to, ""
	dg := f.content(f.deploy.d.FromRelease)
	fh.assignment = patching.Assignment{Action: patching.ActionRollback, ReleaseID: f.deploy.d.FromRelease, Digest: dg,
		ContentPath: contentPath(dg), RebootRequired: f.deploy.d.RebootRequired}
	return *hd, nil
}

// DeployActivate implements patching.Service; activation succeeds at
// once.
func (f *FakeService) DeployActivate(ctx context.Context) (patching.Deploy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.step(patching.EventActivate); err != nil {
		return patching.Deploy{}, err
	}
	if err := f.step(patching.EventActivateDone); err != nil {
		return patching.Deploy{}, err
	}
	return f.deploy.d, nil
}

// DeployActivateRollback implements patching.Service; the rollback of
// the activation succeeds at once, and the hosts wait for deploy
// host-rollback.
func (f *FakeService) DeployActivateRollback(ctx context.Context) (patching.Deploy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deploy != nil {
		if err := f.checkHosts(patching.HostEventRollbackPending, patching.HostDeployed, patching.HostFailed); err != nil {
			return patching.Deploy{}, err
		}
	}
	if err := f.step(patching.EventActivateRollback); err != nil {
		return patching.Deploy{}, err
	}
	if err := f.step(patching.EventActivateRollbackDone); err != nil {
		return patching.Deploy{}, err
	}
	f.markRollback()
	return f.deploy.d, nil
}

// checkHosts returns an error unless every host in one of the states
// from may take ev.
func (f *FakeService) checkHosts(ev patching.HostDeployEvent, from ...patching.HostDeployState) error {
	for _, n := range slices.Sorted(maps.Keys(f.deploy.hosts)) {
		hd := f.deploy.hosts[n]
		if slices.Contains(from, hd.State) {
			if _, err := patching.StepHostDeploy(hd.State, ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// markRollback sets the hosts for rollback: those never touched are
// rolled back already, the others wait for deploy host-rollback.
func (f *FakeService) markRollback() {
	for _, hd := range f.deploy.hosts {
		switch hd.State {
		case patching.HostPending:
			hd.State, _ = patching.StepHostDeploy(hd.State, patching.HostEventRollbackDeployed)
		case patching.HostDeployed, patching.HostFailed:
			hd.State, _ = patching.StepHostDeploy(hd.State, patching.HostEventRollbackPending)
		}
	}
	f.hostsChanged()
}

// DeployComplete implements patching.Service: the release is deployed,
// the ones a deploy back removed are available again.
func (f *FakeService) DeployComplete(ctx context.Context) (patching.Deploy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.step(patching.EventComplete); err != nil {
		return patching.Deploy{}, err
	}
	_ = f.setRelease(f.deploy.d.ToRelease, patching.ReleaseDeployed)
	for _, d := range f.deploy.removing {
		_ = f.setRelease(d, patching.ReleaseRemoving)
		_ = f.setRelease(d, patching.ReleaseAvailable)
	}
	return f.deploy.d, nil
}

// DeployAbort implements patching.Service. Refused while a host is
// installing.
func (f *FakeService) DeployAbort(ctx context.Context) (patching.Deploy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deploy == nil {
		return patching.Deploy{}, f.step(patching.EventAbort)
	}
	to, err := patching.StepDeploy(f.deploy.d.State, patching.EventAbort)
	if err != nil {
		return patching.Deploy{}, err
	}
	if to == patching.DeployHostRollback {
		for _, n := range slices.Sorted(maps.Keys(f.deploy.hosts)) {
			if f.deploy.hosts[n].State == patching.HostDeploying {
				return patching.Deploy{}, rule(patching.RuleHostTransition, "host %s is deploying: wait for its outcome before deploy abort", n)
			}
		}
	}
	if f.deploy.d.State == patching.DeployCompleted && len(f.deploy.removing) > 0 {
		return patching.Deploy{}, rule(patching.RuleDeployTransition, "a completed deploy back to %s cannot be aborted: deploy the removed releases again", f.deploy.d.ToRelease)
	}
	if f.deploy.d.State == patching.DeployCompleted {
		// Undo a completed deploy: the release is being removed.
		if err := f.setRelease(f.deploy.d.ToRelease, patching.ReleaseRemoving); err != nil {
			return patching.Deploy{}, err
		}
	}
	f.deploy.d.State = to
	if to == patching.DeployHostRollback {
		f.markRollback()
	}
	return f.deploy.d, nil
}

// DeployDelete implements patching.Service.
func (f *FakeService) DeployDelete(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.step(patching.EventDelete); err != nil {
		return err
	}
	for _, fh := range f.hosts {
		fh.assignment = patching.Assignment{}
	}
	return nil
}

// ShowDeploy implements patching.Service.
func (f *FakeService) ShowDeploy(ctx context.Context) (patching.Deploy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.deploy == nil {
		return patching.Deploy{}, fmt.Errorf("patching: no deployment in progress: %w", patching.ErrNotFound)
	}
	return f.deploy.d, nil
}

// ListDeployHosts implements patching.Service. Without a deploy (or
// for a host outside it) a host's row has its running release as
// FromRelease and no state.
func (f *FakeService) ListDeployHosts(ctx context.Context) ([]patching.HostDeploy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	names := map[string]bool{}
	for n := range f.hosts {
		names[n] = true
	}
	if f.deploy != nil {
		for n := range f.deploy.hosts {
			names[n] = true
		}
	}
	out := []patching.HostDeploy{}
	for _, n := range slices.Sorted(maps.Keys(names)) {
		if f.deploy != nil && f.deploy.hosts[n] != nil {
			out = append(out, *f.deploy.hosts[n])
			continue
		}
		out = append(out, patching.HostDeploy{Hostname: n, FromRelease: f.hosts[n].status.Running})
	}
	return out, nil
}

// Assignment implements patching.Service.
func (f *FakeService) Assignment(ctx context.Context, host string) (patching.Assignment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fh, ok := f.hosts[host]
	if !ok {
		return patching.Assignment{}, notFound("host", host)
	}
	return fh.assignment, nil
}

// CheckStatus validates a host agent's report: the agent state, the
// action and the release ids, each a *patching.FieldError naming its
// JSON field.
func CheckStatus(st patching.HostStatus) error {
	if _, err := patching.ParseAgentState(string(st.State)); err != nil {
		return err
	}
	switch st.Action {
	case patching.ActionNone, patching.ActionInstall, patching.ActionRollback:
	default:
		return &patching.FieldError{Field: "action", Reason: fmt.Sprintf("%q is not one of install, rollback or empty", st.Action)}
	}
	for _, x := range []struct{ field, id string }{{"running", st.Running}, {"pending", st.Pending}, {"release_id", st.ReleaseID}} {
		if x.id != "" {
			if err := patching.CheckID(x.field, x.id); err != nil {
				return err
			}
		}
	}
	if len(st.Reason) > patching.MaxTextLen {
		return &patching.FieldError{Field: "reason", Reason: fmt.Sprintf("longer than %d bytes", patching.MaxTextLen)}
	}
	return nil
}

// ReportHost implements patching.Service. A report that answers the
// host's assignment (same action and release) moves its deploy state:
// idle with the release running or pending is success, install-failed
// or install-rejected a failure (Reason kept); installing changes
// nothing. Other reports are only recorded.
func (f *FakeService) ReportHost(ctx context.Context, host string, st patching.HostStatus) error {
	if err := CheckStatus(st); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fh, ok := f.hosts[host]
	if !ok {
		return notFound("host", host)
	}
	fh.status = st
	a := fh.assignment
	if f.deploy == nil || a.Action == patching.ActionNone || st.Action != a.Action || st.ReleaseID != a.ReleaseID {
		return nil
	}
	hd := f.deploy.hosts[host]
	if hd == nil {
		return nil
	}
	var ev patching.HostDeployEvent
	failed := st.State == patching.AgentInstallFailed || st.State == patching.AgentInstallRejected
	done := st.State == patching.AgentIdle && (st.Running == a.ReleaseID || (st.Pending != "" && st.Pending == a.ReleaseID))
	switch {
	case a.Action == patching.ActionInstall && done:
		ev = patching.HostEventDeployed
	case a.Action == patching.ActionInstall && failed:
		ev = patching.HostEventDeployFailed
	case a.Action == patching.ActionRollback && done:
		ev = patching.HostEventRollbackDeployed
	case a.Action == patching.ActionRollback && failed:
		ev = patching.HostEventRollbackFailed
	default:
		return nil
	}
	to, err := patching.StepHostDeploy(hd.State, ev)
	if err != nil {
		return err
	}
	hd.State, hd.Reason = to, ""
	if failed {
		hd.Reason = st.Reason
		f.deploy.d.Reason = "host " + host + ": " + st.Reason
	}
	fh.assignment = patching.Assignment{}
	f.hostsChanged()
	return nil
}

// hostsChanged moves the deploy as its hosts' states call for.
func (f *FakeService) hostsChanged() {
	var states []patching.HostDeployState
	for _, hd := range f.deploy.hosts {
		states = append(states, hd.State)
	}
	ev, ok := patching.HostsEvent(f.deploy.d.State, states)
	if !ok {
		return
	}
	if err := f.step(ev); err != nil {
		return
	}
	if f.deploy.d.State == patching.DeployHostRollbackDone {
		// Every host is back: a release being deployed (or removed
		// after a completed deploy) is available again; a deploy back
		// to a deployed release changes nothing.
		if st := f.releases[f.deploy.d.ToRelease].info.State; st == patching.ReleaseDeploying || st == patching.ReleaseRemoving {
			_ = f.setRelease(f.deploy.d.ToRelease, patching.ReleaseAvailable)
		}
	}
	if f.deploy.d.State == patching.DeployHostDone || f.deploy.d.State == patching.DeployHostRollbackDone {
		f.deploy.d.Reason = ""
	}
}
