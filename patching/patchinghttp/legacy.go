package patchinghttp

// Legacy sw-patch API: StarlingX's patching REST API (cgcs_patch
// api/controllers/root.py, the last sw-patch before commit cbfb9e3),
// served over the same repository as USM's paths. sw-patch had its own
// port (5487); Flock serves everything on one port, so these paths live
// under LegacyPrefix:
//
//	GET  /patching/v1/query[?show=all|available|applied|committed&release=R]   {"pd": {id: metadata}}
//	GET  /patching/v1/show/{ids}          {"metadata": {id: metadata}, "contents": {id: file}, "error"}
//	POST /patching/v1/upload              multipart/form-data, one part per file ("file")  {"info", "warning", "error"}
//	POST /patching/v1/apply/{ids}         messages ({ids} may be --all)
//	POST /patching/v1/remove/{ids}[?removeunremovable=yes]   messages
//	POST /patching/v1/delete/{ids}        messages
//	GET  /patching/v1/query_hosts         {"data": [host]}
//	POST /patching/v1/host_install_async/{host}[/force]   messages
//	POST /patching/v1/commit/{ids}, /patching/v1/commit_dry_run/{ids}   messages
//	GET  /patching/v1/what_requires/{ids} messages
//	GET  /patching/v1/query_dependencies/{ids}[?recursive=yes]   {"patches": [id], "error"}
//
// {ids} are patch ids joined by "/", as patch_client.py sends them; the
// same paths answer under /patching/patch/ (sw-patch's other root). The
// read paths also answer POST (pecan answered any method). Errors use
// Flock's envelope (see the package comment), not sw-patch's 200 with
// an "error" text, so a refusal keeps its sentinel and rule.
//
// # How sw-patch's verbs map onto USM's deploy
//
// sw-patch moved patches between repository states and let each host
// catch up with host-install; USM deploys one release at a time through
// start, host, activate and complete. The mapping:
//
//   - apply ID: deploy start of ID, forced (sw-patch had no pre-check).
//     A finished deploy in the way is closed first: one whose every host
//     installed (host-done: activate, complete, delete — sw-patch had no
//     such steps, a patch was Applied once the hosts ran it), completed,
//     or rolled back (delete). Any other deploy in progress refuses with
//     RuleDeployExists. Several ids needing a deploy refuse with
//     RuleLegacyUnmapped: USM deploys one release at a time.
//   - host-install HOST [--force]: deploy host (force as given; USM's own
//     rule keeps reboot-required releases to locked hosts); while the
//     deploy rolls back, deploy host-rollback. A host already current is
//     told so and nothing happens.
//   - remove ID: the deploy of ID rolls back — deploy abort before
//     activation, abort and activate-rollback after it; the hosts then
//     go back with host-install. USM has no abort before a host deploys
//     (start-done): refused with RuleDeployTransition. A release whose deploy was deleted
//     cannot be removed (USM removes a release only within its deploy):
//     RuleLegacyUnmapped.
//   - delete ID: delete of a release in Available with no host running
//     it.
//   - commit ID: ID and everything it requires, each applied on every
//     host, become committed (patching.LegacyCommitter), after closing
//     their finished deploy as apply does. Committed release files stay
//     (a host installed later still needs them), so the dry run frees
//     nothing.
//
// While a deploy rolls back, its release shows repository state
// Available and patch state Partial-Remove until no host runs it, as
// sw-patch showed a removed patch.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/edgeflock/flock/internal/httpx"
	"github.com/edgeflock/flock/patching"
)

// LegacyPrefix is the path prefix of the legacy sw-patch API.
const LegacyPrefix = "/patching"

// MaxLegacyIDs bounds the ids of one legacy request.
const MaxLegacyIDs = 1000

