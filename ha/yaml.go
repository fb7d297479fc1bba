package ha

import (
	"errors"
	"io"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// DecodeYAML decodes one YAML document into v (a pointer to a struct
// with yaml tags) as strictly as LoadModel: unknown fields, anchors and
// aliases, wrong types, bad enum strings (types with UnmarshalText) and
// bad durations are refused with a *FieldError whose Field is the path
// of the offending field under root ("link.paths[1].local"). Daemons of
// this module read their configuration files with it. It does not fill
// defaults nor validate beyond types.
func DecodeYAML(data []byte, root string, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("ha: DecodeYAML needs a non-nil pointer")
	}
	if len(data) > maxModelSize {
		return invalid(root, "longer than %d bytes", maxModelSize)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return invalid(root, "empty document")
		}
		return invalid(root, "%v", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return invalid(root, "more than one YAML document")
	}
	if err := decodeNode(&doc, rv.Elem(), ""); err != nil {
		var fe *FieldError
		if root != "" && errors.As(err, &fe) && fe.Field == "model" {
			fe.Field = root
		}
		return err
	}
	return nil
}
