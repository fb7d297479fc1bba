package bmcsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
)

// readBody reads a request's JSON object (an empty body is {}).
func readBody(r *http.Request) (map[string]any, *apiError) {
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fail(http.StatusRequestEntityTooLarge, "PayloadTooLarge")
		}
		return nil, fail(http.StatusBadRequest, "MalformedJSON")
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && len(bytes.TrimSpace(data)) > 0 {
		mt, _, _ := strings.Cut(ct, ";")
		if mt = strings.TrimSpace(strings.ToLower(mt)); mt != "application/json" {
			return nil, fail(http.StatusUnsupportedMediaType, "UnsupportedMediaType", mt)
		}
	}
	return decodeObject(data)
}

// decodeObject decodes one JSON object (numbers kept as json.Number);
// blank input is an empty object.
func decodeObject(data []byte) (map[string]any, *apiError) {
	if len(bytes.TrimSpace(data)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fail(http.StatusBadRequest, "MalformedJSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail(http.StatusBadRequest, "MalformedJSON")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fail(http.StatusBadRequest, "MalformedJSON")
	}
	return m, nil
}

// text renders a request value for a message.
func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	data, _ := json.Marshal(v)
	return string(data)
}

// systemPatch is a checked PATCH of a ComputerSystem.
type systemPatch struct {
	target, enabled, mode, assetTag *string
}

// checkSystemPatch checks a PATCH body against the stored system (cur)
// and returns every problem at once; nothing is changed. Annotations
// (names with an @) are ignored: clients that PATCH back what they read
// send them.
func checkSystemPatch(body, cur map[string]any) (systemPatch, *apiError) {
	var sp systemPatch
	var msgs []message
	str := func(name string, v any, allowed []string) *string {
		s, ok := v.(string)
		switch {
		case !ok:
			msgs = append(msgs, msg("PropertyValueTypeError", text(v), name))
		case allowed != nil && !slices.Contains(allowed, s):
			m := msg("PropertyValueNotInList", s, name)
			m.Resolution = "Choose one of " + strings.Join(allowed, ", ") + " (" + name + allowedSuffx + ")."
			msgs = append(msgs, m)
		default:
			return &s
		}
		return nil
	}
	unknown := func(name string, in map[string]any, key string) {
		if _, ok := in[key]; ok {
			msgs = append(msgs, msg("PropertyNotWritable", name))
		} else {
			msgs = append(msgs, msg("PropertyUnknown", name))
		}
	}
	for _, k := range sortedKeys(body) {
		v := body[k]
		if strings.Contains(k, "@") {
			continue // an annotation (@odata.etag, ...@Redfish.AllowableValues) sent back
		}
		switch k {
		case "AssetTag":
			sp.assetTag = str(k, v, nil)
		case "Boot":
			boot, ok := v.(map[string]any)
			if !ok {
				msgs = append(msgs, msg("PropertyValueTypeError", text(v), k))
				continue
			}
			curBoot, _ := cur["Boot"].(map[string]any)
			for _, bk := range sortedKeys(boot) {
				name := "Boot/" + bk
				if strings.Contains(bk, "@") {
					continue
				}
				switch bk {
				case "BootSourceOverrideTarget":
					sp.target = str(name, boot[bk], bootTargets)
				case "BootSourceOverrideEnabled":
					sp.enabled = str(name, boot[bk], bootEnabled)
				case "BootSourceOverrideMode":
					sp.mode = str(name, boot[bk], bootModes)
				default:
					unknown(name, curBoot, bk)
				}
			}
		default:
			unknown(k, cur, k)
		}
	}
	if len(msgs) > 0 {
		e := &apiError{status: http.StatusBadRequest, msgs: msgs}
		if len(msgs) > 1 {
			e.text = "the request body has " + strconv.Itoa(len(msgs)) + " errors; see @Message.ExtendedInfo"
		}
		return systemPatch{}, e
	}
	return sp, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// etagMatches reports whether an If-Match header names tag.
func etagMatches(header, tag string) bool {
	strip := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, t := range strings.Split(header, ",") {
		if strings.TrimSpace(t) == "*" || strip(t) == strip(tag) {
			return true
		}
	}
	return false
}

// patch changes a ComputerSystem: its boot override and asset tag.
func (s *Server) patch(w http.ResponseWriter, r *http.Request, p string) *apiError {
	sys := s.systemAt(p)
	if sys == nil {
		return s.notAllowed(w, p)
	}
	body, e := readBody(r)
	if e != nil {
		return e
	}
	sys.act.Lock()
	defer sys.act.Unlock()
	if m := r.Header.Get("If-Match"); m != "" {
		data, e := s.render(r.Context(), p)
		if e != nil {
			return e
		}
		if !etagMatches(m, etag(data)) {
			return fail(http.StatusPreconditionFailed, "PreconditionFailed")
		}
	}
	s.mu.RLock()
	cur := deepCopy(sys.own[p]).(map[string]any)
	s.mu.RUnlock()
	sp, e := checkSystemPatch(body, cur)
	if e != nil {
		return e
	}
	boot := cur["Boot"].(map[string]any)
	target, enabled := boot["BootSourceOverrideTarget"].(string), boot["BootSourceOverrideEnabled"].(string)
	if sp.target != nil {
		target = *sp.target
	}
	if sp.enabled != nil {
		enabled = *sp.enabled
	}
	if sp.target != nil && *sp.target == "None" && sp.enabled == nil {
		enabled = "Disabled"
	}
	if dev, ok := bootDevices[target]; ok && enabled != "Disabled" && (sp.target != nil || sp.enabled != nil) {
		if err := sys.backend.SetBootDevice(r.Context(), dev); err != nil {
			return backendError("SetBootDevice", err)
		}
		s.log.Info("bmcsim: boot override", "system", sys.id, "target", target, "enabled", enabled)
	}
	s.mu.Lock()
	b := sys.own[p]["Boot"].(map[string]any)
	b["BootSourceOverrideTarget"], b["BootSourceOverrideEnabled"] = target, enabled
	if sp.mode != nil {
		b["BootSourceOverrideMode"] = *sp.mode
	}
	if sp.assetTag != nil {
		sys.own[p]["AssetTag"] = *sp.assetTag
	}
	s.mu.Unlock()
	data, e := s.render(r.Context(), p)
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusOK, data, etag(data))
	return nil
}

