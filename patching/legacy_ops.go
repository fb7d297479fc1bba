package patching

import "context"

// Rules of the legacy sw-patch verbs mapped onto USM's deploy
// (patchinghttp's legacy API); RuleError.Rule holds them.
const (
	// RuleLegacyUnmapped: the sw-patch operation has no honest USM
	// equivalent in this state (several releases at once, removing a
	// release whose deploy is finished, an engine without commit); the
	// reason says which and what to do instead.
	RuleLegacyUnmapped = "legacy-unmapped"
	// RuleLegacyCommit: sw-patch commit refused: a release is not REL,
	// or not applied on every host.
	RuleLegacyCommit = "legacy-commit"
	// RuleLegacyInstalling: sw-patch apply or remove while a host is
	// installing ("Rejected: One or more nodes are installing patches").
	RuleLegacyInstalling = "legacy-installing"
)

// LegacyCommitter is an engine's optional ability to commit releases
// (sw-patch commit): each id, deployed, becomes committed — it can no
// longer be removed nor deleted. Ids already committed are left as they
// are; an id in another state is a *RuleError (RuleReleaseTransition)
// and nothing changes; an unknown id is ErrNotFound. Detect it by type
// assertion.
type LegacyCommitter interface {
	LegacyCommit(ctx context.Context, ids []string) error
}
