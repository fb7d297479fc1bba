//go:build libvirt

package main

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/testenv"
)

// TestLibvirtBackend: a Redfish reset of a system backed by a libvirt
// domain (the test driver's built-in "test" domain) powers the domain.
func TestLibvirtBackend(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "stx-bmcsim-libvirt")
	out, err := exec.Command("go", "build", "-tags", "libvirt", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	addr := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
	p, err := testenv.Start(t, "stx-bmcsim-libvirt", nil, bin, "--listen", addr, "--password", "pw",
		"--system", "vm=libvirt:///test?uri=test:///default")
	require.NoError(t, err)
	base := "http://" + addr + "/redfish/v1/Systems/vm"
	require.NoError(t, testenv.WaitFor(p, 30*time.Second, func() error {
		resp, err := http.Get("http://" + addr + "/redfish/v1/")
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}))
	do := func(method, url, body string) (int, map[string]any) {
		req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
		require.NoError(t, err)
		req.SetBasicAuth("admin", "pw")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	power := func() any {
		code, sys := do("GET", base, "")
		require.Equal(t, 200, code, "%v", sys)
		return sys["PowerState"]
	}
	assert.Equal(t, "On", power(), "the test driver's domain runs")
	code, body := do("POST", base+"/Actions/ComputerSystem.Reset", `{"ResetType":"ForceOff"}`)
	require.Less(t, code, 300, "%v", body)
	assert.Equal(t, "Off", power(), "the domain was destroyed")
	code, body = do("POST", base+"/Actions/ComputerSystem.Reset", `{"ResetType":"On"}`)
	require.Less(t, code, 300, "%v", body)
	assert.Equal(t, "On", power(), "and started again")
}