// post runs an action or logs in.
func (s *Server) post(w http.ResponseWriter, r *http.Request, p string) *apiError {
	switch {
	case p == sessionsPath:
		return s.login(w, r)
	case strings.HasSuffix(p, "/Actions/ComputerSystem.Reset"):
		if sys := s.systemAt(strings.TrimSuffix(p, "/Actions/ComputerSystem.Reset")); sys != nil {
			return s.reset(w, r, sys)
		}
	case strings.HasSuffix(p, "/Actions/VirtualMedia.InsertMedia"), strings.HasSuffix(p, "/Actions/VirtualMedia.EjectMedia"):
		vm, action := path.Split(p)
		vm = strings.TrimSuffix(vm, "/Actions/")
		if sys := s.media(vm); sys != nil {
			return s.mediaAction(w, r, sys, vm, action)
		}
	}
	if s.exists(p) {
		return s.notAllowed(w, p)
	}
	if i := strings.Index(p, "/Actions/"); i >= 0 && s.exists(p[:i]) {
		return fail(http.StatusBadRequest, "ActionNotSupported", p[i+len("/Actions/"):])
	}
	return notFound(p)
}

// media returns the system of the VirtualMedia resource at p, or nil.
func (s *Server) media(p string) *system {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sys := s.owner(p)
	if sys == nil {
		return nil
	}
	t, _ := sys.own[p]["@odata.type"].(string)
	if !strings.HasPrefix(t, "#VirtualMedia.") {
		return nil
	}
	return sys
}

// resetOps maps reset types to power operations (Nmi and
// PushPowerButton are handled apart).
var resetOps = map[string]hostmgmt.PowerOp{
	"On": hostmgmt.OpPowerOn, "ForceOn": hostmgmt.OpPowerOn, "ForceOff": hostmgmt.OpPowerOff,
	"GracefulShutdown": hostmgmt.OpGraceful, "GracefulRestart": hostmgmt.OpGracefulRestart,
	"ForceRestart": hostmgmt.OpReset, "PowerCycle": hostmgmt.OpCycle,
}

