package patchinghttp_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/patchinghttp"
	"github.com/edgeflock/flock/patching/patchingtest"
)

func TestClientSuite(t *testing.T) {
	patchingtest.RunServiceSuite(t, func(t *testing.T) patchingtest.Rig {
		rig, fake := patchingtest.NewFakeRig(t)
		srv := httptest.NewServer(patchinghttp.NewHandler(fake, nil))
		t.Cleanup(srv.Close)
		rig.Service = patchinghttp.NewClient(srv.URL, nil)
		return rig
	})
}

func newServer(t *testing.T, opts *patchinghttp.HandlerOptions) (*httptest.Server, *patchingtest.FakeService, patchingtest.Rig) {
	rig, fake := patchingtest.NewFakeRig(t)
	srv := httptest.NewServer(patchinghttp.NewHandler(fake, opts))
	t.Cleanup(srv.Close)
	return srv, fake, rig
}

func do(t *testing.T, method, url, ct string, body io.Reader) (int, map[string]any, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	require.NoError(t, err)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return resp.StatusCode, m, data
}

// software-client's upload: several files in one multipart body, each a
// part named by its path.
func TestUploadMultipartAsSoftwareClient(t *testing.T) {
	srv, fake, rig := newServer(t, nil)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, id := range []string{"R-1", "R-2"} {
		w, err := mw.CreateFormFile("/home/sysadmin/"+id+".patch", "/home/sysadmin/"+id+".patch")
		require.NoError(t, err)
		_, err = w.Write(patchingtest.BuildRelease(t, rig.Key, patchingtest.Meta(id, false), nil))
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	status, m, raw := do(t, http.MethodPost, srv.URL+"/v1/release", mw.FormDataContentType(), &body)
	require.Equal(t, http.StatusOK, status, string(raw))
	infos := m["upload_info"].([]any)
	require.Len(t, infos, 2)
	assert.Equal(t, "R-1", infos[0].(map[string]any)["release_id"])
	assert.Contains(t, m["info"], "R-2 is now uploaded")
	list, err := fake.ListReleases(t.Context(), "")
	require.NoError(t, err)
	assert.Len(t, list, 2)
}

func TestUploadRaw(t *testing.T) {
	srv, _, rig := newServer(t, nil)
	file := patchingtest.BuildRelease(t, rig.Key, patchingtest.Meta("R-1", true), nil)
	status, m, raw := do(t, http.MethodPost, srv.URL+"/v1/upload", "application/octet-stream", bytes.NewReader(file))
	require.Equal(t, http.StatusOK, status, string(raw))
	assert.Equal(t, "R-1", m["upload_info"].([]any)[0].(map[string]any)["id"])

	status, m, _ = do(t, http.MethodGet, srv.URL+"/v1/release/R-1", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "R-1", m["release_id"])
	assert.Equal(t, true, m["reboot_required"])
	assert.Equal(t, "available", m["state"])
}

func TestUploadErrors(t *testing.T) {
	srv, _, rig := newServer(t, &patchinghttp.HandlerOptions{MaxUpload: 64 << 10})
	file := patchingtest.BuildRelease(t, rig.Key, patchingtest.Meta("R-1", true), nil)
	for _, tc := range []struct {
		name, ct string
		body     []byte
		status   int
		code     string
		field    string
	}{
		{"TooLarge", "application/octet-stream", append(file, make([]byte, 70<<10)...), http.StatusRequestEntityTooLarge, "too_large", ""},
		{"BadType", "text/plain", file, http.StatusBadRequest, "invalid", "Content-Type"},
		{"NoBoundary", "multipart/form-data", file, http.StatusBadRequest, "invalid", "Content-Type"},
		{"NoFile", "multipart/form-data; boundary=x", []byte("--x--\r\n"), http.StatusBadRequest, "invalid", "body"},
		{"Untrusted", "application/octet-stream",
			patchingtest.BuildRelease(t, rig.Untrusted, patchingtest.Meta("R-1", true), nil), http.StatusUnprocessableEntity, "untrusted", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m, raw := do(t, http.MethodPost, srv.URL+"/v1/upload", tc.ct, bytes.NewReader(tc.body))
			require.Equal(t, tc.status, status, string(raw))
			e := m["error"].(map[string]any)
			assert.Equal(t, tc.code, e["code"])
			if tc.field != "" {
				assert.Equal(t, tc.field, e["field"])
			}
		})
	}
}

