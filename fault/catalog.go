package fault

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed catalog.yaml
var defaultCatalogYAML []byte

// Kind says whether a catalog entry is an alarm (set and cleared) or a log
// (recorded once in the event log).
type Kind string

// Catalog entry kinds.
const (
	KindAlarm Kind = "alarm"
	KindLog   Kind = "log"
)

// Definition is one catalog entry: what an alarm or log id means and what
// values it may be raised with.
type Definition struct {
	ID          string `json:"id"`
	Kind        Kind   `json:"type"`
	Description string `json:"description"`
	// Entity is the pattern of its entity instance id, for people.
	Entity string `json:"entity_instance_id"`
	// Severities the id may be raised with.
	Severities           []Severity    `json:"severities"`
	AlarmType            AlarmType     `json:"alarm_type"`
	ProbableCause        ProbableCause `json:"probable_cause"`
	ProposedRepairAction string        `json:"proposed_repair_action,omitempty"`
	// MaintenanceAction is what host maintenance does about it, for people.
	MaintenanceAction string `json:"maintenance_action,omitempty"`
	ServiceAffecting  bool   `json:"service_affecting"`
	Suppression       bool   `json:"suppression"`
	InhibitAlarms     bool   `json:"inhibit_alarms"`
	// MgmtAffecting is the lowest severity that blocks orchestration
	// (SeverityNone: never). Default warning.
	MgmtAffecting Severity `json:"mgmt_affecting_severity"`
	// DegradeAffecting is the lowest severity that degrades the host
	// (SeverityNone: never). Default none.
	DegradeAffecting Severity `json:"degrade_affecting_severity"`
}

// Allows reports whether the definition lists severity s.
func (d *Definition) Allows(s Severity) bool {
	for _, v := range d.Severities {
		if v == s {
			return true
		}
	}
	return false
}

// Catalog is the set of alarm and log definitions, keyed by id.
type Catalog struct {
	defs map[string]*Definition
	ids  []string
}

// DefaultCatalog returns the catalog embedded in the package, covering every
// alarm and log that Flock's services raise. Each call returns a fresh copy.
func DefaultCatalog() *Catalog {
	c, err := ParseCatalog(defaultCatalogYAML)
	if err != nil {
		panic("fault: embedded catalog: " + err.Error()) // a build defect; the tests catch it
	}
	return c
}

// Lookup returns the definition of id.
func (c *Catalog) Lookup(id string) (*Definition, bool) {
	d, ok := c.defs[id]
	return d, ok
}

// IDs returns every id in ascending order.
func (c *Catalog) IDs() []string { return append([]string(nil), c.ids...) }

// Len returns the number of definitions.
func (c *Catalog) Len() int { return len(c.ids) }

type yamlDef struct {
	Type                     string `yaml:"type"`
	Description              string `yaml:"description"`
	EntityInstanceID         string `yaml:"entity_instance_id"`
	Severity                 any    `yaml:"severity"`
	ProposedRepairAction     string `yaml:"proposed_repair_action"`
	MaintenanceAction        string `yaml:"maintenance_action"`
	InhibitAlarms            bool   `yaml:"inhibit_alarms"`
	AlarmType                string `yaml:"alarm_type"`
	ProbableCause            string `yaml:"probable_cause"`
	ServiceAffecting         bool   `yaml:"service_affecting"`
	Suppression              bool   `yaml:"suppression"`
	ManagementAffectingSev   string `yaml:"management_affecting_severity"`
	DegradeAffectingSeverity string `yaml:"degrade_affecting_severity"`
}

