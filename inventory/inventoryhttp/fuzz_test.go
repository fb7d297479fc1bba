package inventoryhttp_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory/inventoryhttp"
)

// The routes whose bodies the server parses: every JSON-patch route,
// and every route with a JSON body to create or set something.
var (
	patchRoutes = []string{"/v1/ihosts/3", "/v1/isystems/" + uuidN(1), "/v1/imemorys/" + uuidN(6), "/v1/partitions/" + uuidN(8),
		"/v1/iinterfaces/" + uuidN(13), "/v1/addrpools/" + uuidN(18), "/v1/service_parameter/" + uuidN(22)}
	bodyRoutes = []struct{ method, path string }{
		{"POST", "/v1/ihosts"}, {"POST", "/v1/ihosts/bulk_add"}, {"POST", "/v1/ihosts/inventory_report"},
		{"PUT", "/v1/ihosts/3/status"}, {"PUT", "/v1/ihosts/3/config_applied"}, {"PUT", "/v1/ihosts/3/state/host_cpus_modify"},
		{"POST", "/v1/partitions"}, {"POST", "/v1/ilvgs"}, {"POST", "/v1/ipvs"}, {"POST", "/v1/istors"}, {"POST", "/v1/iinterfaces"},
		{"POST", "/v1/interface_networks"}, {"POST", "/v1/networks"}, {"POST", "/v1/addrpools"}, {"POST", "/v1/datanetworks"},
		{"POST", "/v1/labels/" + hostUUID + "?overwrite=True"}, {"POST", "/v1/storage_backend"}, {"POST", "/v1/service_parameter"},
	}
)

// checkAnswer: never a 5xx; a 400 names the field in both envelopes; a
// refused request changed nothing; accepted text is the text sent.
func checkAnswer(t *testing.T, st *stub, rec *httptest.ResponseRecorder, body []byte) {
	t.Helper()
	require.Less(t, rec.Code, 500, "body: %s", rec.Body)
	if rec.Code >= 400 {
		require.Equal(t, http.StatusBadRequest, rec.Code, "the stub refuses nothing: %s", rec.Body)
		var b struct {
			Error struct {
				Code, Field string
			}
			ErrorMessage string `json:"error_message"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &b))
		require.Equal(t, "invalid", b.Error.Code)
		require.NotEmpty(t, b.Error.Field, "400 names the field: %s", rec.Body)
		var fs struct{ FaultString string }
		require.NoError(t, json.Unmarshal([]byte(b.ErrorMessage), &fs))
		require.NotEmpty(t, fs.FaultString)
		require.Empty(t, st.writes(), "a refused request wrote nothing")
		return
	}
	require.True(t, utf8.Valid(body), "accepted bodies are valid UTF-8")
	require.NotEmpty(t, st.writes(), "an accepted request reached the service")
}

func FuzzPatch(f *testing.F) {
	for i, seed := range []string{
		`[{"op":"replace","path":"/hostname","value":"worker-1"},{"op":"replace","path":"/location","value":{"locn":"x"}}]`,
		`[{"op":"replace","path":"/sdn_enabled","value":"true"},{"op":"add","path":"/dns_servers","value":"8.8.8.8,1.1.1.1"}]`,
		`[{"op":"replace","path":"/platform_reserved_mib","value":"1200"},{"op":"replace","path":"/vm_pending_as_percentage","value":"False"}]`,
		`[{"op":"replace","path":"/size_mib","value":2048}]`,
		`[{"op":"replace","path":"/imtu","value":"9000"},{"op":"replace","path":"/uses","value":["eth0"]},{"op":"replace","path":"/ptp_role","value":"none"}]`,
		`[{"op":"replace","path":"/ranges","value":[["10.0.0.1","10.0.0.9"]]},{"op":"replace","path":"/prefix","value":"24"}]`,
		`[{"op":"replace","path":"/name","value":"sysinv_api_workers"},{"op":"replace","path":"/value","value":"2"}]`,
		`[{"op":"replace","path":"/name","value":"a"},{"op":"replace","path":"/value","value":"1"},{"op":"replace","path":"/name","value":"sysinv_api_workers"},{"op":"replace","path":"/value","value":"2"}]`,
		`[{"op":"replace","path":"/vswitch_type","value":"ovs-dpdk"}]`,
		`[]`, `[{"op":"replace","path":"/x"}]`, `{}`, `[{"op":"replace","path":"/hostname","value":"\ud800"}]`,
	} {
		f.Add(uint8(i), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		st := newStub()
		path := patchRoutes[int(route)%len(patchRoutes)]
		rec := httptest.NewRecorder()
		inventoryhttp.NewHandler(st, nil).ServeHTTP(rec, httptest.NewRequest("PATCH", path, bytes.NewReader(body)))
		checkAnswer(t, st, rec, body)
	})
}

func FuzzBody(f *testing.F) {
	for i, seed := range []string{
		`{"hostname":"worker-0","personality":"worker","mgmt_mac":"08:00:27:aa:bb:cc","location":{"locn":"lab"},"hw_settle":"0"}`,
		`{"ihosts":[{"hostname":"a","personality":"worker"},{"mgmt_mac":"08:00:27:00:00:01"}]}`,
		`{"mgmt_mac":"08:00:27:aa:bb:cc","icpus":[{"cpu":0,"allocated_function":"Platform"}],"idisks":[{"device_type":"SSD"}]}`,
		`{"administrative":"locked","uptime":5}`,
		`{"config_uuid":"x"}`,
		`[{"function":"vswitch","sockets":[{"0":2},{"1":1}]}]`,
		`{"ihost_uuid":"h","idisk_uuid":"d","size_mib":"1024"}`,
		`{"ihost_uuid":"h","lvm_vg_name":"nova-local"}`,
		`{"ihost_uuid":"h","ilvg_uuid":"l","disk_or_part_uuid":"d","pv_type":"disk"}`,
		`{"ihost_uuid":"h","idisk_uuid":"d","function":"osd"}`,
		`{"ifname":"vlan10","iftype":"vlan","vlan_id":"10","ihost_uuid":"h","ports":null,"uses":["mgmt0"]}`,
		`{"interface_uuid":"i","network_uuid":"n"}`,
		`{"name":"mgmt","type":"mgmt","dynamic":"true","pool_uuid":"p"}`,
		`{"name":"p","network":"10.0.0.0","prefix":"8","ranges":[["10.0.0.1","10.0.0.9"]]}`,
		`{"name":"physnet0","network_type":"vxlan","mtu":"9000","mode":"static","ttl":"5"}`,
		`{"sriov":"enabled"}`,
		`{"backend":"ceph","services":["cinder"]}`,
		`{"service":"platform","section":"config","personality":null,"resource":null,"parameters":{"a":"1"}}`,
	} {
		f.Add(uint8(i), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		st := newStub()
		r := bodyRoutes[int(route)%len(bodyRoutes)]
		req := httptest.NewRequest(r.method, r.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		inventoryhttp.NewHandler(st, nil).ServeHTTP(rec, req)
		checkAnswer(t, st, rec, body)
	})
}
