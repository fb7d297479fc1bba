package fault_test

import (
	"strconv"
	"testing"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/fault/faulttest"
)

// BenchmarkManagerSetAlarm: the manager's work for one set (checks,
// indexes, event log, record, group commit), over 100,000 active alarms
// on the in-memory store, whose commit (a few map writes) is included:
// what a set costs apart from a durable store and the transport. Each
// set overwrites an active alarm, as in stx's BenchmarkRESTPost.
func BenchmarkManagerSetAlarm(b *testing.B) {
	m, err := fault.Open(b.Context(), faultstore.NewMemoryStore(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close(b.Context()) })
	const n = 100_000
	alarms := make([]fault.Alarm, n)
	for i := range alarms {
		alarms[i] = faulttest.CPUAlarm("compute-"+strconv.Itoa(i), fault.SeverityMajor)
		if _, err := m.SetAlarm(b.Context(), alarms[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := m.SetAlarm(b.Context(), alarms[i%n]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