// checkReset checks a ComputerSystem.Reset body and returns its reset
// type.
func checkReset(body map[string]any) (string, *apiError) {
	const action = "ComputerSystem.Reset"
	var msgs []message
	for _, k := range sortedKeys(body) {
		if k != "ResetType" {
			msgs = append(msgs, msg("ActionParameterUnknown", action, k))
		}
	}
	v, ok := body["ResetType"]
	rt, isString := v.(string)
	switch {
	case !ok:
		msgs = append(msgs, msg("ActionParameterMissing", action, "ResetType"))
	case !isString:
		msgs = append(msgs, msg("ActionParameterValueTypeError", text(v), "ResetType", action))
	case !slices.Contains(resetTypes, rt):
		m := msg("ActionParameterValueNotInList", rt, "ResetType", action)
		m.Resolution = "Choose one of " + strings.Join(resetTypes, ", ") + " (ResetType" + allowedSuffx + ")."
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return rt, nil
	}
	e := &apiError{status: http.StatusBadRequest, msgs: msgs}
	if len(msgs) == 1 && msgs[0].MessageID == baseRegistry+"ActionParameterValueNotInList" {
		e.text = msgs[0].Message + " ResetType" + allowedSuffx + ": " + strings.Join(resetTypes, ", ") + "."
	}
	if len(msgs) > 1 {
		e.text = "the request body has " + strconv.Itoa(len(msgs)) + " errors; see @Message.ExtendedInfo"
	}
	return "", e
}

