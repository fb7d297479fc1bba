package hostmgmt_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
)

func TestParseAdminAction(t *testing.T) {
	for _, s := range []string{"lock", "force-lock", "unlock", "reboot", "reset", "reinstall", "power-on", "power-off", "swact", "delete"} {
		a, err := hostmgmt.ParseAdminAction(s)
		require.NoError(t, err, s)
		assert.Equal(t, s, a.String())
	}
	for _, s := range []string{"", "Lock", "power_on", "unlock ", "reboot\x00"} {
		_, err := hostmgmt.ParseAdminAction(s)
		require.ErrorIs(t, err, hostmgmt.ErrInvalid, "%q", s)
		var fe *hostmgmt.FieldError
		require.True(t, errors.As(err, &fe))
		assert.Equal(t, "action", fe.Field)
		assert.Contains(t, err.Error(), "invalid action")
	}
}

func TestParseEventKind(t *testing.T) {
	k, err := hostmgmt.ParseEventKind("heartbeat-loss")
	require.NoError(t, err)
	assert.Equal(t, hostmgmt.EventHeartbeatLoss, k)
	_, err = hostmgmt.ParseEventKind("heartbeat")
	require.ErrorIs(t, err, hostmgmt.ErrInvalid)
	assert.Contains(t, err.Error(), "invalid event")
}

func TestStateJSONStrict(t *testing.T) {
	tests := []struct {
		name, in, field string
	}{
		{"action", `{"action":"explode"}`, "action"},
		{"stage", `{"stage":"nowhere"}`, "stage"},
		{"availability", `{"availability":"sleepy"}`, "availability"},
		{"event", `{"kind":"boom"}`, "event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.name == "event" {
				var ev hostmgmt.Event
				err = json.Unmarshal([]byte(tt.in), &ev)
			} else {
				var s hostmgmt.State
				err = json.Unmarshal([]byte(tt.in), &s)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "invalid "+tt.field)
		})
	}
	// A state round-trips.
	s := hostmgmt.State{Administrative: inventory.AdminUnlocked, Operational: inventory.OperDisabled, Availability: inventory.AvailFailed,
		Action: hostmgmt.ActionEnable, Stage: hostmgmt.StageFailureWait, Deadline: time.Date(2026, 1, 1, 0, 0, 30, 0, time.UTC),
		Cause: hostmgmt.CauseHeartbeat, Failures: map[hostmgmt.Cause]int{hostmgmt.CauseHeartbeat: 1}}
	b, err := json.Marshal(s)
	require.NoError(t, err)
	var back hostmgmt.State
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, s, back)
}

func TestStepBadInput(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := hostmgmt.State{Administrative: inventory.AdminLocked, Operational: inventory.OperDisabled, Availability: inventory.AvailOnline, Action: hostmgmt.ActionNone}
	for _, ev := range []hostmgmt.Event{
		{Kind: "explode"},
		{Kind: hostmgmt.EventAdmin, Action: "explode"},
		{Kind: hostmgmt.EventAdmin, Action: hostmgmt.ActionRecovery},
		{Kind: hostmgmt.EventAdmin},
	} {
		next, acts, err := hostmgmt.Step(s, ev, now, hostmgmt.DefaultTimings(), hostmgmt.SystemContext{})
		require.ErrorIs(t, err, hostmgmt.ErrInvalid, "%+v", ev)
		assert.Equal(t, s, next)
		assert.Empty(t, acts)
	}
	_, _, err := hostmgmt.Step(hostmgmt.State{}, hostmgmt.Event{Kind: hostmgmt.EventAdmin, Action: hostmgmt.ActionUnlock}, now, hostmgmt.DefaultTimings(), hostmgmt.SystemContext{})
	require.ErrorIs(t, err, hostmgmt.ErrInvalidTransition, "action on a host never added")
}

