package ha_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
)

func TestEnumsStrict(t *testing.T) {
	// Every state of §3.3 parses back to itself; near misses are refused
	// with a *FieldError.
	for _, s := range ha.AllServiceStates() {
		got, err := ha.ParseServiceState(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	assert.Len(t, ha.AllServiceStates(), 11)
	assert.Len(t, ha.AllGroupStates(), 10)
	assert.Len(t, ha.AllConditions(), 10)
	assert.Len(t, ha.AllStatuses(), 4)
	assert.True(t, ha.ConditionFDLimitReached.Valid())
	assert.True(t, ha.RedundancyNPlusM.Valid())
	assert.Equal(t, "N + M", ha.RedundancyNPlusM.String())

	var st ha.GroupState
	err := json.Unmarshal([]byte(`"failed"`), &st)
	var fe *ha.FieldError
	require.True(t, errors.As(err, &fe), "%v", err)
	assert.Equal(t, "state", fe.Field)
	require.ErrorIs(t, err, ha.ErrInvalid)
	var ev ha.ServiceEvent
	require.Error(t, json.Unmarshal([]byte(`{"kind":"enable-sucess"}`), &ev))
	require.NoError(t, json.Unmarshal([]byte(`{"kind":"enable-success"}`), &ev))
	assert.Equal(t, ha.EventEnableSuccess, ev.Kind)
}

func TestResultEvents(t *testing.T) {
	assert.Equal(t, ha.ServiceEvent{Kind: ha.EventGoActiveSuccess}, ha.ResultEvent(ha.ActionGoActive, ha.ResultSuccess))
	assert.Equal(t, ha.ServiceEvent{Kind: ha.EventAuditTimeout}, ha.ResultEvent(ha.ActionAuditEnabled, ha.ResultTimeout))
	assert.Equal(t, ha.ServiceEvent{Kind: ha.EventEnableFailed, Fatal: true}, ha.ResultEvent(ha.ActionEnable, ha.ResultFatal))
	for _, a := range ha.AllActionNames() {
		for _, r := range ha.AllActionResults() {
			assert.True(t, ha.ResultEvent(a, r).Kind.Valid(), "%s %s", a, r)
		}
	}
	for _, tc := range []struct {
		action ha.ActionName
		code   int
		active bool
		result ha.ActionResult
		state  ha.ServiceState
	}{
		{ha.ActionEnable, 0, false, ha.ResultSuccess, ""},
		{ha.ActionEnable, 1, false, ha.ResultFailed, ""},
		{ha.ActionEnable, 5, false, ha.ResultFatal, ""},
		{ha.ActionDisable, 7, false, ha.ResultSuccess, ha.ServiceDisabled},
		{ha.ActionAuditEnabled, 0, true, ha.ResultSuccess, ha.ServiceEnabledActive},
		{ha.ActionAuditEnabled, 0, false, ha.ResultSuccess, ha.ServiceEnabledStandby},
		{ha.ActionAuditEnabled, 7, true, ha.ResultSuccess, ha.ServiceDisabled},
		{ha.ActionAuditEnabled, 7, false, ha.ResultSuccess, ha.ServiceEnabledStandby},
		{ha.ActionAuditEnabled, 8, false, ha.ResultSuccess, ha.ServiceEnabledActive},
	} {
		r, s := ha.OCFResult(tc.action, tc.code, tc.active)
		assert.Equal(t, tc.result, r, "%s exit %d", tc.action, tc.code)
		assert.Equal(t, tc.state, s, "%s exit %d", tc.action, tc.code)
	}
}

func loadYAML(t *testing.T, y string) *ha.Model {
	t.Helper()
	m, err := ha.LoadModel(strings.NewReader(y))
	require.NoError(t, err)
	return m
}

// TestFailureImpact: a member failed for good turns its group's status
// into failed (critical), degraded (major) or warn (minor); none leaves
// it healthy. A fatal result fails the member at its first failure.
func TestFailureImpact(t *testing.T) {
	for impact, want := range map[ha.FailureImpact]ha.Status{
		ha.ImpactCritical: ha.StatusFailed, ha.ImpactMajor: ha.StatusDegraded,
		ha.ImpactMinor: ha.StatusWarn, ha.ImpactNone: ha.StatusNone,
	} {
		t.Run(string(impact), func(t *testing.T) {
			m := loadYAML(t, fmt.Sprintf(`
service_groups:
  - name: g
    services:
      - {service_name: a, service_failure_impact: %s}
      - {service_name: b}
services:
  - name: a
    actions:
      - {action: go-active, plugin_type: go, plugin_name: a, timeout: 5s}
  - name: b
`, impact))
			g, err := ha.NewGroupRun(m, "g")
			require.NoError(t, err)
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			cfg := ha.GroupConfig{Model: m}
			g, _, err = ha.StepGroup(g, ha.GroupEvent{Kind: ha.GroupEventGoActive}, now, cfg)
			require.NoError(t, err)
			g, acts, err := ha.StepGroup(g, ha.GroupEvent{Kind: ha.GroupEventService, Service: "a", Event: ha.ServiceEvent{Kind: ha.EventGoActiveFailed, Fatal: true}}, now, cfg)
			require.NoError(t, err)
			a, _ := g.Service("a")
			assert.True(t, a.Failed())
			assert.Equal(t, ha.ConditionFatalFailure, a.Condition)
			assert.Equal(t, ha.ServiceDisabled, a.State, "a has no disable action: stopped at once")
			assert.Equal(t, want, g.Status)
			assert.Equal(t, ha.GroupActive, g.State, "the other member is active; failed is a status")
			if want != ha.StatusNone {
				assert.Equal(t, ha.ConditionFatalFailure, g.Condition)
				assert.Contains(t, acts, ha.Action{Kind: ha.DoReport, Group: "g", State: ha.GroupActive, Status: want, Condition: ha.ConditionFatalFailure})
			}
			// Not restarted without a recover; restarted after one.
			g2, acts, err := ha.StepGroup(g, ha.GroupEvent{Kind: ha.GroupEventAudit}, now, cfg)
			require.NoError(t, err)
			assert.Equal(t, g, g2)
			assert.Empty(t, acts)
			g, acts, err = ha.StepGroup(g, ha.GroupEvent{Kind: ha.GroupEventRecover}, now, cfg)
			require.NoError(t, err)
			assert.Contains(t, acts, ha.Action{Kind: ha.DoRun, Service: "a", Action: ha.ActionGoActive})
			assert.Equal(t, ha.StatusNone, g.Status)
		})
	}
}

func TestStepServiceRefusals(t *testing.T) {
	m := loadYAML(t, base)
	api, err := m.Service("api")
	require.NoError(t, err)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		s    ha.ServiceRun
		ev   ha.ServiceEventKind
		rule string
	}{
		{"go-active while disabled", ha.ServiceRun{State: ha.ServiceDisabled}, ha.EventGoActive, ha.RuleEvent},
		{"go-standby while enabling", ha.ServiceRun{State: ha.ServiceEnabling, Action: ha.ActionEnable}, ha.EventGoStandby, ha.RuleEvent},
		{"enable of a failed service", ha.ServiceRun{State: ha.ServiceDisabled, Status: ha.StatusFailed}, ha.EventEnable, ha.RuleFailed},
		{"anything after shutdown", ha.ServiceRun{State: ha.ServiceShutdown}, ha.EventEnable, ha.RuleShutdown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.s.Name = "api"
			next, acts, err := ha.StepService(tc.s, ha.ServiceEvent{Kind: tc.ev}, now, api)
			var re *ha.RuleError
			require.True(t, errors.As(err, &re), "%v", err)
			assert.Equal(t, tc.rule, re.Rule)
			require.ErrorIs(t, err, ha.ErrInvalidTransition)
			assert.Equal(t, tc.s, next)
			assert.Empty(t, acts)
		})
	}
	_, _, err = ha.StepService(ha.ServiceRun{}, ha.ServiceEvent{Kind: "bogus"}, now, api)
	require.ErrorIs(t, err, ha.ErrInvalid)
	_, _, err = ha.StepService(ha.ServiceRun{State: ha.ServiceEnabledActive}, ha.ServiceEvent{Kind: ha.EventAuditSuccess}, now, api)
	require.ErrorIs(t, err, ha.ErrInvalid, "audit-success needs the state found")

	// A disable overtakes a running go-active: its plugin is cancelled.
	s := ha.ServiceRun{Name: "api", State: ha.ServiceEnabledGoActive, Action: ha.ActionGoActive, Deadline: now.Add(time.Second)}
	s, acts, err := ha.StepService(s, ha.ServiceEvent{Kind: ha.EventDisable}, now, api)
	require.NoError(t, err)
	assert.Equal(t, ha.ServiceDisabled, s.State, "api has no disable action")
	assert.Equal(t, []ha.Action{{Kind: ha.DoCancel, Service: "api", Action: ha.ActionGoActive}}, acts)
	// A late result of the cancelled action is ignored.
	s2, acts, err := ha.StepService(s, ha.ServiceEvent{Kind: ha.EventGoActiveSuccess}, now, api)
	require.NoError(t, err)
	assert.Equal(t, s, s2)
	assert.Empty(t, acts)
}
