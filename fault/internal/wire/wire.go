// Package wire encodes fault records as JSON by hand, several times faster
// than encoding/json's reflection: the REST list endpoints write 100,000
// alarms with it, and the SQL store writes every record body with it. The
// field names are the JSON tags of fault.Alarm, fault.StoredAlarm and
// fault.Event, so encoding/json decodes the output.
package wire

import (
	"context"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/edgeflock/flock/fault"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, as encoding/json would
// (invalid UTF-8 becomes U+FFFD; <, >, & are not escaped).
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs a look of its own.
		for i+8 <= len(s) && plain8(s, i) {
			i += 8
		}
		if i >= len(s) {
			break
		}
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

// plain8 reports whether s[i:i+8] is ASCII with no byte below 0x20 and no
// '"' or '\\': bytes that AppendString copies as they are.
func plain8(s string, i int) bool {
	return PlainWord(uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56)
}

// PlainWord reports whether none of the eight bytes of x is below 0x20,
// a '"', a '\\' or above 0x7f: bytes that a JSON string holds as they are,
// with no escape or UTF-8 check. (A "has a byte below n" test on eight
// bytes at once; a false "no" only sends the bytes to a byte-by-byte path.)
func PlainWord(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q := x ^ ('"' * lo)
	bs := x ^ ('\\' * lo)
	bad := x | ((x - 0x20*lo) & ^x) | ((q - lo) & ^q) | ((bs - lo) & ^bs)
	return bad&hi == 0
}

func appendKey(b []byte, k string) []byte {
	b = append(b, '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

func appendBool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// appendTime appends t as a JSON string in RFC 3339 with nanoseconds, as
// time.Time's MarshalJSON does. The service's timestamps are UTC, and for
// them it writes the digits itself: AppendFormat's general layout engine
// took a tenth of the journal's encoding time.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	if y := t.Year(); t.Location() != time.UTC || y < 0 || y > 9999 {
		b = t.AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	b = append(b, byte('0'+mo/10), byte('0'+mo%10), '-', byte('0'+d/10), byte('0'+d%10), 'T')
	b = append(b, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+s/10), byte('0'+s%10))
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, 'Z', '"')
}

// Form selects the fields AppendAlarm writes.
type Form int

// Forms.
const (
	// Short is the short form of StarlingX's alarm list.
	Short Form = iota
	// Full is every field, derived ones included.
	Full
	// Stored is every field a store keeps: Full less the derived fields.
	Stored
)

// AppendAlarm appends a as a JSON object in the given form.
func AppendAlarm(b []byte, a *fault.Alarm, form Form) []byte {
	b = append(b, '{')
	b = appendKey(b, "uuid")
	b = AppendString(b, a.UUID)
	b = append(b, ',')
	b = appendKey(b, "alarm_id")
	b = AppendString(b, a.AlarmID)
	b = append(b, ',')
	b = appendKey(b, "entity_instance_id")
	b = AppendString(b, a.EntityInstanceID)
	b = append(b, ',')
	b = appendKey(b, "severity")
	b = AppendString(b, a.Severity.String())
	b = append(b, ',')
	b = appendKey(b, "timestamp")
	b = appendTime(b, a.Timestamp)
	b = append(b, ',')
	b = appendKey(b, "reason_text")
	b = AppendString(b, a.ReasonText)
	if form != Stored {
		b = append(b, ',')
		b = appendKey(b, "mgmt_affecting")
		b = appendBool(b, a.MgmtAffecting)
		b = append(b, ',')
		b = appendKey(b, "degrade_affecting")
		b = appendBool(b, a.DegradeAffecting)
		b = append(b, ',')
		b = appendKey(b, "suppression_status")
		b = AppendString(b, string(a.SuppressionStatus))
	}
	if form != Short {
		b = append(b, ',')
		b = appendKey(b, "alarm_state")
		b = AppendString(b, a.State.String())
		b = append(b, ',')
		b = appendKey(b, "entity_type_id")
		b = AppendString(b, a.EntityTypeID)
		b = append(b, ',')
		b = appendKey(b, "alarm_type")
		b = AppendString(b, a.AlarmType.String())
		b = append(b, ',')
		b = appendKey(b, "probable_cause")
		b = AppendString(b, a.ProbableCause.String())
		b = append(b, ',')
		b = appendKey(b, "proposed_repair_action")
		b = AppendString(b, a.ProposedRepairAction)
		b = append(b, ',')
		b = appendKey(b, "service_affecting")
		b = appendBool(b, a.ServiceAffecting)
		b = append(b, ',')
		b = appendKey(b, "suppression")
		b = appendBool(b, a.Suppression)
		b = append(b, ',')
		b = appendKey(b, "inhibit_alarms")
		b = appendBool(b, a.InhibitAlarms)
		if form == Full {
			b = append(b, ',')
			b = appendKey(b, "masked")
			b = appendBool(b, a.Masked)
		}
	}
	if a.Ack != nil {
		b = append(b, ',')
		b = appendKey(b, "ack")
		b = append(b, '{')
		b = appendKey(b, "by")
		b = AppendString(b, a.Ack.By)
		b = append(b, ',')
		b = appendKey(b, "at")
		b = appendTime(b, a.Ack.At)
		b = append(b, '}')
	}
	return append(b, '}')
}

