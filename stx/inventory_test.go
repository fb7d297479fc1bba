package stx_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorytest"
	"github.com/edgeflock/flock/stx"
)

// TestInventoryWired: the controller serves sysinv's API beside fm's, in
// one database, behind the same tokens, with one OpenAPI document; an
// out-of-date host raises 250.001 in the controller's fault service.
func TestInventoryWired(t *testing.T) {
	ctx := t.Context()
	sys, err := stx.Open(ctx, stx.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	defer sys.Close(ctx)
	srv := httptest.NewServer(sys.Handler())
	defer srv.Close()

	anon := inventoryhttp.NewClient(srv.URL, nil)
	_, err = anon.ListHosts(ctx)
	require.Error(t, err, "the inventory API needs a token")

	c := inventoryhttp.NewClient(srv.URL, &inventoryhttp.ClientOptions{Token: sys.AdminToken})
	h := inventorytest.NewLockedHost(t, c, "worker-0", inventory.PersonalityWorker)
	hs, err := sys.Inventory.ListHosts(ctx)
	require.NoError(t, err)
	require.Len(t, hs, 1)
	assert.Equal(t, h.UUID, hs[0].UUID)

	// The host's agent applies its configuration, then an operator
	// changes it: the host is out of date, and fault management says so.
	cfg, err := c.HostConfig(ctx, h.UUID)
	require.NoError(t, err)
	_, err = c.ReportConfigApplied(ctx, h.UUID, cfg.UUID)
	require.NoError(t, err)
	_, err = c.AssignLabels(ctx, h.UUID, map[string]string{"sriov": "enabled"}, false)
	require.NoError(t, err)
	got, err := c.GetHost(ctx, h.UUID)
	require.NoError(t, err)
	require.Equal(t, inventory.ConfigOutOfDate, got.ConfigStatus)
	as, err := sys.Fault.ListAlarms(ctx, fault.AlarmQuery{AlarmID: "250.001"})
	require.NoError(t, err)
	require.Len(t, as, 1)
	assert.Equal(t, "host=worker-0", as[0].EntityInstanceID)

	cfg, err = c.HostConfig(ctx, h.UUID)
	require.NoError(t, err)
	_, err = c.ReportConfigApplied(ctx, h.UUID, cfg.UUID)
	require.NoError(t, err)
	as, err = sys.Fault.ListAlarms(ctx, fault.AlarmQuery{AlarmID: "250.001"})
	require.NoError(t, err)
	assert.Empty(t, as, "cleared once the host applied its target")

	resp, err := http.Get(srv.URL + "/v1/openapi.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var doc struct {
		Paths map[string]any `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	assert.Contains(t, doc.Paths, "/v1/alarms")
	assert.Contains(t, doc.Paths, "/v1/ihosts")
	assert.Contains(t, doc.Paths, "/v1/ihosts/{id}/agent_token")
	merged, err := openapi3.NewLoader().LoadFromData(data)
	require.NoError(t, err)
	require.NoError(t, merged.Validate(t.Context()), "the merged document is valid OpenAPI 3")
}
