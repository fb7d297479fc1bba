package stx

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/edgeflock/flock/internal/httpx"
	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/inventory"
)

// RoleAgent is the role of a host's agent token (IssueAgentToken): it
// may call only the agent's endpoints, and only for its own host:
//
//	POST /v1/ihosts/inventory_report     whose mgmt_mac is its host's
//	GET  /v1/ihosts/{id}/config          {id} naming its host
//	PUT  /v1/ihosts/{id}/config_applied  {id} naming its host
//	GET  /v1/ihosts/{id}/mtce_link       {id} naming its host
//
// Anything else is 403. It is not a role of Config's tokens.
const RoleAgent Role = "agent"

//go:embed migrations/agent/*.sql
var agentMigrations embed.FS

// agentReportMaxBody is the largest report the gate reads: inventory's
// handler takes no more.
const agentReportMaxBody = 4 << 20

// AgentToken is a token issued to one host's agent. Token is shown once:
// the controller keeps only its hash.
type AgentToken struct {
	HostUUID string `json:"host_uuid"`
	Hostname string `json:"hostname"`
	Token    string `json:"token"`
}

// agentTokens keeps the hashes of the agents' tokens in the controller's
// database (migration namespace "agent").
type agentTokens struct {
	db  *sqlstore.DB
	inv inventory.HostReader
	log *slog.Logger
}

func openAgentTokens(ctx context.Context, db *sqlstore.DB, inv inventory.HostReader, log *slog.Logger) (*agentTokens, error) {
	sub, err := fs.Sub(agentMigrations, "migrations/agent")
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, "agent", sub); err != nil {
		return nil, err
	}
	return &agentTokens{db: db, inv: inv, log: log}, nil
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// issue makes a new token for host, replacing its previous one.
func (a *agentTokens) issue(ctx context.Context, host string) (AgentToken, error) {
	h, err := a.inv.GetHost(ctx, host)
	if err != nil {
		return AgentToken{}, err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return AgentToken{}, err
	}
	tok := hex.EncodeToString(b[:])
	now := time.Now().UTC().Format(time.RFC3339Nano)
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return AgentToken{}, fmt.Errorf("stx: agent token: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, a.db.Rebind(`DELETE FROM stx_agent_tokens WHERE host_uuid = ?`), h.UUID); err != nil {
		return AgentToken{}, fmt.Errorf("stx: agent token: %w", err)
	}
	if _, err := tx.ExecContext(ctx, a.db.Rebind(`INSERT INTO stx_agent_tokens (host_uuid, token_hash, created_at) VALUES (?, ?, ?)`),
		h.UUID, hashToken(tok), now); err != nil {
		return AgentToken{}, fmt.Errorf("stx: agent token: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return AgentToken{}, fmt.Errorf("stx: agent token: %w", err)
	}
	a.log.Info("agent token issued", "host", h.Hostname, "host_uuid", h.UUID)
	return AgentToken{HostUUID: h.UUID, Hostname: h.Hostname, Token: tok}, nil
}

// lookup is httpx.Auth's Lookup: a known token is its host's agent.
func (a *agentTokens) lookup(ctx context.Context, tok string) (httpx.Principal, bool, error) {
	var host string
	err := a.db.QueryRowContext(ctx, a.db.Rebind(`SELECT host_uuid FROM stx_agent_tokens WHERE token_hash = ?`), hashToken(tok)).Scan(&host)
	if errors.Is(err, sql.ErrNoRows) {
		return httpx.Principal{}, false, nil
	}
	if err != nil {
		return httpx.Principal{}, false, err
	}
	return httpx.Principal{Role: httpx.Role(RoleAgent), Subject: host}, true, nil
}

// authorize is httpx.Auth's Authorize: an agent may call its endpoints
// for its own host only (configuration, maintenance link, software
// assignment and status), and fetch release files.
func (a *agentTokens) authorize(r *http.Request, p httpx.Principal) (*http.Request, error) {
	forbid := func(format string, args ...any) error {
		return fmt.Errorf("%w: agent token: "+format, append([]any{httpx.ErrForbidden}, args...)...)
	}
	if p.Role != httpx.Role(RoleAgent) {
		return r, forbid("role %s may not call %s %s", p.Role, r.Method, r.URL.Path)
	}
	own, err := a.inv.GetHost(r.Context(), p.Subject)
	if errors.Is(err, inventory.ErrNotFound) {
		return r, fmt.Errorf("%w: the token's host no longer exists", httpx.ErrUnauthenticated)
	}
	if err != nil {
		return r, err
	}
	if r.Method == http.MethodPost && r.URL.Path == "/v1/ihosts/inventory_report" {
		return a.authorizeReport(r, own, forbid)
	}
	// Split the path as the mux does: by escaped segment, each then
	// unescaped, so {id} is what inventory's handler will see.
	segs := strings.Split(r.URL.EscapedPath(), "/")
	// Software management's host link: the host's own assignment and
	// status, and the release files (content-addressed, the same for
	// every host).
	if len(segs) == 4 && segs[0] == "" && segs[1] == "v1" && segs[2] == "content" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		return r, nil
	}
	if len(segs) == 5 && segs[0] == "" && segs[1] == "v1" && segs[2] == "deploy_host" &&
		(r.Method == http.MethodGet && segs[4] == "assignment" || r.Method == http.MethodPost && segs[4] == "status") {
		if name, err := url.PathUnescape(segs[3]); err != nil || name != own.Hostname {
			return r, forbid("host %q is not the token's host", segs[3])
		}
		return r, nil
	}
	if len(segs) != 5 || segs[0] != "" || segs[1] != "v1" || segs[2] != "ihosts" {
		return r, forbid("may not call %s %s", r.Method, r.URL.Path)
	}
	switch {
	case r.Method == http.MethodGet && segs[4] == "config":
	case r.Method == http.MethodPut && segs[4] == "config_applied":
	case r.Method == http.MethodGet && segs[4] == "mtce_link":
	default:
		return r, forbid("may not call %s %s", r.Method, r.URL.Path)
	}
	// {id} is a hostname, uuid or id: it must name the token's host.
	id, err := url.PathUnescape(segs[3])
	if err != nil {
		return r, forbid("may not call %s %s", r.Method, r.URL.Path)
	}
	h, err := a.inv.GetHost(r.Context(), id)
	if err != nil || h.UUID != own.UUID {
		// Not found or another's: the same answer, so an agent learns
		// nothing of other hosts.
		return r, forbid("host %q is not the token's host", id)
	}
	return r, nil
}

