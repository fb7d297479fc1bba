package redfishbmc_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/edgeflock/flock/internal/testenv"
)

// mockupDir is DMTF's public-rackmount1 mockup, shared by the lab.
const mockupDir = "/work/shared/redfish-mockups/public-rackmount1"

const (
	sysPath   = "/redfish/v1/Systems/437XR1138R2"
	resetPath = sysPath + "/Actions/ComputerSystem.Reset"
)

// mockup is a small Redfish service over a DMTF mockup, written for
// these tests until Flock's emulator serves them: it serves the
// mockup's resources, checks credentials (sessions and basic), acts on
// ComputerSystem.Reset and on PATCHes of Boot and virtual media, takes
// event subscriptions, and can forget its sessions.
type mockup struct {
	user, pass string

	mu       sync.Mutex
	res      map[string]map[string]any // by path without a trailing slash
	etag     int
	sessions map[string]string // token -> session path
	nextID   int
	logins   int
	requests int
	resets   []string
	subs     []string
}

// newMockup loads the mockup, or skips (fails under CI) without it.
func newMockup(t testing.TB, user, pass string) *mockup {
	t.Helper()
	if _, err := os.Stat(mockupDir); err != nil {
		testenv.Missing(t, "the DMTF Redfish mockup", "unpack DMTF's public-rackmount1 into "+mockupDir, err)
	}
	m := &mockup{user: user, pass: pass, res: map[string]map[string]any{}, sessions: map[string]string{}}
	err := filepath.WalkDir(mockupDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "index.json" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, _ := filepath.Rel(mockupDir, filepath.Dir(path))
		key := "/redfish/v1"
		if rel != "." {
			key += "/" + filepath.ToSlash(rel)
		}
		m.res[key] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m.res["/redfish/v1/SessionService/Sessions"] = map[string]any{"Members": []any{}}
	return m
}

func (m *mockup) writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (m *mockup) fail(w http.ResponseWriter, code int, msg string) {
	m.writeJSON(w, code, map[string]any{"error": map[string]any{"code": "Base.1.5.GeneralError", "message": msg}})
}

func (m *mockup) authorized(r *http.Request) bool {
	if tok := r.Header.Get("X-Auth-Token"); tok != "" {
		_, ok := m.sessions[tok]
		return ok
	}
	u, p, ok := r.BasicAuth()
	return ok && u == m.user && p == m.pass
}

// ServeHTTP implements http.Handler.
func (m *mockup) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests++
	path := strings.TrimSuffix(r.URL.Path, "/")
	if path == "/redfish/v1" && r.Method == http.MethodGet {
		m.writeJSON(w, http.StatusOK, m.res[path])
		return
	}
	if path == "/redfish/v1/SessionService/Sessions" && r.Method == http.MethodPost {
		var body struct{ UserName, Password string }
		if json.NewDecoder(r.Body).Decode(&body) != nil || body.UserName != m.user || body.Password != m.pass {
			m.fail(w, http.StatusUnauthorized, "bad credentials")
			return
		}
		m.logins++
		m.nextID++
		tok := fmt.Sprintf("token-%d", m.nextID)
		loc := fmt.Sprintf("/redfish/v1/SessionService/Sessions/%d", m.nextID)
		m.sessions[tok] = loc
		w.Header().Set("X-Auth-Token", tok)
		w.Header().Set("Location", loc)
		m.writeJSON(w, http.StatusCreated, map[string]any{"@odata.id": loc, "Id": strconv.Itoa(m.nextID), "UserName": m.user})
		return
	}
	if !m.authorized(r) {
		m.fail(w, http.StatusUnauthorized, "authentication required")
		return
	}
	switch r.Method {
	case http.MethodGet:
		v, ok := m.res[path]
		if !ok {
			m.fail(w, http.StatusNotFound, "no resource "+path)
			return
		}
		w.Header().Set("ETag", m.etagOf(path))
		m.writeJSON(w, http.StatusOK, v)
	case http.MethodDelete:
		for tok, loc := range m.sessions {
			if loc == path {
				delete(m.sessions, tok)
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		m.fail(w, http.StatusNotFound, "no session "+path)
	case http.MethodPost:
		m.post(w, r, path)
	case http.MethodPatch:
		m.patch(w, r, path)
	default:
		m.fail(w, http.StatusMethodNotAllowed, r.Method)
	}
}

func (m *mockup) etagOf(path string) string {
	if path == sysPath {
		return fmt.Sprintf(`"sys-%d"`, m.etag)
	}
	return ""
}

func (m *mockup) post(w http.ResponseWriter, r *http.Request, path string) {
	switch path {
	case resetPath:
		var body struct{ ResetType string }
		if json.NewDecoder(r.Body).Decode(&body) != nil {
			m.fail(w, http.StatusBadRequest, "malformed JSON")
			return
		}
		allowed := m.allowed()
		if !slices.Contains(allowed, body.ResetType) {
			m.fail(w, http.StatusBadRequest, fmt.Sprintf("ResetType %q is not one of %v", body.ResetType, allowed))
			return
		}
		m.resets = append(m.resets, body.ResetType)
		sys := m.res[sysPath]
		switch body.ResetType {
		case "On", "ForceOn":
			sys["PowerState"] = "On"
		case "ForceOff", "GracefulShutdown":
			sys["PowerState"] = "Off"
		case "PushPowerButton":
			sys["PowerState"] = map[any]string{"On": "Off", "Off": "On"}[sys["PowerState"]]
		case "PowerCycle":
			sys["PowerState"] = "On"
			// ForceRestart and GracefulRestart of a powered-off host leave it off.
		}
		m.etag++
		w.WriteHeader(http.StatusNoContent)
	case "/redfish/v1/EventService/Subscriptions":
		var body struct{ Destination, Protocol string }
		if json.NewDecoder(r.Body).Decode(&body) != nil || body.Destination == "" {
			m.fail(w, http.StatusBadRequest, "Destination missing")
			return
		}
		m.subs = append(m.subs, body.Destination+" "+body.Protocol)
		w.Header().Set("Location", fmt.Sprintf("%s/%d", path, 100+len(m.subs)))
		w.WriteHeader(http.StatusCreated)
	default:
		m.fail(w, http.StatusNotFound, "no action "+path)
	}
}

func (m *mockup) patch(w http.ResponseWriter, r *http.Request, path string) {
	v, ok := m.res[path]
	if !ok {
		m.fail(w, http.StatusNotFound, "no resource "+path)
		return
	}
	if im := r.Header.Get("If-Match"); im != "" && im != m.etagOf(path) {
		m.fail(w, http.StatusPreconditionFailed, "ETag "+im+" is stale")
		return
	}
	var body map[string]any
	if json.NewDecoder(r.Body).Decode(&body) != nil {
		m.fail(w, http.StatusBadRequest, "malformed JSON")
		return
	}
	for k, nv := range body {
		if sub, ok := nv.(map[string]any); ok {
			old, _ := v[k].(map[string]any)
			if old == nil {
				old = map[string]any{}
			}
			for sk, sv := range sub {
				old[sk] = sv
			}
			v[k] = old
			continue
		}
		v[k] = nv
	}
	m.etag++
	w.WriteHeader(http.StatusNoContent)
}

func (m *mockup) allowed() []string {
	action := m.res[sysPath]["Actions"].(map[string]any)["#ComputerSystem.Reset"].(map[string]any)
	var out []string
	for _, v := range action["ResetType@Redfish.AllowableValues"].([]any) {
		out = append(out, v.(string))
	}
	return out
}

// setAllowed replaces the system's allowed reset types.
func (m *mockup) setAllowed(types ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	action := m.res[sysPath]["Actions"].(map[string]any)["#ComputerSystem.Reset"].(map[string]any)
	vals := make([]any, len(types))
	for i, t := range types {
		vals[i] = t
	}
	action["ResetType@Redfish.AllowableValues"] = vals
}

// set changes a property of the resource at path.
func (m *mockup) set(path, key string, v any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.res[path][key] = v
}

// get returns a property of the resource at path.
func (m *mockup) get(path, key string) any {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.res[path][key]
}

// forgetSessions drops every session, as a rebooted BMC does.
func (m *mockup) forgetSessions() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.sessions)
}

func (m *mockup) counts() (logins, sessions, requests int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.logins, len(m.sessions), m.requests
}

func (m *mockup) resetLog() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.resets)
}

// boot returns the system's boot override.
func (m *mockup) boot() (enabled, target string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.res[sysPath]["Boot"].(map[string]any)
	enabled, _ = b["BootSourceOverrideEnabled"].(string)
	target, _ = b["BootSourceOverrideTarget"].(string)
	return enabled, target
}

// closedPort returns the address of a TCP port nothing listens on.
func closedPort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// silentPort returns the address of a listener that accepts
// connections, reads what comes and never answers.
func silentPort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = c.Read(make([]byte, 1<<16)) }()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}
