package fault_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unique"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulttest"
)

func newMemManager(t *testing.T, opts *fault.Options) *fault.Manager {
	t.Helper()
	m, err := fault.Open(t.Context(), fault.NewMemoryStore(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close(t.Context()) })
	return m
}

func TestMemoryConformance(t *testing.T) {
	faulttest.RunServiceSuite(t, func(t *testing.T) fault.Service { return newMemManager(t, nil) })
}

// TestListOrderUnderChurn: after random sets, overwrites, clears and
// clear-alls, the default listing is every alarm in raise order, and
// reversed with SortDesc.
func TestListOrderUnderChurn(t *testing.T) {
	m := newMemManager(t, nil)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(1, 2))
	raised := map[string]int{} // entity -> when its alarm was first raised (since its last clear)
	for i := range 3000 {
		host := "h" + strconv.Itoa(rng.IntN(300))
		eid := "host=" + host
		switch op := rng.IntN(10); {
		case op < 6:
			_, err := m.SetAlarm(ctx, faulttest.CPUAlarm(host, fault.SeverityMajor))
			require.NoError(t, err)
			if _, ok := raised[eid]; !ok {
				raised[eid] = i
			}
		case op < 9:
			_ = m.ClearAlarm(ctx, "100.101", eid)
			delete(raised, eid)
		default:
			_, err := m.ClearAll(ctx, eid)
			require.NoError(t, err)
			delete(raised, eid)
		}
		if i%250 != 0 {
			continue
		}
		asc, err := m.ListAlarms(ctx, fault.AlarmQuery{})
		require.NoError(t, err)
		byTime, err := m.ListAlarms(ctx, fault.AlarmQuery{SortKey: "uuid"})
		require.NoError(t, err)
		require.Len(t, asc, len(byTime), "the ordered list holds every alarm once")
		require.Len(t, asc, len(raised))
		desc, err := m.ListAlarms(ctx, fault.AlarmQuery{SortDesc: true})
		require.NoError(t, err)
		for j := range asc {
			if j > 0 {
				require.Less(t, raised[asc[j-1].EntityInstanceID], raised[asc[j].EntityInstanceID], "raise order")
			}
			require.Equal(t, asc[j].UUID, desc[len(desc)-1-j].UUID)
		}
	}
}

// countingStore records the size of every Commit.
type countingStore struct {
	fault.Store
	mu      sync.Mutex
	commits []int
}

func (s *countingStore) Commit(ctx context.Context, ops []fault.Op) error {
	s.mu.Lock()
	s.commits = append(s.commits, len(ops))
	s.mu.Unlock()
	return s.Store.Commit(ctx, ops)
}

// TestLeaderLetsRunnableWritersJoin: with one P and two writers ready to
// run, the first to reach the committer yields before it commits, so the
// second joins its batch: one store commit for both (without the yield,
// two). This is what keeps group commit gathering when a commit's
// synchronous write holds a thread (see leadYields).
func TestLeaderLetsRunnableWritersJoin(t *testing.T) {
	st := &countingStore{Store: fault.NewMemoryStore()}
	m, err := fault.Open(t.Context(), st, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close(t.Context()) })
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for round := range 5 {
		st.mu.Lock()
		st.commits = nil
		st.mu.Unlock()
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Go(func() {
				_, err := m.SetAlarm(t.Context(), faulttest.CPUAlarm(fmt.Sprintf("r%d-w%d", round, w), fault.SeverityMajor))
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		st.mu.Lock()
		assert.Len(t, st.commits, 1, "round %d: commits of %v ops", round, st.commits)
		st.mu.Unlock()
	}
}

// stepStore, once armed, holds each commit until the test lets it through.
type stepStore struct {
	fault.Store
	step  chan struct{}
	armed bool
}

func (s *stepStore) Commit(ctx context.Context, ops []fault.Op) error {
	if s.armed {
		<-s.step
	}
	return s.Store.Commit(ctx, ops)
}

// TestWritesOfCancelledWaitersAreCommitted: a writer that gives up
// waiting for its batch still has its change committed (the leader
// commits every batch that opens while it writes): the manager's state
// already holds the change, and the store must hold it too.
func TestWritesOfCancelledWaitersAreCommitted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := fault.NewMemoryStore()
		st := &stepStore{Store: inner, step: make(chan struct{})}
		m, err := fault.Open(t.Context(), st, nil)
		require.NoError(t, err)
		st.armed = true
		first := make(chan error, 1)
		go func() {
			_, err := m.SetAlarm(t.Context(), faulttest.CPUAlarm("first", fault.SeverityMajor))
			first <- err
		}()
		synctest.Wait()
		ctx, cancel := context.WithCancel(t.Context())
		second := make(chan error, 1)
		go func() {
			_, err := m.SetAlarm(ctx, faulttest.CPUAlarm("second", fault.SeverityMajor))
			second <- err
		}()
		synctest.Wait()
		cancel()
		require.ErrorIs(t, <-second, context.Canceled)
		close(st.step)
		require.NoError(t, <-first)
		state, err := inner.Load(t.Context())
		require.NoError(t, err)
		require.NoError(t, m.Close(t.Context()))
		hosts := []string{}
		for _, a := range state.Alarms {
			hosts = append(hosts, a.EntityInstanceID)
		}
		assert.ElementsMatch(t, []string{"host=first", "host=second"}, hosts)
	})
}

