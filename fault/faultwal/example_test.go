package faultwal_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultsql"
	"github.com/edgeflock/flock/fault/faultwal"
)

// Put the journal in front of the SQLite store: writes are acknowledged
// once in the journal and reach SQLite in batches.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "flock-example")
	defer os.RemoveAll(dir)
	inner, _ := faultsql.Open(ctx, "sqlite://"+filepath.Join(dir, "flock.db"))
	st, _ := faultwal.Open(ctx, inner, filepath.Join(dir, "fault.journal"), &faultwal.Options{MaxJournal: 1 << 20})
	m, _ := fault.Open(ctx, st, nil)
	defer m.Close(ctx)
	u, _ := m.SetAlarm(ctx, fault.Alarm{AlarmID: "280.001", State: fault.StateSet, EntityTypeID: "subcloud",
		EntityInstanceID: "subcloud=site-7", Severity: fault.SeverityCritical, ReasonText: "site-7 offline",
		AlarmType: fault.AlarmTypeCommunication, ProbableCause: fault.CauseLossOfSignal})
	fmt.Println(len(u))
	// Output: 36
}
