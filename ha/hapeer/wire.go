package hapeer

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
)

// The wire format; the package doc draws it.
const (
	wireVersion = 1
	headerLen   = 44
	tagLen      = sha512.Size
	// MaxNodeName is the longest node name a message carries, in bytes.
	MaxNodeName = 64
	// MaxPathName is the longest path name a message carries, in bytes.
	MaxPathName = 32
	// MaxPayload is the longest payload a message carries, in bytes.
	MaxPayload = 1024
	// MaxMessage is the longest message: header, the longest names and
	// payload, and the tag (1228 bytes, within one Ethernet frame).
	// Receivers read into a buffer one byte longer, so that a longer
	// datagram is seen as oversize.
	MaxMessage = headerLen + MaxNodeName + MaxPathName + MaxPayload + tagLen
	// MinKeyLen is the shortest HMAC key accepted, in bytes.
	MinKeyLen = 32
)

// Type is a message's type: StarlingX's SM messages (§3.4, §3.5) that a
// two-controller Flock needs.
type Type uint8

// The message types. A Link sends TypeHeartbeat itself; the others are
// the caller's, sent with Link.Send and delivered to the Handler.
const (
	// TypeHello: a node's hello (SM's NODE_HELLO and SERVICE_DOMAIN_HELLO:
	// node states, domain priority and generation, leader).
	TypeHello Type = 1 + iota
	// TypeHeartbeat: the alive message sent on every path every period
	// (§3.5); its payload may carry node-info flags (failover state,
	// interface-down bits).
	TypeHeartbeat
	// TypeExchangeStart: the start of a state exchange (EXCHANGE_START).
	TypeExchangeStart
	// TypeExchange: service-group member states (EXCHANGE).
	TypeExchange
	// TypeSwactRequest: a request to swact (NODE_SWACT).
	TypeSwactRequest
	// TypeSwactResponse: its answer (NODE_SWACT_ACK).
	TypeSwactResponse
)

var typeNames = [...]string{"", "hello", "heartbeat", "exchange-start", "exchange", "swact-request", "swact-response"}

// Valid reports whether t is one of the types above.
func (t Type) Valid() bool { return t >= TypeHello && t <= TypeSwactResponse }

// String names the type ("heartbeat", "swact-request" ...).
func (t Type) String() string {
	if !t.Valid() {
		return fmt.Sprintf("type(%d)", uint8(t))
	}
	return typeNames[t]
}

// ParseType returns the type named s, strictly (no case folding).
func ParseType(s string) (Type, error) {
	for t := TypeHello; t <= TypeSwactResponse; t++ {
		if typeNames[t] == s {
			return t, nil
		}
	}
	return 0, bad("type", "%q is not one of hello, heartbeat, exchange-start, exchange, swact-request, swact-response", s)
}

