package fault_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
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

func newMemManager(t *testing.T, opts *fault.Options) *fault.Manager {
	t.Helper()
	m, err := fault.Open(t.Context(), faultstore.NewMemoryStore(), opts)
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

// stepStore, once armed, holds each commit until the test lets it through.
type stepStore struct {
	faultstore.Store
	step  chan struct{}
	armed bool
}

func (s *stepStore) Commit(ctx context.Context, ops []faultstore.Op) error {
	if s.armed {
		<-s.step
	}
	return s.Store.Commit(ctx, ops)
}

// TestWritesOfCancelledWaitersAreCommitted: a writer that gives up
// waiting for its batch still has its change committed: it was told
// nothing, but the write was queued, and a write is never half done.
func TestWritesOfCancelledWaitersAreCommitted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := faultstore.NewMemoryStore()
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
		require.NoError(t, m.Close(t.Context())) // waits for the commits in progress
		state, err := inner.Load(t.Context())
		require.NoError(t, err)
		hosts := []string{}
		for _, r := range state.Alarms {
			var a fault.Alarm
			require.NoError(t, json.Unmarshal(r.Body, &a))
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

// heldStore holds every commit, once armed, until the test releases it
// (one receive per commit), and can fail it instead.
type heldStore struct {
	faultstore.Store
	mu      sync.Mutex
	armed   bool
	release chan error
}

func newHeldStore() *heldStore {
	return &heldStore{Store: faultstore.NewMemoryStore(), release: make(chan error)}
}

func (s *heldStore) arm(on bool) {
	s.mu.Lock()
	s.armed = on
	s.mu.Unlock()
}

func (s *heldStore) Commit(ctx context.Context, ops []faultstore.Op) error {
	s.mu.Lock()
	armed := s.armed
	s.mu.Unlock()
	if armed {
		if err := <-s.release; err != nil {
			return err
		}
	}
	return s.Store.Commit(ctx, ops)
}

// TestNothingVisibleBeforeDurable: while a write's commit is in flight,
// no list, get, summary, event list or notifier sees it; once committed,
// all do; a write whose commit fails is never seen.
func TestNothingVisibleBeforeDurable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, stop := context.WithCancel(t.Context())
		st := newHeldStore()
		rec := &recorder{}
		m, err := fault.Open(ctx, st, &fault.Options{Notifiers: []fault.Notifier{rec}})
		require.NoError(t, err)
		runDone := make(chan error)
		go func() { runDone <- m.Run(ctx) }()
		st.arm(true)

		seen := func() (alarms, events int, summary fault.Summary) {
			as, err := m.ListAlarms(ctx, fault.AlarmQuery{IncludeMasked: true, IncludeSuppressed: true})
			require.NoError(t, err)
			es, err := m.ListEvents(ctx, fault.EventQuery{IncludeSuppressed: true})
			require.NoError(t, err)
			sum, err := m.Summary(ctx, true)
			require.NoError(t, err)
			return len(as), len(es), sum
		}
		for _, outcome := range []error{errors.New("disk on fire"), nil} {
			res := make(chan error)
			go func() {
				_, err := m.SetAlarm(ctx, faulttest.CPUAlarm("c-0", fault.SeverityCritical))
				res <- err
			}()
			synctest.Wait() // the commit is in flight
			as, es, sum := seen()
			assert.Zero(t, as, "an alarm listed before its commit")
			assert.Zero(t, es, "an event listed before its commit")
			assert.Zero(t, sum.Critical, "an alarm counted before its commit")
			assert.Empty(t, rec.kinds(), "a notifier told before the commit")
			st.release <- outcome
			err := <-res
			synctest.Wait()
			if outcome != nil {
				require.ErrorIs(t, err, fault.ErrUnavailable)
				as, es, _ := seen()
				assert.Zero(t, as+es, "a failed write became visible")
				assert.Empty(t, rec.kinds())
				continue
			}
			require.NoError(t, err)
			as, es, sum = seen()
			assert.Equal(t, 1, as)
			assert.Equal(t, 1, es)
			assert.Equal(t, 1, sum.Critical)
			assert.Equal(t, []fault.NotificationKind{fault.NotifySet}, rec.kinds())
		}
		st.arm(false)
		stop()
		require.NoError(t, <-runDone)
		require.NoError(t, m.Close(t.Context()))
	})
}

