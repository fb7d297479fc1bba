package faulthttp

import (
	"encoding/binary"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/internal/wire"
)

// decodeAlarmRequest is the strict decoder of POST /v1/alarms bodies: one
// JSON object, known keys only (matched exactly), the types of
// AlarmRequest, nothing after it. It is the hot path of alarm raising,
// about five times cheaper than encoding/json's reflecting Decoder; what it
// accepts, encoding/json accepts with the same result (FuzzDecodeAlarmRequest).
// Errors are *fault.FieldError naming the key ("body" for the JSON itself).
func decodeAlarmRequest(data []byte) (AlarmRequest, error) {
	var r AlarmRequest
	p := jparser{data: data}
	p.ws()
	if !p.eat('{') {
		return r, p.bad("body", "want a JSON object")
	}
	p.ws()
	if p.eat('}') {
		return r, p.end()
	}
	for {
		p.ws()
		if p.peek() != '"' {
			return r, p.bad("body", "want a member name")
		}
		// The member name is matched without allocating it: it is
		// needed as a string only for an error.
		raw, err := p.rawStr()
		if err != nil {
			return r, err
		}
		var key string
		f, known := fields[string(raw)]
		if raw != nil && known {
			key = f.name
		} else {
			key = string(raw)
			if raw == nil {
				// Escapes in the name: decode it the long way.
				if key, err = p.strSlow(p.mark + 1); err != nil {
					return r, err
				}
			}
		}
		p.ws()
		if !p.eat(':') {
			return r, p.bad("body", "want ':' after "+key)
		}
		p.ws()
		if dst := r.stringField(key); dst != nil {
			if p.null() {
				*dst = ""
			} else if p.peek() != '"' {
				return r, p.typeErr(key, "string")
			} else if f.common {
				if *dst, err = p.commonStr(); err != nil {
					return r, err
				}
			} else if *dst, err = p.str(); err != nil {
				return r, err
			}
		} else if dst := r.boolField(key); dst != nil {
			if *dst, err = p.boolish(key); err != nil {
				return r, err
			}
		} else if readOnly[key] {
			if err := p.skip(0); err != nil {
				return r, err
			}
		} else if key == "" {
			return r, p.bad("body", `unknown field ""`)
		} else {
			return r, &fault.FieldError{Field: key, Reason: "unknown field"}
		}
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			return r, p.end()
		}
		return r, p.bad("body", "want ',' or '}'")
	}
}

// field describes a member name of the POST body. common marks the
// fields whose values repeat across requests (ids, enums, texts): they are
// shared through commonStrings instead of allocated per request.
type field struct {
	name   string
	common bool
}

// fields are the member names decodeAlarmRequest knows, for a lookup that
// does not allocate the name.
var fields = func() map[string]field {
	m := map[string]field{}
	for _, k := range []string{"uuid", "entity_instance_id", "service_affecting", "suppression",
		"inhibit_alarms", "keep_existing", "timestamp", "masked", "mgmt_affecting",
		"degrade_affecting", "suppression_status", "ack"} {
		m[k] = field{name: k}
	}
	for _, k := range []string{"alarm_id", "alarm_state", "entity_type_id", "severity",
		"reason_text", "alarm_type", "probable_cause", "proposed_repair_action"} {
		m[k] = field{name: k, common: true}
	}
	return m
}()

// commonStrings holds the values of the common fields seen so far, so that
// a stream of POSTs of the same few kinds of alarm allocates none of them.
// It stops growing at maxCommon entries; values after that are allocated.
var commonStrings = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

const (
	maxCommon    = 4096
	maxCommonLen = 256
)

