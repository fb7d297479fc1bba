package fault

import "context"

// Reporter is what a daemon needs to raise and clear its alarms.
type Reporter interface {
	// SetAlarm raises or updates the alarm keyed by (AlarmID,
	// EntityInstanceID) and returns its uuid.
	SetAlarm(ctx context.Context, a Alarm) (string, error)
	// ClearAlarm clears every alarm with this id whose entity instance id
	// is eidPrefix or below it. ErrNotFound if none was active.
	ClearAlarm(ctx context.Context, alarmID, eidPrefix string) error
}

// Service is the whole fault management API. *Manager implements it
// in-process; faulthttp.Client implements it over REST.
type Service interface {
	Reporter
	// ClearAll clears every alarm at or below eidPrefix and records one
	// hierarchical-clear event. It returns how many were cleared.
	ClearAll(ctx context.Context, eidPrefix string) (int, error)
	// Log records a log (or customer message) in the event log and returns
	// its uuid. a.State must be StateLog or StateMsg.
	Log(ctx context.Context, a Alarm) (string, error)
	// GetAlarm returns an active alarm by uuid. Masked alarms are not found.
	GetAlarm(ctx context.Context, uuid string) (Alarm, error)
	// ListAlarms returns active alarms matching q.
	ListAlarms(ctx context.Context, q AlarmQuery) ([]Alarm, error)
	// DeleteAlarm clears one alarm by uuid.
	DeleteAlarm(ctx context.Context, uuid string) error
	// AckAlarm records that operator by acknowledged the alarm.
	AckAlarm(ctx context.Context, uuid, by string) (Alarm, error)
	// Summary counts visible active alarms by severity.
	Summary(ctx context.Context, includeSuppressed bool) (Summary, error)
	// ListEvents returns event log records matching q, newest first.
	ListEvents(ctx context.Context, q EventQuery) ([]Event, error)
	// GetEvent returns one event log record.
	GetEvent(ctx context.Context, uuid string) (Event, error)
	// ListSuppressions returns the suppression entry of every alarm id.
	ListSuppressions(ctx context.Context) ([]Suppression, error)
	// SetSuppression sets the operator's suppression of an alarm id; id
	// may be the alarm id or the entry's uuid.
	SetSuppression(ctx context.Context, id string, status SuppressionStatus) (Suppression, error)
}
