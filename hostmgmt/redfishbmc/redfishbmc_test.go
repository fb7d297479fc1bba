package redfishbmc_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stmcginnis/gofish"
	"github.com/stmcginnis/gofish/schemas"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
	"github.com/edgeflock/flock/hostmgmt/redfishbmc"
)

const (
	user = "admin"
	pass = "s3cret"
)

// serve starts m over loopback HTTP and returns a BMC for it.
func serve(t *testing.T, m *mockup, opts *redfishbmc.Options) *redfishbmc.BMC {
	t.Helper()
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	return open(t, srv.URL, opts)
}

func open(t *testing.T, endpoint string, opts *redfishbmc.Options) *redfishbmc.BMC {
	t.Helper()
	if opts == nil {
		opts = &redfishbmc.Options{Username: user, Password: pass}
	}
	b, err := redfishbmc.New(endpoint, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// TestSuiteMockup: the engine passes the conformance suite against the
// DMTF mockup served by this package's test service.
func TestSuiteMockup(t *testing.T) {
	var last *mockup
	hostmgmttest.RunBMCSuite(t, hostmgmttest.BMCRig{
		New: func(t *testing.T) hostmgmt.BMC {
			last = newMockup(t, user, pass)
			return serve(t, last, nil)
		},
		Unreachable: func(t *testing.T) hostmgmt.BMC {
			return open(t, "http://"+closedPort(t), nil)
		},
		Slow: func(t *testing.T) hostmgmt.BMC {
			return open(t, "http://"+silentPort(t), nil)
		},
		NextBoot: func(t *testing.T) hostmgmt.BootDevice {
			enabled, target := last.boot()
			require.Equal(t, "Once", enabled)
			return map[string]hostmgmt.BootDevice{"Pxe": hostmgmt.BootPXE, "Hdd": hostmgmt.BootDisk, "Cd": hostmgmt.BootCD}[target]
		},
		Info: func(t *testing.T, info hostmgmt.BMCInfo) {
			assert.Equal(t, hostmgmt.BMCInfo{
				Manufacturer: "Contoso", Model: "3500", SerialNumber: "437XR1138R2",
				FirmwareVersion: "P79 v1.45 (12/06/2017)", BMCFirmwareVersion: "1.45.455b66-rev4",
				MACAddresses: []string{"12:44:6a:3b:04:11", "aa:bb:cc:dd:ee:00", "aa:bb:cc:dd:ee:fe"},
			}, sortedMACs(info))
		},
		MinSensors:     6,
		Graceful:       true,
		RefusedNotSent: true,
		Native:         new(*gofish.APIClient),
		Settle:         5 * time.Second,
	})
}

func sortedMACs(info hostmgmt.BMCInfo) hostmgmt.BMCInfo {
	macs := append([]string(nil), info.MACAddresses...)
	for i := range macs {
		for j := i + 1; j < len(macs); j++ {
			if macs[j] < macs[i] {
				macs[i], macs[j] = macs[j], macs[i]
			}
		}
	}
	info.MACAddresses = macs
	return info
}

func TestNewRefusesBadInput(t *testing.T) {
	for name, tc := range map[string]struct {
		endpoint string
		opts     *redfishbmc.Options
		field    string
	}{
		"scheme":                  {"redfish://10.0.0.1", nil, "endpoint"},
		"no-host":                 {"https://", nil, "endpoint"},
		"http-without-port":       {"http://10.0.0.1", nil, "endpoint"},
		"path":                    {"https://10.0.0.1/redfish/v1", nil, "endpoint"},
		"user-info":               {"https://root:pw@10.0.0.1", nil, "endpoint"},
		"query":                   {"https://10.0.0.1?x=1", nil, "endpoint"},
		"not-a-url":               {"https://[::1", nil, "endpoint"},
		"auth":                    {"https://10.0.0.1", &redfishbmc.Options{Auth: "digest"}, "auth"},
		"insecure-and-own-client": {"https://10.0.0.1", &redfishbmc.Options{InsecureTLS: true, HTTPClient: &http.Client{}}, "insecure_tls"},
		"system":                  {"https://10.0.0.1", &redfishbmc.Options{System: "../Managers/BMC"}, "system"},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := redfishbmc.New(tc.endpoint, tc.opts)
			require.ErrorIs(t, err, hostmgmt.ErrInvalid)
			var fe *hostmgmt.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
			assert.Nil(t, b)
		})
	}
	for _, ok := range []string{"https://10.0.0.1", "https://bmc-1.lab:8443/", "http://127.0.0.1:8000", "https://[fe80::1]:443"} {
		_, err := redfishbmc.New(ok, nil)
		assert.NoError(t, err, ok)
	}
}

