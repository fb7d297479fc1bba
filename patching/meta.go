package patching

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Bounds on metadata values.
const (
	// MaxIDLen bounds a release id, a component and a sw_version.
	MaxIDLen = 64
	// MaxTextLen bounds summary, description, install_instructions and
	// warnings (bytes).
	MaxTextLen = 64 << 10
	// MaxRequires bounds the number of requires.
	MaxRequires = 256
	// MaxScripts bounds the number of distinct scripts a release names.
	MaxScripts = 64
	// MaxScriptNameLen bounds a script's file name.
	MaxScriptNameLen = 64
)

var (
	idPattern        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	versionPattern   = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,3}$`)
	scriptNamePatten = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// Release statuses (metadata field status).
const (
	StatusReleased   = "REL"
	StatusDevelop    = "DEV"
	StatusObsolete   = "OBS"
	fieldRebootReqYN = "reboot_required"
)

// CheckID returns a *FieldError for field when id is not a valid
// release id: 1 to MaxIDLen characters of [A-Za-z0-9._-], starting with
// a letter or digit. Ids name directories and URLs, hence the charset.
func CheckID(field, id string) error {
	switch {
	case id == "":
		return invalid(field, "is empty")
	case len(id) > MaxIDLen:
		return invalid(field, "longer than %d characters", MaxIDLen)
	case !idPattern.MatchString(id):
		return invalid(field, "%q: only letters, digits, '.', '_' and '-', starting with a letter or digit", id)
	}
	return nil
}

// CheckScriptName returns a *FieldError for field when name is not a
// valid script file name (the charset of ids, at most MaxScriptNameLen).
func CheckScriptName(field, name string) error {
	switch {
	case name == "":
		return invalid(field, "is empty")
	case len(name) > MaxScriptNameLen:
		return invalid(field, "longer than %d characters", MaxScriptNameLen)
	case !scriptNamePatten.MatchString(name):
		return invalid(field, "%q: only letters, digits, '.', '_' and '-', starting with a letter or digit", name)
	}
	return nil
}

// Validate checks the metadata: id and sw_version present and
// well-formed, status one of REL, DEV, OBS, requires valid ids (not the
// release's own, no duplicates), scripts valid file names, texts within
// MaxTextLen. A problem is a *FieldError naming the YAML field.
func (m Metadata) Validate() error {
	if err := CheckID("id", m.ID); err != nil {
		return err
	}
	switch {
	case m.SWVersion == "":
		return invalid("sw_version", "is empty")
	case len(m.SWVersion) > MaxIDLen || !versionPattern.MatchString(m.SWVersion):
		return invalid("sw_version", "%q is not a version (digits separated by dots, like 10.0.1)", m.SWVersion)
	}
	if m.Component != "" {
		if err := CheckID("component", m.Component); err != nil {
			return err
		}
	}
	switch m.Status {
	case StatusReleased, StatusDevelop, StatusObsolete:
	default:
		return invalid("status", "%q is not one of REL, DEV, OBS", m.Status)
	}
	for _, t := range []struct{ field, v string }{
		{"summary", m.Summary}, {"description", m.Description},
		{"install_instructions", m.InstallInstructions}, {"warnings", m.Warnings},
	} {
		if len(t.v) > MaxTextLen {
			return invalid(t.field, "longer than %d bytes", MaxTextLen)
		}
		if !utf8.ValidString(t.v) {
			return invalid(t.field, "is not valid UTF-8")
		}
	}
	if len(m.Requires) > MaxRequires {
		return invalid("requires", "more than %d releases", MaxRequires)
	}
	for i, r := range m.Requires {
		f := fmt.Sprintf("requires[%d]", i)
		if err := CheckID(f, r); err != nil {
			return err
		}
		if r == m.ID {
			return invalid(f, "a release cannot require itself")
		}
		if slices.Contains(m.Requires[:i], r) {
			return invalid(f, "%q is listed twice", r)
		}
	}
	for _, s := range []struct{ field, v string }{
		{"pre_start", m.PreStart}, {"post_start", m.PostStart},
		{"pre_install", m.PreInstall}, {"post_install", m.PostInstall},
	} {
		if s.v != "" {
			if err := CheckScriptName(s.field, s.v); err != nil {
				return err
			}
		}
	}
	if len(m.ActivationScripts) > MaxScripts {
		return invalid("activation_scripts", "more than %d scripts", MaxScripts)
	}
	for i, s := range m.ActivationScripts {
		f := fmt.Sprintf("activation_scripts[%d]", i)
		if err := CheckScriptName(f, s); err != nil {
			return err
		}
		if slices.Contains(m.ActivationScripts[:i], s) {
			return invalid(f, "%q is listed twice", s)
		}
	}
	return nil
}

// ScriptNames returns the distinct script file names the metadata
// names, sorted: the scripts/ members of its release file.
func (m Metadata) ScriptNames() []string {
	var names []string
	for _, s := range append([]string{m.PreStart, m.PostStart, m.PreInstall, m.PostInstall}, m.ActivationScripts...) {
		if s != "" {
			names = append(names, s)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// ParseMetadata decodes metadata.yaml strictly and validates it: one
// YAML mapping with only the fields of Metadata, each of its type;
// unknown or repeated fields, anchors and aliases, a second document,
// wrong types and invalid values are refused with a *FieldError naming
// the field ("metadata.yaml" when the document itself is malformed).
//
// Booleans: reboot_required is false only when its value is exactly
// the string N (as StarlingX: Y unless exactly N); anything else,
// including YAML false, "n" or "no", and its absence, means true — the
// safe reading. unremovable and apply_active_release_only take Y or N
// (or YAML true/false); absent means false.
func ParseMetadata(b []byte) (Metadata, error) {
	var m Metadata
	if len(b) > MaxMetadataSize {
		return m, invalid("metadata.yaml", "larger than %d bytes", MaxMetadataSize)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return m, invalid("metadata.yaml", "is empty")
		}
		return m, invalid("metadata.yaml", "%v", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return m, invalid("metadata.yaml", "holds more than one YAML document")
	}
	if err := m.decodeNode(&doc); err != nil {
		return Metadata{}, err
	}
	if err := m.Validate(); err != nil {
		return Metadata{}, err
	}
	return m, nil
}

// UnmarshalYAML decodes metadata with ParseMetadata's rules (without
// the validation of values), so that yaml.Unmarshal into a Metadata is
// as strict as ParseMetadata about fields and types.
func (m *Metadata) UnmarshalYAML(n *yaml.Node) error {
	var out Metadata
	if err := out.decodeNode(n); err != nil {
		return err
	}
	*m = out
	return nil
}

func (m *Metadata) decodeNode(n *yaml.Node) error {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) != 1 {
			return invalid("metadata.yaml", "is not one YAML document")
		}
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return invalid("metadata.yaml", "is not a YAML mapping of fields")
	}
	*m = Metadata{RebootRequired: true}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			return invalid("metadata.yaml", "line %d: a field name must be a string", k.Line)
		}
		key := k.Value
		if seen[key] {
			return invalid(key, "appears twice")
		}
		seen[key] = true
		if err := m.decodeField(key, v); err != nil {
			return err
		}
	}
	return nil
}

func (m *Metadata) decodeField(key string, v *yaml.Node) error {
	str := func(p *string) error { return decodeString(key, v, p) }
	switch key {
	case "id":
		return str(&m.ID)
	case "sw_version":
		return str(&m.SWVersion)
	case "component":
		return str(&m.Component)
	case "status":
		return str(&m.Status)
	case "summary":
		return str(&m.Summary)
	case "description":
		return str(&m.Description)
	case "install_instructions":
		return str(&m.InstallInstructions)
	case "warnings":
		return str(&m.Warnings)
	case "pre_start":
		return str(&m.PreStart)
	case "post_start":
		return str(&m.PostStart)
	case "pre_install":
		return str(&m.PreInstall)
	case "post_install":
		return str(&m.PostInstall)
	case "unremovable":
		return decodeYN(key, v, &m.Unremovable)
	case "apply_active_release_only":
		return decodeYN(key, v, &m.ApplyActiveReleaseOnly)
	case fieldRebootReqYN:
		if err := checkScalar(key, v); err != nil {
			return err
		}
		m.RebootRequired = !(v.ShortTag() == "!!str" && v.Value == "N")
		return nil
	case "requires":
		return decodeList(key, v, &m.Requires)
	case "activation_scripts":
		return decodeList(key, v, &m.ActivationScripts)
	}
	return invalid(key, "unknown field")
}

func checkScalar(key string, v *yaml.Node) error {
	switch v.Kind {
	case yaml.ScalarNode:
	case yaml.AliasNode:
		return invalid(key, "aliases are not allowed")
	default:
		return invalid(key, "line %d: want a single value, not a list or mapping", v.Line)
	}
	if v.Anchor != "" {
		return invalid(key, "anchors are not allowed")
	}
	switch v.ShortTag() {
	case "!!str", "!!int", "!!float", "!!bool", "!!null":
		return nil
	}
	return invalid(key, "line %d: unsupported YAML tag %s", v.Line, v.Tag)
}

func decodeString(key string, v *yaml.Node, p *string) error {
	if err := checkScalar(key, v); err != nil {
		return err
	}
	if v.ShortTag() == "!!null" {
		*p = ""
		return nil
	}
	*p = v.Value
	return nil
}

func decodeYN(key string, v *yaml.Node, p *bool) error {
	if err := checkScalar(key, v); err != nil {
		return err
	}
	switch v.ShortTag() {
	case "!!null":
		*p = false
		return nil
	case "!!bool":
		b, err := strconv.ParseBool(v.Value)
		if err == nil {
			*p = b
			return nil
		}
	case "!!str":
		switch v.Value {
		case "Y":
			*p = true
			return nil
		case "N":
			*p = false
			return nil
		}
	}
	return invalid(key, "%q is not Y or N", v.Value)
}

func decodeList(key string, v *yaml.Node, p *[]string) error {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		*p = nil
		return nil
	}
	if v.Kind == yaml.AliasNode || v.Anchor != "" {
		return invalid(key, "anchors and aliases are not allowed")
	}
	if v.Kind != yaml.SequenceNode {
		return invalid(key, "line %d: want a list", v.Line)
	}
	if len(v.Content) > MaxRequires {
		return invalid(key, "more than %d items", MaxRequires)
	}
	out := make([]string, 0, len(v.Content))
	for i, it := range v.Content {
		f := fmt.Sprintf("%s[%d]", key, i)
		var s string
		if err := decodeString(f, it, &s); err != nil {
			return err
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		out = nil // an empty list is no list
	}
	*p = out
	return nil
}

// MarshalYAML encodes the metadata as metadata.yaml: fields in a fixed
// order, booleans as StarlingX's Y and N (reboot_required: N for false),
// empty optional fields left out. ParseMetadata reads it back equal.
func (m Metadata) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, v)
	}
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	yn := func(b bool) *yaml.Node {
		if b {
			return str("Y")
		}
		return str("N")
	}
	list := func(l []string) *yaml.Node {
		s := &yaml.Node{Kind: yaml.SequenceNode}
		for _, x := range l {
			s.Content = append(s.Content, str(x))
		}
		return s
	}
	add("id", str(m.ID))
	add("sw_version", str(m.SWVersion))
	if m.Component != "" {
		add("component", str(m.Component))
	}
	add("status", str(m.Status))
	for _, f := range []struct{ k, v string }{
		{"summary", m.Summary}, {"description", m.Description},
		{"install_instructions", m.InstallInstructions}, {"warnings", m.Warnings},
	} {
		if f.v != "" {
			add(f.k, str(f.v))
		}
	}
	add("unremovable", yn(m.Unremovable))
	add("apply_active_release_only", yn(m.ApplyActiveReleaseOnly))
	add(fieldRebootReqYN, yn(m.RebootRequired))
	if len(m.Requires) > 0 {
		add("requires", list(m.Requires))
	}
	for _, f := range []struct{ k, v string }{
		{"pre_start", m.PreStart}, {"post_start", m.PostStart},
		{"pre_install", m.PreInstall}, {"post_install", m.PostInstall},
	} {
		if f.v != "" {
			add(f.k, str(f.v))
		}
	}
	if len(m.ActivationScripts) > 0 {
		add("activation_scripts", list(m.ActivationScripts))
	}
	return n, nil
}
