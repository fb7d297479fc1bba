package hawitness

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/edgeflock/flock/ha"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// req is a request of inst at seq.
func req(typ Type, node string, inst InstanceID, seq uint64, d time.Duration) *Message {
	return &Message{Type: typ, Domain: testDomain, Node: node, Instance: inst, Seq: seq, Duration: d}
}

func newTestCore() *core {
	return newCore(10*time.Second, []Domain{{Name: testDomain, Nodes: []string{"a", "b"}}})
}

func TestCoreOneHolder(t *testing.T) {
	c := newTestCore()
	ans, out, _, dirty := c.handle(req(TypeAcquire, "a", instA, 1, 2*time.Second), t0)
	require.Equal(t, outGranted, out)
	assert.True(t, dirty)
	assert.Equal(t, Message{Type: TypeGranted, Domain: testDomain, Node: "a", Instance: instA, Seq: 1, Duration: 2 * time.Second}, ans)

	ans, out, _, _ = c.handle(req(TypeAcquire, "b", instB, 1, 2*time.Second), t0.Add(500*time.Millisecond))
	require.Equal(t, outRefused, out)
	assert.Equal(t, "a", ans.Node)
	assert.Equal(t, 1500*time.Millisecond, ans.Duration, "the holder's remaining time")

	ans, _, _, dirty = c.handle(req(TypeQuery, "a", instB, 2, 0), t0.Add(time.Second))
	assert.Equal(t, TypeLease, ans.Type)
	assert.Equal(t, "a", ans.Node)
	assert.Equal(t, time.Second, ans.Duration)
	assert.False(t, dirty, "a query changes nothing to write")

	// One nanosecond before the end: refused; at the end: granted.
	_, out, _, _ = c.handle(req(TypeAcquire, "b", instB, 3, 2*time.Second), t0.Add(2*time.Second-1))
	require.Equal(t, outRefused, out)
	ans, out, _, _ = c.handle(req(TypeAcquire, "b", instB, 4, 2*time.Second), t0.Add(2*time.Second))
	require.Equal(t, outGranted, out)
	assert.Equal(t, "b", ans.Node)
}

func TestCoreRenewNeverShortens(t *testing.T) {
	c := newTestCore()
	c.handle(req(TypeAcquire, "a", instA, 1, 10*time.Second), t0)
	// A renewal asking less is granted what is left of the longer one.
	ans, out, _, _ := c.handle(req(TypeAcquire, "a", instA, 2, time.Second), t0.Add(time.Second))
	require.Equal(t, outGranted, out)
	assert.Equal(t, 9*time.Second, ans.Duration)
	// Longer than max_lease: max_lease.
	ans, _, _, _ = c.handle(req(TypeAcquire, "a", instA, 3, time.Hour), t0.Add(2*time.Second))
	assert.Equal(t, 10*time.Second, ans.Duration)
	_, out, _, _ = c.handle(req(TypeAcquire, "b", instB, 1, time.Second), t0.Add(11*time.Second))
	assert.Equal(t, outRefused, out, "renewed at 2s for 10s: held until 12s")
}

func TestCoreRelease(t *testing.T) {
	c := newTestCore()
	c.handle(req(TypeAcquire, "a", instA, 1, 10*time.Second), t0)
	// Another node's release, and the holder's from another instance,
	// change nothing.
	other := InstanceID{9}
	for i, r := range []*Message{req(TypeRelease, "b", instB, 1, 0), req(TypeRelease, "a", other, 1, 0)} {
		ans, out, _, _ := c.handle(r, t0)
		require.Equal(t, outReleased, out, i)
		assert.Equal(t, TypeReleased, ans.Type)
		_, out, _, _ = c.handle(req(TypeAcquire, "b", instB, uint64(10+i), time.Second), t0)
		assert.Equal(t, outRefused, out, i)
	}
	_, _, _, dirty := c.handle(req(TypeRelease, "a", instA, 2, 0), t0)
	assert.True(t, dirty)
	_, out, _, _ := c.handle(req(TypeAcquire, "b", instB, 20, time.Second), t0)
	assert.Equal(t, outGranted, out, "released by its holder: the other gets it at once")
}

