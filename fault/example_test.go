package fault_test

import (
	"context"
	"fmt"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultstore"
)

// A daemon raises an alarm, an operator looks at the summary, and the
// daemon clears the alarm once the fault is gone.
func Example() {
	ctx := context.Background()
	m, err := fault.Open(ctx, faultstore.NewMemoryStore(), nil)
	if err != nil {
		panic(err)
	}
	defer m.Close(ctx)

	_, err = m.SetAlarm(ctx, fault.Alarm{
		AlarmID: "100.101", State: fault.StateSet, EntityTypeID: "host",
		EntityInstanceID: fault.Entity("host", "edge-1"), Severity: fault.SeverityMajor,
		ReasonText: "Platform CPU usage 92%", AlarmType: fault.AlarmTypeOperationalViolation,
		ProbableCause: fault.CauseThresholdCrossed,
	})
	if err != nil {
		panic(err)
	}
	sum, _ := m.Summary(ctx, false)
	fmt.Println(sum.Status, sum.Major)

	alarms, _ := m.ListAlarms(ctx, fault.AlarmQuery{EntityPrefix: "host=edge-1"})
	fmt.Println(alarms[0].AlarmID, alarms[0].Severity, "mgmt_affecting:", alarms[0].MgmtAffecting)

	_ = m.ClearAlarm(ctx, "100.101", "host=edge-1")
	sum, _ = m.Summary(ctx, false)
	fmt.Println(sum.Status)
	// Output:
	// degraded 1
	// 100.101 major mgmt_affecting: true
	// OK
}

// Clearing by entity matches whole key=value components.
func ExampleMatchEntity() {
	fmt.Println(fault.MatchEntity("host=controller-1", "host=controller-1.network=mgmt"))
	fmt.Println(fault.MatchEntity("host=controller-1", "host=controller-10"))
	// Output:
	// true
	// false
}

// An async reporter never blocks the daemon on the fault service.
func ExampleAsyncReporter() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, _ := fault.Open(ctx, faultstore.NewMemoryStore(), nil)
	defer m.Close(context.Background())
	r, _ := fault.NewAsyncReporter(m, nil)
	go r.Run(ctx)
	_, _ = r.SetAlarm(ctx, fault.Alarm{AlarmID: "200.010", EntityTypeID: "host",
		EntityInstanceID: "host=edge-2", Severity: fault.SeverityWarning, ReasonText: "BMC unreachable",
		AlarmType: fault.AlarmTypeCommunication, ProbableCause: fault.CauseCommunicationSubsystemFail})
	_ = r.Flush(ctx)
	as, _ := m.ListAlarms(ctx, fault.AlarmQuery{})
	fmt.Println(len(as), as[0].AlarmID)
	// Output: 1 200.010
}
