package ha

import (
	"encoding"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// maxModelSize bounds what LoadModel reads.
const maxModelSize = 4 << 20

// LoadModel reads a model from YAML, fills in StarlingX's defaults and
// validates it. Unknown fields, anchors and aliases, wrong types, bad
// enum strings, unresolved references (a group's services, a domain's
// groups, dependencies), dependency cycles and non-positive timeouts are
// refused with a *FieldError (wrapping ErrInvalid) whose Field is the
// path of the offending field, e.g. "service_groups[2].services[0].service_name".
// When several fields are wrong, the errors are joined, first one first.
func LoadModel(r io.Reader) (*Model, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxModelSize+1))
	if err != nil {
		return nil, fmt.Errorf("ha: reading model: %w", err)
	}
	if len(b) > maxModelSize {
		return nil, invalid("model", "longer than %d bytes", maxModelSize)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, invalid("model", "empty document")
		}
		return nil, invalid("model", "%v", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, invalid("model", "more than one YAML document")
	}
	m := new(Model)
	if err := decodeNode(&doc, reflect.ValueOf(m).Elem(), ""); err != nil {
		return nil, err
	}
	m.setDefaults()
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m, nil
}

var (
	durationType        = reflect.TypeFor[time.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func join(path, name string) string {
	if name == "" || strings.ContainsAny(name, ".[]\" \t\n") {
		name = strconv.Quote(name)
	}
	if path == "" {
		return name
	}
	return path + "." + name
}

// decodeNode decodes n into v strictly, naming every error by its path.
func decodeNode(n *yaml.Node, v reflect.Value, path string) error {
	field := path
	if field == "" {
		field = "model"
	}
	at := func(format string, args ...any) error {
		return invalid(field, "%s (line %d)", fmt.Sprintf(format, args...), n.Line)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return decodeNode(n.Content[0], v, path)
	case yaml.AliasNode:
		return at("anchors and aliases are not supported")
	}
	if n.Anchor != "" {
		return at("anchors and aliases are not supported")
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil // left at its zero value
	}
	if v.Kind() != reflect.Pointer && reflect.PointerTo(v.Type()).Implements(textUnmarshalerType) {
		if n.Kind != yaml.ScalarNode {
			return at("want a string")
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				return at("%s", fe.Reason)
			}
			return at("%v", err)
		}
		return nil
	}
	if v.Type() == durationType {
		if n.Kind != yaml.ScalarNode {
			return at("want a duration such as \"20s\"")
		}
		d, err := time.ParseDuration(n.Value)
		if err != nil {
			return at("want a duration such as \"20s\", not %q", n.Value)
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return at("want a string")
		}
		v.SetString(n.Value)
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			return at("want an integer")
		}
		i, err := strconv.ParseInt(n.Value, 0, 32)
		if err != nil {
			return at("want an integer, not %q", n.Value)
		}
		v.SetInt(i)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			return at("want true or false")
		}
		var b bool
		if err := n.Decode(&b); err != nil {
			return at("want true or false")
		}
		v.SetBool(b)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := decodeNode(n, p.Elem(), path); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return at("want a list")
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			if err := decodeNode(c, s.Index(i), fmt.Sprintf("%s[%d]", field, i)); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return at("want a mapping")
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return at("want string keys")
			}
			if m.MapIndex(reflect.ValueOf(k.Value)).IsValid() {
				return invalid(join(field, k.Value), "given twice (line %d)", k.Line)
			}
			e := reflect.New(v.Type().Elem()).Elem()
			if err := decodeNode(n.Content[i+1], e, join(field, k.Value)); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(k.Value), e)
		}
		v.Set(m)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return at("want a mapping")
		}
		t := v.Type()
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return at("want string keys")
			}
			idx := -1
			for j := range t.NumField() {
				if name, _, _ := strings.Cut(t.Field(j).Tag.Get("yaml"), ","); name == k.Value {
					idx = j
					break
				}
			}
			if idx < 0 {
				return invalid(join(path, k.Value), "unknown field (line %d)", k.Line)
			}
			if seen[k.Value] {
				return invalid(join(path, k.Value), "given twice (line %d)", k.Line)
			}
			seen[k.Value] = true
			if err := decodeNode(n.Content[i+1], v.Field(idx), join(path, k.Value)); err != nil {
				return err
			}
		}
	default:
		return at("cannot decode into %s", v.Type())
	}
	return nil
}

