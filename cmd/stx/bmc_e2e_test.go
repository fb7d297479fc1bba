package main

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory/inventorytest"
	"github.com/edgeflock/flock/stx"
)

// runningSystem is a controller in this process, running (host
// maintenance included), behind a test HTTP server.
func runningSystem(t *testing.T, cfg stx.Config) (*stx.System, cli) {
	t.Helper()
	cfg.DataDir = t.TempDir()
	sys, err := stx.Open(t.Context(), cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = sys.Run(ctx) }()
	srv := httptest.NewServer(sys.Handler())
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
		_ = sys.Close(context.Background())
	})
	return sys, cli{t: t, url: srv.URL, token: sys.AdminToken}
}

// TestBMCOverIPMI: a host whose BMC is a real ipmi_sim, provisioned with
// the CLI, is powered off, on and reinstalled (PXE once, then reset)
// through it, and host-sensor-list and alarm-list show what the BMC
// audit read.
func TestBMCOverIPMI(t *testing.T) {
	bmc := testenv.StartBMC(t)
	_, c := runningSystem(t, stx.Config{HostMgmt: stx.HostMgmtConfig{BMCAuditInterval: 300 * time.Millisecond}})
	c.must("host-add", "-n", "worker-0", "-p", "worker", "-m", inventorytest.MAC("worker-0"))
	c.must("host-update", "worker-0", "bm_type=ipmi", "bm_ip=ipmi://"+bmc.Host+":"+strconv.Itoa(bmc.Port),
		"bm_username="+bmc.User, "bm_password="+bmc.Password)

	waitFor := func(what string, cond func() bool) {
		t.Helper()
		require.Eventually(t, cond, 30*time.Second, 50*time.Millisecond, what)
	}
	// The audit reads the sensors; the one past its caution limit
	// raises 200.007 major.
	waitFor("sensors listed", func() bool {
		out, err := c.run("host-sensor-list", "worker-0")
		return err == nil && strings.Contains(out, bmc.SensorName)
	})
	sensors := c.must("host-sensor-list", "worker-0")
	for _, s := range bmc.Sensors {
		assert.Contains(t, sensors, s.Name)
	}
	waitFor("200.007 raised", func() bool {
		out, err := c.run("alarm-list")
		return err == nil && strings.Contains(out, "200.007")
	})
	assert.Contains(t, c.must("alarm-list"), "host=worker-0.sensor=")

	c.must("host-power-off", "worker-0")
	waitFor("chassis off", func() bool { return bmc.Power() == "0" })
	waitFor("host powered off", func() bool {
		return strings.Contains(c.must("host-show", "worker-0"), "power-off")
	})
	c.must("host-power-on", "worker-0")
	waitFor("chassis on", func() bool { return bmc.Power() == "1" })

	resets := bmc.Resets()
	c.must("host-reinstall", "worker-0")
	waitFor("PXE next, then a reset", func() bool { return bmc.Resets() > resets })
	assert.Equal(t, "pxe", bmc.NextBoot(), "the reinstall boots from the network")
}
