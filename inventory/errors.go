package inventory

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the package returns wraps one of these (or
// a context error); check them with errors.Is. The HTTP client returns the
// same sentinels, so remote and local calls are checked alike.
var (
	// ErrNotFound: no record matched the name, uuid or id.
	ErrNotFound = errors.New("inventory: not found")
	// ErrInvalid: the input is malformed. The error is often a
	// *FieldError naming the offending field.
	ErrInvalid = errors.New("inventory: invalid input")
	// ErrConflict: the record would duplicate a unique value (a hostname,
	// a MAC, a name) or is in use by another record.
	ErrConflict = errors.New("inventory: conflict")
	// ErrInvalidTransition: the change is not allowed in the current
	// state (a host that is not locked, a rule of provisioning). The
	// error is a *RuleError naming the rule.
	ErrInvalidTransition = errors.New("inventory: invalid transition")
	// ErrUnavailable: the database cannot be reached or refuses writes
	// now; the request may be retried.
	ErrUnavailable = errors.New("inventory: unavailable")
	// ErrUnimplemented: the implementation does not offer the operation.
	ErrUnimplemented = errors.New("inventory: unimplemented")
	// ErrClosed: the manager has been closed.
	ErrClosed = errors.New("inventory: closed")
)

// FieldError reports invalid input in one named field. It wraps ErrInvalid.
type FieldError struct {
	Field  string // JSON name of the field, e.g. "hostname"
	Reason string // what is wrong with it
}

// Error implements error.
func (e *FieldError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason) }

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// InvalidField returns the field and the reason; the HTTP layer uses it
// to name the field in a 400 response.
func (e *FieldError) InvalidField() (field, reason string) { return e.Field, e.Reason }

// Fieldf returns a *FieldError for field with a formatted reason.
func Fieldf(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// RuleError reports a change refused by one of the provisioning rules.
// It wraps ErrInvalidTransition (or ErrConflict for uniqueness and
// in-use rules).
type RuleError struct {
	// Rule is a short stable name of the rule, e.g. "host-locked".
	Rule string
	// Reason is the message for operators, in StarlingX's words where it
	// has them.
	Reason string
	// Kind is ErrInvalidTransition or ErrConflict.
	Kind error
}

// Error implements error.
func (e *RuleError) Error() string { return e.Reason + " (rule " + e.Rule + ")" }

// Unwrap returns the error's kind.
func (e *RuleError) Unwrap() error { return e.Kind }

// Rulef returns a *RuleError wrapping ErrInvalidTransition.
func Rulef(rule, format string, args ...any) error {
	return &RuleError{Rule: rule, Reason: fmt.Sprintf(format, args...), Kind: ErrInvalidTransition}
}

// Conflictf returns a *RuleError wrapping ErrConflict.
func Conflictf(rule, format string, args ...any) error {
	return &RuleError{Rule: rule, Reason: fmt.Sprintf(format, args...), Kind: ErrConflict}
}

// Rules every implementation enforces; RuleError.Rule is one of these.
const (
	RuleHostLocked          = "host-locked"           // change needs the host locked
	RuleUniqueHostname      = "unique-hostname"       // hostnames are unique
	RuleUniqueMAC           = "unique-mgmt-mac"       // management MACs are unique
	RuleUniqueName          = "unique-name"           // names of networks, pools, data networks, interfaces on a host, labels on a host
	RulePlatformCore        = "platform-core"         // at least one platform core on NUMA node 0
	RuleHugepagesFit        = "hugepages-fit"         // hugepages fit the node's memory after the platform reservation
	RuleVLANMTU             = "vlan-mtu"              // a VLAN's MTU is at most its lower interface's
	RulePoolRange           = "pool-range"            // a pool's ranges lie inside its subnet
	RuleNetworkOverlap      = "network-overlap"       // pools of different networks do not overlap
	RuleNetworkPerHost      = "network-once-per-host" // a network is on at most one interface of a host
	RuleControllerNetwork   = "controller-only-network"
	RuleInUse               = "in-use"      // a network, pool, disk, partition, LVG or data network in use cannot be deleted
	RuleStorageOSD          = "storage-osd" // a storage host needs an OSD before unlock
	RulePersonalityRequired = "personality-required"
	RulePartitionFit        = "partition-fit" // a partition fits the disk's free space
)