func TestPowerStateNormalised(t *testing.T) {
	m := newMockup(t, user, pass)
	b := serve(t, m, nil)
	for redfish, want := range map[string]hostmgmt.PowerState{
		"On": hostmgmt.PowerOn, "PoweringOn": hostmgmt.PowerOn, "Paused": hostmgmt.PowerOn,
		"Off": hostmgmt.PowerOff, "PoweringOff": hostmgmt.PowerOff,
		"Exploding": hostmgmt.PowerUnknown, "": hostmgmt.PowerUnknown,
	} {
		m.set(sysPath, "PowerState", redfish)
		got, err := b.PowerState(ctx(t))
		require.NoError(t, err)
		assert.Equal(t, want, got, "PowerState %q", redfish)
	}
}

// TestPowerResetTypes: each operation sends the reset types it maps to,
// given what the system allows.
func TestPowerResetTypes(t *testing.T) {
	for name, tc := range map[string]struct {
		allowed []string // nil: the mockup's (no PowerCycle)
		state   string
		op      hostmgmt.PowerOp
		want    []string
	}{
		"on":                       {nil, "Off", hostmgmt.OpPowerOn, []string{"On"}},
		"on-only-force":            {[]string{"ForceOn", "ForceOff"}, "Off", hostmgmt.OpPowerOn, []string{"ForceOn"}},
		"off":                      {nil, "On", hostmgmt.OpPowerOff, []string{"ForceOff"}},
		"reset":                    {nil, "On", hostmgmt.OpReset, []string{"ForceRestart"}},
		"reset-of-powered-off":     {nil, "Off", hostmgmt.OpReset, []string{"On"}},
		"cycle-without-PowerCycle": {nil, "On", hostmgmt.OpCycle, []string{"ForceOff", "On"}},
		"cycle":                    {[]string{"On", "ForceOff", "PowerCycle"}, "On", hostmgmt.OpCycle, []string{"PowerCycle"}},
		"cycle-of-powered-off":     {[]string{"On", "ForceOff", "PowerCycle"}, "Off", hostmgmt.OpCycle, []string{"On"}},
		"soft-off":                 {nil, "On", hostmgmt.OpGraceful, []string{"GracefulShutdown"}},
		"graceful-restart":         {nil, "On", hostmgmt.OpGracefulRestart, []string{"GracefulRestart"}},
	} {
		t.Run(name, func(t *testing.T) {
			m := newMockup(t, user, pass)
			if tc.allowed != nil {
				m.setAllowed(tc.allowed...)
			}
			m.set(sysPath, "PowerState", tc.state)
			b := serve(t, m, nil)
			require.NoError(t, b.Power(ctx(t), tc.op))
			assert.Equal(t, tc.want, m.resetLog())
		})
	}
}

func TestPowerUnallowedIsUnimplementedAndSendsNothing(t *testing.T) {
	for op, allowed := range map[hostmgmt.PowerOp][]string{
		hostmgmt.OpGraceful:        {"On", "ForceOff", "ForceRestart"},
		hostmgmt.OpGracefulRestart: {"On", "ForceOff"},
		hostmgmt.OpReset:           {"On", "ForceOff"},
		hostmgmt.OpCycle:           {"On", "GracefulShutdown"},
		hostmgmt.OpPowerOff:        {"On"},
	} {
		m := newMockup(t, user, pass)
		m.setAllowed(allowed...)
		b := serve(t, m, nil)
		err := b.Power(ctx(t), op)
		require.ErrorIs(t, err, hostmgmt.ErrUnimplemented, "power %s with %v", op, allowed)
		assert.NotErrorIs(t, err, hostmgmt.ErrNotSent)
		assert.Empty(t, m.resetLog(), "power %s", op)
	}
	// Without a Reset action at all.
	m := newMockup(t, user, pass)
	m.set(sysPath, "Actions", map[string]any{})
	require.ErrorIs(t, serve(t, m, nil).Power(ctx(t), hostmgmt.OpPowerOn), hostmgmt.ErrUnimplemented)
}

