package hostmgmthttp_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmthttp"
	"github.com/edgeflock/flock/hostmgmt/hostmgmtsql"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorysql"
)

// swappable is the service the server serves, replaced on a restart.
type swappable struct {
	mu  sync.Mutex
	svc hostmgmt.Service
}

func (s *swappable) get() hostmgmt.Service {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.svc
}

func (s *swappable) Act(ctx context.Context, h string, a hostmgmt.AdminAction) (hostmgmt.HostState, error) {
	return s.get().Act(ctx, h, a)
}

func (s *swappable) GetHostState(ctx context.Context, h string) (hostmgmt.HostState, error) {
	return s.get().GetHostState(ctx, h)
}

func (s *swappable) ListHostStates(ctx context.Context) ([]hostmgmt.HostState, error) {
	return s.get().ListHostStates(ctx)
}

// TestSuiteOverREST runs the conformance suite through the client, the
// handler in front of inventory's, and a Manager over SQLite.
func TestSuiteOverREST(t *testing.T) {
	hostmgmttest.RunServiceSuite(t, func(t *testing.T) *hostmgmttest.Rig {
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
		url := "sqlite://" + filepath.Join(t.TempDir(), "flock.db")
		tm := hostmgmttest.Timings()
		sw := &swappable{}
		start := func(t *testing.T) func() {
			m, err := hostmgmtsql.Open(ctx, url, hostmgmtsql.Options{
				Inventory: inv, Faults: fm, Agents: agents, Heartbeat: agents, BMCs: r.BMCs,
				LockHooks: []hostmgmt.LockHook{r.Hook}, Swacter: r.Swacter, Timings: &tm,
			})
			require.NoError(t, err)
			agents.SetObserver(m)
			sw.mu.Lock()
			sw.svc = m
			sw.mu.Unlock()
			rctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); _ = m.Run(rctx) }()
			return func() { cancel(); <-done; m.Close() }
		}
		stop := start(t)
		t.Cleanup(func() { stop() })
		srv := httptest.NewServer(hostmgmthttp.NewHandler(sw, inventoryhttp.NewHandler(inv, nil), nil))
		t.Cleanup(srv.Close)
		r.Service = hostmgmthttp.NewClient(srv.URL, nil)
		r.Restart = func(t *testing.T) hostmgmt.Service {
			stop()
			stop = start(t)
			return r.Service
		}
		return r
	})
}
