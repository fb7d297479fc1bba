package snmptrap_test

import (
	"fmt"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/snmptrap"
)

// The trap a major alarm raises, as StarlingX's MIB numbers it.
func ExampleNotifier_Trap() {
	n, _ := snmptrap.New(snmptrap.Options{Target: "127.0.0.1:162"})
	trap, _ := n.Trap(fault.Notification{Kind: fault.NotifySet, Alarm: fault.Alarm{
		AlarmID: "200.005", Severity: fault.SeverityMajor, EntityInstanceID: "host=edge-1.network=mgmt"}})
	fmt.Println(trap.Variables[1].Value)
	fmt.Println(trap.Variables[3].Name, trap.Variables[3].Value)
	// Output:
	// 1.3.6.1.4.1.731.1.1.1.1.0.2
	// 1.3.6.1.4.1.731.1.1.1.1.1.1.3.0 200.005
}
