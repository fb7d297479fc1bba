package patching

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rel(id string, requires ...string) Metadata {
	return Metadata{ID: id, SWVersion: "1.0", Status: StatusReleased, Requires: requires}
}

func TestGraphRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rels   []Metadata
		reason string
	}{
		{"missing", []Metadata{rel("A"), rel("B", "A", "X")}, "B requires X"},
		{"self cycle via two", []Metadata{rel("A", "B"), rel("B", "A")}, "cycle A -> B -> A"},
		{"long cycle", []Metadata{rel("A", "B"), rel("B", "C"), rel("C", "D"), rel("D", "B")}, "cycle B -> C -> D -> B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewGraph(tc.rels)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "requires", fe.Field)
			assert.Contains(t, fe.Reason, tc.reason)
		})
	}
	_, err := NewGraph([]Metadata{rel("A"), rel("A")})
	assert.ErrorIs(t, err, ErrConflict)
}

func TestGraph(t *testing.T) {
	// D requires C and B; C requires A; B requires A.
	u := rel("A")
	u.Unremovable = true
	g, err := NewGraph([]Metadata{rel("D", "C", "B"), rel("C", "A"), rel("B", "A"), u, rel("E")})
	require.NoError(t, err)

	w, err := g.WhatRequires("A")
	require.NoError(t, err)
	assert.Equal(t, []string{"B", "C"}, w)
	direct, err := g.Requires("D", false)
	require.NoError(t, err)
	assert.Equal(t, []string{"B", "C"}, direct)
	all, err := g.Requires("D", true)
	require.NoError(t, err)
	assert.Equal(t, []string{"A", "B", "C"}, all)
	_, err = g.WhatRequires("Z")
	assert.ErrorIs(t, err, ErrNotFound)

	assert.NoError(t, g.CanDeploy("D", []string{"A", "B", "C"}))
	err = g.CanDeploy("D", []string{"C"})
	var re *RuleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, RuleRequiresNotDeployed, re.Rule)
	assert.Contains(t, re.Reason, "A, B")
	assert.NoError(t, g.CanDeploy("E", nil))
	assert.ErrorIs(t, g.CanDeploy("Z", nil), ErrNotFound)

	require.ErrorAs(t, g.CanRemove("B", []string{"A", "B", "C", "D"}), &re)
	assert.Equal(t, RuleRequiredByDeployed, re.Rule)
	assert.Contains(t, re.Reason, "D")
	assert.NoError(t, g.CanRemove("B", []string{"A", "B", "C"}))
	assert.NoError(t, g.CanRemove("D", []string{"A", "B", "C", "D"}))
	require.ErrorAs(t, g.CanRemove("A", nil), &re)
	assert.Equal(t, RuleUnremovable, re.Rule)
}
