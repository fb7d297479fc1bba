package heartbeat

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"

	"github.com/edgeflock/flock/hostmgmt"
)

// The wire format; the package doc draws it.
const (
	wireVersion   = 1
	headerLen     = 48
	tagLen        = sha256.Size
	maxHostLen    = 64
	maxCommandLen = 32
	maxBootIDLen  = 64
	maxReasonLen  = 200
	// maxPacket is the longest packet; receivers read into one byte
	// more, so a longer datagram fails the length check.
	maxPacket = headerLen + maxHostLen + maxCommandLen + maxBootIDLen + maxReasonLen + tagLen
)

// kind is a packet's kind.
type kind uint8

// Packet kinds. The controller sends pulse-req, cmd and result-ack; a
// host sends the others.
const (
	kindPulseReq  kind = 1 + iota // the controller's heartbeat pulse
	kindPulseRsp                  // a host's answer, id = the pulse's sequence
	kindAlive                     // a host's mtcAlive
	kindCmd                       // a command, id = the command's id
	kindCmdAck                    // a host took the command
	kindCmdResult                 // the command's result (ok bit, reason)
	kindResultAck                 // the controller took the result
)

var kindNames = [...]string{"", "pulse-req", "pulse-rsp", "alive", "cmd", "cmd-ack", "cmd-result", "result-ack"}

func (k kind) valid() bool { return k >= kindPulseReq && k <= kindResultAck }

// String names the kind.
func (k kind) String() string {
	if !k.valid() {
		return "unknown"
	}
	return kindNames[k]
}

// fromHost reports whether a host sends packets of kind k.
func (k kind) fromHost() bool {
	return k == kindPulseRsp || k == kindAlive || k == kindCmdAck || k == kindCmdResult
}

// Bits of the bits byte.
const (
	bitConfigured = 1 << iota // alive: the host applied its configuration
	bitRequested              // alive: it answers CmdMtcAlive
	bitOK                     // cmd-result: the command succeeded
	bitsKnown     = bitConfigured | bitRequested | bitOK
)

// numNets is the number of heartbeat networks; netIndex numbers them.
const numNets = 2

var netNames = [numNets]hostmgmt.Network{hostmgmt.NetworkMgmt, hostmgmt.NetworkClusterHost}

// netIndex is n's index in netNames, or -1.
func netIndex(n hostmgmt.Network) int {
	switch n {
	case hostmgmt.NetworkMgmt:
		return 0
	case hostmgmt.NetworkClusterHost:
		return 1
	}
	return -1
}

// Decoding errors. They are values, so that dropping a flood of bad
// packets does not allocate.
var (
	errShort     = errors.New("heartbeat: packet shorter than the 48-byte header and 32-byte tag")
	errMagic     = errors.New(`heartbeat: not a heartbeat packet (magic is not "FHB")`)
	errVersion   = errors.New("heartbeat: unsupported wire version (want 1)")
	errKind      = errors.New("heartbeat: unknown packet kind")
	errNetwork   = errors.New("heartbeat: unknown network code")
	errBits      = errors.New("heartbeat: unknown bits set")
	errReserved  = errors.New("heartbeat: reserved byte is not zero")
	errHostLen   = errors.New("heartbeat: host uuid length is not 1–64")
	errCmdLen    = errors.New("heartbeat: command name longer than 32 bytes")
	errBootIDLen = errors.New("heartbeat: boot id longer than 64 bytes")
	errReasonLen = errors.New("heartbeat: reason longer than 200 bytes")
	errLength    = errors.New("heartbeat: packet length does not match its field lengths (truncated or padded)")
)

// frame is a decoded packet. Its byte fields alias the buffer it was
// decoded from.
type frame struct {
	kind    kind
	network hostmgmt.Network
	bits    uint8
	seq     uint64
	time    int64
	flags   hostmgmt.HealthFlags
	id      uint64
	uptime  int64
	host    []byte
	command []byte
	bootID  []byte
	reason  []byte
	body    []byte // everything the tag covers
	tag     []byte
}

