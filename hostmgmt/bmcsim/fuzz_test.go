package bmcsim

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

// fuzzMockup is the part of the embedded mockup the fuzzed requests
// touch (the service root, the system, its manager and chassis, its
// virtual CD): a server of it starts fast enough for every input.
func fuzzMockup(t testing.TB) fstest.MapFS {
	m := fstest.MapFS{}
	for _, dir := range []string{
		".", "Systems", "Managers", "Chassis", "SessionService",
		"Systems/437XR1138R2", "Systems/437XR1138R2/VirtualMedia/CD1", "Managers/BMC", "Chassis/1U",
	} {
		data, err := fs.ReadFile(defaultMockup(), path.Join(dir, "index.json"))
		require.NoError(t, err)
		m[path.Join(dir, "index.json")] = &fstest.MapFile{Data: data}
	}
	return m
}

// fuzzServer is a server with one memory host, called directly.
func fuzzServer(t *testing.T, mockup fs.FS) (*Server, *MemoryHost) {
	srv, err := New(&Options{Mockup: mockup, Username: testUser, Password: testPass})
	require.NoError(t, err)
	host := NewMemoryHost(nil)
	require.NoError(t, srv.AddSystem("web1", host))
	return srv, host
}

func serve(t *testing.T, srv *Server, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
	req.SetBasicAuth(testUser, testPass)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, req)
	return w
}

// checkAnswer wants a 2xx, or a 4xx with a Redfish error body.
func checkAnswer(t *testing.T, w *httptest.ResponseRecorder, body string) {
	require.Less(t, w.Code, 500, "body %q: %s", body, w.Body)
	if w.Code >= 400 {
		redfishError(t, w.Body.Bytes())
	}
}

// FuzzPatch: any PATCH body of a system is answered 200 or 400 with a
// Redfish error; a refused one changes nothing.
func FuzzPatch(f *testing.F) {
	for _, s := range []string{
		`{"Boot":{"BootSourceOverrideTarget":"Pxe","BootSourceOverrideEnabled":"Once"}}`,
		`{"Boot":{"BootSourceOverrideTarget":"None"}}`,
		`{"Boot":{"BootSourceOverrideMode":"Legacy","BootSourceOverrideEnabled":"Continuous"}}`,
		`{"AssetTag":"x"}`, `{"PowerState":"Off"}`, `{"Boot":[]}`, `{"Boot":{"BootSourceOverrideTarget":null}}`,
		`{`, `[]`, `null`, ``, `{"a":1}{}`, "{\"Boot\":{\"BootSourceOverrideTarget\":\"Pxe\"}}\x00",
	} {
		f.Add(s)
	}
	mockup := fuzzMockup(f)
	f.Fuzz(func(t *testing.T, body string) {
		srv, host := fuzzServer(t, mockup)
		before := serve(t, srv, http.MethodGet, sysPath, "").Body.String()
		w := serve(t, srv, http.MethodPatch, sysPath, body)
		checkAnswer(t, w, body)
		if w.Code != http.StatusOK {
			assert.Equal(t, before, serve(t, srv, http.MethodGet, sysPath, "").Body.String(), "a refused PATCH %q changed the system", body)
			assert.Equal(t, hostmgmt.BootDevice(""), host.NextBoot())
		}
	})
}

// FuzzReset: any ComputerSystem.Reset body is answered 204 or 400 with
// a Redfish error; a refused one does nothing.
func FuzzReset(f *testing.F) {
	for _, s := range []string{
		`{"ResetType":"On"}`, `{"ResetType":"ForceOff"}`, `{"ResetType":"Nmi"}`, `{"ResetType":"PushPowerButton"}`,
		`{"ResetType":"x"}`, `{"ResetType":1}`, `{"ResetType":"On","x":1}`, `{}`, ``, `{`, `"On"`, `{"ResetType":"On"}]`,
	} {
		f.Add(s)
	}
	mockup := fuzzMockup(f)
	f.Fuzz(func(t *testing.T, body string) {
		srv, host := fuzzServer(t, mockup)
		w := serve(t, srv, http.MethodPost, sysPath+"/Actions/ComputerSystem.Reset", body)
		checkAnswer(t, w, body)
		if w.Code != http.StatusNoContent {
			assert.Empty(t, host.Ops(), "a refused reset %q acted", body)
		}
	})
}

// FuzzInsertMedia: any InsertMedia body is answered 204 or 400 with a
// Redfish error; a refused one inserts nothing.
func FuzzInsertMedia(f *testing.F) {
	for _, s := range []string{
		`{"Image":"http://h/a.iso"}`, `{"Image":"http://h/a.iso","Inserted":true,"WriteProtected":false}`,
		`{"Image":""}`, `{"Image":1}`, `{"Inserted":true}`, `{"Image":"x","TransferMethod":"Stream","UserName":"u","Password":"p"}`, `{`,
	} {
		f.Add(s)
	}
	mockup := fuzzMockup(f)
	f.Fuzz(func(t *testing.T, body string) {
		srv, host := fuzzServer(t, mockup)
		w := serve(t, srv, http.MethodPost, sysPath+"/VirtualMedia/CD1/Actions/VirtualMedia.InsertMedia", body)
		checkAnswer(t, w, body)
		if w.Code != http.StatusNoContent {
			assert.Empty(t, host.Media(), "a refused insert %q inserted", body)
		}
	})
}

// FuzzLogin: any session request is answered 201, 400 or 401; only the
// right credentials get a token.
func FuzzLogin(f *testing.F) {
	for _, s := range []string{
		`{"UserName":"admin","Password":"s3cret"}`, `{"UserName":"admin","Password":"s3cre"}`,
		`{"UserName":"admin"}`, `{"UserName":["admin"],"Password":"s3cret"}`, `{`, ``,
	} {
		f.Add(s)
	}
	mockup := fuzzMockup(f)
	f.Fuzz(func(t *testing.T, body string) {
		srv, _ := fuzzServer(t, mockup)
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, sessionsPath, strings.NewReader(body))
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		checkAnswer(t, w, body)
		if w.Code == http.StatusCreated {
			m, e := decodeObject([]byte(body))
			require.Nil(t, e)
			assert.Equal(t, testUser, m["UserName"])
			assert.Equal(t, testPass, m["Password"])
			assert.NotEmpty(t, w.Header().Get("X-Auth-Token"))
		} else {
			assert.Empty(t, w.Header().Get("X-Auth-Token"))
		}
	})
}
