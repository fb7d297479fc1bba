package fault_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/fault/faulttest"
)

type recorder struct {
	mu    sync.Mutex
	notes []fault.Notification
}

func (r *recorder) Notify(ctx context.Context, n fault.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, n)
	return nil
}

func (r *recorder) kinds() []fault.NotificationKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []fault.NotificationKind
	for _, n := range r.notes {
		out = append(out, n.Kind)
	}
	return out
}

// TestSuppressionChangesAreBatched: changes within the delay give one
// notification, after the delay (StarlingX's 30 s warmStart window).
func TestSuppressionChangesAreBatched(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		rec := &recorder{}
		m, err := fault.Open(ctx, faultstore.NewMemoryStore(), &fault.Options{Notifiers: []fault.Notifier{rec}})
		require.NoError(t, err)
		runDone := make(chan error)
		go func() { runDone <- m.Run(ctx) }()
		_, err = m.SetSuppression(ctx, "100.101", fault.Suppressed)
		require.NoError(t, err)
		time.Sleep(10 * time.Second)
		_, err = m.SetSuppression(ctx, "200.005", fault.Suppressed)
		require.NoError(t, err)
		synctest.Wait()
		assert.Empty(t, rec.kinds(), "nothing before the window closes")
		time.Sleep(21 * time.Second)
		synctest.Wait()
		assert.Equal(t, []fault.NotificationKind{fault.NotifySuppressionChanged}, rec.kinds())
		// A suppressed id notifies nothing; its history is still written.
		_, err = m.SetAlarm(ctx, faulttest.CPUAlarm("controller-0", fault.SeverityMajor))
		require.NoError(t, err)
		_, err = m.SetAlarm(ctx, faulttest.LockedAlarm("controller-0"))
		require.NoError(t, err)
		synctest.Wait()
		assert.Equal(t, []fault.NotificationKind{fault.NotifySuppressionChanged, fault.NotifySet}, rec.kinds())
		es, err := m.ListEvents(ctx, fault.EventQuery{IncludeSuppressed: true})
		require.NoError(t, err)
		assert.Len(t, es, 2)
		stop()
		require.NoError(t, <-runDone)
		require.NoError(t, m.Close(context.Background()))
	})
}

// TestEventLogIsARing keeps the newest EventLogSize records.
func TestEventLogIsARing(t *testing.T) {
	m := newMemManager(t, &fault.Options{EventLogSize: 3})
	for i := range 5 {
		_, err := m.SetAlarm(t.Context(), faulttest.CPUAlarm("c"+string(rune('0'+i)), fault.SeverityMajor))
		require.NoError(t, err)
	}
	es, err := m.ListEvents(t.Context(), fault.EventQuery{})
	require.NoError(t, err)
	require.Len(t, es, 3)
	assert.Equal(t, "host=c4", es[0].EntityInstanceID)
	assert.Equal(t, "host=c2", es[2].EntityInstanceID)
}

type failingStore struct {
	faultstore.Store
	fail bool
}

func (f *failingStore) Commit(ctx context.Context, ops []faultstore.Op) error {
	if f.fail {
		return assert.AnError
	}
	return f.Store.Commit(ctx, ops)
}

// TestFailedCommitChangesNothing: a write the store refused is reported as
// unavailable and is not visible afterwards.
func TestFailedCommitChangesNothing(t *testing.T) {
	st := &failingStore{Store: faultstore.NewMemoryStore()}
	m, err := fault.Open(t.Context(), st, nil)
	require.NoError(t, err)
	defer m.Close(t.Context())
	_, err = m.SetAlarm(t.Context(), faulttest.CPUAlarm("a", fault.SeverityMajor))
	require.NoError(t, err)
	st.fail = true
	_, err = m.SetAlarm(t.Context(), faulttest.CPUAlarm("b", fault.SeverityMajor))
	require.ErrorIs(t, err, fault.ErrUnavailable)
	st.fail = false
	as, err := m.ListAlarms(t.Context(), fault.AlarmQuery{})
	require.NoError(t, err)
	require.Len(t, as, 1, "the refused alarm is not there")
	assert.Equal(t, "host=a", as[0].EntityInstanceID)
}

// gatedStore, once armed, fails its first commit after holding it until
// gate closes, and counts the commits.
type gatedStore struct {
	faultstore.Store
	gate  chan struct{}
	armed bool
	calls int
}

func (g *gatedStore) Commit(ctx context.Context, ops []faultstore.Op) error {
	if !g.armed {
		return g.Store.Commit(ctx, ops)
	}
	g.calls++ // commits never run concurrently
	if g.calls == 1 {
		<-g.gate
		return assert.AnError
	}
	return g.Store.Commit(ctx, ops)
}

// TestWriteQueuedBehindAFailedCommitIsPreparedAfresh: a write that
// queued while a failing commit was being written is prepared after it,
// on the store's state, and succeeds; only the failed batch's writes fail.
func TestWriteQueuedBehindAFailedCommitIsPreparedAfresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &gatedStore{Store: faultstore.NewMemoryStore(), gate: make(chan struct{})}
		m, err := fault.Open(t.Context(), st, nil)
		require.NoError(t, err)
		defer m.Close(t.Context())
		st.armed = true
		first, queued := make(chan error, 1), make(chan error, 1)
		set := func(host string, res chan error) {
			_, err := m.SetAlarm(t.Context(), faulttest.CPUAlarm(host, fault.SeverityMajor))
			res <- err
		}
		go set("first", first)
		synctest.Wait() // the first write is in the store's commit
		go set("queued", queued)
		synctest.Wait() // the second waits for the next batch
		close(st.gate)
		require.ErrorIs(t, <-first, fault.ErrUnavailable)
		require.NoError(t, <-queued)
		assert.Equal(t, 2, st.calls)
		as, err := m.ListAlarms(t.Context(), fault.AlarmQuery{})
		require.NoError(t, err)
		require.Len(t, as, 1)
		assert.Equal(t, "host=queued", as[0].EntityInstanceID)
	})
}

// TestManagersInsideAndOutsideSynctest: a manager used inside a
// testing/synctest bubble shares nothing with one used outside it (a
// channel made in a bubble and used outside it is a fatal error, so a
// process-wide pool of commit requests once broke the next test).
func TestManagersInsideAndOutsideSynctest(t *testing.T) {
	setTen := func(t *testing.T) {
		m, err := fault.Open(t.Context(), faultstore.NewMemoryStore(), nil)
		require.NoError(t, err)
		for i := range 10 {
			_, err := m.SetAlarm(t.Context(), faulttest.CPUAlarm(fmt.Sprintf("c-%d", i), fault.SeverityMajor))
			require.NoError(t, err)
		}
		require.NoError(t, m.Close(t.Context()))
	}
	for range 3 {
		synctest.Test(t, setTen)
		setTen(t)
	}
}
