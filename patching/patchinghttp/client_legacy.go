package patchinghttp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/edgeflock/flock/patching"
)

var _ patching.Legacy = (*Client)(nil)

func legacyIDs(ids []string) string {
	esc := make([]string, len(ids))
	for i, id := range ids {
		esc[i] = url.PathEscape(id)
	}
	return strings.Join(esc, "/")
}

func (c *Client) legacy(ctx context.Context, method, verb string, ids []string, q url.Values, out any) error {
	p := LegacyPrefix + "/v1/" + verb
	if len(ids) > 0 {
		p += "/" + legacyIDs(ids)
	}
	return c.api.Do(ctx, method, p, q, nil, out)
}

// LegacyPatches is GET /patching/v1/query, as patching.Legacy.
func (c *Client) LegacyPatches(ctx context.Context) ([]patching.LegacyPatchInfo, error) {
	pd, err := c.SWPatchQuery(ctx, "", "")
	if err != nil {
		return nil, err
	}
	out := make([]patching.LegacyPatchInfo, 0, len(pd))
	for id, m := range pd {
		out = append(out, patching.LegacyPatchInfo{ID: id, SWVersion: m.SWVersion, RepoState: m.RepoState, PatchState: m.PatchState,
			RebootRequired: m.RebootRequired != "N", Status: m.Status, Summary: m.Summary, Requires: m.Requires})
	}
	slices.SortFunc(out, func(a, b patching.LegacyPatchInfo) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// LegacyHosts is GET /patching/v1/query_hosts, as patching.Legacy.
func (c *Client) LegacyHosts(ctx context.Context) ([]patching.LegacyHost, error) {
	recs, err := c.SWPatchQueryHosts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]patching.LegacyHost, len(recs))
	for i, r := range recs {
		out[i] = r.LegacyHost
	}
	return out, nil
}

// SWPatchQuery is GET /patching/v1/query: the patches by id, only those
// in repository state show (available, applied, committed; "" or all:
// every one) and of sw_version release ("": any).
func (c *Client) SWPatchQuery(ctx context.Context, show, release string) (map[string]LegacyMetadata, error) {
	q := url.Values{}
	if show != "" {
		q.Set("show", show)
	}
	if release != "" {
		q.Set("release", release)
	}
	if _, err := ParseLegacyQuery("query", q); err != nil {
		return nil, err
	}
	var ans LegacyQueryAnswer
	if err := c.legacy(ctx, http.MethodGet, "query", nil, q, &ans); err != nil {
		return nil, err
	}
	return ans.PD, nil
}

// SWPatchShow is GET /patching/v1/show/{ids}.
func (c *Client) SWPatchShow(ctx context.Context, ids []string) (LegacyShowAnswer, error) {
	var ans LegacyShowAnswer
	err := c.legacy(ctx, http.MethodGet, "show", ids, nil, &ans)
	return ans, err
}

// SWPatchQueryHosts is GET /patching/v1/query_hosts.
func (c *Client) SWPatchQueryHosts(ctx context.Context) ([]LegacyHostRecord, error) {
	var ans LegacyHostsAnswer
	err := c.legacy(ctx, http.MethodGet, "query_hosts", nil, nil, &ans)
	return ans.Data, err
}

// SWPatchApply is POST /patching/v1/apply/{ids} (with all, --all: every
// available patch).
func (c *Client) SWPatchApply(ctx context.Context, ids []string, all bool) (Messages, error) {
	if all {
		ids = append(slices.Clone(ids), "--all")
	}
	var ans Messages
	err := c.legacy(ctx, http.MethodPost, "apply", ids, nil, &ans)
	return ans, err
}

// SWPatchRemove is POST /patching/v1/remove/{ids} (removeUnremovable:
// sw-patch's hidden --removeunremovable).
func (c *Client) SWPatchRemove(ctx context.Context, ids []string, removeUnremovable bool) (Messages, error) {
	var q url.Values
	if removeUnremovable {
		q = url.Values{"removeunremovable": {"yes"}}
	}
	var ans Messages
	err := c.legacy(ctx, http.MethodPost, "remove", ids, q, &ans)
	return ans, err
}

// SWPatchDelete is POST /patching/v1/delete/{ids}.
func (c *Client) SWPatchDelete(ctx context.Context, ids []string) (Messages, error) {
	var ans Messages
	err := c.legacy(ctx, http.MethodPost, "delete", ids, nil, &ans)
	return ans, err
}

// SWPatchCommit is POST /patching/v1/commit/{ids} (dryRun:
// commit_dry_run).
func (c *Client) SWPatchCommit(ctx context.Context, ids []string, dryRun bool) (Messages, error) {
	verb := "commit"
	if dryRun {
		verb = "commit_dry_run"
	}
	var ans Messages
	err := c.legacy(ctx, http.MethodPost, verb, ids, nil, &ans)
	return ans, err
}

// SWPatchHostInstall is POST /patching/v1/host_install_async/{host}[/force].
func (c *Client) SWPatchHostInstall(ctx context.Context, host string, force bool) (Messages, error) {
	p := LegacyPrefix + "/v1/host_install_async/" + url.PathEscape(host)
	if force {
		p += "/force"
	}
	var ans Messages
	err := c.api.Do(ctx, http.MethodPost, p, nil, nil, &ans)
	return ans, err
}

// SWPatchWhatRequires is GET /patching/v1/what_requires/{ids}.
func (c *Client) SWPatchWhatRequires(ctx context.Context, ids []string) (Messages, error) {
	var ans Messages
	err := c.legacy(ctx, http.MethodGet, "what_requires", ids, nil, &ans)
	return ans, err
}

// SWPatchQueryDependencies is GET /patching/v1/query_dependencies/{ids}.
func (c *Client) SWPatchQueryDependencies(ctx context.Context, ids []string, recursive bool) ([]string, error) {
	var q url.Values
	if recursive {
		q = url.Values{"recursive": {"yes"}}
	}
	var ans LegacyDependencies
	err := c.legacy(ctx, http.MethodGet, "query_dependencies", ids, q, &ans)
	return ans.Patches, err
}

// SWPatchUpload is POST /patching/v1/upload with r as the one file
// (named name) of a multipart body, streamed.
func (c *Client) SWPatchUpload(ctx context.Context, name string, r io.Reader) (Messages, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", filepath.Base(name))
		if err == nil {
			_, err = io.Copy(part, r)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api.Base+LegacyPrefix+"/v1/upload", pr)
	if err != nil {
		pr.CloseWithError(err)
		return Messages{}, fmt.Errorf("patchinghttp: %w", err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	if c.api.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.api.Token)
	}
	resp, err := c.api.HTTP.Do(req)
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		if ctx.Err() != nil {
			return Messages{}, fmt.Errorf("patchinghttp: sw-patch upload: %w", ctx.Err())
		}
		return Messages{}, fmt.Errorf("patchinghttp: sw-patch upload: %w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return Messages{}, fmt.Errorf("patchinghttp: sw-patch upload: %w", errTable.Decode(resp))
	}
	var ans Messages
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return Messages{}, fmt.Errorf("patchinghttp: sw-patch upload: %w: %v", ErrUnavailable, err)
	}
	return ans, nil
}
