package hostmgmthttp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmthttp"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorysql"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// invMtce is a test-local hostmgmt.Service over a real inventory, as the
// controller's manager will be: hosts are the inventory's (by hostname,
// uuid or id), actions go through hostmgmt.Step, and each new state's
// administrative, operational, availability, task and action are written
// to the inventory, so its host JSON shows them. controller-0 is the
// active controller of a duplex system.
type invMtce struct {
	inv    inventory.Service
	mu     sync.Mutex
	states map[string]hostmgmt.State // by host uuid
	now    time.Time
	bmc    map[string]*hostmgmt.BMCStatus // by hostname
}

var _ hostmgmt.Service = (*invMtce)(nil)

func (m *invMtce) host(ctx context.Context, name string) (inventory.Host, hostmgmt.State, error) {
	h, err := m.inv.GetHost(ctx, name)
	if errors.Is(err, inventory.ErrNotFound) {
		return h, hostmgmt.State{}, fmt.Errorf("host %q: %w", name, hostmgmt.ErrNotFound)
	}
	if err != nil {
		return h, hostmgmt.State{}, err
	}
	st, ok := m.states[h.UUID]
	if !ok {
		st = hostmgmt.State{Administrative: h.Administrative, Operational: h.Operational, Availability: h.Availability,
			Action: hostmgmt.ActionNone}
	}
	return h, st, nil
}

func (m *invMtce) Act(ctx context.Context, name string, a hostmgmt.AdminAction) (hostmgmt.HostState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, st, err := m.host(ctx, name)
	if err != nil {
		return hostmgmt.HostState{}, err
	}
	sys := hostmgmt.SystemContext{Hostname: h.Hostname, Personality: h.Personality, ActiveController: h.Hostname == "controller-0",
		EnabledControllers: 2, StandbyHealthy: true}
	st, _, err = hostmgmt.Step(st, hostmgmt.Event{Kind: hostmgmt.EventAdmin, Action: a}, m.now, hostmgmt.DefaultTimings(), sys)
	if err != nil {
		return hostmgmt.HostState{}, fmt.Errorf("%s %s: %w", a, h.Hostname, err)
	}
	task, action := string(st.Task), string(st.Action)
	if _, err := m.inv.SetHostStatus(ctx, h.UUID, inventory.HostStatus{Administrative: &st.Administrative,
		Operational: &st.Operational, Availability: &st.Availability, Task: &task, Action: &action}); err != nil {
		return hostmgmt.HostState{}, err
	}
	m.states[h.UUID] = st
	return hostmgmt.HostState{UUID: h.UUID, Hostname: h.Hostname, State: st, UpdatedAt: m.now}, nil
}

func (m *invMtce) GetHostState(ctx context.Context, name string) (hostmgmt.HostState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, st, err := m.host(ctx, name)
	return hostmgmt.HostState{UUID: h.UUID, Hostname: h.Hostname, State: st, UpdatedAt: m.now, BMC: m.bmc[h.Hostname]}, err
}

