package bmcsim

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
)

// Options configure a Server.
type Options struct {
	// Mockup is a Redfish mockup tree in DMTF's layout (each resource at
	// <path>/index.json, the service root at the top) with exactly one
	// system to clone; nil is the embedded DMTF public-rackmount1.
	Mockup fs.FS `json:"-"`
	// Username and Password are the one account, for basic auth and
	// sessions. Both are required.
	Username string `json:"username"`
	Password string `json:"password"`
	// SessionTimeout ends a session unused that long (0: 30 minutes).
	// The mockup's SessionService.SessionTimeout is replaced by it.
	SessionTimeout time.Duration `json:"session_timeout"`
	// Logger receives the actions performed (nil: discard).
	Logger *slog.Logger `json:"-"`
}

// Server is a Redfish service (an http.Handler) serving a mockup tree
// with one ComputerSystem, Manager and Chassis per added system, whose
// power, boot and sensors are the system's hostmgmt.BMC backend.
type Server struct {
	user, pass string
	timeout    time.Duration
	log        *slog.Logger
	tmpl       *template
	files      map[string]staticFile

	mu       sync.RWMutex
	res      map[string]map[string]any // by path, no trailing slash; the systems' are theirs
	systems  []*system
	byID     map[string]*system
	sessions map[string]*session // by token
}

// system is one virtual host. Its resources are the template's, rewritten
// as they are served, but for those it changes (its ComputerSystem,
// Manager and Chassis, its virtual media), which it owns.
type system struct {
	id                     string
	backend                hostmgmt.BMC
	path, manager, chassis string
	rw                     rewriter                  // template paths to the system's
	own                    map[string]map[string]any // under Server.mu
	act                    sync.Mutex                // one action at a time
}

// session is a login (POST SessionService/Sessions).
type session struct {
	id, token, user string
	last            time.Time
}

const (
	sessionsPath      = root + "/SessionService/Sessions"
	maxBody           = 64 << 10
	defaultSessionTTL = 30 * time.Minute
)

