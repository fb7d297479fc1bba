package hostmgmthttp_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmthttp"
	"github.com/edgeflock/flock/internal/httpx"
	"github.com/edgeflock/flock/inventory"
)

// rig is the handler over a fakeMtce in front of a fakeInventory.
type rig struct {
	t    *testing.T
	mtce *fakeMtce
	inv  *fakeInventory
	h    http.Handler
}

func newRig(t *testing.T, opts *hostmgmthttp.HandlerOptions) *rig {
	m := newFakeMtce()
	inv := &fakeInventory{mtce: m}
	return &rig{t: t, mtce: m, inv: inv, h: hostmgmthttp.NewHandler(m, inv, opts)}
}

// do sends one request through the handler.
func (r *rig) do(method, path, body string) *httptest.ResponseRecorder {
	r.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	return rec
}

// direct sends one request to the fake inventory, past the handler,
// without recording it.
func (r *rig) direct(method, path string) *httptest.ResponseRecorder {
	r.t.Helper()
	rec := httptest.NewRecorder()
	r.inv.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	r.mtce.mu.Lock()
	*r.mtce.log = (*r.mtce.log)[:len(*r.mtce.log)-1]
	r.mtce.mu.Unlock()
	return rec
}

// calls returns what the service and the inventory were asked, in order,
// and forgets it.
func (r *rig) calls() []string {
	r.mtce.mu.Lock()
	defer r.mtce.mu.Unlock()
	l := *r.mtce.log
	*r.mtce.log = []string{}
	return l
}

func (r *rig) state(host string) hostmgmt.HostState {
	r.t.Helper()
	st, err := r.mtce.GetHostState(r.t.Context(), host)
	require.NoError(r.t, err)
	return st
}

func action(a string) string { return `[{"op":"replace","path":"/action","value":"` + a + `"}]` }

// errBody is the error answer, with OpenStack's member decoded.
type errBody struct {
	httpx.BodyError
	FaultString string
}

func decodeErr(t *testing.T, rec *httptest.ResponseRecorder) errBody {
	t.Helper()
	var b httpx.Body
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &b), "%s", rec.Body)
	var fs struct {
		FaultString string  `json:"faultstring"`
		DebugInfo   *string `json:"debuginfo"`
	}
	require.NoError(t, json.Unmarshal([]byte(b.ErrorMessage), &fs), "error_message is a JSON text: %s", rec.Body)
	return errBody{BodyError: b.Error, FaultString: fs.FaultString}
}

func TestActionAnswersTheHost(t *testing.T) {
	for _, name := range []string{"worker-0", workerUUID, "3"} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, nil)
			rec := r.do("PATCH", "/v1/ihosts/"+name, action("unlock"))
			require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
			assert.Equal(t, []string{"act " + name + " unlock", "GET /v1/ihosts/" + workerUUID}, r.calls(),
				"the action, then the host as the inventory shows it")
			assert.Equal(t, r.direct("GET", "/v1/ihosts/"+workerUUID).Body.String(), rec.Body.String(),
				"the answer is GET /v1/ihosts/{id}'s")
			assert.Equal(t, "yes", rec.Header().Get("X-Fake-Inventory"), "with the inventory's headers")
			var h map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &h))
			assert.Equal(t, "unlocked", h["administrative"])
			assert.Equal(t, "Rebooting", h["task"])
			assert.Equal(t, inventory.AdminUnlocked, r.state("worker-0").Administrative)
		})
	}
}

// TestActionValues: every value the system CLI sends reaches the service
// as its AdminAction; one this host maintenance does not know is a 400
// naming action.
func TestActionValues(t *testing.T) {
	for _, v := range []string{"lock", "force-lock", "unlock", "force-unlock", "reboot", "reset", "reinstall",
		"power-on", "power-off", "swact", "force-swact"} {
		t.Run(v, func(t *testing.T) {
			r := newRig(t, nil)
			rec := r.do("PATCH", "/v1/ihosts/worker-0", action(v))
			if _, err := hostmgmt.ParseAdminAction(v); err != nil {
				require.Equal(t, http.StatusBadRequest, rec.Code, "%s", rec.Body)
				assert.Equal(t, "action", decodeErr(t, rec).Field)
				assert.Empty(t, r.calls())
				return
			}
			require.NotEqual(t, http.StatusBadRequest, rec.Code, "%s", rec.Body)
			assert.Equal(t, "act worker-0 "+v, r.calls()[0])
		})
	}
}

