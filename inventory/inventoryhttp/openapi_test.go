package inventoryhttp_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
)

func loadSpec(t *testing.T) routers.Router {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(inventoryhttp.OpenAPI())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(t.Context()), "the document itself is valid OpenAPI 3")
	doc.Servers = openapi3.Servers{{URL: "/"}}
	r, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return r
}

// validate checks one real exchange against the document.
func validate(r routers.Router, req *http.Request, reqBody []byte, status int, hdr http.Header, body []byte) error {
	check := req.Clone(context.Background())
	check.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := r.FindRoute(check)
	if err != nil {
		return err
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route, Options: opts}
	if status < 400 { // refused requests are refused for breaking the document
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			return err
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: hdr,
		Body: io.NopCloser(bytes.NewReader(body)), Options: opts}
	return openapi3filter.ValidateResponse(context.Background(), out)
}

// openAPIService is the service whose answers are checked here: the stub
// answers every record type with every field set, so every member of
// every schema is checked. The real manager's answers are checked
// against the document by TestServiceSuiteHTTP.
func openAPIService(t *testing.T) inventory.Service { return newStub() }

// TestResponsesMatchOpenAPI drives every path of the handler and checks
// each request and answer against the served document.
func TestResponsesMatchOpenAPI(t *testing.T) {
	router := loadSpec(t)
	h := inventoryhttp.NewHandler(openAPIService(t), nil)
	seen := map[string]bool{}
	call := func(method, path, body string) int {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.NoError(t, validate(router, req, []byte(body), rec.Code, rec.Header(), rec.Body.Bytes()),
			"%s %s -> %d %s", method, path, rec.Code, rec.Body)
		if route, _, err := router.FindRoute(req); err == nil {
			seen[method+" "+route.Path] = true
		}
		return rec.Code
	}
	hu, d, p, l, v, s, i, in, pool, lab, par, be := hostUUID, uuidN(7), uuidN(8), uuidN(9), uuidN(10), uuidN(11), uuidN(13),
		uuidN(14), uuidN(18), uuidN(20), uuidN(22), uuidN(21)
	call("GET", "/v1/isystems", "")
	call("GET", "/v1/isystems/"+uuidN(1), "")
	call("PATCH", "/v1/isystems/"+uuidN(1), `[{"op":"replace","path":"/description","value":"x"}]`)
	call("GET", "/v1/ihosts", "")
	call("POST", "/v1/ihosts", `{"hostname":"worker-1","personality":"worker","mgmt_mac":"08:00:27:00:00:02","location":{"locn":"x"}}`)
	call("POST", "/v1/ihosts/bulk_add", `{"ihosts":[{"hostname":"worker-2","personality":"worker","mgmt_mac":"08:00:27:00:00:03"}]}`)
	call("POST", "/v1/ihosts/inventory_report", `{"mgmt_mac":"08:00:27:00:00:04","inodes":[],"icpus":[],"imemorys":[],"idisks":[],"ethernet_ports":[]}`)
	call("GET", "/v1/ihosts/worker-0", "")
	call("PATCH", "/v1/ihosts/3", `[{"op":"replace","path":"/location","value":"lab"}]`)
	call("PUT", "/v1/ihosts/worker-0/status", `{"administrative":"locked"}`)
	call("GET", "/v1/ihosts/worker-0/check_unlock", "")
	call("GET", "/v1/ihosts/worker-0/config", "")
	call("PUT", "/v1/ihosts/worker-0/config_applied", `{"config_uuid":"`+uuidN(90)+`"}`)
	call("PUT", "/v1/ihosts/worker-0/state/host_cpus_modify", `[{"function":"platform","sockets":[{"0":1}]}]`)
	call("GET", "/v1/snapshot", "")
	call("GET", "/v1/ihosts/worker-0/snapshot", "")
	for _, sub := range []string{"inodes", "icpus", "imemorys", "idisks", "partitions", "ilvgs", "ipvs", "istors", "ports",
		"ethernet_ports", "iinterfaces", "interface_networks", "addresses", "routes", "labels", "idisks/" + d + "/partitions"} {
		call("GET", "/v1/ihosts/"+hu+"/"+sub, "")
	}
	for _, p := range []string{"/v1/icpus/" + uuidN(5), "/v1/imemorys/" + uuidN(6), "/v1/idisks/" + d, "/v1/partitions/" + p,
		"/v1/ilvgs/" + l, "/v1/ipvs/" + v, "/v1/istors/" + s, "/v1/ports/" + uuidN(12), "/v1/ethernet_ports/" + uuidN(12),
		"/v1/iinterfaces/" + i, "/v1/iinterfaces/" + i + "/ports", "/v1/iinterfaces/" + i + "/interface_networks",
		"/v1/interface_networks/" + in, "/v1/networks", "/v1/networks/mgmt", "/v1/addrpools", "/v1/addrpools/" + pool,
		"/v1/datanetworks", "/v1/datanetworks/physnet0", "/v1/labels/" + lab, "/v1/storage_backend", "/v1/storage_backend/" + be,
		"/v1/service_parameter", "/v1/service_parameter?q.field=service&q.op=eq&q.type=&q.value=platform", "/v1/service_parameter/" + par,
		"/v1/openapi.json"} {
		call("GET", p, "")
	}
	call("PATCH", "/v1/imemorys/"+uuidN(6), `[{"op":"replace","path":"/platform_reserved_mib","value":"1200"}]`)
	call("POST", "/v1/partitions", `{"ihost_uuid":"`+hu+`","idisk_uuid":"`+d+`","size_mib":1024,"type_guid":"ba5eba11-0000-1111-2222-000000000001"}`)
	call("PATCH", "/v1/partitions/"+p, `[{"op":"replace","path":"/size_mib","value":2048}]`)
	call("POST", "/v1/ilvgs", `{"ihost_uuid":"`+hu+`","lvm_vg_name":"nova-local"}`)
	call("POST", "/v1/ipvs", `{"ihost_uuid":"`+hu+`","ilvg_uuid":"`+l+`","disk_or_part_uuid":"`+p+`","pv_type":"partition"}`)
	call("POST", "/v1/istors", `{"ihost_uuid":"`+hu+`","idisk_uuid":"`+d+`","function":"osd"}`)
	call("POST", "/v1/iinterfaces", `{"ifname":"vlan10","iftype":"vlan","vlan_id":"10","ifclass":"platform","ihost_uuid":"`+hu+`","ports":null,"uses":["mgmt0"]}`)
	call("PATCH", "/v1/iinterfaces/"+i, `[{"op":"replace","path":"/imtu","value":"9000"}]`)
	call("POST", "/v1/interface_networks", `{"interface_uuid":"`+i+`","network_uuid":"`+uuidN(17)+`"}`)
	call("POST", "/v1/networks", `{"name":"oam","type":"oam","dynamic":"false","pool_uuid":"`+pool+`"}`)
	call("POST", "/v1/addrpools", `{"name":"oam","network":"10.10.10.0","prefix":"24","ranges":[["10.10.10.2","10.10.10.9"]]}`)
	call("PATCH", "/v1/addrpools/"+pool, `[{"op":"replace","path":"/name","value":"m"}]`)
	call("POST", "/v1/datanetworks", `{"name":"physnet1","network_type":"vlan","mtu":1500,"mode":"dynamic"}`)
	call("POST", "/v1/labels/"+hu+"?overwrite=False", `{"a":"b"}`)
	call("POST", "/v1/storage_backend", `{"backend":"ceph","services":"cinder","confirmed":true}`)
	call("POST", "/v1/service_parameter", `{"service":"platform","section":"config","personality":null,"resource":null,"parameters":{"a":"1"}}`)
	call("PATCH", "/v1/service_parameter/"+par, `[{"op":"replace","path":"/value","value":"8"}]`)
	for _, p := range []string{"/v1/partitions/" + p, "/v1/ilvgs/" + l, "/v1/ipvs/" + v, "/v1/istors/" + s, "/v1/iinterfaces/" + i,
		"/v1/interface_networks/" + in, "/v1/networks/mgmt", "/v1/addrpools/" + pool, "/v1/datanetworks/physnet0", "/v1/labels/" + lab,
		"/v1/storage_backend/" + be, "/v1/service_parameter/" + par, "/v1/ihosts/worker-0"} {
		assert.Equal(t, http.StatusNoContent, call("DELETE", p, ""), p)
	}
	// Error answers follow the document too.
	call("GET", "/v1/idisks/"+p, "")
	call("POST", "/v1/ihosts", `{"hostname":"a","personality":"router"}`)
	call("PATCH", "/v1/ihosts/3", `[{"op":"replace","path":"/colour","value":"red"}]`)

	// Every operation of the document was exercised.
	doc, err := openapi3.NewLoader().LoadFromData(inventoryhttp.OpenAPI())
	require.NoError(t, err)
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			assert.True(t, seen[method+" "+path], "%s %s is exercised", method, path)
		}
	}
}

