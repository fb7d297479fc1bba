package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmthttp"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
)

// mtceStub is a test-only hostmgmt.Service: Act records the call and
// answers the scripted state or error.
type mtceStub struct {
	mu    sync.Mutex
	calls [][2]string // host, action
	state hostmgmt.HostState
	err   error
}

var _ hostmgmt.Service = (*mtceStub)(nil)

func (s *mtceStub) Act(_ context.Context, host string, a hostmgmt.AdminAction) (hostmgmt.HostState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, [2]string{host, string(a)})
	if s.err != nil {
		return hostmgmt.HostState{}, s.err
	}
	return s.state, nil
}

func (s *mtceStub) GetHostState(context.Context, string) (hostmgmt.HostState, error) {
	return s.state, s.err
}

func (s *mtceStub) ListHostStates(context.Context) ([]hostmgmt.HostState, error) {
	return []hostmgmt.HostState{s.state}, s.err
}

// unlocking is worker-0 as host maintenance has it just after an unlock
// was accepted (the inventory stub still has it locked).
func unlocking() hostmgmt.HostState {
	return hostmgmt.HostState{UUID: workerUUID, Hostname: "worker-0", State: hostmgmt.State{
		Administrative: inventory.AdminUnlocked, Operational: inventory.OperDisabled, Availability: inventory.AvailOffline,
		Task: hostmgmt.TaskRebooting, Action: hostmgmt.ActionUnlock, Stage: hostmgmt.StageResetProgression}}
}

// actionCLI runs stx over an injected host maintenance and inventory.
type actionCLI struct {
	t    *testing.T
	mtce *mtceStub
	inv  *invStub
}

func newActionCLI(t *testing.T) actionCLI {
	return actionCLI{t: t, mtce: &mtceStub{state: unlocking()}, inv: newInvStub()}
}

func (c actionCLI) run(args ...string) (string, error) {
	var out bytes.Buffer
	g := &globals{out: &out,
		newInventory: func(*globals) (inventory.Service, error) { return c.inv, nil },
		newHostMgmt:  func(*globals) (hostmgmt.Service, error) { return c.mtce, nil }}
	root := rootCommand(g)
	root.SetErr(io.Discard)
	root.SetArgs(args)
	err := root.ExecuteContext(c.t.Context())
	return out.String(), err
}

// propValue returns the value of one row of a Property/Value table.
func propValue(out, prop string) string {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 1 && f[0] == prop {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), prop))
		}
	}
	return ""
}

func TestHostActionVerbs(t *testing.T) {
	tests := []struct {
		args   []string
		action string
	}{
		{[]string{"host-lock", "worker-0"}, "lock"},
		{[]string{"host-lock", "-f", "worker-0"}, "force-lock"},
		{[]string{"host-lock", "--force", "worker-0"}, "force-lock"},
		{[]string{"host-unlock", "worker-0"}, "unlock"},
		{[]string{"host-unlock", "-f", "worker-0"}, "force-unlock"},
		{[]string{"host-swact", "controller-0"}, "swact"},
		{[]string{"host-swact", "-f", "controller-0"}, "force-swact"},
		{[]string{"host-reset", "worker-0"}, "reset"},
		{[]string{"host-reboot", "2"}, "reboot"},
		{[]string{"host-reinstall", workerUUID}, "reinstall"},
		{[]string{"host-power-on", "worker-0"}, "power-on"},
		{[]string{"host-power-off", "worker-0"}, "power-off"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			c := newActionCLI(t)
			out, err := c.run(tt.args...)
			require.NoError(t, err)
			assert.Equal(t, [][2]string{{tt.args[len(tt.args)-1], tt.action}}, c.mtce.calls)
			assert.Equal(t, []any{workerUUID}, c.inv.last("GetHost"), "the host is read by the uuid maintenance answered")
			// Printed as host-show prints it, with maintenance's fields.
			assert.Equal(t, "worker-0", propValue(out, "hostname"))
			assert.Equal(t, "unlocked", propValue(out, "administrative"))
			assert.Equal(t, "disabled", propValue(out, "operational"))
			assert.Equal(t, "offline", propValue(out, "availability"))
			assert.Equal(t, "Rebooting", propValue(out, "task"))
			assert.Equal(t, "unlock", propValue(out, "action"))
			assert.Equal(t, "10.10.10.12", propValue(out, "bm_ip"), "the inventory's fields")
			assert.NotContains(t, out, "s3cret-bmc")
		})
	}
}

func TestHostActionNoForce(t *testing.T) {
	for _, verb := range []string{"host-reset", "host-reboot", "host-reinstall", "host-power-on", "host-power-off"} {
		c := newActionCLI(t)
		_, err := c.run(verb, "-f", "worker-0")
		assert.ErrorContains(t, err, "unknown shorthand flag", verb)
		assert.Empty(t, c.mtce.calls)
	}
	c := newActionCLI(t)
	_, err := c.run("host-lock")
	assert.Error(t, err, "the host is required")
	_, err = c.run("host-lock", "a", "b")
	assert.Error(t, err)
	_, err = c.run("host-lock", "worker-0", "--format", "xml")
	assert.ErrorContains(t, err, "--format")
	assert.Empty(t, c.mtce.calls)
}

