package ha_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
)

func TestDefaultModel(t *testing.T) {
	m := ha.DefaultModel()
	require.Len(t, m.Domains, 1)
	d := m.Domains[0]
	assert.Equal(t, "controller", d.Name)
	assert.Equal(t, 200*time.Millisecond, d.HelloInterval)
	assert.Equal(t, 800*time.Millisecond, d.DeadInterval)
	assert.Equal(t, ha.SplitBrainSelectBestActive, d.SplitBrainRecovery)

	oam, err := m.Service("oam-ip")
	require.NoError(t, err)
	assert.Equal(t, ha.KindIP, oam.Kind)
	require.NotNil(t, oam.Action(ha.ActionGoActive), "a floating address gets the ip plugin's actions")
	assert.Equal(t, ha.PluginIP, oam.Action(ha.ActionGoActive).PluginType)
	assert.Equal(t, 20*time.Second, oam.Action(ha.ActionGoActive).Timeout)
	assert.Equal(t, 2, oam.MaxFailures, "StarlingX's default")
	assert.Equal(t, 90*time.Second, oam.FailCountdownInterval)

	// The API goes active after both addresses and the database.
	api, err := m.Service("stx-controller-api")
	require.NoError(t, err)
	var deps []string
	for _, d := range api.Dependencies {
		if d.Type == ha.DependencyAction && d.Action == ha.ActionGoActive && d.DependentState == ha.ServiceEnabledActive {
			deps = append(deps, d.Dependent)
		}
	}
	assert.ElementsMatch(t, []string{"management-ip", "oam-ip", "database"}, deps)

	g, err := m.Group("controller-services")
	require.NoError(t, err)
	assert.True(t, g.AutoRecover)
	assert.Equal(t, 300*time.Second, g.FailureDebounce)
	_, err = m.Group("nope")
	require.ErrorIs(t, err, ha.ErrNotFound)

	// Each call returns a model of its own.
	m.Services[0].Name = "changed"
	assert.Equal(t, "oam-ip", ha.DefaultModel().Services[0].Name)
	assert.True(t, bytes.Contains(ha.DefaultYAML(), []byte("stx-controller-api")))
}

// TestDefaultModelGoesActive drives the default controller-services to
// active with the oam-services' address up: the management address, then
// the database, then the API.
func TestDefaultModelGoesActive(t *testing.T) {
	m := ha.DefaultModel()
	g, err := ha.NewGroupRun(m, "controller-services")
	require.NoError(t, err)
	cfg := ha.GroupConfig{Model: m, Others: map[string]ha.ServiceState{"oam-ip": ha.ServiceEnabledStandby}}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var order []string
	feed := func(ev ha.GroupEvent) {
		t.Helper()
		var acts []ha.Action
		g, acts, err = ha.StepGroup(g, ev, now, cfg)
		require.NoError(t, err)
		for _, a := range acts {
			if a.Kind == ha.DoRun {
				order = append(order, a.Service+" "+string(a.Action))
			}
		}
	}
	feed(ha.GroupEvent{Kind: ha.GroupEventGoActive})
	feed(ha.GroupEvent{Kind: ha.GroupEventService, Service: "management-ip", Event: ha.ServiceEvent{Kind: ha.EventGoActiveSuccess}})
	feed(ha.GroupEvent{Kind: ha.GroupEventService, Service: "database", Event: ha.ServiceEvent{Kind: ha.EventGoActiveSuccess}})
	assert.Equal(t, ha.GroupGoActive, g.State, "the API waits for the OAM address")
	cfg.Others["oam-ip"] = ha.ServiceEnabledActive
	feed(ha.GroupEvent{Kind: ha.GroupEventAudit})
	feed(ha.GroupEvent{Kind: ha.GroupEventService, Service: "stx-controller-api", Event: ha.ServiceEvent{Kind: ha.EventGoActiveSuccess}})
	assert.Equal(t, ha.GroupActive, g.State)
	assert.Equal(t, []string{"management-ip go-active", "database go-active", "stx-controller-api go-active"}, order)
}

const base = `
domains:
  - name: controller
    members:
      - {service_group_name: web, redundancy_model: N + M, n_active: 1, m_standby: 1}
service_groups:
  - name: web
    services:
      - {service_name: ip}
      - {service_name: api, service_failure_impact: major}
services:
  - name: ip
    kind: ip
    ip: {network: oam}
  - name: api
    actions:
      - {action: go-active, plugin_type: go, plugin_name: api.serve, timeout: 30s}
    dependencies:
      - {type: action, action: go-active, dependent: ip, dependent_state: enabled-active}
`

func TestLoadModel(t *testing.T) {
	m, err := ha.LoadModel(strings.NewReader(base))
	require.NoError(t, err)
	assert.Equal(t, ha.ImpactCritical, m.ServiceGroups[0].Services[0].FailureImpact, "default impact")
	assert.Equal(t, ha.ImpactMajor, m.ServiceGroups[0].Services[1].FailureImpact)
	assert.Equal(t, 1, m.Services[1].AuditDebounce)
	assert.Equal(t, 4, m.Services[1].MaxActionFailures)
	assert.Equal(t, 30*time.Second, m.Services[1].Action(ha.ActionGoActive).Timeout)
	assert.Nil(t, m.Services[1].Action(ha.ActionEnable))
}

func TestLoadModelRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, field string
	}{
		{"unknown field", "    kind: ip\n", "    kind: ip\n    colour: blue\n", "services[0].colour"},
		{"unknown top-level field", "domains:", "extra: 1\ndomains:", "extra"},
		{"bad enum", "service_failure_impact: major", "service_failure_impact: huge", "service_groups[0].services[1].service_failure_impact"},
		{"unresolved member", "{service_name: api,", "{service_name: apx,", "service_groups[0].services[1].service_name"},
		{"unresolved group", "{service_group_name: web,", "{service_group_name: wbe,", "domains[0].members[0].service_group_name"},
		{"unresolved dependency", "dependent: ip,", "dependent: ipx,", "services[1].dependencies[0].dependent"},
		{"self dependency", "dependent: ip,", "dependent: api,", "services[1].dependencies[0].dependent"},
		{"zero timeout", "timeout: 30s}", "timeout: 0s}", "services[1].actions[0].timeout"},
		{"missing timeout", ", timeout: 30s}", "}", "services[1].actions[0].timeout"},
		{"bad duration", "timeout: 30s}", "timeout: 30}", "services[1].actions[0].timeout"},
		{"wrong type", "n_active: 1,", "n_active: one,", "domains[0].members[0].n_active"},
		{"duplicate action", "timeout: 30s}\n", "timeout: 30s}\n      - {action: go-active, plugin_type: go, plugin_name: x, timeout: 1s}\n", "services[1].actions[1].action"},
		{"plugin name", "plugin_name: api.serve, ", "", "services[1].actions[0].plugin_name"},
		{"interval on non-audit", "timeout: 30s}", "timeout: 30s, interval: 5s}", "services[1].actions[0].interval"},
		{"dependency type", "{type: action, ", "{", "services[1].dependencies[0].type"},
		{"ip without block", "    ip: {network: oam}\n", "", "services[0].ip"},
		{"bad address", "ip: {network: oam}", "ip: {network: oam, address: 10.0.0.300/24}", "services[0].ip.address"},
		{"not in a group", "      - {service_name: api, service_failure_impact: major}\n", "", "services[1].name"},
		{"member twice", "      - {service_name: ip}\n", "      - {service_name: ip}\n      - {service_name: ip}\n", "service_groups[0].services[1].service_name"},
		{"redundancy N with standby", "redundancy_model: N + M", "redundancy_model: N", "domains[0].members[0].m_standby"},
		{"negative failures", "  - name: api\n", "  - name: api\n    max_failures: -1\n", "services[1].max_failures"},
		{"dead before hello", "  - name: controller\n", "  - name: controller\n    dead_interval: 100ms\n", "domains[0].dead_interval"},
		{"alias", "  - name: api\n", "  - name: &a api\n", "services[1].name"},
		{"duplicate key", "  - name: api\n", "  - name: api\n    name: api2\n", "services[1].name"},
		{"list expected", "services:\n  - name: ip", "services: {}\nx:\n  - name: ip", "services"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, base, tc.old)
			_, err := ha.LoadModel(strings.NewReader(strings.Replace(base, tc.old, tc.new, 1)))
			require.Error(t, err)
			require.ErrorIs(t, err, ha.ErrInvalid)
			var fe *ha.FieldError
			require.True(t, errors.As(err, &fe), "%v", err)
			assert.Equal(t, tc.field, fe.Field, "%v", err)
		})
	}
}

func TestLoadModelCycle(t *testing.T) {
	y := strings.Replace(base, "    kind: ip\n    ip: {network: oam}\n", `    actions:
      - {action: enable, plugin_type: systemd, plugin_name: ip.service, timeout: 5s}
    dependencies:
      - {type: state, state: enabled-active, dependent: api, dependent_state: enabled-active}
`, 1)
	_, err := ha.LoadModel(strings.NewReader(y))
	var fe *ha.FieldError
	require.True(t, errors.As(err, &fe), "%v", err)
	assert.Equal(t, "services[1].dependencies[0].dependent", fe.Field)
	assert.Contains(t, fe.Reason, "ip → api → ip")
}

func TestLoadModelDocuments(t *testing.T) {
	for name, y := range map[string]string{"empty": "", "two documents": base + "---\n" + base, "not a mapping": "- 1\n", "syntax": "a: [\n"} {
		t.Run(name, func(t *testing.T) {
			_, err := ha.LoadModel(strings.NewReader(y))
			require.ErrorIs(t, err, ha.ErrInvalid)
		})
	}
	b, err := os.ReadFile("testdata/models/chain.yaml")
	require.NoError(t, err)
	_, err = ha.LoadModel(bytes.NewReader(b))
	require.NoError(t, err)
}
