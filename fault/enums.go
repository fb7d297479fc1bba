package fault

import (
	"fmt"
	"strconv"
)

// Severity is how serious an alarm is. The numeric values are StarlingX's
// (and the WRS-ALARM-MIB's): clear=0, warning=1, minor=2, major=3,
// critical=4, so a higher value is more severe.
type Severity int

// Severities, lowest to highest.
const (
	SeverityClear Severity = iota
	SeverityWarning
	SeverityMinor
	SeverityMajor
	SeverityCritical
)

// SeverityNone is the threshold that no severity reaches: a catalog entry
// whose management- or degrade-affecting severity is none never affects.
const SeverityNone Severity = 5

var severityNames = []string{"clear", "warning", "minor", "major", "critical", "none"}

// String returns the StarlingX name of s ("critical", ...).
func (s Severity) String() string { return enumString(severityNames, int(s), "severity") }

// Valid reports whether s is one of the five alarm severities.
func (s Severity) Valid() bool { return s >= SeverityClear && s <= SeverityCritical }

// ParseSeverity parses a severity name. "none" is accepted only as a
// threshold, by ParseThreshold.
func ParseSeverity(v string) (Severity, error) {
	i, err := enumParse(severityNames[:5], v, "severity")
	return Severity(i), err
}

// ParseThreshold parses a catalog threshold: a severity name or "none".
func ParseThreshold(v string) (Severity, error) {
	i, err := enumParse(severityNames, v, "severity threshold")
	return Severity(i), err
}

// MarshalText encodes s as its name.
func (s Severity) MarshalText() ([]byte, error) {
	return enumMarshal(s.String(), s.Valid() || s == SeverityNone)
}

// UnmarshalText parses a name (or "none").
func (s *Severity) UnmarshalText(b []byte) error {
	if i, ok := enumIndex(severityNames, b); ok {
		*s = Severity(i)
		return nil
	}
	v, err := ParseThreshold(string(b))
	*s = v
	return err
}

// State is an alarm or event record state.
type State int

// States. StateMsg is a customer log; it is stored as StateLog.
const (
	StateClear State = iota
	StateSet
	StateMsg
	StateLog
)

var stateNames = []string{"clear", "set", "msg", "log"}

// String returns "clear", "set", "msg" or "log".
func (s State) String() string { return enumString(stateNames, int(s), "state") }

// Valid reports whether s is a known state.
func (s State) Valid() bool { return s >= StateClear && s <= StateLog }

// ParseState parses a state name.
func ParseState(v string) (State, error) {
	i, err := enumParse(stateNames, v, "state")
	return State(i), err
}

// MarshalText encodes s as its name.
func (s State) MarshalText() ([]byte, error) { return enumMarshal(s.String(), s.Valid()) }

// UnmarshalText parses a state name.
func (s *State) UnmarshalText(b []byte) error {
	if i, ok := enumIndex(stateNames, b); ok {
		*s = State(i)
		return nil
	}
	v, err := ParseState(string(b))
	*s = v
	return err
}

// AlarmType is the ITU X.733 event type of an alarm (the MIB's EventType).
type AlarmType int

// The eleven alarm types, numbered as StarlingX's C API and MIB number them.
// StarlingX's Python list adds a twelfth, "deployment in progress", that no
// MIB value carries; Flock keeps to the eleven that travel in traps.
const (
	AlarmTypeOther AlarmType = iota
	AlarmTypeCommunication
	AlarmTypeQoS
	AlarmTypeProcessingError
	AlarmTypeEquipment
	AlarmTypeEnvironmental
	AlarmTypeIntegrityViolation
	AlarmTypeOperationalViolation
	AlarmTypePhysicalViolation
	AlarmTypeSecurityViolation
	AlarmTypeTimeDomainViolation
)

var alarmTypeNames = []string{
	"other", "communication", "qos", "processing-error", "equipment", "environmental",
	"integrity-violation", "operational-violation", "physical-violation",
	"security-service-or-mechanism-violation", "time-domain-violation",
}

// String returns the StarlingX name of t.
func (t AlarmType) String() string { return enumString(alarmTypeNames, int(t), "alarm type") }

// Valid reports whether t is one of the eleven types.
func (t AlarmType) Valid() bool { return t >= 0 && int(t) < len(alarmTypeNames) }

// ParseAlarmType parses an alarm type name.
func ParseAlarmType(v string) (AlarmType, error) {
	i, err := enumParse(alarmTypeNames, v, "alarm type")
	return AlarmType(i), err
}

// MarshalText encodes t as its name.
func (t AlarmType) MarshalText() ([]byte, error) { return enumMarshal(t.String(), t.Valid()) }

// UnmarshalText parses an alarm type name.
func (t *AlarmType) UnmarshalText(b []byte) error {
	if i, ok := enumIndex(alarmTypeNames, b); ok {
		*t = AlarmType(i)
		return nil
	}
	v, err := ParseAlarmType(string(b))
	*t = v
	return err
}

// ProbableCause is the ITU X.733 / M.3100 probable cause of an alarm: 1 to
// 77 as in StarlingX's Python constants, 0 unknown.
type ProbableCause int

