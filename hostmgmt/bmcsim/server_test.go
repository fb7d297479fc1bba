package bmcsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

const (
	testUser = "admin"
	testPass = "s3cret"
	sysPath  = "/redfish/v1/Systems/web1"
)

// rig is a server with one memory host, web1, behind httptest.
type rig struct {
	srv  *Server
	host *MemoryHost
	url  string
}

func newRig(t testing.TB, hostOpts *MemoryOptions) *rig {
	t.Helper()
	srv, err := New(&Options{Username: testUser, Password: testPass})
	require.NoError(t, err)
	host := NewMemoryHost(hostOpts)
	require.NoError(t, srv.AddSystem("web1", host))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &rig{srv: srv, host: host, url: ts.URL}
}

// do sends a request with basic auth (unless a header "-auth" is given)
// and returns the response and its body.
func (r *rig) do(t testing.TB, method, path, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, r.url+path, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	auth := true
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "-auth" {
			auth = false
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	if auth {
		req.SetBasicAuth(testUser, testPass)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, data
}

// getJSON GETs path, wants 200, and decodes the body.
func (r *rig) getJSON(t testing.TB, path string) map[string]any {
	t.Helper()
	resp, data := r.do(t, http.MethodGet, path, "")
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", path, data)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	return m
}

// redfishError decodes a Redfish error body and returns the message ids
// of its extended info.
func redfishError(t testing.TB, data []byte) (code, message string, ids []string) {
	t.Helper()
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Info    []struct {
				MessageID string `json:"MessageId"`
				Message   string
			} `json:"@Message.ExtendedInfo"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(data, &body), "error body: %s", data)
	require.NotEmpty(t, body.Error.Code, "error body: %s", data)
	require.NotEmpty(t, body.Error.Info, "error body has no @Message.ExtendedInfo: %s", data)
	for _, m := range body.Error.Info {
		ids = append(ids, strings.TrimPrefix(m.MessageID, baseRegistry))
	}
	return body.Error.Code, body.Error.Message, ids
}

func TestNewRequiresCredentials(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  *Options
		field string
	}{
		{"nil", nil, "username"},
		{"no-username", &Options{Password: "x"}, "username"},
		{"no-password", &Options{Username: "x"}, "password"},
		{"negative-timeout", &Options{Username: "x", Password: "y", SessionTimeout: -time.Second}, "session_timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts)
			require.ErrorIs(t, err, hostmgmt.ErrInvalid)
			var fe *hostmgmt.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
}

func TestAddSystemRefusesBadIDs(t *testing.T) {
	srv, err := New(&Options{Username: testUser, Password: testPass})
	require.NoError(t, err)
	require.NoError(t, srv.AddSystem("web1", NewMemoryHost(nil)))
	for _, id := range []string{"", "a/b", "../x", "web1", strings.Repeat("x", 65), "a b"} {
		err := srv.AddSystem(id, NewMemoryHost(nil))
		var fe *hostmgmt.FieldError
		require.ErrorAs(t, err, &fe, "id %q", id)
		assert.Equal(t, "id", fe.Field)
	}
	err = srv.AddSystem("web2", nil)
	var fe *hostmgmt.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "backend", fe.Field)
}

func TestAuthentication(t *testing.T) {
	r := newRig(t, nil)
	for _, p := range []string{"/redfish", "/redfish/v1/", "/redfish/v1", "/redfish/v1/odata", "/redfish/v1/$metadata"} {
		resp, data := r.do(t, http.MethodGet, p, "", "-auth", "")
		assert.Equal(t, http.StatusOK, resp.StatusCode, "GET %s without credentials: %s", p, data)
	}
	for _, p := range []string{sysPath, "/redfish/v1/Systems", "/redfish/v1/SessionService", "/redfish/v1/Registries/Base.1.5.0.json", "/redfish/v1/nothing"} {
		resp, data := r.do(t, http.MethodGet, p, "", "-auth", "")
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "GET %s without credentials", p)
		assert.Equal(t, `Basic realm="Redfish"`, resp.Header.Get("WWW-Authenticate"))
		_, _, ids := redfishError(t, data)
		assert.Equal(t, []string{"NoValidSession"}, ids)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, r.url+sysPath, nil)
	req.SetBasicAuth(testUser, "wrong")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "wrong password")
	resp, _ = r.do(t, http.MethodGet, sysPath, "", "-auth", "", "X-Auth-Token", "forged")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "unknown token")
	resp, _ = r.do(t, http.MethodPost, sysPath+"/Actions/ComputerSystem.Reset", `{"ResetType":"ForceOff"}`, "-auth", "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Empty(t, r.host.Ops(), "an unauthenticated reset did nothing")
}

func TestSystemsAreClonesWithRewrittenLinks(t *testing.T) {
	r := newRig(t, nil)
	require.NoError(t, r.srv.AddSystem("web2", NewMemoryHost(&MemoryOptions{Off: true})))
	for _, coll := range []string{"Systems", "Managers", "Chassis"} {
		c := r.getJSON(t, "/redfish/v1/"+coll)
		assert.ElementsMatch(t, []any{
			map[string]any{"@odata.id": "/redfish/v1/" + coll + "/web1"},
			map[string]any{"@odata.id": "/redfish/v1/" + coll + "/web2"},
		}, c["Members"], coll)
		assert.EqualValues(t, 2, c["Members@odata.count"])
	}
	sys := r.getJSON(t, "/redfish/v1/Systems/web2")
	assert.Equal(t, "web2", sys["Id"])
	assert.Equal(t, "/redfish/v1/Systems/web2", sys["@odata.id"])
	assert.Equal(t, "Off", sys["PowerState"])
	links := sys["Links"].(map[string]any)
	assert.Equal(t, []any{map[string]any{"@odata.id": "/redfish/v1/Managers/web2"}}, links["ManagedBy"])
	assert.Equal(t, []any{map[string]any{"@odata.id": "/redfish/v1/Chassis/web2"}}, links["Chassis"])
	assert.Equal(t, "On", r.getJSON(t, sysPath)["PowerState"], "each system has its own backend")
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, sys["UUID"])
	assert.NotEqual(t, sys["UUID"], r.getJSON(t, sysPath)["UUID"], "each system has its own UUID")

	// No served resource of a system names the mockup's system, manager
	// or chassis, and every resource it links to within its subtrees
	// is served.
	var paths []string
	for p := range r.srv.tmpl.res {
		for _, id := range []string{"web1", "web2"} {
			paths = append(paths, r.srv.byID[id].rw.str(p))
		}
	}
	require.Greater(t, len(paths), 200)
	for _, p := range paths {
		resp, data := r.do(t, http.MethodGet, p, "")
		require.Equal(t, http.StatusOK, resp.StatusCode, p)
		for _, old := range []string{"/Systems/437XR1138R2", "/Managers/BMC", "/Chassis/1U"} {
			assert.NotContains(t, string(data), old, "%s names the template", p)
		}
	}
	resp, _ := r.do(t, http.MethodGet, "/redfish/v1/Systems/437XR1138R2", "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the template is not served")
}

func TestMockupDirectory(t *testing.T) {
	dir := "/work/shared/redfish-mockups/public-rackmount1"
	if _, err := os.Stat(dir); err != nil {
		dir = "mockup/public-rackmount1"
	}
	srv, err := New(&Options{Mockup: os.DirFS(dir), Username: "u", Password: "p"})
	require.NoError(t, err)
	require.NoError(t, srv.AddSystem("1", NewMemoryHost(nil)))

	two := fstest.MapFS{
		"index.json":         {Data: []byte(`{"@odata.id":"/redfish/v1/"}`)},
		"Systems/index.json": {Data: []byte(`{"Members":[{"@odata.id":"/redfish/v1/Systems/a"},{"@odata.id":"/redfish/v1/Systems/b"}]}`)},
	}
	_, err = New(&Options{Mockup: two, Username: "u", Password: "p"})
	require.ErrorContains(t, err, "Systems has 2 members")
	_, err = New(&Options{Mockup: fstest.MapFS{"index.json": {Data: []byte(`{`)}}, Username: "u", Password: "p"})
	require.ErrorContains(t, err, "index.json")
}

func TestPowerStateIsTheBackends(t *testing.T) {
	r := newRig(t, nil)
	assert.Equal(t, "On", r.getJSON(t, sysPath)["PowerState"])
	require.NoError(t, r.host.Power(t.Context(), hostmgmt.OpPowerOff))
	assert.Equal(t, "Off", r.getJSON(t, sysPath)["PowerState"])
	assert.Equal(t, "Off", r.getJSON(t, "/redfish/v1/Chassis/web1")["PowerState"])
}

func TestReset(t *testing.T) {
	for _, tc := range []struct {
		resetType string
		off       bool // the host is off before
		want      hostmgmt.PowerState
		ops       []hostmgmt.PowerOp
	}{
		{"On", true, hostmgmt.PowerOn, []hostmgmt.PowerOp{hostmgmt.OpPowerOn}},
		{"ForceOn", true, hostmgmt.PowerOn, []hostmgmt.PowerOp{hostmgmt.OpPowerOn}},
		{"ForceOff", false, hostmgmt.PowerOff, []hostmgmt.PowerOp{hostmgmt.OpPowerOff}},
		{"GracefulShutdown", false, hostmgmt.PowerOff, []hostmgmt.PowerOp{hostmgmt.OpGraceful}},
		{"GracefulRestart", false, hostmgmt.PowerOn, []hostmgmt.PowerOp{hostmgmt.OpGracefulRestart}},
		{"ForceRestart", false, hostmgmt.PowerOn, []hostmgmt.PowerOp{hostmgmt.OpReset}},
		{"ForceRestart", true, hostmgmt.PowerOn, []hostmgmt.PowerOp{hostmgmt.OpReset}},
		{"PowerCycle", false, hostmgmt.PowerOn, []hostmgmt.PowerOp{hostmgmt.OpCycle}},
		{"PushPowerButton", false, hostmgmt.PowerOff, []hostmgmt.PowerOp{hostmgmt.OpGraceful}},
		{"PushPowerButton", true, hostmgmt.PowerOn, []hostmgmt.PowerOp{hostmgmt.OpPowerOn}},
		{"Nmi", false, hostmgmt.PowerOn, nil},
	} {
		t.Run(tc.resetType, func(t *testing.T) {
			var hooked []hostmgmt.PowerOp
			r := newRig(t, &MemoryOptions{Off: tc.off, OnPower: func(op hostmgmt.PowerOp) { hooked = append(hooked, op) }})
			resp, data := r.do(t, http.MethodPost, sysPath+"/Actions/ComputerSystem.Reset", `{"ResetType":"`+tc.resetType+`"}`)
			require.Equal(t, http.StatusNoContent, resp.StatusCode, "%s", data)
			assert.Equal(t, tc.ops, r.host.Ops())
			assert.Equal(t, tc.ops, hooked, "OnPower saw the operations")
			assert.Equal(t, map[hostmgmt.PowerState]string{hostmgmt.PowerOn: "On", hostmgmt.PowerOff: "Off"}[tc.want], r.getJSON(t, sysPath)["PowerState"])
		})
	}
}

func TestResetBadInput(t *testing.T) {
	r := newRig(t, nil)
	target := sysPath + "/Actions/ComputerSystem.Reset"
	for _, tc := range []struct {
		name, body string
		ids        []string
		message    string // in error.message
	}{
		{"bad-type", `{"ResetType":"Explode"}`, []string{"ActionParameterValueNotInList"}, "ResetType@Redfish.AllowableValues: On, ForceOff, GracefulShutdown, GracefulRestart, ForceRestart, PowerCycle, Nmi"},
		{"lower-case", `{"ResetType":"forceoff"}`, []string{"ActionParameterValueNotInList"}, "forceoff"},
		{"missing", `{}`, []string{"ActionParameterMissing"}, "ResetType"},
		{"empty-body", ``, []string{"ActionParameterMissing"}, "ResetType"},
		{"number", `{"ResetType":3}`, []string{"ActionParameterValueTypeError"}, "ResetType"},
		{"unknown-parameter", `{"ResetType":"ForceOff","Delay":5}`, []string{"ActionParameterUnknown"}, "Delay"},
		{"malformed", `{"ResetType":`, []string{"MalformedJSON"}, "malformed"},
		{"trailing", `{"ResetType":"ForceOff"} x`, []string{"MalformedJSON"}, "malformed"},
		{"array", `["ForceOff"]`, []string{"MalformedJSON"}, "malformed"},
		{"two-problems", `{"Reset":"ForceOff"}`, []string{"ActionParameterUnknown", "ActionParameterMissing"}, "2 errors"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, data := r.do(t, http.MethodPost, target, tc.body)
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", data)
			code, message, ids := redfishError(t, data)
			assert.Equal(t, tc.ids, ids)
			if len(ids) == 1 {
				assert.Equal(t, baseRegistry+ids[0], code)
			} else {
				assert.Equal(t, baseRegistry+"GeneralError", code)
			}
			assert.Contains(t, message, tc.message)
		})
	}
	resp, data := r.do(t, http.MethodPost, target, `{"ResetType":"ForceOff"}`, "Content-Type", "text/plain")
	assert.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode, "%s", data)
	assert.Empty(t, r.host.Ops(), "bad input changed nothing")
	assert.Equal(t, "On", r.getJSON(t, sysPath)["PowerState"])
}

func boot(t testing.TB, r *rig) (target, enabled any) {
	t.Helper()
	b := r.getJSON(t, sysPath)["Boot"].(map[string]any)
	return b["BootSourceOverrideTarget"], b["BootSourceOverrideEnabled"]
}

func TestBootOverrideOnce(t *testing.T) {
	r := newRig(t, nil)
	target, enabled := boot(t, r)
	assert.Equal(t, "None", target)
	assert.Equal(t, "Disabled", enabled)
	resp, data := r.do(t, http.MethodPatch, sysPath, `{"Boot":{"BootSourceOverrideTarget":"Pxe","BootSourceOverrideEnabled":"Once"}}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	assert.Equal(t, hostmgmt.BootPXE, r.host.NextBoot())
	target, enabled = boot(t, r)
	assert.Equal(t, "Pxe", target)
	assert.Equal(t, "Once", enabled)

	// Powering off does not use the override; the next boot does.
	resp, _ = r.do(t, http.MethodPost, sysPath+"/Actions/ComputerSystem.Reset", `{"ResetType":"ForceOff"}`)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	_, enabled = boot(t, r)
	assert.Equal(t, "Once", enabled)
	resp, _ = r.do(t, http.MethodPost, sysPath+"/Actions/ComputerSystem.Reset", `{"ResetType":"On"}`)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	target, enabled = boot(t, r)
	assert.Equal(t, "None", target)
	assert.Equal(t, "Disabled", enabled)
	assert.Equal(t, hostmgmt.BootDevice(""), r.host.NextBoot(), "the host booted from it")

	// An On of a host already on is no boot.
	r.do(t, http.MethodPatch, sysPath, `{"Boot":{"BootSourceOverrideTarget":"Cd","BootSourceOverrideEnabled":"Once"}}`)
	r.do(t, http.MethodPost, sysPath+"/Actions/ComputerSystem.Reset", `{"ResetType":"On"}`)
	target, enabled = boot(t, r)
	assert.Equal(t, "Cd", target)
	assert.Equal(t, "Once", enabled)
	assert.Equal(t, hostmgmt.BootCD, r.host.NextBoot())
}

func TestPatchIgnoresAnnotations(t *testing.T) {
	r := newRig(t, nil)
	resp, data := r.do(t, http.MethodPatch, sysPath, `{"@odata.etag":"x","Boot":{"BootSourceOverrideTarget":"Cd","BootSourceOverrideEnabled":"Once",`+
		`"BootSourceOverrideTarget@Redfish.AllowableValues":["Usb"]}}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	assert.Equal(t, hostmgmt.BootCD, r.host.NextBoot())
	allowed := r.getJSON(t, sysPath)["Boot"].(map[string]any)["BootSourceOverrideTarget@Redfish.AllowableValues"]
	assert.Equal(t, []any{"None", "Pxe", "Cd", "Hdd"}, allowed, "annotations are not written")
}

func TestBootOverrideContinuous(t *testing.T) {
	r := newRig(t, nil)
	resp, data := r.do(t, http.MethodPatch, sysPath, `{"Boot":{"BootSourceOverrideTarget":"Hdd","BootSourceOverrideEnabled":"Continuous","BootSourceOverrideMode":"Legacy"}}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	for range 2 {
		resp, _ = r.do(t, http.MethodPost, sysPath+"/Actions/ComputerSystem.Reset", `{"ResetType":"ForceRestart"}`)
		require.Equal(t, http.StatusNoContent, resp.StatusCode)
		assert.Equal(t, hostmgmt.BootDisk, r.host.NextBoot(), "set again for the next boot")
		target, enabled := boot(t, r)
		assert.Equal(t, "Hdd", target)
		assert.Equal(t, "Continuous", enabled)
	}
	assert.Equal(t, "Legacy", r.getJSON(t, sysPath)["Boot"].(map[string]any)["BootSourceOverrideMode"])
	resp, _ = r.do(t, http.MethodPatch, sysPath, `{"Boot":{"BootSourceOverrideTarget":"None"}}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	_, enabled := boot(t, r)
	assert.Equal(t, "Disabled", enabled, "target None disables the override")
}

func TestPatchBadInput(t *testing.T) {
	r := newRig(t, nil)
	before := r.getJSON(t, sysPath)
	for _, tc := range []struct {
		name, body string
		ids        []string
		message    string
	}{
		{"target-not-in-list", `{"Boot":{"BootSourceOverrideTarget":"Usb"}}`, []string{"PropertyValueNotInList"}, "Boot/BootSourceOverrideTarget"},
		{"enabled-not-in-list", `{"Boot":{"BootSourceOverrideEnabled":"Always"}}`, []string{"PropertyValueNotInList"}, "Always"},
		{"target-type", `{"Boot":{"BootSourceOverrideTarget":1}}`, []string{"PropertyValueTypeError"}, "Boot/BootSourceOverrideTarget"},
		{"boot-type", `{"Boot":"Pxe"}`, []string{"PropertyValueTypeError"}, "Boot"},
		{"unknown-property", `{"Colour":"blue"}`, []string{"PropertyUnknown"}, "Colour"},
		{"unknown-boot-property", `{"Boot":{"Colour":"blue"}}`, []string{"PropertyUnknown"}, "Boot/Colour"},
		{"read-only", `{"PowerState":"Off"}`, []string{"PropertyNotWritable"}, "PowerState"},
		{"read-only-boot", `{"Boot":{"UefiTargetBootSourceOverride":"x"}}`, []string{"PropertyNotWritable"}, "UefiTargetBootSourceOverride"},
		{"one-good-one-bad", `{"Boot":{"BootSourceOverrideTarget":"Pxe","BootSourceOverrideEnabled":"Sometimes"}}`, []string{"PropertyValueNotInList"}, "Sometimes"},
		{"malformed", `{"Boot":`, []string{"MalformedJSON"}, "malformed"},
		{"not-an-object", `"Pxe"`, []string{"MalformedJSON"}, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, data := r.do(t, http.MethodPatch, sysPath, tc.body)
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", data)
			_, message, ids := redfishError(t, data)
			assert.Equal(t, tc.ids, ids)
			assert.Contains(t, message, tc.message)
		})
	}
	assert.Equal(t, hostmgmt.BootDevice(""), r.host.NextBoot(), "bad input set no boot device")
	assert.Equal(t, before, r.getJSON(t, sysPath), "bad input changed nothing")
}

func TestETagAndIfMatch(t *testing.T) {
	r := newRig(t, nil)
	resp, _ := r.do(t, http.MethodGet, sysPath, "")
	tag := resp.Header.Get("ETag")
	require.NotEmpty(t, tag)
	resp2, _ := r.do(t, http.MethodGet, sysPath, "")
	assert.Equal(t, tag, resp2.Header.Get("ETag"), "stable while nothing changes")

	patch := `{"Boot":{"BootSourceOverrideTarget":"Pxe","BootSourceOverrideEnabled":"Once"}}`
	resp, data := r.do(t, http.MethodPatch, sysPath, patch, "If-Match", `W/"0000000000000000"`)
	require.Equal(t, http.StatusPreconditionFailed, resp.StatusCode, "%s", data)
	_, _, ids := redfishError(t, data)
	assert.Equal(t, []string{"PreconditionFailed"}, ids)
	assert.Equal(t, hostmgmt.BootDevice(""), r.host.NextBoot(), "a failed precondition changed nothing")

	resp, data = r.do(t, http.MethodPatch, sysPath, patch, "If-Match", tag)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	assert.NotEqual(t, tag, resp.Header.Get("ETag"), "the change changed the tag")
	resp, _ = r.do(t, http.MethodPatch, sysPath, `{"AssetTag":"rack 4"}`, "If-Match", tag)
	assert.Equal(t, http.StatusPreconditionFailed, resp.StatusCode, "the old tag no longer matches")

	require.NoError(t, r.host.Power(t.Context(), hostmgmt.OpPowerOff))
	resp3, _ := r.do(t, http.MethodGet, sysPath, "")
	assert.NotEqual(t, resp2.Header.Get("ETag"), resp3.Header.Get("ETag"), "the power state is in the tag")
	resp, data = r.do(t, http.MethodPatch, sysPath, `{"AssetTag":"rack 4"}`, "If-Match", "*")
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", data)
	assert.Equal(t, "rack 4", r.getJSON(t, sysPath)["AssetTag"])
}

func TestSessions(t *testing.T) {
	r := newRig(t, nil)
	resp, data := r.do(t, http.MethodPost, sessionsPath, `{"UserName":"admin","Password":"s3cret"}`, "-auth", "")
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", data)
	tok, loc := resp.Header.Get("X-Auth-Token"), resp.Header.Get("Location")
	require.NotEmpty(t, tok)
	require.True(t, strings.HasPrefix(loc, sessionsPath+"/"), loc)
	var sess map[string]any
	require.NoError(t, json.Unmarshal(data, &sess))
	assert.Equal(t, loc, sess["@odata.id"])
	assert.Equal(t, "admin", sess["UserName"])

	resp, _ = r.do(t, http.MethodGet, sysPath, "", "-auth", "", "X-Auth-Token", tok)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the token authenticates")
	resp, data = r.do(t, http.MethodGet, sessionsPath, "", "-auth", "", "X-Auth-Token", tok)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(data), loc)
	resp, _ = r.do(t, http.MethodGet, loc, "", "-auth", "", "X-Auth-Token", tok)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	resp, _ = r.do(t, http.MethodDelete, loc, "", "-auth", "", "X-Auth-Token", tok)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp, _ = r.do(t, http.MethodGet, sysPath, "", "-auth", "", "X-Auth-Token", tok)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "logged out")
	resp, _ = r.do(t, http.MethodDelete, loc, "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	for _, tc := range []struct {
		name, body string
		status     int
		ids        []string
	}{
		{"wrong-password", `{"UserName":"admin","Password":"guess"}`, http.StatusUnauthorized, []string{"NoValidSession"}},
		{"missing-password", `{"UserName":"admin"}`, http.StatusBadRequest, []string{"PropertyMissing"}},
		{"unknown-property", `{"UserName":"admin","Password":"s3cret","Role":"root"}`, http.StatusBadRequest, []string{"PropertyUnknown"}},
		{"number", `{"UserName":1,"Password":"s3cret"}`, http.StatusBadRequest, []string{"PropertyValueTypeError"}},
		{"malformed", `{"UserName"`, http.StatusBadRequest, []string{"MalformedJSON"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, data := r.do(t, http.MethodPost, sessionsPath, tc.body, "-auth", "")
			require.Equal(t, tc.status, resp.StatusCode, "%s", data)
			assert.Empty(t, resp.Header.Get("X-Auth-Token"))
			_, _, ids := redfishError(t, data)
			assert.Equal(t, tc.ids, ids)
		})
	}
	r.srv.mu.RLock()
	assert.Empty(t, r.srv.sessions, "no session was created by bad logins")
	r.srv.mu.RUnlock()
}

func TestSessionsExpire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, err := New(&Options{Username: testUser, Password: testPass, SessionTimeout: time.Minute})
		require.NoError(t, err)
		require.NoError(t, srv.AddSystem("web1", NewMemoryHost(nil)))
		call := func(method, path, body, tok string) *httptest.ResponseRecorder {
			req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
			if tok != "" {
				req.Header.Set("X-Auth-Token", tok)
			}
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			return w
		}
		w := call(http.MethodPost, sessionsPath, `{"UserName":"admin","Password":"s3cret"}`, "")
		require.Equal(t, http.StatusCreated, w.Code)
		tok := w.Header().Get("X-Auth-Token")
		assert.EqualValues(t, 60, decode(t, call(http.MethodGet, "/redfish/v1/SessionService", "", tok).Body.Bytes())["SessionTimeout"])
		time.Sleep(50 * time.Second)
		require.Equal(t, http.StatusOK, call(http.MethodGet, sysPath, "", tok).Code, "use keeps it alive")
		time.Sleep(50 * time.Second)
		require.Equal(t, http.StatusOK, call(http.MethodGet, sysPath, "", tok).Code)
		time.Sleep(61 * time.Second)
		require.Equal(t, http.StatusUnauthorized, call(http.MethodGet, sysPath, "", tok).Code, "unused for longer than the timeout")
	})
}

func decode(t testing.TB, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m), "%s", data)
	return m
}

func TestVirtualMedia(t *testing.T) {
	r := newRig(t, nil)
	cd := sysPath + "/VirtualMedia/CD1"
	m := r.getJSON(t, cd)
	actions := m["Actions"].(map[string]any)
	insert := actions["#VirtualMedia.InsertMedia"].(map[string]any)["target"].(string)
	eject := actions["#VirtualMedia.EjectMedia"].(map[string]any)["target"].(string)
	assert.Equal(t, cd+"/Actions/VirtualMedia.InsertMedia", insert)

	resp, data := r.do(t, http.MethodPost, insert, `{"Image":"http://10.0.0.1/boot.iso","Inserted":true,"WriteProtected":true}`)
	require.Equal(t, http.StatusNoContent, resp.StatusCode, "%s", data)
	assert.Equal(t, "http://10.0.0.1/boot.iso", r.host.Media())
	m = r.getJSON(t, cd)
	assert.Equal(t, "http://10.0.0.1/boot.iso", m["Image"])
	assert.Equal(t, "boot.iso", m["ImageName"])
	assert.Equal(t, true, m["Inserted"])

	for _, tc := range []struct {
		name, target, body string
		ids                []string
	}{
		{"no-image", insert, `{"Inserted":true}`, []string{"ActionParameterMissing"}},
		{"empty-image", insert, `{"Image":" "}`, []string{"ActionParameterValueFormatError"}},
		{"image-type", insert, `{"Image":7}`, []string{"ActionParameterValueTypeError"}},
		{"inserted-type", insert, `{"Image":"http://x/y.iso","Inserted":"yes"}`, []string{"ActionParameterValueTypeError"}},
		{"unknown-parameter", insert, `{"Image":"http://x/y.iso","Speed":2}`, []string{"ActionParameterUnknown"}},
		{"eject-parameter", eject, `{"Image":"http://x/y.iso"}`, []string{"ActionParameterUnknown"}},
		{"malformed", insert, `{`, []string{"MalformedJSON"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, data := r.do(t, http.MethodPost, tc.target, tc.body)
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", data)
			_, _, ids := redfishError(t, data)
			assert.Equal(t, tc.ids, ids)
		})
	}
	assert.Equal(t, "http://10.0.0.1/boot.iso", r.host.Media(), "bad input changed nothing")

	resp, data = r.do(t, http.MethodPost, eject, `{}`)
	require.Equal(t, http.StatusNoContent, resp.StatusCode, "%s", data)
	assert.Empty(t, r.host.Media())
	m = r.getJSON(t, cd)
	assert.Nil(t, m["Image"])
	assert.Equal(t, false, m["Inserted"])
	assert.Equal(t, "NotConnected", m["ConnectedVia"])

	// The floppy is the emulator's own: the backend's CD is not touched.
	resp, _ = r.do(t, http.MethodPost, sysPath+"/VirtualMedia/Floppy1/Actions/VirtualMedia.InsertMedia", `{"Image":"http://x/f.img"}`)
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Empty(t, r.host.Media())
	assert.Equal(t, "http://x/f.img", r.getJSON(t, sysPath+"/VirtualMedia/Floppy1")["Image"])
}

func TestMethodsAndPaths(t *testing.T) {
	r := newRig(t, nil)
	for _, tc := range []struct {
		method, path, body string
		status             int
		id                 string
		allow              string
	}{
		{http.MethodGet, "/redfish/v1/Nothing", "", http.StatusNotFound, "ResourceNotFound", ""},
		{http.MethodGet, "/redfish/v1/Systems/web9", "", http.StatusNotFound, "ResourceNotFound", ""},
		{http.MethodPatch, "/redfish/v1/Systems/web9", `{}`, http.StatusNotFound, "ResourceNotFound", ""},
		{http.MethodPost, "/redfish/v1/Systems/web9/Actions/ComputerSystem.Reset", `{"ResetType":"On"}`, http.StatusNotFound, "ResourceNotFound", ""},
		{http.MethodPut, sysPath, `{}`, http.StatusMethodNotAllowed, "OperationNotAllowed", "GET, HEAD, PATCH"},
		{http.MethodDelete, sysPath, "", http.StatusMethodNotAllowed, "OperationNotAllowed", "GET, HEAD, PATCH"},
		{http.MethodPatch, "/redfish/v1/Managers/web1", `{}`, http.StatusMethodNotAllowed, "OperationNotAllowed", "GET, HEAD"},
		{http.MethodPost, sysPath, `{}`, http.StatusMethodNotAllowed, "OperationNotAllowed", "GET, HEAD, PATCH"},
		{http.MethodGet, sysPath + "/Actions/ComputerSystem.Reset", "", http.StatusNotFound, "ResourceNotFound", ""},
		{http.MethodPost, sysPath + "/Actions/ComputerSystem.Explode", `{}`, http.StatusBadRequest, "ActionNotSupported", ""},
		{http.MethodPost, sysPath + "/Oem/Contoso/Actions/Contoso.Reset", `{}`, http.StatusNotFound, "ResourceNotFound", ""},
		{http.MethodPut, "/redfish/v1/Nothing", `{}`, http.StatusNotFound, "ResourceNotFound", ""},
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			resp, data := r.do(t, tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, resp.StatusCode, "%s", data)
			assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
			_, _, ids := redfishError(t, data)
			assert.Equal(t, []string{tc.id}, ids)
			assert.Equal(t, tc.allow, resp.Header.Get("Allow"))
		})
	}
	resp, data := r.do(t, http.MethodGet, "/redfish/v1/$metadata", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/xml", resp.Header.Get("Content-Type"))
	assert.Contains(t, string(data), "<edmx:Edmx")
	resp, _ = r.do(t, http.MethodGet, "/redfish/v1/Registries/Base.1.5.0.json", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = r.do(t, http.MethodHead, sysPath, "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "4.0", resp.Header.Get("OData-Version"))
	resp, data = r.do(t, http.MethodPost, sysPath+"/Actions/ComputerSystem.Reset", `{"ResetType":"`+strings.Repeat("x", maxBody)+`"}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "%s", data)
}

func sensorsRig(t testing.TB) *rig {
	t.Helper()
	f := func(v float64) *float64 { return &v }
	return newRig(t, &MemoryOptions{Sensors: []hostmgmt.Sensor{
		{Name: "CPU Temp", Type: hostmgmt.SensorTemperature, Reading: 40, Units: "C", Thresholds: hostmgmt.Thresholds{UpperCaution: f(80), UpperCritical: f(90)}},
		{Name: "Fan 1", Type: hostmgmt.SensorFan, Reading: 5000, Units: "RPM", Thresholds: hostmgmt.Thresholds{LowerCritical: f(500)}},
		{Name: "12V", Type: hostmgmt.SensorVoltage, Reading: 12.1, Units: "V"},
		{Name: "Input Power", Type: hostmgmt.SensorPower, Reading: 210, Units: "W"},
	}})
}

func TestSensorsFromTheBackend(t *testing.T) {
	r := sensorsRig(t)
	ch := "/redfish/v1/Chassis/web1"
	coll := r.getJSON(t, ch+"/Sensors")
	assert.EqualValues(t, 4, coll["Members@odata.count"])
	assert.Contains(t, coll["Members"], map[string]any{"@odata.id": ch + "/Sensors/CPUTemp"})
	s := r.getJSON(t, ch+"/Sensors/CPUTemp")
	assert.Equal(t, "CPU Temp", s["Name"])
	assert.EqualValues(t, 40, s["Reading"])
	assert.Equal(t, "Cel", s["ReadingUnits"])
	assert.Equal(t, "OK", s["Status"].(map[string]any)["Health"])
	assert.EqualValues(t, 90, s["Thresholds"].(map[string]any)["UpperCritical"].(map[string]any)["Reading"])

	require.NoError(t, r.host.SetSensor("CPU Temp", 95))
	s = r.getJSON(t, ch+"/Sensors/CPUTemp")
	assert.EqualValues(t, 95, s["Reading"])
	assert.Equal(t, "Critical", s["Status"].(map[string]any)["Health"])
	require.ErrorIs(t, r.host.SetSensor("nope", 1), hostmgmt.ErrNotFound)

	th := r.getJSON(t, ch+"/Thermal")
	temps := th["Temperatures"].([]any)
	require.Len(t, temps, 1)
	assert.EqualValues(t, 95, temps[0].(map[string]any)["ReadingCelsius"])
	assert.EqualValues(t, 90, temps[0].(map[string]any)["UpperThresholdCritical"])
	fans := th["Fans"].([]any)
	require.Len(t, fans, 1)
	assert.EqualValues(t, 5000, fans[0].(map[string]any)["Reading"])
	assert.Equal(t, "RPM", fans[0].(map[string]any)["ReadingUnits"])
	pw := r.getJSON(t, ch+"/Power")
	assert.EqualValues(t, 12.1, pw["Voltages"].([]any)[0].(map[string]any)["ReadingVolts"])
	assert.EqualValues(t, 210, pw["PowerControl"].([]any)[0].(map[string]any)["PowerConsumedWatts"])

	resp, _ := r.do(t, http.MethodGet, ch+"/Sensors/CPU1Temp", "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the mockup's sensors give way to the backend's")
}

func TestSensorsFromTheMockup(t *testing.T) {
	r := newRig(t, nil)
	s := r.getJSON(t, "/redfish/v1/Chassis/web1/Sensors/CPU1Temp")
	assert.EqualValues(t, 44, s["Reading"])
	assert.EqualValues(t, 41, r.getJSON(t, "/redfish/v1/Chassis/web1/Thermal")["Temperatures"].([]any)[0].(map[string]any)["ReadingCelsius"])
}

func TestInfoFromTheBackend(t *testing.T) {
	r := newRig(t, &MemoryOptions{Info: hostmgmt.BMCInfo{
		Manufacturer: "Flock", Model: "VM", SerialNumber: "SN1", FirmwareVersion: "bios-2", BMCFirmwareVersion: "bmc-3",
		MACAddresses: []string{"52:54:00:00:00:01", "52:54:00:00:00:02"},
	}})
	sys := r.getJSON(t, sysPath)
	assert.Equal(t, "Flock", sys["Manufacturer"])
	assert.Equal(t, "VM", sys["Model"])
	assert.Equal(t, "SN1", sys["SerialNumber"])
	assert.Equal(t, "bios-2", sys["BiosVersion"])
	assert.Equal(t, "bmc-3", r.getJSON(t, "/redfish/v1/Managers/web1")["FirmwareVersion"])
	var macs []any
	for _, m := range r.getJSON(t, sysPath+"/EthernetInterfaces")["Members"].([]any) {
		macs = append(macs, r.getJSON(t, m.(map[string]any)["@odata.id"].(string))["MACAddress"])
	}
	assert.Subset(t, macs, []any{"52:54:00:00:00:01", "52:54:00:00:00:02"}, "MACs %v", macs)

	plain := newRig(t, nil)
	assert.Equal(t, "Contoso", plain.getJSON(t, sysPath)["Manufacturer"], "no info: the mockup's")
}