func TestRefusalIs409WithTheReason(t *testing.T) {
	tests := []struct {
		name, host, action, rule, reason string
	}{
		{"active controller", "controller-0", "lock", hostmgmt.RuleActiveController, "controller-0 : Rejected: Can not lock an active controller."},
		{"already unlocked", "controller-1", "unlock", hostmgmt.RuleAlreadyUnlocked, "Avoiding 'unlock' action on already 'unlocked' host controller-1"},
		{"needs locked", "controller-1", "reboot", hostmgmt.RuleNeedsLocked, "Can not 'Reboot' an 'unlocked' host controller-1; Please 'Lock' first"},
		{"swact a standby", "controller-1", "swact", hostmgmt.RuleSwact, "Swact action not allowed for a host that is not the active controller"},
		{"power-on a powered host", "worker-0", "power-on", hostmgmt.RulePowerState, "Host worker-0 is already powered on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			before := r.state(tt.host)
			rec := r.do("PATCH", "/v1/ihosts/"+tt.host, action(tt.action))
			require.Equal(t, http.StatusConflict, rec.Code, "%s", rec.Body)
			e := decodeErr(t, rec)
			assert.Equal(t, "invalid_transition", e.Code)
			assert.Equal(t, tt.rule, e.Rule)
			assert.Equal(t, tt.reason, e.Message)
			assert.Equal(t, tt.reason, e.FaultString, "what the system CLI prints")
			assert.Empty(t, e.Field)
			assert.NotEmpty(t, e.RequestID)
			assert.Equal(t, e.RequestID, rec.Header().Get(httpx.OpenStackRequestIDHeader))
			assert.Equal(t, []string{"act " + tt.host + " " + tt.action}, r.calls(), "no answer from the inventory")
			assert.Equal(t, before, r.state(tt.host), "nothing changed")
		})
	}
}

func TestUnknownHostIs404(t *testing.T) {
	r := newRig(t, nil)
	rec := r.do("PATCH", "/v1/ihosts/nosuch", action("lock"))
	require.Equal(t, http.StatusNotFound, rec.Code, "%s", rec.Body)
	e := decodeErr(t, rec)
	assert.Equal(t, "not_found", e.Code)
	assert.Contains(t, e.FaultString, "nosuch")

	rec = r.do("GET", "/v1/ihosts/nosuch/mtce", "")
	require.Equal(t, http.StatusNotFound, rec.Code, "%s", rec.Body)
	assert.Equal(t, "not_found", decodeErr(t, rec).Code)
}

func TestBadInputNamesTheField(t *testing.T) {
	tests := []struct {
		name, body, field, says string
	}{
		{"unknown action", action("dance"), "action", `"dance" is not one of lock, force-lock`},
		{"unsafe force lock", action("force-unsafe-lock"), "action", "force-unsafe-lock"},
		{"not an operator action", action("recovery"), "action", "recovery"},
		{"delete is DELETE", action("delete"), "action", "delete"},
		{"none", action("none"), "action", "none"},
		{"empty", action(""), "action", `""`},
		{"a number", `[{"op":"replace","path":"/action","value":5}]`, "action", "must be a string"},
		{"null", `[{"op":"replace","path":"/action","value":null}]`, "action", "must be a string"},
		{"no value", `[{"op":"replace","path":"/action"}]`, "action", "must be a string"},
		{"remove", `[{"op":"remove","path":"/action"}]`, "op", `not "remove"`},
		{"test op", `[{"op":"test","path":"/action","value":"lock"}]`, "op", `not "test"`},
		{"unknown member", `[{"op":"replace","path":"/action","value":"lock","from":"/x"}]`, "from", "unknown field"},
		{"member in capitals", `[{"op":"replace","PATH":"/action","value":"lock"}]`, "PATH", "unknown field"},
		{"two actions", action("lock")[:len(action("lock"))-1] + `,{"op":"replace","path":"/action","value":"unlock"}]`, "action", "more than once"},
		{"other op not an object", `[{"op":"replace","path":"/action","value":"lock"}, 7]`, "body", ""},
		{"bad UTF-8", "[{\"op\":\"replace\",\"path\":\"/action\",\"value\":\"lo\xffck\"}]", "action", "UTF-8"},
		{"bad UTF-8 elsewhere", "[{\"op\":\"replace\",\"path\":\"/action\",\"value\":\"lock\",\"x\xff\":1}]", "body", "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			before := r.state("worker-0")
			rec := r.do("PATCH", "/v1/ihosts/worker-0", tt.body)
			require.Equal(t, http.StatusBadRequest, rec.Code, "%s", rec.Body)
			e := decodeErr(t, rec)
			assert.Equal(t, "invalid", e.Code)
			assert.Equal(t, tt.field, e.Field)
			assert.Contains(t, e.Message, tt.says)
			assert.Contains(t, e.FaultString, tt.field, "the system CLI's text names the field")
			assert.Empty(t, r.calls(), "neither the service nor the inventory was called")
			assert.Equal(t, before, r.state("worker-0"))
		})
	}
}

