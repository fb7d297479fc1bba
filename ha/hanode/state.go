package hanode

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/edgeflock/flock/internal/fsutil"
)

// persisted is what a node keeps across restarts, in state.json under
// Config.StateDir: its generation (raised at every start, so the peer
// never takes a restarted node's messages for replays) and whether it
// was active last (so that after both restart, the one that was active
// before is active again).
type persisted struct {
	Generation uint64 `json:"generation"`
	WasActive  bool   `json:"was_active"`
}

const stateFile = "state.json"

func loadState(dir string) (persisted, error) {
	var p persisted
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("hanode: %s: %w", filepath.Join(dir, stateFile), err)
	}
	return p, nil
}

// saveState writes p durably: a temporary file synced, renamed over the
// old one, and the directory synced, so a crash leaves the old state or
// the new one.
func saveState(dir string, p persisted) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(filepath.Join(dir, stateFile), b, 0o600)
}
