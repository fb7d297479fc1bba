package fault_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulttest"
)

// BenchmarkManagerSetAlarm: the manager's work for one set (checks,
// indexes, event log, record, group commit), over 100,000 active alarms
// on the in-memory store, whose commit (a few map writes) is included:
// what a set costs apart from a durable store and the transport. Each
// set overwrites an active alarm, as in stx's BenchmarkRESTPost.
func BenchmarkManagerSetAlarm(b *testing.B) {
	m, err := fault.Open(b.Context(), fault.NewMemoryStore(), nil)
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

// keepNothing is a store that persists nothing: with it the heap holds
// only what the manager keeps for its active alarms, as in the stx stack,
// whose journal and SQLite keep no Go objects per alarm.
type keepNothing struct{}

func (keepNothing) Load(context.Context) (*fault.Snapshot, error) { return &fault.Snapshot{}, nil }
func (keepNothing) Commit(context.Context, []fault.Op) error      { return nil }
func (keepNothing) Close() error                                  { return nil }

// BenchmarkGCWithActiveAlarms: one full garbage collection with 100,000
// active alarms (each raised on its own host, then overwritten once), and
// how many heap objects each alarm keeps. Every object is work for every
// collection, which runs every second or two under the REST load.
func BenchmarkGCWithActiveAlarms(b *testing.B) {
	m, err := fault.Open(b.Context(), keepNothing{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close(b.Context()) })
	const n = 100_000
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 2 {
		for i := range n {
			if _, err := m.SetAlarm(b.Context(), faulttest.CPUAlarm("compute-"+strconv.Itoa(i), fault.SeverityMajor)); err != nil {
				b.Fatal(err)
			}
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	for b.Loop() {
		runtime.GC()
	}
	b.ReportMetric(float64(after.HeapObjects-before.HeapObjects)/n, "objects/alarm")
	runtime.KeepAlive(m)
}
