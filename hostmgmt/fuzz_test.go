package hostmgmt_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
)

// FuzzParseAdminAction: the parser accepts exactly the known actions and
// names the field otherwise.
func FuzzParseAdminAction(f *testing.F) {
	for _, s := range []string{"lock", "force-lock", "power-on", "", "LOCK", "lock\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := hostmgmt.ParseAdminAction(s)
		if err != nil {
			var fe *hostmgmt.FieldError
			if !errors.As(err, &fe) || fe.Field != "action" || !errors.Is(err, hostmgmt.ErrInvalid) {
				t.Fatalf("%q: error %v does not name the action field", s, err)
			}
			return
		}
		if string(a) != s || !a.Valid() {
			t.Fatalf("%q parsed as %q", s, a)
		}
	})
}

// FuzzStep: any decodable event applied to a valid state either is
// refused with the state unchanged, or yields a state with valid enums.
func FuzzStep(f *testing.F) {
	f.Add(`{"kind":"admin","action":"unlock"}`, 0, uint8(0))
	f.Add(`{"kind":"heartbeat-loss"}`, 5, uint8(1))
	f.Add(`{"kind":"timer"}`, 1300, uint8(2))
	f.Add(`{"kind":"mtcalive","configured":true}`, 3, uint8(3))
	starts := []hostmgmt.State{
		{Administrative: inventory.AdminLocked, Operational: inventory.OperDisabled, Availability: inventory.AvailOnline, Action: hostmgmt.ActionNone},
		{Administrative: inventory.AdminUnlocked, Operational: inventory.OperEnabled, Availability: inventory.AvailAvailable, Action: hostmgmt.ActionNone},
		{Administrative: inventory.AdminUnlocked, Operational: inventory.OperDisabled, Availability: inventory.AvailOffline, Action: hostmgmt.ActionUnlock, Stage: hostmgmt.StageMtcAliveWait, Deadline: time.Date(2026, 1, 1, 0, 20, 0, 0, time.UTC)},
		{Administrative: inventory.AdminLocked, Operational: inventory.OperDisabled, Availability: inventory.AvailPowerOff, Action: hostmgmt.ActionNone},
	}
	f.Fuzz(func(t *testing.T, evJSON string, at int, which uint8) {
		var ev hostmgmt.Event
		if json.Unmarshal([]byte(evJSON), &ev) != nil {
			return
		}
		s := starts[int(which)%len(starts)]
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(at) * time.Second)
		for _, sys := range []hostmgmt.SystemContext{
			{Personality: inventory.PersonalityWorker},
			{Personality: inventory.PersonalityController, ActiveController: true, StandbyHealthy: true, EnabledControllers: 2},
			{Personality: inventory.PersonalityController, Simplex: true, ActiveController: true, EnabledControllers: 1},
		} {
			next, acts, err := hostmgmt.Step(s, ev, now, hostmgmt.DefaultTimings(), sys)
			if err != nil {
				if !errors.Is(err, hostmgmt.ErrInvalid) && !errors.Is(err, hostmgmt.ErrInvalidTransition) {
					t.Fatalf("unexpected error kind: %v", err)
				}
				if len(acts) != 0 {
					t.Fatalf("refused step returned actions %v", acts)
				}
				continue
			}
			if !next.Administrative.Valid() || !next.Operational.Valid() || !next.Availability.Valid() || !next.Action.Valid() {
				t.Fatalf("invalid state %+v after %+v", next, ev)
			}
			if len(next.Task) > 63 {
				t.Fatalf("task too long: %q", next.Task)
			}
		}
	})
}
