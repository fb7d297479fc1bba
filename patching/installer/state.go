package installer

import "fmt"

// State is the installer's state as the host's agent reports it: §4.1's
// agent states.
type State string

// The states.
const (
	// StateIdle: nothing in progress; the last operation succeeded (or
	// there was none).
	StateIdle State = "idle"
	// StateInstalling: an install is in progress (or was, when the
	// process stopped: Recover turns that into install-failed).
	StateInstalling State = "installing"
	// StateInstallFailed: the last install failed; the host is on its
	// previous version. Status has the reason and the script output.
	StateInstallFailed State = "install-failed"
	// StateInstallRejected: the last install was refused before it
	// began (a bad release id, a switch pending the next boot ...).
	StateInstallRejected State = "install-rejected"
)

// Valid reports whether s is one of the states.
func (s State) Valid() bool {
	switch s {
	case StateIdle, StateInstalling, StateInstallFailed, StateInstallRejected:
		return true
	}
	return false
}

// String returns the state's name.
func (s State) String() string { return string(s) }

// ParseState parses a state's name, strictly.
func ParseState(s string) (State, error) {
	if st := State(s); st.Valid() {
		return st, nil
	}
	return "", &FieldError{Field: "state", Reason: fmt.Sprintf("unknown state %q", s)}
}

// MarshalText implements encoding.TextMarshaler.
func (s State) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, &FieldError{Field: "state", Reason: fmt.Sprintf("unknown state %q", string(s))}
	}
	return []byte(s), nil
}

// UnmarshalText implements encoding.TextUnmarshaler, strictly.
func (s *State) UnmarshalText(b []byte) error {
	v, err := ParseState(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Step is a step of an install, the one in progress or the one that
// failed.
type Step string

// The steps, in order.
const (
	StepNone Step = ""
	// StepPrepare: checking the release and the host's state.
	StepPrepare Step = "prepare"
	// StepExtract: unpacking, verifying and syncing the content into
	// versions/.staging-<id>.
	StepExtract Step = "extract"
	// StepPlace: renaming the staging tree to versions/<id>.
	StepPlace Step = "place"
	// StepPreInstall and StepPostInstall: the release's scripts.
	StepPreInstall  Step = "pre-install"
	StepPostInstall Step = "post-install"
	// StepSwitch: pointing current at the new version.
	StepSwitch Step = "switch"
	// StepActivate: the release's activation scripts (in-service).
	StepActivate Step = "activate"
	// StepDone: the install finished (switched, or pending the next
	// boot).
	StepDone Step = "done"
)

var steps = []Step{StepNone, StepPrepare, StepExtract, StepPlace, StepPreInstall, StepPostInstall, StepSwitch, StepActivate, StepDone}

// Valid reports whether s is one of the steps.
func (s Step) Valid() bool {
	for _, v := range steps {
		if s == v {
			return true
		}
	}
	return false
}

// String returns the step's name.
func (s Step) String() string { return string(s) }