func TestBodyIsBounded(t *testing.T) {
	r := newRig(t, &hostmgmthttp.HandlerOptions{MaxBody: 64})
	body := `[{"op":"replace","path":"/location","value":"` + strings.Repeat("x", 64) + `"},` + action("unlock")[1:]
	rec := r.do("PATCH", "/v1/ihosts/worker-0", body)
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, "%s", rec.Body)
	assert.Equal(t, "too_large", decodeErr(t, rec).Code)
	assert.Empty(t, r.calls())

	// The default is 1 MiB.
	r = newRig(t, nil)
	big := `[{"op":"replace","path":"/location","value":"` + strings.Repeat("x", 1<<20) + `"},` + action("unlock")[1:]
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.do("PATCH", "/v1/ihosts/worker-0", big).Code)
	assert.Equal(t, http.StatusOK, r.do("PATCH", "/v1/ihosts/worker-0", action("unlock")).Code)
}

func TestUnavailableIs503(t *testing.T) {
	var logged bytes.Buffer
	r := newRig(t, &hostmgmthttp.HandlerOptions{Logger: slog.New(slog.NewJSONHandler(&logged, nil))})
	r.mtce.err = fmt.Errorf("agent of worker-0 at 10.0.0.7: %w", hostmgmt.ErrUnavailable)
	for _, req := range [][3]string{{"PATCH", "/v1/ihosts/worker-0", action("reboot")}, {"GET", "/v1/ihosts/worker-0/mtce", ""}, {"GET", "/v1/mtce/hosts", ""}} {
		rec := r.do(req[0], req[1], req[2])
		require.Equal(t, http.StatusServiceUnavailable, rec.Code, "%s", rec.Body)
		e := decodeErr(t, rec)
		assert.Equal(t, "unavailable", e.Code)
		assert.NotContains(t, rec.Body.String(), "10.0.0.7", "the detail stays in the log")
		assert.Contains(t, logged.String(), "10.0.0.7")
		assert.Contains(t, logged.String(), e.RequestID)
	}
	r.mtce.err = fmt.Errorf("boom: %w", hostmgmt.ErrNoBMC)
	rec := r.do("PATCH", "/v1/ihosts/worker-0", action("power-off"))
	assert.Equal(t, http.StatusConflict, rec.Code)
	assert.Equal(t, "no_bmc", decodeErr(t, rec).Code)
	r.mtce.err = fmt.Errorf("unlock: %w", inventory.Rulef(inventory.RulePersonalityRequired, "host worker-0 has no personality"))
	rec = r.do("PATCH", "/v1/ihosts/worker-0", action("unlock"))
	assert.Equal(t, http.StatusConflict, rec.Code)
	e := decodeErr(t, rec)
	assert.Equal(t, inventory.RulePersonalityRequired, e.Rule)
	assert.Equal(t, "host worker-0 has no personality", e.FaultString)
	r.mtce.err = errors.New("disk on fire")
	rec = r.do("PATCH", "/v1/ihosts/worker-0", action("power-off"))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.NotContains(t, rec.Body.String(), "fire")
}

