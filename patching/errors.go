package patching

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the package returns wraps one of these;
// check them with errors.Is.
var (
	// ErrInvalid: the input is malformed. The error is a *FieldError
	// naming the offending field ("requires[1]", "reboot_required") or
	// an *EntryError naming the offending archive entry.
	ErrInvalid = errors.New("patching: invalid input")
	// ErrNotFound: no such release, script or key.
	ErrNotFound = errors.New("patching: not found")
	// ErrInvalidTransition: the event or command does not apply in the
	// current state. The error is a *RuleError naming the rule.
	ErrInvalidTransition = errors.New("patching: invalid transition")
	// ErrConflict: the id is already taken by something else (another
	// release with the same id and a different content).
	ErrConflict = errors.New("patching: conflict")
	// ErrUnavailable: the store, the database or another service could
	// not be reached; retry.
	ErrUnavailable = errors.New("patching: unavailable")

	// ErrUnsigned: the release file has no signature. It also matches
	// ErrInvalid.
	ErrUnsigned = fmt.Errorf("release is unsigned: %w", ErrInvalid)
	// ErrTampered: the signature does not verify, or a member of the
	// release differs from what the signature binds. It also matches
	// ErrInvalid.
	ErrTampered = fmt.Errorf("release signature does not verify (tampered): %w", ErrInvalid)
	// ErrUntrusted: the release is signed by a key that is not in the
	// keyring. It also matches ErrInvalid.
	ErrUntrusted = fmt.Errorf("release is signed by an untrusted key: %w", ErrInvalid)
)

// FieldError reports invalid input in one named field. It wraps ErrInvalid.
type FieldError struct {
	// Field is the field's path with YAML/JSON names, e.g.
	// "requires[2]", or a bare name ("state") when an enum is parsed on
	// its own.
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

// EntryError reports a malformed or refused entry of a release file: a
// member of the outer archive ("content.tar", "scripts/pre.sh") or an
// entry of the content tree ("content.tar:etc/../../x"). It wraps
// ErrInvalid.
type EntryError struct {
	// Entry names the entry: a member name, or "content.tar:" and the
	// entry's name inside the content tree.
	Entry  string
	Reason string
}

// Error implements error.
func (e *EntryError) Error() string { return fmt.Sprintf("release entry %q: %s", e.Entry, e.Reason) }

// Unwrap returns ErrInvalid.
func (e *EntryError) Unwrap() error { return ErrInvalid }

func badEntry(entry, format string, args ...any) *EntryError {
	return &EntryError{Entry: entry, Reason: fmt.Sprintf(format, args...)}
}

// RuleError reports an event or command refused by a rule of the state
// machines or of the requires graph. It wraps ErrInvalidTransition.
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

// Rules of the state machines and of the requires graph; RuleError.Rule
// is one of these.
const (
	// RuleReleaseTransition: the release state change is not in the
	// table of release transitions.
	RuleReleaseTransition = "release-transition"
	// RuleDeployStart: deploy start of a release that is neither
	// available nor deployed.
	RuleDeployStart = "deploy-start"
	// RuleDelete: deletion of a release outside available, unavailable
	// and upload-failed.
	RuleDelete = "delete"
	// RuleDeployTransition: the deploy state change is not in the table
	// of deploy transitions.
	RuleDeployTransition = "deploy-transition"
	// RuleNoDeploy: a deploy command while no deployment exists.
	RuleNoDeploy = "no-deploy"
	// RuleDeployExists: deploy start while a deployment exists.
	RuleDeployExists = "deploy-exists"
	// RuleHostTransition: the per-host deploy state change is not in
	// the table of per-host transitions.
	RuleHostTransition = "host-transition"
	// RuleNeedsLocked: a reboot-required release installs only on a
	// locked host.
	RuleNeedsLocked = "needs-locked"
	// RuleRequiresNotDeployed: deploying a release whose requirements
	// are not all deployed.
	RuleRequiresNotDeployed = "requires-not-deployed"
	// RuleRequiredByDeployed: removing a release that a deployed release
	// requires.
	RuleRequiredByDeployed = "required-by-deployed"
	// RuleUnremovable: removing a release marked unremovable.
	RuleUnremovable = "unremovable"
	// RulePrecheck: deploy start refused because a pre-check failed
	// (force skips them).
	RulePrecheck = "precheck"
)
