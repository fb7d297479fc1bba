package hostmgmthttp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
)

const (
	ctrl0UUID  = "11111111-1111-4111-8111-111111111111"
	ctrl1UUID  = "11111111-1111-4111-8111-222222222222"
	workerUUID = "22222222-2222-4222-8222-222222222222"
)

// fakeHost is one host of fakeMtce.
type fakeHost struct {
	id       int64
	uuid     string
	hostname string
	location string
	sys      hostmgmt.SystemContext
	st       hostmgmt.State
	flags    hostmgmt.HealthFlags
	updated  time.Time
	bmc      *hostmgmt.BMCStatus
}

func (h *fakeHost) state() hostmgmt.HostState {
	hs := hostmgmt.HostState{UUID: h.uuid, Hostname: h.hostname, State: h.st, Flags: h.flags, UpdatedAt: h.updated, BMC: h.bmc}
	if h.st.Operational == inventory.OperEnabled {
		hs.Heartbeat = map[hostmgmt.Network]hostmgmt.Health{hostmgmt.NetworkMgmt: hostmgmt.HealthOK, hostmgmt.NetworkClusterHost: hostmgmt.HealthOK}
	}
	return hs
}

// fakeMtce is a test-local hostmgmt.Service: a map of hosts whose
// actions go through the real state machine (hostmgmt.Step) with a fixed
// system context per host. It records every call in log (shared with
// fakeInventory, so a test sees their order) and fails every call with
// err when set.
type fakeMtce struct {
	mu    sync.Mutex
	hosts []*fakeHost
	now   time.Time
	err   error
	log   *[]string
}

var _ hostmgmt.Service = (*fakeMtce)(nil)

// newFakeMtce holds a duplex system: controller-0 active and unlocked,
// controller-1 standby and unlocked, worker-0 locked and online.
func newFakeMtce() *fakeMtce {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	enabled := hostmgmt.State{Administrative: inventory.AdminUnlocked, Operational: inventory.OperEnabled,
		Availability: inventory.AvailAvailable, Action: hostmgmt.ActionNone}
	locked := hostmgmt.State{Administrative: inventory.AdminLocked, Operational: inventory.OperDisabled,
		Availability: inventory.AvailOnline, Action: hostmgmt.ActionNone}
	ctl := func(name string, active bool) hostmgmt.SystemContext {
		return hostmgmt.SystemContext{Hostname: name, Personality: inventory.PersonalityController, ActiveController: active,
			EnabledControllers: 2, StandbyHealthy: true}
	}
	return &fakeMtce{now: now, log: &[]string{}, hosts: []*fakeHost{
		{id: 1, uuid: ctrl0UUID, hostname: "controller-0", sys: ctl("controller-0", true), st: enabled, updated: now},
		{id: 2, uuid: ctrl1UUID, hostname: "controller-1", sys: ctl("controller-1", false), st: enabled, updated: now},
		{id: 3, uuid: workerUUID, hostname: "worker-0", sys: hostmgmt.SystemContext{Hostname: "worker-0", Personality: inventory.PersonalityWorker},
			st: locked, updated: now},
	}}
}

// find returns the host named by hostname, uuid or id. The caller holds mu.
func (f *fakeMtce) find(name string) (*fakeHost, error) {
	for _, h := range f.hosts {
		if h.hostname == name || h.uuid == name || strconv.FormatInt(h.id, 10) == name {
			return h, nil
		}
	}
	return nil, fmt.Errorf("host %q: %w", name, hostmgmt.ErrNotFound)
}

func (f *fakeMtce) Act(_ context.Context, host string, a hostmgmt.AdminAction) (hostmgmt.HostState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	*f.log = append(*f.log, "act "+host+" "+string(a))
	if f.err != nil {
		return hostmgmt.HostState{}, f.err
	}
	h, err := f.find(host)
	if err != nil {
		return hostmgmt.HostState{}, err
	}
	st, _, err := hostmgmt.Step(h.st, hostmgmt.Event{Kind: hostmgmt.EventAdmin, Action: a}, f.now, hostmgmt.DefaultTimings(), h.sys)
	if err != nil {
		return hostmgmt.HostState{}, fmt.Errorf("%s %s: %w", a, h.hostname, err)
	}
	f.now = f.now.Add(time.Second)
	h.st, h.updated = st, f.now
	return h.state(), nil
}

func (f *fakeMtce) GetHostState(_ context.Context, host string) (hostmgmt.HostState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return hostmgmt.HostState{}, f.err
	}
	h, err := f.find(host)
	if err != nil {
		return hostmgmt.HostState{}, err
	}
	return h.state(), nil
}

func (f *fakeMtce) ListHostStates(context.Context) ([]hostmgmt.HostState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	var out []hostmgmt.HostState
	for _, h := range f.hosts {
		out = append(out, h.state())
	}
	return out, nil
}

// fakeInventory stands in for the inventory's handler: it serves GET
// /v1/ihosts/{id} as sysinv's host JSON (the state fields from the
// fakeMtce's hosts, as the real controller's inventory has them), takes
// /hostname and /location in a PATCH and refuses any other path with the
// inventory's 400, and records every request it gets (method, path and
// body) in the shared log.
type fakeInventory struct {
	mtce *fakeMtce
}

// invError writes an error answer in the inventory's format.
func invError(w http.ResponseWriter, status int, code, field, msg string) {
	fs, _ := json.Marshal(map[string]any{"faultstring": msg, "debuginfo": nil})
	body := map[string]any{"error": map[string]string{"code": code, "message": msg, "field": field}, "error_message": string(fs)}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Fake-Inventory", "yes")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (i *fakeInventory) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f := i.mtce
	f.mu.Lock()
	defer f.mu.Unlock()
	*f.log = append(*f.log, strings.TrimSpace(r.Method+" "+r.URL.Path+" "+string(body)))
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1/ihosts/")
	if !ok || strings.Contains(rest, "/") || (r.Method != http.MethodGet && r.Method != http.MethodPatch) {
		invError(w, http.StatusNotFound, "not_found", "", "no resource "+r.Method+" "+r.URL.Path)
		return
	}
	h, err := f.find(rest)
	if err != nil {
		invError(w, http.StatusNotFound, "not_found", "", err.Error())
		return
	}
	if r.Method == http.MethodPatch {
		var ops []struct {
			Op, Path string
			Value    json.RawMessage
		}
		if err := json.Unmarshal(body, &ops); err != nil {
			invError(w, http.StatusBadRequest, "invalid", "body", "must be a list of patch operations")
			return
		}
		for _, op := range ops {
			var s string
			_ = json.Unmarshal(op.Value, &s)
			switch op.Path {
			case "/hostname":
				h.hostname = s
			case "/location":
				h.location = s
			default:
				invError(w, http.StatusBadRequest, "invalid", strings.TrimPrefix(op.Path, "/"), "cannot be changed here")
				return
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Fake-Inventory", "yes")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": h.id, "uuid": h.uuid, "hostname": h.hostname, "personality": string(h.sys.Personality),
		"administrative": h.st.Administrative, "operational": h.st.Operational, "availability": h.st.Availability,
		"task": string(h.st.Task), "location": map[string]string{"locn": h.location},
	})
}
