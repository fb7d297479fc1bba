package hostmgmttest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

// BMCRig is what RunBMCSuite needs from an engine's test: BMCs backed by
// the engine's real peer (a Redfish service, ipmi_sim, a QEMU VM, a
// libvirt domain), one broken peer of each kind, and what the peer can
// be asked directly.
type BMCRig struct {
	// New returns the engine's BMC for a fresh host, powered on. Each
	// call may share one peer; the cases run one after another.
	New func(t *testing.T) hostmgmt.BMC
	// Unreachable returns the engine's BMC for an address where nothing
	// listens (a closed port).
	Unreachable func(t *testing.T) hostmgmt.BMC
	// Slow returns the engine's BMC for a peer that takes requests and
	// never answers.
	Slow func(t *testing.T) hostmgmt.BMC
	// NextBoot, if set, reads from the peer itself (not through the
	// engine) the device the host boots from next.
	NextBoot func(t *testing.T) hostmgmt.BootDevice
	// Info, if set, checks the engine's BMCInfo against what the peer
	// holds; unset, the suite wants at least a manufacturer or a model.
	Info func(t *testing.T, info hostmgmt.BMCInfo)
	// MinSensors is how many sensors the peer has at least.
	MinSensors int
	// Graceful says the host acts on soft-off and graceful-restart (its
	// guest handles ACPI). Without it, those calls must succeed or
	// return ErrUnimplemented, and their effect is not checked.
	Graceful bool
	// RefusedNotSent says the engine's protocol knows when a request was
	// never sent (a refused TCP connection): calls to Unreachable must
	// then wrap hostmgmt.ErrNotSent. Datagram protocols cannot know.
	RefusedNotSent bool
	// Native is a pointer to the engine's native client type (for
	// example new(*gofish.APIClient), new(*qemu.Domain)): As must fill it.
	Native any
	// Settle bounds how long the host takes to show the state a power
	// call asked for; 0 means 15 s.
	Settle time.Duration
}