// setDefaults fills in StarlingX's seed values for what the file leaves out.
func (m *Model) setDefaults() {
	for i := range m.Domains {
		d := &m.Domains[i]
		def(&d.Orchestration, "regional")
		def(&d.HelloInterval, 200*time.Millisecond)
		def(&d.DeadInterval, 800*time.Millisecond)
		def(&d.WaitInterval, 5*time.Second)
		def(&d.ExchangeInterval, 2*time.Second)
		def(&d.SplitBrainRecovery, SplitBrainSelectBestActive)
		for j := range d.Members {
			dm := &d.Members[j]
			def(&dm.RedundancyModel, RedundancyNPlusM)
			switch dm.RedundancyModel {
			case RedundancyN:
				def(&dm.NActive, 2)
			case RedundancyNPlusM:
				def(&dm.NActive, 1)
				def(&dm.MStandby, 1)
			}
		}
	}
	for i := range m.ServiceGroups {
		for j := range m.ServiceGroups[i].Services {
			def(&m.ServiceGroups[i].Services[j].FailureImpact, ImpactCritical)
		}
	}
	for i := range m.Services {
		s := &m.Services[i]
		def(&s.Kind, KindProcess)
		def(&s.MaxFailures, 2)
		def(&s.FailCountdown, 1)
		def(&s.FailCountdownInterval, 90*time.Second)
		def(&s.MaxActionFailures, 4)
		def(&s.MaxTransitionFailures, 16)
		def(&s.AuditDebounce, 1)
		if s.Kind == KindIP && len(s.Actions) == 0 {
			s.Actions = ipActions()
		}
		for j := range s.Actions {
			if s.Kind == KindIP {
				def(&s.Actions[j].PluginType, PluginIP)
			}
		}
	}
}

// ipActions are the actions of a floating address without its own: it
// is added on go-active, removed on go-standby and disable, and audited
// every 5 s (StarlingX's IPaddr2 rows: timeout 20 s, interval 5 s).
// Enable has nothing to do: a standby holds no address.
func ipActions() []ActionSpec {
	act := func(a ActionName, cmd string, interval time.Duration) ActionSpec {
		return ActionSpec{Action: a, PluginType: PluginIP, PluginCommand: cmd, Timeout: 20 * time.Second, Interval: interval}
	}
	return []ActionSpec{
		act(ActionGoActive, "add", 0),
		act(ActionGoStandby, "remove", 0),
		act(ActionDisable, "remove", 0),
		act(ActionAuditEnabled, "monitor", 5*time.Second),
	}
}

