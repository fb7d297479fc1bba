package faultsql_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultsql"
)

// The SQLite store keeps alarms across restarts.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "flock-example")
	defer os.RemoveAll(dir)
	url := "sqlite://" + filepath.Join(dir, "alarms.db")

	st, _ := faultsql.Open(ctx, url)
	m, _ := fault.Open(ctx, st, nil)
	_, _ = m.SetAlarm(ctx, fault.Alarm{AlarmID: "200.001", State: fault.StateSet, EntityTypeID: "host",
		EntityInstanceID: "host=edge-1", Severity: fault.SeverityWarning, ReasonText: "locked",
		AlarmType: fault.AlarmTypeOperationalViolation, ProbableCause: fault.CauseOutOfService})
	_ = m.Close(ctx)

	st, _ = faultsql.Open(ctx, url)
	m, _ = fault.Open(ctx, st, nil)
	defer m.Close(ctx)
	as, _ := m.ListAlarms(ctx, fault.AlarmQuery{})
	fmt.Println(len(as), as[0].EntityInstanceID)
	// Output: 1 host=edge-1
}
