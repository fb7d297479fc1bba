package hostmgmt_test

import (
	"fmt"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
)

// A worker is unlocked and goes through the enable sequence; the caller
// performs each action and feeds the results back as events.
func ExampleStep() {
	t := hostmgmt.DefaultTimings()
	sys := hostmgmt.SystemContext{Personality: inventory.PersonalityWorker}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, _, _ := hostmgmt.Step(hostmgmt.State{}, hostmgmt.Event{Kind: hostmgmt.EventAdd}, now, t, sys)
	show := func(s hostmgmt.State, acts []hostmgmt.Action) {
		fmt.Printf("%s-%s-%s %q", s.Administrative, s.Operational, s.Availability, s.Task)
		for _, a := range acts {
			fmt.Printf(" %s", a.Kind)
			if a.ID != "" {
				fmt.Printf("(%s)", a.ID)
			}
		}
		fmt.Println()
	}
	show(s, nil)
	for _, ev := range []hostmgmt.Event{
		{Kind: hostmgmt.EventMtcAlive},
		{Kind: hostmgmt.EventAdmin, Action: hostmgmt.ActionUnlock},
		{Kind: hostmgmt.EventRebootAck},
		{Kind: hostmgmt.EventMtcAlive, Configured: true, Rebooted: true},
		{Kind: hostmgmt.EventGoenabled, OK: true},
		{Kind: hostmgmt.EventHostServices, OK: true},
		{Kind: hostmgmt.EventHeartbeatOK},
		{Kind: hostmgmt.EventTimer}, // after the 11 s soak
	} {
		now = now.Add(time.Second)
		if ev.Kind == hostmgmt.EventTimer {
			now = s.Deadline
		}
		var acts []hostmgmt.Action
		var err error
		s, acts, err = hostmgmt.Step(s, ev, now, t, sys)
		if err != nil {
			fmt.Println(err)
			return
		}
		show(s, acts)
	}

	// The active controller of a duplex system cannot be locked.
	ctl := hostmgmt.SystemContext{Hostname: "controller-0", Personality: inventory.PersonalityController, ActiveController: true, EnabledControllers: 2}
	_, _, err := hostmgmt.Step(s, hostmgmt.Event{Kind: hostmgmt.EventAdmin, Action: hostmgmt.ActionLock}, now, t, ctl)
	fmt.Println(err)
	// Output:
	// locked-disabled-offline ""
	// locked-disabled-online ""
	// unlocked-disabled-offline "Rebooting" heartbeat-stop reboot-command
	// unlocked-disabled-offline "Booting"
	// unlocked-disabled-intest "Testing" start-goenabled
	// unlocked-disabled-intest "Initializing" start-services
	// unlocked-disabled-intest "Enabling" heartbeat-start
	// unlocked-disabled-intest "Enabling"
	// unlocked-enabled-available "" clear-alarm(200.004)
	// controller-0 : Rejected: Can not lock an active controller. (rule active-controller)
}