// LegacyMetadata is a patch as sw-patch's query and show answer it
// (patch_functions.py's metadata dict: Y/N flags as strings).
type LegacyMetadata struct {
	SWVersion              string              `json:"sw_version"`
	RepoState              patching.RepoState  `json:"repostate"`
	PatchState             patching.PatchState `json:"patchstate"`
	Status                 string              `json:"status"`
	Unremovable            string              `json:"unremovable"`
	RebootRequired         string              `json:"reboot_required"`
	ApplyActiveReleaseOnly string              `json:"apply_active_release_only"`
	Summary                string              `json:"summary"`
	Description            string              `json:"description"`
	InstallInstructions    string              `json:"install_instructions"`
	Warnings               string              `json:"warnings"`
	Requires               []string            `json:"requires"`
}

// LegacyQueryAnswer is GET /patching/v1/query's answer.
type LegacyQueryAnswer struct {
	PD map[string]LegacyMetadata `json:"pd"`
}

// LegacyContents is a patch's file in show's contents (sw-patch listed
// ostree commits; a Flock release is one signed file).
type LegacyContents struct {
	Digest string `json:"digest"`
	Size   int64  `json:"size"`
	Signer string `json:"signer"`
}

// LegacyShowAnswer is GET /patching/v1/show/{ids}'s answer.
type LegacyShowAnswer struct {
	Metadata map[string]LegacyMetadata `json:"metadata"`
	Contents map[string]LegacyContents `json:"contents"`
	Error    string                    `json:"error"`
}

// LegacyHostRecord is a host of query_hosts: patching.LegacyHost and
// interim_state, true while the host was told to install (or roll back)
// and has not reported the outcome (the CLI's "Pending").
type LegacyHostRecord struct {
	patching.LegacyHost
	InterimState bool `json:"interim_state"`
}

// LegacyHostsAnswer is GET /patching/v1/query_hosts's answer.
type LegacyHostsAnswer struct {
	Data []LegacyHostRecord `json:"data"`
}

// LegacyDependencies is query_dependencies's answer.
type LegacyDependencies struct {
	Patches []string `json:"patches"`
	Error   string   `json:"error"`
}

