package hahttp_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hahttp"
)

// FuzzParseNodeCommand: any body either parses into one of the three
// swact actions or is a *ha.FieldError naming a member; a parsed command
// encodes and parses back to the same request.
func FuzzParseNodeCommand(f *testing.F) {
	for _, s := range []string{
		`{"origin":"sysinv","action":"swact-pre-check","admin":"unknown","oper":"unknown","avail":""}`,
		`{"origin":"mtce","action":"swact","admin":"unlocked","oper":"enabled","avail":"available"}`,
		`{"action":"swact-force"}`,
		`{"action":"lock"}`,
		`{"action":"swact","action":"lock"}`,
		`{"ACTION":"swact"}`,
		`{"action":"swact"} {}`,
		`{"action":"\ud800"}`,
		`[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cmd, req, err := hahttp.ParseNodeCommand(data)
		if err != nil {
			var fe *ha.FieldError
			if !errors.As(err, &fe) || fe.Field == "" {
				t.Fatalf("error is not a field error naming a member: %T %v", err, err)
			}
			if !errors.Is(err, ha.ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		switch cmd.Action {
		case hahttp.ActionSwact, hahttp.ActionSwactForce, hahttp.ActionSwactPreCheck:
		default:
			t.Fatalf("parsed an action outside the three: %q", cmd.Action)
		}
		if req.Force != (cmd.Action == hahttp.ActionSwactForce) || req.CheckOnly != (cmd.Action == hahttp.ActionSwactPreCheck) || req.Node != "" {
			t.Fatalf("action %q gave request %+v", cmd.Action, req)
		}
		again, err := json.Marshal(cmd)
		if err != nil {
			t.Fatal(err)
		}
		cmd2, req2, err := hahttp.ParseNodeCommand(again)
		if err != nil || cmd2 != cmd || req2 != req {
			t.Fatalf("round trip: %+v %+v %v, want %+v %+v", cmd2, req2, err, cmd, req)
		}
	})
}
