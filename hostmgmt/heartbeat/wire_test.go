package heartbeat

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// sampleMsgs are one packet of each kind.
func sampleMsgs() []msg {
	h := "6f9619ff-8b86-d011-b42d-00cf4fc964ff"
	return []msg{
		{kind: kindPulseReq, network: hostmgmt.NetworkMgmt, seq: 1, time: 2, host: h},
		{kind: kindPulseRsp, network: hostmgmt.NetworkClusterHost, seq: 1 << 62, time: 3, host: h, id: 7, flags: hostmgmt.FlagDiskFull},
		{kind: kindAlive, network: hostmgmt.NetworkMgmt, seq: 9, host: h, bits: bitConfigured | bitRequested, uptime: 123456789, bootID: "b0f2c7e2-boot", flags: hostmgmt.FlagProcessStalled},
		{kind: kindCmd, network: hostmgmt.NetworkMgmt, seq: 10, host: h, id: 1 << 60, command: "goenabled"},
		{kind: kindCmdAck, network: hostmgmt.NetworkMgmt, seq: 11, host: h, id: 1 << 60},
		{kind: kindCmdResult, network: hostmgmt.NetworkClusterHost, seq: 12, host: h, id: 5, command: "start-services", reason: "systemctl failed"},
		{kind: kindResultAck, network: hostmgmt.NetworkMgmt, seq: 13, host: h, id: 5},
	}
}

func sealed(m msg) []byte { return seal(newMAC(testKey), m.appendTo(nil)) }

// toMsg is f as a msg.
func toMsg(f frame) msg {
	return msg{kind: f.kind, network: f.network, bits: f.bits, seq: f.seq, time: f.time, flags: f.flags, id: f.id,
		uptime: f.uptime, host: string(f.host), command: string(f.command), bootID: string(f.bootID), reason: string(f.reason)}
}

// TestWireRoundTrip: every kind decodes to what was encoded, and its tag
// verifies under the key and not under another.
func TestWireRoundTrip(t *testing.T) {
	for _, m := range sampleMsgs() {
		t.Run(m.kind.String(), func(t *testing.T) {
			b := sealed(m)
			f, err := parse(b)
			require.NoError(t, err)
			assert.Equal(t, m, toMsg(f))
			var scratch [tagLen]byte
			assert.True(t, verify(newMAC(testKey), &f, &scratch))
			assert.False(t, verify(newMAC([]byte("another key")), &f, &scratch))
			b[len(b)-1] ^= 1
			f, err = parse(b)
			require.NoError(t, err)
			assert.False(t, verify(newMAC(testKey), &f, &scratch), "a changed tag")
			b[len(b)-1] ^= 1
			b[13] ^= 1 // the sequence
			f, err = parse(b)
			require.NoError(t, err)
			assert.False(t, verify(newMAC(testKey), &f, &scratch), "a changed body")
		})
	}
}

// TestWireErrors: each way a packet can be malformed has its error.
func TestWireErrors(t *testing.T) {
	good := sealed(sampleMsgs()[2])
	set := func(i int, v byte) []byte {
		b := bytes.Clone(good)
		b[i] = v
		return b
	}
	for name, c := range map[string]struct {
		b   []byte
		err error
	}{
		"empty":        {nil, errShort},
		"header only":  {good[:headerLen+tagLen-1], errShort},
		"magic":        {set(0, 'X'), errMagic},
		"version":      {set(3, 2), errVersion},
		"kind 0":       {set(4, 0), errKind},
		"kind 8":       {set(4, 8), errKind},
		"network 0":    {set(5, 0), errNetwork},
		"network 3":    {set(5, 3), errNetwork},
		"bits":         {set(6, 8), errBits},
		"no host":      {set(7, 0), errHostLen},
		"long host":    {set(7, 65), errHostLen},
		"long command": {set(8, 33), errCmdLen},
		"long boot id": {set(9, 65), errBootIDLen},
		"long reason":  {set(10, 201), errReasonLen},
		"reserved":     {set(11, 1), errReserved},
		"truncated":    {good[:len(good)-1], errLength},
		"padded":       {append(bytes.Clone(good), 0), errLength},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parse(c.b)
			assert.ErrorIs(t, err, c.err)
		})
	}
}

// TestWireCuts: over-long strings are cut to their field, the reason at
// a character boundary.
func TestWireCuts(t *testing.T) {
	m := msg{kind: kindCmdResult, network: hostmgmt.NetworkMgmt, host: "h", reason: strings.Repeat("é", 150), bootID: strings.Repeat("b", 100)}
	f, err := parse(sealed(m))
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("é", 100), string(f.reason))
	assert.Equal(t, strings.Repeat("b", 64), string(f.bootID))
	assert.Equal(t, "héllo", cutUTF8("héllo", 6))
	assert.Equal(t, "h", cutUTF8("héllo", 2), "é is two bytes")
}

// FuzzDecode: the decoder never panics, and what it accepts encodes back
// to the same bytes (one encoding per packet).
func FuzzDecode(f *testing.F) {
	for _, m := range sampleMsgs() {
		f.Add(sealed(m))
	}
	f.Add([]byte("FHB\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := parse(b)
		if err != nil {
			return
		}
		m := toMsg(fr)
		again := append(m.appendTo(nil), fr.tag...)
		require.Equal(t, b, again)
		var scratch [tagLen]byte
		// A tag made under the test key verifies; the input's own only if
		// it happens to be that one.
		re, err := parse(sealed(m))
		require.NoError(t, err)
		require.True(t, verify(newMAC(testKey), &re, &scratch))
	})
}