// MarshalText encodes the type as its name.
func (t Type) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, bad("type", "%d is not a message type", uint8(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText parses a type's name, strictly.
func (t *Type) UnmarshalText(b []byte) error {
	v, err := ParseType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// InstanceID identifies one run of a node's process: random at each
// start, so that a restarted sender, whose sequence starts again, is not
// taken for a replayer. It is never all zero.
type InstanceID [16]byte

// NewInstanceID returns a random instance id.
func NewInstanceID() InstanceID {
	var id InstanceID
	for id.IsZero() {
		_, _ = rand.Read(id[:]) // crypto/rand.Read never fails (Go 1.24+)
	}
	return id
}

// IsZero reports whether id is all zero (unset).
func (id InstanceID) IsZero() bool { return id == InstanceID{} }

// String is id in hex.
func (id InstanceID) String() string { return hex.EncodeToString(id[:]) }

// Message is one peer message.
type Message struct {
	Type Type
	// Node is the sender's name.
	Node string
	// Path is the name of the path the sender sent it on; a receiver
	// drops it when it arrives on another (DropWrongPath).
	Path string
	// Generation is the sender's boot or restart counter, kept by its
	// caller across restarts; a higher generation resets the receiver's
	// replay state for the sender.
	Generation uint64
	// Instance identifies the sender's process run.
	Instance InstanceID
	// Seq is the sender's sequence number, above every earlier one of the
	// same instance.
	Seq uint64
	// Payload is the caller's data, at most MaxPayload bytes. In a
	// decoded message it aliases the decoded buffer.
	Payload []byte
}

func (m *Message) validate() error {
	switch {
	case !m.Type.Valid():
		return bad("type", "%d is not a message type", uint8(m.Type))
	case len(m.Node) == 0 || len(m.Node) > MaxNodeName:
		return bad("node", "%q is not 1–%d bytes", m.Node, MaxNodeName)
	case len(m.Path) == 0 || len(m.Path) > MaxPathName:
		return bad("path", "%q is not 1–%d bytes", m.Path, MaxPathName)
	case m.Instance.IsZero():
		return bad("instance", "is zero")
	case len(m.Payload) > MaxPayload:
		return bad("payload", "%d bytes is over %d", len(m.Payload), MaxPayload)
	}
	return nil
}

func checkKey(key []byte) error {
	if len(key) < MinKeyLen {
		return bad("key", "%d bytes is shorter than %d", len(key), MinKeyLen)
	}
	return nil
}

// Encoder seals messages with HMAC-SHA512 under a key. It is not safe for
// concurrent use; encoding into a reused buffer does not allocate.
type Encoder struct {
	mac hash.Hash
}

// NewEncoder returns an encoder under key (at least MinKeyLen bytes). It
// keeps no reference to key.
func NewEncoder(key []byte) (*Encoder, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	return &Encoder{mac: hmac.New(sha512.New, key)}, nil
}

// Encode appends m's encoding, tag included, to dst and returns the
// extended buffer. An invalid m is a *FieldError and dst is returned
// unchanged.
func (e *Encoder) Encode(dst []byte, m *Message) ([]byte, error) {
	if err := m.validate(); err != nil {
		return dst, err
	}
	start := len(dst)
	dst = append(dst, 'F', 'L', 'H', 'A', wireVersion, byte(m.Type), byte(len(m.Node)), byte(len(m.Path)))
	be := binary.BigEndian
	dst = be.AppendUint16(dst, uint16(len(m.Payload)))
	dst = append(dst, 0, 0)
	dst = be.AppendUint64(dst, m.Generation)
	dst = be.AppendUint64(dst, m.Seq)
	dst = append(dst, m.Instance[:]...)
	dst = append(dst, m.Node...)
	dst = append(dst, m.Path...)
	dst = append(dst, m.Payload...)
	e.mac.Reset()
	e.mac.Write(dst[start:])
	return e.mac.Sum(dst), nil
}

// DecoderOptions are a Decoder's optional settings.
type DecoderOptions struct {
	// Self is the receiving node's name: messages claiming to come from
	// it (its own, reflected back) are dropped as DropUnexpectedNode.
	Self string
	// Peer, when set, is the only sender accepted; others are
	// DropUnexpectedNode.
	Peer string
	// Metrics counts the drops, labelled with the decoder's path; nil
	// counts nothing.
	Metrics *Metrics
}

// maxSenders bounds the senders a Decoder without a Peer tracks; further
// ones are DropUnexpectedNode.
const maxSenders = 64

// retiredInstances is how many superseded instances of a sender's
// generation a Decoder remembers, to refuse them when replayed.
const retiredInstances = 4

// sender is a Decoder's replay state for one sender.
type sender struct {
	name    string
	gen     uint64
	inst    InstanceID
	seq     uint64
	retired [retiredInstances]InstanceID
	nextRet int
}

// Decoder checks and decodes the messages that arrive on one path, and
// keeps the replay state of their senders on that path. It is not safe
// for concurrent use (a Link has one per path, used by that path's
// reader). Decoding a valid message from a sender already seen does not
// allocate, nor does dropping any message.
type Decoder struct {
	mac     hash.Hash
	path    string
	self    string
	peer    string
	senders []*sender
	scratch [tagLen]byte
	drops   [numDropReasons]counter
	ok      counter
}

// NewDecoder returns a decoder for the messages arriving on the path
// named path, under key (at least MinKeyLen bytes).
func NewDecoder(key []byte, path string, opts *DecoderOptions) (*Decoder, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if len(path) == 0 || len(path) > MaxPathName {
		return nil, bad("path", "%q is not 1–%d bytes", path, MaxPathName)
	}
	if opts == nil {
		opts = &DecoderOptions{}
	}
	d := &Decoder{mac: hmac.New(sha512.New, key), path: path, self: opts.Self, peer: opts.Peer}
	if opts.Metrics != nil {
		d.drops, d.ok = opts.Metrics.forPath(path)
	}
	return d, nil
}

// Decode checks b and decodes it into m. A dropped message is a
// DropReason (counted in the metrics) and leaves m and the replay state
// unchanged. On success m.Payload aliases b, and the sender's replay
// state on this path advances to m.
func (d *Decoder) Decode(b []byte, m *Message) error {
	r := d.decode(b, m)
	if r != 0 {
		d.drops[r].inc()
		return r
	}
	d.ok.inc()
	return nil
}

func (d *Decoder) decode(b []byte, m *Message) DropReason {
	switch {
	case len(b) > MaxMessage:
		return DropOversize
	case len(b) < 4:
		return DropTruncated
	case b[0] != 'F' || b[1] != 'L' || b[2] != 'H' || b[3] != 'A':
		return DropMalformed
	case len(b) < 5:
		return DropTruncated
	case b[4] != wireVersion:
		return DropVersion
	case len(b) < headerLen+tagLen:
		return DropTruncated
	}
	be := binary.BigEndian
	typ := Type(b[5])
	nl, pl, yl := int(b[6]), int(b[7]), int(be.Uint16(b[8:]))
	var inst InstanceID
	copy(inst[:], b[28:44])
	switch {
	case yl > MaxPayload:
		return DropOversize
	case !typ.Valid(), nl == 0, nl > MaxNodeName, pl == 0, pl > MaxPathName, b[10] != 0, b[11] != 0, inst.IsZero():
		return DropMalformed
	}
	n := headerLen + nl + pl + yl
	switch {
	case len(b) < n+tagLen:
		return DropTruncated
	case len(b) > n+tagLen:
		return DropMalformed
	}
	d.mac.Reset()
	d.mac.Write(b[:n])
	if !hmac.Equal(d.mac.Sum(d.scratch[:0]), b[n:]) {
		return DropForged
	}
	node := b[headerLen : headerLen+nl]
	if string(b[headerLen+nl:headerLen+nl+pl]) != d.path {
		return DropWrongPath
	}
	if string(node) == d.self || (d.peer != "" && string(node) != d.peer) {
		return DropUnexpectedNode
	}
	gen, seq := be.Uint64(b[12:]), be.Uint64(b[20:])
	var s *sender
	for _, c := range d.senders {
		if c.name == string(node) {
			s = c
			break
		}
	}
	switch {
	case s == nil:
		if len(d.senders) >= maxSenders {
			return DropUnexpectedNode
		}
		s = &sender{name: string(node), gen: gen, inst: inst, seq: seq}
		d.senders = append(d.senders, s)
	case gen < s.gen:
		return DropReplayed
	case gen > s.gen:
		*s = sender{name: s.name, gen: gen, inst: inst, seq: seq}
	case inst != s.inst:
		for _, r := range s.retired {
			if r == inst {
				return DropReplayed
			}
		}
		s.retired[s.nextRet] = s.inst
		s.nextRet = (s.nextRet + 1) % retiredInstances
		s.inst, s.seq = inst, seq
	case seq <= s.seq:
		return DropReplayed
	default:
		s.seq = seq
	}
	*m = Message{Type: typ, Node: s.name, Path: d.path, Generation: gen, Instance: inst, Seq: seq, Payload: b[n-yl : n : n]}
	return 0
}
