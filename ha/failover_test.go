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

// failoverScenario is one golden file under testdata/failover: a
// configuration, an initial state (times are seconds after the Unix
// epoch, which is the scenario's start), then events fed to StepFailover
// in order, each with the phase, role and actions expected out.
type failoverScenario struct {
	Description string             `json:"description"`
	Config      failoverConfigJSON `json:"config"`
	Initial     ha.FailoverState   `json:"initial"`
	Steps       []failoverStepJSON `json:"steps"`
}

type failoverConfigJSON struct {
	// Node and Peer default to controller-0 and controller-1, Paths to
	// mgmt, oam and cluster-host.
	Node               string                `json:"node"`
	Peer               string                `json:"peer"`
	Paths              []string              `json:"paths"`
	Fence              bool                  `json:"fence"`
	Witness            bool                  `json:"witness"`
	DriftMargin        float64               `json:"drift_margin"` // seconds
	WaitInterval       float64               `json:"wait_interval"`
	FailPendingDelay   float64               `json:"fail_pending_delay"`
	RetryInterval      float64               `json:"retry_interval"`
	SplitBrainRecovery ha.SplitBrainRecovery `json:"split_brain_recovery"`
}

func secs(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

func (c failoverConfigJSON) config() ha.FailoverConfig {
	cfg := ha.FailoverConfig{Node: c.Node, Peer: c.Peer, Paths: c.Paths, Fence: c.Fence, Witness: c.Witness,
		DriftMargin: secs(c.DriftMargin), WaitInterval: secs(c.WaitInterval), FailPendingDelay: secs(c.FailPendingDelay),
		RetryInterval: secs(c.RetryInterval), SplitBrainRecovery: c.SplitBrainRecovery}
	if cfg.Node == "" {
		cfg.Node = "controller-0"
	}
	if cfg.Peer == "" {
		cfg.Peer = "controller-1"
	}
	if cfg.Paths == nil {
		cfg.Paths = []string{"mgmt", "oam", "cluster-host"}
	}
	return cfg
}

type failoverStepJSON struct {
	// At is seconds after the start.
	At    float64          `json:"at"`
	Event ha.FailoverEvent `json:"event"`
	// Error: the step must be refused with a *FieldError naming this
	// field, changing nothing.
	Error   string             `json:"error"`
	Phase   ha.FailoverPhase   `json:"phase"`
	Role    ha.ControllerState `json:"role"`
	Blocked bool               `json:"blocked"`
	// Deadline, when set, is NextDeadline in seconds (-1: none).
	Deadline *float64            `json:"deadline"`
	Actions  []ha.FailoverAction `json:"actions"`
}

var failoverEpoch = time.Unix(0, 0).UTC()

func TestFailoverScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/failover/*.json")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 10)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			var sc failoverScenario
			require.NoError(t, dec.Decode(&sc))
			require.NotEmpty(t, sc.Steps)
			cfg := sc.Config.config()
			s := sc.Initial
			for i, st := range sc.Steps {
				now := failoverEpoch.Add(secs(st.At))
				next, acts, err := ha.StepFailover(s, st.Event, now, cfg)
				if st.Error != "" {
					var fe *ha.FieldError
					require.ErrorAs(t, err, &fe, "step %d", i)
					assert.Equal(t, st.Error, fe.Field, "step %d", i)
					assert.Equal(t, s, next, "step %d: refused step changed the state", i)
					assert.Empty(t, acts, "step %d", i)
					continue
				}
				require.NoError(t, err, "step %d (%s)", i, st.Event.Kind)
				assert.Equal(t, st.Phase, next.Phase, "step %d (%s) phase", i, st.Event.Kind)
				assert.Equal(t, st.Role, next.Role, "step %d (%s) role", i, st.Event.Kind)
				assert.Equal(t, st.Blocked, next.Blocked, "step %d (%s) blocked", i, st.Event.Kind)
				if len(st.Actions) == 0 {
					assert.Empty(t, acts, "step %d (%s) actions", i, st.Event.Kind)
				} else {
					assert.Equal(t, st.Actions, acts, "step %d (%s) actions", i, st.Event.Kind)
				}
				if st.Deadline != nil {
					dl := -1.0
					if d := next.NextDeadline(cfg); !d.IsZero() {
						dl = d.Sub(failoverEpoch).Seconds()
					}
					assert.InDelta(t, *st.Deadline, dl, 1e-9, "step %d (%s) deadline", i, st.Event.Kind)
				}
				// The caller persists the state as JSON.
				b, err := json.Marshal(next)
				require.NoError(t, err)
				var back ha.FailoverState
				require.NoError(t, json.Unmarshal(b, &back))
				require.Equal(t, next, back, "step %d: state does not survive JSON", i)
				s = back
			}
		})
	}
}

func TestFailoverRefusals(t *testing.T) {
	cfg := ha.FailoverConfig{Node: "a", Peer: "b", Paths: []string{"mgmt"}}
	now := failoverEpoch
	for _, tc := range []struct {
		ev    ha.FailoverEvent
		cfg   ha.FailoverConfig
		field string
	}{
		{ha.FailoverEvent{Kind: "bogus"}, cfg, "kind"},
		{ha.FailoverEvent{Kind: ha.FailoverPathDown, Path: "oam"}, cfg, "path"},
		{ha.FailoverEvent{Kind: ha.FailoverPeerState, Role: "boss"}, cfg, "role"},
		{ha.FailoverEvent{Kind: ha.FailoverClusterView, View: &ha.ClusterView{Hosts: -1}}, cfg, "view.hosts"},
		{ha.FailoverEvent{Kind: ha.FailoverLeaseGranted}, cfg, "lease_until"},
		{ha.FailoverEvent{Kind: ha.FailoverTimer}, ha.FailoverConfig{Peer: "b", Paths: []string{"mgmt"}}, "node"},
		{ha.FailoverEvent{Kind: ha.FailoverTimer}, ha.FailoverConfig{Node: "a", Peer: "a", Paths: []string{"mgmt"}}, "peer"},
		{ha.FailoverEvent{Kind: ha.FailoverTimer}, ha.FailoverConfig{Node: "a", Peer: "b"}, "paths"},
		{ha.FailoverEvent{Kind: ha.FailoverTimer}, ha.FailoverConfig{Node: "a", Peer: "b", Paths: []string{"mgmt"}, SplitBrainRecovery: "coin"}, "split_brain_recovery"},
	} {
		s := ha.FailoverState{Phase: ha.FailoverNormal, Role: ha.ControllerActive, Paths: map[string]bool{"mgmt": true}}
		next, acts, err := ha.StepFailover(s, tc.ev, now, tc.cfg)
		var fe *ha.FieldError
		require.ErrorAs(t, err, &fe, "%+v", tc.ev)
		assert.True(t, errors.Is(err, ha.ErrInvalid))
		assert.Equal(t, tc.field, fe.Field)
		assert.Equal(t, s, next)
		assert.Empty(t, acts)
	}
	// JSON of a state or event with a bad enum is refused naming it.
	var ev ha.FailoverEvent
	err := json.Unmarshal([]byte(`{"kind":"path-gone"}`), &ev)
	var fe *ha.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "kind", fe.Field)
	var st ha.FailoverState
	require.ErrorAs(t, json.Unmarshal([]byte(`{"phase":"dreaming"}`), &st), &fe)
	assert.Equal(t, "phase", fe.Field)
}

func TestHealthScore(t *testing.T) {
	assert.Equal(t, 0, ha.InterfaceDown{}.Score())
	assert.Equal(t, -1, ha.InterfaceDown{OAM: true}.Score())
	assert.Equal(t, -2, ha.InterfaceDown{ClusterHost: true}.Score())
	assert.Equal(t, -4, ha.InterfaceDown{Mgmt: true}.Score())
	assert.Equal(t, -7, ha.InterfaceDown{Mgmt: true, OAM: true, ClusterHost: true}.Score())
	// OAM and cluster-host down together still beat mgmt down.
	assert.Greater(t, ha.InterfaceDown{OAM: true, ClusterHost: true}.Score(), ha.InterfaceDown{Mgmt: true}.Score())
}