func TestDeployPathsAsSoftwareClient(t *testing.T) {
	srv, fake, rig := newServer(t, nil)
	fake.SetHosts([]patchingtest.Host{{Name: "controller-0"}})
	_, err := fake.Upload(t.Context(), bytes.NewReader(patchingtest.BuildRelease(t, rig.Key, patchingtest.Meta("R-1", false), nil)))
	require.NoError(t, err)

	status, m, raw := do(t, http.MethodPost, srv.URL+"/v1/deploy/precheck", "application/json", strings.NewReader(`{"releases":["R-1"]}`))
	require.Equal(t, http.StatusOK, status, string(raw))
	assert.Equal(t, true, m["system_healthy"])
	assert.Contains(t, m["info"], "All hosts are provisioned: [OK]")

	status, _, raw = do(t, http.MethodPost, srv.URL+"/v1/deploy/start", "application/json", strings.NewReader(`{"releases":"R-1","force":"true"}`))
	require.Equal(t, http.StatusOK, status, string(raw))
	status, _, raw = do(t, http.MethodGet, srv.URL+"/v1/deploy", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `[{"from_release":"","to_release":"R-1","state":"start-done","reboot_required":false}]`, string(raw))

	status, _, raw = do(t, http.MethodPost, srv.URL+"/v1/deploy_host/controller-0/force", "", nil)
	require.Equal(t, http.StatusOK, status, string(raw))
	status, _, raw = do(t, http.MethodGet, srv.URL+"/v1/deploy_host", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `[{"hostname":"controller-0","software_release":"","target_release":"R-1","reboot_required":false,"host_state":"deploying"}]`, string(raw))

	// A refused command names its rule.
	status, m, _ = do(t, http.MethodPost, srv.URL+"/v1/deploy/complete", "", nil)
	require.Equal(t, http.StatusConflict, status)
	assert.Equal(t, "deploy-transition", m["error"].(map[string]any)["rule"])

	// The host link.
	status, m, _ = do(t, http.MethodGet, srv.URL+"/v1/deploy_host/controller-0/assignment", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "install", m["action"])
	status, m, _ = do(t, http.MethodPost, srv.URL+"/v1/deploy_host/controller-0/status", "application/json", strings.NewReader(`{"running":"R-1","state":"bogus"}`))
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "state", m["error"].(map[string]any)["field"])
	status, _, raw = do(t, http.MethodPost, srv.URL+"/v1/deploy_host/controller-0/status", "application/json",
		strings.NewReader(`{"running":"R-1","state":"idle","action":"install","release_id":"R-1"}`))
	require.Equal(t, http.StatusNoContent, status, string(raw))
	status, _, raw = do(t, http.MethodGet, srv.URL+"/v1/deploy", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(raw), `"state":"host-done"`)

	status, m, _ = do(t, http.MethodGet, srv.URL+"/v1/release?show=nope", "", nil)
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "show", m["error"].(map[string]any)["field"])
	status, _, raw = do(t, http.MethodGet, srv.URL+"/v1/release?show=deploying&release=1.0", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(raw), `"release_id":"R-1"`)
}

func TestParseDeployRequest(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
		id               string
		force            bool
		field            string
	}{
		{"Path", "R-1", "", "R-1", false, ""},
		{"PathAndForce", "R-1", `{"force":true}`, "R-1", true, ""},
		{"List", "", `{"releases":["R-1"],"force":"true"}`, "R-1", true, ""},
		{"String", "", `{"releases":"R-1","force":"false"}`, "R-1", false, ""},
		{"None", "", `{}`, "", false, "releases"},
		{"Two", "", `{"releases":["R-1","R-2"]}`, "", false, "releases"},
		{"Mismatch", "R-1", `{"releases":"R-2"}`, "", false, "releases"},
		{"BadID", "", `{"releases":"../x"}`, "", false, "releases"},
		{"BadForce", "R-1", `{"force":"yes"}`, "", false, "force"},
		{"Unknown", "R-1", `{"remove":true}`, "", false, "remove"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, force, err := patchinghttp.ParseDeployRequest(tc.path, []byte(tc.body))
			if tc.field != "" {
				patchingtest.RequireField(t, err, tc.field)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.id, id)
			assert.Equal(t, tc.force, force)
		})
	}
}

func TestClientErrorsMatch(t *testing.T) {
	srv, _, rig := newServer(t, nil)
	c := patchinghttp.NewClient(srv.URL, nil)
	file := patchingtest.BuildRelease(t, rig.Key, patchingtest.Meta("R-1", true), nil)
	file[600] ^= 1
	_, err := c.Upload(t.Context(), bytes.NewReader(file))
	require.ErrorIs(t, err, patching.ErrTampered)
	require.ErrorIs(t, err, patching.ErrInvalid)

	down := patchinghttp.NewClient("http://127.0.0.1:1", nil)
	_, err = down.ListReleases(t.Context(), "")
	require.ErrorIs(t, err, patchinghttp.ErrUnavailable)
}
