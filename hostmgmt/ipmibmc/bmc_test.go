package ipmibmc_test

import (
	"context"
	"errors"
	"net"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/bougou/go-ipmi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
	"github.com/edgeflock/flock/hostmgmt/ipmibmc"
	"github.com/edgeflock/flock/internal/testenv"
)

func addr(sim *testenv.BMC) string { return net.JoinHostPort(sim.Host, strconv.Itoa(sim.Port)) }

func open(t testing.TB, address string, sim *testenv.BMC, opts *ipmibmc.Options) *ipmibmc.BMC {
	t.Helper()
	o := ipmibmc.Options{}
	if sim != nil {
		o.Username, o.Password = sim.User, sim.Password
	}
	if opts != nil {
		o = *opts
	}
	b, err := ipmibmc.New(address, &o)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// silentBMC is a UDP socket that takes datagrams and never answers.
func silentBMC(t testing.TB) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return pc.LocalAddr().String()
}

func closedPort(t testing.TB) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(testenv.FreeUDPPort(t)))
}

var bootDevices = map[string]hostmgmt.BootDevice{"pxe": hostmgmt.BootPXE, "default": hostmgmt.BootDisk, "cdrom": hostmgmt.BootCD}

// TestBMCConformance: the engine passes hostmgmt's BMC suite against
// OpenIPMI's ipmi_sim.
func TestBMCConformance(t *testing.T) {
	sim := testenv.StartBMC(t)
	hostmgmttest.RunBMCSuite(t, hostmgmttest.BMCRig{
		New: func(t *testing.T) hostmgmt.BMC {
			require.NoError(t, sim.SetPower(true))
			return open(t, addr(sim), sim, nil)
		},
		Unreachable: func(t *testing.T) hostmgmt.BMC { return open(t, closedPort(t), sim, nil) },
		Slow:        func(t *testing.T) hostmgmt.BMC { return open(t, silentBMC(t), sim, nil) },
		NextBoot: func(t *testing.T) hostmgmt.BootDevice {
			d, ok := bootDevices[sim.NextBoot()]
			require.True(t, ok, "ipmi_sim's next boot device %q", sim.NextBoot())
			return d
		},
		Info: func(t *testing.T, info hostmgmt.BMCInfo) {
			// ipmi_sim's mc_add: manufacturer 0x1291 (IANA 4753,
			// MontaVista), product 0xf02, firmware 9.08.
			assert.Equal(t, "MontaVista", info.Manufacturer)
			assert.Equal(t, "product 0x0f02", info.Model)
			assert.Equal(t, "9.08", info.BMCFirmwareVersion)
			assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, info.SerialNumber, "the system GUID")
			assert.Empty(t, info.MACAddresses, "IPMI names no system NIC")
		},
		MinSensors:     len(sim.Sensors),
		RefusedNotSent: true,
		Native:         new(*ipmi.Client),
		Settle:         10 * time.Second,
	})
}

// TestSensors: every sensor of ipmi_sim reads as its SDR says (the
// values ipmitool shows too), with thresholds and statuses.
func TestSensors(t *testing.T) {
	sim := testenv.StartBMC(t)
	b := open(t, addr(sim), sim, nil)
	got, err := b.Sensors(t.Context())
	require.NoError(t, err)
	require.Len(t, got, len(sim.Sensors))
	for i, want := range sim.Sensors {
		s := got[i]
		assert.Equal(t, want.Name, s.Name)
		assert.Equal(t, hostmgmt.SensorType(want.Kind), s.Type, want.Name)
		assert.InDelta(t, want.Value, s.Reading, 1e-9, want.Name)
		assert.Equal(t, want.Units, s.Units, want.Name)
		assert.Equal(t, hostmgmt.SensorStatus(want.Status), s.Status, want.Name)
		for name, pair := range map[string][2]*float64{
			"lower caution": {want.LNC, s.Thresholds.LowerCaution}, "lower critical": {want.LCR, s.Thresholds.LowerCritical},
			"upper caution": {want.UNC, s.Thresholds.UpperCaution},
		} {
			if pair[0] == nil {
				assert.Nil(t, pair[1], "%s %s", want.Name, name)
				continue
			}
			if assert.NotNil(t, pair[1], "%s %s", want.Name, name) {
				assert.InDelta(t, *pair[0], *pair[1], 1e-9, "%s %s", want.Name, name)
			}
		}
		if want.UCR != nil && assert.NotNil(t, s.Thresholds.UpperCritical, want.Name) {
			assert.InDelta(t, *want.UCR, *s.Thresholds.UpperCritical, 1e-9, want.Name)
		}
	}

	// ipmitool, a decoder nobody here wrote, reads the same values.
	out, err := sim.Ipmitool("sdr", "list", "full").CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, s := range got {
		line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(s.Name) + `\s*\|\s*([0-9.]+) `).FindStringSubmatch(string(out))
		if assert.NotNil(t, line, "ipmitool lists %q:\n%s", s.Name, out) {
			v, err := strconv.ParseFloat(line[1], 64)
			require.NoError(t, err)
			assert.InDelta(t, v, s.Reading, 1e-9, s.Name)
		}
	}
}

