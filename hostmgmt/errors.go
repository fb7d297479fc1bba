package hostmgmt

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the package returns wraps one of these;
// check them with errors.Is.
var (
	// ErrInvalid: the input is malformed. The error is a *FieldError
	// naming the offending field.
	ErrInvalid = errors.New("hostmgmt: invalid input")
	// ErrInvalidTransition: the action or event is not allowed in the
	// host's current state. The error is a *RuleError naming the rule,
	// with StarlingX's reason.
	ErrInvalidTransition = errors.New("hostmgmt: invalid transition")
	// ErrNotFound: no such host.
	ErrNotFound = errors.New("hostmgmt: not found")
	// ErrNoBMC: the host has no BMC provisioned (bm_type none).
	ErrNoBMC = errors.New("hostmgmt: no BMC provisioned")
	// ErrUnavailable: a host's agent or BMC could not be reached in time.
	ErrUnavailable = errors.New("hostmgmt: unavailable")
)

// FieldError reports invalid input in one named field. It wraps ErrInvalid.
type FieldError struct {
	Field  string // JSON name of the field, e.g. "action"
	Reason string // what is wrong with it
}

// Error implements error.
func (e *FieldError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason) }

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// InvalidField returns the field and the reason, for transports that
// name the field in their answer.
func (e *FieldError) InvalidField() (field, reason string) { return e.Field, e.Reason }

// RuleError reports an action refused by one of the rules of §2.3 (the
// active controller, a host that must be locked first ...). It wraps
// ErrInvalidTransition.
type RuleError struct {
	// Rule is a short stable name of the rule, one of the Rule* constants.
	Rule string
	// Reason is the message for operators, in StarlingX's words where it
	// has them.
	Reason string
}

// Error implements error.
func (e *RuleError) Error() string { return e.Reason + " (rule " + e.Rule + ")" }

// Unwrap returns ErrInvalidTransition.
func (e *RuleError) Unwrap() error { return ErrInvalidTransition }

func refuse(rule, format string, args ...any) error {
	return &RuleError{Rule: rule, Reason: fmt.Sprintf(format, args...)}
}

// Rules of the state machine; RuleError.Rule is one of these.
const (
	RuleActiveController = "active-controller" // the active controller cannot be locked (swact first)
	RuleLastController   = "last-controller"   // the only enabled controller of a duplex system cannot be locked
	RuleAlreadyLocked    = "already-locked"    // lock of a locked host
	RuleAlreadyUnlocked  = "already-unlocked"  // unlock of an unlocked host
	RuleNeedsLocked      = "needs-locked"      // reboot, reset, reinstall, power and delete need the host locked
	RuleSimplex          = "simplex"           // reset and power-off are refused on a simplex system
	RuleBusy             = "busy"              // another action is in progress
	RulePowerState       = "power-state"       // power-on of a powered host, power-off of a powered-off one
	RuleSwact            = "swact"             // swact needs an enabled active controller and a standby
	RuleEvent            = "event"             // the event does not apply in the host's current stage
	RuleNoBMC            = "no-bmc"            // reset, reinstall and power need a provisioned BMC
)
