// Package storetest is the conformance suite of faultstore.Store. Flock
// runs it against MemoryStore and against faultsql on SQLite and
// PostgreSQL; an integrator runs it against their own store:
//
//	func TestMyStore(t *testing.T) {
//		storetest.RunStoreSuite(t, func(t *testing.T) storetest.Opener {
//			dir := t.TempDir()
//			return func(t *testing.T) faultstore.Store { return openMine(t, dir) }
//		})
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault/faultstore"
)

// Opener opens the store under test. Each call opens the same data, as a
// process restarting would: the suite closes (or, to stand for a crash,
// abandons) the previous store before it opens the next. The opener
// registers its own cleanup.
type Opener func(t *testing.T) faultstore.Store

// RunStoreSuite runs the suite. newStore is called once per subtest and
// returns an Opener over fresh, empty data.
func RunStoreSuite(t *testing.T, newStore func(t *testing.T) Opener) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

type testCase struct {
	name string
	run  func(t *testing.T, open Opener)
}

func body(s string) []byte { return []byte(`{"k":"` + s + `"}`) }

func commit(t *testing.T, s faultstore.Store, ops ...faultstore.Op) {
	t.Helper()
	require.NoError(t, s.Commit(t.Context(), ops))
}

func load(t *testing.T, s faultstore.Store) *faultstore.Snapshot {
	t.Helper()
	snap, err := s.Load(t.Context())
	require.NoError(t, err)
	return snap
}

func putAlarm(seq int64, b string) faultstore.Op {
	return faultstore.Op{Kind: faultstore.PutAlarm, Seq: seq, Body: body(b)}
}
func delAlarm(seq int64) faultstore.Op { return faultstore.Op{Kind: faultstore.DeleteAlarm, Seq: seq} }
func putEvent(seq int64) faultstore.Op {
	return faultstore.Op{Kind: faultstore.PutEvent, Seq: seq, Body: body(fmt.Sprint("e", seq))}
}

// bodies renders records as "seq=body" for readable comparisons.
func bodies(rs []faultstore.Record) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%d=%s", r.Seq, r.Body))
	}
	return out
}

func reopen(t *testing.T, s faultstore.Store, open Opener) faultstore.Store {
	t.Helper()
	require.NoError(t, s.Close())
	return open(t)
}