// TestPowerOps: what each operation does to ipmi_sim's chassis.
func TestPowerOps(t *testing.T) {
	sim := testenv.StartBMC(t)
	b := open(t, addr(sim), sim, nil)
	ctx := t.Context()

	require.NoError(t, b.Power(ctx, hostmgmt.OpReset))
	assert.Equal(t, 1, sim.Resets(), "a host that is on gets a hard reset")
	assert.Equal(t, "1", sim.Power())

	err := b.Power(ctx, hostmgmt.OpGracefulRestart)
	require.ErrorIs(t, err, hostmgmt.ErrUnimplemented)
	assert.Equal(t, 1, sim.Resets())
	assert.Equal(t, "1", sim.Power(), "graceful-restart does nothing")

	require.NoError(t, b.Power(ctx, hostmgmt.OpGraceful))
	assert.Equal(t, "0", sim.Power(), "soft-off asked the guest to shut down (the chassis program plays it)")

	require.NoError(t, b.Power(ctx, hostmgmt.OpReset))
	assert.Equal(t, 1, sim.Resets(), "a host that is off is not reset")
	assert.Equal(t, "1", sim.Power(), "but powered up")

	require.NoError(t, sim.SetPower(false))
	require.NoError(t, b.Power(ctx, hostmgmt.OpCycle))
	assert.Equal(t, "1", sim.Power(), "a cycle of a host that is off powers it up")
}

// TestSessionReopens: a session that broke under the engine (closed
// behind its back) fails one call, not as unsent (go-ipmi sent it on a
// new socket), and the next call opens a new session; so does a session
// idle for too long.
func TestSessionReopens(t *testing.T) {
	sim := testenv.StartBMC(t)
	b := open(t, addr(sim), sim, nil)
	ctx := t.Context()
	_, err := b.PowerState(ctx)
	require.NoError(t, err)
	var c *ipmi.Client
	require.True(t, b.As(&c))
	require.NoError(t, c.Close(ctx))

	_, err = b.PowerState(ctx)
	require.Error(t, err, "the BMC closed the session")
	assert.NotErrorIs(t, err, hostmgmt.ErrNotSent)
	st, err := b.PowerState(ctx)
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.PowerOn, st)

	var c2 *ipmi.Client
	require.True(t, b.As(&c2))
	assert.NotSame(t, c, c2, "a new session")

	idle := open(t, addr(sim), sim, &ipmibmc.Options{Username: sim.User, Password: sim.Password, SessionIdle: time.Nanosecond})
	for range 3 {
		st, err := idle.PowerState(ctx)
		require.NoError(t, err)
		assert.Equal(t, hostmgmt.PowerOn, st)
	}
}

// TestBadCredentials: a wrong password fails the call and powers
// nothing off. ipmi_sim does not answer a session activation with a bad
// authentication code, so the failure is a timeout, never ErrNotSent.
func TestBadCredentials(t *testing.T) {
	sim := testenv.StartBMC(t)
	b := open(t, addr(sim), nil, &ipmibmc.Options{Username: sim.User, Password: "wrong", Timeout: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err := b.Power(ctx, hostmgmt.OpPowerOff)
	require.Error(t, err)
	assert.ErrorContains(t, err, "open session")
	assert.NotErrorIs(t, err, hostmgmt.ErrNotSent)
	assert.NoError(t, ctx.Err(), "the BMC's timeout, not the call's deadline")
	assert.Equal(t, "1", sim.Power())
}

// TestDeadlineNotSent: a BMC that never answers is never reported as
// unsent, and the call ends at its deadline.
func TestDeadlineNotSent(t *testing.T) {
	b := open(t, silentBMC(t), nil, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err := b.Power(ctx, hostmgmt.OpPowerOff)
	require.Error(t, err)
	assert.NotErrorIs(t, err, hostmgmt.ErrNotSent)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
}

// TestNewChecksInput: bad addresses and options name their field.
func TestNewChecksInput(t *testing.T) {
	for name, tc := range map[string]struct {
		addr  string
		opts  *ipmibmc.Options
		field string
	}{
		"empty address": {"", nil, "address"},
		"bad port":      {"10.0.0.1:70000", nil, "address"},
		"no host":       {":623", nil, "address"},
		"interface":     {"10.0.0.1", &ipmibmc.Options{Interface: "serial"}, "interface"},
		"privilege":     {"10.0.0.1", &ipmibmc.Options{Privilege: "user"}, "privilege"},
		"cipher suite":  {"10.0.0.1", &ipmibmc.Options{CipherSuite: 300}, "cipher_suite"},
		"long username": {"10.0.0.1", &ipmibmc.Options{Username: "seventeen-letters"}, "username"},
		"timeout":       {"10.0.0.1", &ipmibmc.Options{Timeout: -1}, "timeout"},
		"session idle":  {"10.0.0.1", &ipmibmc.Options{SessionIdle: -1}, "session_idle"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ipmibmc.New(tc.addr, tc.opts)
			require.ErrorIs(t, err, hostmgmt.ErrInvalid)
			var fe *hostmgmt.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
	for _, ok := range []string{"10.0.0.1", "10.0.0.1:6230", "bmc.example.com", "[fd00::1]:623", "fd00::1"} {
		_, err := ipmibmc.New(ok, &ipmibmc.Options{Interface: "lanplus", CipherSuite: 3, Privilege: "operator"})
		assert.NoError(t, err, ok)
	}
}

// TestUnresolvableNotSent: a name that does not resolve sent nothing.
func TestUnresolvableNotSent(t *testing.T) {
	b := open(t, "no-such-bmc.invalid:623", nil, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := b.PowerState(ctx)
	require.ErrorIs(t, err, hostmgmt.ErrNotSent)
}

func BenchmarkPowerState(b *testing.B) {
	sim := testenv.StartBMC(b)
	bmc := open(b, addr(sim), sim, nil)
	ctx := b.Context()
	_, err := bmc.PowerState(ctx) // open the session
	require.NoError(b, err)
	for b.Loop() {
		if _, err := bmc.PowerState(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