func TestCoreReplay(t *testing.T) {
	c := newTestCore()
	first, _, _, _ := c.handle(req(TypeAcquire, "a", instA, 5, 2*time.Second), t0)
	// The same request again (a resend, or a replay of the last one) a
	// second later: the cached answer, the lease not extended.
	ans, out, _, dirty := c.handle(req(TypeAcquire, "a", instA, 5, 2*time.Second), t0.Add(time.Second))
	require.Equal(t, outDuplicate, out)
	assert.Equal(t, first, ans)
	assert.False(t, dirty)
	q, _, _, _ := c.handle(req(TypeQuery, "a", instB, 1, 0), t0.Add(time.Second))
	assert.Equal(t, time.Second, q.Duration, "not extended by the duplicate")

	c.handle(req(TypeRelease, "a", instA, 6, 0), t0.Add(time.Second))
	// A replay of the earlier acquire after the release: dropped, the
	// lease stays free.
	_, out, drop, _ := c.handle(req(TypeAcquire, "a", instA, 5, 2*time.Second), t0.Add(time.Second))
	require.Equal(t, outDropped, out)
	assert.Equal(t, DropReplayed, drop)
	_, out, _, _ = c.handle(req(TypeAcquire, "b", instB, 2, time.Second), t0.Add(time.Second))
	assert.Equal(t, outGranted, out)

	// An answer sent to the witness is unexpected.
	_, out, drop, _ = c.handle(&Message{Type: TypeGranted, Domain: testDomain, Instance: instA, Seq: 9}, t0)
	assert.Equal(t, outDropped, out)
	assert.Equal(t, DropUnexpected, drop)
}

func TestCoreRejects(t *testing.T) {
	c := newTestCore()
	for _, tc := range []struct {
		m    *Message
		code Code
	}{
		{&Message{Type: TypeAcquire, Domain: "other", Node: "a", Instance: instA, Seq: 1, Duration: time.Second}, CodeUnknownDomain},
		{req(TypeAcquire, "c", instA, 2, time.Second), CodeNodeNotAllowed},
		{req(TypeQuery, "c", instA, 3, 0), CodeNodeNotAllowed},
		{req(TypeAcquire, "a", instA, 4, 0), CodeBadDuration},
	} {
		ans, out, _, _ := c.handle(tc.m, t0)
		require.Equal(t, outRejected, out, tc.code.String())
		assert.Equal(t, tc.code, ans.Code)
	}
	// Open: any domain, up to MaxDomains leases.
	open := newCore(time.Second, nil)
	for i := range MaxDomains {
		m := &Message{Type: TypeAcquire, Domain: string(rune('A' + i)), Node: "x", Instance: instA, Seq: uint64(i + 1), Duration: time.Second}
		_, out, _, _ := open.handle(m, t0)
		require.Equal(t, outGranted, out, i)
	}
	ans, _, _, _ := open.handle(&Message{Type: TypeAcquire, Domain: "one-more", Node: "x", Instance: instA, Seq: 1000, Duration: time.Second}, t0)
	assert.Equal(t, CodeFull, ans.Code)
}

func TestCoreForgetsOldestClient(t *testing.T) {
	c := newTestCore()
	for i := range MaxClients + 1 {
		c.handle(req(TypeQuery, "a", InstanceID{byte(i + 1), 1}, 1, 0), t0)
	}
	assert.Len(t, c.clients, MaxClients)
	assert.NotContains(t, c.clients, InstanceID{1, 1})
	assert.Contains(t, c.clients, InstanceID{byte(MaxClients + 1), 1})
}

