package hapeer

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	testKey  = []byte("0123456789abcdef0123456789abcdef")
	otherKey = []byte("fedcba9876543210fedcba9876543210")
	instA    = InstanceID{1, 2, 3}
	instB    = InstanceID{4, 5, 6}
)

// msgOf is a message from controller-1 on mgmt.
func msgOf(t Type, gen uint64, inst InstanceID, seq uint64, payload string) Message {
	m := Message{Type: t, Node: "controller-1", Path: "mgmt", Generation: gen, Instance: inst, Seq: seq}
	if payload != "" {
		m.Payload = []byte(payload)
	}
	return m
}

func encode(t testing.TB, key []byte, m Message) []byte {
	t.Helper()
	e, err := NewEncoder(key)
	require.NoError(t, err)
	b, err := e.Encode(nil, &m)
	require.NoError(t, err)
	return b
}

func newDecoder(t testing.TB, m *Metrics) *Decoder {
	t.Helper()
	d, err := NewDecoder(testKey, "mgmt", &DecoderOptions{Self: "controller-0", Metrics: m})
	require.NoError(t, err)
	return d
}

// TestWireRoundTrip: every type decodes to what was encoded.
func TestWireRoundTrip(t *testing.T) {
	for ty := TypeHello; ty <= TypeSwactResponse; ty++ {
		t.Run(ty.String(), func(t *testing.T) {
			want := msgOf(ty, 7, instA, 1<<40, "payload of "+ty.String())
			var got Message
			require.NoError(t, newDecoder(t, nil).Decode(encode(t, testKey, want), &got))
			assert.Equal(t, want, got)
		})
	}
	t.Run("empty payload", func(t *testing.T) {
		var got Message
		require.NoError(t, newDecoder(t, nil).Decode(encode(t, testKey, msgOf(TypeHeartbeat, 0, instA, 1, "")), &got))
		assert.Empty(t, got.Payload)
		assert.Equal(t, "controller-1", got.Node)
	})
	t.Run("longest", func(t *testing.T) {
		m := msgOf(TypeExchange, 1, instA, 1, string(bytes.Repeat([]byte{'x'}, MaxPayload)))
		m.Node = string(bytes.Repeat([]byte{'n'}, MaxNodeName))
		m.Path = string(bytes.Repeat([]byte{'p'}, MaxPathName))
		b := encode(t, testKey, m)
		require.Len(t, b, MaxMessage)
		d, err := NewDecoder(testKey, m.Path, nil)
		require.NoError(t, err)
		var got Message
		require.NoError(t, d.Decode(b, &got))
		assert.Equal(t, m, got)
	})
}

// TestEncodeInvalid: a message that cannot be encoded names its field and
// leaves the buffer as it was.
func TestEncodeInvalid(t *testing.T) {
	e, err := NewEncoder(testKey)
	require.NoError(t, err)
	good := msgOf(TypeHello, 1, instA, 1, "")
	for field, mut := range map[string]func(*Message){
		"type":     func(m *Message) { m.Type = 0 },
		"node":     func(m *Message) { m.Node = string(make([]byte, MaxNodeName+1)) },
		"path":     func(m *Message) { m.Path = "" },
		"instance": func(m *Message) { m.Instance = InstanceID{} },
		"payload":  func(m *Message) { m.Payload = make([]byte, MaxPayload+1) },
	} {
		t.Run(field, func(t *testing.T) {
			m := good
			mut(&m)
			dst := []byte("kept")
			out, err := e.Encode(dst, &m)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.ErrorIs(t, err, ErrInvalid)
			assert.Equal(t, field, fe.Field)
			assert.Equal(t, []byte("kept"), out)
		})
	}
	_, err = NewEncoder(testKey[:31])
	assert.ErrorIs(t, err, ErrInvalid, "a 31-byte key")
	_, err = NewDecoder(testKey[:31], "mgmt", nil)
	assert.ErrorIs(t, err, ErrInvalid, "a 31-byte key")
}

// reseal recomputes b's tag after a change, so that the change is seen
// by the structural checks and not as a forgery.
func reseal(b []byte) []byte {
	e, _ := NewEncoder(testKey)
	n := len(b) - tagLen
	e.mac.Reset()
	e.mac.Write(b[:n])
	return e.mac.Sum(b[:n:n])
}

