package stx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/httpx"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorytest"
	"github.com/edgeflock/flock/stx"
)

// issueToken calls POST /v1/ihosts/{host}/agent_token with token.
func issueToken(t *testing.T, url, token, host string) (int, stx.AgentToken) {
	t.Helper()
	code, body, _ := do(t, http.MethodPost, url+"/v1/ihosts/"+host+"/agent_token", token, "")
	var at stx.AgentToken
	if code == http.StatusCreated {
		require.NoError(t, json.Unmarshal([]byte(body), &at))
	}
	return code, at
}

// TestAgentToken: an admin issues a host's agent token through the API;
// the token calls its host's agent endpoints only, a report or a path
// naming another host is 403, a new token retires the old one, and the
// controller keeps only its hash.
func TestAgentToken(t *testing.T) {
	ctx := t.Context()
	const reader = "reader-token-0123456789abcdef0123456789"
	dir := t.TempDir()
	sys, srv := openSystem(t, stx.Config{DataDir: dir, Auth: stx.AuthConfig{Tokens: []stx.Token{{Token: reader, Role: stx.RoleReader}}}})
	admin := inventoryhttp.NewClient(srv.URL, &inventoryhttp.ClientOptions{Token: sys.AdminToken})
	w0 := inventorytest.NewLockedHost(t, admin, "worker-0", inventory.PersonalityWorker)
	w1 := inventorytest.NewLockedHost(t, admin, "worker-1", inventory.PersonalityWorker)

	code, _ := issueToken(t, srv.URL, reader, "worker-0")
	assert.Equal(t, http.StatusForbidden, code, "a reader issues no token")
	code, _ = issueToken(t, srv.URL, sys.AdminToken, "nope")
	assert.Equal(t, http.StatusNotFound, code)
	code, tok := issueToken(t, srv.URL, sys.AdminToken, "worker-0")
	require.Equal(t, http.StatusCreated, code)
	assert.Equal(t, w0.UUID, tok.HostUUID)
	assert.Len(t, tok.Token, 64)

	agent := inventoryhttp.NewClient(srv.URL, &inventoryhttp.ClientOptions{Token: tok.Token})
	forbidden := func(err error, what string) {
		t.Helper()
		assert.ErrorIs(t, err, httpx.ErrForbidden, what)
	}

	// Its own host: report, config, config_applied, by uuid, hostname or id.
	h, err := agent.ReportInventory(ctx, inventorytest.ReportFor(inventorytest.MAC("worker-0")))
	require.NoError(t, err)
	assert.Equal(t, w0.UUID, h.UUID)
	for _, id := range []string{w0.UUID, "worker-0", strconv.FormatInt(w0.ID, 10)} {
		cfg, err := agent.HostConfig(ctx, id)
		require.NoError(t, err, id)
		_, err = agent.ReportConfigApplied(ctx, id, cfg.UUID)
		require.NoError(t, err, id)
	}
	// A report the controller cannot accept is refused with the field named.
	_, err = agent.ReportInventory(ctx, inventory.Report{MgmtMAC: "not-a-mac"})
	fe, ok := errors.AsType[*inventory.FieldError](err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, "mgmt_mac", fe.Field)

	// Another host, or no host: 403, and nothing changes.
	before, err := admin.ListHosts(ctx)
	require.NoError(t, err)
	_, err = agent.ReportInventory(ctx, inventorytest.ReportFor(inventorytest.MAC("worker-1")))
	forbidden(err, "a report for another host")
	_, err = agent.ReportInventory(ctx, inventorytest.ReportFor(inventorytest.MAC("worker-9")))
	forbidden(err, "a report that would create a host")
	_, err = agent.HostConfig(ctx, "worker-1")
	forbidden(err, "another host's config")
	_, err = agent.HostConfig(ctx, "nope")
	forbidden(err, "an unknown host's config")
	_, err = agent.ReportConfigApplied(ctx, w1.UUID, "8a9b8a9b-0000-0000-0000-000000000000")
	forbidden(err, "another host's config_applied")
	_, err = agent.GetHost(ctx, "worker-0")
	forbidden(err, "reading a host")
	_, err = agent.ListHosts(ctx)
	forbidden(err, "listing hosts")
	_, err = agent.UpdateHost(ctx, "worker-0", inventory.HostUpdate{Console: new("ttyS1")})
	forbidden(err, "updating its own host")
	forbidden(agent.DeleteHost(ctx, "worker-1"), "deleting a host")
	// Software management's host link: its own host only, and no admin
	// verb.
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/v1/deploy_host/worker-1/assignment", http.StatusForbidden},
		{"POST", "/v1/deploy_host/worker-1/status", http.StatusForbidden},
		{"GET", "/v1/release", http.StatusForbidden},
		{"POST", "/v1/deploy/activate", http.StatusForbidden},
		{"GET", "/v1/deploy_host/worker-0/assignment", http.StatusNotFound}, // allowed; software management is off here
		{"GET", "/v1/content/" + strings.Repeat("a", 64), http.StatusNotFound},
	} {
		req, err := http.NewRequestWithContext(ctx, c.method, srv.URL+c.path, strings.NewReader("{}"))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, c.want, resp.StatusCode, "%s %s", c.method, c.path)
	}
	code, _ = issueToken(t, srv.URL, tok.Token, "worker-0")
	assert.Equal(t, http.StatusForbidden, code, "an agent issues no token")
	after, err := admin.ListHosts(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(before), len(after))
	got, err := admin.GetHost(ctx, w1.UUID)
	require.NoError(t, err)
	assert.Equal(t, w1.ConfigApplied, got.ConfigApplied)

	// Only the hash is stored.
	for _, f := range []string{"flock.db", "flock.db-wal"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err == nil {
			assert.False(t, bytes.Contains(data, []byte(tok.Token)), "token in %s", f)
		}
	}

	// A new token retires the old one.
	_, tok2 := issueToken(t, srv.URL, sys.AdminToken, w0.UUID)
	_, err = agent.HostConfig(ctx, "worker-0")
	assert.ErrorIs(t, err, httpx.ErrUnauthenticated)
	agent2 := inventoryhttp.NewClient(srv.URL, &inventoryhttp.ClientOptions{Token: tok2.Token})
	_, err = agent2.HostConfig(ctx, "worker-0")
	require.NoError(t, err)
	// A deleted host's token works no more.
	require.NoError(t, admin.DeleteHost(ctx, "worker-0"))
	_, err = agent2.HostConfig(ctx, w0.UUID)
	assert.ErrorIs(t, err, httpx.ErrUnauthenticated)
}