var cases = []testCase{
	{"Empty", func(t *testing.T, open Opener) {
		snap := load(t, open(t))
		assert.Empty(t, snap.Alarms)
		assert.Empty(t, snap.Events)
		assert.Empty(t, snap.Suppressions)
	}},
	{"AlarmsPutOverwriteDelete", func(t *testing.T, open Opener) {
		s := open(t)
		commit(t, s, putAlarm(3, "c"), putAlarm(1, "a"), putAlarm(2, "b"))
		commit(t, s, putAlarm(1, "a2"), delAlarm(2), delAlarm(99))
		assert.Equal(t, []string{`1={"k":"a2"}`, `3={"k":"c"}`}, bodies(load(t, s).Alarms))
		s = reopen(t, s, open)
		assert.Equal(t, []string{`1={"k":"a2"}`, `3={"k":"c"}`}, bodies(load(t, s).Alarms), "after a restart")
	}},
	{"OpsApplyInOrder", func(t *testing.T, open Opener) {
		s := open(t)
		commit(t, s, putAlarm(1, "a"), delAlarm(1), putAlarm(2, "b"), putAlarm(2, "b2"), delAlarm(3), putAlarm(3, "c"))
		assert.Equal(t, []string{`2={"k":"b2"}`, `3={"k":"c"}`}, bodies(load(t, s).Alarms))
	}},
	{"EventsAndTrim", func(t *testing.T, open Opener) {
		s := open(t)
		var ops []faultstore.Op
		for seq := int64(1); seq <= 10; seq++ {
			ops = append(ops, putEvent(seq))
		}
		commit(t, s, ops...)
		commit(t, s, putEvent(11), faultstore.Op{Kind: faultstore.TrimEvents, Seq: 7})
		snap := load(t, s)
		assert.Equal(t, []string{`8={"k":"e8"}`, `9={"k":"e9"}`, `10={"k":"e10"}`, `11={"k":"e11"}`}, bodies(snap.Events))
		s = reopen(t, s, open)
		assert.Equal(t, bodies(snap.Events), bodies(load(t, s).Events), "after a restart")
	}},
	{"Suppressions", func(t *testing.T, open Opener) {
		s := open(t)
		put := func(id, uuid, st string) faultstore.Op {
			return faultstore.Op{Kind: faultstore.PutSuppression, Suppression: faultstore.Suppression{AlarmID: id, UUID: uuid, Status: st}}
		}
		commit(t, s, put("100.101", "u1", "unsuppressed"), put("200.001", "u2", "unsuppressed"))
		commit(t, s, put("100.101", "u1", "suppressed"))
		s = reopen(t, s, open)
		got := map[string]faultstore.Suppression{}
		for _, r := range load(t, s).Suppressions {
			got[r.AlarmID] = r
		}
		assert.Equal(t, map[string]faultstore.Suppression{
			"100.101": {AlarmID: "100.101", UUID: "u1", Status: "suppressed"},
			"200.001": {AlarmID: "200.001", UUID: "u2", Status: "unsuppressed"},
		}, got)
	}},
	{"BadOpChangesNothing", func(t *testing.T, open Opener) {
		s := open(t)
		commit(t, s, putAlarm(1, "a"))
		err := s.Commit(t.Context(), []faultstore.Op{putAlarm(2, "b"), delAlarm(1), {Kind: faultstore.OpKind(99)}})
		require.Error(t, err)
		err = s.Commit(t.Context(), []faultstore.Op{putAlarm(2, "b"), {Kind: faultstore.PutEvent, Seq: 1}})
		require.Error(t, err, "a put without a body")
		assert.Equal(t, []string{`1={"k":"a"}`}, bodies(load(t, s).Alarms))
		assert.Empty(t, load(t, s).Events)
	}},
	{"CancelledCommitChangesNothing", func(t *testing.T, open Opener) {
		s := open(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := s.Commit(ctx, []faultstore.Op{putAlarm(1, "a")})
		require.Error(t, err)
		assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
		assert.Empty(t, load(t, s).Alarms)
		commit(t, s, putAlarm(2, "b"))
		assert.Equal(t, []string{`2={"k":"b"}`}, bodies(load(t, s).Alarms), "the store works after a cancelled commit")
	}},
	{"BodiesAreCopied", func(t *testing.T, open Opener) {
		s := open(t)
		op := putAlarm(1, "a")
		commit(t, s, op)
		copy(op.Body, "XXXX")
		snap := load(t, s)
		assert.Equal(t, []string{`1={"k":"a"}`}, bodies(snap.Alarms))
		copy(snap.Alarms[0].Body, "YYYY")
		assert.Equal(t, []string{`1={"k":"a"}`}, bodies(load(t, s).Alarms))
	}},
	// A journal in front of the database once restarted its numbering at
	// 1 after a clean restart and zeroed only its header, so that after a
	// crash the frames of an earlier run replayed over newer writes: run
	// 1 set a and deleted it; run 2 set a again, was told so, and
	// crashed; after the restart a was gone. The manager reuses an alarm
	// seq whose alarm was deleted, so the store sees exactly this.
	{"ReusedKeyAfterRestartAndCrash", func(t *testing.T, open Opener) {
		s := open(t)
		commit(t, s, putAlarm(1, "a"), putEvent(1))
		commit(t, s, delAlarm(1), putEvent(2))
		s = reopen(t, s, open)
		commit(t, s, putAlarm(1, "a-again"), putEvent(3))
		// A crash: the store is abandoned, not closed.
		s = open(t)
		snap := load(t, s)
		assert.Equal(t, []string{`1={"k":"a-again"}`}, bodies(snap.Alarms))
		assert.Equal(t, []string{`1={"k":"e1"}`, `2={"k":"e2"}`, `3={"k":"e3"}`}, bodies(snap.Events))
	}},
	{"ManyOpsInOneCommit", func(t *testing.T, open Opener) {
		s := open(t)
		var ops []faultstore.Op
		for seq := int64(1); seq <= 2000; seq++ {
			ops = append(ops, putAlarm(seq, fmt.Sprint(seq)), putEvent(seq))
		}
		commit(t, s, ops...)
		s = reopen(t, s, open)
		snap := load(t, s)
		require.Len(t, snap.Alarms, 2000)
		require.Len(t, snap.Events, 2000)
		assert.Equal(t, `{"k":"2000"}`, string(snap.Alarms[1999].Body))
	}},
}