// TestDropReasons: each way a message is bad is dropped with its reason,
// counted under its path and reason, and leaves the decoder's replay
// state as it was.
func TestDropReasons(t *testing.T) {
	good := encode(t, testKey, msgOf(TypeHeartbeat, 5, instA, 10, "flags"))
	set := func(i int, v byte) []byte {
		b := bytes.Clone(good)
		b[i] = v
		return b
	}
	cases := []struct {
		name   string
		b      []byte
		reason DropReason
	}{
		{"empty", nil, DropTruncated},
		{"magic only", good[:4], DropTruncated},
		{"header without tag", good[:headerLen+tagLen-1], DropTruncated},
		{"cut by one", good[:len(good)-1], DropTruncated},
		{"payload length over the datagram", reseal(func() []byte { b := bytes.Clone(good); b[9]++; return b }()), DropTruncated},
		{"over MaxMessage", make([]byte, MaxMessage+1), DropOversize},
		{"payload length over MaxPayload", set(8, 0x10), DropOversize},
		{"version 2", set(4, 2), DropVersion},
		{"version 0", set(4, 0), DropVersion},
		{"magic", set(0, 'X'), DropMalformed},
		{"type 0", set(5, 0), DropMalformed},
		{"type 7", set(5, 7), DropMalformed},
		{"no node", set(6, 0), DropMalformed},
		{"long node", set(6, MaxNodeName+1), DropMalformed},
		{"no path", set(7, 0), DropMalformed},
		{"long path", set(7, MaxPathName+1), DropMalformed},
		{"reserved", set(10, 1), DropMalformed},
		{"zero instance", func() []byte { b := bytes.Clone(good); clear(b[28:44]); return b }(), DropMalformed},
		{"padded", append(bytes.Clone(good), 0), DropMalformed},
		{"forged tag", set(len(good)-1, good[len(good)-1]^1), DropForged},
		{"forged body", set(21, good[21]^1), DropForged},
		{"other key", encode(t, otherKey, msgOf(TypeHeartbeat, 5, instA, 11, "")), DropForged},
		{"other path", encode(t, testKey, func() Message { m := msgOf(TypeHeartbeat, 5, instA, 11, ""); m.Path = "oam"; return m }()), DropWrongPath},
		{"reflected", encode(t, testKey, func() Message { m := msgOf(TypeHeartbeat, 5, instA, 11, ""); m.Node = "controller-0"; return m }()), DropUnexpectedNode},
		{"same again", good, DropReplayed},
		{"older sequence", encode(t, testKey, msgOf(TypeHeartbeat, 5, instA, 9, "")), DropReplayed},
		{"older generation", encode(t, testKey, msgOf(TypeHeartbeat, 4, instB, 100, "")), DropReplayed},
	}
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	require.NoError(t, err)
	d := newDecoder(t, m)
	var got Message
	require.NoError(t, d.Decode(good, &got))
	want := map[DropReason]float64{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := *d.senders[0]
			m := Message{Node: "untouched"}
			err := d.Decode(c.b, &m)
			var r DropReason
			require.ErrorAs(t, err, &r)
			assert.Equal(t, c.reason, r, "got %s", r)
			assert.ErrorIs(t, err, c.reason)
			assert.Equal(t, Message{Node: "untouched"}, m)
			assert.Equal(t, before, *d.senders[0], "replay state unchanged")
			want[c.reason]++
		})
	}
	for _, r := range DropReasons() {
		assert.Equal(t, want[r], testutil.ToFloat64(m.dropped.WithLabelValues("mgmt", r.String())), r.String())
	}
	assert.Equal(t, 1.0, testutil.ToFloat64(m.received.WithLabelValues("mgmt")))
	// The message after the last accepted one still goes through.
	require.NoError(t, d.Decode(encode(t, testKey, msgOf(TypeHeartbeat, 5, instA, 11, "")), &got))
}

