package wire_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/internal/wire"
)

// FuzzAppendString: the hand-written encoder writes what encoding/json
// writes (with HTML escaping off).
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "tab\tnl\n", "\x00\x1f", "é ü 中", "\xff\xfe", "\u2028\u2029", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := wire.AppendString(nil, s)
		var back string
		require.NoError(t, json.Unmarshal(got, &back), "%q -> %s", s, got)
		want, _ := json.Marshal(s)
		var wantBack string
		require.NoError(t, json.Unmarshal(want, &wantBack))
		require.Equal(t, wantBack, back, "decodes to what encoding/json's encoding decodes to")
	})
}

func TestAlarmRoundTrip(t *testing.T) {
	a := fault.Alarm{UUID: "0b0f6c1e-8f0a-4d7e-9d7a-2f5a3c9e1b11", AlarmID: "100.101", State: fault.StateSet,
		EntityTypeID: "host", EntityInstanceID: "host=a", Timestamp: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC),
		Severity: fault.SeverityMajor, ReasonText: "r \"q\"", AlarmType: fault.AlarmTypeQoS,
		ProbableCause: fault.CauseThresholdCrossed, ProposedRepairAction: "p", ServiceAffecting: true,
		Suppression: true, InhibitAlarms: true, Masked: true, MgmtAffecting: true, DegradeAffecting: true,
		SuppressionStatus: fault.Suppressed, Ack: &fault.Ack{By: "alice", At: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC)}}
	var full fault.Alarm
	require.NoError(t, json.Unmarshal(wire.AppendAlarm(nil, &a, wire.Full), &full))
	assert.Equal(t, a, full)

	sa := fault.StoredAlarm{Alarm: a, Seq: 42}
	var stored fault.StoredAlarm
	require.NoError(t, json.Unmarshal(wire.AppendStored(nil, &sa), &stored))
	want := sa
	want.Masked, want.MgmtAffecting, want.DegradeAffecting, want.SuppressionStatus = false, false, false, ""
	assert.Equal(t, want, stored, "the stored form leaves out the derived fields")

	var short map[string]any
	require.NoError(t, json.Unmarshal(wire.AppendAlarm(nil, &a, wire.Short), &short))
	assert.NotContains(t, short, "probable_cause")
	assert.Contains(t, short, "mgmt_affecting")

	e := fault.Event{UUID: a.UUID, Seq: 7, EventLogID: "100.101", State: fault.StateClear, EntityTypeID: "host",
		EntityInstanceID: "host=a", Timestamp: a.Timestamp, Severity: fault.SeverityMajor, ReasonText: "x",
		EventLogType: fault.AlarmTypeOther, ProbableCause: fault.CauseUnknown, ServiceAffecting: true, AlarmUUID: "u"}
	var ev fault.Event
	require.NoError(t, json.Unmarshal(wire.AppendEvent(nil, &e), &ev))
	assert.Equal(t, e, ev)
}

// TestAppendStringAtEveryOffset puts each byte that needs escaping (and a
// non-ASCII rune) at every position of a 20-byte string, across the
// eight-byte steps of the fast path, and compares the bytes with
// encoding/json's.
func TestAppendStringAtEveryOffset(t *testing.T) {
	for _, special := range []string{`"`, `\`, "\x00", "\x1f", "\n", "\x7f", "é", "\u2028", "\xff", " ", "~"} {
		for at := range 20 {
			s := strings.Repeat("a", at) + special + strings.Repeat("b", 20-at)
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			require.NoError(t, enc.Encode(s))
			assert.Equal(t, strings.TrimSuffix(want.String(), "\n"), string(wire.AppendString(nil, s)), "%q", s)
		}
	}
}

// FuzzAppendTime: timestamps are written as time.Time's MarshalJSON writes
// them, in UTC (the fast path) and elsewhere.
func FuzzAppendTime(f *testing.F) {
	f.Add(int64(1795000000), int64(0), false)
	f.Add(int64(1795000000), int64(123456000), false)
	f.Add(int64(1795000000), int64(100), true)
	f.Add(int64(-62135596800), int64(999999999), false)
	f.Add(int64(253402300799), int64(1), false)
	f.Add(int64(253402300800), int64(5), false)
	f.Fuzz(func(t *testing.T, sec, nsec int64, local bool) {
		ts := time.Unix(sec, nsec%1e9).UTC()
		if local {
			ts = ts.In(time.FixedZone("X", 3600))
		}
		want, err := ts.MarshalJSON()
		if err != nil {
			return // outside what JSON timestamps can say
		}
		e := fault.Event{Timestamp: ts}
		var back struct {
			Timestamp json.RawMessage `json:"timestamp"`
		}
		require.NoError(t, json.Unmarshal(wire.AppendEvent(nil, &e), &back))
		require.Equal(t, string(want), string(back.Timestamp))
	})
}

// TestBatchDropFirst: dropping ops from the front keeps every later op
// with its own record, and ops without a record stay without one.
func TestBatchDropFirst(t *testing.T) {
	build := func() *wire.Batch {
		var b wire.Batch
		for i := range 6 {
			op := fault.Op{Kind: fault.OpAppendEvent, Event: &fault.Event{Seq: int64(i)}}
			body := []byte(strings.Repeat(string(rune('a'+i)), i+1))
			if i == 3 {
				op, body = fault.Op{Kind: fault.OpTrimEvents, TrimSeq: 2}, nil
			}
			b.Add(op, body)
		}
		return &b
	}
	for n := range 8 {
		b, full := build(), build()
		b.DropFirst(n)
		require.Equal(t, max(0, 6-n), b.Len(), "n=%d", n)
		for i := range b.Len() {
			assert.Equal(t, full.Ops[i+n], b.Ops[i], "n=%d op %d", n, i)
			assert.Equal(t, full.Body(i+n), b.Body(i), "n=%d op %d", n, i)
		}
		b.Add(fault.Op{Kind: fault.OpTrimEvents, TrimSeq: 9}, []byte("zz"))
		assert.Equal(t, "zz", b.Body(b.Len()-1), "n=%d: an op added after the drop", n)
	}
}
