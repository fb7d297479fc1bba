package ha_test

import (
	"fmt"
	"time"

	"github.com/edgeflock/flock/ha"
)

// The active controller dies: the standby hears nothing on any path,
// wins survivor selection, fences its peer and takes over once the fence
// is confirmed. The caller performs each action and feeds the results
// back.
func ExampleStepFailover() {
	cfg := ha.FailoverConfig{Node: "controller-0", Peer: "controller-1", Paths: []string{"mgmt", "oam"}, Fence: true}
	s := ha.FailoverState{Phase: ha.FailoverNormal, Role: ha.ControllerStandby,
		Paths: map[string]bool{"mgmt": true, "oam": true}, PeerRole: ha.ControllerActive}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, ev := range []ha.FailoverEvent{
		{Kind: ha.FailoverPathDown, Path: "oam"},  // one path lost: alarm only
		{Kind: ha.FailoverPathDown, Path: "mgmt"}, // the last one: the peer is silent
		{Kind: ha.FailoverFenceConfirmed},         // the peer's BMC powered it off
	} {
		var acts []ha.FailoverAction
		var err error
		s, acts, err = ha.StepFailover(s, ev, now, cfg)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s → %s/%s\n", ev.Kind, s.Phase, s.Role)
		for _, a := range acts {
			fmt.Printf("  %s %s%s%s\n", a.Kind, a.Alarm, a.Node, a.Rule)
		}
		now = now.Add(100 * time.Millisecond)
	}
	// Output:
	// path-down → normal/standby
	//   raise-alarm 400.005
	// path-down → fencing/standby
	//   raise-alarm 400.005
	//   request-fence controller-1
	// fence-confirmed → survived/active
	//   go-active fenced
}
