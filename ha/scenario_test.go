package ha_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
)

// scenario is one golden file under testdata/scenarios: a model (a file
// under testdata/models, or "default"), a group, its initial state, then
// events fed to StepGroup in order, each with the group's and members'
// states and the actions expected out.
type scenario struct {
	Description string `json:"description"`
	Model       string `json:"model"`
	Group       string `json:"group"`
	// Others are the states of services of other groups.
	Others map[string]ha.ServiceState `json:"others"`
	// Initial, when set, replaces NewGroupRun's state; its times are
	// seconds after the start.
	Initial *ha.GroupRun   `json:"initial"`
	Steps   []scenarioStep `json:"steps"`
}

type scenarioStep struct {
	// At is seconds after the scenario's start.
	At     float64                    `json:"at"`
	Event  ha.GroupEvent              `json:"event"`
	Others map[string]ha.ServiceState `json:"others"`
	// Error is the refusal's rule; the state must then be unchanged and
	// no actions returned.
	Error string `json:"error"`
	// Expected group values after the step.
	State     ha.GroupState `json:"state"`
	Status    ha.Status     `json:"status"`
	Condition ha.Condition  `json:"condition"`
	// Services: every member's state.
	Services map[string]ha.ServiceState `json:"services"`
	// ServiceStatus and Failures, when set, are checked for the members
	// they name (others must be healthy and without failures).
	ServiceStatus map[string]ha.Status `json:"service_status"`
	Failures      map[string]int       `json:"failures"`
	// Deadline, when set, is the group's next deadline in seconds after
	// the start (-1: none).
	Deadline *float64    `json:"deadline"`
	Actions  []ha.Action `json:"actions"`
}

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func seconds(d float64) time.Time { return epoch.Add(time.Duration(d * float64(time.Second))) }

func loadScenario(t *testing.T, path string) scenario {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var sc scenario
	require.NoError(t, dec.Decode(&sc), "decoding %s", path)
	require.NotEmpty(t, sc.Steps, "%s has no steps", path)
	return sc
}

func loadTestModel(t *testing.T, name string) *ha.Model {
	t.Helper()
	if name == "default" {
		return ha.DefaultModel()
	}
	f, err := os.Open(filepath.Join("testdata/models", name))
	require.NoError(t, err)
	defer f.Close()
	m, err := ha.LoadModel(f)
	require.NoError(t, err)
	return m
}

// rebase moves the times of a state written in seconds after epoch zero
// (1970) to seconds after the scenario's epoch.
func rebase(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return epoch.Add(t.Sub(time.Unix(0, 0)))
}

func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			sc := loadScenario(t, f)
			m := loadTestModel(t, sc.Model)
			g, err := ha.NewGroupRun(m, sc.Group)
			require.NoError(t, err)
			if sc.Initial != nil {
				g = *sc.Initial
				g.DebounceUntil = rebase(g.DebounceUntil)
				for i := range g.Services {
					g.Services[i].Deadline = rebase(g.Services[i].Deadline)
					g.Services[i].CountdownAt = rebase(g.Services[i].CountdownAt)
				}
			}
			others := sc.Others
			for i, st := range sc.Steps {
				if st.Others != nil {
					others = st.Others
				}
				next, acts, err := ha.StepGroup(g, st.Event, seconds(st.At), ha.GroupConfig{Model: m, Others: others})
				if st.Error != "" {
					require.Error(t, err, "step %d: expected refusal %s", i, st.Error)
					var re *ha.RuleError
					var fe *ha.FieldError
					switch {
					case errors.As(err, &re):
						assert.Equal(t, st.Error, re.Rule, "step %d: %v", i, err)
					case errors.As(err, &fe):
						assert.Equal(t, st.Error, "invalid", "step %d: %v", i, err)
					case errors.Is(err, ha.ErrNotFound):
						assert.Equal(t, st.Error, "not-found", "step %d: %v", i, err)
					default:
						t.Fatalf("step %d: unexpected error %v", i, err)
					}
					assert.Equal(t, g, next, "step %d: refused step changed the state", i)
					assert.Empty(t, acts, "step %d: refused step returned actions", i)
					continue
				}
				require.NoError(t, err, "step %d (%s %s %s)", i, st.Event.Kind, st.Event.Service, st.Event.Event.Kind)
				assert.Equal(t, st.State, next.State, "step %d state", i)
				assert.Equal(t, st.Status, next.Status, "step %d status", i)
				assert.Equal(t, st.Condition, next.Condition, "step %d condition", i)
				got := map[string]ha.ServiceState{}
				for _, s := range next.Services {
					got[s.Name] = s.State
				}
				assert.Equal(t, st.Services, got, "step %d services", i)
				for _, s := range next.Services {
					assert.Equal(t, st.ServiceStatus[s.Name], s.Status, "step %d status of %s", i, s.Name)
					if st.Failures != nil {
						assert.Equal(t, st.Failures[s.Name], s.Failures, "step %d failures of %s", i, s.Name)
					}
				}
				if st.Deadline != nil {
					var dl float64 = -1
					if d := next.NextDeadline(); !d.IsZero() {
						dl = d.Sub(epoch).Seconds()
					}
					assert.Equal(t, *st.Deadline, dl, "step %d deadline", i)
				}
				if len(st.Actions) == 0 {
					assert.Empty(t, acts, "step %d actions", i)
				} else {
					assert.Equal(t, st.Actions, acts, "step %d actions", i)
				}
				// The daemon persists the state as JSON: it must come back
				// the same.
				b, err := json.Marshal(next)
				require.NoError(t, err)
				var back ha.GroupRun
				require.NoError(t, json.Unmarshal(b, &back))
				require.Equal(t, next, back, "step %d: state does not survive JSON", i)
				g = back
			}
		})
	}
}
