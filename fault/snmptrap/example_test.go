package snmptrap_test

import (
	"fmt"
	"time"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/snmptrap"
)

// The trap a major alarm raises, as StarlingX numbers and fills it: the
// alarm's uuid first, then its id, entity and time.
func ExampleNotifier_Trap() {
	n, err := snmptrap.New("nms.example.net", &snmptrap.Options{System: "edge-1"})
	if err != nil {
		panic(err)
	}
	trap, _ := n.Trap(fault.Notification{Kind: fault.NotifySet, Alarm: fault.Alarm{
		UUID: "5f3f2c86-7a0e-4f57-9d2b-1b1a2f0c6e11", AlarmID: "200.005", Severity: fault.SeverityMajor,
		EntityInstanceID: "host=compute-0.network=mgmt", Timestamp: time.Date(2026, 11, 21, 17, 4, 5, 0, time.UTC)}})
	fmt.Println("trap", trap.Variables[1].Value)
	for _, v := range trap.Variables[2:6] {
		fmt.Println(v.Name, v.Value)
	}
	// Output:
	// trap 1.3.6.1.4.1.731.1.1.1.1.0.2
	// 1.3.6.1.4.1.731.1.1.1.1.1.1.2.0 5f3f2c86-7a0e-4f57-9d2b-1b1a2f0c6e11
	// 1.3.6.1.4.1.731.1.1.1.1.1.1.3.0 200.005
	// 1.3.6.1.4.1.731.1.1.1.1.1.1.4.0 system=edge-1.host=compute-0.network=mgmt
	// 1.3.6.1.4.1.731.1.1.1.1.1.1.5.0 2026-11-21,17:04:05.0,+0:0
}
