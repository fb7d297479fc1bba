package fault

import (
	"time"
)

// maxString is StarlingX's column width for every string field.
const maxString = 255

// Alarm is one alarm: an active alarm as stored, or the request to raise
// one. Field names and JSON names follow StarlingX's alarm record.
type Alarm struct {
	// UUID identifies this instance of the alarm. The service makes a
	// fresh one on every set unless the caller sends a well-formed UUID.
	UUID string `json:"uuid"`
	// AlarmID is the catalog id, "GGG.EEE" (group and event number).
	AlarmID string `json:"alarm_id"`
	// State is StateSet for an active alarm.
	State State `json:"alarm_state"`
	// EntityTypeID names the kind of entity ("host", "service_domain.service_group.host").
	EntityTypeID string `json:"entity_type_id"`
	// EntityInstanceID names the entity as key=value pairs; see ParseEntity.
	EntityInstanceID string `json:"entity_instance_id"`
	// Timestamp is when the alarm was last set; the service sets it.
	Timestamp time.Time `json:"timestamp"`
	// Severity of the alarm; never SeverityClear for an active alarm.
	Severity Severity `json:"severity"`
	// ReasonText says what is wrong, for the operator.
	ReasonText string `json:"reason_text"`
	// AlarmType is the X.733 event type.
	AlarmType AlarmType `json:"alarm_type"`
	// ProbableCause is the X.733 probable cause.
	ProbableCause ProbableCause `json:"probable_cause"`
	// ProposedRepairAction tells the operator what to do.
	ProposedRepairAction string `json:"proposed_repair_action"`
	// ServiceAffecting: the fault affects service.
	ServiceAffecting bool `json:"service_affecting"`
	// Suppression: the alarm may be masked by an inhibiting alarm above it
	// (the MIB's SuppressionAllowed). Not the operator's suppression status.
	Suppression bool `json:"suppression"`
	// InhibitAlarms: while this alarm is active it masks every other alarm
	// under its entity that allows suppression.
	InhibitAlarms bool `json:"inhibit_alarms"`
	// KeepExisting is a request flag: if the alarm is already active,
	// leave it untouched and return its uuid. Never stored.
	KeepExisting bool `json:"keep_existing,omitempty"`

	// Masked: an active inhibiting alarm covers this one. Derived.
	Masked bool `json:"masked"`
	// MgmtAffecting: the severity reaches the catalog's management-affecting
	// threshold (blocks orchestration). Derived.
	MgmtAffecting bool `json:"mgmt_affecting"`
	// DegradeAffecting: the severity reaches the catalog's degrade
	// threshold (degrades the host). Derived.
	DegradeAffecting bool `json:"degrade_affecting"`
	// SuppressionStatus is the operator's suppression of this alarm id. Derived.
	SuppressionStatus SuppressionStatus `json:"suppression_status"`
	// Ack is set once an operator has acknowledged the alarm.
	Ack *Ack `json:"ack,omitempty"`
}

// Ack records an operator's acknowledgement of an alarm. StarlingX has no
// such thing; Flock keeps it across restarts and across re-raises of the
// same alarm at the same or a lower severity.
type Ack struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Event is one record of the event log: an alarm set or clear, or a log.
type Event struct {
	// UUID identifies the record.
	UUID string `json:"uuid"`
	// Seq orders records; larger is newer.
	Seq int64 `json:"seq"`
	// EventLogID is the catalog id of the alarm or log. Empty for a
	// hierarchical clear, which covers many alarm ids.
	EventLogID string `json:"event_log_id"`
	// State is StateSet, StateClear or StateLog.
	State            State     `json:"state"`
	EntityTypeID     string    `json:"entity_type_id"`
	EntityInstanceID string    `json:"entity_instance_id"`
	Timestamp        time.Time `json:"timestamp"`
	Severity         Severity  `json:"severity"`
	ReasonText       string    `json:"reason_text"`
	// EventLogType is the X.733 event type.
	EventLogType         AlarmType     `json:"event_log_type"`
	ProbableCause        ProbableCause `json:"probable_cause"`
	ProposedRepairAction string        `json:"proposed_repair_action"`
	ServiceAffecting     bool          `json:"service_affecting"`
	Suppression          bool          `json:"suppression"`
	// SuppressionStatus is the operator's suppression of the id. Derived.
	SuppressionStatus SuppressionStatus `json:"suppression_status"`
	// AlarmUUID is the uuid of the alarm that was set or cleared.
	AlarmUUID string `json:"alarm_uuid,omitempty"`
}