// TestAgentTokenHostWithoutMAC: a host added without a MAC takes the one
// its agent's first report gives, if that report names the host and the
// MAC is no other host's.
func TestAgentTokenHostWithoutMAC(t *testing.T) {
	ctx := t.Context()
	sys, srv := openSystem(t, stx.Config{})
	admin := inventoryhttp.NewClient(srv.URL, &inventoryhttp.ClientOptions{Token: sys.AdminToken})
	inventorytest.NewLockedHost(t, admin, "worker-0", inventory.PersonalityWorker)
	h, err := admin.AddHost(ctx, inventory.HostSpec{Hostname: "worker-2", Personality: inventory.PersonalityWorker})
	require.NoError(t, err)
	tok, err := sys.IssueAgentToken(ctx, "worker-2")
	require.NoError(t, err)
	agent := inventoryhttp.NewClient(srv.URL, &inventoryhttp.ClientOptions{Token: tok.Token})

	mac := inventorytest.MAC("worker-2")
	_, err = agent.ReportInventory(ctx, inventorytest.ReportFor(mac))
	assert.ErrorIs(t, err, httpx.ErrForbidden, "no hostname")
	_, err = agent.ReportInventory(ctx, inventorytest.ReportFor(mac, inventorytest.WithHostname("worker-3")))
	assert.ErrorIs(t, err, httpx.ErrForbidden, "another hostname")
	_, err = agent.ReportInventory(ctx, inventorytest.ReportFor(inventorytest.MAC("worker-0"), inventorytest.WithHostname("worker-2")))
	assert.ErrorIs(t, err, httpx.ErrForbidden, "another host's MAC")
	got, err := agent.ReportInventory(ctx, inventorytest.ReportFor(mac, inventorytest.WithHostname("worker-2")))
	require.NoError(t, err)
	assert.Equal(t, h.UUID, got.UUID)
	assert.Equal(t, mac, got.MgmtMAC)
}