// RunBMCSuite checks a hostmgmt.BMC engine against its real peer: power
// sequences, the next boot device, info, sensors, input checked before
// anything is sent, an unreachable BMC, a BMC that never answers
// (deadline kept, a maybe-sent power call not reported as unsent), the
// escape hatch, and concurrent use.
func RunBMCSuite(t *testing.T, rig BMCRig) {
	if rig.Settle == 0 {
		rig.Settle = 15 * time.Second
	}
	call := func(t *testing.T) (context.Context, context.CancelFunc) {
		return context.WithTimeout(t.Context(), 30*time.Second)
	}
	waitPower := func(t *testing.T, b hostmgmt.BMC, want hostmgmt.PowerState) {
		t.Helper()
		var last hostmgmt.PowerState
		var lastErr error
		for end := time.Now().Add(rig.Settle); ; time.Sleep(50 * time.Millisecond) {
			ctx, cancel := context.WithDeadline(t.Context(), end.Add(5*time.Second))
			last, lastErr = b.PowerState(ctx)
			cancel()
			if (lastErr == nil && last == want) || time.Now().After(end) {
				break
			}
		}
		require.True(t, lastErr == nil && last == want, "power state: want %s, last read %s (err %v)", want, last, lastErr)
	}
	power := func(t *testing.T, b hostmgmt.BMC, op hostmgmt.PowerOp) {
		t.Helper()
		ctx, cancel := call(t)
		defer cancel()
		require.NoError(t, b.Power(ctx, op), "power %s", op)
	}

	t.Run("power-off-then-on", func(t *testing.T) {
		b := rig.New(t)
		waitPower(t, b, hostmgmt.PowerOn)
		power(t, b, hostmgmt.OpPowerOff)
		waitPower(t, b, hostmgmt.PowerOff)
		power(t, b, hostmgmt.OpPowerOn)
		waitPower(t, b, hostmgmt.PowerOn)
	})
	t.Run("reset-and-cycle-leave-it-on", func(t *testing.T) {
		b := rig.New(t)
		for _, op := range []hostmgmt.PowerOp{hostmgmt.OpReset, hostmgmt.OpCycle} {
			power(t, b, op)
			waitPower(t, b, hostmgmt.PowerOn)
		}
	})
	t.Run("reset-of-a-powered-off-host-powers-it-on", func(t *testing.T) {
		b := rig.New(t)
		power(t, b, hostmgmt.OpPowerOff)
		waitPower(t, b, hostmgmt.PowerOff)
		power(t, b, hostmgmt.OpReset)
		waitPower(t, b, hostmgmt.PowerOn)
	})
	t.Run("graceful", func(t *testing.T) {
		b := rig.New(t)
		for _, op := range []hostmgmt.PowerOp{hostmgmt.OpGracefulRestart, hostmgmt.OpGraceful} {
			ctx, cancel := call(t)
			err := b.Power(ctx, op)
			cancel()
			if !rig.Graceful {
				if err != nil {
					require.ErrorIs(t, err, hostmgmt.ErrUnimplemented, "power %s", op)
				}
				continue
			}
			require.NoError(t, err, "power %s", op)
		}
		if rig.Graceful {
			waitPower(t, b, hostmgmt.PowerOff)
		}
	})
	t.Run("bad-input-is-refused-before-sending", func(t *testing.T) {
		// The unreachable BMC proves nothing was sent: the error is the
		// input's, not the network's.
		for name, b := range map[string]hostmgmt.BMC{"reachable": rig.New(t), "unreachable": rig.Unreachable(t)} {
			ctx, cancel := call(t)
			err := b.Power(ctx, hostmgmt.PowerOp("explode"))
			require.ErrorIs(t, err, hostmgmt.ErrInvalid, "%s: power explode", name)
			var fe *hostmgmt.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "power_op", fe.Field)
			err = b.SetBootDevice(ctx, hostmgmt.BootDevice("floppy"))
			cancel()
			require.ErrorIs(t, err, hostmgmt.ErrInvalid, "%s: boot floppy", name)
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "boot_device", fe.Field)
		}
	})
	t.Run("next-boot-device", func(t *testing.T) {
		b := rig.New(t)
		for _, d := range []hostmgmt.BootDevice{hostmgmt.BootPXE, hostmgmt.BootCD, hostmgmt.BootDisk, hostmgmt.BootPXE} {
			ctx, cancel := call(t)
			err := b.SetBootDevice(ctx, d)
			cancel()
			require.NoError(t, err, "boot %s", d)
			if rig.NextBoot != nil {
				assert.Equal(t, d, rig.NextBoot(t), "the peer's next boot device")
			}
		}
	})
	t.Run("info", func(t *testing.T) {
		b := rig.New(t)
		ctx, cancel := call(t)
		defer cancel()
		info, err := b.Info(ctx)
		require.NoError(t, err)
		if rig.Info != nil {
			rig.Info(t, info)
		} else {
			assert.True(t, info.Manufacturer != "" || info.Model != "", "info names a manufacturer or a model: %+v", info)
		}
		for _, mac := range info.MACAddresses {
			assert.Regexp(t, `^([0-9a-f]{2}:){5}[0-9a-f]{2}$`, mac, "MAC addresses are lower-case, colon-separated")
		}
	})
	t.Run("sensors", func(t *testing.T) {
		b := rig.New(t)
		ctx, cancel := call(t)
		defer cancel()
		sensors, err := b.Sensors(ctx)
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(sensors), rig.MinSensors)
		for _, s := range sensors {
			assert.NotEmpty(t, s.Name, "sensor %+v has no name", s)
			assert.True(t, s.Type.Valid(), "sensor %q: type %q", s.Name, s.Type)
			assert.True(t, s.Status.Valid(), "sensor %q: status %q", s.Name, s.Status)
			if s.Status != hostmgmt.SensorUnknown {
				assert.NotEmpty(t, s.Units, "sensor %q has a reading and no units", s.Name)
			}
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		b := rig.Unreachable(t)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		_, err := b.PowerState(ctx)
		require.Error(t, err, "power state of an unreachable BMC")
		perr := b.Power(ctx, hostmgmt.OpReset)
		require.Error(t, perr, "reset through an unreachable BMC")
		_, ierr := b.Info(ctx)
		require.Error(t, ierr)
		_, serr := b.Sensors(ctx)
		require.Error(t, serr)
		if rig.RefusedNotSent {
			assert.ErrorIs(t, err, hostmgmt.ErrNotSent)
			assert.ErrorIs(t, perr, hostmgmt.ErrNotSent, "a refused connection sent nothing: the shared layer may retry")
		}
		require.NoError(t, ctx.Err(), "the calls failed before their deadline")
	})
	t.Run("deadline", func(t *testing.T) {
		b := rig.Slow(t)
		for name, fn := range map[string]func(context.Context) error{
			"power-state": func(ctx context.Context) error { _, err := b.PowerState(ctx); return err },
			"reset":       func(ctx context.Context) error { return b.Power(ctx, hostmgmt.OpReset) },
			"sensors":     func(ctx context.Context) error { _, err := b.Sensors(ctx); return err },
		} {
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			done := make(chan error, 1)
			go func() { done <- fn(ctx) }()
			select {
			case err := <-done:
				require.Error(t, err, "%s against a BMC that never answers", name)
				assert.ErrorIs(t, err, context.DeadlineExceeded, "%s: the error says the deadline passed", name)
				if name == "reset" {
					assert.NotErrorIs(t, err, hostmgmt.ErrNotSent, "a reset that may have reached the BMC is never reported as unsent")
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("%s ignored its deadline", name)
			}
			cancel()
		}
	})
	t.Run("as", func(t *testing.T) {
		b := rig.New(t)
		assert.False(t, b.As(new(struct{ unrelated int })), "As of an unrelated type")
		if rig.Native != nil {
			assert.True(t, b.As(rig.Native), "As(%T)", rig.Native)
		}
	})
	t.Run("concurrent-use", func(t *testing.T) {
		// Reads beside a power call, as host maintenance's audit runs
		// beside an action: every call answers, and the host stays on.
		b := rig.New(t)
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for i := range 10 {
			wg.Go(func() {
				ctx, cancel := call(t)
				defer cancel()
				var err error
				switch i % 5 {
				case 0:
					err = b.Power(ctx, hostmgmt.OpPowerOn)
				case 1:
					_, err = b.Sensors(ctx)
				default:
					var st hostmgmt.PowerState
					if st, err = b.PowerState(ctx); err == nil && !st.Valid() {
						err = errors.New("invalid power state " + string(st))
					}
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			assert.NoError(t, err)
		}
		waitPower(t, b, hostmgmt.PowerOn)
	})
}