// TestMixedPatch: the other operations go to the inventory first, as a
// patch of their own, then the action runs on the host by uuid.
func TestMixedPatch(t *testing.T) {
	t.Run("applied, then the action", func(t *testing.T) {
		r := newRig(t, nil)
		loc := `{"op":"replace","path":"/location","value":"rack 9"}`
		rec := r.do("PATCH", "/v1/ihosts/worker-0", `[`+loc+`, {"op":"replace","path":"/action","value":"unlock"}]`)
		require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
		assert.Equal(t, []string{"PATCH /v1/ihosts/worker-0 [" + loc + "]", "act " + workerUUID + " unlock", "GET /v1/ihosts/" + workerUUID}, r.calls())
		var h map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &h))
		assert.Equal(t, map[string]any{"locn": "rack 9"}, h["location"])
		assert.Equal(t, "unlocked", h["administrative"])
	})
	t.Run("action last in the patch or first", func(t *testing.T) {
		r := newRig(t, nil)
		rec := r.do("PATCH", "/v1/ihosts/3", `[{"op":"add","path":"/action","value":"unlock"},{"op":"replace","path":"/hostname","value":"worker-9"}]`)
		require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
		assert.Equal(t, []string{`PATCH /v1/ihosts/3 [{"op":"replace","path":"/hostname","value":"worker-9"}]`,
			"act " + workerUUID + " unlock", "GET /v1/ihosts/" + workerUUID}, r.calls())
		assert.Contains(t, rec.Body.String(), `"hostname":"worker-9"`)
	})
	t.Run("renamed by the same patch", func(t *testing.T) {
		r := newRig(t, nil)
		rec := r.do("PATCH", "/v1/ihosts/worker-0", `[{"op":"replace","path":"/hostname","value":"worker-9"},`+action("unlock")[1:])
		require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
		assert.Contains(t, rec.Body.String(), `"hostname":"worker-9"`)
		assert.Equal(t, inventory.AdminUnlocked, r.state("worker-9").Administrative)
	})
	t.Run("refused by the inventory: no action", func(t *testing.T) {
		r := newRig(t, nil)
		rec := r.do("PATCH", "/v1/ihosts/worker-0", `[{"op":"replace","path":"/colour","value":"red"},`+action("unlock")[1:])
		require.Equal(t, http.StatusBadRequest, rec.Code, "%s", rec.Body)
		assert.Equal(t, "colour", decodeErr(t, rec).Field)
		assert.Equal(t, "yes", rec.Header().Get("X-Fake-Inventory"), "the inventory's answer, relayed")
		assert.Equal(t, []string{`PATCH /v1/ihosts/worker-0 [{"op":"replace","path":"/colour","value":"red"}]`}, r.calls())
		assert.Equal(t, inventory.AdminLocked, r.state("worker-0").Administrative)
	})
	t.Run("a bad action: nothing sent", func(t *testing.T) {
		r := newRig(t, nil)
		rec := r.do("PATCH", "/v1/ihosts/worker-0", `[{"op":"replace","path":"/location","value":"x"},`+action("dance")[1:])
		require.Equal(t, http.StatusBadRequest, rec.Code, "%s", rec.Body)
		assert.Empty(t, r.calls())
	})
	t.Run("refused by a rule after the other operations", func(t *testing.T) {
		r := newRig(t, nil)
		rec := r.do("PATCH", "/v1/ihosts/controller-0", `[{"op":"replace","path":"/location","value":"x"},`+action("lock")[1:])
		require.Equal(t, http.StatusConflict, rec.Code, "%s", rec.Body)
		assert.Equal(t, hostmgmt.RuleActiveController, decodeErr(t, rec).Rule)
		assert.Len(t, r.calls(), 2, "the location was applied, as sysinv does")
	})
}