// TestAnswersWaitForTheStateTheyReport: keep_existing returns the uuid of
// an alarm whose own commit is still in flight, and a suppression request
// finds the state it asks for in flight: neither answers before that
// state is durable, nor at all if its commit fails.
func TestAnswersWaitForTheStateTheyReport(t *testing.T) {
	for _, fails := range []bool{false, true} {
		t.Run(fmt.Sprintf("commit fails %v", fails), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				st := newHeldStore()
				m, err := fault.Open(ctx, st, nil)
				require.NoError(t, err)
				st.arm(true)
				type answer struct {
					id  string
					err error
				}
				first, keep, supp1, supp2 := make(chan answer, 1), make(chan answer, 1), make(chan answer, 1), make(chan answer, 1)
				go func() {
					id, err := m.SetAlarm(ctx, faulttest.CPUAlarm("c-0", fault.SeverityMajor))
					first <- answer{id, err}
				}()
				go func() {
					s, err := m.SetSuppression(ctx, "200.005", fault.Suppressed)
					supp1 <- answer{string(s.SuppressionStatus), err}
				}()
				synctest.Wait() // one batch in flight, or two writes queued behind one
				go func() {
					a := faulttest.CPUAlarm("c-0", fault.SeverityCritical)
					a.KeepExisting = true
					id, err := m.SetAlarm(ctx, a)
					keep <- answer{id, err}
				}()
				go func() {
					s, err := m.SetSuppression(ctx, "200.005", fault.Suppressed)
					supp2 <- answer{string(s.SuppressionStatus), err}
				}()
				synctest.Wait()
				assert.Empty(t, keep, "keep_existing answered before the alarm it names was durable")
				assert.Empty(t, supp2, "a suppression answered before its state was durable")
				var outcome error
				if fails {
					outcome = errors.New("disk full")
				}
				// Release commits until every answer is in.
				for len(first)+len(keep)+len(supp1)+len(supp2) < 4 {
					select {
					case st.release <- outcome:
						outcome = nil
					default:
					}
					synctest.Wait()
				}
				st.arm(false)
				f, k := <-first, <-keep
				if fails && f.err != nil {
					require.ErrorIs(t, f.err, fault.ErrUnavailable)
					// The keep_existing write came later: it found no alarm
					// and raised its own.
					require.NoError(t, k.err)
					got, err := m.GetAlarm(ctx, k.id)
					require.NoError(t, err)
					assert.Equal(t, fault.SeverityCritical, got.Severity)
				} else {
					require.NoError(t, f.err)
					require.NoError(t, k.err)
					assert.Equal(t, f.id, k.id)
				}
				for _, s := range []answer{<-supp1, <-supp2} {
					if s.err == nil {
						assert.Equal(t, string(fault.Suppressed), s.id)
					}
				}
				ss, err := m.ListSuppressions(ctx)
				require.NoError(t, err)
				for _, s := range ss {
					if s.AlarmID == "200.005" {
						assert.Equal(t, fault.Suppressed, s.SuppressionStatus)
					}
				}
				require.NoError(t, m.Close(ctx))
			})
		})
	}
}

// TestStoreFailureFailsWritesAndReadsGoOn: while the store refuses
// commits (a full disk), writes fail with ErrUnavailable, Health says
// why, reads keep answering from the committed state; when the store
// takes writes again, so does the manager, without a restart.
func TestStoreFailureFailsWritesAndReadsGoOn(t *testing.T) {
	st := faultstore.NewMemoryStore()
	m, err := fault.Open(t.Context(), st, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close(t.Context()) })
	ctx := t.Context()
	_, err = m.SetAlarm(ctx, faulttest.CPUAlarm("before", fault.SeverityMajor))
	require.NoError(t, err)
	require.NoError(t, m.Health())

	full := errors.New("database or disk is full")
	st.FailCommits(1000, full)
	for i := range 5 {
		_, err = m.SetAlarm(ctx, faulttest.CPUAlarm(fmt.Sprint("during-", i), fault.SeverityMajor))
		require.ErrorIs(t, err, fault.ErrUnavailable)
		assert.ErrorContains(t, err, "disk is full")
	}
	require.ErrorIs(t, m.ClearAlarm(ctx, "100.101", "host=before"), fault.ErrUnavailable)
	require.ErrorIs(t, m.Health(), fault.ErrUnavailable)
	assert.ErrorContains(t, m.Health(), "disk is full")
	as, err := m.ListAlarms(ctx, fault.AlarmQuery{})
	require.NoError(t, err, "reads go on")
	require.Len(t, as, 1)
	assert.Equal(t, "host=before", as[0].EntityInstanceID)

	st.FailCommits(0, nil)
	_, err = m.SetAlarm(ctx, faulttest.CPUAlarm("after", fault.SeverityMajor))
	require.NoError(t, err)
	require.NoError(t, m.Health())
	as, err = m.ListAlarms(ctx, fault.AlarmQuery{})
	require.NoError(t, err)
	assert.Len(t, as, 2)
}