// HierarchicalClearReason is the reason text of the single event that
// ClearAll records.
const HierarchicalClearReason = "System initiated hierarchical alarm clear"

// Suppression is the operator's suppression entry for one alarm id, with
// the catalog's thresholds for that id.
type Suppression struct {
	UUID              string            `json:"uuid"`
	AlarmID           string            `json:"alarm_id"`
	Description       string            `json:"description"`
	SuppressionStatus SuppressionStatus `json:"suppression_status"`
	MgmtAffecting     Severity          `json:"mgmt_affecting"`
	DegradeAffecting  Severity          `json:"degrade_affecting"`
}

// Summary counts the visible active alarms by severity.
type Summary struct {
	Critical int `json:"critical"`
	Major    int `json:"major"`
	Minor    int `json:"minor"`
	Warnings int `json:"warnings"`
	// Status is "critical" if any alarm is critical, "degraded" if any is
	// major or minor, else "OK".
	Status string `json:"status"`
}

// AlarmQuery selects active alarms. Zero fields do not filter.
type AlarmQuery struct {
	AlarmID      string   // exact alarm id
	Severity     Severity // exact severity; SeverityClear means any
	EntityPrefix string   // entity instance id prefix, on whole components
	EntityTypeID string   // exact entity type
	// MgmtAffecting / DegradeAffecting keep only alarms that are.
	MgmtAffecting    bool
	DegradeAffecting bool
	// IncludeSuppressed also returns alarms whose id the operator suppressed.
	IncludeSuppressed bool
	// IncludeMasked also returns alarms masked by an inhibiting alarm.
	IncludeMasked bool
	// SortKey is "id" (raise order, the default), "timestamp", "severity",
	// "alarm_id", "entity_instance_id" or "uuid".
	SortKey string
	// SortDesc sorts in descending order.
	SortDesc bool
	// Marker is the uuid of the last alarm of the previous page.
	Marker string
	// Limit caps the number returned; 0 means no limit.
	Limit int
}

// EventQuery selects event log records, newest first. Zero fields do not filter.
type EventQuery struct {
	EventLogID   string
	EntityTypeID string
	EntityPrefix string
	Severity     Severity
	// AlarmsOnly keeps set and clear records; LogsOnly keeps logs.
	AlarmsOnly, LogsOnly bool
	// IncludeSuppressed also returns records of suppressed ids.
	IncludeSuppressed bool
	// Start and End bound the timestamp (inclusive); zero means open.
	Start, End time.Time
	// Marker is the uuid of the last record of the previous page.
	Marker string
	// Limit caps the number returned; 0 means no limit.
	Limit int
}

// validAlarmID reports whether id is "GGG.EEE".
func validAlarmID(id string) bool {
	if len(id) != 7 || id[3] != '.' {
		return false
	}
	for i := 0; i < 7; i++ {
		if i != 3 && (id[i] < '0' || id[i] > '9') {
			return false
		}
	}
	return true
}

// validate checks the fields the caller supplies. It does not consult the
// catalog.
func (a *Alarm) validate() error {
	if !validAlarmID(a.AlarmID) {
		return fieldErr("alarm_id", "%q is not GGG.EEE", a.AlarmID)
	}
	if !a.State.Valid() {
		return fieldErr("alarm_state", "unknown state %d", int(a.State))
	}
	if a.EntityTypeID == "" {
		return fieldErr("entity_type_id", "must not be empty")
	}
	if err := checkEntity(a.EntityInstanceID); err != nil {
		return err
	}
	if !a.Severity.Valid() {
		return fieldErr("severity", "unknown severity %d", int(a.Severity))
	}
	if (a.State == StateSet) && a.Severity == SeverityClear {
		return fieldErr("severity", "an alarm cannot be set with severity clear")
	}
	if !a.AlarmType.Valid() {
		return fieldErr("alarm_type", "unknown alarm type %d", int(a.AlarmType))
	}
	if !a.ProbableCause.Valid() {
		return fieldErr("probable_cause", "unknown probable cause %d", int(a.ProbableCause))
	}
	for _, f := range [...]struct{ name, v string }{
		{"entity_type_id", a.EntityTypeID},
		{"reason_text", a.ReasonText},
		{"proposed_repair_action", a.ProposedRepairAction},
	} {
		if len(f.v) > maxString {
			return fieldErr(f.name, "longer than %d bytes", maxString)
		}
		if why := textProblem(f.v); why != "" {
			return fieldErr(f.name, "%s", why)
		}
	}
	if a.UUID != "" && !validUUID(a.UUID) {
		return fieldErr("uuid", "%q is not a UUID", a.UUID)
	}
	return nil
}

func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
