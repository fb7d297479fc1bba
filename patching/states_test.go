package patching

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type scenario struct {
	Description string         `json:"description"`
	Machine     string         `json:"machine"` // release, deploy or host
	Initial     string         `json:"initial"`
	Steps       []scenarioStep `json:"steps"`
}

type scenarioStep struct {
	Event string `json:"event"` // deploy and host machines
	To    string `json:"to"`    // release machine: the target state
	State string `json:"state"` // expected state after the step
	Error string `json:"error"` // expected refusal's rule; the state stays
}

func loadScenarios(t *testing.T) map[string]scenario {
	t.Helper()
	files, err := filepath.Glob("testdata/scenarios/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := map[string]scenario{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var sc scenario
		require.NoError(t, dec.Decode(&sc), f)
		require.NotEmpty(t, sc.Steps, f)
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = sc
	}
	return out
}

// step runs one scenario step on the machine and returns the new state.
func (sc scenario) step(t *testing.T, state string, st scenarioStep) (string, error) {
	t.Helper()
	switch sc.Machine {
	case "release":
		require.Empty(t, st.Event)
		if err := ReleaseTransition(ReleaseState(state), ReleaseState(st.To)); err != nil {
			return state, err
		}
		return st.To, nil
	case "deploy":
		var ev DeployEvent
		require.NoError(t, ev.UnmarshalText([]byte(st.Event)))
		s, err := StepDeploy(DeployState(state), ev)
		return string(s), err
	case "host":
		var ev HostDeployEvent
		require.NoError(t, ev.UnmarshalText([]byte(st.Event)))
		s, err := StepHostDeploy(HostDeployState(state), ev)
		return string(s), err
	}
	t.Fatalf("unknown machine %q", sc.Machine)
	return "", nil
}

func TestScenarios(t *testing.T) {
	for name, sc := range loadScenarios(t) {
		t.Run(name, func(t *testing.T) {
			s := sc.Initial
			for i, st := range sc.Steps {
				next, err := sc.step(t, s, st)
				if st.Error != "" {
					require.Error(t, err, "step %d (%s%s): expected refusal %s", i, st.Event, st.To, st.Error)
					require.ErrorIs(t, err, ErrInvalidTransition, "step %d", i)
					var re *RuleError
					require.True(t, errors.As(err, &re), "step %d: %v", i, err)
					assert.Equal(t, st.Error, re.Rule, "step %d: %v", i, err)
					assert.Equal(t, s, next, "step %d: a refused step changed the state", i)
					continue
				}
				require.NoError(t, err, "step %d (%s%s)", i, st.Event, st.To)
				require.Equal(t, st.State, next, "step %d (%s%s)", i, st.Event, st.To)
				s = next
			}
		})
	}
}

// TestScenariosCover fails when a state, an event or a rule is added
// without a scenario that reaches or uses it.
func TestScenariosCover(t *testing.T) {
	seen := map[string]bool{}
	for _, sc := range loadScenarios(t) {
		for _, st := range sc.Steps {
			if st.Error != "" {
				seen[sc.Machine+" rule "+st.Error] = true
				continue
			}
			seen[sc.Machine+" state "+st.State] = true
			if st.Event != "" {
				seen[sc.Machine+" event "+st.Event] = true
			}
		}
	}
	var want []string
	for _, s := range ReleaseStates() {
		if s != ReleaseUploading {
			want = append(want, "release state "+string(s))
		}
	}
	for _, s := range append(DeployStates(), DeployNone) {
		want = append(want, "deploy state "+string(s))
	}
	for _, e := range DeployEvents() {
		want = append(want, "deploy event "+string(e))
	}
	for _, s := range HostDeployStates() {
		if s != HostPending {
			want = append(want, "host state "+string(s))
		}
	}
	for _, e := range HostDeployEvents() {
		want = append(want, "host event "+string(e))
	}
	want = append(want, "release rule "+RuleReleaseTransition, "deploy rule "+RuleDeployTransition,
		"deploy rule "+RuleNoDeploy, "deploy rule "+RuleDeployExists, "host rule "+RuleHostTransition)
	for _, w := range want {
		assert.True(t, seen[w], "no scenario covers %s", w)
	}
}

