package stx_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/internal/httpx"
	"github.com/edgeflock/flock/stx"
)

// testServer is a System's API served on loopback as stx-controller
// serves it (stx.NewServer).
type testServer struct{ URL string }

func serveLikeController(t testing.TB, h http.Handler) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv, err := stx.NewServer(h, nil)
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &testServer{URL: "http://" + ln.Addr().String()}
}

func openSystem(t *testing.T, cfg stx.Config) (*stx.System, *testServer) {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	sys, err := stx.Open(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = sys.Close(t.Context()) })
	return sys, serveLikeController(t, sys.Handler())
}

func do(t *testing.T, method, url, token, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestTokenFile(t *testing.T) {
	dir := t.TempDir()
	sys, _ := openSystem(t, stx.Config{DataDir: dir})
	fi, err := os.Stat(filepath.Join(dir, "admin.token"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	assert.Len(t, sys.AdminToken, 64)
	again, err := stx.EnsureTokenFile(filepath.Join(dir, "admin.token"))
	require.NoError(t, err)
	assert.Equal(t, sys.AdminToken, again, "the token survives restarts")
}

func TestAuthRoles(t *testing.T) {
	sys, srv := openSystem(t, stx.Config{Auth: stx.AuthConfig{Tokens: []stx.Token{{Token: "r3ader-r3ader-r3ader-r3ader-r3ader", Role: stx.RoleReader}}}})
	code, body, hdr := do(t, "GET", srv.URL+"/v1/alarms", "", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Contains(t, body, `"code":"unauthenticated"`)
	assert.Contains(t, hdr.Get("WWW-Authenticate"), "Bearer")
	code, _, _ = do(t, "GET", srv.URL+"/v1/alarms", "wrong", "")
	assert.Equal(t, http.StatusUnauthorized, code)

	raise, _ := json.Marshal(faulthttp.RequestOf(faulttest.CPUAlarm("controller-0", fault.SeverityMajor)))
	code, body, _ = do(t, "POST", srv.URL+"/v1/alarms", "r3ader-r3ader-r3ader-r3ader-r3ader", string(raise))
	assert.Equal(t, http.StatusForbidden, code, body)
	code, _, _ = do(t, "GET", srv.URL+"/v1/alarms", "r3ader-r3ader-r3ader-r3ader-r3ader", "")
	assert.Equal(t, http.StatusOK, code, "a reader may read")
	code, body, _ = do(t, "POST", srv.URL+"/v1/alarms", sys.AdminToken, string(raise))
	assert.Equal(t, http.StatusCreated, code, body)

	// Open endpoints.
	code, body, _ = do(t, "GET", srv.URL+"/healthz", "", "")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ok\n", body)
	code, body, _ = do(t, "GET", srv.URL+"/metrics", "", "")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "flock_fault_alarm_sets_total 1")
	assert.Contains(t, body, "flock_fault_active_alarms 1")
	assert.Contains(t, body, "flock_fault_commit_seconds_count 1", "the one accepted POST")
	code, _, _ = do(t, "GET", srv.URL+"/v1/openapi.json", "", "")
	assert.Equal(t, http.StatusOK, code)
	// Any other path is behind auth, and unknown to the API.
	code, _, _ = do(t, "GET", srv.URL+"/nowhere", "", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _, _ = do(t, "GET", srv.URL+"/healthz/", "", "")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _, _ = do(t, "GET", srv.URL+"/nowhere", "r3ader-r3ader-r3ader-r3ader-r3ader", "")
	assert.Equal(t, http.StatusNotFound, code)

	// The client's errors match the in-process ones.
	_, err := faulthttp.NewClient(srv.URL, &faulthttp.ClientOptions{Token: "r3ader-r3ader-r3ader-r3ader-r3ader"}).SetAlarm(t.Context(),
		faulttest.CPUAlarm("x", fault.SeverityMajor))
	assert.ErrorIs(t, err, httpx.ErrForbidden)
}

func TestBadInputChangesNothing(t *testing.T) {
	sys, srv := openSystem(t, stx.Config{})
	tok := sys.AdminToken
	huge := `{"alarm_id":"100.101","reason_text":"` + strings.Repeat("x", 100<<10) + `"}`
	code, body, _ := do(t, "POST", srv.URL+"/v1/alarms", tok, huge)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code, body)
	for _, tc := range []struct{ body, field string }{
		{`{"alarm_id":"100.101","alarm_state":"set","entity_type_id":"host","entity_instance_id":"host=a","severity":"fatal","alarm_type":"other","probable_cause":"unknown"}`, "severity"},
		{`{"alarm_id":"100.101","alarm_state":"set","entity_type_id":"host","entity_instance_id":"host=a","severity":"major","alarm_type":"other","probable_cause":"unknown","colour":"red"}`, "colour"},
		{`{"alarm_id":100}`, "alarm_id"},
		{`{"alarm_id":"100.101","alarm_state":"set","entity_type_id":"host","entity_instance_id":"host","severity":"major","alarm_type":"other","probable_cause":"unknown"}`, "entity_instance_id"},
		{`not json`, "body"},
	} {
		code, body, _ := do(t, "POST", srv.URL+"/v1/alarms", tok, tc.body)
		assert.Equal(t, http.StatusBadRequest, code, body)
		var b httpx.Body
		require.NoError(t, json.Unmarshal([]byte(body), &b), body)
		assert.Equal(t, "invalid", b.Error.Code)
		assert.Equal(t, tc.field, b.Error.Field, body)
	}
	code, body, _ = do(t, "GET", srv.URL+"/v1/alarms?limit=-1", tok, "")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body, `"field":"limit"`)
	code, _, _ = do(t, "PATCH", srv.URL+"/v1/event_suppression/100.101", tok, `[{"op":"remove","path":"/suppression_status"}]`)
	assert.Equal(t, http.StatusBadRequest, code)
	es, err := sys.Fault.ListEvents(t.Context(), fault.EventQuery{IncludeSuppressed: true})
	require.NoError(t, err)
	assert.Empty(t, es, "nothing was written")
	sps, err := sys.Fault.ListSuppressions(t.Context())
	require.NoError(t, err)
	for _, s := range sps {
		assert.Equal(t, fault.Unsuppressed, s.SuppressionStatus)
	}
}

func TestConfigErrors(t *testing.T) {
	_, err := stx.Open(t.Context(), stx.Config{DataDir: t.TempDir(), Fault: stx.FaultConfig{CommitTimeout: -1}})
	assert.ErrorContains(t, err, "commit_timeout")
	dir := filepath.Join(t.TempDir(), "data")
	_, err = stx.Open(t.Context(), stx.Config{DataDir: dir, Auth: stx.AuthConfig{Tokens: []stx.Token{{Token: "x", Role: "god"}}}})
	assert.ErrorContains(t, err, "auth.tokens[0]")
	_, err = stx.Open(t.Context(), stx.Config{DataDir: dir, Fault: stx.FaultConfig{Notifiers: stx.NotifierConfig{
		Webhooks: []stx.WebhookReceiver{{URL: "ftp://x"}}}}})
	assert.ErrorContains(t, err, "webhooks[0]")
	_, statErr := os.Stat(dir)
	assert.True(t, os.IsNotExist(statErr), "a bad config creates nothing (no data dir, no token file)")
	_, err = stx.Open(t.Context(), stx.Config{DataDir: t.TempDir(), Database: "mysql://x"})
	assert.Error(t, err)
}
