package hostmgmthttp

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/edgeflock/flock/hostmgmt"
)

// FuzzActionPatch: any PATCH body either is not host maintenance's (and
// goes to the inventory as it came), or is split into one known action
// and the other operations exactly as sent, or is refused with a field
// error naming the field. It never panics.
func FuzzActionPatch(f *testing.F) {
	for _, s := range []string{
		`[{"op":"replace","path":"/action","value":"lock"}]`,
		`[{"op":"replace","path":"/action","value":"force-unlock"}]`,
		`[{"op":"add","path":"/action","value":"swact"},{"op":"replace","path":"/location","value":"x"}]`,
		`[{"op":"replace","path":"/hostname","value":"w"},{"op":"replace","path":"/action","value":"unlock"}]`,
		`[{"op":"replace","path":"/action","value":"lock"},{"op":"replace","path":"/action","value":"unlock"}]`,
		`[{"op":"remove","path":"/action"}]`,
		`[{"op":"replace","path":"/action","value":5}]`,
		`[{"op":"replace","path":"/action","value":null}]`,
		`[{"op":"replace","PATH":"/action","value":"lock"}]`,
		`[{"op":"replace","path":"/action","value":"lock","from":"/x"}]`,
		`[{"op":"replace","path":"/action","value":"lock"},7]`,
		`[{"op":"replace","path":"/location","value":"x"}]`,
		`[]`, `null`, `{}`, `"lock"`, ``, `[`,
		"[{\"op\":\"replace\",\"path\":\"/action\",\"value\":\"lo\xffck\"}]",
		`[{"op":"replace","path":"/action","value":"\ud800"}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseActionPatch(data)
		if err != nil {
			if !errors.Is(err, hostmgmt.ErrInvalid) {
				t.Fatalf("%q: error %v is not ErrInvalid", data, err)
			}
			fe, ok := errors.AsType[*hostmgmt.FieldError](err)
			if !ok || fe.Field == "" {
				t.Fatalf("%q: error %v names no field", data, err)
			}
			if p.found || p.action != "" || p.rest != nil {
				t.Fatalf("%q: a refusal with a result %+v", data, p)
			}
			return
		}
		var raws []json.RawMessage
		isList := json.Unmarshal(data, &raws) == nil
		hasAction := func(raw json.RawMessage) bool {
			var probe struct{ Path string }
			return json.Unmarshal(raw, &probe) == nil && probe.Path == actionPath
		}
		if !p.found {
			if isList && slices.ContainsFunc(raws, hasAction) {
				t.Fatalf("%q: has an /action operation, not found", data)
			}
			return
		}
		if !isList {
			t.Fatalf("%q: found in a body that is not a list", data)
		}
		if !slices.Contains(operatorActions, string(p.action)) || !p.action.Valid() {
			t.Fatalf("%q: action %q is not an operator action", data, p.action)
		}
		if len(p.rest) != len(raws)-1 {
			t.Fatalf("%q: %d other operations of %d", data, len(p.rest), len(raws))
		}
		j := 0
		for _, raw := range raws {
			if hasAction(raw) {
				continue
			}
			if string(p.rest[j]) != string(raw) {
				t.Fatalf("%q: operation %d is %q, sent %q", data, j, p.rest[j], raw)
			}
			j++
		}
		var again []json.RawMessage
		if err := json.Unmarshal(p.restBody(), &again); err != nil || len(again) != len(p.rest) {
			t.Fatalf("%q: the other operations' patch %q does not decode: %v", data, p.restBody(), err)
		}
		if len(p.rest) > 0 {
			if q, err := parseActionPatch(p.restBody()); err != nil || q.found {
				t.Fatalf("%q: the other operations' patch is an action patch again: %+v %v", data, q, err)
			}
		}
	})
}