// TestCommitLeadershipSurvivesCancellation: writers whose context ends
// while they wait (or that were handed the leadership) never strand the
// others.
func TestCommitLeadershipSurvivesCancellation(t *testing.T) {
	m := newMemManager(t, nil)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for g := range 64 {
			wg.Go(func() {
				for i := range 200 {
					ctx := t.Context()
					if (g+i)%3 == 0 {
						ctx = cancelled
					}
					_, _ = m.SetAlarm(ctx, faulttest.CPUAlarm(fmt.Sprintf("h%d-%d", g, i%20), fault.SeverityMajor))
				}
			})
		}
		wg.Wait()
		// A last write with a live context goes through.
		_, err := m.SetAlarm(t.Context(), faulttest.CPUAlarm("last", fault.SeverityMajor))
		assert.NoError(t, err)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("writers stranded: the commit leadership was lost")
	}
	as, err := m.ListAlarms(t.Context(), fault.AlarmQuery{EntityPrefix: "host=last"})
	require.NoError(t, err)
	assert.Len(t, as, 1)
}

// TestRepeatedStringsAreShared: alarms of one kind share one copy of their
// repeated strings, on a first set and on every overwrite, whether the
// text stays or changes.
func TestRepeatedStringsAreShared(t *testing.T) {
	m := newMemManager(t, nil)
	shared := func(s string) bool {
		return unsafe.StringData(s) == unsafe.StringData(unique.Make(s).Value())
	}
	set := func(reason, repair string) fault.Alarm {
		a := faulttest.CPUAlarm("compute-0", fault.SeverityMajor)
		// Fresh copies, as a decoded request has them.
		a.ReasonText, a.ProposedRepairAction = strings.Clone(reason), strings.Clone(repair)
		a.EntityTypeID = strings.Clone(a.EntityTypeID)
		a.EntityInstanceID = strings.Clone(a.EntityInstanceID)
		id, err := m.SetAlarm(t.Context(), a)
		require.NoError(t, err)
		got, err := m.GetAlarm(t.Context(), id)
		require.NoError(t, err)
		require.Equal(t, reason, got.ReasonText)
		return got
	}
	var eid *byte // the first set's entity instance id, which overwrites keep
	for _, step := range []struct{ reason, repair string }{
		{"Platform CPU threshold exceeded", "Reduce the load"}, // first set
		{"Platform CPU threshold exceeded", "Reduce the load"}, // overwrite, same texts
		{"Platform CPU threshold exceeded; 95%", "Reduce the load"},
		{"Platform CPU threshold exceeded; 95%", "Add a host"},
	} {
		got := set(step.reason, step.repair)
		for name, s := range map[string]string{"entity_type_id": got.EntityTypeID, "reason_text": got.ReasonText,
			"proposed_repair_action": got.ProposedRepairAction, "alarm_id": got.AlarmID} {
			assert.True(t, shared(s), "%s %q is a copy of its own", name, s)
		}
		if eid == nil {
			eid = unsafe.StringData(got.EntityInstanceID)
		}
		assert.Same(t, eid, unsafe.StringData(got.EntityInstanceID), "an overwrite keeps a copy of the entity instance id of its own")
	}
}
