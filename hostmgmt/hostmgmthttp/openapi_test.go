package hostmgmthttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmthttp"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
)

func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(hostmgmthttp.OpenAPI())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(t.Context()), "the document itself is valid OpenAPI 3")
	return doc
}

func loadRouter(t *testing.T) routers.Router {
	t.Helper()
	doc := loadDoc(t)
	doc.Servers = openapi3.Servers{{URL: "/"}}
	r, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return r
}

// validate checks one exchange against the document.
func validate(r routers.Router, req *http.Request, status int, hdr http.Header, body []byte) error {
	check := req.Clone(context.Background())
	route, params, err := r.FindRoute(check)
	if err != nil {
		return err
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return err
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: hdr,
		Body: io.NopCloser(bytes.NewReader(body)), Options: opts}
	return openapi3filter.ValidateResponse(context.Background(), out)
}

// TestResponsesMatchOpenAPI drives every path of the document, with
// states that set every field, and checks the answers against it.
func TestResponsesMatchOpenAPI(t *testing.T) {
	router := loadRouter(t)
	m := newFakeMtce()
	h := hostmgmthttp.NewHandler(m, &fakeInventory{mtce: m}, nil)
	seen := map[string]bool{}
	call := func(path string) int {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.NoError(t, validate(router, req, rec.Code, rec.Header(), rec.Body.Bytes()), "GET %s -> %d %s", path, rec.Code, rec.Body)
		if route, _, err := router.FindRoute(req); err == nil {
			seen["GET "+route.Path] = true
		}
		return rec.Code
	}
	// Every stage, cause and availability the state machine has.
	full := m.hosts[2]
	full.flags = hostmgmt.FlagProcessStalled | hostmgmt.FlagDiskFull | hostmgmt.FlagProcessFailed
	for i, stage := range hostmgmt.Stages() {
		full.st = hostmgmt.State{Administrative: inventory.AdminUnlocked, Operational: inventory.OperDisabled,
			Availability: inventory.Availability([]string{"offline", "online", "available", "degraded", "failed", "intest",
				"power-off", "offduty", "dependency", "not-installed"}[i%10]),
			Task: hostmgmt.TaskEnableHeartbeatFail, Action: hostmgmt.ActionEnable, Stage: stage, Deadline: time.Now(),
			Degraded: true, Cause: hostmgmt.CauseHeartbeat, Failures: map[hostmgmt.Cause]int{hostmgmt.CauseHeartbeat: 1},
			Retries: 1, GracefulRecoveries: 1}
		require.Equal(t, http.StatusOK, call("/v1/ihosts/worker-0/mtce"))
	}
	require.Equal(t, http.StatusOK, call("/v1/ihosts/controller-0/mtce"), "heartbeat per network")
	// A BMC audit with every sensor type and status, and every limit.
	lim := func(v float64) *float64 { return &v }
	full.bmc = &hostmgmt.BMCStatus{Power: hostmgmt.PowerOn, ReadAt: time.Now(), Error: "timeout", Sensors: []hostmgmt.Sensor{
		{Name: "CPU Temp", Type: hostmgmt.SensorTemperature, Reading: 91, Units: "Cel", Status: hostmgmt.SensorCritical,
			Thresholds: hostmgmt.Thresholds{LowerCritical: lim(0), LowerCaution: lim(5), UpperCaution: lim(80), UpperCritical: lim(90)}},
		{Name: "Fan 1", Type: hostmgmt.SensorFan, Reading: 900, Units: "RPM", Status: hostmgmt.SensorWarning},
		{Name: "12V", Type: hostmgmt.SensorVoltage, Reading: 12.1, Units: "V", Status: hostmgmt.SensorOK},
		{Name: "PSU 1", Type: hostmgmt.SensorPower, Status: hostmgmt.SensorUnknown},
	}}
	require.Equal(t, http.StatusOK, call("/v1/ihosts/worker-0/mtce"))
	require.Equal(t, http.StatusOK, call("/v1/ihosts/worker-0/isensors"))
	require.Equal(t, http.StatusOK, call("/v1/ihosts/controller-0/isensors"), "no BMC audit: no sensors")
	require.Equal(t, http.StatusNotFound, call("/v1/ihosts/nosuch/isensors"))
	require.Equal(t, http.StatusOK, call("/v1/mtce/hosts"))
	m.hosts = nil
	require.Equal(t, http.StatusOK, call("/v1/mtce/hosts"))
	// Errors follow the document too.
	require.Equal(t, http.StatusNotFound, call("/v1/ihosts/nosuch/mtce"))
	m.err = fmt.Errorf("x: %w", hostmgmt.ErrUnavailable)
	require.Equal(t, http.StatusServiceUnavailable, call("/v1/ihosts/worker-0/mtce"))
	require.Equal(t, http.StatusServiceUnavailable, call("/v1/mtce/hosts"))

	for path, item := range loadDoc(t).Paths.Map() {
		for method := range item.Operations() {
			assert.True(t, seen[method+" "+path], "%s %s is exercised", method, path)
		}
	}
}