// A few probable causes used by Flock's own services; every value from 0 to
// 77 is valid.
const (
	CauseUnknown                     ProbableCause = 0
	CauseApplicationSubsystemFailure ProbableCause = 2
	CauseCommunicationSubsystemFail  ProbableCause = 6
	CauseEquipmentMalfunction        ProbableCause = 15
	CauseLossOfSignal                ProbableCause = 29
	CauseSoftwareError               ProbableCause = 45
	CauseStorageCapacityProblem      ProbableCause = 48
	CauseThresholdCrossed            ProbableCause = 50
	CauseUnderlyingResourceUnavail   ProbableCause = 55
	CauseOutOfService                ProbableCause = 63
	CauseConfigurationOutOfDate      ProbableCause = 75
	CauseConfigurationProvisionReqd  ProbableCause = 76
	CauseCertificateExpiration       ProbableCause = 77
)

var causeNames = [...]string{
	"unknown", "adaptor-error", "application-subsystem-failure", "bandwidth-reduced",
	"call-establishment-error", "communication-protocol-error", "communication-subsystem-failure",
	"configuration-or-customization-error", "congestion", "corrupt-data", "cpu-cycles-limit-exceeded",
	"dataset-or-modem-error", "degraded-signal", "dte-dce-interface-error", "enclosure-door-open",
	"equipment-malfunction", "excessive-vibration", "file-error", "fire-detected", "flood-detected",
	"framing-error", "heating-ventilation-cooling-system-problem", "humidity-unacceptable",
	"io-device-error", "input-device-error", "lan-error", "leak-detected", "local-node-transmission-error",
	"loss-of-frame", "loss-of-signal", "material-supply-exhausted", "multiplexer-problem",
	"out-of-memory", "output-device-error", "performance-degraded", "power-problem",
	"processor-problem", "pump-failure", "queue-size-exceeded",
	"receive-failure", "receiver-failure", "remote-node-transmission-error", "resource-at-or-nearing-capacity",
	"response-time-excessive", "retransmission-rate-excessive", "software-error",
	"software-program-abnormally-terminated", "software-program-error", "storage-capacity-problem",
	"temperature-unacceptable", "threshold-crossed", "timing-problem", "toxic-leak-detected",
	"transmit-failure", "transmitter-failure", "underlying-resource-unavailable", "version-mismatch",
	"duplicate-information", "information-missing", "information-modification-detected",
	"information-out-of-sequence", "unexpected-information", "denial-of-service", "out-of-service",
	"procedural-error", "unspecified-reason", "cable-tamper", "intrusion-detection",
	"authentication-failure", "breach-of-confidentiality", "non-repudiation-failure",
	"unauthorized-access-attempt", "delayed-information", "key-expired", "out-of-hours-activity",
	"configuration-out-of-date", "configuration-provisioning-required", "certificate-expiration",
}

// String returns the StarlingX name of c ("threshold-crossed", ...).
func (c ProbableCause) String() string { return enumString(causeNames[:], int(c), "probable cause") }

// Valid reports whether c is unknown or one of the 77 causes.
func (c ProbableCause) Valid() bool { return c >= 0 && int(c) < len(causeNames) }

// ParseProbableCause parses a probable cause name.
func ParseProbableCause(v string) (ProbableCause, error) {
	// 78 names: a map beats the scan on hot decoding paths.
	if i, ok := causeIndex[v]; ok {
		return ProbableCause(i), nil
	}
	return 0, fmt.Errorf("%w: unknown probable cause %q", ErrInvalid, v)
}

// MarshalText encodes c as its name.
func (c ProbableCause) MarshalText() ([]byte, error) { return enumMarshal(c.String(), c.Valid()) }

// UnmarshalText parses a probable cause name.
func (c *ProbableCause) UnmarshalText(b []byte) error {
	if i, ok := causeIndex[string(b)]; ok {
		*c = ProbableCause(i)
		return nil
	}
	v, err := ParseProbableCause(string(b))
	*c = v
	return err
}

// SuppressionStatus is an operator's choice for one alarm id.
type SuppressionStatus string

// Suppression statuses.
const (
	Unsuppressed SuppressionStatus = "unsuppressed"
	Suppressed   SuppressionStatus = "suppressed"
)

// Valid reports whether s is suppressed or unsuppressed.
func (s SuppressionStatus) Valid() bool { return s == Suppressed || s == Unsuppressed }

func enumString(names []string, i int, what string) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return what + "(" + strconv.Itoa(i) + ")"
}

// enumIndex finds b among names without allocating (decoders call the
// UnmarshalText methods for every record); the Parse functions word the
// error when it is not there.
func enumIndex(names []string, b []byte) (int, bool) {
	for i, n := range names {
		if n == string(b) {
			return i, true
		}
	}
	return 0, false
}

func enumParse(names []string, v, what string) (int, error) {
	for i, n := range names {
		if n == v {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown %s %q", ErrInvalid, what, v)
}

// causeIndex maps a probable cause name to its value. Read-only.
var causeIndex = func() map[string]int {
	m := make(map[string]int, len(causeNames))
	for i, n := range causeNames {
		m[n] = i
	}
	return m
}()

func enumMarshal(name string, ok bool) ([]byte, error) {
	if !ok {
		return nil, fmt.Errorf("%w: cannot encode %s", ErrInvalid, name)
	}
	return []byte(name), nil
}
