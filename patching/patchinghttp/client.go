package patchinghttp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"time"

	"github.com/edgeflock/flock/internal/httpx"
	"github.com/edgeflock/flock/patching"
)

// ErrUnavailable: the server could not be reached, or answered
// something that is not the API. patching has no such sentinel: the
// network is the client's.
var ErrUnavailable = fmt.Errorf("patchinghttp: software management is unavailable")

// ClientOptions configure NewClient.
type ClientOptions struct {
	// Token is sent as "Authorization: Bearer <token>".
	Token string
	// HTTPClient, if set, is used instead of a client tuned for many
	// concurrent requests to one server.
	HTTPClient *http.Client
	// Timeout bounds each request but uploads when the context has no
	// deadline (default 30 s). An upload is bounded by its context only.
	Timeout time.Duration
}

// Client is a patching.Service over the REST API NewHandler serves. Its
// errors wrap patching's sentinels (ErrTampered and the other refusals
// of a file included), so errors.Is and errors.AsType[*patching.RuleError]
// hold as in-process. A server that cannot be reached is ErrUnavailable.
type Client struct {
	api *httpx.Caller
}

var _ patching.Service = (*Client)(nil)

// NewClient returns a client of the API at baseURL
// ("http://127.0.0.1:5493").
func NewClient(baseURL string, opts *ClientOptions) *Client {
	if opts == nil {
		opts = &ClientOptions{}
	}
	return &Client{api: httpx.NewCaller("patchinghttp", baseURL, opts.Token, opts.HTTPClient, opts.Timeout, errTable, ErrUnavailable)}
}

// Upload is POST /v1/upload with r as the one file of a multipart body,
// streamed: r is read as the request goes out.
func (c *Client) Upload(ctx context.Context, r io.Reader) (patching.ReleaseInfo, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("release", "release.tar")
		if err == nil {
			_, err = io.Copy(part, r)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api.Base+"/v1/upload", pr)
	if err != nil {
		pr.CloseWithError(err)
		return patching.ReleaseInfo{}, fmt.Errorf("patchinghttp: %w", err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	if c.api.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.api.Token)
	}
	resp, err := c.api.HTTP.Do(req)
	// The writer stops if the server answered before reading it all.
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		if ctx.Err() != nil {
			return patching.ReleaseInfo{}, fmt.Errorf("patchinghttp: upload: %w", ctx.Err())
		}
		return patching.ReleaseInfo{}, fmt.Errorf("patchinghttp: upload: %w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return patching.ReleaseInfo{}, fmt.Errorf("patchinghttp: upload: %w", errTable.Decode(resp))
	}
	var ans UploadAnswer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || len(ans.UploadInfo) != 1 {
		return patching.ReleaseInfo{}, fmt.Errorf("patchinghttp: upload: %w: answer is not one release", ErrUnavailable)
	}
	return ans.UploadInfo[0].ReleaseInfo, nil
}

// ListReleases is GET /v1/release[?show=state].
func (c *Client) ListReleases(ctx context.Context, state patching.ReleaseState) ([]patching.ReleaseInfo, error) {
	var q url.Values
	if state != "" {
		if _, err := patching.ParseReleaseState(string(state)); err != nil {
			return nil, err
		}
		q = url.Values{"show": {string(state)}}
	}
	var out []Release
	if err := c.api.Do(ctx, http.MethodGet, "/v1/release", q, nil, &out); err != nil {
		return nil, err
	}
	list := make([]patching.ReleaseInfo, 0, len(out))
	for _, r := range out {
		list = append(list, r.ReleaseInfo)
	}
	return list, nil
}

// GetRelease is GET /v1/release/{id}.
func (c *Client) GetRelease(ctx context.Context, id string) (patching.ReleaseInfo, error) {
	var out Release
	err := c.api.Do(ctx, http.MethodGet, "/v1/release/"+url.PathEscape(id), nil, nil, &out)
	return out.ReleaseInfo, err
}

// DeleteRelease is DELETE /v1/release/{id}.
func (c *Client) DeleteRelease(ctx context.Context, id string) error {
	return c.api.Do(ctx, http.MethodDelete, "/v1/release/"+url.PathEscape(id), nil, nil, nil)
}

// Precheck is POST /v1/deploy/{id}/precheck.
func (c *Client) Precheck(ctx context.Context, id string) (patching.Precheck, error) {
	var out PrecheckAnswer
	err := c.api.Do(ctx, http.MethodPost, "/v1/deploy/"+url.PathEscape(id)+"/precheck", nil, nil, &out)
	return out.Precheck, err
}