func yesNo(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// ParseLegacyIDs parses the {ids} of a legacy path: patch ids joined by
// "/" (empty segments ignored), deduplicated and sorted. With allowAll,
// "--all" is accepted and reported. A bad id, none, or more than
// MaxLegacyIDs is a *patching.FieldError for field "patch_id".
func ParseLegacyIDs(path string, allowAll bool) (ids []string, all bool, err error) {
	for _, seg := range strings.Split(path, "/") {
		switch {
		case seg == "":
			continue
		case seg == "--all" && allowAll:
			all = true
			continue
		}
		if err := patching.CheckID("patch_id", seg); err != nil {
			return nil, false, err
		}
		ids = append(ids, seg)
		if len(ids) > MaxLegacyIDs {
			return nil, false, &patching.FieldError{Field: "patch_id", Reason: fmt.Sprintf("more than %d ids", MaxLegacyIDs)}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 && !all {
		return nil, false, &patching.FieldError{Field: "patch_id", Reason: "is required"}
	}
	return ids, all, nil
}

// legacyParams are the query parameters each legacy path accepts, and
// their values ("" any).
var legacyParams = map[string]map[string][]string{
	"query":              {"show": {"all", "available", "applied", "committed"}, "release": nil},
	"remove":             {"removeunremovable": {"yes", "no"}, "skipappcheck": {"yes", "no"}, "skip-semantic": {"yes", "no"}},
	"apply":              {"skip-semantic": {"yes", "no"}},
	"query_dependencies": {"recursive": {"yes", "no"}},
}

// ParseLegacyQuery checks the query of legacy path verb (query, apply,
// remove, query_dependencies; others take none) and returns its
// parameters. An unknown or repeated parameter, or a bad value, is a
// *patching.FieldError naming it.
func ParseLegacyQuery(verb string, q url.Values) (map[string]string, error) {
	allowed := legacyParams[verb]
	out := map[string]string{}
	for k, vs := range q {
		want, ok := allowed[k]
		if !ok {
			return nil, &patching.FieldError{Field: k, Reason: "unknown query parameter"}
		}
		if len(vs) != 1 {
			return nil, &patching.FieldError{Field: k, Reason: "given more than once"}
		}
		if want != nil && !slices.Contains(want, vs[0]) {
			return nil, &patching.FieldError{Field: k, Reason: fmt.Sprintf("%q is not one of %s", vs[0], strings.Join(want, ", "))}
		}
		if k == "release" && vs[0] != "" {
			if err := patching.CheckID("release", vs[0]); err != nil {
				return nil, err
			}
		}
		out[k] = vs[0]
	}
	return out, nil
}

type legacyServer struct {
	*server
	legacy patching.Legacy
}

// NewLegacyHandler returns the legacy sw-patch API (see the comment of
// this file, legacy.go) of svc and its legacy view, on paths under
// LegacyPrefix. It does no authentication: wrap it.
func NewLegacyHandler(svc patching.Service, legacy patching.Legacy, opts *HandlerOptions) http.Handler {
	s := &legacyServer{server: &server{svc: svc, maxUpload: DefaultMaxUpload, maxBody: 64 << 10, log: slog.New(slog.DiscardHandler)}, legacy: legacy}
	if opts != nil {
		if opts.MaxUpload > 0 {
			s.maxUpload = opts.MaxUpload
		}
		if opts.MaxBody > 0 {
			s.maxBody = opts.MaxBody
		}
		if opts.Logger != nil {
			s.log = opts.Logger
		}
	}
	mux := http.NewServeMux()
	for _, root := range []string{LegacyPrefix + "/v1/", LegacyPrefix + "/patch/"} {
		read := func(p string, h http.HandlerFunc) {
			mux.HandleFunc("GET "+root+p, h)
			mux.HandleFunc("POST "+root+p, h)
		}
		read("query", s.query)
		read("show/{ids...}", s.show)
		read("query_hosts", s.queryHosts)
		read("what_requires/{ids...}", s.whatRequires)
		read("query_dependencies/{ids...}", s.queryDependencies)
		mux.HandleFunc("POST "+root+"upload", s.legacyUpload)
		mux.HandleFunc("POST "+root+"apply/{ids...}", s.op("apply", true, s.apply))
		mux.HandleFunc("POST "+root+"remove/{ids...}", s.op("remove", false, s.remove))
		mux.HandleFunc("POST "+root+"delete/{ids...}", s.op("delete", false, s.delete))
		mux.HandleFunc("POST "+root+"commit/{ids...}", s.op("commit", false, s.commit(false)))
		mux.HandleFunc("POST "+root+"commit_dry_run/{ids...}", s.op("commit", false, s.commit(true)))
		mux.HandleFunc("POST "+root+"host_install_async/{host}", s.hostInstall(false))
		mux.HandleFunc("POST "+root+"host_install_async/{host}/force", s.hostInstall(true))
	}
	return httpx.WithRequestID(mux)
}

// view is the repository as sw-patch sees it: the releases, their
// legacy states (a rolling-back deploy's release shown as removed), and
// the deploy in progress (nil if none).
type view struct {
	releases map[string]patching.ReleaseInfo
	patches  map[string]patching.LegacyPatchInfo
	ids      []string
	deploy   *patching.Deploy
}

func rollingBack(s patching.DeployState) bool {
	switch s {
	case patching.DeployHostRollback, patching.DeployHostRollbackFailed, patching.DeployHostRollbackDone,
		patching.DeployActivateRollbackPend, patching.DeployActivateRollback, patching.DeployActivateRollbackDone,
		patching.DeployActivateRollbackFailed:
		return true
	}
	return false
}

func (s *legacyServer) view(ctx context.Context) (*view, error) {
	rels, err := s.svc.ListReleases(ctx, "")
	if err != nil {
		return nil, err
	}
	lp, err := s.legacy.LegacyPatches(ctx)
	if err != nil {
		return nil, err
	}
	v := &view{releases: map[string]patching.ReleaseInfo{}, patches: map[string]patching.LegacyPatchInfo{}}
	for _, r := range rels {
		v.releases[r.ID] = r
	}
	for _, p := range lp {
		if _, ok := v.releases[p.ID]; ok {
			v.patches[p.ID] = p
			v.ids = append(v.ids, p.ID)
		}
	}
	slices.Sort(v.ids)
	d, err := s.svc.ShowDeploy(ctx)
	switch {
	case errors.Is(err, patching.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		v.deploy = &d
		if p, ok := v.patches[d.ToRelease]; ok && rollingBack(d.State) {
			hosts, err := s.legacy.LegacyHosts(ctx)
			if err != nil {
				return nil, err
			}
			p.RepoState, p.PatchState = patching.RepoAvailable, patching.PatchAvailable
			if len(hosts) == 0 {
				p.PatchState = patching.PatchUnknown
			}
			if slices.ContainsFunc(hosts, func(h patching.LegacyHost) bool { return h.Release == d.ToRelease }) {
				p.PatchState = patching.PatchPartialRemove
			}
			v.patches[d.ToRelease] = p
		}
	}
	return v, nil
}

func (v *view) metadata(id string) LegacyMetadata {
	r, p := v.releases[id], v.patches[id]
	req := r.Requires
	if req == nil {
		req = []string{}
	}
	return LegacyMetadata{SWVersion: r.SWVersion, RepoState: p.RepoState, PatchState: p.PatchState, Status: r.Status,
		Unremovable: yesNo(r.Unremovable), RebootRequired: yesNo(r.RebootRequired), ApplyActiveReleaseOnly: yesNo(r.ApplyActiveReleaseOnly),
		Summary: r.Summary, Description: r.Description, InstallInstructions: r.InstallInstructions, Warnings: r.Warnings, Requires: req}
}

// known returns ErrNotFound naming the first unknown id.
func (v *view) known(ids []string) error {
	for _, id := range ids {
		if _, ok := v.patches[id]; !ok {
			return fmt.Errorf("patch %s does not exist: %w", id, patching.ErrNotFound)
		}
	}
	return nil
}

func (v *view) graph() (*patching.Graph, error) {
	ms := make([]patching.Metadata, 0, len(v.ids))
	for _, id := range v.ids {
		ms = append(ms, v.releases[id].Metadata)
	}
	return patching.NewGraph(ms)
}

func (s *legacyServer) query(w http.ResponseWriter, r *http.Request) {
	q, err := ParseLegacyQuery("query", r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.view(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	want := map[string]patching.RepoState{"available": patching.RepoAvailable, "applied": patching.RepoApplied, "committed": patching.RepoCommitted}[q["show"]]
	ans := LegacyQueryAnswer{PD: map[string]LegacyMetadata{}}
	for _, id := range v.ids {
		m := v.metadata(id)
		if want != "" && m.RepoState != want || q["release"] != "" && m.SWVersion != q["release"] {
			continue
		}
		ans.PD[id] = m
	}
	httpx.WriteJSON(w, http.StatusOK, ans)
}

func (s *legacyServer) show(w http.ResponseWriter, r *http.Request) {
	ids, _, err := ParseLegacyIDs(r.PathValue("ids"), false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.view(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ans := LegacyShowAnswer{Metadata: map[string]LegacyMetadata{}, Contents: map[string]LegacyContents{}}
	for _, id := range ids {
		rel, ok := v.releases[id]
		if !ok {
			ans.Error += id + " is unrecognized\n"
			continue
		}
		ans.Metadata[id] = v.metadata(id)
		ans.Contents[id] = LegacyContents{Digest: rel.Digest, Size: rel.Size, Signer: rel.Signer}
	}
	if len(ans.Metadata) == 0 {
		s.fail(w, r, fmt.Errorf("%s: %w", strings.TrimSpace(ans.Error), patching.ErrNotFound))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ans)
}

// pendingHostStates are the per-host deploy states of a host told to
// install or roll back that has not reported the outcome.
func pendingHost(s patching.HostDeployState) bool {
	return s == patching.HostDeploying || s == patching.HostRollbackDeploying
}

func (s *legacyServer) hostRecords(ctx context.Context) ([]LegacyHostRecord, error) {
	hosts, err := s.legacy.LegacyHosts(ctx)
	if err != nil {
		return nil, err
	}
	dh, err := s.svc.ListDeployHosts(ctx)
	if err != nil {
		return nil, err
	}
	pending := make(map[string]bool, len(dh))
	for _, h := range dh {
		pending[h.Hostname] = pendingHost(h.State)
	}
	out := make([]LegacyHostRecord, len(hosts))
	for i, h := range hosts {
		out[i] = LegacyHostRecord{LegacyHost: h, InterimState: pending[h.Hostname]}
	}
	return out, nil
}

func (s *legacyServer) queryHosts(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.Query()) > 0 {
		if _, err := ParseLegacyQuery("query_hosts", r.URL.Query()); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	hosts, err := s.hostRecords(r.Context())
	s.reply(w, r, LegacyHostsAnswer{Data: hosts}, err)
}

func (s *legacyServer) whatRequires(w http.ResponseWriter, r *http.Request) {
	ids, _, err := ParseLegacyIDs(r.PathValue("ids"), false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.view(r.Context())
	if err == nil {
		err = v.known(ids)
	}
	var g *patching.Graph
	if err == nil {
		g, err = v.graph()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var ans Messages
	for _, id := range ids {
		by, err := g.WhatRequires(id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if len(by) == 0 {
			ans.Info += id + " is not required by any patches.\n"
		} else {
			ans.Info += id + " is required by: " + strings.Join(by, ", ") + "\n"
		}
	}
	httpx.WriteJSON(w, http.StatusOK, ans)
}

func (s *legacyServer) queryDependencies(w http.ResponseWriter, r *http.Request) {
	ids, _, err := ParseLegacyIDs(r.PathValue("ids"), false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q, err := ParseLegacyQuery("query_dependencies", r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.view(r.Context())
	if err == nil {
		err = v.known(ids)
	}
	var deps []string
	if err == nil {
		deps, err = v.dependencies(ids, q["recursive"] == "yes")
	}
	s.reply(w, r, LegacyDependencies{Patches: deps}, err)
}

// dependencies returns ids and what they require (directly, or with
// recursive all of it), sorted.
func (v *view) dependencies(ids []string, recursive bool) ([]string, error) {
	g, err := v.graph()
	if err != nil {
		return nil, err
	}
	out := slices.Clone(ids)
	for _, id := range ids {
		req, err := g.Requires(id, recursive)
		if err != nil {
			return nil, err
		}
		out = append(out, req...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// op serves a legacy verb over {ids}.
func (s *legacyServer) op(verb string, allowAll bool, fn func(ctx context.Context, ids []string, all bool, q map[string]string) (Messages, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ids, all, err := ParseLegacyIDs(r.PathValue("ids"), allowAll)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		q, err := ParseLegacyQuery(verb, r.URL.Query())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ans, err := fn(r.Context(), ids, all, q)
		s.reply(w, r, ans, err)
	}
}

// noneInstalling refuses while a host is installing, as sw-patch did.
func (s *legacyServer) noneInstalling(ctx context.Context) error {
	hosts, err := s.legacy.LegacyHosts(ctx)
	if err != nil {
		return err
	}
	for _, h := range hosts {
		if h.State == patching.AgentInstalling {
			return &patching.RuleError{Rule: patching.RuleLegacyInstalling, Reason: "rejected: one or more nodes are installing patches (" + h.Hostname + ")"}
		}
	}
	return nil
}

// closeDeploy closes a finished deploy so that another may start (see
// the mapping of apply), and says so in msg.
func (s *legacyServer) closeDeploy(ctx context.Context, d *patching.Deploy, msg *Messages) error {
	if d == nil {
		return nil
	}
	var steps []func(context.Context) (patching.Deploy, error)
	switch d.State {
	case patching.DeployHostDone:
		steps = append(steps, s.svc.DeployActivate, s.svc.DeployComplete)
	case patching.DeployActivateDone:
		steps = append(steps, s.svc.DeployComplete)
	case patching.DeployCompleted, patching.DeployHostRollbackDone, patching.DeployStartFailed:
	default:
		return &patching.RuleError{Rule: patching.RuleDeployExists, Reason: fmt.Sprintf(
			"the deploy of %s is %s: install it on every host (sw-patch host-install) or remove it first", d.ToRelease, d.State)}
	}
	for _, step := range steps {
		if _, err := step(ctx); err != nil {
			return err
		}
	}
	if err := s.svc.DeployDelete(ctx); err != nil {
		return err
	}
	msg.Info += fmt.Sprintf("The deploy of %s (%s) is closed\n", d.ToRelease, d.State)
	return nil
}

func (s *legacyServer) apply(ctx context.Context, ids []string, all bool, _ map[string]string) (Messages, error) {
	var msg Messages
	v, err := s.view(ctx)
	if err != nil {
		return msg, err
	}
	if all {
		for _, id := range v.ids {
			if v.patches[id].RepoState == patching.RepoAvailable {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) == 0 {
			msg.Info = "There are no available patches to be applied.\n"
			return msg, nil
		}
	}
	if err := v.known(ids); err != nil {
		return msg, err
	}
	if err := s.noneInstalling(ctx); err != nil {
		return msg, err
	}
	var todo []string
	for _, id := range ids {
		if v.patches[id].RepoState != patching.RepoAvailable {
			msg.Info += id + " is already in the repo\n"
			continue
		}
		todo = append(todo, id)
	}
	switch {
	case len(todo) == 0:
		return msg, nil
	case len(todo) > 1:
		return msg, &patching.RuleError{Rule: patching.RuleLegacyUnmapped, Reason: fmt.Sprintf(
			"USM deploys one release at a time: apply %s one by one, in requires order (sw-patch query-dependencies)", strings.Join(todo, ", "))}
	}
	if err := s.closeDeploy(ctx, v.deploy, &msg); err != nil {
		return msg, err
	}
	if _, err := s.svc.DeployStart(ctx, todo[0], true); err != nil {
		return msg, err
	}
	msg.Info += todo[0] + " is now in the repo\n"
	return msg, nil
}

func (s *legacyServer) remove(ctx context.Context, ids []string, _ bool, q map[string]string) (Messages, error) {
	var msg Messages
	v, err := s.view(ctx)
	if err != nil {
		return msg, err
	}
	if err := v.known(ids); err != nil {
		return msg, err
	}
	if err := s.noneInstalling(ctx); err != nil {
		return msg, err
	}
	var todo []string
	for _, id := range ids {
		p, rel := v.patches[id], v.releases[id]
		switch {
		case p.RepoState == patching.RepoCommitted:
			return msg, &patching.RuleError{Rule: patching.RuleUnremovable, Reason: "patch " + id + " is committed and cannot be removed"}
		case p.RepoState == patching.RepoAvailable:
			msg.Info += id + " is not in the repo\n"
			continue
		case rel.Unremovable && q["removeunremovable"] != "yes":
			return msg, &patching.RuleError{Rule: patching.RuleUnremovable, Reason: "patch " + id + " is not removable"}
		case rel.Unremovable:
			msg.Warning += "Unremovable patch " + id + " being removed\n"
		}
		todo = append(todo, id)
	}
	for _, id := range todo {
		var by []string
		for _, other := range v.ids {
			if !slices.Contains(todo, other) && v.patches[other].RepoState != patching.RepoAvailable && slices.Contains(v.releases[other].Requires, id) {
				by = append(by, other)
			}
		}
		if len(by) > 0 {
			return msg, &patching.RuleError{Rule: patching.RuleRequiredByDeployed, Reason: id + " is required by: " + strings.Join(by, ", ")}
		}
	}
	switch {
	case len(todo) == 0:
		return msg, nil
	case len(todo) > 1:
		return msg, &patching.RuleError{Rule: patching.RuleLegacyUnmapped, Reason: fmt.Sprintf(
			"USM rolls back one deploy at a time: remove %s one by one, in reverse requires order", strings.Join(todo, ", "))}
	}
	id := todo[0]
	d := v.deploy
	if d == nil || d.ToRelease != id {
		return msg, &patching.RuleError{Rule: patching.RuleLegacyUnmapped, Reason: fmt.Sprintf(
			"release %s is deployed and its deploy was deleted: USM removes a release only within its own deploy", id)}
	}
	switch d.State {
	case patching.DeployStartDone:
		return msg, &patching.RuleError{Rule: patching.RuleDeployTransition, Reason: fmt.Sprintf(
			"the deploy of %s is start-done: USM aborts a deploy only once a host deployed; host-install a host first", id)}
	case patching.DeployHost, patching.DeployHostFailed, patching.DeployHostDone:
		_, err = s.svc.DeployAbort(ctx)
	case patching.DeployActivateDone, patching.DeployActivateFailed, patching.DeployCompleted:
		if _, err = s.svc.DeployAbort(ctx); err == nil {
			_, err = s.svc.DeployActivateRollback(ctx)
		}
	default:
		return msg, &patching.RuleError{Rule: patching.RuleDeployTransition, Reason: fmt.Sprintf("the deploy of %s is %s", id, d.State)}
	}
	if err != nil {
		return msg, err
	}
	msg.Info += id + " has been removed from the repo\n"
	return msg, nil
}

func (s *legacyServer) delete(ctx context.Context, ids []string, _ bool, _ map[string]string) (Messages, error) {
	var msg Messages
	v, err := s.view(ctx)
	if err != nil {
		return msg, err
	}
	if err := v.known(ids); err != nil {
		return msg, err
	}
	for _, id := range ids {
		p := v.patches[id]
		if p.RepoState != patching.RepoAvailable || p.PatchState != patching.PatchAvailable && p.PatchState != patching.PatchUnknown {
			return msg, &patching.RuleError{Rule: patching.RuleDelete, Reason: "patch " + id + " not in Available state"}
		}
	}
	for _, id := range ids {
		if err := s.svc.DeleteRelease(ctx, id); err != nil {
			return msg, err
		}
		msg.Info += id + " has been deleted\n"
	}
	return msg, nil
}

func (s *legacyServer) commit(dryRun bool) func(ctx context.Context, ids []string, _ bool, _ map[string]string) (Messages, error) {
	return func(ctx context.Context, ids []string, _ bool, _ map[string]string) (Messages, error) {
		var msg Messages
		v, err := s.view(ctx)
		if err != nil {
			return msg, err
		}
		var nonRel []string
		for _, id := range v.ids {
			if v.releases[id].Status != "REL" {
				nonRel = append(nonRel, id)
			}
		}
		if len(nonRel) > 0 {
			return msg, &patching.RuleError{Rule: patching.RuleLegacyCommit, Reason: "a commit cannot be performed with non-REL status patches in the system: " + strings.Join(nonRel, ", ")}
		}
		if err := v.known(ids); err != nil {
			return msg, err
		}
		list, err := v.dependencies(ids, true)
		if err != nil {
			return msg, err
		}
		var notApplied []string
		for _, id := range list {
			if st := v.patches[id].PatchState; st != patching.PatchApplied && st != patching.PatchCommitted {
				notApplied = append(notApplied, id)
			}
		}
		if len(notApplied) > 0 {
			return msg, &patching.RuleError{Rule: patching.RuleLegacyCommit, Reason: "the following patches are not applied and cannot be committed: " + strings.Join(notApplied, ", ")}
		}
		c, ok := s.svc.(patching.LegacyCommitter)
		if !ok {
			if c, ok = s.legacy.(patching.LegacyCommitter); !ok {
				return msg, &patching.RuleError{Rule: patching.RuleLegacyUnmapped, Reason: "this software management engine cannot commit releases"}
			}
		}
		if dryRun {
			msg.Info = "The following patches would be committed: " + strings.Join(list, ", ") + "\n" +
				"This commit operation would free 0.00 MiB (Flock keeps committed release files)\n"
			return msg, nil
		}
		if v.deploy != nil && slices.Contains(list, v.deploy.ToRelease) {
			if err := s.closeDeploy(ctx, v.deploy, &msg); err != nil {
				return msg, err
			}
		}
		if err := c.LegacyCommit(ctx, list); err != nil {
			return msg, err
		}
		msg.Info += "The patches have been committed.\n"
		return msg, nil
	}
}

func (s *legacyServer) hostInstall(force bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		host := r.PathValue("host")
		if err := patching.CheckID("hostname", host); err != nil {
			s.fail(w, r, err)
			return
		}
		msg, err := s.install(r.Context(), host, force)
		s.reply(w, r, msg, err)
	}
}

func (s *legacyServer) install(ctx context.Context, host string, force bool) (Messages, error) {
	var msg Messages
	hosts, err := s.legacy.LegacyHosts(ctx)
	if err != nil {
		return msg, err
	}
	i := slices.IndexFunc(hosts, func(h patching.LegacyHost) bool { return h.Hostname == host })
	if i < 0 {
		return msg, fmt.Errorf("unknown host specified: %s: %w", host, patching.ErrNotFound)
	}
	d, err := s.svc.ShowDeploy(ctx)
	if errors.Is(err, patching.ErrNotFound) {
		if hosts[i].PatchCurrent {
			msg.Info = host + " is patch current: nothing to install\n"
			return msg, nil
		}
		return msg, &patching.RuleError{Rule: patching.RuleNoDeploy, Reason: "no release is being deployed to " + host}
	}
	if err != nil {
		return msg, err
	}
	dh, err := s.svc.ListDeployHosts(ctx)
	if err != nil {
		return msg, err
	}
	var st patching.HostDeployState
	for _, h := range dh {
		if h.Hostname == host {
			st = h.State
		}
	}
	if rollingBack(d.State) {
		if st == patching.HostRollbackDeployed {
			msg.Info = host + " is patch current: nothing to remove\n"
			return msg, nil
		}
		_, err = s.svc.DeployHostRollback(ctx, host)
	} else {
		if st == patching.HostDeployed {
			msg.Info = host + " is patch current: nothing to install\n"
			return msg, nil
		}
		_, err = s.svc.DeployHost(ctx, host, force)
	}
	if err != nil {
		return msg, err
	}
	msg.Info = "Patch installation request sent to " + host + ".\n"
	return msg, nil
}

// legacyUpload streams each file part to the Service, in order; the
// first refused file ends the request with its error.
func (s *legacyServer) legacyUpload(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > s.maxUpload {
		s.fail(w, r, fmt.Errorf("%w: limit is %d bytes", httpx.ErrTooLarge, s.maxUpload))
		return
	}
	mt, params, err := ParseUploadType(r.Header.Get("Content-Type"))
	if err == nil && mt != "multipart/form-data" {
		err = &patching.FieldError{Field: "Content-Type", Reason: "sw-patch upload is multipart/form-data"}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, s.maxUpload), params["boundary"])
	var msg Messages
	n := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				err = fmt.Errorf("%w: limit is %d bytes", httpx.ErrTooLarge, s.maxUpload)
			} else {
				err = &patching.FieldError{Field: "body", Reason: "malformed multipart body: " + err.Error()}
			}
			s.fail(w, r, err)
			return
		}
		if part.FileName() == "" {
			_ = part.Close()
			continue
		}
		info, err := s.svc.Upload(r.Context(), part)
		_ = part.Close()
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				err = fmt.Errorf("%w: limit is %d bytes", httpx.ErrTooLarge, s.maxUpload)
			}
			s.fail(w, r, fmt.Errorf("%s: %w", part.FileName(), err))
			return
		}
		n++
		msg.Info += info.ID + " is now available\n"
	}
	if n == 0 {
		s.fail(w, r, &patching.FieldError{Field: "file", Reason: "no file uploaded"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, msg)
}