func (m *invMtce) ListHostStates(ctx context.Context) ([]hostmgmt.HostState, error) {
	hs, err := m.inv.ListHosts(ctx)
	if err != nil {
		return nil, err
	}
	var out []hostmgmt.HostState
	for _, h := range hs {
		st, err := m.GetHostState(ctx, h.UUID)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// stack is the controller's API as stx will mount it: host maintenance
// in front of the inventory's handler, over the SQL inventory in memory,
// with controller-0 and controller-1 unlocked-enabled-available and
// worker-0 locked-disabled-online.
type stack struct {
	url  string
	inv  *inventorysql.Manager
	mtce *invMtce
}

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := t.Context()
	inv, err := inventorysql.OpenMemory(ctx, nil)
	require.NoError(t, err)
	t.Cleanup(func() { inv.Close() })
	for _, h := range []struct {
		name string
		p    inventory.Personality
	}{{"controller-0", inventory.PersonalityController}, {"controller-1", inventory.PersonalityController}, {"worker-0", inventory.PersonalityWorker}} {
		inventorytest.NewLockedHost(t, inv, h.name, h.p)
		st := inventory.HostStatus{Operational: ptr(inventory.OperDisabled), Availability: ptr(inventory.AvailOnline)}
		if h.p == inventory.PersonalityController {
			st = inventory.HostStatus{Administrative: ptr(inventory.AdminUnlocked), Operational: ptr(inventory.OperEnabled),
				Availability: ptr(inventory.AvailAvailable)}
		}
		_, err := inv.SetHostStatus(ctx, h.name, st)
		require.NoError(t, err)
	}
	m := &invMtce{inv: inv, states: map[string]hostmgmt.State{}, now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	srv := httptest.NewServer(hostmgmthttp.NewHandler(m, inventoryhttp.NewHandler(inv, nil), nil))
	t.Cleanup(srv.Close)
	return &stack{url: srv.URL, inv: inv, mtce: m}
}

func ptr[T any](v T) *T { return &v }

// send sends one request to the stack and returns the status and body.
func (s *stack) send(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.url+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestWithTheInventory: in front of the real inventory handler, an
// action answers the inventory's host JSON, host-update still works, and
// a mixed patch goes through both.
func TestWithTheInventory(t *testing.T) {
	s := newStack(t)
	ctx := t.Context()
	invc := inventoryhttp.NewClient(s.url, nil)
	w, err := s.inv.GetHost(ctx, "worker-0")
	require.NoError(t, err)

	status, body := s.send(t, "PATCH", "/v1/ihosts/worker-0", action("reboot"))
	require.Equal(t, http.StatusOK, status, body)
	_, show := s.send(t, "GET", "/v1/ihosts/"+w.UUID, "")
	assert.Equal(t, show, body, "the answer is host-show's")
	h, err := invc.GetHost(ctx, "worker-0")
	require.NoError(t, err)
	assert.Equal(t, "Rebooting", h.Task)
	assert.Equal(t, "reboot", h.Action)

	// A refusal, in the inventory's error body.
	status, body = s.send(t, "PATCH", "/v1/ihosts/controller-0", action("lock"))
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, body, `"error_message":"{\"faultstring\":\"controller-0 : Rejected: Can not lock an active controller.\"`)
	_, err = hostmgmthttp.NewClient(s.url, nil).Act(ctx, "controller-0", hostmgmt.ActionLock)
	var re *hostmgmt.RuleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, hostmgmt.RuleActiveController, re.Rule)

	// host-update goes by untouched; the inventory still refuses the
	// maintenance fields there.
	h, err = invc.UpdateHost(ctx, "worker-0", inventory.HostUpdate{Location: &map[string]any{"locn": "rack 4"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"locn": "rack 4"}, h.Location)
	status, body = s.send(t, "PATCH", "/v1/ihosts/worker-0", `[{"op":"replace","path":"/administrative","value":"unlocked"}]`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, `"field":"administrative"`)

	// A mixed patch: the location, then the action, on the renamed host.
	status, body = s.send(t, "PATCH", "/v1/ihosts/controller-1",
		`[{"op":"replace","path":"/location","value":"rack 1"},{"op":"replace","path":"/action","value":"lock"}]`)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"location":{"locn":"rack 1"}`)
	assert.Contains(t, body, `"task":"Locking"`)
	// The inventory refuses one of the other operations: no action.
	status, body = s.send(t, "PATCH", "/v1/ihosts/worker-0",
		`[{"op":"replace","path":"/hw_settle","value":"abc"},{"op":"replace","path":"/action","value":"reset"}]`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, `"field":"hw_settle"`)
	st, err := s.mtce.GetHostState(ctx, "worker-0")
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.ActionReboot, st.Action, "the reset was not requested")
}