// parse decodes b's structure; it does not check the tag.
func parse(b []byte) (frame, error) {
	var f frame
	if len(b) < headerLen+tagLen {
		return f, errShort
	}
	if b[0] != 'F' || b[1] != 'H' || b[2] != 'B' {
		return f, errMagic
	}
	if b[3] != wireVersion {
		return f, errVersion
	}
	f.kind = kind(b[4])
	if !f.kind.valid() {
		return f, errKind
	}
	if b[5] < 1 || b[5] > numNets {
		return f, errNetwork
	}
	f.network = netNames[b[5]-1]
	f.bits = b[6]
	if f.bits&^bitsKnown != 0 {
		return f, errBits
	}
	hl, cl, bl, rl := int(b[7]), int(b[8]), int(b[9]), int(b[10])
	switch {
	case hl < 1 || hl > maxHostLen:
		return f, errHostLen
	case cl > maxCommandLen:
		return f, errCmdLen
	case bl > maxBootIDLen:
		return f, errBootIDLen
	case rl > maxReasonLen:
		return f, errReasonLen
	case b[11] != 0:
		return f, errReserved
	case len(b) != headerLen+hl+cl+bl+rl+tagLen:
		return f, errLength
	}
	be := binary.BigEndian
	f.seq = be.Uint64(b[12:])
	f.time = int64(be.Uint64(b[20:]))
	f.flags = hostmgmt.HealthFlags(be.Uint32(b[28:]))
	f.id = be.Uint64(b[32:])
	f.uptime = int64(be.Uint64(b[40:]))
	o := headerLen
	f.host, o = b[o:o+hl:o+hl], o+hl
	f.command, o = b[o:o+cl:o+cl], o+cl
	f.bootID, o = b[o:o+bl:o+bl], o+bl
	f.reason, o = b[o:o+rl:o+rl], o+rl
	f.body, f.tag = b[:o:o], b[o:]
	return f, nil
}

// msg is a packet to encode.
type msg struct {
	kind    kind
	network hostmgmt.Network
	bits    uint8
	seq     uint64
	time    int64
	flags   hostmgmt.HealthFlags
	id      uint64
	uptime  int64
	host    string
	command string
	bootID  string
	reason  string
}

// appendTo appends m's encoding without the tag to dst. Strings longer
// than their field allows are cut (the reason at a UTF-8 boundary).
func (m *msg) appendTo(dst []byte) []byte {
	host := cut(m.host, maxHostLen)
	command := cut(m.command, maxCommandLen)
	bootID := cut(m.bootID, maxBootIDLen)
	reason := cutUTF8(m.reason, maxReasonLen)
	dst = append(dst, 'F', 'H', 'B', wireVersion, byte(m.kind), byte(netIndex(m.network)+1), m.bits,
		byte(len(host)), byte(len(command)), byte(len(bootID)), byte(len(reason)), 0)
	be := binary.BigEndian
	dst = be.AppendUint64(dst, m.seq)
	dst = be.AppendUint64(dst, uint64(m.time))
	dst = be.AppendUint32(dst, uint32(m.flags))
	dst = be.AppendUint64(dst, m.id)
	dst = be.AppendUint64(dst, uint64(m.uptime))
	dst = append(dst, host...)
	dst = append(dst, command...)
	dst = append(dst, bootID...)
	return append(dst, reason...)
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 { // s[n] continues a character
		n--
	}
	return s[:n]
}

// newMAC returns a reusable HMAC-SHA256 under key.
func newMAC(key []byte) hash.Hash { return hmac.New(sha256.New, key) }

// seal appends the tag of b under mac to b.
func seal(mac hash.Hash, b []byte) []byte {
	mac.Reset()
	mac.Write(b)
	return mac.Sum(b)
}

// verify reports whether f's tag is right under mac; scratch holds the
// computed tag.
func verify(mac hash.Hash, f *frame, scratch *[tagLen]byte) bool {
	mac.Reset()
	mac.Write(f.body)
	return hmac.Equal(mac.Sum(scratch[:0]), f.tag)
}
