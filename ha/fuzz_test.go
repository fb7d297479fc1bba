package ha_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/edgeflock/flock/ha"
)

// FuzzLoadModel: any input either loads into a model that satisfies the
// invariants the state machines rely on, or is refused with a
// *FieldError wrapping ErrInvalid; the loader never panics.
func FuzzLoadModel(f *testing.F) {
	f.Add(base)
	f.Add(string(ha.DefaultYAML()))
	if b, err := os.ReadFile("testdata/models/chain.yaml"); err == nil {
		f.Add(string(b))
	}
	f.Add("services: [{name: a, actions: [{action: enable, plugin_type: go, plugin_name: x, timeout: 1s}]}]")
	f.Add("a: &x [*x]")
	f.Add("services:\n  - name: a\n    dependencies: [{type: state, state: enabled-active, dependent: a, dependent_state: disabled}]\n")
	f.Fuzz(func(t *testing.T, y string) {
		m, err := ha.LoadModel(strings.NewReader(y))
		if err != nil {
			var fe *ha.FieldError
			if !errors.Is(err, ha.ErrInvalid) || !errors.As(err, &fe) || fe.Field == "" {
				t.Fatalf("error %v is not a *FieldError naming a field", err)
			}
			return
		}
		for _, g := range m.ServiceGroups {
			for _, mem := range g.Services {
				if _, err := m.Service(mem.Service); err != nil {
					t.Fatalf("group %s: unresolved member %s", g.Name, mem.Service)
				}
				if !mem.FailureImpact.Valid() {
					t.Fatalf("invalid impact %q", mem.FailureImpact)
				}
			}
			// A loaded group runs: drive it active with every action
			// succeeding at once; it must get there.
			run, err := ha.NewGroupRun(m, g.Name)
			if err != nil {
				t.Fatal(err)
			}
			others := map[string]ha.ServiceState{}
			for _, s := range m.Services {
				others[s.Name] = ha.ServiceEnabledActive
			}
			cfg := ha.GroupConfig{Model: m, Others: others}
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			run, acts, err := ha.StepGroup(run, ha.GroupEvent{Kind: ha.GroupEventGoActive}, now, cfg)
			for range 4*len(run.Services) + 4 {
				if err != nil {
					t.Fatalf("group %s: %v", g.Name, err)
				}
				var next []ha.Action
				for _, a := range acts {
					if a.Kind != ha.DoRun {
						continue
					}
					var more []ha.Action
					run, more, err = ha.StepGroup(run, ha.GroupEvent{Kind: ha.GroupEventService, Service: a.Service, Event: ha.ResultEvent(a.Action, ha.ResultSuccess)}, now, cfg)
					if err != nil {
						t.Fatalf("group %s: %v", g.Name, err)
					}
					next = append(next, more...)
				}
				acts = next
			}
			for _, s := range run.Services {
				if s.State != ha.ServiceEnabledActive && !strings.HasPrefix(string(s.Action), "audit") {
					t.Fatalf("group %s: %s stuck in %s (action %q)", g.Name, s.Name, s.State, s.Action)
				}
			}
			if run.State != ha.GroupActive {
				t.Fatalf("group %s stuck in %s", g.Name, run.State)
			}
		}
		// A loaded model survives JSON (the REST API shows it).
		b, err := json.Marshal(m)
		if err != nil || !bytes.HasPrefix(b, []byte("{")) {
			t.Fatalf("marshal: %v", err)
		}
	})
}

// FuzzParseServiceState: the parser accepts exactly the known states and
// names the field otherwise.
func FuzzParseServiceState(f *testing.F) {
	for _, s := range []string{"enabled-active", "disabled", "", "ENABLED-ACTIVE", "failed"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ha.ParseServiceState(s)
		if err != nil {
			var fe *ha.FieldError
			if !errors.As(err, &fe) || fe.Field != "state" || !errors.Is(err, ha.ErrInvalid) {
				t.Fatalf("%q: error %v does not name the state field", s, err)
			}
			return
		}
		if string(v) != s || !v.Valid() {
			t.Fatalf("%q parsed as %q", s, v)
		}
	})
}