// TestErrorsMatchOpenAPI: 404, 409 and 500 answers follow the document.
func TestErrorsMatchOpenAPI(t *testing.T) {
	router := loadSpec(t)
	for _, err := range []error{inventory.ErrNotFound, inventory.Rulef(inventory.RuleHostLocked, "locked"), errors.New("boom")} {
		st := newStub()
		st.err = err
		req := httptest.NewRequest("GET", "/v1/ihosts/worker-0", nil)
		rec := httptest.NewRecorder()
		inventoryhttp.NewHandler(st, nil).ServeHTTP(rec, req)
		require.GreaterOrEqual(t, rec.Code, 400)
		assert.NoError(t, validate(router, req, nil, rec.Code, rec.Header(), rec.Body.Bytes()))
	}
}

// TestOpenAPICheckCanFail: an answer that breaks the document is caught.
func TestOpenAPICheckCanFail(t *testing.T) {
	router := loadSpec(t)
	hdr := http.Header{"Content-Type": []string{"application/json"}}
	req := httptest.NewRequest("GET", "/v1/ihosts", nil)
	assert.Error(t, validate(router, req, nil, 200, hdr, []byte(`{"ihosts":[{"id":"three"}]}`)))
	assert.Error(t, validate(router, req, nil, 200, hdr, []byte(`{"hosts":[]}`)))
	cpus := httptest.NewRequest("GET", "/v1/ihosts/x/icpus", nil)
	rec := httptest.NewRecorder()
	inventoryhttp.NewHandler(newStub(), nil).ServeHTTP(rec, cpus)
	require.NoError(t, validate(router, cpus, nil, 200, hdr, rec.Body.Bytes()))
	bad := strings.Replace(rec.Body.String(), "Application-isolated", "GPU", 1)
	assert.Error(t, validate(router, cpus, nil, 200, hdr, []byte(bad)))
}
