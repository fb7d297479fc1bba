package patching

import (
	"fmt"
	"slices"
	"strings"
)

// Graph is the requires graph of a set of releases: a DAG whose
// every requirement is in the set. It is immutable; build a new one
// when the set changes.
type Graph struct {
	requires    map[string][]string // id -> the ids it requires, sorted
	requiredBy  map[string][]string // id -> the ids requiring it, sorted
	unremovable map[string]bool
	ids         []string
}

// NewGraph checks the requires of a set of releases and returns their
// graph. A release requiring an id outside the set, and a cycle, are
// *FieldErrors for field "requires" naming the ids (the cycle as
// "a -> b -> a"); an id present twice is ErrConflict. The upload of a
// release is checked with NewGraph over the repository's releases and
// the new one.
func NewGraph(releases []Metadata) (*Graph, error) {
	g := &Graph{requires: map[string][]string{}, requiredBy: map[string][]string{}, unremovable: map[string]bool{}}
	for _, m := range releases {
		if _, dup := g.requires[m.ID]; dup {
			return nil, fmt.Errorf("patching: release %s appears twice: %w", m.ID, ErrConflict)
		}
		req := slices.Clone(m.Requires)
		slices.Sort(req)
		g.requires[m.ID] = slices.Compact(req)
		g.unremovable[m.ID] = m.Unremovable
		g.ids = append(g.ids, m.ID)
	}
	slices.Sort(g.ids)
	for _, id := range g.ids {
		for _, r := range g.requires[id] {
			if _, ok := g.requires[r]; !ok {
				return nil, invalid("requires", "release %s requires %s, which is not in the repository", id, r)
			}
			g.requiredBy[r] = append(g.requiredBy[r], id)
		}
	}
	for _, l := range g.requiredBy {
		slices.Sort(l)
	}
	if cycle := g.findCycle(); cycle != nil {
		return nil, invalid("requires", "cycle %s", strings.Join(cycle, " -> "))
	}
	return g, nil
}

// findCycle returns a cycle (first id repeated at the end), or nil.
func (g *Graph) findCycle() []string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(id string) []string
	visit = func(id string) []string {
		color[id] = grey
		stack = append(stack, id)
		for _, r := range g.requires[id] {
			switch color[r] {
			case grey:
				i := slices.Index(stack, r)
				return append(slices.Clone(stack[i:]), r)
			case white:
				if c := visit(r); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[id] = black
		return nil
	}
	for _, id := range g.ids {
		if color[id] == white {
			if c := visit(id); c != nil {
				return c
			}
		}
	}
	return nil
}

func (g *Graph) has(id string) error {
	if _, ok := g.requires[id]; !ok {
		return fmt.Errorf("patching: release %s: %w", id, ErrNotFound)
	}
	return nil
}

// closure returns the ids reachable from id through next, sorted,
// without id.
func closure(id string, next map[string][]string) []string {
	seen := map[string]bool{id: true}
	todo := []string{id}
	var out []string
	for len(todo) > 0 {
		x := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, y := range next[x] {
			if !seen[y] {
				seen[y] = true
				out = append(out, y)
				todo = append(todo, y)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Requires returns the ids release id requires: directly, or with
// recursive all of them (sw-patch query-dependencies [--recursive]).
// An unknown id is ErrNotFound.
func (g *Graph) Requires(id string, recursive bool) ([]string, error) {
	if err := g.has(id); err != nil {
		return nil, err
	}
	if recursive {
		return closure(id, g.requires), nil
	}
	return slices.Clone(g.requires[id]), nil
}

// WhatRequires returns the ids of the releases that require id directly
// (sw-patch what-requires), sorted. An unknown id is ErrNotFound.
func (g *Graph) WhatRequires(id string) ([]string, error) {
	if err := g.has(id); err != nil {
		return nil, err
	}
	return slices.Clone(g.requiredBy[id]), nil
}

// CanDeploy returns nil when release id may be deployed given the
// deployed releases: everything it requires, directly or not, is
// deployed. Otherwise it is a *RuleError (RuleRequiresNotDeployed)
// naming the missing ids; an unknown id is ErrNotFound.
func (g *Graph) CanDeploy(id string, deployed []string) error {
	if err := g.has(id); err != nil {
		return err
	}
	var missing []string
	for _, r := range closure(id, g.requires) {
		if !slices.Contains(deployed, r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return refuse(RuleRequiresNotDeployed, "release %s requires %s, not deployed", id, strings.Join(missing, ", "))
	}
	return nil
}

// CanRemove returns nil when release id may be removed given the
// deployed releases: it is not unremovable, and no deployed release
// requires it, directly or not. Otherwise it is a *RuleError
// (RuleUnremovable, RuleRequiredByDeployed naming the deployed ids); an
// unknown id is ErrNotFound.
func (g *Graph) CanRemove(id string, deployed []string) error {
	if err := g.has(id); err != nil {
		return err
	}
	if g.unremovable[id] {
		return refuse(RuleUnremovable, "release %s is unremovable", id)
	}
	var by []string
	for _, d := range closure(id, g.requiredBy) {
		if slices.Contains(deployed, d) {
			by = append(by, d)
		}
	}
	if len(by) > 0 {
		return refuse(RuleRequiredByDeployed, "release %s is required by %s, deployed", id, strings.Join(by, ", "))
	}
	return nil
}