// TestOpenAPICheckCanFail: an answer that breaks the document is caught.
func TestOpenAPICheckCanFail(t *testing.T) {
	router := loadRouter(t)
	hdr := http.Header{"Content-Type": []string{"application/json"}}
	req := httptest.NewRequest("GET", "/v1/ihosts/worker-0/mtce", nil)
	good := `{"uuid":"u","hostname":"h","administrative":"locked","operational":"disabled","availability":"online","updated_at":"2026-01-01T00:00:00Z"}`
	require.NoError(t, validate(router, req, 200, hdr, []byte(good)))
	for _, bad := range []string{
		`{"uuid":"u","hostname":"h","administrative":"frozen","operational":"disabled","availability":"online","updated_at":"2026-01-01T00:00:00Z"}`,
		`{"uuid":"u","hostname":"h","administrative":"locked","operational":"disabled","availability":"online","updated_at":"2026-01-01T00:00:00Z","stage":"napping"}`,
		`{"uuid":"u","hostname":"h","administrative":"locked","operational":"disabled","availability":"online","updated_at":"2026-01-01T00:00:00Z","colour":"red"}`,
		`{"uuid":"u","hostname":"h","administrative":"locked","operational":"disabled","availability":"online"}`,
	} {
		assert.Error(t, validate(router, req, 200, hdr, []byte(bad)), bad)
	}
}

// TestOpenAPIEnums: the document's enums are the package's.
func TestOpenAPIEnums(t *testing.T) {
	props := loadDoc(t).Components.Schemas["HostState"].Value.Properties
	enum := func(name string) []string {
		var out []string
		for _, v := range props[name].Value.Enum {
			out = append(out, v.(string))
		}
		return out
	}
	var stages []string
	for _, s := range hostmgmt.Stages()[1:] { // idle is written as no stage
		stages = append(stages, string(s))
	}
	assert.Equal(t, stages, enum("stage"))
	for _, a := range []hostmgmt.AdminAction{hostmgmt.ActionNone, hostmgmt.ActionLock, hostmgmt.ActionForceLock, hostmgmt.ActionUnlock,
		hostmgmt.ActionReboot, hostmgmt.ActionReset, hostmgmt.ActionReinstall, hostmgmt.ActionPowerOn, hostmgmt.ActionPowerOff,
		hostmgmt.ActionSwact, hostmgmt.ActionDelete, hostmgmt.ActionRecovery, hostmgmt.ActionEnable} {
		assert.Contains(t, enum("action"), string(a))
	}
	for _, a := range enum("action") {
		if _, err := hostmgmt.ParseAdminAction(a); err != nil {
			assert.Contains(t, []string{"force-unlock", "force-swact"}, a, "an action hostmgmt does not know")
		}
	}
	for _, c := range enum("cause") {
		var cause hostmgmt.Cause
		assert.NoError(t, cause.UnmarshalText([]byte(c)))
	}
	for _, v := range props["heartbeat"].Value.AdditionalProperties.Schema.Value.Enum {
		assert.True(t, hostmgmt.Health(v.(string)).Valid(), v)
	}
	for _, v := range enum("availability") {
		assert.True(t, inventory.Availability(v).Valid(), v)
	}
}

// TestOpenAPIMerges: the document joins the controller's others (stx
// merges them): its paths are its own, and the components it shares
// with them are the same.
func TestOpenAPIMerges(t *testing.T) {
	var mine map[string]any
	require.NoError(t, json.Unmarshal(hostmgmthttp.OpenAPI(), &mine))
	for name, other := range map[string][]byte{"inventory": inventoryhttp.OpenAPI(), "fault": faulthttp.OpenAPI()} {
		var doc map[string]any
		require.NoError(t, json.Unmarshal(other, &doc))
		for p := range mine["paths"].(map[string]any) {
			assert.NotContains(t, doc["paths"], p, "%s defines %s too", name, p)
		}
		theirs := doc["components"].(map[string]any)
		for kind, entries := range mine["components"].(map[string]any) {
			for k, v := range entries.(map[string]any) {
				if o, ok := theirs[kind].(map[string]any)[k]; ok {
					assert.True(t, reflect.DeepEqual(v, o), "%s's components.%s.%s differs", name, kind, k)
				}
			}
		}
		assert.Equal(t, doc["security"], mine["security"])
	}
	// The actions' PATCH is in the inventory's document, and its patch
	// schema takes /action.
	inv, err := openapi3.NewLoader().LoadFromData(inventoryhttp.OpenAPI())
	require.NoError(t, err)
	patch := inv.Paths.Find("/v1/ihosts/{id}").Patch
	require.NotNil(t, patch)
	var ops any
	require.NoError(t, json.Unmarshal([]byte(`[{"op":"replace","path":"/action","value":"lock"}]`), &ops))
	assert.NoError(t, patch.RequestBody.Value.Content.Get("application/json").Schema.Value.VisitJSON(ops))
	assert.Contains(t, inv.Components.Schemas, "Error")
}
