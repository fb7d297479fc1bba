package faulthttp

import (
	"encoding"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/edgeflock/flock/fault"
)

// errSlowPath: the fast list decoder met something it leaves to the
// general one (a member it does not know, a value of another type, bad
// JSON); the caller decodes the answer again with it, which also words
// the error if there is one.
var errSlowPath = errors.New("faulthttp: not for the fast list decoder")

// listHead is how the server starts an alarm list answer.
const listHead = `{"alarms":[`

// readAlarmList reads an alarm list answer from r into buf and decodes
// the alarms into l while the rest is still arriving: the server encodes
// and sends the list in chunks, so on two cores the client's decoding
// overlaps the server's encoding instead of following it. It returns
// everything it read. The fast decoder takes the answer as the server
// writes it (listHead, the alarms, then "next" or nothing), and decodes
// each alarm at a quarter of go-json's allocations, with no map look-up
// for member names and no time.Parse for UTC timestamps. Anything else
// is errSlowPath, with the whole answer read, for the general decoder;
// what it accepts decodes as with encoding/json (FuzzDecodeAlarmList).
func readAlarmList(r io.Reader, buf []byte, l *AlarmList) ([]byte, error) {
	eof := false
	more := func() error {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, max(64<<10, cap(buf)))
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			eof = true
			return nil
		}
		return err
	}
	rest := func() error {
		for !eof {
			if err := more(); err != nil {
				return err
			}
		}
		return nil
	}
	slow := func() ([]byte, error) {
		if err := rest(); err != nil {
			return buf, err
		}
		return buf, errSlowPath
	}
	for len(buf) < len(listHead) && !eof {
		if err := more(); err != nil {
			return buf, err
		}
	}
	if len(buf) < len(listHead) || string(buf[:len(listHead)]) != listHead {
		return slow()
	}
	pos := len(listHead) // where the next element (or its comma) starts
	l.Alarms = l.Alarms[:0]
	if l.Alarms == nil {
		l.Alarms = []fault.Alarm{} // "[]" is an empty list, not none
	}
	for {
		// Every whole alarm that has arrived; a partial one is decoded
		// again once more has come.
		p := jparser{data: buf, i: pos}
		for {
			p.i = pos
			p.ws()
			if p.i >= len(buf) {
				break
			}
			if p.eat(']') {
				if err := rest(); err != nil {
					return buf, err
				}
				p.data = buf
				if p.listTail(l) != nil {
					return buf, errSlowPath
				}
				return buf, nil
			}
			if len(l.Alarms) > 0 && !p.eat(',') {
				return slow()
			}
			p.ws()
			l.Alarms = append(l.Alarms, fault.Alarm{})
			if p.alarm(&l.Alarms[len(l.Alarms)-1]) != nil {
				l.Alarms = l.Alarms[:len(l.Alarms)-1] // decoded again once more has come
				break
			}
			pos = p.i
		}
		if eof {
			return buf, errSlowPath // a truncated or malformed alarm
		}
		if err := more(); err != nil {
			return buf, err
		}
	}
}

// listTail reads what follows the alarms: "next" or nothing, then the end.
func (p *jparser) listTail(l *AlarmList) error {
	for {
		key, done, err := p.nextMember(false)
		if done && err == nil {
			return p.end()
		}
		if err != nil || string(key) != "next" {
			return errSlowPath // a second "alarms" would merge into the first
		}
		if p.null() {
			continue
		}
		if p.peek() != '"' {
			return errSlowPath
		}
		if l.Next, err = p.str(); err != nil {
			return errSlowPath
		}
	}
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

// nextMember reads, in an object whose '{' is read, up to the next
// member's value: its name, or done at the closing '}'. first: no comma
// before it.
func (p *jparser) nextMember(first bool) (key []byte, done bool, err error) {
	p.ws()
	if p.eat('}') {
		return nil, true, nil
	}
	if !first && !p.eat(',') {
		return nil, false, errSlowPath
	}
	key, err = p.key()
	return key, false, err
}

// alarm decodes one alarm object at p.i into a, which is zero.
func (p *jparser) alarm(a *fault.Alarm) error {
	if !p.eat('{') {
		return errSlowPath
	}
	for first := true; ; first = false {
		key, done, err := p.nextMember(first)
		if done || err != nil {
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
		case "severity":
			err = p.text(&a.Severity)
		case "alarm_state":
			err = p.text(&a.State)
		case "alarm_type":
			err = p.text(&a.AlarmType)
		case "probable_cause":
			err = p.text(&a.ProbableCause)
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

// text reads a string without escapes into an enum through its
// UnmarshalText, as encoding/json does.
func (p *jparser) text(dst encoding.TextUnmarshaler) error {
	if p.peek() != '"' {
		return errSlowPath
	}
	raw, err := p.rawStr()
	if err != nil || raw == nil {
		return errSlowPath
	}
	return dst.UnmarshalText(raw)
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
		key, done, err := p.nextMember(first)
		if done || err != nil {
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