// reset performs ComputerSystem.Reset on sys's backend. Nmi is accepted
// and does nothing (hostmgmt.BMC has no NMI). A reset that boots the
// host consumes a "Once" boot override and re-arms a "Continuous" one.
func (s *Server) reset(w http.ResponseWriter, r *http.Request, sys *system) *apiError {
	body, e := readBody(r)
	if e != nil {
		return e
	}
	rt, e := checkReset(body)
	if e != nil {
		return e
	}
	ctx := r.Context()
	sys.act.Lock()
	defer sys.act.Unlock()
	if rt == "Nmi" {
		s.log.Info("bmcsim: NMI accepted, nothing done", "system", sys.id)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	op, ok := resetOps[rt]
	var before hostmgmt.PowerState
	if !ok || op == hostmgmt.OpPowerOn {
		var err error
		if before, err = sys.backend.PowerState(ctx); err != nil {
			return backendError("ComputerSystem.Reset", err)
		}
	}
	if rt == "PushPowerButton" {
		op = hostmgmt.OpPowerOn
		if before == hostmgmt.PowerOn {
			op = hostmgmt.OpGraceful
		}
	}
	if err := sys.backend.Power(ctx, op); err != nil {
		return backendError("ComputerSystem.Reset", err)
	}
	s.log.Info("bmcsim: reset", "system", sys.id, "reset_type", rt, "op", op)
	boots := op != hostmgmt.OpPowerOff && op != hostmgmt.OpGraceful && (op != hostmgmt.OpPowerOn || before != hostmgmt.PowerOn)
	if boots {
		s.bootConsumed(ctx, sys)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// bootConsumed clears a "Once" boot override after the host booted and
// sets a "Continuous" one again for the next boot.
func (s *Server) bootConsumed(ctx context.Context, sys *system) {
	s.mu.Lock()
	b := sys.own[sys.path]["Boot"].(map[string]any)
	target, _ := b["BootSourceOverrideTarget"].(string)
	enabled, _ := b["BootSourceOverrideEnabled"].(string)
	if enabled == "Once" {
		b["BootSourceOverrideTarget"], b["BootSourceOverrideEnabled"] = "None", "Disabled"
	}
	s.mu.Unlock()
	if dev, ok := bootDevices[target]; ok && enabled == "Continuous" {
		if err := sys.backend.SetBootDevice(ctx, dev); err != nil {
			s.log.Warn("bmcsim: continuous boot override not set again", "system", sys.id, "err", err)
		}
	}
}

// insertParams are InsertMedia's parameters and their JSON types.
var insertParams = map[string]string{
	"Image": "string", "Inserted": "bool", "WriteProtected": "bool", "MediaType": "string",
	"TransferMethod": "string", "TransferProtocolType": "string", "UserName": "string", "Password": "string",
}

// checkMedia checks a VirtualMedia.InsertMedia or EjectMedia body.
func checkMedia(action string, body map[string]any) *apiError {
	var msgs []message
	for _, k := range sortedKeys(body) {
		typ, ok := insertParams[k]
		if !ok || action == "VirtualMedia.EjectMedia" {
			msgs = append(msgs, msg("ActionParameterUnknown", action, k))
			continue
		}
		v := body[k]
		switch _, isBool := v.(bool); {
		case typ == "bool" && !isBool:
			msgs = append(msgs, msg("ActionParameterValueTypeError", text(v), k, action))
		case typ == "string":
			if s, ok := v.(string); !ok {
				msgs = append(msgs, msg("ActionParameterValueTypeError", text(v), k, action))
			} else if k == "Image" && strings.TrimSpace(s) == "" {
				msgs = append(msgs, msg("ActionParameterValueFormatError", s, k, action))
			}
		}
	}
	if _, ok := body["Image"]; !ok && action == "VirtualMedia.InsertMedia" {
		msgs = append(msgs, msg("ActionParameterMissing", action, "Image"))
	}
	if len(msgs) == 0 {
		return nil
	}
	e := &apiError{status: http.StatusBadRequest, msgs: msgs}
	if len(msgs) > 1 {
		e.text = "the request body has " + strconv.Itoa(len(msgs)) + " errors; see @Message.ExtendedInfo"
	}
	return e
}

// mediaAction inserts or ejects the virtual media at vm; a backend that
// is a hostmgmt.VirtualMedia gets CD and DVD images.
func (s *Server) mediaAction(w http.ResponseWriter, r *http.Request, sys *system, vm, action string) *apiError {
	body, e := readBody(r)
	if e != nil {
		return e
	}
	if e := checkMedia(action, body); e != nil {
		return e
	}
	sys.act.Lock()
	defer sys.act.Unlock()
	s.mu.RLock()
	types, _ := sys.own[vm]["MediaTypes"].([]any)
	s.mu.RUnlock()
	cd := slices.Contains(types, any("CD")) || slices.Contains(types, any("DVD"))
	insert := action == "VirtualMedia.InsertMedia"
	image, _ := body["Image"].(string)
	if vmb, ok := sys.backend.(hostmgmt.VirtualMedia); ok && cd {
		var err error
		if insert {
			err = vmb.InsertMedia(r.Context(), image)
		} else {
			err = vmb.EjectMedia(r.Context())
		}
		if err != nil {
			return backendError(action, err)
		}
	}
	s.mu.Lock()
	m := sys.own[vm]
	if insert {
		m["Image"], m["ImageName"], m["Inserted"], m["ConnectedVia"] = image, path.Base(image), true, "URI"
		m["WriteProtected"] = true
		if wp, ok := body["WriteProtected"].(bool); ok {
			m["WriteProtected"] = wp
		}
		if in, ok := body["Inserted"].(bool); ok {
			m["Inserted"] = in
		}
	} else {
		m["Image"], m["ImageName"], m["Inserted"], m["ConnectedVia"] = nil, nil, false, "NotConnected"
	}
	s.mu.Unlock()
	s.log.Info("bmcsim: virtual media", "system", sys.id, "media", vm, "action", action, "image", image)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// login creates a session: 201 with X-Auth-Token and Location.
func (s *Server) login(w http.ResponseWriter, r *http.Request) *apiError {
	body, e := readBody(r)
	if e != nil {
		return e
	}
	var msgs []message
	for _, k := range sortedKeys(body) {
		switch k {
		case "UserName", "Password":
			if _, ok := body[k].(string); !ok {
				msgs = append(msgs, msg("PropertyValueTypeError", text(body[k]), k))
			}
		default:
			msgs = append(msgs, msg("PropertyUnknown", k))
		}
	}
	for _, k := range []string{"UserName", "Password"} {
		if _, ok := body[k]; !ok {
			msgs = append(msgs, msg("PropertyMissing", k))
		}
	}
	if len(msgs) > 0 {
		return &apiError{status: http.StatusBadRequest, msgs: msgs}
	}
	user, pass := body["UserName"].(string), body["Password"].(string)
	if !s.credentials(user, pass) {
		return &apiError{status: http.StatusUnauthorized, text: "invalid user name or password", msgs: []message{msg("NoValidSession")}}
	}
	ss := &session{id: randomHex(8), token: randomHex(16), user: user}
	s.mu.Lock()
	s.sweep()
	ss.last = time.Now()
	s.sessions[ss.token] = ss
	s.mu.Unlock()
	data, _ := json.Marshal(sessionBody(ss))
	w.Header().Set("X-Auth-Token", ss.token)
	w.Header().Set("Location", sessionsPath+"/"+ss.id)
	writeJSON(w, http.StatusCreated, data, "")
	s.log.Info("bmcsim: session created", "user", user, "session", ss.id)
	return nil
}

// delete logs a session out.
func (s *Server) delete(w http.ResponseWriter, _ *http.Request, p string) *apiError {
	if id, ok := strings.CutPrefix(p, sessionsPath+"/"); ok {
		s.mu.Lock()
		ss := s.sessionByID(id)
		if ss != nil {
			delete(s.sessions, ss.token)
		}
		s.mu.Unlock()
		if ss == nil {
			return notFound(p)
		}
		s.log.Info("bmcsim: session deleted", "user", ss.user, "session", ss.id)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return s.notAllowed(w, p)
}