func def[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

type named[T any] struct {
	name string
	v    T
}

// validate checks a model with defaults filled in.
func (m *Model) validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, invalid(field, format, args...))
	}
	groups := map[string]int{}
	for i, g := range m.ServiceGroups {
		p := fmt.Sprintf("service_groups[%d]", i)
		if g.Name == "" {
			bad(p+".name", "required")
		} else if _, dup := groups[g.Name]; dup {
			bad(p+".name", "%q is already the name of service_groups[%d]", g.Name, groups[g.Name])
		} else {
			groups[g.Name] = i
		}
	}
	services := map[string]int{}
	for i, s := range m.Services {
		p := fmt.Sprintf("services[%d]", i)
		if s.Name == "" {
			bad(p+".name", "required")
		} else if _, dup := services[s.Name]; dup {
			bad(p+".name", "%q is already the name of services[%d]", s.Name, services[s.Name])
		} else {
			services[s.Name] = i
		}
	}

	domains := map[string]bool{}
	inDomain := map[string]string{}
	for i, d := range m.Domains {
		p := fmt.Sprintf("domains[%d]", i)
		if d.Name == "" {
			bad(p+".name", "required")
		} else if domains[d.Name] {
			bad(p+".name", "%q given twice", d.Name)
		}
		domains[d.Name] = true
		for _, f := range []named[time.Duration]{{"hello_interval", d.HelloInterval}, {"dead_interval", d.DeadInterval}, {"wait_interval", d.WaitInterval}, {"exchange_interval", d.ExchangeInterval}} {
			if f.v <= 0 {
				bad(p+"."+f.name, "must be positive")
			}
		}
		if d.DeadInterval <= d.HelloInterval {
			bad(p+".dead_interval", "%v must be longer than hello_interval %v", d.DeadInterval, d.HelloInterval)
		}
		for j, dm := range d.Members {
			q := fmt.Sprintf("%s.members[%d]", p, j)
			if _, ok := groups[dm.ServiceGroup]; !ok {
				bad(q+".service_group_name", "no service group %q", dm.ServiceGroup)
			} else if other, dup := inDomain[dm.ServiceGroup]; dup {
				bad(q+".service_group_name", "%q is already a member of domain %q", dm.ServiceGroup, other)
			} else {
				inDomain[dm.ServiceGroup] = d.Name
			}
			switch dm.RedundancyModel {
			case RedundancyN:
				if dm.NActive < 1 || dm.MStandby != 0 {
					bad(q+".m_standby", "redundancy N takes n_active ≥ 1 and m_standby 0")
				}
			case RedundancyNPlusM:
				if dm.NActive < 1 || dm.MStandby < 1 {
					bad(q+".n_active", "redundancy N + M takes n_active ≥ 1 and m_standby ≥ 1")
				}
			case RedundancyNone:
				if dm.NActive > 1 || dm.MStandby != 0 {
					bad(q+".n_active", "redundancy none takes n_active ≤ 1 and m_standby 0")
				}
			default:
				if dm.NActive < 1 || dm.MStandby < 0 {
					bad(q+".n_active", "must be at least 1")
				}
			}
			if dm.ActiveOnlyIfActive != "" {
				if _, ok := groups[dm.ActiveOnlyIfActive]; !ok {
					bad(q+".active_only_if_active", "no service group %q", dm.ActiveOnlyIfActive)
				} else if dm.ActiveOnlyIfActive == dm.ServiceGroup {
					bad(q+".active_only_if_active", "a group cannot depend on itself")
				}
			}
		}
	}

	member := map[string]string{}
	for i, g := range m.ServiceGroups {
		p := fmt.Sprintf("service_groups[%d]", i)
		if g.FailureDebounce < 0 {
			bad(p+".failure_debounce", "must not be negative")
		}
		if len(g.Services) == 0 {
			bad(p+".services", "a group needs at least one service")
		}
		for j, gm := range g.Services {
			q := fmt.Sprintf("%s.services[%d]", p, j)
			if _, ok := services[gm.Service]; !ok {
				bad(q+".service_name", "no service %q", gm.Service)
			} else if other, dup := member[gm.Service]; dup {
				bad(q+".service_name", "%q is already a member of service group %q", gm.Service, other)
			} else {
				member[gm.Service] = g.Name
			}
		}
	}

	for i, s := range m.Services {
		p := fmt.Sprintf("services[%d]", i)
		if _, ok := member[s.Name]; !ok && s.Name != "" {
			bad(p+".name", "%q is not a member of any service group", s.Name)
		}
		if s.Kind == KindIP {
			switch {
			case s.IP == nil:
				bad(p+".ip", "required for kind ip")
			case s.IP.Network == "":
				bad(p+".ip.network", "required")
			case s.IP.Address != "":
				if _, err := netip.ParsePrefix(s.IP.Address); err != nil {
					bad(p+".ip.address", "want an address in CIDR form such as 10.10.10.2/24, not %q", s.IP.Address)
				}
			}
		} else if s.IP != nil {
			bad(p+".ip", "only for kind ip")
		}
		for _, f := range []named[int]{{"max_failures", s.MaxFailures}, {"fail_countdown", s.FailCountdown}, {"max_action_failures", s.MaxActionFailures}, {"max_transition_failures", s.MaxTransitionFailures}, {"audit_debounce", s.AuditDebounce}} {
			if f.v < 0 {
				bad(p+"."+f.name, "must not be negative")
			}
		}
		if s.FailCountdownInterval < 0 {
			bad(p+".fail_countdown_interval", "must be positive")
		}
		seen := map[ActionName]bool{}
		for j, a := range s.Actions {
			q := fmt.Sprintf("%s.actions[%d]", p, j)
			switch {
			case a.Action == "":
				bad(q+".action", "required")
			case seen[a.Action]:
				bad(q+".action", "%q given twice", a.Action)
			}
			seen[a.Action] = true
			switch a.PluginType {
			case "":
				bad(q+".plugin_type", "required")
			case PluginOCFScript, PluginSystemd, PluginGo:
				if a.PluginName == "" {
					bad(q+".plugin_name", "required for plugin_type %s", a.PluginType)
				}
			case PluginIP:
				if s.Kind != KindIP {
					bad(q+".plugin_type", "ip is only for services of kind ip")
				}
			}
			if a.Timeout <= 0 {
				bad(q+".timeout", "must be positive")
			}
			if a.Interval < 0 {
				bad(q+".interval", "must not be negative")
			}
			if a.Interval != 0 && a.Action != ActionAuditEnabled && a.Action != ActionAuditDisabled {
				bad(q+".interval", "only audit actions have an interval")
			}
			for _, f := range []named[int]{{"max_failure_retries", a.MaxFailureRetries}, {"max_timeout_retries", a.MaxTimeoutRetries}, {"max_total_retries", a.MaxTotalRetries}} {
				if f.v < 0 {
					bad(q+"."+f.name, "must not be negative")
				}
			}
		}
		for j, d := range s.Dependencies {
			q := fmt.Sprintf("%s.dependencies[%d]", p, j)
			switch d.Type {
			case DependencyAction:
				if d.Action == "" {
					bad(q+".action", "required for type action")
				}
				if d.State != "" {
					bad(q+".state", "only for type state")
				}
			case DependencyState:
				if d.State == "" {
					bad(q+".state", "required for type state")
				}
				if d.Action != "" {
					bad(q+".action", "only for type action")
				}
			default:
				bad(q+".type", "required")
			}
			if _, ok := services[d.Dependent]; !ok {
				bad(q+".dependent", "no service %q", d.Dependent)
			} else if d.Dependent == s.Name {
				bad(q+".dependent", "a service cannot depend on itself")
			}
			if d.DependentState == "" {
				bad(q+".dependent_state", "required")
			}
		}
	}
	if len(errs) == 0 {
		if err := m.checkCycles(services); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// checkCycles refuses a dependency cycle, naming the dependency that
// closes it.
func (m *Model) checkCycles(index map[string]int) error {
	const (
		unvisited = iota
		visiting
		done
	)
	mark := make([]int, len(m.Services))
	var stack []string
	var visit func(i int) error
	visit = func(i int) error {
		mark[i] = visiting
		stack = append(stack, m.Services[i].Name)
		for j, d := range m.Services[i].Dependencies {
			k := index[d.Dependent]
			switch mark[k] {
			case visiting:
				start := 0
				for n, name := range stack {
					if name == d.Dependent {
						start = n
					}
				}
				cycle := append(append([]string(nil), stack[start:]...), d.Dependent)
				return invalid(fmt.Sprintf("services[%d].dependencies[%d].dependent", i, j), "dependency cycle %s", strings.Join(cycle, " → "))
			case unvisited:
				if err := visit(k); err != nil {
					return err
				}
			}
		}
		stack = stack[:len(stack)-1]
		mark[i] = done
		return nil
	}
	for i := range m.Services {
		if mark[i] == unvisited {
			if err := visit(i); err != nil {
				return err
			}
		}
	}
	return nil
}