// TestOtherRequestsPassThrough: what is not an action reaches the
// inventory as it came, and its answer comes back as it was.
func TestOtherRequestsPassThrough(t *testing.T) {
	tests := []struct{ name, method, path, body string }{
		{"host-update", "PATCH", "/v1/ihosts/worker-0", `[{"op":"replace","path":"/location","value":"rack 2"}]`},
		{"host-update refused", "PATCH", "/v1/ihosts/worker-0", `[{"op":"replace","path":"/administrative","value":"unlocked"}]`},
		{"empty patch", "PATCH", "/v1/ihosts/worker-0", `[]`},
		{"not JSON", "PATCH", "/v1/ihosts/worker-0", `lock please`},
		{"not one JSON value", "PATCH", "/v1/ihosts/worker-0", action("lock") + `[]`},
		{"an object", "PATCH", "/v1/ihosts/worker-0", `{"action":"lock"}`},
		{"action nested deeper", "PATCH", "/v1/ihosts/worker-0", `[{"op":"replace","path":"/action/x","value":"lock"}]`},
		{"host-show", "GET", "/v1/ihosts/worker-0", ""},
		{"host-delete", "DELETE", "/v1/ihosts/worker-0", ""},
		{"a sub-resource", "PATCH", "/v1/ihosts/worker-0/icpus", action("lock")},
		{"another collection", "PATCH", "/v1/iinterfaces/worker-0", action("lock")},
		{"mtce by another method", "PUT", "/v1/ihosts/worker-0/mtce", ""},
		{"no host", "PATCH", "/v1/ihosts/", action("lock")},
		{"dot dot", "PATCH", "/v1/ihosts/..", action("lock")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *http.Request
			var gotBody []byte
			m := newFakeMtce()
			inv := &fakeInventory{mtce: m}
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r
				var err error
				var buf bytes.Buffer
				_, err = buf.ReadFrom(r.Body)
				require.NoError(t, err)
				gotBody = buf.Bytes()
				r.Body = io.NopCloser(bytes.NewReader(gotBody))
				inv.ServeHTTP(w, r)
			})
			h := hostmgmthttp.NewHandler(m, next, nil)
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			req.Header.Set("X-Auth-Token", "secret")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			require.NotNil(t, got, "next was called")
			assert.Equal(t, tt.method, got.Method)
			assert.Equal(t, tt.path, got.URL.Path)
			assert.Equal(t, tt.body, string(gotBody), "the body as sent")
			assert.Equal(t, "secret", got.Header.Get("X-Auth-Token"), "with the headers")
			assert.NotContains(t, *m.log, "act", "the service was not called")
			for _, l := range *m.log {
				assert.False(t, strings.HasPrefix(l, "act "), l)
			}

			// The answer is next's.
			want := httptest.NewRecorder()
			m2 := newFakeMtce()
			(&fakeInventory{mtce: m2}).ServeHTTP(want, httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body)))
			assert.Equal(t, want.Code, rec.Code)
			assert.Equal(t, want.Body.String(), rec.Body.String())
			assert.Equal(t, "yes", rec.Header().Get("X-Fake-Inventory"))
		})
	}
}

func TestMaintenanceState(t *testing.T) {
	r := newRig(t, nil)
	rec := r.do("GET", "/v1/ihosts/controller-0/mtce", "")
	require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
	var st hostmgmt.HostState
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st))
	assert.Equal(t, r.state("controller-0"), st)
	assert.Equal(t, hostmgmt.HealthOK, st.Heartbeat[hostmgmt.NetworkMgmt])
	for _, k := range []string{`"uuid":"` + ctrl0UUID, `"hostname":"controller-0"`, `"administrative":"unlocked"`,
		`"operational":"enabled"`, `"availability":"available"`, `"updated_at":"2026-01-02T03:04:05Z"`} {
		assert.Contains(t, rec.Body.String(), k)
	}

	r.do("PATCH", "/v1/ihosts/worker-0", action("unlock"))
	rec = r.do("GET", "/v1/ihosts/3/mtce", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `"stage":"reset-progression"`)
	assert.Contains(t, rec.Body.String(), `"action":"unlock"`)
	assert.Contains(t, rec.Body.String(), `"deadline":"2026-01-02T03:04:15Z"`)

	rec = r.do("GET", "/v1/mtce/hosts", "")
	require.Equal(t, http.StatusOK, rec.Code)
	var l struct{ Hosts []hostmgmt.HostState }
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &l))
	want, err := r.mtce.ListHostStates(t.Context())
	require.NoError(t, err)
	assert.Equal(t, want, l.Hosts)

	r.mtce.hosts = nil
	assert.JSONEq(t, `{"hosts":[]}`, r.do("GET", "/v1/mtce/hosts", "").Body.String())
}
