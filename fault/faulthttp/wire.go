package faulthttp

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/edgeflock/flock/fault"
)

// The list endpoints write JSON by hand: a list of 100,000 alarms is
// encoded several times faster than by encoding/json's reflection. The
// field names are the JSON tags of fault.Alarm and fault.Event, so the
// client decodes them with encoding/json.

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, as encoding/json would
// (invalid UTF-8 becomes U+FFFD; <, >, & are not escaped).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&15])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendKey(b []byte, k string) []byte {
	b = append(b, '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

func appendBool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendAlarm appends a as a JSON object: every field if expand, else the
// short form of StarlingX's alarm list.
func appendAlarm(b []byte, a *fault.Alarm, expand bool) []byte {
	b = append(b, '{')
	b = appendKey(b, "uuid")
	b = appendString(b, a.UUID)
	b = append(b, ',')
	b = appendKey(b, "alarm_id")
	b = appendString(b, a.AlarmID)
	b = append(b, ',')
	b = appendKey(b, "entity_instance_id")
	b = appendString(b, a.EntityInstanceID)
	b = append(b, ',')
	b = appendKey(b, "severity")
	b = appendString(b, a.Severity.String())
	b = append(b, ',')
	b = appendKey(b, "timestamp")
	b = appendTime(b, a.Timestamp)
	b = append(b, ',')
	b = appendKey(b, "reason_text")
	b = appendString(b, a.ReasonText)
	b = append(b, ',')
	b = appendKey(b, "mgmt_affecting")
	b = appendBool(b, a.MgmtAffecting)
	b = append(b, ',')
	b = appendKey(b, "degrade_affecting")
	b = appendBool(b, a.DegradeAffecting)
	b = append(b, ',')
	b = appendKey(b, "suppression_status")
	b = appendString(b, string(a.SuppressionStatus))
	if expand {
		b = append(b, ',')
		b = appendKey(b, "alarm_state")
		b = appendString(b, a.State.String())
		b = append(b, ',')
		b = appendKey(b, "entity_type_id")
		b = appendString(b, a.EntityTypeID)
		b = append(b, ',')
		b = appendKey(b, "alarm_type")
		b = appendString(b, a.AlarmType.String())
		b = append(b, ',')
		b = appendKey(b, "probable_cause")
		b = appendString(b, a.ProbableCause.String())
		b = append(b, ',')
		b = appendKey(b, "proposed_repair_action")
		b = appendString(b, a.ProposedRepairAction)
		b = append(b, ',')
		b = appendKey(b, "service_affecting")
		b = appendBool(b, a.ServiceAffecting)
		b = append(b, ',')
		b = appendKey(b, "suppression")
		b = appendBool(b, a.Suppression)
		b = append(b, ',')
		b = appendKey(b, "inhibit_alarms")
		b = appendBool(b, a.InhibitAlarms)
		b = append(b, ',')
		b = appendKey(b, "masked")
		b = appendBool(b, a.Masked)
	}
	if a.Ack != nil {
		b = append(b, ',')
		b = appendKey(b, "ack")
		b = append(b, '{')
		b = appendKey(b, "by")
		b = appendString(b, a.Ack.By)
		b = append(b, ',')
		b = appendKey(b, "at")
		b = appendTime(b, a.Ack.At)
		b = append(b, '}')
	}
	return append(b, '}')
}