// committedThenFailed makes its armed commit durable and still reports
// an error, as a connection lost during COMMIT does.
type committedThenFailed struct {
	faultstore.Store
	armed bool
}

func (s *committedThenFailed) Commit(ctx context.Context, ops []faultstore.Op) error {
	err := s.Store.Commit(ctx, ops)
	if s.armed && err == nil {
		s.armed = false
		return errors.New("connection reset during COMMIT")
	}
	return err
}

// TestAmbiguousCommitFailureRereadsTheStore: a commit reported failed may
// still have happened; the manager reads the store back, so what it
// serves is the store's truth, not its own guess.
func TestAmbiguousCommitFailureRereadsTheStore(t *testing.T) {
	st := &committedThenFailed{Store: faultstore.NewMemoryStore()}
	m, err := fault.Open(t.Context(), st, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close(t.Context()) })
	st.armed = true
	_, err = m.SetAlarm(t.Context(), faulttest.CPUAlarm("maybe", fault.SeverityMajor))
	require.ErrorIs(t, err, fault.ErrUnavailable)
	as, err := m.ListAlarms(t.Context(), fault.AlarmQuery{})
	require.NoError(t, err)
	require.Len(t, as, 1, "the store holds the alarm, so the manager serves it")
	// The next write is made on the store's state: a clear finds the alarm.
	require.NoError(t, m.ClearAlarm(t.Context(), "100.101", "host=maybe"))
}

// TestTextsAreCheckedForInvisibleTricks: invalid UTF-8, control
// characters and bidirectional overrides are refused in entity ids and
// texts, naming the field, and nothing is written.
func TestTextsAreCheckedForInvisibleTricks(t *testing.T) {
	m := newMemManager(t, nil)
	for name, tc := range map[string]struct {
		edit  func(a *fault.Alarm)
		field string
	}{
		"invalid utf-8 in entity":  {func(a *fault.Alarm) { a.EntityInstanceID = "host=c\xff0" }, "entity_instance_id"},
		"C1 control in entity":     {func(a *fault.Alarm) { a.EntityInstanceID = "host=c\u00850" }, "entity_instance_id"},
		"bidi override in entity":  {func(a *fault.Alarm) { a.EntityInstanceID = "host=\u202ec-0" }, "entity_instance_id"},
		"bidi isolate in reason":   {func(a *fault.Alarm) { a.ReasonText = "CPU \u2066high\u2069" }, "reason_text"},
		"newline in repair":        {func(a *fault.Alarm) { a.ProposedRepairAction = "a\nb" }, "proposed_repair_action"},
		"invalid utf-8 in type id": {func(a *fault.Alarm) { a.EntityTypeID = "ho\xc0st" }, "entity_type_id"},
	} {
		t.Run(name, func(t *testing.T) {
			a := faulttest.CPUAlarm("c-0", fault.SeverityMajor)
			tc.edit(&a)
			_, err := m.SetAlarm(t.Context(), a)
			require.ErrorIs(t, err, fault.ErrInvalid)
			var fe *fault.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
	as, err := m.ListAlarms(t.Context(), fault.AlarmQuery{})
	require.NoError(t, err)
	assert.Empty(t, as)
	// Text in any script stays allowed.
	a := faulttest.CPUAlarm("контроллер-0", fault.SeverityMajor)
	a.ReasonText = "CPU 使用率が高い"
	_, err = m.SetAlarm(t.Context(), a)
	require.NoError(t, err)
}
