package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorytest"
	"github.com/edgeflock/flock/stx"
)

// TestInventoryCLI drives the inventory verbs through the real stack: the
// CLI's HTTP client, the controller's handler and its SQL inventory.
func TestInventoryCLI(t *testing.T) {
	ctx := t.Context()
	sys, err := stx.Open(ctx, stx.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	defer sys.Close(ctx)
	srv := httptest.NewServer(sys.Handler())
	defer srv.Close()
	c := cli{t: t, url: srv.URL, token: sys.AdminToken}

	mac := inventorytest.MAC("worker-0")
	out := c.must("host-add", "-n", "worker-0", "-p", "worker", "-m", mac, "-I", "10.0.0.10", "-T", "redfish", "-U", "root", "-P", "s3cret-bmc")
	assert.Contains(t, out, "worker-0")
	assert.NotContains(t, out, "s3cret-bmc")
	// The host's agent reports its hardware.
	agent := inventoryhttp.NewClient(srv.URL, &inventoryhttp.ClientOptions{Token: sys.AdminToken})
	_, err = agent.ReportInventory(ctx, inventorytest.ReportFor(mac, inventorytest.WithCores(4), inventorytest.WithDisks(2), inventorytest.WithPorts(2)))
	require.NoError(t, err)

	list := c.must("host-list")
	assert.Contains(t, list, "worker-0")
	assert.Contains(t, list, "locked")
	show := c.must("host-show", "worker-0")
	assert.Contains(t, show, mac)
	assert.Contains(t, show, "unprovisioned")
	assert.NotContains(t, show, "s3cret-bmc")

	var cpus []inventory.CPU
	require.NoError(t, json.Unmarshal([]byte(c.must("host-cpu-list", "worker-0", "--format", "json")), &cpus))
	require.NotEmpty(t, cpus)
	c.must("host-cpu-modify", "worker-0", "-f", "platform", "-p0", "2")
	cpus, err = sys.Inventory.ListCPUs(ctx, "worker-0")
	require.NoError(t, err)
	platform := map[int]bool{}
	for _, p := range cpus {
		if p.AllocatedFunction == inventory.CPUPlatform && p.NumaNode == 0 {
			platform[p.Core] = true
		}
	}
	assert.Len(t, platform, 2, "two physical cores of processor 0 are the platform's")
	c.must("host-cpu-modify", "worker-0", "-f", "shared", "-c", "3")
	cpus, err = sys.Inventory.ListCPUs(ctx, "worker-0")
	require.NoError(t, err)
	for _, p := range cpus {
		assert.Equal(t, p.CPU == 3, p.AllocatedFunction == inventory.CPUShared, "cpu %d is %s", p.CPU, p.AllocatedFunction)
	}

	assert.Contains(t, c.must("host-disk-list", "worker-0"), "/dev/")
	assert.Contains(t, c.must("host-port-list", "worker-0"), inventorytest.PortName(0))
	c.must("host-label-assign", "worker-0", "sriov=enabled")
	assert.Contains(t, c.must("host-label-list", "worker-0"), "sriov")

	c.must("addrpool-add", "mgmt-pool", "192.168.204.0", "24")
	c.must("network-add", "mgmt", "mgmt", "false", "mgmt-pool")
	assert.Contains(t, c.must("network-list"), "mgmt")

	// Bulk export and re-import through the same verbs.
	file := filepath.Join(t.TempDir(), "hosts.xml")
	c.must("host-bulk-export", "--filename", file)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Contains(t, string(data), "<hostname>worker-0</hostname>")

	// The host's agent token, written private, works for its host only.
	tokFile := filepath.Join(t.TempDir(), "agent.token")
	assert.Contains(t, c.must("host-agent-token", "worker-0", "--file", tokFile), tokFile)
	fi, err := os.Stat(tokFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	tok, err := os.ReadFile(tokFile)
	require.NoError(t, err)
	asAgent := inventoryhttp.NewClient(srv.URL, &inventoryhttp.ClientOptions{Token: strings.TrimSpace(string(tok))})
	_, err = asAgent.HostConfig(ctx, "worker-0")
	require.NoError(t, err)
	_, err = asAgent.ListHosts(ctx)
	assert.Error(t, err, "an agent token reads nothing but its own host's agent endpoints")
	_, err = c.run("host-agent-token", "worker-9")
	assert.ErrorContains(t, err, "worker-9")

	// host-add can issue the new host's agent token with it.
	w1File := filepath.Join(t.TempDir(), "worker-1.token")
	c.must("host-add", "-n", "worker-1", "-p", "worker", "-m", inventorytest.MAC("worker-1"), "--agent-token-file", w1File)
	w1Tok, err := os.ReadFile(w1File)
	require.NoError(t, err)
	w1 := inventoryhttp.NewClient(srv.URL, &inventoryhttp.ClientOptions{Token: strings.TrimSpace(string(w1Tok))})
	_, err = w1.ReportInventory(ctx, inventorytest.ReportFor(inventorytest.MAC("worker-1")))
	require.NoError(t, err, "worker-1's agent reports for worker-1")
	_, err = w1.ReportInventory(ctx, inventorytest.ReportFor(mac))
	assert.Error(t, err, "and not for worker-0")

	// Rules reach the operator as errors naming the rule.
	_, err = sys.Inventory.SetHostStatus(ctx, "worker-0", inventory.HostStatus{Administrative: ptr(inventory.AdminUnlocked)})
	require.NoError(t, err)
	_, err = c.run("host-cpu-modify", "worker-0", "-f", "platform", "-p0", "1")
	assert.ErrorIs(t, err, inventory.ErrInvalidTransition)
	_, err = c.run("host-delete", "worker-0")
	assert.ErrorIs(t, err, inventory.ErrInvalidTransition, "an unlocked host cannot be deleted")
	_, err = c.run("host-show", "worker-9")
	assert.ErrorIs(t, err, inventory.ErrNotFound)
}

func ptr[T any](v T) *T { return &v }
