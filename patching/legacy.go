package patching

import (
	"fmt"
	"slices"
)

// LegacyPatch is what the legacy patch state needs of a patch: its id,
// its repository state and its requires.
type LegacyPatch struct {
	ID        string    `json:"patch_id"`
	RepoState RepoState `json:"repostate"`
	// RebootRequired is the patch's reboot_required.
	RebootRequired bool     `json:"reboot_required"`
	Requires       []string `json:"requires,omitempty"`
}

// HostReport is what a host's agent reports: the ids of the patches
// whose content its active version holds. A host that runs a patch runs
// what the patch requires, so PatchStates adds those (§4.1: "its
// required patches are adjusted along with it").
type HostReport struct {
	Hostname string   `json:"hostname"`
	Running  []string `json:"running"`
}

// PatchStates computes the legacy sw-patch patch states (§4.1,
// patch_controller.py check_patch_states) from the repository and what
// the hosts report:
//   - no host has reported: every patch is n/a;
//   - Committed stays Committed;
//   - Applied, with a host not running it: Partial-Apply; else Applied;
//   - Available, with a host still running it: Partial-Remove; else
//     Available.
//
// An unknown repository state or a repeated id is a *FieldError.
func PatchStates(patches []LegacyPatch, hosts []HostReport) (map[string]PatchState, error) {
	requires := map[string][]string{}
	for i, p := range patches {
		if !p.RepoState.Valid() {
			return nil, invalid(fmt.Sprintf("patches[%d].repostate", i), "%q is not one of Available, Applied, Committed", p.RepoState)
		}
		if _, dup := requires[p.ID]; dup {
			return nil, invalid(fmt.Sprintf("patches[%d].patch_id", i), "%s appears twice", p.ID)
		}
		requires[p.ID] = p.Requires
	}
	out := make(map[string]PatchState, len(patches))
	if len(hosts) == 0 {
		for _, p := range patches {
			out[p.ID] = PatchUnknown
		}
		return out, nil
	}
	running := make([]map[string]bool, len(hosts))
	for i, h := range hosts {
		running[i] = map[string]bool{}
		for _, id := range h.Running {
			running[i][id] = true
			for _, r := range closure(id, requires) {
				running[i][r] = true
			}
		}
	}
	for _, p := range patches {
		some, all := false, true
		for _, r := range running {
			some = some || r[p.ID]
			all = all && r[p.ID]
		}
		switch p.RepoState {
		case RepoCommitted:
			out[p.ID] = PatchCommitted
		case RepoApplied:
			out[p.ID] = PatchApplied
			if !all {
				out[p.ID] = PatchPartialApply
			}
		case RepoAvailable:
			out[p.ID] = PatchAvailable
			if some {
				out[p.ID] = PatchPartialRemove
			}
		}
	}
	return out, nil
}

// InServiceAllowed reports sw-patch's allow_insvc_patching: true unless
// a patch in Partial-Apply or Partial-Remove requires a reboot.
func InServiceAllowed(patches []LegacyPatch, states map[string]PatchState) bool {
	for _, p := range patches {
		if s := states[p.ID]; (s == PatchPartialApply || s == PatchPartialRemove) && p.RebootRequired {
			return false
		}
	}
	return true
}

// HostPatchCurrent reports whether a host is patch-current: it runs
// every Applied and Committed patch and no Available one (query-hosts'
// patch_current).
func HostPatchCurrent(patches []LegacyPatch, h HostReport) bool {
	requires := map[string][]string{}
	for _, p := range patches {
		requires[p.ID] = p.Requires
	}
	run := map[string]bool{}
	for _, id := range h.Running {
		run[id] = true
		for _, r := range closure(id, requires) {
			run[r] = true
		}
	}
	for _, p := range patches {
		want := p.RepoState == RepoApplied || p.RepoState == RepoCommitted
		if run[p.ID] != want {
			return false
		}
	}
	return slices.IndexFunc(h.Running, func(id string) bool { _, ok := requires[id]; return !ok }) < 0
}
