package installer

import (
	"context"
	"io"
)

// SetCrashHook makes the installer call f at each of its crash points.
func SetCrashHook(o *Options, f func(point string)) { o.crash = f }

// ParseJournal is parseJournal, returning the journal re-encoded as a
// Status for comparison.
func ParseJournal(b []byte) (Status, error) {
	j, err := parseJournal(b)
	if err != nil {
		return Status{}, err
	}
	return Status{Current: j.Current, Previous: j.Previous, Pending: j.Pending, State: j.State,
		Release: j.Release, Step: j.Step, Reason: j.Reason, Output: j.Output}, nil
}

// Extract is extract without crash points.
func Extract(ctx context.Context, r io.Reader, dir string) error {
	_, _, err := extract(ctx, r, dir, func(string) {})
	return err
}

// JournalFile is the journal's name under the root.
const JournalFile = journalFile