// TestDropPeerOnly: with a Peer set, another node's messages are dropped.
func TestDropPeerOnly(t *testing.T) {
	d, err := NewDecoder(testKey, "mgmt", &DecoderOptions{Self: "controller-0", Peer: "controller-1"})
	require.NoError(t, err)
	m := msgOf(TypeHello, 1, instA, 1, "")
	m.Node = "intruder"
	var got Message
	assert.ErrorIs(t, d.Decode(encode(t, testKey, m), &got), DropUnexpectedNode)
	assert.NoError(t, d.Decode(encode(t, testKey, msgOf(TypeHello, 1, instA, 1, "")), &got))
}

// TestReplayRules: a new instance or a higher generation starts afresh;
// an instance replaced within a generation stays refused.
func TestReplayRules(t *testing.T) {
	d := newDecoder(t, nil)
	var got Message
	step := func(gen uint64, inst InstanceID, seq uint64) error {
		return d.Decode(encode(t, testKey, msgOf(TypeHeartbeat, gen, inst, seq, "")), &got)
	}
	require.NoError(t, step(3, instA, 100))
	require.NoError(t, step(3, instA, 101))
	assert.ErrorIs(t, step(3, instA, 101), DropReplayed)
	require.NoError(t, step(3, instB, 1), "a restart: new instance, sequence from 1")
	require.NoError(t, step(3, instB, 2))
	assert.ErrorIs(t, step(3, instA, 102), DropReplayed, "the replaced instance replayed")
	require.NoError(t, step(4, instA, 1), "a higher generation starts afresh, whatever the instance")
	assert.ErrorIs(t, step(3, instB, 3), DropReplayed, "the older generation")
	// Instances retired within a generation are remembered, the four last.
	ids := []InstanceID{{10}, {11}, {12}, {13}, {14}}
	for _, id := range ids {
		require.NoError(t, step(4, id, 1))
	}
	assert.ErrorIs(t, step(4, ids[0], 2), DropReplayed, "retired four instances ago")
	assert.ErrorIs(t, step(4, ids[3], 2), DropReplayed, "retired one instance ago")
	assert.NoError(t, step(4, instA, 2), "retired five instances ago: forgotten (the documented bound)")
	assert.Len(t, d.senders, 1)
}

// TestDecodeAllocs: decoding a valid message from a known sender, and
// dropping one, allocates nothing.
func TestDecodeAllocs(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	require.NoError(t, err)
	d := newDecoder(t, m)
	e, err := NewEncoder(testKey)
	require.NoError(t, err)
	msg := msgOf(TypeHeartbeat, 1, instA, 1, "flags")
	buf := make([]byte, 0, MaxMessage)
	var got Message
	b, err := e.Encode(buf, &msg)
	require.NoError(t, err)
	require.NoError(t, d.Decode(b, &got))
	allocs := testing.AllocsPerRun(100, func() {
		msg.Seq++
		b, _ := e.Encode(buf[:0], &msg)
		if d.Decode(b, &got) != nil {
			t.Fatal("dropped")
		}
		if d.Decode(b, &got) != DropReplayed {
			t.Fatal("replay taken")
		}
	})
	assert.Zero(t, allocs)
	assert.Equal(t, msg.Seq, got.Seq)
}

// FuzzDecode: the decoder never panics, drops with a known reason, and
// what it accepts encodes back to the same bytes.
func FuzzDecode(f *testing.F) {
	for ty := TypeHello; ty <= TypeSwactResponse; ty++ {
		f.Add(encode(f, testKey, msgOf(ty, 1, instA, uint64(ty), "p")))
	}
	f.Add([]byte("FLHA\x01"))
	f.Add([]byte("FLHA\x02"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := newDecoder(t, nil)
		var m Message
		err := d.Decode(b, &m)
		if err != nil {
			var r DropReason
			require.ErrorAs(t, err, &r)
			require.NotEqual(t, "unknown", r.String())
			// Sealed under the key, the same bytes are dropped for their
			// structure or accepted, never called forged.
			if len(b) >= headerLen+tagLen && len(b) <= MaxMessage && r == DropForged {
				re := reseal(bytes.Clone(b))
				err := newDecoder(t, nil).Decode(re, &m)
				require.NotErrorIs(t, err, DropForged)
			}
			return
		}
		require.Equal(t, "mgmt", m.Path)
		again := encode(t, testKey, m)
		require.Equal(t, b, again)
		require.Equal(t, m.Seq, binary.BigEndian.Uint64(b[20:]))
	})
}
