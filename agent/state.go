package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/edgeflock/flock/internal/fsutil"
	"github.com/edgeflock/flock/inventory"
)

// StateFile is the name of the state file in the state directory.
const StateFile = "agent-state.json"

// stateVersion is the version of the state file's format.
const stateVersion = 1

// State is what an agent keeps on disk between runs.
type State struct {
	// Version of the format (1).
	Version int `json:"version"`
	// HostUUID is the controller's uuid of this host, from its answer to
	// the last accepted report.
	HostUUID string `json:"host_uuid,omitempty"`
	// Pending is a discovered report not yet accepted by the controller.
	Pending *inventory.Report `json:"pending_report,omitempty"`
	// LastReport is the last report the controller accepted.
	LastReport *inventory.Report `json:"last_report,omitempty"`
	// Fingerprint is the hardware fingerprint of the last report sent
	// and settled (accepted, or refused as invalid).
	Fingerprint string `json:"fingerprint,omitempty"`
	// AppliedConfig is the UUID of the last configuration applied.
	AppliedConfig string `json:"applied_config,omitempty"`
	// PendingApplied is a configuration applied whose config_applied the
	// controller has not acknowledged yet.
	PendingApplied string `json:"pending_config_applied,omitempty"`
}

// DecodeState decodes a state file strictly: one JSON object of this
// version, no unknown member, every name the right shape.
func DecodeState(data []byte) (State, error) {
	var st State
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return State{}, fmt.Errorf("agent: state: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return State{}, errors.New("agent: state: trailing data after the JSON object")
	}
	if st.Version != stateVersion {
		return State{}, fmt.Errorf("agent: state: version %d, want %d", st.Version, stateVersion)
	}
	for _, r := range []*inventory.Report{st.Pending, st.LastReport} {
		if r != nil && r.MgmtMAC == "" {
			return State{}, errors.New("agent: state: a report without mgmt_mac")
		}
	}
	return st, nil
}

// loadState reads dir's state file; none is a fresh state.
func loadState(dir string) (State, error) {
	path := filepath.Join(dir, StateFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return State{Version: stateVersion}, nil
	}
	if err != nil {
		return State{}, err
	}
	st, err := DecodeState(data)
	if err != nil {
		return State{}, fmt.Errorf("%w (in %s: fix or remove it; the agent then reports afresh)", err, path)
	}
	return st, nil
}

// saveState writes dir's state file atomically: a temporary file in dir,
// synced, renamed over the old one, and dir synced, so a crash leaves the
// old state or the new one, whole.
func saveState(dir string, st State) error {
	st.Version = stateVersion
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, StateFile), data, 0o600)
}

// WriteFileAtomic writes data to path with perm, atomically: a temporary
// file beside it, synced, renamed over path, and the directory synced.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return fsutil.WriteFileAtomic(path, data, perm)
}
