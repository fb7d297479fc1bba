// Package hawitness is the witness of service management (HA): a small
// third party, run as `stx-ha witness` on a host other than the two
// controllers, that grants one lease at a time per domain. With it a
// silent partition between the controllers (every path down, both
// alive) never makes both active: ha.StepFailover goes active only
// while it holds the lease, and the witness never grants the lease to
// one controller while the other's has not ended on the witness's
// clock.
//
// A Server (New, then Run) is the witness; a Client implements
// ha.Witness for the daemon's failover actions (request-lease,
// renew-lease, release-lease, and the peer-lease query). Command
// returns the `witness` command for the daemon's main.
//
// # Safety argument
//
// One holder, on one clock. The witness keeps, per domain, at most one
// holder and the end of its lease on its own monotonic clock. An acquire
// from another node while that end has not passed is refused; a grant
// sets the end to the witness's now plus the duration, and a renewal
// never moves it back (a shorter renewal keeps the longer end: the
// holder may still count on the end of a grant whose successor's answer
// it never got). Only a release from the very client instance the lease
// was granted to ends it early.
//
// Clock offsets do not matter. Answers carry remaining durations, never
// times. The client counts a grant from before its request first left,
// so its end is never later than the witness's (the request was
// processed after it was sent, and a resend is counted from the first
// send); it counts a refusal's end and a Lease from after the answer
// came, so they are never earlier than the witness's. Only the rates of
// the clocks matter, and ha.FailoverConfig.DriftMargin covers them:
//
//   - the active renews halfway through its lease and, if it could not,
//     demotes itself (go-standby, then release-lease) DriftMargin before
//     its own end, which is not later than the witness's end;
//   - the standby of a silent peer waits until the peer's last reported
//     lease end plus DriftMargin, then asks for the lease, and the
//     witness refuses it until the peer's lease has ended on the
//     witness's clock; a refusal's Until tells it how long to wait.
//
// So when the witness grants the standby, the former active's lease has
// ended on the witness's clock, hence on its own clock (less the drift
// margin), and it has demoted itself. A controller cut off from the
// witness cannot renew and demotes itself in time; a standby cut off
// from it never gets the lease.
//
// Restarts. The witness writes its state durably before it answers any
// acquire or release (a temporary file, fsync, rename, fsync of the
// directory): the holder, the granting instance and the remaining
// duration at the time of writing, and the client instances' sequence
// numbers. A restarted witness cannot know how much of a lease passed
// while it was down, so it counts each persisted lease again in full
// from its restart: the other node is refused at least as long as
// before, and the holder may renew across the restart. A witness that
// finds no state at all (a first start, or a lost disk: it cannot tell)
// refuses every node for MaxLease, and persists that hold at once so
// that restarting does not shorten it; InitStateDir (`stx-ha witness
// --init`), run once at installation, writes an empty state instead. A
// corrupt state file stops Run with an error rather than granting
// anything. A state write that fails leaves the request unanswered (the
// client does not count on it; the witness keeps refusing the other).
//
// # Replay protection
//
// Every request carries its client's instance id (random per Client)
// and a sequence number that the client raises for each request; the
// answer echoes both, under the tag, so a client takes only the answer
// to its own request. The witness remembers, per instance, the last
// sequence processed and its answer:
//
//   - a lower sequence is dropped (replayed);
//   - the same sequence is a resend: the cached answer is sent again and
//     nothing changes, so a resent or replayed acquire never extends a
//     lease beyond what the original granted;
//   - a higher sequence, or an instance not seen, is processed.
//
// The sequences of acquires and releases are persisted with the state,
// so a restart does not reopen them. At most MaxClients instances are
// remembered (the least recently heard forgotten first), so a replay
// of a request from an instance forgotten since could be taken as new.
// That cannot make two nodes active: a replayed acquire extends or
// grants a lease only to the node that sent it, whose own end is
// unchanged (the witness's end only moves later), so at worst the
// other node is refused for up to MaxLease longer than needed; and a
// replayed release ends nothing, since a release counts only from the
// instance the lease was granted to. A daemon that restarts gets a new
// instance; the lease its former instance held runs out.
//
// The key is shared by the two controllers and the witness: a holder
// of the key can ask for any node's lease. It authenticates the three
// against anyone else on the networks, not the controllers against each
// other.
//
// # Wire format
//
// One message per UDP datagram, big-endian, version 1:
//
//	offset size field
//	0      4    magic "FLHW"
//	4      1    version (1)
//	5      1    type: requests 1 acquire, 2 release, 3 query; answers
//	            17 granted, 18 refused, 19 released, 20 lease, 21 rejected
//	6      1    domain length (1–64)
//	7      1    node length (requests 1–64; answers 0–64, the holder)
//	8      1    code (rejected: 1 unknown domain, 2 node not allowed,
//	            3 bad duration, 4 full; otherwise 0)
//	9      3    reserved, zero
//	12     16   client instance id (never zero)
//	28     8    sequence
//	36     8    duration in nanoseconds (acquire: requested; granted,
//	            refused, lease: remaining on the witness's clock)
//	44     …    domain, node
//	end-64 64   HMAC-SHA512 of everything before it, under the shared key
//
// A Decoder checks size (oversize), length (truncated), magic
// (malformed), version, the header's fields and lengths (malformed,
// truncated) and the tag (forged); the witness then drops answers sent
// to it (unexpected) and replays (replayed); a client drops requests
// and answers to other requests (unexpected).
//
// # Metrics
//
// On the registry passed to New: flock_ha_witness_grants_total,
// refusals_total, releases_total, queries_total, duplicates_total,
// persist_errors_total, rejected_total{code} and dropped_total{reason}.
// On the registry passed to NewClient:
// flock_ha_witness_client_dropped_total{reason}, resent_total and
// unavailable_total.
//
// # Errors
//
// New, NewClient, Config.Validate, LoadConfig and Encode return a
// *ha.FieldError (wrapping ha.ErrInvalid) naming the bad field. A
// Client's refusal is a *ha.LeaseHeldError (wrapping
// ha.ErrInvalidTransition); no answer before the context's deadline (or
// ClientConfig.Timeout) wraps ha.ErrUnavailable and the context's error;
// a request the witness rejects is a *ha.FieldError naming domain, node
// or lease. Decode returns a DropReason.
package hawitness
