package inventory_test

import (
	"fmt"

	"github.com/edgeflock/flock/inventory"
)

// Render turns a snapshot of the inventory into what one host's agent
// must apply; a changed document gets a new config UUID, with the
// reboot-required bit when applying it needs a lock/unlock.
func ExampleRender() {
	s := inventory.Snapshot{
		System: inventory.System{Name: "edge-1", DNSServers: []string{"10.0.0.53"}},
		Hosts:  []inventory.Host{{UUID: "h1", Hostname: "worker-0", Personality: inventory.PersonalityWorker}},
		CPUs: map[string][]inventory.CPU{"h1": {
			{CPU: 0, AllocatedFunction: inventory.CPUPlatform},
			{CPU: 1, AllocatedFunction: inventory.CPUApplication},
		}},
	}
	before, _ := inventory.Render(s, "h1")

	s.CPUs["h1"][1].AllocatedFunction = inventory.CPUPlatform
	after, _ := inventory.Render(s, "h1")

	reboot := inventory.RebootRequired(before, after)
	id := inventory.NewConfigUUID(reboot)
	fmt.Println(after.CPUs.Platform, reboot, inventory.ConfigRebootRequired(id))
	// Output: [0 1] true true
}
