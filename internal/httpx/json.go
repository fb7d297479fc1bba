package httpx

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
)

// FieldError is the field error httpx itself reports for bodies it cannot
// decode; services map it with their own Invalid sentinel.
type FieldError struct {
	Field, Reason string
	invalid       error
}

// Error implements error.
func (f *FieldError) Error() string { return "invalid " + f.Field + ": " + f.Reason }

// InvalidField implements FieldNamer.
func (f *FieldError) InvalidField() (string, string) { return f.Field, f.Reason }

// Unwrap returns the service's Invalid sentinel.
func (f *FieldError) Unwrap() error { return f.invalid }

// DecodeJSON reads the request body (at most max bytes, DefaultMaxBody if
// 0) and decodes it into v as Unmarshal does. A failure is ErrTooLarge,
// ErrBadRequest or a field error wrapping e.Invalid.
func (e *Errors) DecodeJSON(w http.ResponseWriter, r *http.Request, max int64, v any) error {
	data, err := ReadBody(w, r, max)
	if err != nil {
		return err
	}
	return e.Unmarshal(data, v)
}

// ReadBody reads the request body, at most max bytes (DefaultMaxBody if
// 0): ErrTooLarge beyond.
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBody
	}
	if r.ContentLength > max {
		return nil, fmt.Errorf("%w: limit is %d bytes", ErrTooLarge, max)
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, fmt.Errorf("%w: limit is %d bytes", ErrTooLarge, max)
		}
		return nil, fmt.Errorf("%w: read body: %v", ErrBadRequest, err)
	}
	if r.ContentLength >= 0 && int64(len(data)) != r.ContentLength {
		return nil, fmt.Errorf("%w: read body: %d bytes of the %d announced", ErrBadRequest, len(data), r.ContentLength)
	}
	return data, nil
}

// Unmarshal decodes data, one JSON value, into v with encoding/json and
// checks more than encoding/json does, naming the offending field on
// error:
//   - member names match v's JSON names exactly (encoding/json alone
//     would take "ALARM_ID" for "alarm_id"); any other member is an
//     unknown field;
//   - every string, member names included, is valid UTF-8 with no lone
//     UTF-16 surrogate escape: encoding/json would silently turn those
//     into U+FFFD, which can change what an id names.
//
// v must point to a struct, a slice or a map; json.RawMessage and
// interface members are checked for text only. Errors are e.NewFieldError's
// (a *FieldError wrapping e.Invalid without it).
func (e *Errors) Unmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("trailing data after the JSON value")
		}
	}
	if err == nil {
		err = checkValue(data, reflect.TypeOf(v), "body")
		if fe, ok := errors.AsType[*FieldError](err); ok {
			return e.fieldError(fe.Field, fe.Reason)
		}
		return err
	}
	field, reason := "body", err.Error()
	if fe, ok := errors.AsType[FieldNamer](err); ok {
		// A value's own UnmarshalJSON or UnmarshalText named the field
		// (an enum's strict parser).
		field, reason = fe.InvalidField()
	} else if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if f := jsonPath(reflect.TypeOf(v), te.Field); f != "" {
			field = f
		}
		reason = "must be " + jsonKind(te.Type)
		if te.Value != "" {
			reason += ", not " + te.Value
		}
	} else if s, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field, reason = strings.Trim(s, `"`), "unknown field"
		if field == "" || strings.ContainsRune(field, utf8.RuneError) {
			field, reason = "body", "unknown field "+s
		}
	}
	return e.fieldError(field, reason)
}

// fieldError is the service's own field error (NewFieldError), or a
// FieldError wrapping e.Invalid.
func (e *Errors) fieldError(field, reason string) error {
	if e.NewFieldError != nil {
		return e.NewFieldError(field, reason)
	}
	return &FieldError{Field: field, Reason: reason, invalid: e.Invalid}
}

