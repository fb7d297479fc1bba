package hawitness

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"errors"
	"testing"
	"time"

	"github.com/edgeflock/flock/ha"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWireRoundTrip(t *testing.T) {
	for _, m := range []Message{
		{Type: TypeAcquire, Domain: "controller", Node: "controller-0", Instance: instA, Seq: 1, Duration: 2 * time.Second},
		{Type: TypeRelease, Domain: "d", Node: "n", Instance: instB, Seq: 1 << 62},
		{Type: TypeQuery, Domain: "d", Node: "n", Instance: instA, Seq: 7},
		{Type: TypeGranted, Domain: "d", Node: "n", Instance: instA, Seq: 7, Duration: time.Second},
		{Type: TypeRefused, Domain: "d", Instance: instA, Seq: 7, Duration: time.Hour},
		{Type: TypeReleased, Domain: "d", Instance: instA, Seq: 7},
		{Type: TypeLease, Domain: "d", Instance: instA, Seq: 7},
		{Type: TypeRejected, Domain: "d", Instance: instA, Seq: 7, Code: CodeNodeNotAllowed},
	} {
		t.Run(m.Type.String(), func(t *testing.T) {
			b := encode(t, m)
			assert.Equal(t, "FLHW", string(b[:4]))
			assert.Equal(t, headerLen+len(m.Domain)+len(m.Node)+tagLen, len(b))
			assert.Equal(t, m, decode(t, b))
		})
	}
}

func TestEncodeRefusesBadMessages(t *testing.T) {
	ok := Message{Type: TypeAcquire, Domain: "d", Node: "n", Instance: instA, Seq: 1, Duration: time.Second}
	for field, mod := range map[string]func(*Message){
		"type":     func(m *Message) { m.Type = 9 },
		"domain":   func(m *Message) { m.Domain = "" },
		"node":     func(m *Message) { m.Node = "" },
		"instance": func(m *Message) { m.Instance = InstanceID{} },
		"duration": func(m *Message) { m.Duration = -1 },
		"code":     func(m *Message) { m.Code = CodeFull },
	} {
		m := ok
		mod(&m)
		e, _ := NewEncoder(testKey)
		b, err := e.Encode([]byte("x"), &m)
		var fe *ha.FieldError
		require.ErrorAs(t, err, &fe, field)
		assert.Equal(t, field, fe.Field)
		assert.Equal(t, "x", string(b), "dst unchanged")
	}
	_, err := NewEncoder(testKey[:31])
	require.ErrorIs(t, err, ha.ErrInvalid)
}

// reseal puts a valid tag on b's body, under testKey.
func reseal(b []byte) []byte {
	n := len(b) - tagLen
	mac := hmac.New(sha512.New, testKey)
	mac.Write(b[:n])
	return mac.Sum(b[:n:n])
}

func TestDecodeDrops(t *testing.T) {
	good := encode(t, Message{Type: TypeAcquire, Domain: "d", Node: "n", Instance: instA, Seq: 1, Duration: time.Second})
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	for name, c := range map[string]struct {
		b    []byte
		want DropReason
	}{
		"oversize":        {make([]byte, MaxMessage+1), DropOversize},
		"empty":           {nil, DropTruncated},
		"magic":           {mod(func(b []byte) []byte { b[3] = 'A'; return b }), DropMalformed},
		"short magic":     {[]byte("FLHW"), DropTruncated},
		"version":         {mod(func(b []byte) []byte { b[4] = 2; return b }), DropVersion},
		"truncated":       {good[:len(good)-1], DropTruncated},
		"header only":     {good[:headerLen+tagLen-1], DropTruncated},
		"extra byte":      {reseal(append(bytes.Clone(good[:len(good)-tagLen]), append([]byte{'x'}, good[len(good)-tagLen:]...)...)), DropMalformed},
		"bad type":        {mod(func(b []byte) []byte { b[5] = 4; return reseal(b) }), DropMalformed},
		"reserved":        {mod(func(b []byte) []byte { b[10] = 1; return reseal(b) }), DropMalformed},
		"zero instance":   {mod(func(b []byte) []byte { clear(b[12:28]); return reseal(b) }), DropMalformed},
		"code on request": {mod(func(b []byte) []byte { b[8] = 1; return reseal(b) }), DropMalformed},
		"huge duration":   {mod(func(b []byte) []byte { b[36] = 0x80; return reseal(b) }), DropMalformed},
		"forged":          {mod(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), DropForged},
		"tampered seq":    {mod(func(b []byte) []byte { b[35] ^= 1; return b }), DropForged},
		"other key": {func() []byte {
			e, _ := NewEncoder(bytes.Repeat([]byte("k"), 32))
			b, _ := e.Encode(nil, &Message{Type: TypeQuery, Domain: "d", Node: "n", Instance: instA, Seq: 1})
			return b
		}(), DropForged},
	} {
		t.Run(name, func(t *testing.T) {
			d, _ := NewDecoder(testKey)
			m := Message{Seq: 99}
			err := d.Decode(c.b, &m)
			require.ErrorIs(t, err, c.want)
			assert.Equal(t, Message{Seq: 99}, m, "m unchanged")
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, m := range []Message{
		{Type: TypeAcquire, Domain: "controller", Node: "controller-0", Instance: instA, Seq: 1, Duration: 2 * time.Second},
		{Type: TypeLease, Domain: "d", Instance: instB, Seq: 3, Duration: time.Second},
		{Type: TypeRejected, Domain: "d", Instance: instB, Seq: 3, Code: CodeFull},
	} {
		f.Add(encode(f, m))
	}
	f.Add([]byte("FLHW\x01"))
	f.Add([]byte("FLHW\x02"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, _ := NewDecoder(testKey)
		var m Message
		err := d.Decode(b, &m)
		if err != nil {
			var r DropReason
			require.True(t, errors.As(err, &r))
			require.NotEqual(t, "unknown", r.String())
			// Resealed under the key, the same bytes are dropped for
			// their structure or accepted, never called forged.
			if len(b) >= headerLen+tagLen && len(b) <= MaxMessage && r == DropForged {
				require.NotErrorIs(t, d.Decode(reseal(bytes.Clone(b)), &m), DropForged)
			}
			return
		}
		require.True(t, m.Type.Valid())
		again := encode(t, m)
		require.Equal(t, b, again, "decoding then encoding gives the same bytes")
	})
}
