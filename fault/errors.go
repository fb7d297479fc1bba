package fault

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the package returns wraps one of these (or
// a context error); check them with errors.Is. The HTTP client returns the
// same sentinels, so remote and local calls are checked alike.
var (
	// ErrNotFound: no alarm, event or suppression entry matched.
	ErrNotFound = errors.New("fault: not found")
	// ErrInvalid: the input is malformed or not allowed by the catalog.
	// The error is often a *FieldError naming the offending field.
	ErrInvalid = errors.New("fault: invalid input")
	// ErrConflict: the request conflicts with the current state.
	ErrConflict = errors.New("fault: conflict")
	// ErrUnavailable: the service or its store cannot be reached now; the
	// request may be retried.
	ErrUnavailable = errors.New("fault: unavailable")
	// ErrUnimplemented: the implementation does not offer the operation.
	ErrUnimplemented = errors.New("fault: unimplemented")
	// ErrClosed: the manager or reporter has been closed.
	ErrClosed = errors.New("fault: closed")
	// ErrQueueFull: an AsyncReporter's queue is full (StarlingX's
	// NOT_ENOUGH_SPACE); the call was not queued.
	ErrQueueFull = errors.New("fault: queue full")
)

// FieldError reports invalid input in one named field. It wraps ErrInvalid.
type FieldError struct {
	Field  string // JSON name of the field, e.g. "alarm_id"
	Reason string // what is wrong with it
}

// Error implements error.
func (e *FieldError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason) }

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// InvalidField returns the field and the reason; the HTTP layer uses it to
// name the field in a 400 response.
func (e *FieldError) InvalidField() (field, reason string) { return e.Field, e.Reason }