// TestReleaseTransitionTable checks every pair of states against §4.2's
// list and the additions from USM's release_state.py.
func TestReleaseTransitionTable(t *testing.T) {
	valid := map[[2]ReleaseState]bool{
		{ReleaseUploading, ReleaseAvailable}: true, {ReleaseUploading, ReleaseUploadFailed}: true,
		{ReleaseAvailable, ReleaseDeploying}: true, {ReleaseAvailable, ReleaseUnavailable}: true,
		{ReleaseDeploying, ReleaseDeployed}: true, {ReleaseDeploying, ReleaseAvailable}: true,
		{ReleaseDeployed, ReleaseRemoving}: true, {ReleaseDeployed, ReleaseUnavailable}: true, {ReleaseDeployed, ReleaseCommitted}: true,
		{ReleaseRemoving, ReleaseAvailable}: true,
	}
	n := 0
	for _, from := range ReleaseStates() {
		for _, to := range ReleaseStates() {
			err := ReleaseTransition(from, to)
			if valid[[2]ReleaseState{from, to}] {
				n++
				assert.NoError(t, err, "%s -> %s", from, to)
			} else {
				var re *RuleError
				require.ErrorAs(t, err, &re, "%s -> %s", from, to)
				assert.Equal(t, RuleReleaseTransition, re.Rule)
			}
		}
	}
	assert.Equal(t, len(valid), n)
	var fe *FieldError
	require.ErrorAs(t, ReleaseTransition("bogus", ReleaseAvailable), &fe)
	assert.Equal(t, "state", fe.Field)
	assert.ErrorIs(t, ReleaseTransition(ReleaseAvailable, "bogus"), ErrInvalid)
}

func TestDeployTransitionTable(t *testing.T) {
	valid := map[DeployState][]DeployState{
		DeployNone:                   {DeployStart},
		DeployStart:                  {DeployStartDone, DeployStartFailed},
		DeployStartFailed:            {DeployNone},
		DeployStartDone:              {DeployHost},
		DeployHost:                   {DeployHost, DeployHostFailed, DeployHostDone, DeployHostRollback},
		DeployHostFailed:             {DeployHost, DeployHostFailed, DeployHostDone, DeployHostRollback},
		DeployHostDone:               {DeployActivate, DeployHostRollback, DeployHostFailed},
		DeployHostRollback:           {DeployHostRollback, DeployHostRollbackFailed, DeployHostRollbackDone},
		DeployHostRollbackFailed:     {DeployHostRollback, DeployHostRollbackDone},
		DeployHostRollbackDone:       {DeployNone},
		DeployActivate:               {DeployActivateDone, DeployActivateFailed},
		DeployActivateFailed:         {DeployActivate, DeployActivateRollbackPend},
		DeployActivateDone:           {DeployCompleted, DeployActivateRollbackPend},
		DeployActivateRollbackPend:   {DeployActivateRollback},
		DeployActivateRollback:       {DeployActivateRollbackDone, DeployActivateRollbackFailed},
		DeployActivateRollbackFailed: {DeployActivateRollback},
		DeployActivateRollbackDone:   {DeployHostRollback},
		DeployCompleted:              {DeployActivateRollbackPend, DeployNone},
	}
	all := append(DeployStates(), DeployNone)
	for _, from := range all {
		for _, to := range all {
			err := DeployTransition(from, to)
			if slices.Contains(valid[from], to) {
				assert.NoError(t, err, "%s -> %s", from, to)
			} else {
				assert.ErrorIs(t, err, ErrInvalidTransition, "%s -> %s", from, to)
			}
		}
	}
	// StepDeploy never leaves the table, and never changes a refused state.
	for _, s := range all {
		for _, ev := range DeployEvents() {
			next, err := StepDeploy(s, ev)
			if err != nil {
				assert.Equal(t, s, next)
				continue
			}
			assert.NoError(t, DeployTransition(s, next), "%s --%s--> %s", s, ev, next)
		}
	}
	_, err := StepDeploy(DeployHost, "bogus")
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "event", fe.Field)
}

func TestHostTransitionTable(t *testing.T) {
	valid := map[HostDeployState][]HostDeployState{
		HostPending:           {HostDeploying, HostRollbackDeployed},
		HostDeploying:         {HostDeployed, HostFailed},
		HostFailed:            {HostDeploying, HostRollbackDeployed, HostRollbackPending},
		HostDeployed:          {HostRollbackPending},
		HostRollbackPending:   {HostRollbackDeploying},
		HostRollbackDeploying: {HostRollbackDeployed, HostRollbackFailed},
		HostRollbackFailed:    {HostRollbackDeploying},
	}
	for _, from := range HostDeployStates() {
		for _, to := range HostDeployStates() {
			err := HostDeployTransition(from, to)
			if slices.Contains(valid[from], to) {
				assert.NoError(t, err, "%s -> %s", from, to)
			} else {
				assert.ErrorIs(t, err, ErrInvalidTransition, "%s -> %s", from, to)
			}
		}
	}
}

