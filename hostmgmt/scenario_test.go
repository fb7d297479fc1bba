package hostmgmt_test

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

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
)

// scenario is one golden file under testdata/scenarios: an initial
// state, then events fed to Step in order, each with the state, deadline
// and actions (or refusal) expected out.
type scenario struct {
	Description string                 `json:"description"`
	System      hostmgmt.SystemContext `json:"system"`
	// Timings, when set, override fields of DefaultTimings.
	Timings json.RawMessage `json:"timings"`
	Initial hostmgmt.State  `json:"initial"`
	Steps   []scenarioStep  `json:"steps"`
}

type scenarioStep struct {
	// At is seconds after the scenario's start.
	At    float64        `json:"at"`
	Event hostmgmt.Event `json:"event"`
	// System, when set, replaces the scenario's system context from this
	// step on.
	System *hostmgmt.SystemContext `json:"system"`
	// Error is the refusal's rule; the state must then be unchanged and
	// no actions returned.
	Error string `json:"error"`
	// Expected state after the step (checked unless Error is set).
	Administrative inventory.AdminState   `json:"administrative"`
	Operational    inventory.OperState    `json:"operational"`
	Availability   inventory.Availability `json:"availability"`
	Task           hostmgmt.Task          `json:"task"`
	Action         hostmgmt.AdminAction   `json:"action"`
	Stage          hostmgmt.Stage         `json:"stage"`
	// Deadline is seconds after the scenario's start; 0 means none.
	Deadline float64                `json:"deadline"`
	Failures map[hostmgmt.Cause]int `json:"failures"`
	Actions  []hostmgmt.Action      `json:"actions"`
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

// TestScenariosReachEveryStage fails when a stage is added without a
// scenario that enters it.
func TestScenariosReachEveryStage(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.json")
	require.NoError(t, err)
	seen := map[hostmgmt.Stage]bool{}
	for _, f := range files {
		for _, st := range loadScenario(t, f).Steps {
			if st.Error == "" {
				seen[st.Stage] = true
			}
		}
	}
	for _, stage := range hostmgmt.Stages() {
		assert.True(t, seen[stage], "no scenario reaches stage %q", stage)
	}
}

// TestScenariosExerciseEveryRule fails when a refusal rule has no
// scenario.
func TestScenariosExerciseEveryRule(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.json")
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, f := range files {
		for _, st := range loadScenario(t, f).Steps {
			seen[st.Error] = true
		}
	}
	for _, rule := range []string{hostmgmt.RuleActiveController, hostmgmt.RuleLastController, hostmgmt.RuleAlreadyLocked,
		hostmgmt.RuleAlreadyUnlocked, hostmgmt.RuleNeedsLocked, hostmgmt.RuleSimplex, hostmgmt.RuleBusy,
		hostmgmt.RulePowerState, hostmgmt.RuleSwact, hostmgmt.RuleEvent} {
		assert.True(t, seen[rule], "no scenario is refused by rule %q", rule)
	}
}

func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			sc := loadScenario(t, f)
			timings := hostmgmt.DefaultTimings()
			if sc.Timings != nil {
				require.NoError(t, json.Unmarshal(sc.Timings, &timings))
			}
			sys := sc.System
			s := sc.Initial
			for i, st := range sc.Steps {
				if st.System != nil {
					sys = *st.System
				}
				next, acts, err := hostmgmt.Step(s, st.Event, seconds(st.At), timings, sys)
				if st.Error != "" {
					require.Error(t, err, "step %d (%s): expected refusal %s", i, st.Event.Kind, st.Error)
					require.ErrorIs(t, err, hostmgmt.ErrInvalidTransition, "step %d", i)
					var re *hostmgmt.RuleError
					require.True(t, errors.As(err, &re), "step %d: %v is not a RuleError", i, err)
					assert.Equal(t, st.Error, re.Rule, "step %d: %v", i, err)
					assert.Equal(t, s, next, "step %d: refused step changed the state", i)
					assert.Empty(t, acts, "step %d: refused step returned actions", i)
					continue
				}
				require.NoError(t, err, "step %d (%s %s)", i, st.Event.Kind, st.Event.Action)
				assert.Equal(t, st.Administrative, next.Administrative, "step %d administrative", i)
				assert.Equal(t, st.Operational, next.Operational, "step %d operational", i)
				assert.Equal(t, st.Availability, next.Availability, "step %d availability", i)
				assert.Equal(t, st.Task, next.Task, "step %d task", i)
				assert.Equal(t, st.Action, next.Action, "step %d action", i)
				assert.Equal(t, st.Stage, next.Stage, "step %d stage", i)
				var dl float64
				if !next.Deadline.IsZero() {
					dl = next.Deadline.Sub(epoch).Seconds()
				}
				assert.Equal(t, st.Deadline, dl, "step %d deadline", i)
				if st.Failures != nil {
					assert.Equal(t, st.Failures, next.Failures, "step %d failures", i)
				}
				if len(st.Actions) == 0 {
					assert.Empty(t, acts, "step %d actions", i)
				} else {
					assert.Equal(t, st.Actions, acts, "step %d actions", i)
				}
				// The manager persists the state as JSON: it must come back
				// the same, so an FSM resumes after a restart.
				b, err := json.Marshal(next)
				require.NoError(t, err)
				var back hostmgmt.State
				require.NoError(t, json.Unmarshal(b, &back))
				require.Equal(t, next, back, "step %d: state does not survive JSON", i)
				s = back
			}
		})
	}
}