// commonStr reads a string like str, returning the shared copy of a value
// seen before.
func (p *jparser) commonStr() (string, error) {
	raw, err := p.rawStr()
	if err != nil {
		return "", err
	}
	if raw == nil {
		return p.strSlow(p.mark + 1)
	}
	commonStrings.RLock()
	s, ok := commonStrings.m[string(raw)]
	n := len(commonStrings.m)
	commonStrings.RUnlock()
	if ok {
		return s, nil
	}
	s = string(raw)
	if n < maxCommon && len(s) <= maxCommonLen {
		commonStrings.Lock()
		if len(commonStrings.m) < maxCommon {
			commonStrings.m[s] = s
		}
		commonStrings.Unlock()
	}
	return s, nil
}

// rawStr reads a string at p.i (which is '"') that needs no decoding and
// returns its bytes, a sub-slice of the input. At the first byte that
// needs decoding or checking it stops and returns nil, with p.mark at the
// opening quote and p.i at that byte, for the caller to go on with
// strSlow(p.mark+1).
func (p *jparser) rawStr() ([]byte, error) {
	p.mark = p.i
	p.i++ // the quote
	start := p.i
	for p.i < len(p.data) {
		// Eight plain bytes at a time (most of an id or a text).
		for p.i+8 <= len(p.data) && wire.PlainWord(binary.LittleEndian.Uint64(p.data[p.i:])) {
			p.i += 8
		}
		if p.i >= len(p.data) {
			break
		}
		c := p.data[p.i]
		if c == '"' {
			p.i++
			return p.data[start : p.i-1 : p.i-1], nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return nil, nil
		}
		p.i++
	}
	return nil, p.bad("body", "unterminated string")
}

// readOnly are the alarm fields a POST may carry and the server ignores.
var readOnly = map[string]bool{"timestamp": true, "masked": true, "mgmt_affecting": true,
	"degrade_affecting": true, "suppression_status": true, "ack": true}

func (r *AlarmRequest) stringField(key string) *string {
	switch key {
	case "uuid":
		return &r.UUID
	case "alarm_id":
		return &r.AlarmID
	case "alarm_state":
		return &r.AlarmState
	case "entity_type_id":
		return &r.EntityTypeID
	case "entity_instance_id":
		return &r.EntityInstanceID
	case "severity":
		return &r.Severity
	case "reason_text":
		return &r.ReasonText
	case "alarm_type":
		return &r.AlarmType
	case "probable_cause":
		return &r.ProbableCause
	case "proposed_repair_action":
		return &r.ProposedRepairAction
	}
	return nil
}

func (r *AlarmRequest) boolField(key string) *Bool {
	switch key {
	case "service_affecting":
		return &r.ServiceAffecting
	case "suppression":
		return &r.Suppression
	case "inhibit_alarms":
		return &r.InhibitAlarms
	case "keep_existing":
		return &r.KeepExisting
	}
	return nil
}

// jparser reads JSON from data; i is the next byte.
type jparser struct {
	data []byte
	i    int
	mark int // where rawStr started
}

const maxDepth = 64

func (p *jparser) peek() byte {
	if p.i < len(p.data) {
		return p.data[p.i]
	}
	return 0
}

func (p *jparser) eat(c byte) bool {
	if p.peek() == c && p.i < len(p.data) {
		p.i++
		return true
	}
	return false
}

func (p *jparser) ws() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jparser) bad(field, reason string) error {
	return &fault.FieldError{Field: field, Reason: reason}
}

func (p *jparser) typeErr(field, want string) error {
	return &fault.FieldError{Field: field, Reason: "must be " + want}
}

// end checks that only white space follows.
func (p *jparser) end() error {
	p.ws()
	if p.i != len(p.data) {
		return p.bad("body", "trailing data after the JSON value")
	}
	return nil
}

func (p *jparser) lit(s string) bool {
	if strings.HasPrefix(string(p.data[p.i:min(len(p.data), p.i+len(s))]), s) && len(p.data)-p.i >= len(s) {
		p.i += len(s)
		return true
	}
	return false
}

func (p *jparser) null() bool { return p.peek() == 'n' && p.lit("null") }

