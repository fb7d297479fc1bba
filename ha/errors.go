package ha

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the package returns wraps one of these;
// check them with errors.Is.
var (
	// ErrInvalid: the input is malformed. The error is a *FieldError
	// naming the offending field by its path in the model
	// ("service_groups[2].services[0].service_name").
	ErrInvalid = errors.New("ha: invalid input")
	// ErrInvalidTransition: the event does not apply in the current
	// state. The error is a *RuleError naming the rule.
	ErrInvalidTransition = errors.New("ha: invalid transition")
	// ErrNotFound: no such service, service group or domain.
	ErrNotFound = errors.New("ha: not found")
	// ErrUnavailable: the peer or a plugin could not be reached in time.
	ErrUnavailable = errors.New("ha: unavailable")
)

// FieldError reports invalid input in one named field. It wraps ErrInvalid.
type FieldError struct {
	// Field is the field's path with YAML/JSON names, e.g.
	// "services[3].actions[0].timeout", or a bare name ("state") when
	// an enum is parsed on its own.
	Field  string
	Reason string // what is wrong with it
}

// Error implements error.
func (e *FieldError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason) }

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// InvalidField returns the field and the reason, for transports that
// name the field in their answer.
func (e *FieldError) InvalidField() (field, reason string) { return e.Field, e.Reason }

func invalid(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// RuleError reports an event refused by a rule of the state machines.
// It wraps ErrInvalidTransition.
type RuleError struct {
	// Rule is a short stable name of the rule, one of the Rule* constants.
	Rule string
	// Reason is the message for operators.
	Reason string
}

// Error implements error.
func (e *RuleError) Error() string { return e.Reason + " (rule " + e.Rule + ")" }

// Unwrap returns ErrInvalidTransition.
func (e *RuleError) Unwrap() error { return ErrInvalidTransition }

func refuse(rule, format string, args ...any) error {
	return &RuleError{Rule: rule, Reason: fmt.Sprintf(format, args...)}
}

// Rules of the state machines; RuleError.Rule is one of these.
const (
	// RuleFailed: a command to a service that is failed (more failures
	// than max_failures); recover it first.
	RuleFailed = "failed"
	// RuleShutdown: an event to a service or group that is shut down.
	RuleShutdown = "shutdown"
	// RuleEvent: the event does not apply in the current state (a
	// go-active of a disabled service: enable it first).
	RuleEvent = "event"
)
