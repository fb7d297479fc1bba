package hahttp

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/edgeflock/flock/ha"
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
	// (default 30 s). A swact's answer comes when the swact is complete:
	// give Swact a context with a deadline long enough for it (mtce
	// waits up to 120 s).
	Timeout time.Duration
}

// Client is an ha.API over the REST API NewHandler serves (sm-api's
// paths: /v1/services, /v1/nodes, /v1/sm_sda, /v1/servicenode). Its
// errors wrap ha's sentinels, so errors.Is(err, ha.ErrNotFound) and
// errors.AsType[*ha.RuleError] hold as in-process. A server that cannot
// be reached is ha.ErrUnavailable.
type Client struct {
	api *httpx.Caller
}

var _ ha.API = (*Client)(nil)

// NewClient returns a client of the API at baseURL
// ("http://127.0.0.1:7777").
func NewClient(baseURL string, opts *ClientOptions) *Client {
	if opts == nil {
		opts = &ClientOptions{}
	}
	return &Client{api: httpx.NewCaller("hahttp", baseURL, opts.Token, opts.HTTPClient, opts.Timeout, errTable, ha.ErrUnavailable)}
}

// ListServices is GET /v1/services.
func (c *Client) ListServices(ctx context.Context) ([]ha.ServiceInfo, error) {
	var out servicesAnswer
	if err := c.api.Do(ctx, http.MethodGet, "/v1/services", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Services, nil
}

// GetService is GET /v1/services/{name or id}.
func (c *Client) GetService(ctx context.Context, nameOrID string) (ha.ServiceInfo, error) {
	var out ha.ServiceInfo
	err := c.api.Do(ctx, http.MethodGet, "/v1/services/"+url.PathEscape(nameOrID), nil, nil, &out)
	return out, err
}

// ListServiceNodes is GET /v1/nodes.
func (c *Client) ListServiceNodes(ctx context.Context) ([]ha.ServiceNode, error) {
	var out nodesAnswer
	if err := c.api.Do(ctx, http.MethodGet, "/v1/nodes", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Nodes, nil
}

// GetServiceNode is GET /v1/nodes/{name or id}.
func (c *Client) GetServiceNode(ctx context.Context, nameOrID string) (ha.ServiceNode, error) {
	var out ha.ServiceNode
	err := c.api.Do(ctx, http.MethodGet, "/v1/nodes/"+url.PathEscape(nameOrID), nil, nil, &out)
	return out, err
}

// ListServiceGroups is GET /v1/sm_sda.
func (c *Client) ListServiceGroups(ctx context.Context) ([]ha.Assignment, error) {
	var out sdaAnswer
	if err := c.api.Do(ctx, http.MethodGet, "/v1/sm_sda", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.SDA, nil
}

// GetServiceGroup is GET /v1/sm_sda/{uuid or id}.
func (c *Client) GetServiceGroup(ctx context.Context, uuidOrID string) (ha.Assignment, error) {
	var out ha.Assignment
	err := c.api.Do(ctx, http.MethodGet, "/v1/sm_sda/"+url.PathEscape(uuidOrID), nil, nil, &out)
	return out, err
}

// Swact is PATCH /v1/servicenode/{req.Node} with action swact,
// swact-force or swact-pre-check. A pre-check refused by a server that
// names no rule (StarlingX's sm-api) is RuleSwactNoPeer for its code
// -1002, else RuleSwactFailed.
func (c *Client) Swact(ctx context.Context, req ha.SwactRequest) error {
	cmd := NodeCommand{Origin: "flock", Action: ActionSwact, Admin: "unknown", Oper: "unknown"}
	switch {
	case req.CheckOnly && !req.Force:
		cmd.Action = ActionSwactPreCheck
	case req.CheckOnly:
		// A forced swact skips the pre-checks: only the node must exist.
		_, err := c.GetServiceNode(ctx, req.Node)
		return err
	case req.Force:
		cmd.Action = ActionSwactForce
	}
	var out CommandResult
	if err := c.api.Do(ctx, http.MethodPatch, "/v1/servicenode/"+url.PathEscape(req.Node), nil, cmd, &out); err != nil {
		return err
	}
	if out.ErrorCode == "" || out.ErrorCode == CodeSuccess {
		return nil
	}
	rule := out.Rule
	if rule == "" {
		rule = ha.RuleSwactFailed
		if out.ErrorCode == CodeNoHostToSwactTo {
			rule = ha.RuleSwactNoPeer
		}
	}
	return &ha.RuleError{Rule: rule, Reason: out.ErrorDetails}
}