func TestBootTargetNotAllowed(t *testing.T) {
	m := newMockup(t, user, pass)
	m.set(sysPath, "Boot", map[string]any{"BootSourceOverrideEnabled": "Disabled", "BootSourceOverrideTarget@Redfish.AllowableValues": []any{"None", "Hdd"}})
	b := serve(t, m, nil)
	require.ErrorIs(t, b.SetBootDevice(ctx(t), hostmgmt.BootPXE), hostmgmt.ErrUnimplemented)
	enabled, _ := m.boot()
	assert.Equal(t, "Disabled", enabled, "nothing was changed")
	require.NoError(t, b.SetBootDevice(ctx(t), hostmgmt.BootDisk))
	enabled, target := m.boot()
	assert.Equal(t, []string{"Once", "Hdd"}, []string{enabled, target})
}

func TestSystemChoice(t *testing.T) {
	m := newMockup(t, user, pass)
	m.set("/redfish/v1/Systems", "Members", []any{
		map[string]any{"@odata.id": sysPath},
		map[string]any{"@odata.id": "/redfish/v1/Systems/other"},
	})
	other := map[string]any{"@odata.id": "/redfish/v1/Systems/other", "Id": "other", "PowerState": "Off"}
	m.mu.Lock()
	m.res["/redfish/v1/Systems/other"] = other
	m.mu.Unlock()

	_, err := serve(t, m, nil).PowerState(ctx(t))
	var fe *hostmgmt.FieldError
	require.ErrorAs(t, err, &fe, "two systems and none named")
	assert.Equal(t, "system", fe.Field)
	assert.Contains(t, fe.Reason, "437XR1138R2, other")

	st, err := serve(t, m, &redfishbmc.Options{Username: user, Password: pass, System: "other"}).PowerState(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.PowerOff, st)

	_, err = serve(t, m, &redfishbmc.Options{Username: user, Password: pass, System: "nope"}).PowerState(ctx(t))
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "system", fe.Field)
}

func TestSensorsThermalAndPower(t *testing.T) {
	m := newMockup(t, user, pass)
	sensors, err := serve(t, m, nil).Sensors(ctx(t))
	require.NoError(t, err)
	byName := map[string]hostmgmt.Sensor{}
	for _, s := range sensors {
		byName[s.Name] = s
	}
	f := func(v float64) *float64 { return &v }
	assert.Equal(t, hostmgmt.Sensor{Name: "CPU1 Temp", Type: hostmgmt.SensorTemperature, Reading: 41, Units: "Cel", Status: hostmgmt.SensorOK,
		Thresholds: hostmgmt.Thresholds{UpperCaution: f(42), UpperCritical: f(45)}}, byName["CPU1 Temp"])
	require.Contains(t, byName, "BaseBoard System Fan")
	fan := byName["BaseBoard System Fan"]
	assert.Equal(t, []any{hostmgmt.SensorFan, 2100.0, "RPM"}, []any{fan.Type, fan.Reading, fan.Units})
	require.Contains(t, byName, "VRM1 Voltage")
	assert.Equal(t, []any{hostmgmt.SensorVoltage, 12.0, "V"}, []any{byName["VRM1 Voltage"].Type, byName["VRM1 Voltage"].Reading, byName["VRM1 Voltage"].Units})
	require.Contains(t, byName, "System Input Power")
	assert.Equal(t, []any{hostmgmt.SensorPower, 344.0, "W"}, []any{byName["System Input Power"].Type, byName["System Input Power"].Reading, byName["System Input Power"].Units})
}

func TestSensorsCollection(t *testing.T) {
	m := newMockup(t, user, pass)
	m.mu.Lock()
	delete(m.res["/redfish/v1/Chassis/1U"], "Thermal")
	delete(m.res["/redfish/v1/Chassis/1U"], "Power")
	// A sensor whose BMC says nothing of its health: status computed.
	delete(m.res["/redfish/v1/Chassis/1U/Sensors/CPU1Temp"]["Status"].(map[string]any), "Health")
	m.mu.Unlock()
	sensors, err := serve(t, m, nil).Sensors(ctx(t))
	require.NoError(t, err)
	byName := map[string]hostmgmt.Sensor{}
	types := map[hostmgmt.SensorType]int{}
	for _, s := range sensors {
		byName[s.Name] = s
		types[s.Type]++
	}
	for _, typ := range []hostmgmt.SensorType{hostmgmt.SensorTemperature, hostmgmt.SensorFan, hostmgmt.SensorVoltage, hostmgmt.SensorPower} {
		assert.Positive(t, types[typ], "sensors of type %s", typ)
	}
	cpu := byName["CPU #1 Temperature"]
	f := func(v float64) *float64 { return &v }
	assert.Equal(t, hostmgmt.Sensor{Name: "CPU #1 Temperature", Type: hostmgmt.SensorTemperature, Reading: 44, Units: "Cel",
		Status:     hostmgmt.SensorWarning, // 44 is past the upper caution 42, short of the critical 45
		Thresholds: hostmgmt.Thresholds{UpperCaution: f(42), UpperCritical: f(45)}}, cpu)
	for _, s := range sensors {
		assert.NotContains(t, []string{"A", "Hz", "kW.h"}, s.Units, "%s: no hostmgmt type for it", s.Name)
	}
}