func TestHostActionRefused(t *testing.T) {
	c := newActionCLI(t)
	c.mtce.err = fmt.Errorf("hostmgmthttp: PATCH /v1/ihosts/controller-0: %w",
		&hostmgmt.RuleError{Rule: hostmgmt.RuleActiveController, Reason: "Can not lock an active controller"})
	out, err := c.run("host-lock", "controller-0")
	require.Error(t, err)
	assert.Equal(t, "host-lock controller-0: Can not lock an active controller", err.Error())
	assert.ErrorIs(t, err, hostmgmt.ErrInvalidTransition)
	var re *hostmgmt.RuleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, hostmgmt.RuleActiveController, re.Rule)
	assert.Empty(t, out)
	assert.Nil(t, c.inv.last("GetHost"))

	c.mtce.err = fmt.Errorf("host %q: %w", "nosuch", hostmgmt.ErrNotFound)
	_, err = c.run("host-unlock", "nosuch")
	assert.ErrorIs(t, err, hostmgmt.ErrNotFound)

	c.mtce.err = &hostmgmt.FieldError{Field: "action", Reason: `"force-unlock" is not supported by this host maintenance`}
	_, err = c.run("host-unlock", "-f", "worker-0")
	assert.ErrorContains(t, err, "force-unlock")
}

func TestHostActionFormats(t *testing.T) {
	c := newActionCLI(t)
	out, err := c.run("host-unlock", "worker-0", "--format", "json")
	require.NoError(t, err)
	var h inventory.Host
	require.NoError(t, json.Unmarshal([]byte(out), &h))
	assert.Equal(t, "worker-0", h.Hostname)
	assert.Equal(t, inventory.AdminUnlocked, h.Administrative)
	assert.Equal(t, "Rebooting", h.Task)

	out, err = c.run("host-unlock", "worker-0", "--format", "yaml")
	require.NoError(t, err)
	assert.Contains(t, out, "administrative: unlocked")
	assert.Contains(t, out, "task: Rebooting")
}

// TestHostActionOverREST: the verbs through the real clients, host
// maintenance's handler and the inventory's, as stx-controller serves
// them.
func TestHostActionOverREST(t *testing.T) {
	mtce := &mtceStub{state: unlocking()}
	srv := httptest.NewServer(hostmgmthttp.NewHandler(mtce, inventoryhttp.NewHandler(newInvStub(), nil), nil))
	defer srv.Close()
	c := cli{t: t, url: srv.URL, token: "t"}

	out := c.must("host-unlock", "worker-0")
	assert.Equal(t, "unlocked", propValue(out, "administrative"))
	assert.Equal(t, "Rebooting", propValue(out, "task"))
	assert.Equal(t, [][2]string{{"worker-0", "unlock"}}, mtce.calls)

	mtce.err = &hostmgmt.RuleError{Rule: hostmgmt.RuleActiveController, Reason: "Can not lock an active controller"}
	_, err := c.run("host-lock", "controller-0")
	require.Error(t, err)
	assert.Equal(t, "host-lock controller-0: Can not lock an active controller", err.Error())
	var re *hostmgmt.RuleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, hostmgmt.RuleActiveController, re.Rule)
}

func TestHostSensorList(t *testing.T) {
	c := newActionCLI(t)
	lim := func(v float64) *float64 { return &v }
	c.mtce.state.BMC = &hostmgmt.BMCStatus{Power: hostmgmt.PowerOn, Sensors: []hostmgmt.Sensor{
		{Name: "CPU Temp", Type: hostmgmt.SensorTemperature, Reading: 91.5, Units: "Cel", Status: hostmgmt.SensorCritical,
			Thresholds: hostmgmt.Thresholds{UpperCaution: lim(80), UpperCritical: lim(90)}},
		{Name: "PSU1", Type: hostmgmt.SensorPower, Status: hostmgmt.SensorUnknown},
	}}
	out, err := c.run("host-sensor-list", "worker-0")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3, out)
	assert.Equal(t, []string{"name", "sensortype", "status", "reading", "units", "lower_critical", "lower_caution", "upper_caution", "upper_critical"}, strings.Fields(lines[0]))
	assert.Equal(t, []string{"CPU", "Temp", "temperature", "critical", "91.5", "Cel", "80", "90"}, strings.Fields(lines[1]))
	assert.Equal(t, []string{"PSU1", "power", "unknown"}, strings.Fields(lines[2]), "no reading shown for a sensor without one")

	out, err = c.run("host-sensor-list", "worker-0", "--format", "json")
	require.NoError(t, err)
	assert.Contains(t, out, `"reading": 91.5`)
	c.mtce.state.BMC = nil
	out, err = c.run("host-sensor-list", "worker-0", "--format", "json")
	require.NoError(t, err)
	assert.Equal(t, "[]\n", out, "a host without a BMC audit has no sensors")
}
