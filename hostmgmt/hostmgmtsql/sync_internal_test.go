package hostmgmtsql

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorysql"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// staleList is an inventory whose host list was read before a host was
// added: ListHosts misses it, GetHost finds it.
type staleList struct {
	inventory.HostStatusWriter
	hide string
}

func (s staleList) ListHosts(ctx context.Context) ([]inventory.Host, error) {
	hs, err := s.HostStatusWriter.ListHosts(ctx)
	return slices.DeleteFunc(hs, func(h inventory.Host) bool { return h.UUID == s.hide }), err
}

// TestSyncKeepsAHostAddedMeanwhile: a host that an action resolved after
// sync read inventory's list is not taken for a deleted one (its state
// and outbox would be deleted); a host inventory really lost is removed.
func TestSyncKeepsAHostAddedMeanwhile(t *testing.T) {
	ctx := t.Context()
	inv, err := inventorysql.OpenMemory(ctx, nil)
	require.NoError(t, err)
	t.Cleanup(func() { inv.Close() })
	h := inventorytest.NewLockedHost(t, inv, "worker-0", inventory.PersonalityWorker)
	gone := inventorytest.NewLockedHost(t, inv, "worker-1", inventory.PersonalityWorker)
	m, err := Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "flock.db"), Options{Inventory: staleList{inv, h.UUID}})
	require.NoError(t, err)
	defer m.Close()
	_, err = m.GetHostState(ctx, h.UUID)
	require.NoError(t, err)
	_, err = m.GetHostState(ctx, gone.UUID)
	require.NoError(t, err)
	require.NoError(t, inv.DeleteHost(ctx, gone.UUID))

	require.NoError(t, m.sync(ctx))
	m.mu.Lock()
	_, kept := m.hosts[h.UUID]
	_, removed := m.hosts[gone.UUID]
	removed = !removed
	m.mu.Unlock()
	assert.True(t, kept, "a host inventory has, missing from a stale list, is kept")
	assert.True(t, removed, "a host inventory deleted is removed")
}
