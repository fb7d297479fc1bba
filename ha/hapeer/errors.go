package hapeer

import (
	"errors"
	"fmt"
)

// ErrInvalid: a Config, a Message to encode or a key is malformed. The
// error is a *FieldError naming the offending field.
var ErrInvalid = errors.New("hapeer: invalid input")

// FieldError reports invalid input in one named field. It wraps
// ErrInvalid. (Package ha has its own; this package does not import ha.)
type FieldError struct {
	Field  string // YAML name of the field, e.g. "dead_interval" or "paths[1].peer"
	Reason string // what is wrong with it
}

// Error implements error.
func (e *FieldError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason) }

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// InvalidField returns the field and the reason, for transports that
// name the field in their answer.
func (e *FieldError) InvalidField() (field, reason string) { return e.Field, e.Reason }

func bad(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// DropReason says why a Decoder dropped a message. It is itself the error
// Decode returns, so that dropping a flood of bad datagrams allocates
// nothing: errors.Is(err, hapeer.DropForged) and errors.As(err, &reason)
// both work.
type DropReason uint8

// The drop reasons, in the order a Decoder checks them. Their String is
// the value of the reason label of flock_ha_peer_dropped_total.
const (
	// DropOversize: the datagram is longer than MaxMessage, or its payload
	// length field exceeds MaxPayload.
	DropOversize DropReason = 1 + iota
	// DropTruncated: shorter than the header and tag, or shorter than its
	// length fields say.
	DropTruncated
	// DropVersion: the magic is right but the version is not 1.
	DropVersion
	// DropMalformed: not a peer message (magic), an unknown type, a bad
	// length field, a reserved byte set, a zero instance id, or bytes
	// after the tag.
	DropMalformed
	// DropForged: the HMAC-SHA512 tag does not verify under the key.
	DropForged
	// DropWrongPath: authentic, but sent for another path than the one it
	// arrived on (a copy replayed across networks).
	DropWrongPath
	// DropUnexpectedNode: authentic, but from this node itself (a
	// reflection) or from a node other than the configured peer.
	DropUnexpectedNode
	// DropReplayed: authentic, but not newer than what was accepted from
	// its sender on this path: an older generation, a retired instance of
	// the same generation, or a sequence not above the last accepted.
	DropReplayed
	numDropReasons = 1 + iota // array size, index 0 unused
)

var dropNames = [...]string{"", "oversize", "truncated", "version", "malformed", "forged", "wrong_path", "unexpected_node", "replayed"}

// DropReasons lists every reason, for callers that pre-create series.
func DropReasons() []DropReason {
	rs := make([]DropReason, 0, numDropReasons-1)
	for r := DropOversize; r <= DropReplayed; r++ {
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
func (r DropReason) Error() string { return "hapeer: message dropped: " + r.String() }
