package faulttest

import (
	"context"
	"fmt"
	"sync"

	"github.com/edgeflock/flock/fault"
)

// Call is one call recorded by FakeReporter.
type Call struct {
	Op        string // "set" or "clear"
	Alarm     fault.Alarm
	AlarmID   string // for clear
	EIDPrefix string // for clear
}

// FakeReporter is a fault.Reporter that records its calls and can be told
// to fail. It keeps the active alarms by (alarm id, entity) like the real
// service, so a daemon's tests can ask what is raised now.
type FakeReporter struct {
	mu     sync.Mutex
	calls  []Call
	active map[[2]string]fault.Alarm
	failN  int
	failE  error
	seq    int
}

var _ fault.Reporter = (*FakeReporter)(nil)

// NewFakeReporter returns an empty fake.
func NewFakeReporter() *FakeReporter { return &FakeReporter{active: map[[2]string]fault.Alarm{}} }

// FailNext makes the next n calls return err (fault.ErrUnavailable if nil)
// without recording them.
func (f *FakeReporter) FailNext(n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		err = fault.ErrUnavailable
	}
	f.failN, f.failE = n, err
}

func (f *FakeReporter) fail() error {
	if f.failN > 0 {
		f.failN--
		return f.failE
	}
	return nil
}

// SetAlarm records the call and makes the alarm active.
func (f *FakeReporter) SetAlarm(ctx context.Context, a fault.Alarm) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := f.fail(); err != nil {
		return "", err
	}
	f.calls = append(f.calls, Call{Op: "set", Alarm: a})
	if a.UUID == "" {
		f.seq++
		a.UUID = fmt.Sprintf("00000000-0000-4000-8000-%012d", f.seq)
	}
	f.active[[2]string{a.AlarmID, a.EntityInstanceID}] = a
	return a.UUID, nil
}

// ClearAlarm records the call and clears the matching active alarms;
// fault.ErrNotFound if none.
func (f *FakeReporter) ClearAlarm(ctx context.Context, alarmID, eidPrefix string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := f.fail(); err != nil {
		return err
	}
	f.calls = append(f.calls, Call{Op: "clear", AlarmID: alarmID, EIDPrefix: eidPrefix})
	n := 0
	for k := range f.active {
		if k[0] == alarmID && fault.MatchEntity(eidPrefix, k[1]) {
			delete(f.active, k)
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("clear %s %s: %w", alarmID, eidPrefix, fault.ErrNotFound)
	}
	return nil
}

// Calls returns the recorded calls in order.
func (f *FakeReporter) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Active returns the alarm active for (alarmID, eid), if any.
func (f *FakeReporter) Active(alarmID, eid string) (fault.Alarm, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.active[[2]string{alarmID, eid}]
	return a, ok
}
