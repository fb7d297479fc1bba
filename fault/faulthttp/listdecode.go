package faulthttp

import (
	"errors"
	"time"

	"github.com/edgeflock/flock/fault"
)

// errSlowPath: the fast list decoder met something it leaves to the
// general one (a member it does not know, a value of another type, bad
// JSON); the caller decodes the answer again with it, which also words
// the error if there is one.
var errSlowPath = errors.New("faulthttp: not for the fast list decoder")

// decodeAlarmList decodes an alarm list answer as the server writes it,
// into l (whose Alarms may be preallocated). It is the client's hot path
// for large lists: for 100,000 alarms it allocates about a quarter of
// what go-json does (only each alarm's uuid and entity; ids and texts are
// shared), and the full list over REST takes 18% less time
// (docs/benchmarks.md). Its results equal encoding/json's for every input
// it accepts (FuzzDecodeAlarmList); anything else is errSlowPath.
func decodeAlarmList(data []byte, l *AlarmList) error {
	p := jparser{data: data}
	p.ws()
	if !p.eat('{') {
		return errSlowPath
	}
	seen := false
	for first := true; ; first = false {
		p.ws()
		if p.eat('}') {
			break
		}
		if !first && !p.eat(',') {
			return errSlowPath
		}
		key, err := p.key()
		if err != nil {
			return err
		}
		switch string(key) {
		case "alarms":
			// A second list would be merged into the first by
			// encoding/json; not worth copying.
			if seen {
				return errSlowPath
			}
			seen = true
			if p.null() {
				l.Alarms = nil
				continue
			}
			if !p.eat('[') {
				return errSlowPath
			}
			l.Alarms = l.Alarms[:0]
			if l.Alarms == nil {
				l.Alarms = []fault.Alarm{} // "[]" is an empty list, not none
			}
			for n := 0; ; n++ {
				p.ws()
				if p.eat(']') {
					break
				}
				if n > 0 && !p.eat(',') {
					return errSlowPath
				}
				p.ws()
				l.Alarms = append(l.Alarms, fault.Alarm{})
				if err := p.alarm(&l.Alarms[len(l.Alarms)-1]); err != nil {
					return err
				}
			}
		case "next":
			if p.null() {
				continue
			}
			if p.peek() != '"' {
				return errSlowPath
			}
			if l.Next, err = p.str(); err != nil {
				return errSlowPath
			}
		default:
			return errSlowPath
		}
	}
	if p.end() != nil {
		return errSlowPath
	}
	return nil
}

// key reads a member name without escapes and the colon after it.
func (p *jparser) key() ([]byte, error) {
	p.ws()
	if p.peek() != '"' {
		return nil, errSlowPath
	}
	raw, err := p.rawStr()
	if err != nil || raw == nil {
		return nil, errSlowPath
	}
	p.ws()
	if !p.eat(':') {
		return nil, errSlowPath
	}
	p.ws()
	return raw, nil
}

// alarm decodes one alarm object at p.i into a, which is zero.
func (p *jparser) alarm(a *fault.Alarm) error {
	if !p.eat('{') {
		return errSlowPath
	}
	for first := true; ; first = false {
		p.ws()
		if p.eat('}') {
			return nil
		}
		if !first && !p.eat(',') {
			return errSlowPath
		}
		key, err := p.key()
		if err != nil {
			return err
		}
		// As encoding/json: null leaves a member as it was.
		if p.null() {
			if string(key) == "ack" {
				a.Ack = nil
			} else if !knownAlarmMember(string(key)) {
				return errSlowPath
			}
			continue
		}
		switch string(key) {
		case "uuid":
			err = p.strInto(&a.UUID, false)
		case "alarm_id":
			err = p.strInto(&a.AlarmID, true)
		case "entity_instance_id":
			err = p.strInto(&a.EntityInstanceID, false)
		case "entity_type_id":
			err = p.strInto(&a.EntityTypeID, true)
		case "reason_text":
			err = p.strInto(&a.ReasonText, true)
		case "proposed_repair_action":
			err = p.strInto(&a.ProposedRepairAction, true)
		case "suppression_status":
			var s string
			err = p.strInto(&s, true)
			a.SuppressionStatus = fault.SuppressionStatus(s)
		// Enums go through their UnmarshalText, as with encoding/json.
		case "severity":
			var raw []byte
			if raw, err = p.text(); err == nil {
				err = a.Severity.UnmarshalText(raw)
			}
		case "alarm_state":
			var raw []byte
			if raw, err = p.text(); err == nil {
				err = a.State.UnmarshalText(raw)
			}
		case "alarm_type":
			var raw []byte
			if raw, err = p.text(); err == nil {
				err = a.AlarmType.UnmarshalText(raw)
			}
		case "probable_cause":
			var raw []byte
			if raw, err = p.text(); err == nil {
				err = a.ProbableCause.UnmarshalText(raw)
			}
		case "timestamp":
			err = p.timeInto(&a.Timestamp)
		case "service_affecting":
			err = p.boolInto(&a.ServiceAffecting)
		case "suppression":
			err = p.boolInto(&a.Suppression)
		case "inhibit_alarms":
			err = p.boolInto(&a.InhibitAlarms)
		case "keep_existing":
			err = p.boolInto(&a.KeepExisting)
		case "masked":
			err = p.boolInto(&a.Masked)
		case "mgmt_affecting":
			err = p.boolInto(&a.MgmtAffecting)
		case "degrade_affecting":
			err = p.boolInto(&a.DegradeAffecting)
		case "ack":
			err = p.ack(a)
		default:
			return errSlowPath
		}
		if err != nil {
			return errSlowPath
		}
	}
}

