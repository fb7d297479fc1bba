package installer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/edgeflock/flock/internal/fsutil"
)

// journalFormat is the journal's format version.
const journalFormat = 1

// journal is the installer's state file: the committed configuration
// (current, previous, pending) and the operation in progress. It is the
// single commit point of every operation: what it says is the truth,
// and Recover makes the file system agree with it.
type journal struct {
	Format int `json:"format"`
	// Current is the active release ("" before the first install).
	Current string `json:"current,omitempty"`
	// Previous is the release kept for rollback until Commit.
	Previous string `json:"previous,omitempty"`
	// PreviousBase: the release before Current was the base install (no
	// release): Rollback returns to it (no current link) until Commit.
	PreviousBase bool `json:"previous_base,omitempty"`
	// Pending is a reboot-required release installed and waiting for
	// Boot to switch to it.
	Pending string `json:"pending,omitempty"`
	// State, Release, Step, Reason and Output describe the last or
	// current operation.
	State   State  `json:"state"`
	Release string `json:"release,omitempty"`
	Step    Step   `json:"step,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Output  string `json:"output,omitempty"`
}

// idPattern is what a release id may be: it names a directory.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$`)

// checkID checks a release id; field names it in the error.
func checkID(field, id string) error {
	if !idPattern.MatchString(id) {
		return &FieldError{Field: field, Reason: fmt.Sprintf("release id %q is not 1-128 letters, digits, '.', '_', '+', '-' starting with a letter or digit", id)}
	}
	return nil
}

// parseJournal parses and checks a journal. Its errors wrap
// ErrCorruptState and name the field.
func parseJournal(b []byte) (journal, error) {
	var j journal
	bad := func(field, reason string) (journal, error) {
		return journal{}, &FieldError{Field: field, Reason: reason, err: ErrCorruptState}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return bad(fe.Field, fe.Reason)
		}
		return bad("journal", err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("journal", "data after the JSON object")
	}
	if j.Format != journalFormat {
		return bad("format", fmt.Sprintf("format %d, want %d", j.Format, journalFormat))
	}
	if !j.State.Valid() {
		return bad("state", fmt.Sprintf("unknown state %q", string(j.State)))
	}
	if !j.Step.Valid() {
		return bad("step", fmt.Sprintf("unknown step %q", string(j.Step)))
	}
	for _, f := range []struct{ name, v string }{{"current", j.Current}, {"previous", j.Previous}, {"pending", j.Pending}, {"release", j.Release}} {
		if f.v == "" {
			continue
		}
		if err := checkID(f.name, f.v); err != nil {
			return bad(f.name, err.(*FieldError).Reason)
		}
	}
	switch {
	case j.Previous != "" && j.Previous == j.Current:
		return bad("previous", "equals current")
	case j.Pending != "" && (j.Pending == j.Current || j.Pending == j.Previous):
		return bad("pending", "equals current or previous")
	case j.Previous != "" && j.Current == "":
		return bad("previous", "set without a current release")
	case j.PreviousBase && (j.Previous != "" || j.Current == ""):
		return bad("previous_base", "set with a previous release or without a current one")
	case j.State == StateInstalling && j.Release == "":
		return bad("release", "an install in progress names no release")
	}
	return j, nil
}

// keeps reports whether the journal's configuration references id.
func (j journal) keeps(id string) bool {
	return id != "" && (id == j.Current || id == j.Previous || id == j.Pending)
}

// readJournal reads the journal at path; a missing file is an empty
// journal.
func readJournal(path string) (journal, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return journal{Format: journalFormat, State: StateIdle}, false, nil
	}
	if err != nil {
		return journal{}, false, fmt.Errorf("read journal: %w", err)
	}
	j, err := parseJournal(b)
	if err != nil {
		return journal{}, true, fmt.Errorf("journal %s: %w", path, err)
	}
	return j, true, nil
}

// writeJournal replaces the journal atomically and durably: a temp file,
// fsynced, renamed over it, and the directory fsynced.
func (in *Installer) writeJournal(j journal) error {
	j.Format = journalFormat
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	b = append(b, '\n')
	path := in.journalPath()
	tmp := path + ".tmp"
	if err := writeFileSync(tmp, b, 0o600); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write journal: %w", err)
	}
	in.crash("journal-written")
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write journal: %w", err)
	}
	in.crash("journal-renamed")
	if err := fsutil.SyncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	in.j = j
	return nil
}

// writeFileSync writes a new file and fsyncs it.
func writeFileSync(path string, b []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