// authorizeReport lets a report through if it is the token's host's:
// its mgmt_mac is the host's, or, for a host added without a MAC, it
// names the host and a MAC no other host has (the report gives the host
// its MAC). The body is decoded as inventory's handler decodes it; one
// that does not decode goes on to be refused there with the field named.
func (a *agentTokens) authorizeReport(r *http.Request, own inventory.Host, forbid func(string, ...any) error) (*http.Request, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, agentReportMaxBody+1))
	if err != nil {
		return r, fmt.Errorf("%w: read body: %v", httpx.ErrBadRequest, err)
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	var rep inventory.Report
	if err := (&httpx.Errors{Invalid: inventory.ErrInvalid}).Unmarshal(data, &rep); err != nil || len(data) > agentReportMaxBody {
		return r, nil
	}
	mac, err := net.ParseMAC(rep.MgmtMAC)
	if err != nil {
		return r, nil // refused by inventory, the field named
	}
	if own.MgmtMAC != "" {
		if !strings.EqualFold(mac.String(), own.MgmtMAC) {
			return r, forbid("mgmt_mac %s is not the MAC of host %s", rep.MgmtMAC, own.Hostname)
		}
		return r, nil
	}
	if rep.Hostname != own.Hostname {
		return r, forbid("host %s has no mgmt_mac yet: its first report must name it (hostname %q)", own.UUID, own.Hostname)
	}
	hs, err := a.inv.ListHosts(r.Context())
	if err != nil {
		return r, err
	}
	for _, h := range hs {
		if strings.EqualFold(h.MgmtMAC, mac.String()) {
			return r, forbid("mgmt_mac %s is another host's", rep.MgmtMAC)
		}
	}
	return r, nil
}

// IssueAgentToken issues a new token for host's agent (hostname, uuid or
// id), replacing the host's previous one, which stops working. The
// controller keeps only its hash: the token is in the answer only.
func (s *System) IssueAgentToken(ctx context.Context, host string) (AgentToken, error) {
	return s.agents.issue(ctx, host)
}

// agentTokenHandler serves POST /v1/ihosts/{id}/agent_token (admin).
func (s *System) agentTokenHandler(e *httpx.Errors, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := httpx.PrincipalFrom(r.Context()); ok && p.Role != httpx.RoleAdmin {
			e.Write(w, r, log, fmt.Errorf("%w: only an admin may issue agent tokens", httpx.ErrForbidden))
			return
		}
		t, err := s.IssueAgentToken(r.Context(), r.PathValue("id"))
		if err != nil {
			e.Write(w, r, log, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		httpx.WriteJSON(w, http.StatusCreated, t)
	})
}

// agentTokenErrors answers POST /v1/ihosts/{id}/agent_token's errors as
// inventory's API does.
var agentTokenErrors = &httpx.Errors{
	Mappings: []httpx.Mapping{
		{Err: inventory.ErrNotFound, Code: "not_found", Status: http.StatusNotFound},
		{Err: inventory.ErrInvalid, Code: "invalid", Status: http.StatusBadRequest},
	},
	Invalid:           inventory.ErrInvalid,
	OpenStackEnvelope: true,
}