func knownAlarmMember(key string) bool {
	switch key {
	case "uuid", "alarm_id", "entity_instance_id", "entity_type_id", "reason_text", "proposed_repair_action",
		"suppression_status", "severity", "alarm_state", "alarm_type", "probable_cause", "timestamp",
		"service_affecting", "suppression", "inhibit_alarms", "keep_existing", "masked", "mgmt_affecting",
		"degrade_affecting":
		return true
	}
	return false
}

// strInto reads a string into dst; common values (ids, texts) are shared
// between alarms rather than allocated for each.
func (p *jparser) strInto(dst *string, common bool) error {
	if p.peek() != '"' {
		return errSlowPath
	}
	var err error
	if common {
		*dst, err = p.commonStr()
	} else {
		*dst, err = p.str()
	}
	return err
}

// text reads a string without escapes, for an enum's UnmarshalText.
func (p *jparser) text() ([]byte, error) {
	if p.peek() != '"' {
		return nil, errSlowPath
	}
	raw, err := p.rawStr()
	if err != nil || raw == nil {
		return nil, errSlowPath
	}
	return raw, nil
}

func (p *jparser) boolInto(dst *bool) error {
	switch {
	case p.lit("true"):
		*dst = true
	case p.lit("false"):
		*dst = false
	default:
		return errSlowPath
	}
	return nil
}

func (p *jparser) ack(a *fault.Alarm) error {
	if !p.eat('{') {
		return errSlowPath
	}
	if a.Ack == nil {
		a.Ack = &fault.Ack{}
	}
	for first := true; ; first = false {
		p.ws()
		if p.eat('}') {
			return nil
		}
		if !first && !p.eat(',') {
			return errSlowPath
		}
		key, err := p.key()
		if err != nil {
			return err
		}
		if p.null() {
			if string(key) != "by" && string(key) != "at" {
				return errSlowPath
			}
			continue
		}
		switch string(key) {
		case "by":
			err = p.strInto(&a.Ack.By, true)
		case "at":
			err = p.timeInto(&a.Ack.At)
		default:
			return errSlowPath
		}
		if err != nil {
			return errSlowPath
		}
	}
}

// timeInto reads an RFC 3339 timestamp. The server's are UTC
// ("2026-11-21T10:00:00.123456Z"), read digit by digit; any other form
// goes through time.Time's own UnmarshalJSON.
func (p *jparser) timeInto(dst *time.Time) error {
	if p.peek() != '"' {
		return errSlowPath
	}
	start := p.i
	raw, err := p.rawStr()
	if err != nil || raw == nil {
		return errSlowPath
	}
	if t, ok := parseUTC(raw); ok {
		*dst = t
		return nil
	}
	return dst.UnmarshalJSON(p.data[start:p.i])
}

// parseUTC parses "YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z" with every field in
// range; ok is false for anything else.
func parseUTC(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	num := func(b []byte) (int, bool) {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[5:7])
	d, ok3 := num(b[8:10])
	h, ok4 := num(b[11:13])
	mi, ok5 := num(b[14:16])
	s, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	ns := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		f, ok := num(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			f *= 10
		}
		ns = f
	} else if len(b) != 20 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC)
	if t.Day() != d { // past the month's end
		return time.Time{}, false
	}
	return t, true
}