func TestEnums(t *testing.T) {
	var rs ReleaseState
	require.NoError(t, json.Unmarshal([]byte(`"deployed"`), &rs))
	assert.Equal(t, ReleaseDeployed, rs)
	var fe *FieldError
	require.ErrorAs(t, json.Unmarshal([]byte(`"Deployed"`), &rs), &fe)
	assert.Equal(t, "state", fe.Field)
	require.Error(t, json.Unmarshal([]byte(`""`), &rs))

	var ds DeployState
	require.NoError(t, json.Unmarshal([]byte(`""`), &ds))
	assert.Equal(t, DeployNone, ds)
	assert.Equal(t, "none", ds.String())
	require.NoError(t, json.Unmarshal([]byte(`"activate-rollback-pending"`), &ds))
	assert.Equal(t, DeployActivateRollbackPend, ds)
	assert.Error(t, json.Unmarshal([]byte(`"none"`), &ds))

	for _, tc := range []struct {
		parse func(string) error
		good  string
	}{
		{func(s string) error { _, err := ParseHostDeployState(s); return err }, "rollback-failed"},
		{func(s string) error { _, err := ParseDeployEvent(s); return err }, "activate-rollback"},
		{func(s string) error { _, err := ParseHostDeployEvent(s); return err }, "rollback-started"},
		{func(s string) error { _, err := ParseRepoState(s); return err }, "Applied"},
		{func(s string) error { _, err := ParsePatchState(s); return err }, "Partial-Remove"},
		{func(s string) error { _, err := ParseAgentState(s); return err }, "install-rejected"},
		{func(s string) error { _, err := ParseDeployState(s); return err }, "host-rollback-failed"},
		{func(s string) error { _, err := ParseReleaseState(s); return err }, "upload-failed"},
	} {
		assert.NoError(t, tc.parse(tc.good))
		assert.ErrorIs(t, tc.parse(strings.ToUpper(tc.good)+"x"), ErrInvalid)
	}
}

func TestReleaseRules(t *testing.T) {
	for _, s := range ReleaseStates() {
		deletable := s == ReleaseAvailable || s == ReleaseUnavailable || s == ReleaseUploadFailed
		assert.Equal(t, deletable, s.Deletable(), "%s", s)
		if deletable {
			assert.NoError(t, CheckDelete("R", s))
		} else {
			assert.ErrorIs(t, CheckDelete("R", s), ErrInvalidTransition)
		}
		start := s == ReleaseAvailable || s == ReleaseDeployed
		if start {
			assert.NoError(t, CheckDeployStart("R", s))
		} else {
			var re *RuleError
			require.ErrorAs(t, CheckDeployStart("R", s), &re, "%s", s)
			assert.Equal(t, RuleDeployStart, re.Rule)
		}
	}
	var re *RuleError
	require.ErrorAs(t, CheckHostInstall("compute-0", true, false), &re)
	assert.Equal(t, RuleNeedsLocked, re.Rule)
	assert.NoError(t, CheckHostInstall("compute-0", true, true))
	assert.NoError(t, CheckHostInstall("compute-0", false, false))
}

func TestHostsEvent(t *testing.T) {
	for _, tc := range []struct {
		state DeployState
		hosts []HostDeployState
		want  DeployEvent
		ok    bool
	}{
		{DeployHost, []HostDeployState{HostDeployed, HostFailed, HostDeploying}, EventHostFailed, true},
		{DeployHost, []HostDeployState{HostDeployed, HostPending}, EventHost, true},
		{DeployHost, []HostDeployState{HostDeployed, HostDeployed}, EventHostDone, true},
		{DeployHostFailed, []HostDeployState{HostDeployed}, EventHostDone, true},
		{DeployHostRollback, []HostDeployState{HostRollbackDeployed, HostRollbackDeployed}, EventHostDone, true},
		{DeployHostRollback, []HostDeployState{HostRollbackFailed, HostRollbackDeployed}, EventHostFailed, true},
		{DeployHostRollback, []HostDeployState{HostDeployed, HostRollbackDeployed}, "", false},
		{DeployActivate, []HostDeployState{HostDeployed}, "", false},
		{DeployHost, nil, "", false},
	} {
		ev, ok := HostsEvent(tc.state, tc.hosts)
		assert.Equal(t, tc.ok, ok, "%s %v", tc.state, tc.hosts)
		assert.Equal(t, tc.want, ev, "%s %v", tc.state, tc.hosts)
	}
}
