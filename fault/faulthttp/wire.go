package faulthttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"time"

	"github.com/edgeflock/flock/fault"
)

// The JSON bodies of the API, as StarlingX's fm-api writes them where the
// wire differs from fault's Go types: mgmt_affecting and
// degrade_affecting of an alarm are the strings "True"/"False" (fm's own
// callers compare them with "True"), and timestamps are naive UTC with
// six fractional digits ("2024-05-01T10:23:45.123456"), as Python's
// isoformat writes them.

// stxLayout is StarlingX's timestamp form.
const stxLayout = "2006-01-02T15:04:05.000000"

// stxTime is a timestamp in StarlingX's form on the wire.
type stxTime time.Time

// MarshalJSON writes the UTC time in stxLayout.
func (t stxTime) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(stxLayout)+2)
	b = append(b, '"')
	b = time.Time(t).UTC().AppendFormat(b, stxLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads a naive timestamp as UTC (any number of fractional
// digits, 'T' or ' ' between date and time) or an RFC 3339 one.
func (t *stxTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = stxTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: "non-string", Type: reflect.TypeFor[time.Time]()}
	}
	v, err := parseWireTime(s)
	if err != nil {
		return err
	}
	*t = stxTime(v)
	return nil
}

func parseWireTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if v, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return v, nil
		}
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errors.New("not a timestamp: " + s)
	}
	return v.UTC(), nil
}

// pyBool is a flag written as Python's str(bool): "True" or "False". It
// reads those strings in any case, and JSON true and false.
type pyBool bool

// MarshalJSON writes "True" or "False".
func (b pyBool) MarshalJSON() ([]byte, error) {
	if b {
		return []byte(`"True"`), nil
	}
	return []byte(`"False"`), nil
}

// UnmarshalJSON reads "True"/"False" (any case) or true/false.
func (b *pyBool) UnmarshalJSON(data []byte) error {
	switch strings.ToLower(string(bytes.Trim(data, `"`))) {
	case "true":
		*b = true
	case "false":
		*b = false
	default:
		return &json.UnmarshalTypeError{Value: "other value", Type: boolType}
	}
	return nil
}

// ackJSON is Flock's acknowledgement of an alarm.
type ackJSON struct {
	By string  `json:"by"`
	At stxTime `json:"at"`
}

// alarmShort is an alarm as StarlingX's alarm list writes it by default.
type alarmShort struct {
	UUID              string                  `json:"uuid"`
	AlarmID           string                  `json:"alarm_id"`
	EntityInstanceID  string                  `json:"entity_instance_id"`
	Severity          fault.Severity          `json:"severity"`
	Timestamp         stxTime                 `json:"timestamp"`
	ReasonText        string                  `json:"reason_text"`
	MgmtAffecting     pyBool                  `json:"mgmt_affecting"`
	DegradeAffecting  pyBool                  `json:"degrade_affecting"`
	SuppressionStatus fault.SuppressionStatus `json:"suppression_status"`
	Ack               *ackJSON                `json:"ack,omitempty"`
}

// alarmFull is every field of an alarm: GET /v1/alarms/{uuid},
// /v1/alarms/detail and expand=true.
type alarmFull struct {
	alarmShort
	AlarmState           fault.State         `json:"alarm_state"`
	EntityTypeID         string              `json:"entity_type_id"`
	AlarmType            fault.AlarmType     `json:"alarm_type"`
	ProbableCause        fault.ProbableCause `json:"probable_cause"`
	ProposedRepairAction string              `json:"proposed_repair_action"`
	ServiceAffecting     bool                `json:"service_affecting"`
	Suppression          bool                `json:"suppression"`
	InhibitAlarms        bool                `json:"inhibit_alarms"`
	Masked               bool                `json:"masked"`
}

func shortOf(a *fault.Alarm) alarmShort {
	s := alarmShort{UUID: a.UUID, AlarmID: a.AlarmID, EntityInstanceID: a.EntityInstanceID, Severity: a.Severity,
		Timestamp: stxTime(a.Timestamp), ReasonText: a.ReasonText, MgmtAffecting: pyBool(a.MgmtAffecting),
		DegradeAffecting: pyBool(a.DegradeAffecting), SuppressionStatus: a.SuppressionStatus}
	if a.Ack != nil {
		s.Ack = &ackJSON{By: a.Ack.By, At: stxTime(a.Ack.At)}
	}
	return s
}

func fullOf(a *fault.Alarm) alarmFull {
	return alarmFull{alarmShort: shortOf(a), AlarmState: a.State, EntityTypeID: a.EntityTypeID, AlarmType: a.AlarmType,
		ProbableCause: a.ProbableCause, ProposedRepairAction: a.ProposedRepairAction, ServiceAffecting: a.ServiceAffecting,
		Suppression: a.Suppression, InhibitAlarms: a.InhibitAlarms, Masked: a.Masked}
}

func (w *alarmFull) alarm() fault.Alarm {
	a := fault.Alarm{UUID: w.UUID, AlarmID: w.AlarmID, State: w.AlarmState, EntityTypeID: w.EntityTypeID,
		EntityInstanceID: w.EntityInstanceID, Timestamp: time.Time(w.Timestamp), Severity: w.Severity,
		ReasonText: w.ReasonText, AlarmType: w.AlarmType, ProbableCause: w.ProbableCause,
		ProposedRepairAction: w.ProposedRepairAction, ServiceAffecting: w.ServiceAffecting, Suppression: w.Suppression,
		InhibitAlarms: w.InhibitAlarms, Masked: w.Masked, MgmtAffecting: bool(w.MgmtAffecting),
		DegradeAffecting: bool(w.DegradeAffecting), SuppressionStatus: w.SuppressionStatus}
	if w.Ack != nil {
		a.Ack = &fault.Ack{By: w.Ack.By, At: time.Time(w.Ack.At)}
	}
	return a
}

