package hawitness

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"time"

	"github.com/edgeflock/flock/ha"
)

// The wire format; the package doc draws it.
const (
	wireVersion = 1
	headerLen   = 44
	tagLen      = sha512.Size
	// MaxName is the longest domain or node name a message carries, in
	// bytes.
	MaxName = 64
	// MaxMessage is the longest message: header, the longest names and
	// the tag. Readers use a buffer one byte longer, so that a longer
	// datagram is seen as oversize.
	MaxMessage = headerLen + 2*MaxName + tagLen
	// MinKeyLen is the shortest HMAC key accepted, in bytes.
	MinKeyLen = 32
)

// Type is a message's type: a client's request or the witness's answer.
type Type uint8

// The message types. Requests go from a Client to the Server; the
// Server answers each with one answer echoing its instance and sequence.
const (
	// TypeAcquire asks the lease for Node, or extends the lease Node
	// holds, for Duration.
	TypeAcquire Type = 1
	// TypeRelease gives Node's lease back.
	TypeRelease Type = 2
	// TypeQuery asks who holds the lease and for how long.
	TypeQuery Type = 3
	// TypeGranted answers an acquire: Node holds the lease for Duration
	// more, counted from when the witness processed the request.
	TypeGranted Type = 17
	// TypeRefused answers an acquire: Node (empty while a restarted
	// witness holds every lease back) holds the lease for Duration more.
	TypeRefused Type = 18
	// TypeReleased answers a release.
	TypeReleased Type = 19
	// TypeLease answers a query: Node holds the lease (empty: nobody)
	// for Duration more.
	TypeLease Type = 20
	// TypeRejected answers a request the witness will not serve; Code
	// says why.
	TypeRejected Type = 21
)

// Valid reports whether t is one of the types above.
func (t Type) Valid() bool { return t.IsRequest() || t.IsAnswer() }

// IsRequest reports whether t is a request's type.
func (t Type) IsRequest() bool { return t >= TypeAcquire && t <= TypeQuery }

// IsAnswer reports whether t is an answer's type.
func (t Type) IsAnswer() bool { return t >= TypeGranted && t <= TypeRejected }

