package patchingsql

import (
	"context"
	"fmt"
	"slices"

	"github.com/edgeflock/flock/patching"
)

var _ patching.LegacyCommitter = (*Manager)(nil)

// LegacyCommit is sw-patch commit: each release, deployed, becomes
// committed, in one transaction (all or none).
func (m *Manager) LegacyCommit(ctx context.Context, ids []string) error {
	return m.tx(ctx, func(t *txn) error {
		all, err := t.releases()
		if err != nil {
			return err
		}
		for _, id := range ids {
			i := slices.IndexFunc(all, func(r patching.ReleaseInfo) bool { return r.ID == id })
			if i < 0 {
				return fmt.Errorf("release %q: %w", id, patching.ErrNotFound)
			}
			r := all[i]
			if r.State == patching.ReleaseCommitted {
				continue
			}
			if err := t.setReleaseState(id, r.State, patching.ReleaseCommitted); err != nil {
				return err
			}
		}
		return nil
	})
}