// eventJSON is one record of the event log.
type eventJSON struct {
	UUID                 string                  `json:"uuid"`
	Seq                  int64                   `json:"seq"`
	EventLogID           string                  `json:"event_log_id"`
	State                fault.State             `json:"state"`
	EntityTypeID         string                  `json:"entity_type_id"`
	EntityInstanceID     string                  `json:"entity_instance_id"`
	Timestamp            stxTime                 `json:"timestamp"`
	Severity             fault.Severity          `json:"severity"`
	ReasonText           string                  `json:"reason_text"`
	EventLogType         fault.AlarmType         `json:"event_log_type"`
	ProbableCause        fault.ProbableCause     `json:"probable_cause"`
	ProposedRepairAction string                  `json:"proposed_repair_action"`
	ServiceAffecting     bool                    `json:"service_affecting"`
	Suppression          bool                    `json:"suppression"`
	SuppressionStatus    fault.SuppressionStatus `json:"suppression_status"`
	AlarmUUID            string                  `json:"alarm_uuid,omitempty"`
}

func eventOf(e *fault.Event) eventJSON {
	return eventJSON{UUID: e.UUID, Seq: e.Seq, EventLogID: e.EventLogID, State: e.State, EntityTypeID: e.EntityTypeID,
		EntityInstanceID: e.EntityInstanceID, Timestamp: stxTime(e.Timestamp), Severity: e.Severity,
		ReasonText: e.ReasonText, EventLogType: e.EventLogType, ProbableCause: e.ProbableCause,
		ProposedRepairAction: e.ProposedRepairAction, ServiceAffecting: e.ServiceAffecting,
		Suppression: e.Suppression, SuppressionStatus: e.SuppressionStatus, AlarmUUID: e.AlarmUUID}
}

func (w *eventJSON) event() fault.Event {
	return fault.Event{UUID: w.UUID, Seq: w.Seq, EventLogID: w.EventLogID, State: w.State, EntityTypeID: w.EntityTypeID,
		EntityInstanceID: w.EntityInstanceID, Timestamp: time.Time(w.Timestamp), Severity: w.Severity,
		ReasonText: w.ReasonText, EventLogType: w.EventLogType, ProbableCause: w.ProbableCause,
		ProposedRepairAction: w.ProposedRepairAction, ServiceAffecting: w.ServiceAffecting,
		Suppression: w.Suppression, SuppressionStatus: w.SuppressionStatus, AlarmUUID: w.AlarmUUID}
}

// linkJSON is a link of StarlingX's API: rel "self" or "bookmark".
type linkJSON struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

// suppressionJSON is one entry of the suppression table, with its links
// as StarlingX writes them. mgmt_affecting and degrade_affecting are the
// catalog's thresholds here (Flock's), severity names or "none".
type suppressionJSON struct {
	UUID              string                  `json:"uuid"`
	AlarmID           string                  `json:"alarm_id"`
	Description       string                  `json:"description"`
	SuppressionStatus fault.SuppressionStatus `json:"suppression_status"`
	MgmtAffecting     fault.Severity          `json:"mgmt_affecting"`
	DegradeAffecting  fault.Severity          `json:"degrade_affecting"`
	Links             []linkJSON              `json:"links,omitempty"`
}

func suppressionOf(s *fault.Suppression, hostURL string) suppressionJSON {
	return suppressionJSON{UUID: s.UUID, AlarmID: s.AlarmID, Description: s.Description,
		SuppressionStatus: s.SuppressionStatus, MgmtAffecting: s.MgmtAffecting, DegradeAffecting: s.DegradeAffecting,
		Links: []linkJSON{{Href: hostURL + "/v1/event_suppression/" + s.UUID, Rel: "self"},
			{Href: hostURL + "/event_suppression/" + s.UUID, Rel: "bookmark"}}}
}

func (w *suppressionJSON) suppression() fault.Suppression {
	return fault.Suppression{UUID: w.UUID, AlarmID: w.AlarmID, Description: w.Description,
		SuppressionStatus: w.SuppressionStatus, MgmtAffecting: w.MgmtAffecting, DegradeAffecting: w.DegradeAffecting}
}

// The list answers. next, when there may be more, is the URL of the next
// page, as StarlingX writes it.
type (
	alarmList struct {
		Alarms []alarmFull `json:"alarms"`
		Next   string      `json:"next,omitempty"`
	}
	eventList struct {
		Events []eventJSON `json:"event_log"`
		Next   string      `json:"next,omitempty"`
	}
	suppressionList struct {
		Suppressions []suppressionJSON `json:"event_suppression"`
		Next         string            `json:"next,omitempty"`
	}
)

// uuidAnswer is the answer of POST /v1/alarms.
type uuidAnswer struct {
	UUID string `json:"uuid"`
}

// patchOp is one operation of a JSON patch body (RFC 6902).
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value string `json:"value"`
}

// ackRequest is the body of POST /v1/alarms/{uuid}/ack.
type ackRequest struct {
	By string `json:"by"`
}

// clearAllRequest is the body of POST /v1/alarms/clear_all.
type clearAllRequest struct {
	EntityInstanceID string `json:"entity_instance_id"`
}

// clearAllAnswer is its answer.
type clearAllAnswer struct {
	Cleared int `json:"cleared"`
}

var boolType = reflect.TypeFor[bool]()
