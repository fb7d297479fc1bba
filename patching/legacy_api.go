package patching

import "context"

// LegacyHost is one host as legacy `sw-patch query-hosts` shows it
// (§4.1's per-host record, the fields a file-tree release has).
type LegacyHost struct {
	Hostname string `json:"hostname"`
	IP       string `json:"ip"`
	// PatchCurrent: the host runs every applied patch and no available
	// one.
	PatchCurrent bool `json:"patch_current"`
	// SecsSinceAck: seconds since the host's agent last reported (-1:
	// never).
	SecsSinceAck int64 `json:"secs_since_ack"`
	// PatchFailed: its last install failed.
	PatchFailed bool `json:"patch_failed"`
	// Release is the release the host runs (sw-patch's sw_version
	// column shows it).
	Release string     `json:"sw_version"`
	State   AgentState `json:"state"`
	// RequiresReboot: the host is out of date and in-service patching is
	// not allowed, or a release waits for its reboot.
	RequiresReboot     bool `json:"requires_reboot"`
	AllowInsvcPatching bool `json:"allow_insvc_patching"`
}

// LegacyPatchInfo is one release as legacy `sw-patch query` shows it.
type LegacyPatchInfo struct {
	ID             string     `json:"patch_id"`
	SWVersion      string     `json:"sw_version"`
	RepoState      RepoState  `json:"repostate"`
	PatchState     PatchState `json:"patchstate"`
	RebootRequired bool       `json:"reboot_required"`
	Status         string     `json:"status"`
	Summary        string     `json:"summary"`
	Requires       []string   `json:"requires,omitempty"`
}

// Legacy is the sw-patch view of the repository, computed from the
// same releases and host reports as the USM verbs (§4.1's computed
// states).
type Legacy interface {
	LegacyPatches(ctx context.Context) ([]LegacyPatchInfo, error)
	LegacyHosts(ctx context.Context) ([]LegacyHost, error)
}