// jsonPath turns encoding/json's path of a field ("Inner.name.x") into
// the JSON path ("name.x"): encoding/json names an embedded struct by its
// Go name, which is no member of the JSON text.
func jsonPath(t reflect.Type, path string) string {
	var out []string
	for part := range strings.SplitSeq(path, ".") {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			out = append(out, part)
			t = nil
			continue
		}
		if f, ok := t.FieldByName(part); ok && f.Anonymous && f.Tag.Get("json") == "" {
			t = f.Type
			continue // an embedded struct: no JSON member of its own
		}
		out = append(out, part)
		t = structFields(t, nil)[part]
	}
	return strings.Join(out, ".")
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	rawMessage      = reflect.TypeFor[json.RawMessage]()
)

// jsonKind names what JSON value a Go type takes, for error messages that
// must not show Go type names.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another JSON type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "another JSON type"
}

// checkValue walks raw, a JSON value that encoding/json has decoded into
// a t, checking member names against t exactly and every string's text.
// t nil means any value: text checks only.
func checkValue(raw []byte, t reflect.Type, field string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (t == rawMessage || t.Kind() == reflect.Interface ||
		reflect.PointerTo(t).Implements(jsonUnmarshaler) && t.Kind() != reflect.Struct) {
		t = nil
	}
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return nil
	}
	switch raw[0] {
	case '"':
		if !validText(raw) {
			return &FieldError{Field: field, Reason: "is not valid UTF-8 text"}
		}
	case '{':
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return &FieldError{Field: field, Reason: err.Error()}
		}
		var fields map[string]reflect.Type
		if t != nil && t.Kind() == reflect.Struct {
			fields = structFields(t, nil)
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if fields != nil {
				ft, ok := fields[k]
				if !ok {
					if !utf8.ValidString(k) || strings.ContainsRune(k, utf8.RuneError) {
						return &FieldError{Field: field, Reason: "a member name is not valid UTF-8 text"}
					}
					return &FieldError{Field: k, Reason: "unknown field"}
				}
				if err := checkValue(m[k], ft, k); err != nil {
					return err
				}
				continue
			}
			var elem reflect.Type
			if t != nil && t.Kind() == reflect.Map {
				elem = t.Elem()
			}
			if strings.ContainsRune(k, utf8.RuneError) && !validObjectKeys(raw) {
				return &FieldError{Field: field, Reason: "a member name is not valid UTF-8 text"}
			}
			if err := checkValue(m[k], elem, field); err != nil {
				return err
			}
		}
	case '[':
		var a []json.RawMessage
		if err := json.Unmarshal(raw, &a); err != nil {
			return &FieldError{Field: field, Reason: err.Error()}
		}
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for _, v := range a {
			if err := checkValue(v, elem, field); err != nil {
				return err
			}
		}
	}
	return nil
}

// validObjectKeys reports whether every string of an object's raw text
// is valid: the member names of a map decode with U+FFFD in place of
// bad bytes, so a name holding U+FFFD is checked in the raw text.
func validObjectKeys(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(raw) && raw[j] != '"' {
			if raw[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(raw) || !validText(raw[i:j+1]) {
			return false
		}
		i = j
	}
	return true
}

// structFields maps the JSON names of t's fields, those of embedded
// structs included, to their types, as encoding/json sees them.
func structFields(t reflect.Type, into map[string]reflect.Type) map[string]reflect.Type {
	if into == nil {
		into = map[string]reflect.Type{}
	}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				structFields(ft, into)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := into[name]; !dup {
			into[name] = f.Type
		}
	}
	return into
}

// validText reports whether a JSON string token (quotes included, valid
// JSON syntax) is valid UTF-8 and has no \u escape of a lone surrogate.
func validText(tok []byte) bool {
	if !utf8.Valid(tok) {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] != '\\' {
			continue
		}
		i++
		if i >= len(tok) || tok[i] != 'u' {
			continue
		}
		r, ok := hex4(tok[i+1:])
		if !ok {
			return false
		}
		i += 4
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return false // a low half with no high half before it
		case r >= 0xD800 && r <= 0xDBFF:
			if i+6 >= len(tok) || tok[i+1] != '\\' || tok[i+2] != 'u' {
				return false
			}
			lo, ok := hex4(tok[i+3:])
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 6
		}
	}
	return true
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
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
	return r, true
}
