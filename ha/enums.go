package ha

import (
	"fmt"
	"slices"
	"strings"
)

type enumValues[T ~string] struct {
	field  string // YAML/JSON field name, used in errors
	values []T
}

func (e enumValues[T]) valid(v T) bool { return slices.Contains(e.values, v) }

func (e enumValues[T]) parse(v string) (T, error) {
	if e.valid(T(v)) {
		return T(v), nil
	}
	names := make([]string, len(e.values))
	for i, x := range e.values {
		names[i] = fmt.Sprintf("%q", string(x))
	}
	return "", &FieldError{Field: e.field, Reason: fmt.Sprintf("%q is not one of %s", v, strings.Join(names, ", "))}
}

func (e enumValues[T]) unmarshal(p *T, b []byte) error {
	if len(b) == 0 {
		*p = ""
		return nil
	}
	v, err := e.parse(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