// AppendStored appends a stored alarm in the Stored form, plus its seq.
func AppendStored(b []byte, a *fault.StoredAlarm) []byte {
	b = AppendAlarm(b, &a.Alarm, Stored)
	b = b[:len(b)-1]
	b = append(b, ',')
	b = appendKey(b, "seq")
	b = strconv.AppendInt(b, a.Seq, 10)
	return append(b, '}')
}

// AppendEvent appends an event record.
func AppendEvent(b []byte, e *fault.Event) []byte {
	b = append(b, '{')
	b = appendKey(b, "uuid")
	b = AppendString(b, e.UUID)
	b = append(b, ',')
	b = appendKey(b, "seq")
	b = strconv.AppendInt(b, e.Seq, 10)
	for _, f := range [...]struct{ k, v string }{
		{"event_log_id", e.EventLogID}, {"state", e.State.String()}, {"entity_type_id", e.EntityTypeID},
		{"entity_instance_id", e.EntityInstanceID}, {"severity", e.Severity.String()}, {"reason_text", e.ReasonText},
		{"event_log_type", e.EventLogType.String()}, {"probable_cause", e.ProbableCause.String()},
		{"proposed_repair_action", e.ProposedRepairAction},
	} {
		b = append(b, ',')
		b = appendKey(b, f.k)
		b = AppendString(b, f.v)
	}
	b = append(b, ',')
	b = appendKey(b, "timestamp")
	b = appendTime(b, e.Timestamp)
	b = append(b, ',')
	b = appendKey(b, "service_affecting")
	b = appendBool(b, e.ServiceAffecting)
	b = append(b, ',')
	b = appendKey(b, "suppression")
	b = appendBool(b, e.Suppression)
	if e.AlarmUUID != "" {
		b = append(b, ',')
		b = appendKey(b, "alarm_uuid")
		b = AppendString(b, e.AlarmUUID)
	}
	return append(b, '}')
}

// Batch is a run of store ops whose records are already encoded: a journal
// has written each of them (with AppendStored or AppendEvent) into its
// frames, and hands the same bytes to the store it applies to, which then
// need not encode them again.
type Batch struct {
	Ops []fault.Op
	// Bodies holds the records back to back; op i's record is
	// Bodies[Starts[i]:Ends[i]], empty for an op without one (a trim, a
	// suppression).
	Bodies       []byte
	Starts, Ends []int
}

// Body returns op i's encoded record, or "" if it has none. The string
// shares Bodies' memory: use it only while the batch is unchanged.
func (b *Batch) Body(i int) string {
	if b == nil || b.Starts[i] == b.Ends[i] {
		return ""
	}
	return unsafe.String(&b.Bodies[b.Starts[i]], b.Ends[i]-b.Starts[i])
}

// BatchCommitter is a fault.Store that also takes encoded batches.
type BatchCommitter interface {
	CommitBatch(ctx context.Context, b *Batch) error
}

// Add appends op with its encoded record (nil for none).
func (b *Batch) Add(op fault.Op, body []byte) {
	b.Ops = append(b.Ops, op)
	b.Starts = append(b.Starts, len(b.Bodies))
	b.Bodies = append(b.Bodies, body...)
	b.Ends = append(b.Ends, len(b.Bodies))
}

// Append appends the ops and records of o.
func (b *Batch) Append(o *Batch) {
	for i, op := range o.Ops {
		b.Add(op, o.Bodies[o.Starts[i]:o.Ends[i]])
	}
}

// Len is the number of ops.
func (b *Batch) Len() int { return len(b.Ops) }

// Reset empties b, keeping its memory; the ops' records are released.
func (b *Batch) Reset() {
	clear(b.Ops)
	b.Ops, b.Bodies, b.Starts, b.Ends = b.Ops[:0], b.Bodies[:0], b.Starts[:0], b.Ends[:0]
}

// DropFirst removes the first n ops and their records, keeping the memory.
// The records must lie in Bodies in op order, as Add puts them.
func (b *Batch) DropFirst(n int) {
	if n >= len(b.Ops) {
		b.Reset()
		return
	}
	if n <= 0 {
		return
	}
	cut := b.Starts[n]
	m := copy(b.Ops, b.Ops[n:])
	clear(b.Ops[m:])
	b.Ops = b.Ops[:m]
	b.Bodies = b.Bodies[:copy(b.Bodies, b.Bodies[cut:])]
	for i := range m {
		b.Starts[i], b.Ends[i] = b.Starts[i+n]-cut, b.Ends[i+n]-cut
	}
	b.Starts, b.Ends = b.Starts[:m], b.Ends[:m]
}