// boolish reads true, false, null, or a string "true"/"false" in any case
// (StarlingX sends "True"), as Bool.UnmarshalJSON does.
func (p *jparser) boolish(key string) (Bool, error) {
	switch {
	case p.lit("true"):
		return true, nil
	case p.lit("false"), p.lit("null"):
		return false, nil
	case p.peek() == '"':
		s, err := p.str()
		if err != nil {
			return false, err
		}
		switch strings.ToLower(s) {
		case "true":
			return true, nil
		case "false", "null":
			return false, nil
		}
	}
	return false, p.typeErr(key, "true or false")
}

// str reads a string at p.i (which is '"'), decoding escapes; invalid
// UTF-8 and lone surrogates become U+FFFD, as in encoding/json.
func (p *jparser) str() (string, error) {
	raw, err := p.rawStr()
	if err != nil || raw != nil {
		return string(raw), err
	}
	return p.strSlow(p.mark + 1)
}

func (p *jparser) strSlow(start int) (string, error) {
	b := append([]byte(nil), p.data[start:p.i]...)
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			return string(b), nil
		case c < 0x20:
			return "", p.bad("body", "control character in string")
		case c == '\\':
			if p.i+1 >= len(p.data) {
				return "", p.bad("body", "unterminated escape")
			}
			e := p.data[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.bad("body", "bad \\u escape")
				}
				if utf16.IsSurrogate(r) {
					// A pair, or U+FFFD for a lone half.
					save := p.i
					if p.i+1 < len(p.data) && p.data[p.i] == '\\' && p.data[p.i+1] == 'u' {
						p.i += 2
						if r2, ok := p.hex4(); ok {
							if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
								b = utf8.AppendRune(b, dec)
								continue
							}
						}
					}
					p.i = save
					r = utf8.RuneError
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", p.bad("body", "bad escape")
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			p.i++
		default:
			r, size := utf8.DecodeRune(p.data[p.i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, p.data[p.i:p.i+size]...)
			}
			p.i += size
		}
	}
	return "", p.bad("body", "unterminated string")
}

func (p *jparser) hex4() (rune, bool) {
	if p.i+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.i : p.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

// skip reads and discards any JSON value, checking its syntax.
func (p *jparser) skip(depth int) error {
	if depth > maxDepth {
		return p.bad("body", "nested too deeply")
	}
	switch c := p.peek(); {
	case c == '"':
		_, err := p.str()
		return err
	case c == '{' || c == '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		p.i++
		p.ws()
		if p.eat(closer) {
			return nil
		}
		for {
			p.ws()
			if c == '{' {
				if p.peek() != '"' {
					return p.bad("body", "want a member name")
				}
				if _, err := p.str(); err != nil {
					return err
				}
				p.ws()
				if !p.eat(':') {
					return p.bad("body", "want ':'")
				}
				p.ws()
			}
			if err := p.skip(depth + 1); err != nil {
				return err
			}
			p.ws()
			if p.eat(',') {
				continue
			}
			if p.eat(closer) {
				return nil
			}
			return p.bad("body", "want ',' or a closing bracket")
		}
	case c == 't':
		if p.lit("true") {
			return nil
		}
	case c == 'f':
		if p.lit("false") {
			return nil
		}
	case c == 'n':
		if p.null() {
			return nil
		}
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return p.bad("body", "invalid JSON value")
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *jparser) number() error {
	p.eat('-')
	digits := func() int {
		n := 0
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.eat('0') {
	} else if digits() == 0 {
		return p.bad("body", "invalid number")
	}
	if p.eat('.') && digits() == 0 {
		return p.bad("body", "invalid number")
	}
	if p.peek() == 'e' || p.peek() == 'E' {
		p.i++
		if !p.eat('+') {
			p.eat('-')
		}
		if digits() == 0 {
			return p.bad("body", "invalid number")
		}
	}
	return nil
}
