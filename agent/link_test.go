package agent_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/heartbeat"
	"github.com/edgeflock/flock/inventory"
)

const (
	linkToken = "agent-token-0123456789abcdef0123456789abcdef"
	// linkKey is base64 of "0123456789abcdef0123456789abcdef".
	linkKey  = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	goodLink = `{"host_uuid":"` + hostUUID + `","key":"` + linkKey + `","heartbeat_period_ms":100,` +
		`"controller":{"mgmt":"192.168.204.2:2106","cluster-host":"192.168.206.2:2116"}}`
)

// linkServer serves GET /v1/ihosts/{uuid}/mtce_link: 404 for the first
// notIssued calls, then status and body.
type linkServer struct {
	mu        sync.Mutex
	notIssued int
	status    int
	body      string
	paths     []string
	auths     []string
	url       string
}

func (s *linkServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paths = append(s.paths, r.Method+" "+r.URL.Path)
	s.auths = append(s.auths, r.Header.Get("Authorization"))
	if r.Header.Get("Authorization") != "Bearer "+linkToken {
		http.Error(w, `{"error_message":"no"}`, http.StatusUnauthorized)
		return
	}
	if s.notIssued > 0 {
		s.notIssued--
		http.Error(w, `{"error_message":"not found"}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(s.status)
	_, _ = w.Write([]byte(s.body))
}

func newLinkServer(t *testing.T, status int, body string) (*linkServer, *agent.LinkClient) {
	t.Helper()
	ls := &linkServer{status: status, body: body}
	srv := httptest.NewServer(ls)
	t.Cleanup(srv.Close)
	ls.url = srv.URL
	return ls, agent.NewLinkClient(srv.URL+"/", &agent.LinkClientOptions{Token: linkToken})
}

// TestLinkClient: the link, with the agent's token; 404 is
// ErrLinkNotIssued, a refused token ErrLinkRefused, another host's link
// an error.
func TestLinkClient(t *testing.T) {
	ls, c := newLinkServer(t, http.StatusOK, goodLink)
	lc, err := c.MtceLink(t.Context(), hostUUID)
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.LinkConfig{HostUUID: hostUUID, Key: []byte("0123456789abcdef0123456789abcdef"), PeriodMS: 100,
		Controller: map[hostmgmt.Network]string{hostmgmt.NetworkMgmt: "192.168.204.2:2106", hostmgmt.NetworkClusterHost: "192.168.206.2:2116"}}, lc)
	assert.Equal(t, []string{"GET /v1/ihosts/" + hostUUID + "/mtce_link"}, ls.paths)
	assert.Equal(t, []string{"Bearer " + linkToken}, ls.auths)

	ls.notIssued = 1
	_, err = c.MtceLink(t.Context(), hostUUID)
	assert.ErrorIs(t, err, agent.ErrLinkNotIssued)
	_, err = c.MtceLink(t.Context(), hostUUID)
	assert.NoError(t, err, "issued now")

	_, err = c.MtceLink(t.Context(), "6f1c2c8e-0000-4000-8000-000000000099")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "host_uuid", "another host's link")

	_, err = agent.NewLinkClient(ls.url, &agent.LinkClientOptions{Token: "wrong"}).MtceLink(t.Context(), hostUUID)
	assert.ErrorIs(t, err, agent.ErrLinkRefused)

	_, err = c.MtceLink(t.Context(), "..")
	assert.Error(t, err, "no path games")

	ls.status, ls.body = http.StatusInternalServerError, "database down\n"
	_, err = c.MtceLink(t.Context(), hostUUID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "500")
	assert.Contains(t, err.Error(), "database down")

	ls.status, ls.body = http.StatusOK, goodLink+strings.Repeat(" ", agent.MaxLinkBody)
	_, err = c.MtceLink(t.Context(), hostUUID)
	assert.ErrorContains(t, err, "larger than", "a bounded answer")
}

// TestLinkDecodeNamesField: an answer that does not decode is an error
// naming the member at fault.
func TestLinkDecodeNamesField(t *testing.T) {
	for _, tc := range []struct {
		name, body, field string
	}{
		{"not json", `{"host_uuid":`, "not JSON"},
		{"array", `[]`, "object"},
		{"unknown member", strings.Replace(goodLink, `"key"`, `"bogus":1,"key"`, 1), `"bogus"`},
		{"period type", strings.Replace(goodLink, `"heartbeat_period_ms":100`, `"heartbeat_period_ms":"100"`, 1), "heartbeat_period_ms"},
		{"period range", strings.Replace(goodLink, `"heartbeat_period_ms":100`, `"heartbeat_period_ms":5`, 1), "heartbeat_period_ms"},
		{"no period", strings.Replace(goodLink, `"heartbeat_period_ms":100,`, ``, 1), "heartbeat_period_ms"},
		{"key not base64", strings.Replace(goodLink, linkKey, "not base64!", 1), "key"},
		{"key short", strings.Replace(goodLink, linkKey, "c2hvcnQ=", 1), "key"},
		{"no key", strings.Replace(goodLink, `"key":"`+linkKey+`",`, ``, 1), "key"},
		{"no host", strings.Replace(goodLink, `"host_uuid":"`+hostUUID+`",`, ``, 1), "host_uuid"},
		{"controller address", strings.Replace(goodLink, "192.168.204.2:2106", "controller:2106", 1), "controller.mgmt"},
		{"controller port", strings.Replace(goodLink, "192.168.206.2:2116", "192.168.206.2:0", 1), "controller.cluster-host"},
		{"controller network", strings.Replace(goodLink, `"cluster-host"`, `"storage"`, 1), `"storage"`},
		{"controller type", strings.Replace(goodLink, `"192.168.204.2:2106"`, `2106`, 1), "controller.mgmt"},
		{"no mgmt", strings.Replace(goodLink, `"mgmt":"192.168.204.2:2106",`, ``, 1), "controller.mgmt"},
		{"trailing", goodLink + `{}`, "trailing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := newLinkServer(t, http.StatusOK, tc.body)
			_, err := c.MtceLink(t.Context(), hostUUID)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.field)
			assert.NotContains(t, err.Error(), "Go value", "no Go types")
			assert.NotContains(t, err.Error(), "linkWire")
		})
	}
}

// TestRunFetchesLinkOverHTTP: Run against a controller that has not
// issued the link yet fetches it again until it has, and starts the
// link with it.
func TestRunFetchesLinkOverHTTP(t *testing.T) {
	ls, c := newLinkServer(t, http.StatusOK, goodLink)
	ls.notIssued = 2
	r := newRig(t)
	r.opts.MinBackoff, r.opts.MaxBackoff = 10*time.Millisecond, 20*time.Millisecond
	r.ctrl.SetConfig(inventory.HostConfig{UUID: config1})
	m := newMaint(t, r, c, nil)
	started := make(chan heartbeat.ClientConfig, 1)
	agent.SetLinkRunner(m, func(cfg heartbeat.ClientConfig, _ heartbeat.Handler) func(context.Context) error {
		started <- cfg
		return func(ctx context.Context) error { <-ctx.Done(); return nil }
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	adone := make(chan error, 1)
	go func() { adone <- r.a.Run(ctx) }()
	require.Eventually(t, r.a.Configured, 10*time.Second, time.Millisecond)
	mdone := make(chan error, 1)
	go func() { mdone <- m.Run(ctx) }()
	select {
	case cfg := <-started:
		assert.Equal(t, hostUUID, cfg.Link.HostUUID)
		assert.Equal(t, "192.168.206.2:2116", cfg.Link.Controller[hostmgmt.NetworkClusterHost])
	case <-time.After(10 * time.Second):
		t.Fatal("no link started")
	}
	cancel()
	require.NoError(t, <-mdone)
	require.NoError(t, <-adone)
	ls.mu.Lock()
	defer ls.mu.Unlock()
	assert.Len(t, ls.paths, 3, "two 404s, then the link")
}
