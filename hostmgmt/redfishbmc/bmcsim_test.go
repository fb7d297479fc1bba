package redfishbmc_test

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stmcginnis/gofish"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/bmcsim"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
	"github.com/edgeflock/flock/hostmgmt/redfishbmc"
)

// simulator starts Flock's Redfish emulator with one in-memory host,
// over loopback HTTP (or HTTPS with its self-signed certificate).
func simulator(t *testing.T, tls bool) (*httptest.Server, *bmcsim.MemoryHost) {
	t.Helper()
	srv, err := bmcsim.New(&bmcsim.Options{Username: user, Password: pass})
	require.NoError(t, err)
	host := bmcsim.NewMemoryHost(nil)
	require.NoError(t, srv.AddSystem("host-1", host))
	hs := httptest.NewUnstartedServer(srv)
	hs.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tls {
		hs.StartTLS()
	} else {
		hs.Start()
	}
	t.Cleanup(hs.Close)
	return hs, host
}

// TestSuiteBMCSim: the engine passes the conformance suite against
// Flock's emulator, over HTTP with sessions, over HTTPS (a self-signed
// certificate, accepted by InsecureTLS) with basic authentication.
func TestSuiteBMCSim(t *testing.T) {
	for name, mode := range map[string]struct {
		tls  bool
		auth string
	}{"http-session": {false, redfishbmc.AuthSession}, "https-basic": {true, redfishbmc.AuthBasic}} {
		t.Run(name, func(t *testing.T) {
			opts := &redfishbmc.Options{Username: user, Password: pass, Auth: mode.auth, InsecureTLS: mode.tls}
			var last *bmcsim.MemoryHost
			hostmgmttest.RunBMCSuite(t, hostmgmttest.BMCRig{
				New: func(t *testing.T) hostmgmt.BMC {
					srv, host := simulator(t, mode.tls)
					last = host
					return open(t, srv.URL, opts)
				},
				Unreachable:    func(t *testing.T) hostmgmt.BMC { return open(t, "http://"+closedPort(t), opts) },
				Slow:           func(t *testing.T) hostmgmt.BMC { return open(t, "http://"+silentPort(t), opts) },
				NextBoot:       func(t *testing.T) hostmgmt.BootDevice { return last.NextBoot() },
				MinSensors:     4,
				Graceful:       true,
				RefusedNotSent: true,
				Native:         new(*gofish.APIClient),
			})
		})
	}
}

func TestBMCSimSelfSignedRefused(t *testing.T) {
	srv, _ := simulator(t, true)
	_, err := open(t, srv.URL, nil).PowerState(ctx(t))
	require.ErrorContains(t, err, "certificate")
	assert.NotErrorIs(t, err, hostmgmt.ErrNotSent)
	v, err := redfishbmc.Probe(ctx(t), srv.URL, &redfishbmc.Options{InsecureTLS: true})
	require.NoError(t, err)
	assert.NotEmpty(t, v)
}

// TestBMCSimRelogin: when the emulator forgets the session, the next
// call logs in again and acts once.
func TestBMCSimRelogin(t *testing.T) {
	srv, host := simulator(t, false)
	b := open(t, srv.URL, nil)
	require.NoError(t, b.Power(ctx(t), hostmgmt.OpPowerOff))

	var c *gofish.APIClient
	require.True(t, b.As(&c))
	s, err := c.GetSession()
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(ctx(t), http.MethodDelete, srv.URL+s.ID, nil)
	require.NoError(t, err)
	req.SetBasicAuth(user, pass)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Less(t, resp.StatusCode, 300, "the session %s is deleted", s.ID)

	require.NoError(t, b.Power(ctx(t), hostmgmt.OpPowerOn), "a new login after the 401")
	assert.Equal(t, []hostmgmt.PowerOp{hostmgmt.OpPowerOff, hostmgmt.OpPowerOn}, host.Ops(), "each operation acted once")
	st, err := b.PowerState(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.PowerOn, st)
}

func TestBMCSimVirtualMedia(t *testing.T) {
	srv, host := simulator(t, false)
	b := open(t, srv.URL, nil)
	require.NoError(t, b.InsertMedia(ctx(t), "http://10.0.0.5/bootimage.iso"))
	assert.Equal(t, "http://10.0.0.5/bootimage.iso", host.Media())
	require.NoError(t, b.EjectMedia(ctx(t)))
	assert.Empty(t, host.Media())
}

// BenchmarkPowerStateBMCSim: one power-state query round trip against
// Flock's emulator over loopback HTTP, with a session.
func BenchmarkPowerStateBMCSim(b *testing.B) {
	srv, err := bmcsim.New(&bmcsim.Options{Username: user, Password: pass})
	require.NoError(b, err)
	require.NoError(b, srv.AddSystem("host-1", bmcsim.NewMemoryHost(nil)))
	hs := httptest.NewServer(srv)
	defer hs.Close()
	bmc, err := redfishbmc.New(hs.URL, &redfishbmc.Options{Username: user, Password: pass})
	require.NoError(b, err)
	defer bmc.Close()
	ctx := b.Context()
	_, err = bmc.PowerState(ctx)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bmc.PowerState(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