// DeployStart is POST /v1/deploy/{id}/start.
func (c *Client) DeployStart(ctx context.Context, id string, force bool) (patching.Deploy, error) {
	var out deployAnswer
	err := c.api.Do(ctx, http.MethodPost, "/v1/deploy/"+url.PathEscape(id)+"/start", nil, DeployRequest{Force: jsonBool(force)}, &out)
	return out.Deploy, err
}

func jsonBool(b bool) json.RawMessage {
	if b {
		return json.RawMessage("true")
	}
	return json.RawMessage("false")
}

// DeployHost is POST /v1/deploy_host/{host}[/force].
func (c *Client) DeployHost(ctx context.Context, host string, force bool) (patching.HostDeploy, error) {
	p := "/v1/deploy_host/" + url.PathEscape(host)
	if force {
		p += "/force"
	}
	var out hostAnswer
	err := c.api.Do(ctx, http.MethodPost, p, nil, nil, &out)
	return out.HostDeploy, err
}

// DeployHostRollback is POST /v1/deploy_host/{host}/rollback.
func (c *Client) DeployHostRollback(ctx context.Context, host string) (patching.HostDeploy, error) {
	var out hostAnswer
	err := c.api.Do(ctx, http.MethodPost, "/v1/deploy_host/"+url.PathEscape(host)+"/rollback", nil, nil, &out)
	return out.HostDeploy, err
}

func (c *Client) deployVerb(ctx context.Context, verb string) (patching.Deploy, error) {
	var out deployAnswer
	err := c.api.Do(ctx, http.MethodPost, "/v1/deploy/"+verb, nil, nil, &out)
	return out.Deploy, err
}

// DeployActivate is POST /v1/deploy/activate.
func (c *Client) DeployActivate(ctx context.Context) (patching.Deploy, error) {
	return c.deployVerb(ctx, "activate")
}

// DeployActivateRollback is POST /v1/deploy/activate_rollback.
func (c *Client) DeployActivateRollback(ctx context.Context) (patching.Deploy, error) {
	return c.deployVerb(ctx, "activate_rollback")
}

// DeployComplete is POST /v1/deploy/complete.
func (c *Client) DeployComplete(ctx context.Context) (patching.Deploy, error) {
	return c.deployVerb(ctx, "complete")
}

// DeployAbort is POST /v1/deploy/abort.
func (c *Client) DeployAbort(ctx context.Context) (patching.Deploy, error) {
	return c.deployVerb(ctx, "abort")
}

// DeployDelete is DELETE /v1/deploy.
func (c *Client) DeployDelete(ctx context.Context) error {
	return c.api.Do(ctx, http.MethodDelete, "/v1/deploy", nil, nil, nil)
}

// ShowDeploy is GET /v1/deploy; an empty list is patching.ErrNotFound.
func (c *Client) ShowDeploy(ctx context.Context) (patching.Deploy, error) {
	var out []patching.Deploy
	if err := c.api.Do(ctx, http.MethodGet, "/v1/deploy", nil, nil, &out); err != nil {
		return patching.Deploy{}, err
	}
	if len(out) == 0 {
		return patching.Deploy{}, fmt.Errorf("patchinghttp: no deployment in progress: %w", patching.ErrNotFound)
	}
	return out[0], nil
}

// ListDeployHosts is GET /v1/deploy_host.
func (c *Client) ListDeployHosts(ctx context.Context) ([]patching.HostDeploy, error) {
	// A host outside a deploy has an empty host_state, which
	// HostDeployState's strict parser refuses: decoded as a string.
	var rows []struct {
		patching.HostDeploy
		State string `json:"host_state"`
	}
	if err := c.api.Do(ctx, http.MethodGet, "/v1/deploy_host", nil, nil, &rows); err != nil {
		return nil, err
	}
	out := make([]patching.HostDeploy, 0, len(rows))
	for _, r := range rows {
		h := r.HostDeploy
		if r.State != "" {
			st, err := patching.ParseHostDeployState(r.State)
			if err != nil {
				return nil, fmt.Errorf("patchinghttp: GET /v1/deploy_host: %w: %v", ErrUnavailable, err)
			}
			h.State = st
		}
		out = append(out, h)
	}
	return out, nil
}

// Assignment is GET /v1/deploy_host/{host}/assignment.
func (c *Client) Assignment(ctx context.Context, host string) (patching.Assignment, error) {
	var out patching.Assignment
	err := c.api.Do(ctx, http.MethodGet, "/v1/deploy_host/"+url.PathEscape(host)+"/assignment", nil, nil, &out)
	return out, err
}

// ReportHost is POST /v1/deploy_host/{host}/status.
func (c *Client) ReportHost(ctx context.Context, host string, st patching.HostStatus) error {
	return c.api.Do(ctx, http.MethodPost, "/v1/deploy_host/"+url.PathEscape(host)+"/status", nil, st, nil)
}