// Step must not modify the caller's state (the Failures map in
// particular), so a caller can keep the old state if persisting the new
// one fails.
func TestStepDoesNotAlias(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := hostmgmt.State{Administrative: inventory.AdminUnlocked, Operational: inventory.OperDisabled, Availability: inventory.AvailIntest,
		Action: hostmgmt.ActionUnlock, Stage: hostmgmt.StageGoenabledWait, Deadline: now.Add(time.Minute),
		Failures: map[hostmgmt.Cause]int{hostmgmt.CauseGoenable: 0}}
	next, _, err := hostmgmt.Step(s, hostmgmt.Event{Kind: hostmgmt.EventGoenabled}, now, hostmgmt.DefaultTimings(), hostmgmt.SystemContext{})
	require.NoError(t, err)
	assert.Equal(t, 1, next.Failures[hostmgmt.CauseGoenable])
	assert.Equal(t, 0, s.Failures[hostmgmt.CauseGoenable])
}

func TestLockRejectedTaskLength(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := hostmgmt.State{Administrative: inventory.AdminUnlocked, Operational: inventory.OperEnabled, Availability: inventory.AvailAvailable,
		Action: hostmgmt.ActionLock, Stage: hostmgmt.StageLockHooks, Deadline: now.Add(time.Minute)}
	reason := "instances on this host could not be migrated: é é é é é é é é é é é é"
	next, _, err := hostmgmt.Step(s, hostmgmt.Event{Kind: hostmgmt.EventHooksDone, Reason: reason}, now, hostmgmt.DefaultTimings(), hostmgmt.SystemContext{})
	require.NoError(t, err)
	assert.LessOrEqual(t, len(next.Task), 63)
	assert.True(t, utf8.ValidString(string(next.Task)))
	assert.Contains(t, string(next.Task), "Lock Rejected: instances")
}

func TestDefaultTimings(t *testing.T) {
	d := hostmgmt.DefaultTimings()
	assert.Equal(t, 1200*time.Second, d.ControllerBootTimeout)
	assert.Equal(t, 720*time.Second, d.WorkerBootTimeout)
	assert.Equal(t, 600*time.Second, d.GoenabledTimeout)
	assert.Equal(t, 11*time.Second, d.HeartbeatSoak)
	for _, c := range []hostmgmt.Cause{hostmgmt.CauseConfig, hostmgmt.CauseGoenable, hostmgmt.CauseHostServices, hostmgmt.CauseHeartbeat} {
		assert.Equal(t, 2, d.Thresholds[c], c)
	}
	assert.Equal(t, 600*time.Second, d.Intervals[hostmgmt.CauseHeartbeat])
	assert.Equal(t, 30*time.Second, d.DefaultInterval)
}

func TestTimingsValidate(t *testing.T) {
	require.NoError(t, hostmgmt.DefaultTimings().Validate())
	tests := []struct {
		name  string
		edit  func(*hostmgmt.Timings)
		field string
	}{
		{"controller boot below 1200 s", func(t *hostmgmt.Timings) { t.ControllerBootTimeout = 1199 * time.Second }, "controller_boot_timeout"},
		{"worker boot above 1800 s", func(t *hostmgmt.Timings) { t.WorkerBootTimeout = 1801 * time.Second }, "worker_boot_timeout"},
		{"reinstall above 4 h", func(t *hostmgmt.Timings) { t.ReinstallTimeout = 5 * time.Hour }, "reinstall_timeout"},
		{"zero soak", func(t *hostmgmt.Timings) { t.HeartbeatSoak = 0 }, "heartbeat_soak"},
		{"negative retries", func(t *hostmgmt.Timings) { t.ResetRetries = -1 }, "reset_retries"},
		{"negative threshold", func(t *hostmgmt.Timings) { t.Thresholds = map[hostmgmt.Cause]int{hostmgmt.CauseConfig: -1} }, "thresholds"},
		{"zero interval", func(t *hostmgmt.Timings) { t.Intervals = map[hostmgmt.Cause]time.Duration{hostmgmt.CauseHeartbeat: 0} }, "intervals"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := hostmgmt.DefaultTimings()
			tt.edit(&tm)
			err := tm.Validate()
			require.ErrorIs(t, err, hostmgmt.ErrInvalid)
			var fe *hostmgmt.FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, tt.field, fe.Field)
		})
	}
	// The boundaries themselves are allowed.
	tm := hostmgmt.DefaultTimings()
	tm.ControllerBootTimeout, tm.WorkerBootTimeout, tm.ReinstallTimeout = 1800*time.Second, 1800*time.Second, 60*time.Second
	require.NoError(t, tm.Validate())
}
