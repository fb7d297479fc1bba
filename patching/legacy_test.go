package patching

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPatchStates(t *testing.T) {
	patches := []LegacyPatch{
		{ID: "P1", RepoState: RepoCommitted},
		{ID: "P2", RepoState: RepoApplied, Requires: []string{"P1"}},
		{ID: "P3", RepoState: RepoApplied, Requires: []string{"P2"}, RebootRequired: true},
		{ID: "P4", RepoState: RepoAvailable, Requires: []string{"P3"}},
		{ID: "P5", RepoState: RepoAvailable},
	}
	for _, tc := range []struct {
		name  string
		hosts []HostReport
		want  map[string]PatchState
		insvc bool
	}{
		{"no host reported", nil,
			map[string]PatchState{"P1": PatchUnknown, "P2": PatchUnknown, "P3": PatchUnknown, "P4": PatchUnknown, "P5": PatchUnknown}, true},
		{"all current", []HostReport{{"c0", []string{"P3"}}, {"c1", []string{"P3"}}},
			map[string]PatchState{"P1": PatchCommitted, "P2": PatchApplied, "P3": PatchApplied, "P4": PatchAvailable, "P5": PatchAvailable}, true},
		{"one host behind", []HostReport{{"c0", []string{"P3"}}, {"c1", []string{"P2"}}},
			map[string]PatchState{"P1": PatchCommitted, "P2": PatchApplied, "P3": PatchPartialApply, "P4": PatchAvailable, "P5": PatchAvailable}, false},
		{"removed patch still running", []HostReport{{"c0", []string{"P4"}}, {"c1", []string{"P3"}}},
			map[string]PatchState{"P1": PatchCommitted, "P2": PatchApplied, "P3": PatchApplied, "P4": PatchPartialRemove, "P5": PatchAvailable}, true},
		{"host far behind", []HostReport{{"c0", nil}},
			map[string]PatchState{"P1": PatchCommitted, "P2": PatchPartialApply, "P3": PatchPartialApply, "P4": PatchAvailable, "P5": PatchAvailable}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PatchStates(patches, tc.hosts)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.insvc, InServiceAllowed(patches, got))
		})
	}
	_, err := PatchStates([]LegacyPatch{{ID: "X", RepoState: "Partial-Apply"}}, nil)
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "patches[0].repostate", fe.Field)
	_, err = PatchStates([]LegacyPatch{{ID: "X", RepoState: RepoApplied}, {ID: "X", RepoState: RepoApplied}}, nil)
	assert.ErrorIs(t, err, ErrInvalid)

	assert.True(t, HostPatchCurrent(patches, HostReport{"c0", []string{"P3"}}))
	assert.False(t, HostPatchCurrent(patches, HostReport{"c0", []string{"P2"}}))
	assert.False(t, HostPatchCurrent(patches, HostReport{"c0", []string{"P4"}}))
	assert.False(t, HostPatchCurrent(patches, HostReport{"c0", []string{"P3", "UNKNOWN"}}))
}
