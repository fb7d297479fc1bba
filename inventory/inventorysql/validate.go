package inventorysql

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"unicode"

	"github.com/edgeflock/flock/inventory"
)

// Field checks. Each returns a *inventory.FieldError naming the JSON
// field, or nil.

// checkHostname checks an RFC 1123 host name: dot-separated labels of
// letters, digits and hyphens, 1-63 characters each, neither starting
// nor ending with a hyphen, 253 characters at most.
func checkHostname(field, s string) error {
	if s == "" {
		return inventory.Fieldf(field, "is required")
	}
	if len(s) > 253 {
		return inventory.Fieldf(field, "is longer than 253 characters")
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return inventory.Fieldf(field, "%q is not a valid host name: each label must have 1 to 63 characters", s)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return inventory.Fieldf(field, "%q is not a valid host name: a label may not start or end with a hyphen", s)
		}
		for _, r := range label {
			if r > unicode.MaxASCII || !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return inventory.Fieldf(field, "%q is not a valid host name: only letters, digits and hyphens are allowed", s)
			}
		}
	}
	return nil
}

// checkHostName checks a host's name: one RFC 1123 label (a dot would
// split the host's entity id, host=<name>, in its alarms), neither all
// digits nor shaped like a uuid, since hosts are looked up by name, uuid
// or id with one key.
func checkHostName(field, s string) error {
	if err := checkHostname(field, s); err != nil {
		return err
	}
	if strings.Contains(s, ".") {
		return inventory.Fieldf(field, "%q is not a valid host name: a dot is not allowed", s)
	}
	return checkKeyName(field, s)
}

// checkKeyName refuses a name that a lookup by name, uuid or id would
// take for an id or a uuid: all digits, or a uuid's shape.
func checkKeyName(field, s string) error {
	if s != "" && strings.Trim(s, "0123456789") == "" {
		return inventory.Fieldf(field, "%q is all digits, which names a record by id", s)
	}
	if looksLikeUUID(s) {
		return inventory.Fieldf(field, "%q has the shape of a uuid, which names a record by uuid", s)
	}
	return nil
}

// looksLikeUUID reports whether s is 8-4-4-4-12 hexadecimal digits.
func looksLikeUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// normMAC returns a 48-bit MAC address in lower-case colon form.
func normMAC(field, s string) (string, error) {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 {
		return "", inventory.Fieldf(field, "%q is not a MAC address (aa:bb:cc:dd:ee:ff)", s)
	}
	if hw.String() == "00:00:00:00:00:00" {
		return "", inventory.Fieldf(field, "the all-zero MAC address is not allowed")
	}
	return hw.String(), nil
}

// normIP returns an IP address in canonical form.
func normIP(field, s string) (string, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return "", inventory.Fieldf(field, "%q is not an IP address", s)
	}
	return a.Unmap().String(), nil
}

// checkEnum checks a typed enum value for validity; empty is allowed
// only when optional.
func checkEnum(field, v string, valid, optional bool) error {
	if v == "" && optional {
		return nil
	}
	if v == "" {
		return inventory.Fieldf(field, "is required")
	}
	if !valid {
		return inventory.Fieldf(field, "%q is not a valid value", v)
	}
	return nil
}

// checkOneOf checks v against allowed values (empty allowed if optional).
func checkOneOf(field, v string, optional bool, allowed ...string) error {
	if v == "" && optional {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return inventory.Fieldf(field, "%q is not one of %s", v, strings.Join(allowed, ", "))
}

// checkText checks a free-text field: at most max characters, printable.
func checkText(field, s string, max int) error {
	if len(s) > max {
		return inventory.Fieldf(field, "is longer than %d characters", max)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return inventory.Fieldf(field, "contains a control character")
		}
	}
	return nil
}

// checkName checks a record name: 1-255 printable characters without
// spaces at either end.
func checkName(field, s string) error {
	if s == "" {
		return inventory.Fieldf(field, "is required")
	}
	if strings.TrimSpace(s) != s {
		return inventory.Fieldf(field, "may not start or end with a space")
	}
	if err := checkKeyName(field, s); err != nil {
		return err
	}
	return checkText(field, s, 255)
}

// checkDevice checks a device path or name ("/dev/sda",
// "/dev/disk/by-path/...", "sda").
func checkDevice(field, s string) error {
	if s == "" {
		return nil
	}
	if len(s) > 255 || strings.ContainsAny(s, " \t\n\r\x00") {
		return inventory.Fieldf(field, "%q is not a device path", s)
	}
	return nil
}

// checkRange checks that v lies in [lo, hi].
func checkRange(field string, v, lo, hi int) error {
	if v < lo || v > hi {
		return inventory.Fieldf(field, "%d is out of range [%d, %d]", v, lo, hi)
	}
	return nil
}

// subfunctionNames are the words subfunctions may list.
var subfunctionNames = []string{"controller", "worker", "storage", "edgeworker", "lowlatency"}

// checkSubfunctions checks a comma-separated subfunctions list: known
// words, the personality first.
func checkSubfunctions(s string, p inventory.Personality) error {
	if s == "" {
		return nil
	}
	words := strings.Split(s, ",")
	for _, w := range words {
		if err := checkOneOf("subfunctions", w, false, subfunctionNames...); err != nil {
			return err
		}
	}
	if p != "" && words[0] != string(p) {
		return inventory.Fieldf("subfunctions", "must start with the personality %q", p)
	}
	return nil
}

// defaultSubfunctions is what a host of personality p gets when none
// are given.
func defaultSubfunctions(p inventory.Personality) string { return string(p) }

// checkHWSettle checks hw_settle: seconds, a small number.
func checkHWSettle(s string) error {
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 3600 {
		return inventory.Fieldf("hw_settle", "%q is not a number of seconds from 0 to 3600", s)
	}
	return nil
}

// bmTypes are the board management types sysinv knows.
var bmTypes = []string{"none", "bmc", "ipmi", "redfish", "dynamic"}

// checkLabelKey checks a Kubernetes label key: an optional DNS prefix
// and "/", then a name of up to 63 characters of letters, digits, '-',
// '_' and '.', starting and ending with a letter or digit.
func checkLabelKey(k string) error {
	name := k
	if i := strings.LastIndexByte(k, '/'); i >= 0 {
		if err := checkHostname("label_key", k[:i]); err != nil {
			return inventory.Fieldf("label_key", "%q has an invalid prefix", k)
		}
		name = k[i+1:]
	}
	if !labelWord(name, false) {
		return inventory.Fieldf("label_key", "%q is not a valid label key", k)
	}
	return nil
}

// checkLabelValue checks a Kubernetes label value (may be empty).
func checkLabelValue(v string) error {
	if !labelWord(v, true) {
		return inventory.Fieldf("label_value", "%q is not a valid label value", v)
	}
	return nil
}

func labelWord(s string, emptyOK bool) bool {
	if s == "" {
		return emptyOK
	}
	if len(s) > 63 {
		return false
	}
	alnum := func(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' }
	if !alnum(s[0]) || !alnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !alnum(b) && b != '-' && b != '_' && b != '.' {
			return false
		}
	}
	return true
}
