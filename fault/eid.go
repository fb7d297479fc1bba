package fault

import (
	"strings"
)

// An entity instance id names the thing an alarm is about as dot-separated
// key=value pairs, most general first: "host=controller-0.network=mgmt".
// StarlingX matches these ids by plain string prefix, so clearing
// "host=controller-1" also clears the alarms of "host=controller-10". Flock
// deliberately matches whole key=value components instead: see MatchEntity.

// EntityPair is one key=value component of an entity instance id.
type EntityPair struct {
	Key   string
	Value string
}

// Entity builds an entity instance id from key, value pairs:
// Entity("host", "controller-0", "network", "mgmt") is
// "host=controller-0.network=mgmt". It panics on an odd number of
// arguments, which is a programming error.
func Entity(kv ...string) string {
	if len(kv)%2 != 0 {
		panic("fault.Entity: odd number of arguments")
	}
	var b strings.Builder
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(kv[i])
		b.WriteByte('=')
		b.WriteString(kv[i+1])
	}
	return b.String()
}

// ParseEntity splits an entity instance id into its pairs. Every component
// must be key=value with a non-empty key made of letters, digits, '_' and
// '-'. Values may hold any byte but '.' ; a value may contain '=' (StarlingX
// ids such as "host=h.sensor=PSU=1" do). The error wraps ErrInvalid.
func ParseEntity(eid string) ([]EntityPair, error) {
	if err := checkEntity(eid); err != nil {
		return nil, err
	}
	out := make([]EntityPair, 0, strings.Count(eid, ".")+1)
	for p := range strings.SplitSeq(eid, ".") {
		k, v, _ := strings.Cut(p, "=")
		out = append(out, EntityPair{Key: k, Value: v})
	}
	return out, nil
}

// checkEntity is ParseEntity's validation without building the pairs: it
// allocates nothing for a valid id, as alarm raising checks every one.
func checkEntity(eid string) error {
	if eid == "" {
		return fieldErr("entity_instance_id", "must not be empty")
	}
	if len(eid) > maxString {
		return fieldErr("entity_instance_id", "longer than %d bytes", maxString)
	}
	for p := range strings.SplitSeq(eid, ".") {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return fieldErr("entity_instance_id", "component %q is not key=value", p)
		}
		if !validKey(k) {
			return fieldErr("entity_instance_id", "component %q has an invalid key", p)
		}
		if why := textProblem(v); why != "" {
			return fieldErr("entity_instance_id", "component %q %s", p, why)
		}
	}
	return nil
}

// MatchEntity reports whether prefix names eid or an ancestor of it, on
// whole components: "host=controller-1" matches "host=controller-1" and
// "host=controller-1.network=mgmt" but not "host=controller-10". An empty
// prefix matches every id.
func MatchEntity(prefix, eid string) bool {
	if prefix == "" {
		return true
	}
	if !strings.HasPrefix(eid, prefix) {
		return false
	}
	return len(eid) == len(prefix) || eid[len(prefix)] == '.'
}

// entityTop returns the first component of eid ("host=controller-0").
func entityTop(eid string) string {
	if i := strings.IndexByte(eid, '.'); i >= 0 {
		return eid[:i]
	}
	return eid
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