// ParseCatalog parses a catalog in Flock's YAML format: a mapping from id
// ("GGG.EEE") to its definition. Unknown keys, unknown enum names and
// duplicate ids are errors that wrap ErrInvalid and name the id and field.
func ParseCatalog(data []byte) (*Catalog, error) {
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		return nil, fmt.Errorf("%w: catalog: %v", ErrInvalid, err)
	}
	if len(node.Content) == 0 {
		return nil, fmt.Errorf("%w: catalog: empty document", ErrInvalid)
	}
	root := node.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w: catalog: top level must be a mapping of ids", ErrInvalid)
	}
	c := &Catalog{defs: make(map[string]*Definition, len(root.Content)/2)}
	for i := 0; i+1 < len(root.Content); i += 2 {
		id := root.Content[i].Value
		if !validAlarmID(id) {
			return nil, fmt.Errorf("%w: catalog: id %q is not GGG.EEE", ErrInvalid, id)
		}
		if _, dup := c.defs[id]; dup {
			return nil, fmt.Errorf("%w: catalog: id %s defined twice", ErrInvalid, id)
		}
		var y yamlDef
		dec := root.Content[i+1]
		if err := decodeStrict(dec, &y); err != nil {
			return nil, fmt.Errorf("%w: catalog %s: %v", ErrInvalid, id, err)
		}
		d, err := y.definition(id)
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", id, err)
		}
		c.defs[id] = d
		c.ids = append(c.ids, id)
	}
	sort.Strings(c.ids)
	return c, nil
}

func decodeStrict(n *yaml.Node, v *yamlDef) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("definition must be a mapping")
	}
	known := map[string]bool{"type": true, "description": true, "entity_instance_id": true, "severity": true,
		"proposed_repair_action": true, "maintenance_action": true, "inhibit_alarms": true, "alarm_type": true,
		"probable_cause": true, "service_affecting": true, "suppression": true,
		"management_affecting_severity": true, "degrade_affecting_severity": true}
	for i := 0; i < len(n.Content); i += 2 {
		if !known[n.Content[i].Value] {
			return fmt.Errorf("unknown field %q", n.Content[i].Value)
		}
	}
	return n.Decode(v)
}

func (y *yamlDef) definition(id string) (*Definition, error) {
	d := &Definition{
		ID: id, Description: strings.TrimSpace(y.Description), Entity: y.EntityInstanceID,
		ProposedRepairAction: strings.TrimSpace(y.ProposedRepairAction), MaintenanceAction: y.MaintenanceAction,
		ServiceAffecting: y.ServiceAffecting, Suppression: y.Suppression, InhibitAlarms: y.InhibitAlarms,
		MgmtAffecting: SeverityWarning, DegradeAffecting: SeverityNone,
	}
	switch Kind(y.Type) {
	case KindAlarm, KindLog:
		d.Kind = Kind(y.Type)
	default:
		return nil, fieldErr("type", "must be alarm or log, not %q", y.Type)
	}
	if d.Description == "" {
		return nil, fieldErr("description", "must not be empty")
	}
	var sevs []string
	switch s := y.Severity.(type) {
	case string:
		sevs = []string{s}
	case []any:
		for _, v := range s {
			str, ok := v.(string)
			if !ok {
				return nil, fieldErr("severity", "list items must be names")
			}
			sevs = append(sevs, str)
		}
	default:
		return nil, fieldErr("severity", "must be a name or a list of names")
	}
	for _, s := range sevs {
		v, err := ParseSeverity(s)
		if err != nil || v == SeverityClear {
			return nil, fieldErr("severity", "%q is not warning, minor, major or critical", s)
		}
		d.Severities = append(d.Severities, v)
	}
	if len(d.Severities) == 0 {
		return nil, fieldErr("severity", "must list at least one severity")
	}
	var err error
	if d.AlarmType, err = ParseAlarmType(y.AlarmType); err != nil {
		return nil, fieldErr("alarm_type", "unknown alarm type %q", y.AlarmType)
	}
	if d.ProbableCause, err = ParseProbableCause(y.ProbableCause); err != nil {
		return nil, fieldErr("probable_cause", "unknown probable cause %q", y.ProbableCause)
	}
	if y.ManagementAffectingSev != "" {
		if d.MgmtAffecting, err = ParseThreshold(y.ManagementAffectingSev); err != nil || d.MgmtAffecting == SeverityClear {
			return nil, fieldErr("management_affecting_severity", "%q is not a severity or none", y.ManagementAffectingSev)
		}
	}
	if y.DegradeAffectingSeverity != "" {
		if d.DegradeAffecting, err = ParseThreshold(y.DegradeAffectingSeverity); err != nil || d.DegradeAffecting == SeverityClear {
			return nil, fieldErr("degrade_affecting_severity", "%q is not a severity or none", y.DegradeAffectingSeverity)
		}
	}
	return d, nil
}
