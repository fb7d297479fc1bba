package inventorysql_test

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorysql"
)

// TestDiskFull: a write the disk has no room for is ErrUnavailable, and
// what was committed before is still there.
func TestDiskFull(t *testing.T) {
	dir := testenv.MountTmpfs(t, "1m")
	m := openURL("sqlite://"+filepath.Join(dir, "flock.db"))(t, nil)
	ctx := t.Context()
	var err error
	n := 0
	for ; n < 10000; n++ {
		if _, err = m.AddHost(ctx, inventory.HostSpec{Hostname: fmt.Sprintf("worker-%d", n), Personality: inventory.PersonalityWorker,
			MgmtMAC: macOf(n + 1)}); err != nil {
			break
		}
		if _, err = m.ReportInventory(ctx, hardware(macOf(n+1), 2, 16, 8, 6)); err != nil {
			break
		}
	}
	require.Error(t, err, "1 MiB fills up")
	assert.ErrorIs(t, err, inventory.ErrUnavailable)
	hs, err := m.ListHosts(ctx)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(hs), n)
	assert.LessOrEqual(t, len(hs), n+1, "the host of a failed report may stay, it was committed before")
}

// TestUnreachable: a PostgreSQL server that does not answer is
// ErrUnavailable.
func TestUnreachable(t *testing.T) {
	port := testenv.FreePort(t)
	db, err := sql.Open("pgx", fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=2", port))
	require.NoError(t, err)
	defer db.Close()
	_, err = inventorysql.New(t.Context(), db, inventorysql.Postgres, nil)
	require.ErrorIs(t, err, inventory.ErrUnavailable)
}

// TestClosed: a closed Manager refuses every call.
func TestClosed(t *testing.T) {
	m := openMemory(t, nil)
	require.NoError(t, m.Close())
	require.NoError(t, m.Close(), "closing twice is harmless")
	_, err := m.ListHosts(t.Context())
	assert.ErrorIs(t, err, inventory.ErrClosed)
	_, err = m.AddHost(t.Context(), inventory.HostSpec{Hostname: "w", Personality: inventory.PersonalityWorker})
	assert.ErrorIs(t, err, inventory.ErrClosed)
	_, err = m.Snapshot(t.Context())
	assert.ErrorIs(t, err, inventory.ErrClosed)
}

// runConcurrentWrites: writers racing for one hostname get one success
// and conflicts, and writers on different hosts all succeed.
func runConcurrentWrites(t *testing.T, open opener) {
	m := open(t, nil)
	ctx := t.Context()
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = m.AddHost(ctx, inventory.HostSpec{Hostname: "same", Personality: inventory.PersonalityWorker, MgmtMAC: macOf(100 + i)})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		var re *inventory.RuleError
		require.True(t, errors.As(err, &re), "%v", err)
		assert.Equal(t, inventory.RuleUniqueHostname, re.Rule)
	}
	assert.Equal(t, 1, ok)
	for i := range n {
		wg.Go(func() {
			mac := macOf(i + 1)
			_, err := m.AddHost(ctx, inventory.HostSpec{Hostname: fmt.Sprintf("worker-%d", i), Personality: inventory.PersonalityWorker, MgmtMAC: mac})
			if err == nil {
				_, err = m.ReportInventory(ctx, hardware(mac, 1, 2, 1, 1))
			}
			if err == nil {
				_, err = m.ListHosts(ctx)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	hs, err := m.ListHosts(ctx)
	require.NoError(t, err)
	assert.Len(t, hs, n+1)
}

func TestConcurrentWrites(t *testing.T) {
	t.Run("memory", func(t *testing.T) { runConcurrentWrites(t, openMemory) })
	t.Run("file", func(t *testing.T) { runConcurrentWrites(t, openURL(sqliteURL(t))) })
}
