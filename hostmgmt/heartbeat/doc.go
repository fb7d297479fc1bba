// Package heartbeat is host maintenance's link between the controller and
// each host's agent: StarlingX's hbsAgent/hbsClient (heartbeat pulses)
// and the mtcAgent/mtcClient messages (mtcAlive, commands), over UDP,
// one socket per network, every packet authenticated with HMAC-SHA256
// under a per-host key the controller issues.
//
// # Controller
//
// A *Controller runs on the active controller. It implements
// hostmgmt.Heartbeat (SetKey admits a host, Monitor starts and stops its
// heartbeat) and hostmgmt.Agents (Send delivers a command), and reports
// what it sees to a hostmgmt.Observer:
//
//   - ObsHeartbeat when a monitored host's health on a network changes
//     (ok, minor, degraded, failed, from the count of consecutive missed
//     pulses against the thresholds) or its agent's health flags change.
//     A pulse is missed when its answer has not come half a period
//     after it was sent; so with the defaults (100 ms, failure at 10) a
//     dead agent is reported failed 0.95–1.05 s after it died.
//   - ObsMtcAlive when a host's mtcAlive is the first heard, differs from
//     the last reported (configured, boot id, flags), comes after the host
//     went offline, or answers CmdMtcAlive.
//   - ObsOffline once when no mtcAlive has come for OfflineTimeout.
//   - ObsCommandResult once per command that finished on the host.
//   - ObsMNFAEnter and ObsMNFAExit (multi-node failure avoidance, §2.5 of
//     StarlingX's mtce): when at least MNFAThreshold monitored hosts are
//     at minor or worse on one network at once, the controller takes it
//     for a network event. It backs that network's pulses off to four
//     periods and reports no host failed on it (degraded at most) until
//     the count falls below the threshold or MNFATimeout passes; then it
//     restores the period and reports each host's true health, so the
//     manager recovers the ones still missing.
//
// The controller does not need to be told the hosts' addresses: it
// learns a host's address on a network from the authenticated packets
// (mtcAlive, pulse answers) that arrive on that network's socket, and
// pulses a monitored host on every network it was heard on.
//
// # Client
//
// A *Client runs on every host, with the hostmgmt.LinkConfig the
// controller issued. It opens one socket per network, sends an mtcAlive
// on each every AliveInterval, answers pulses with its Handler's health
// flags, and runs commands through its Handler: it acknowledges a command
// at once, runs it once however often the controller resends it, and
// sends the result until the controller acknowledges it.
//
// # Wire format
//
// One packet per UDP datagram, big-endian, version 1:
//
//	offset size field
//	0      3    magic "FHB"
//	3      1    version (1)
//	4      1    kind: 1 pulse-req, 2 pulse-rsp, 3 alive, 4 cmd, 5 cmd-ack,
//	            6 cmd-result, 7 result-ack
//	5      1    network: 1 mgmt, 2 cluster-host
//	6      1    bits: 1 configured, 2 requested (an alive answering
//	            CmdMtcAlive), 4 ok (a command's result); others zero
//	7      1    host uuid length (1–64)
//	8      1    command name length (0–32)
//	9      1    boot id length (0–64)
//	10     1    reason length (0–200)
//	11     1    reserved, zero
//	12     8    sequence
//	20     8    timestamp, ns since the Unix epoch
//	28     4    health flags (hostmgmt.HealthFlags)
//	32     8    id: a command's id; in a pulse-rsp, the answered pulse's sequence
//	40     8    uptime, ns
//	48     …    host uuid, command name, boot id, reason
//	end-32 32   HMAC-SHA256 of everything before it, under the host's key
//
// The host uuid is the sending host's in a host's packets and the
// addressed host's in the controller's. Each sender numbers its packets
// on each network from its start time in nanoseconds upwards, so a
// restarted sender is not taken for a replayer; a receiver drops a packet
// whose sequence is not above the last it accepted from that sender on
// that network. Dropped packets (forged: bad tag; replayed: old sequence
// or another network's packet; malformed: truncated, unknown version or
// kind, or the wrong direction; unknown_host) are counted in
// flock_heartbeat_dropped_total{reason}.
//
// # Metrics
//
// On the registry passed to NewController: flock_heartbeat_dropped_total
// {reason}, flock_heartbeat_pulses_total{network},
// flock_heartbeat_responses_total{network}, flock_heartbeat_mnfa
// {network} (1 while in MNFA) and flock_heartbeat_monitored_hosts.
//
// # Errors
//
// Config.Validate and NewClient return a *hostmgmt.FieldError (wrapping
// hostmgmt.ErrInvalid) naming the bad field. Send returns an error
// wrapping hostmgmt.ErrUnavailable when the host's address is unknown or
// its agent did not acknowledge before ctx ended.
package heartbeat