func TestSessionAuth(t *testing.T) {
	m := newMockup(t, user, pass)
	b := serve(t, m, nil)
	_, err := b.PowerState(ctx(t))
	require.NoError(t, err)
	_, err = b.PowerState(ctx(t))
	require.NoError(t, err)
	logins, sessions, _ := m.counts()
	assert.Equal(t, []int{1, 1}, []int{logins, sessions}, "one login, reused")

	m.forgetSessions()
	require.NoError(t, b.Power(ctx(t), hostmgmt.OpPowerOff), "the engine logs in again after a 401")
	assert.Equal(t, []string{"ForceOff"}, m.resetLog(), "the refused request was sent again, once")
	logins, sessions, _ = m.counts()
	assert.Equal(t, []int{2, 1}, []int{logins, sessions})

	require.NoError(t, b.Close())
	_, sessions, _ = m.counts()
	assert.Zero(t, sessions, "Close logs out")
}

func TestBasicAuth(t *testing.T) {
	m := newMockup(t, user, pass)
	b := serve(t, m, &redfishbmc.Options{Username: user, Password: pass, Auth: redfishbmc.AuthBasic})
	require.NoError(t, b.Power(ctx(t), hostmgmt.OpPowerOff))
	st, err := b.PowerState(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.PowerOff, st)
	logins, _, _ := m.counts()
	assert.Zero(t, logins, "basic authentication opens no session")
}

func TestWrongPassword(t *testing.T) {
	for _, auth := range []string{redfishbmc.AuthSession, redfishbmc.AuthBasic} {
		m := newMockup(t, user, pass)
		b := serve(t, m, &redfishbmc.Options{Username: user, Password: "wrong", Auth: auth})
		err := b.Power(ctx(t), hostmgmt.OpPowerOff)
		require.Error(t, err, auth)
		var re *schemas.Error
		require.ErrorAs(t, err, &re, auth)
		assert.Equal(t, http.StatusUnauthorized, re.HTTPReturnedStatusCode)
		assert.NotErrorIs(t, err, hostmgmt.ErrNotSent, "%s: the BMC answered", auth)
		assert.Empty(t, m.resetLog())
	}
}

func TestTLS(t *testing.T) {
	m := newMockup(t, user, pass)
	srv := httptest.NewUnstartedServer(m)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)

	_, err := open(t, srv.URL, nil).PowerState(ctx(t))
	require.Error(t, err, "a self-signed certificate is refused by default")
	assert.ErrorContains(t, err, "certificate")
	assert.NotErrorIs(t, err, hostmgmt.ErrNotSent)
	_, err = redfishbmc.Probe(ctx(t), srv.URL, nil)
	require.Error(t, err)

	b := open(t, srv.URL, &redfishbmc.Options{Username: user, Password: pass, InsecureTLS: true})
	require.NoError(t, b.Power(ctx(t), hostmgmt.OpPowerOff))
	st, err := b.PowerState(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.PowerOff, st)
	v, err := redfishbmc.Probe(ctx(t), srv.URL, &redfishbmc.Options{InsecureTLS: true})
	require.NoError(t, err)
	assert.Equal(t, "1.15.0", v)

	// A caller's client that trusts the server's certificate.
	b = open(t, srv.URL, &redfishbmc.Options{Username: user, Password: pass, HTTPClient: srv.Client()})
	_, err = b.PowerState(ctx(t))
	require.NoError(t, err)
}

func TestNotSentOnlyWhenRefused(t *testing.T) {
	refused := open(t, "http://"+closedPort(t), nil)
	for name, err := range map[string]error{
		"power-state": func() error { _, err := refused.PowerState(ctx(t)); return err }(),
		"power":       refused.Power(ctx(t), hostmgmt.OpReset),
		"boot":        refused.SetBootDevice(ctx(t), hostmgmt.BootPXE),
		"probe":       func() error { _, err := redfishbmc.Probe(ctx(t), "http://"+closedPort(t), nil); return err }(),
	} {
		assert.ErrorIs(t, err, hostmgmt.ErrNotSent, name)
		assert.ErrorIs(t, err, hostmgmt.ErrUnavailable, name)
	}
	noHost := open(t, "https://no-such-bmc.invalid", nil)
	_, err := noHost.PowerState(ctx(t))
	assert.ErrorIs(t, err, hostmgmt.ErrNotSent, "a name that does not resolve")

	silent := open(t, "http://"+silentPort(t), nil)
	c, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err = silent.Power(c, hostmgmt.OpReset)
	require.Error(t, err)
	assert.NotErrorIs(t, err, hostmgmt.ErrNotSent, "a timeout may have reached the BMC")
	assert.ErrorIs(t, err, hostmgmt.ErrUnavailable)
}

