package hostmgmthttp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/internal/httpx"
)

// ClientOptions configure NewClient.
type ClientOptions struct {
	// Token is sent as "Authorization: Bearer <token>".
	Token string
	// HTTPClient, if set, is used instead of a client tuned for many
	// concurrent requests to one server.
	HTTPClient *http.Client
	// Timeout bounds each request when the context has no deadline
	// (default 30 s).
	Timeout time.Duration
}

// Client is a hostmgmt.Service over the REST API. Its errors wrap
// hostmgmt's sentinels, so errors.Is(err, hostmgmt.ErrNotFound) holds as
// in-process, a refusal comes back as a *hostmgmt.RuleError with its
// rule and reason, and bad input as a *hostmgmt.FieldError naming the
// field.
type Client struct {
	api *httpx.Caller
}

var _ hostmgmt.Service = (*Client)(nil)

// NewClient returns a client of the API at baseURL ("http://127.0.0.1:6385").
func NewClient(baseURL string, opts *ClientOptions) *Client {
	if opts == nil {
		opts = &ClientOptions{}
	}
	return &Client{api: httpx.NewCaller("hostmgmthttp", baseURL, opts.Token, opts.HTTPClient, opts.Timeout, errTable, hostmgmt.ErrUnavailable)}
}

// hostPath is /v1/ihosts/{host}[/sub].
func hostPath(host, sub string) (string, error) {
	if !hostSeg(host) {
		return "", fmt.Errorf("hostmgmthttp: host %q: %w", host, hostmgmt.ErrNotFound)
	}
	p := "/v1/ihosts/" + url.PathEscape(host)
	if sub != "" {
		p += "/" + sub
	}
	return p, nil
}

// Act requests an admin action on a host, by hostname, uuid or id, as
// StarlingX's system CLI does (PATCH /v1/ihosts/{id} with
// [{"op":"replace","path":"/action","value":a}]), and returns the host's
// maintenance state once the action is accepted (GET
// /v1/ihosts/{uuid}/mtce).
func (c *Client) Act(ctx context.Context, host string, a hostmgmt.AdminAction) (hostmgmt.HostState, error) {
	p, err := hostPath(host, "")
	if err != nil {
		return hostmgmt.HostState{}, err
	}
	value, err := json.Marshal(string(a))
	if err != nil {
		return hostmgmt.HostState{}, fmt.Errorf("hostmgmthttp: encode action: %w", err)
	}
	var ans struct {
		UUID string `json:"uuid"`
	}
	if err := c.api.Do(ctx, http.MethodPatch, p, nil, []patchOp{{Op: "replace", Path: actionPath, Value: value}}, &ans); err != nil {
		return hostmgmt.HostState{}, err
	}
	if hostSeg(ans.UUID) {
		host = ans.UUID
	}
	return c.GetHostState(ctx, host)
}

// GetHostState returns one host's maintenance state (GET
// /v1/ihosts/{id}/mtce).
func (c *Client) GetHostState(ctx context.Context, host string) (hostmgmt.HostState, error) {
	p, err := hostPath(host, "mtce")
	if err != nil {
		return hostmgmt.HostState{}, err
	}
	var st hostmgmt.HostState
	if err := c.api.Do(ctx, http.MethodGet, p, nil, nil, &st); err != nil {
		return hostmgmt.HostState{}, err
	}
	return st, nil
}

// ListHostStates returns every host's maintenance state (GET
// /v1/mtce/hosts).
func (c *Client) ListHostStates(ctx context.Context) ([]hostmgmt.HostState, error) {
	var l hostList
	if err := c.api.Do(ctx, http.MethodGet, "/v1/mtce/hosts", nil, nil, &l); err != nil {
		return nil, err
	}
	if l.Hosts == nil {
		l.Hosts = []hostmgmt.HostState{}
	}
	return l.Hosts, nil
}