// String names the type ("acquire", "granted" ...).
func (t Type) String() string {
	switch t {
	case TypeAcquire:
		return "acquire"
	case TypeRelease:
		return "release"
	case TypeQuery:
		return "query"
	case TypeGranted:
		return "granted"
	case TypeRefused:
		return "refused"
	case TypeReleased:
		return "released"
	case TypeLease:
		return "lease"
	case TypeRejected:
		return "rejected"
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// Code is why a request was rejected (TypeRejected).
type Code uint8

// The rejection codes.
const (
	// CodeUnknownDomain: the witness serves no such domain.
	CodeUnknownDomain Code = 1 + iota
	// CodeNodeNotAllowed: the node is not one of the domain's.
	CodeNodeNotAllowed
	// CodeBadDuration: an acquire's duration is not positive.
	CodeBadDuration
	// CodeFull: the witness serves no more domains.
	CodeFull
)

var codeNames = [...]string{"", "unknown_domain", "node_not_allowed", "bad_duration", "full"}

// String names the code ("unknown_domain" ...).
func (c Code) String() string {
	if c == 0 || int(c) >= len(codeNames) {
		return fmt.Sprintf("code(%d)", uint8(c))
	}
	return codeNames[c]
}

// InstanceID identifies one Client: random at its creation, so that a
// new client, whose sequence starts again, is not taken for a replayer.
// It is never all zero.
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

// Message is one request or answer.
type Message struct {
	Type Type
	// Domain is the lease's domain, 1–MaxName bytes.
	Domain string
	// Node: in a request, the node whose lease it is about (1–MaxName
	// bytes); in an answer, the holder (empty: none).
	Node string
	// Code: in a rejection, why; else zero.
	Code Code
	// Instance and Seq: in a request, the client's instance and its
	// sequence number, above every earlier one of the instance; an
	// answer echoes its request's.
	Instance InstanceID
	Seq      uint64
	// Duration: an acquire's requested duration; a granted, refused or
	// lease answer's remaining time on the witness's clock; else zero.
	Duration time.Duration
}

func (m *Message) validate() error {
	switch {
	case !m.Type.Valid():
		return bad("type", "%d is not a message type", uint8(m.Type))
	case len(m.Domain) == 0 || len(m.Domain) > MaxName:
		return bad("domain", "%q is not 1–%d bytes", m.Domain, MaxName)
	case len(m.Node) > MaxName, m.Type.IsRequest() && len(m.Node) == 0:
		return bad("node", "%q is not 1–%d bytes", m.Node, MaxName)
	case m.Instance.IsZero():
		return bad("instance", "is zero")
	case m.Duration < 0:
		return bad("duration", "%s is negative", m.Duration)
	case (m.Type == TypeRejected) != (m.Code != 0):
		return bad("code", "%d with type %s", m.Code, m.Type)
	}
	return nil
}

func bad(field, format string, args ...any) error {
	return &ha.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

func checkKey(field string, key []byte) error {
	if len(key) < MinKeyLen {
		return bad(field, "%d bytes is shorter than %d", len(key), MinKeyLen)
	}
	return nil
}

// Encoder seals messages with HMAC-SHA512 under a key. It is not safe
// for concurrent use.
type Encoder struct{ mac hash.Hash }

// NewEncoder returns an encoder under key (at least MinKeyLen bytes).
func NewEncoder(key []byte) (*Encoder, error) {
	if err := checkKey("key", key); err != nil {
		return nil, err
	}
	return &Encoder{mac: hmac.New(sha512.New, key)}, nil
}

// Encode appends m's encoding, tag included, to dst. An invalid m is a
// *ha.FieldError and dst is returned unchanged.
func (e *Encoder) Encode(dst []byte, m *Message) ([]byte, error) {
	if err := m.validate(); err != nil {
		return dst, err
	}
	start := len(dst)
	dst = append(dst, 'F', 'L', 'H', 'W', wireVersion, byte(m.Type), byte(len(m.Domain)), byte(len(m.Node)), byte(m.Code), 0, 0, 0)
	dst = append(dst, m.Instance[:]...)
	be := binary.BigEndian
	dst = be.AppendUint64(dst, m.Seq)
	dst = be.AppendUint64(dst, uint64(m.Duration))
	dst = append(dst, m.Domain...)
	dst = append(dst, m.Node...)
	e.mac.Reset()
	e.mac.Write(dst[start:])
	return e.mac.Sum(dst), nil
}

// Decoder checks and decodes messages under a key. It keeps no replay
// state (the Server does, per client instance). It is not safe for
// concurrent use.
type Decoder struct {
	mac     hash.Hash
	scratch [tagLen]byte
}

// NewDecoder returns a decoder under key (at least MinKeyLen bytes).
func NewDecoder(key []byte) (*Decoder, error) {
	if err := checkKey("key", key); err != nil {
		return nil, err
	}
	return &Decoder{mac: hmac.New(sha512.New, key)}, nil
}

// Decode checks b and decodes it into m. A dropped message is a
// DropReason and leaves m unchanged.
func (d *Decoder) Decode(b []byte, m *Message) error {
	if r := d.decode(b, m); r != 0 {
		return r
	}
	return nil
}

func (d *Decoder) decode(b []byte, m *Message) DropReason {
	switch {
	case len(b) > MaxMessage:
		return DropOversize
	case len(b) < 4:
		return DropTruncated
	case b[0] != 'F' || b[1] != 'L' || b[2] != 'H' || b[3] != 'W':
		return DropMalformed
	case len(b) < 5:
		return DropTruncated
	case b[4] != wireVersion:
		return DropVersion
	case len(b) < headerLen+tagLen:
		return DropTruncated
	}
	typ, dl, nl, code := Type(b[5]), int(b[6]), int(b[7]), Code(b[8])
	var inst InstanceID
	copy(inst[:], b[12:28])
	be := binary.BigEndian
	seq, dur := be.Uint64(b[28:]), be.Uint64(b[36:])
	switch {
	case !typ.Valid(), dl == 0, dl > MaxName, nl > MaxName, typ.IsRequest() && nl == 0,
		b[9] != 0, b[10] != 0, b[11] != 0, inst.IsZero(), dur > 1<<63-1,
		(typ == TypeRejected) != (code != 0):
		return DropMalformed
	}
	n := headerLen + dl + nl
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
	*m = Message{Type: typ, Domain: string(b[headerLen : headerLen+dl]), Node: string(b[headerLen+dl : n]),
		Code: code, Instance: inst, Seq: seq, Duration: time.Duration(dur)}
	return 0
}

// DropReason says why a message was dropped. It is itself the error
// Decode returns: errors.Is(err, hawitness.DropForged) works.
type DropReason uint8

// The drop reasons. Their String is the value of the reason label of
// flock_ha_witness_dropped_total and flock_ha_witness_client_dropped_total.
const (
	// DropOversize: longer than MaxMessage.
	DropOversize DropReason = 1 + iota
	// DropTruncated: shorter than the header and tag, or than its
	// length fields say.
	DropTruncated
	// DropVersion: the magic is right but the version is not 1.
	DropVersion
	// DropMalformed: not a witness message (magic), an unknown type, a
	// bad length field or code, a reserved byte set, a zero instance, a
	// duration over the largest, or bytes after the tag.
	DropMalformed
	// DropForged: the HMAC-SHA512 tag does not verify under the key.
	DropForged
	// DropUnexpected: authentic, but an answer sent to the witness, a
	// request sent to a client, or an answer to another request than
	// the one the client waits for.
	DropUnexpected
	// DropReplayed: authentic, but its sequence is below the last one
	// the witness processed from its client instance, or the instance
	// was superseded.
	DropReplayed
	numDropReasons = 1 + iota
)

var dropNames = [...]string{"", "oversize", "truncated", "version", "malformed", "forged", "unexpected", "replayed"}

// DropReasons lists every reason.
func DropReasons() []DropReason {
	rs := make([]DropReason, 0, numDropReasons-1)
	for r := DropOversize; r < numDropReasons; r++ {
		rs = append(rs, r)
	}
	return rs
}

// String names the reason ("forged", "replayed" ...).
func (r DropReason) String() string {
	if r == 0 || int(r) >= len(dropNames) {
		return "unknown"
	}
	return dropNames[r]
}

// Error implements error.
func (r DropReason) Error() string { return "hawitness: message dropped: " + r.String() }