func TestProbe(t *testing.T) {
	m := newMockup(t, user, pass)
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	v, err := redfishbmc.Probe(ctx(t), srv.URL, nil)
	require.NoError(t, err)
	assert.Equal(t, "1.15.0", v)
	_, _, requests := m.counts()
	assert.Equal(t, 1, requests)

	notRedfish := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notRedfish.Close)
	_, err = redfishbmc.Probe(ctx(t), notRedfish.URL, nil)
	var re *schemas.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusNotFound, re.HTTPReturnedStatusCode)

	_, err = redfishbmc.Probe(ctx(t), "ftp://x", nil)
	require.ErrorIs(t, err, hostmgmt.ErrInvalid)
}

func TestVirtualMediaAndEvents(t *testing.T) {
	m := newMockup(t, user, pass)
	b := serve(t, m, nil)
	const cd1 = sysPath + "/VirtualMedia/CD1"
	const cd2 = sysPath + "/VirtualMedia/CD2"
	require.NoError(t, b.EjectMedia(ctx(t)))
	assert.Equal(t, false, m.get(cd1, "Inserted"))
	assert.Equal(t, false, m.get(cd2, "Inserted"))
	assert.Equal(t, true, m.get(sysPath+"/VirtualMedia/Floppy1", "Inserted"), "a floppy is not a CD")

	require.NoError(t, b.InsertMedia(ctx(t), "http://10.0.0.5/images/bootimage.iso"))
	assert.Equal(t, "http://10.0.0.5/images/bootimage.iso", m.get(cd1, "Image"))
	assert.Equal(t, true, m.get(cd1, "Inserted"))
	assert.Equal(t, true, m.get(cd1, "WriteProtected"))

	err := b.InsertMedia(ctx(t), "bootimage.iso")
	var fe *hostmgmt.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "image_url", fe.Field)

	require.NoError(t, b.Subscribe(ctx(t), "https://10.0.0.2:8443/events"))
	assert.Equal(t, []string{"https://10.0.0.2:8443/events Redfish"}, m.subs)
	require.ErrorAs(t, b.Subscribe(ctx(t), "10.0.0.2"), &fe)
	assert.Equal(t, "destination", fe.Field)
}

func TestAs(t *testing.T) {
	m := newMockup(t, user, pass)
	b := serve(t, m, nil)
	var c *gofish.APIClient
	require.True(t, b.As(&c))
	require.NotNil(t, c)
	systems, err := c.WithContext(ctx(t)).Service.Systems()
	require.NoError(t, err)
	require.Len(t, systems, 1)
	assert.Equal(t, "437XR1138R2", systems[0].ID)
	var hc *http.Client
	assert.True(t, b.As(&hc))
	assert.False(t, b.As(new(int)))
}

// TestSensorsReadKnownSources: once found, the Thermal and Power
// resources are read directly (two requests per chassis, not the system
// and chassis again), with the same readings; when they go away, the
// next call looks for the sensors again.
func TestSensorsReadKnownSources(t *testing.T) {
	m := newMockup(t, user, pass)
	b := serve(t, m, nil)
	first, err := b.Sensors(ctx(t))
	require.NoError(t, err)
	_, _, before := m.counts()
	again, err := b.Sensors(ctx(t))
	require.NoError(t, err)
	_, _, after := m.counts()
	assert.Equal(t, first, again)
	assert.Equal(t, 2, after-before, "Thermal and Power only")

	m.mu.Lock()
	thermal := m.res["/redfish/v1/Chassis/1U/Thermal"]
	delete(m.res, "/redfish/v1/Chassis/1U/Thermal")
	m.mu.Unlock()
	_, err = b.Sensors(ctx(t))
	require.Error(t, err, "a known source that is gone fails once")
	m.mu.Lock()
	m.res["/redfish/v1/Chassis/1U/Thermal"] = thermal
	m.mu.Unlock()
	found, err := b.Sensors(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, first, found, "and is looked for again")
}
