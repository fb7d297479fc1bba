package hostmgmthttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/edgeflock/flock/hostmgmt"
)

// actionPath is the patch path of an admin action.
const actionPath = "/action"

// patchOp is one operation of sysinv's JSON patch. The decoding is
// strict: any other member is refused, naming it.
type patchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value,omitempty"`
}

// actionPatch is a PATCH /v1/ihosts/{id} body split in two: the action,
// and the other operations, which are the inventory's.
type actionPatch struct {
	// found says the patch has an /action operation; if not, the body is
	// the inventory's alone and the rest is unset.
	found  bool
	action hostmgmt.AdminAction
	// rest are the other operations, each as it was sent, in order.
	rest []json.RawMessage
}

// restBody is the patch of the other operations.
func (p *actionPatch) restBody() []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, op := range p.rest {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(op)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// operatorActions are the values of /action that StarlingX's system CLI
// sends, each the string of its hostmgmt.AdminAction.
var operatorActions = []string{
	"lock", "force-lock", "unlock", "force-unlock", "reboot", "reset", "reinstall",
	"power-on", "power-off", "swact", "force-swact",
}

// parseAction maps an /action value to its AdminAction: one of
// operatorActions that hostmgmt knows. Anything else is a
// *hostmgmt.FieldError for "action".
func parseAction(s string) (hostmgmt.AdminAction, error) {
	if !slices.Contains(operatorActions, s) {
		return "", &hostmgmt.FieldError{Field: "action",
			Reason: fmt.Sprintf("%q is not one of %s", truncate(s), strings.Join(operatorActions, ", "))}
	}
	a, err := hostmgmt.ParseAdminAction(s)
	if err != nil {
		return "", &hostmgmt.FieldError{Field: "action", Reason: fmt.Sprintf("%q is not supported by this host maintenance", s)}
	}
	return a, nil
}

// parseActionPatch splits a PATCH body. A body that is not a list holding
// an operation on /action is not host maintenance's: found is false and
// the error nil, whatever the body is (the inventory judges it). A body
// that has one is decoded strictly, as a whole: an unknown member, an op
// other than replace (or add, which sysinv takes as replace), a second
// /action, or a value that is not a known action is a *hostmgmt.FieldError
// naming the field.
func parseActionPatch(data []byte) (actionPatch, error) {
	var raws []json.RawMessage
	if json.Unmarshal(data, &raws) != nil {
		return actionPatch{}, nil
	}
	isAction := make([]bool, len(raws))
	has := false
	for i, raw := range raws {
		var probe struct {
			Path string `json:"path"`
		}
		if json.Unmarshal(raw, &probe) == nil && probe.Path == actionPath {
			isAction[i], has = true, true
		}
	}
	if !has {
		return actionPatch{}, nil
	}
	p := actionPatch{found: true}
	seen := false
	for i, raw := range raws {
		var op patchOp
		if err := errTable.Unmarshal(raw, &op); err != nil {
			if fe, ok := errors.AsType[*hostmgmt.FieldError](err); ok && isAction[i] && fe.Field == "value" {
				// The action's value is the action.
				return actionPatch{}, &hostmgmt.FieldError{Field: "action", Reason: fe.Reason}
			}
			return actionPatch{}, err
		}
		if op.Path != actionPath {
			p.rest = append(p.rest, raw)
			continue
		}
		if seen {
			return actionPatch{}, &hostmgmt.FieldError{Field: "action", Reason: "is given more than once"}
		}
		seen = true
		if op.Op != "replace" && op.Op != "add" {
			return actionPatch{}, &hostmgmt.FieldError{Field: "op",
				Reason: fmt.Sprintf("only replace is supported for /action, not %q", truncate(op.Op))}
		}
		var s string
		if len(op.Value) == 0 || string(op.Value) == "null" || json.Unmarshal(op.Value, &s) != nil {
			return actionPatch{}, &hostmgmt.FieldError{Field: "action", Reason: "must be a string"}
		}
		a, err := parseAction(s)
		if err != nil {
			return actionPatch{}, err
		}
		p.action = a
	}
	if !seen {
		// The lenient probe matched a member the strict decoding read
		// differently; cannot happen with encoding/json, kept as a guard.
		return actionPatch{}, &hostmgmt.FieldError{Field: "path", Reason: "no /action operation"}
	}
	return p, nil
}

// truncate shortens a value quoted in an error message.
func truncate(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "..."
	}
	return s
}