// TestCoreRestart: a restarted witness counts the persisted lease in
// full again from its restart, keeps the holder able to renew, remembers
// the sequences, and without any state holds every lease back.
func TestCoreRestart(t *testing.T) {
	c := newTestCore()
	c.handle(req(TypeAcquire, "a", instA, 7, 4*time.Second), t0)
	snap := c.snapshot(t0.Add(time.Second))
	b, err := json.Marshal(snap)
	require.NoError(t, err)
	st, err := parseState(b)
	require.NoError(t, err)

	restart := t0.Add(time.Hour) // however long it was down
	r := newTestCore()
	r.restore(st, restart)
	_, out, _, _ := r.handle(req(TypeAcquire, "b", instB, 1, time.Second), restart.Add(3*time.Second-1))
	assert.Equal(t, outRefused, out, "3s were left when written: refused for 3s from the restart")
	_, out, _, _ = r.handle(req(TypeAcquire, "b", instB, 2, time.Second), restart.Add(3*time.Second))
	assert.Equal(t, outGranted, out)

	r = newTestCore()
	r.restore(st, restart)
	_, out, drop, _ := r.handle(req(TypeAcquire, "a", instA, 7, time.Second), restart)
	assert.Equal(t, outDropped, out, "the sequence survives the restart")
	assert.Equal(t, DropReplayed, drop)
	ans, out, _, _ := r.handle(req(TypeAcquire, "a", instA, 8, time.Second), restart)
	assert.Equal(t, outGranted, out, "the holder renews across the restart")
	assert.Equal(t, 3*time.Second, ans.Duration)

	// A hold (the state was lost): everyone refused, the query reports it.
	h := newTestCore()
	h.hold = t0.Add(10 * time.Second)
	ans, out, _, _ = h.handle(req(TypeAcquire, "a", instA, 1, time.Second), t0.Add(time.Second))
	assert.Equal(t, outRefused, out)
	assert.Equal(t, "", ans.Node)
	assert.Equal(t, 9*time.Second, ans.Duration)
	ans, _, _, _ = h.handle(req(TypeQuery, "b", instA, 2, 0), t0.Add(time.Second))
	assert.Equal(t, 9*time.Second, ans.Duration)
	st2 := h.snapshot(t0.Add(4 * time.Second))
	assert.Equal(t, int64(6*time.Second), st2.HoldNS, "the hold is persisted as what is left")
	_, out, _, _ = h.handle(req(TypeAcquire, "a", instA, 3, time.Second), t0.Add(10*time.Second))
	assert.Equal(t, outGranted, out)
}

func TestParseStateRefusesBadFiles(t *testing.T) {
	for name, tc := range map[string]struct{ in, field string }{
		"not json":      {`{`, "state"},
		"version":       {`{"version":2}`, "state.version"},
		"unknown type":  {`{"version":1,"leases":3}`, "state"},
		"negative hold": {`{"version":1,"hold_ns":-1}`, "state.hold_ns"},
		"empty domain":  {`{"version":1,"leases":[{"domain":"","holder":"a","instance":"01000000000000000000000000000000","remaining_ns":1}]}`, "state.leases[0].domain"},
		"no holder":     {`{"version":1,"leases":[{"domain":"d","holder":"","instance":"01000000000000000000000000000000","remaining_ns":1}]}`, "state.leases[0].holder"},
		"remaining":     {`{"version":1,"leases":[{"domain":"d","holder":"a","instance":"01000000000000000000000000000000","remaining_ns":0}]}`, "state.leases[0].remaining_ns"},
		"instance":      {`{"version":1,"leases":[{"domain":"d","holder":"a","instance":"00","remaining_ns":1}]}`, "state.leases[0].instance"},
		"zero client":   {`{"version":1,"clients":[{"instance":"00000000000000000000000000000000","seq":1}]}`, "state.clients[0].instance"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseState([]byte(tc.in))
			var fe *ha.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
}

func FuzzParseState(f *testing.F) {
	c := newTestCore()
	c.handle(req(TypeAcquire, "a", instA, 7, 4*time.Second), t0)
	c.hold = t0.Add(time.Second)
	b, _ := json.Marshal(c.snapshot(t0))
	f.Add(b)
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := parseState(b)
		if err != nil {
			var fe *ha.FieldError
			require.ErrorAs(t, err, &fe)
			return
		}
		// A parsed state restores without panicking and holds each
		// lease for at least what it said.
		r := newCore(time.Second, nil)
		r.restore(st, t0)
		for _, l := range st.Leases {
			got := r.leases[l.Domain]
			require.NotNil(t, got)
			require.Equal(t, t0.Add(time.Duration(l.RemainingNS)), got.end)
		}
	})
}

func TestParseStateStrict(t *testing.T) {
	_, err := parseState([]byte(`{"version":1,"extra":1}`))
	require.ErrorIs(t, err, ha.ErrInvalid)
	_, err = parseState([]byte(`{"version":1} {}`))
	require.ErrorIs(t, err, ha.ErrInvalid)
}
