package hostmgmtsql_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmtsql"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory/inventorysql"
)

// rigOver returns a rig factory whose Manager keeps its state in the
// database dbURL(t) gives (one per case), beside an inventory in memory
// and fault management in memory.
func rigOver(dbURL func(t *testing.T) string) func(t *testing.T) *hostmgmttest.Rig {
	return func(t *testing.T) *hostmgmttest.Rig {
		ctx := t.Context()
		inv, err := inventorysql.OpenMemory(ctx, nil)
		require.NoError(t, err)
		t.Cleanup(func() { inv.Close() })
		fm, err := fault.Open(ctx, faultstore.NewMemoryStore(), nil)
		require.NoError(t, err)
		t.Cleanup(func() { fm.Close(context.Background()) })
		agents := hostmgmttest.NewFakeAgents()
		t.Cleanup(agents.Wait)
		r := &hostmgmttest.Rig{
			Inventory: inv, Faults: fm, Agents: agents,
			BMCs: hostmgmttest.NewFakeBMCs(agents), Hook: &hostmgmttest.FakeHook{}, Swacter: &hostmgmttest.FakeSwacter{},
		}
		url := dbURL(t)
		tm := hostmgmttest.Timings()
		start := func(t *testing.T) (*hostmgmtsql.Manager, context.CancelFunc) {
			m, err := hostmgmtsql.Open(ctx, url, hostmgmtsql.Options{
				Inventory: inv, Faults: fm, Agents: agents, Heartbeat: agents, BMCs: r.BMCs,
				LockHooks: []hostmgmt.LockHook{r.Hook}, Swacter: r.Swacter, Timings: &tm,
			})
			require.NoError(t, err)
			agents.SetObserver(m)
			rctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); _ = m.Run(rctx) }()
			return m, func() { cancel(); <-done; m.Close() }
		}
		m, stop := start(t)
		t.Cleanup(func() { stop() })
		r.Service = m
		r.Restart = func(t *testing.T) hostmgmt.Service {
			stop()
			m, stop = start(t)
			return m
		}
		return r
	}
}

func TestSuiteSQLite(t *testing.T) {
	hostmgmttest.RunServiceSuite(t, rigOver(func(t *testing.T) string {
		return "sqlite://" + filepath.Join(t.TempDir(), "flock.db")
	}))
}

func TestSuitePostgres(t *testing.T) {
	pg := testenv.StartPostgres(t)
	hostmgmttest.RunServiceSuite(t, rigOver(func(t *testing.T) string { return pg.NewDatabase(t) }))
}
