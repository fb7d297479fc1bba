package installer

import (
	"errors"
	"fmt"
)

// The errors of the installer, checked with errors.Is. Errors of the
// file system pass through wrapped (errors.Is(err, syscall.ENOSPC),
// fs.ErrPermission ...), with the step and the file named.
var (
	// ErrInvalid: the release is unusable: a bad release id, an unsafe
	// or corrupted content entry, a missing script. The error names
	// the field or the entry.
	ErrInvalid = errors.New("installer: invalid release")
	// ErrInvalidTransition: the operation is not allowed now (a switch
	// is pending the next boot, nothing to roll back to ...).
	ErrInvalidTransition = errors.New("installer: invalid transition")
	// ErrScript: a release's script failed or timed out. The error is
	// a *ScriptError with the script's name and output tail.
	ErrScript = errors.New("installer: script failed")
	// ErrCorruptState: the installer's journal cannot be read; nothing
	// was changed.
	ErrCorruptState = errors.New("installer: corrupt journal")
)

// FieldError reports invalid input in one named field (the JSON/YAML
// name). It wraps ErrInvalid, or ErrCorruptState for the journal.
type FieldError struct {
	Field  string // "id", "entry", "state" ...
	Reason string
	err    error
}

// Error implements error.
func (e *FieldError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason) }

// Unwrap returns ErrInvalid or ErrCorruptState.
func (e *FieldError) Unwrap() error {
	if e.err != nil {
		return e.err
	}
	return ErrInvalid
}

// InvalidField returns the field and the reason.
func (e *FieldError) InvalidField() (field, reason string) { return e.Field, e.Reason }

// EntryError reports a content entry that is refused or could not be
// installed: path traversal, an unsupported type, a size or digest
// mismatch. It wraps ErrInvalid (and the cause, if any).
type EntryError struct {
	Entry  string // the entry's name in the tar
	Reason string
	Err    error // the cause, or nil
}

// Error implements error.
func (e *EntryError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("content entry %q: %s: %v", e.Entry, e.Reason, e.Err)
	}
	return fmt.Sprintf("content entry %q: %s", e.Entry, e.Reason)
}

// Unwrap returns ErrInvalid and the cause.
func (e *EntryError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalid, e.Err}
	}
	return []error{ErrInvalid}
}

// ScriptError is a release script that failed or timed out. It wraps
// ErrScript.
type ScriptError struct {
	Script string // the metadata's field: "pre_install", "post_install", "activation_scripts[0]"
	Name   string // the script's file name
	What   string // "exit status 3", "timed out after 5m0s"
	Output string // the tail of its combined stdout and stderr
}

// Error implements error.
func (e *ScriptError) Error() string {
	msg := fmt.Sprintf("%s script %q: %s", e.Script, e.Name, e.What)
	if l := lastLine(e.Output); l != "" {
		msg += ": " + l
	}
	return msg
}

// Unwrap returns ErrScript.
func (e *ScriptError) Unwrap() error { return ErrScript }