// New returns a Server of opts's mockup, serving no system until
// AddSystem. It reads the mockup and does nothing else.
func New(opts *Options) (*Server, error) {
	if opts == nil {
		opts = &Options{}
	}
	if opts.Username == "" {
		return nil, fmt.Errorf("bmcsim: %w", &hostmgmt.FieldError{Field: "username", Reason: "required"})
	}
	if opts.Password == "" {
		return nil, fmt.Errorf("bmcsim: %w", &hostmgmt.FieldError{Field: "password", Reason: "required"})
	}
	if opts.SessionTimeout < 0 {
		return nil, fmt.Errorf("bmcsim: %w", &hostmgmt.FieldError{Field: "session_timeout", Reason: "negative"})
	}
	fsys := opts.Mockup
	if fsys == nil {
		fsys = defaultMockup()
	}
	t, err := loadTree(fsys)
	if err != nil {
		return nil, fmt.Errorf("bmcsim: %w", err)
	}
	tp, err := takeTemplate(t)
	if err != nil {
		return nil, fmt.Errorf("bmcsim: %w", err)
	}
	s := &Server{
		user: opts.Username, pass: opts.Password, timeout: opts.SessionTimeout,
		log: opts.Logger, tmpl: tp, files: t.files, res: t.res, sessions: map[string]*session{}, byID: map[string]*system{},
	}
	if s.timeout == 0 {
		s.timeout = defaultSessionTTL
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	// Sessions are the emulator's own: drop the mockup's examples.
	for p := range s.res {
		if strings.HasPrefix(p, sessionsPath+"/") {
			delete(s.res, p)
		}
	}
	delete(s.res, sessionsPath)
	if ss := s.res[root+"/SessionService"]; ss != nil {
		ss["SessionTimeout"] = int(s.timeout / time.Second)
	}
	return s, nil
}

var systemID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// resetTypes are the ComputerSystem.Reset types served, in the order the
// resource lists them.
var resetTypes = []string{"On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "PowerCycle", "Nmi", "ForceOn", "PushPowerButton"}

// Boot override values served.
var (
	bootTargets  = []string{"None", "Pxe", "Cd", "Hdd"}
	bootEnabled  = []string{"Once", "Continuous", "Disabled"}
	bootModes    = []string{"UEFI", "Legacy"}
	bootDevices  = map[string]hostmgmt.BootDevice{"Pxe": hostmgmt.BootPXE, "Cd": hostmgmt.BootCD, "Hdd": hostmgmt.BootDisk}
	allowedSuffx = "@Redfish.AllowableValues"
)

// AddSystem serves a virtual host at /redfish/v1/Systems/<id>, with its
// manager at /redfish/v1/Managers/<id> and its chassis at
// /redfish/v1/Chassis/<id>: clones of the mockup's system, manager and
// chassis with every link rewritten. Its power, boot device, info and
// sensors are backend's. The boot override starts disabled.
func (s *Server) AddSystem(id string, backend hostmgmt.BMC) error {
	if !systemID.MatchString(id) {
		return fmt.Errorf("bmcsim: %w", &hostmgmt.FieldError{Field: "id", Reason: fmt.Sprintf("%q is not 1-64 letters, digits, '.', '_' or '-'", id)})
	}
	if backend == nil {
		return fmt.Errorf("bmcsim: %w", &hostmgmt.FieldError{Field: "backend", Reason: "required"})
	}
	sys := &system{
		id: id, backend: backend,
		path: root + "/Systems/" + id, manager: root + "/Managers/" + id, chassis: root + "/Chassis/" + id,
		own: map[string]map[string]any{},
	}
	sys.rw = rewriter{{s.tmpl.system, sys.path}, {s.tmpl.manager, sys.manager}, {s.tmpl.chassis, sys.chassis}}
	for _, tp := range []string{s.tmpl.system, s.tmpl.manager, s.tmpl.chassis} {
		p := sys.rw.str(tp)
		sys.own[p] = sys.rw.clone(s.tmpl.res[tp]).(map[string]any)
		sys.own[p]["Id"] = id
		if u, ok := sys.own[p]["UUID"].(string); ok {
			sys.own[p]["UUID"] = nameUUID(u, id)
		}
	}
	prepareSystem(sys.own[sys.path], sys.path)
	for tp, body := range s.tmpl.res {
		if t, _ := body["@odata.type"].(string); strings.HasPrefix(t, "#VirtualMedia.") {
			p := sys.rw.str(tp)
			sys.own[p] = sys.rw.clone(body).(map[string]any)
			prepareMedia(sys.own[p], p)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range []string{sys.path, sys.manager, sys.chassis} {
		if s.res[p] != nil || s.byID[id] != nil {
			return fmt.Errorf("bmcsim: %w", &hostmgmt.FieldError{Field: "id", Reason: fmt.Sprintf("%s is already served", p)})
		}
	}
	for coll, p := range map[string]string{"Systems": sys.path, "Managers": sys.manager, "Chassis": sys.chassis} {
		c := s.res[root+"/"+coll]
		members, _ := c["Members"].([]any)
		setMembers(c, append(members, map[string]any{"@odata.id": p}))
	}
	s.systems = append(s.systems, sys)
	s.byID[id] = sys
	s.log.Info("bmcsim: system added", "id", id, "path", sys.path)
	return nil
}

// prepareSystem sets a cloned system's boot override (disabled), the
// values it accepts, and its Reset action's reset types; OEM actions go.
func prepareSystem(body map[string]any, p string) {
	boot, _ := body["Boot"].(map[string]any)
	if boot == nil {
		boot = map[string]any{}
		body["Boot"] = boot
	}
	boot["BootSourceOverrideTarget"] = "None"
	boot["BootSourceOverrideEnabled"] = "Disabled"
	if _, ok := boot["BootSourceOverrideMode"]; !ok {
		boot["BootSourceOverrideMode"] = "UEFI"
	}
	boot["BootSourceOverrideTarget"+allowedSuffx] = anys(bootTargets)
	boot["BootSourceOverrideEnabled"+allowedSuffx] = anys(bootEnabled)
	boot["BootSourceOverrideMode"+allowedSuffx] = anys(bootModes)
	body["Actions"] = map[string]any{
		"#ComputerSystem.Reset": map[string]any{
			"target":                   p + "/Actions/ComputerSystem.Reset",
			"ResetType" + allowedSuffx: anys(resetTypes),
		},
	}
}

// prepareMedia adds the insert and eject actions to a VirtualMedia
// resource.
func prepareMedia(body map[string]any, p string) {
	body["Actions"] = map[string]any{
		"#VirtualMedia.InsertMedia": map[string]any{"target": p + "/Actions/VirtualMedia.InsertMedia"},
		"#VirtualMedia.EjectMedia":  map[string]any{"target": p + "/Actions/VirtualMedia.EjectMedia"},
	}
}

// nameUUID is a name-based UUID (version 5 layout) of a template's UUID
// and a system id: each system's differs, and stays across restarts.
func nameUUID(template, id string) string {
	h := sha1.Sum([]byte(template + "/" + id))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

func anys(ss []string) []any {
	l := make([]any, len(ss))
	for i, s := range ss {
		l[i] = s
	}
	return l
}

// ServeHTTP serves the Redfish API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimRight(r.URL.Path, "/")
	if p == "/redfish" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		writeJSON(w, http.StatusOK, []byte(`{"v1":"/redfish/v1/"}`), "")
		return
	}
	if e := s.authorize(r, p); e != nil {
		if e.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="Redfish"`)
		}
		writeError(w, e)
		return
	}
	var e *apiError
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		e = s.get(w, r, p)
	case http.MethodPatch:
		e = s.patch(w, r, p)
	case http.MethodPost:
		e = s.post(w, r, p)
	case http.MethodDelete:
		e = s.delete(w, r, p)
	default:
		e = s.notAllowed(w, p)
	}
	if e != nil {
		if e.status >= 500 {
			s.log.Error("bmcsim: request failed", "method", r.Method, "path", p, "err", e.Error())
		}
		writeError(w, e)
	}
}

// public reports whether a request needs no credentials: the service
// root, the OData service document, $metadata and login.
func public(method, p string) bool {
	switch {
	case method == http.MethodGet || method == http.MethodHead:
		return p == root || p == root+"/odata" || p == root+"/$metadata"
	case method == http.MethodPost:
		return p == sessionsPath
	}
	return false
}

// authorize checks the request's X-Auth-Token or basic credentials.
func (s *Server) authorize(r *http.Request, p string) *apiError {
	if public(r.Method, p) {
		return nil
	}
	if tok := r.Header.Get("X-Auth-Token"); tok != "" {
		s.mu.Lock()
		defer s.mu.Unlock()
		if ss := s.session(tok); ss != nil {
			ss.last = time.Now()
			return nil
		}
		return fail(http.StatusUnauthorized, "NoValidSession")
	}
	if u, pw, ok := r.BasicAuth(); ok && s.credentials(u, pw) {
		return nil
	}
	return fail(http.StatusUnauthorized, "NoValidSession")
}

// credentials reports whether user and password are the account's.
func (s *Server) credentials(user, password string) bool {
	u := subtle.ConstantTimeCompare([]byte(user), []byte(s.user))
	p := subtle.ConstantTimeCompare([]byte(password), []byte(s.pass))
	return u&p == 1
}

// session returns the live session of tok, dropping it if it expired;
// s.mu is held.
func (s *Server) session(tok string) *session {
	ss := s.sessions[tok]
	if ss != nil && time.Since(ss.last) > s.timeout {
		delete(s.sessions, tok)
		return nil
	}
	return ss
}

// sweep drops the expired sessions; s.mu is held.
func (s *Server) sweep() {
	for tok, ss := range s.sessions {
		if time.Since(ss.last) > s.timeout {
			delete(s.sessions, tok)
		}
	}
}

// owner returns the system whose subtrees hold p, or nil; s.mu is held.
func (s *Server) owner(p string) *system {
	rest, ok := strings.CutPrefix(p, root+"/")
	if !ok {
		return nil
	}
	kind, rest, _ := strings.Cut(rest, "/")
	id, _, _ := strings.Cut(rest, "/")
	if kind != "Systems" && kind != "Managers" && kind != "Chassis" {
		return nil
	}
	return s.byID[id]
}

// lookup returns the stored resource at p, shared: a system's own or
// the template's (rewrite reports which, to rewrite it for the system),
// or another of the mockup's; s.mu is held.
func (s *Server) lookup(p string) (body map[string]any, sys *system, rewrite bool) {
	if sys = s.owner(p); sys == nil {
		return s.res[p], nil, false
	}
	if body, ok := sys.own[p]; ok {
		return body, sys, false
	}
	for _, pair := range sys.rw {
		if rest, ok := strings.CutPrefix(p, pair[1]); ok && (rest == "" || rest[0] == '/') {
			return s.tmpl.res[pair[0]+rest], sys, true
		}
	}
	return nil, sys, false
}

// copyOf returns a copy of the resource at p to change and serve, nil if
// there is none; s.mu is held.
func (s *Server) copyOf(p string) map[string]any {
	body, sys, rewrite := s.lookup(p)
	switch {
	case body == nil:
		return nil
	case rewrite:
		return sys.rw.clone(body).(map[string]any)
	}
	return deepCopy(body).(map[string]any)
}

// exists reports whether a resource or file is at p.
func (s *Server) exists(p string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	body, _, _ := s.lookup(p)
	_, file := s.files[p]
	return body != nil || file || p == sessionsPath || (strings.HasPrefix(p, sessionsPath+"/") && s.sessionByID(strings.TrimPrefix(p, sessionsPath+"/")) != nil)
}

// sessionByID returns the session with id; s.mu is held.
func (s *Server) sessionByID(id string) *session {
	for _, ss := range s.sessions {
		if ss.id == id {
			return ss
		}
	}
	return nil
}

func notFound(p string) *apiError {
	return fail(http.StatusNotFound, "ResourceNotFound", "Resource", p)
}

// notAllowed answers a method the resource at p does not take.
func (s *Server) notAllowed(w http.ResponseWriter, p string) *apiError {
	if !s.exists(p) {
		return notFound(p)
	}
	allow := "GET, HEAD"
	switch {
	case p == sessionsPath:
		allow += ", POST"
	case strings.HasPrefix(p, sessionsPath+"/"):
		allow += ", DELETE"
	case s.isSystem(p):
		allow += ", PATCH"
	}
	w.Header().Set("Allow", allow)
	return fail(http.StatusMethodNotAllowed, "OperationNotAllowed")
}

// isSystem returns whether p is an added system's resource.
func (s *Server) isSystem(p string) bool {
	return s.systemAt(p) != nil
}

// systemAt returns the system whose ComputerSystem is at p.
func (s *Server) systemAt(p string) *system {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if sys := s.owner(p); sys != nil && sys.path == p {
		return sys
	}
	return nil
}

// get serves a resource.
func (s *Server) get(w http.ResponseWriter, r *http.Request, p string) *apiError {
	s.mu.RLock()
	f, isFile := s.files[p]
	s.mu.RUnlock()
	if isFile {
		w.Header().Set("Content-Type", f.contentType)
		w.Header().Set("OData-Version", "4.0")
		_, _ = w.Write(f.data)
		return nil
	}
	data, e := s.render(r.Context(), p)
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusOK, data, etag(data))
	return nil
}

// etag is the entity tag of a rendered resource.
func etag(data []byte) string {
	h := fnv.New64a()
	h.Write(data)
	return fmt.Sprintf(`W/"%016x"`, h.Sum64())
}

// writeJSON writes a JSON answer.
func writeJSON(w http.ResponseWriter, status int, data []byte, tag string) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("OData-Version", "4.0")
	h.Set("Cache-Control", "no-cache")
	if tag != "" {
		h.Set("ETag", tag)
	}
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// render returns the resource at p as served now: the stored resource
// with the backend's live power state, info and sensors.
func (s *Server) render(ctx context.Context, p string) ([]byte, *apiError) {
	if p == sessionsPath || strings.HasPrefix(p, sessionsPath+"/") {
		return s.renderSession(p)
	}
	s.mu.RLock()
	sys := s.owner(p)
	s.mu.RUnlock()
	var ov overlay
	if sys != nil {
		if e := ov.fetch(ctx, sys, p); e != nil {
			return nil, e
		}
	}
	s.mu.RLock()
	body := s.copyOf(p)
	var nics []string
	if sys != nil && ov.info != nil && strings.HasPrefix(p, sys.path+"/EthernetInterfaces/") {
		nics = s.nics(sys)
	}
	s.mu.RUnlock()
	body, ok := ov.apply(sys, p, body, nics)
	if !ok {
		return nil, notFound(p)
	}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, &apiError{status: http.StatusInternalServerError, text: err.Error(), msgs: []message{msg("InternalError")}}
	}
	return data, nil
}

// nics returns the paths of sys's Ethernet interfaces that have a MAC
// address, in the collection's order; s.mu is held.
func (s *Server) nics(sys *system) []string {
	var l []string
	coll, _, _ := s.lookup(sys.path + "/EthernetInterfaces")
	for _, id := range memberIDs(coll) {
		id = sys.rw.str(id)
		if nic, _, _ := s.lookup(id); nic != nil {
			if _, ok := nic["MACAddress"]; ok {
				l = append(l, id)
			}
		}
	}
	return l
}

// renderSession renders the session collection or one session.
func (s *Server) renderSession(p string) ([]byte, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep()
	if p == sessionsPath {
		var members []any
		for _, ss := range s.sessions {
			members = append(members, map[string]any{"@odata.id": sessionsPath + "/" + ss.id})
		}
		slices.SortFunc(members, func(a, b any) int {
			return strings.Compare(a.(map[string]any)["@odata.id"].(string), b.(map[string]any)["@odata.id"].(string))
		})
		body := map[string]any{
			"@odata.type": "#SessionCollection.SessionCollection", "@odata.id": sessionsPath,
			"Name": "Session Collection",
		}
		setMembers(body, members)
		data, _ := json.Marshal(body)
		return data, nil
	}
	ss := s.sessionByID(strings.TrimPrefix(p, sessionsPath+"/"))
	if ss == nil {
		return nil, notFound(p)
	}
	data, _ := json.Marshal(sessionBody(ss))
	return data, nil
}

func sessionBody(ss *session) map[string]any {
	return map[string]any{
		"@odata.type": "#Session.v1_7_0.Session", "@odata.id": sessionsPath + "/" + ss.id,
		"Id": ss.id, "Name": "User Session", "UserName": ss.user,
	}
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// backendError maps a backend's error to an answer: bad input 400, an
// ability the backend lacks 501, anything else 500.
func backendError(action string, err error) *apiError {
	switch {
	case errors.Is(err, hostmgmt.ErrInvalid):
		return &apiError{status: http.StatusBadRequest, text: err.Error(), msgs: []message{msg("GeneralError")}}
	case errors.Is(err, hostmgmt.ErrUnimplemented):
		return &apiError{status: http.StatusNotImplemented, text: err.Error(), msgs: []message{msg("ActionNotSupported", action)}}
	}
	return &apiError{status: http.StatusInternalServerError, text: fmt.Sprintf("%s: %v", action, err), msgs: []message{msg("InternalError")}}
}
