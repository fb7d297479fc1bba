// Package hapeer is the peer protocol of service management (HA) between
// the two controllers: StarlingX SM's hello/exchange messages (§3.4 of
// the StarlingX reference) and its multi-path heartbeat (§3.5), over UDP
// on every configured path (management, OAM, cluster-host ...), every
// message on every path authenticated with HMAC-SHA512 (StarlingX signs
// only OAM's).
//
// It does not decide anything: survivor selection, the service and group
// state machines and swact live in package ha, which feeds this
// package's events and messages into them.
//
// # Link
//
// A *Link (New, then Run) talks to one peer. Every Period it sends a
// heartbeat on every path; a path is alive while a valid message (a
// heartbeat or any other) arrived on it within DeadInterval, and the peer
// is alive while any path is (SM's rule: heartbeat OK if any path is).
// Send sends the caller's messages (hello, exchange, swact request ...)
// on every path with one sequence number; the peer's Handler gets each
// once, whichever path brought it first.
//
// Events go to Options.OnEvent one at a time, on Run's goroutine, in the
// order the link saw them:
//
//   - EventPathUp for a path, then EventPeerUp if it is the first alive;
//   - EventPathDown for a path, then EventPeerDown if it was the last;
//   - EventPeerRestarted (a new instance or generation heard) before the
//     EventPathUp or the Handler call of the message that revealed it.
//
// A Link starts with every path and the peer down and reports no event
// until the peer is heard. A path is declared down at the exact moment
// DeadInterval after its last valid message, not at the next tick.
//
// # Timing and CPU
//
// StarlingX heartbeats every 100 ms and declares a path dead after
// 800 ms. Flock's defaults are 50 ms and 200 ms: a peer that dies is
// declared down 150–200 ms after its last heartbeat (the death falls
// somewhere within a period, then DeadInterval must pass), which leaves
// 100 ms of the 300 ms failover budget to take the services over; and a
// path must lose four heartbeats in a row before it is declared dead, so
// a single lost datagram never fails it. The cost is twice StarlingX's
// message rate: per node, 20 heartbeats a second on each path sent and
// as many received, each one HMAC-SHA512 and a sendto/recvfrom system
// call, and the loop wakes at most twice per period. BenchmarkLinkCPU
// measures it; the CPU is
// proportional to paths/Period, so halving the period doubles it, and a
// 20 ms period (for a 50 ms failover) costs 2.5 times the default.
// DeadInterval itself costs nothing: it only sets how many losses in a
// row are tolerated (DeadInterval/Period - 1).
//
// # Wire format
//
// One message per UDP datagram, big-endian, version 1:
//
//	offset size field
//	0      4    magic "FLHA"
//	4      1    version (1)
//	5      1    type: 1 hello, 2 heartbeat, 3 exchange-start, 4 exchange,
//	            5 swact-request, 6 swact-response
//	6      1    node name length (1–64)
//	7      1    path name length (1–32)
//	8      2    payload length (0–1024)
//	10     2    reserved, zero
//	12     8    generation (the sender's boot/restart counter)
//	20     8    sequence
//	28     16   instance id (random per process start, never zero)
//	44     …    node name, path name, payload
//	end-64 64   HMAC-SHA512 of everything before it, under the shared key
//
// A sender numbers its messages from 1 per instance, one counter for all
// paths, and puts the path's name in each copy, so a copy captured on one
// network and replayed on another is dropped (wrong_path). A receiver
// keeps, per path and sender, the last generation, instance and sequence
// accepted: it drops an older generation, a sequence not above the last
// for the same instance, and an instance of the same generation that it
// saw replaced (the last four are remembered); a higher generation or a
// new instance starts afresh. Messages from the receiver's own name
// (reflected) or, when Config.Peer is set, from another node are dropped
// (unexpected_node).
//
// A Decoder checks, in this order: size (oversize), length (truncated),
// magic and version (malformed, version), the header's fields
// (malformed), the lengths against the datagram (truncated; extra bytes
// are malformed), the tag (forged), the path, the node, the replay state
// (replayed). Each drop is a DropReason, counted in
// flock_ha_peer_dropped_total{path,reason}. Decoding a valid message from
// a known sender, and dropping any message, allocates nothing.
//
// # Metrics
//
// On the registry passed to New (or NewMetrics):
// flock_ha_peer_dropped_total{path,reason},
// flock_ha_peer_received_total{path}, flock_ha_peer_sent_total{path},
// flock_ha_peer_path_alive{path} and flock_ha_peer_alive.
//
// # Errors
//
// New, Config.Validate, Encode, Send and SetHeartbeatPayload return a
// *FieldError (wrapping ErrInvalid) naming the bad field. Send returns
// ErrNotRunning outside Run. Decode returns a DropReason.
package hapeer
