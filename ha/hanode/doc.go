// Package hanode is service management's daemon core: one controller's
// side of StarlingX's SM (§3 of the reference), as a value an embedding
// program runs — the reference daemon cmd/stx-ha, or stx-controller
// itself.
//
// A Node (New, then Run) ties package ha's pure state machines to the
// world: the peer link of ha/hapeer feeds ha.StepFailover with path and
// peer events and with the peer's report, which every heartbeat carries
// (and a hello, at once, whenever it changes); the failover actions
// command the service groups (ha.StepGroup), fence the silent peer
// through an ha.Fencer, and hold the witness's lease through an
// ha.Witness; the groups' actions run through ha.Plugins, one goroutine
// per running action, their results fed back on the node's one loop.
// Alarms 400.001 (a group failed, degraded or warned), 400.002 (no
// takeover possible) and 400.005 (a path to the peer lost) go to a
// fault.Reporter.
//
// # Groups
//
// The groups the domain places N + M (one active controller) follow the
// node's role: go-active when it is active, go-standby when standby,
// disable when it has failed. The N groups (active on both) go active
// at start. At start the moving groups are first disabled, so that what
// an earlier run left behind (a floating address still configured after
// kill -9) is removed, and the node takes no part in survivor selection
// until that is done: its report is withheld and its peer waits.
//
// # Never both active
//
// Besides ha.StepFailover's rules (a takeover from a silent peer needs
// a confirmed fence or the witness's lease; a takeover from a live peer
// needs its vote), a node that goes standby keeps reporting itself
// active to its peer until its moving groups are standby or disabled:
// the peer's handshake therefore starts only once the floating
// addresses are gone, in a swact as in a health failover. A member whose
// stop failed (left unknown: it may still hold its address) keeps the
// node reporting itself active, so its peer never takes over from it;
// at start such a member keeps the node out of survivor selection.
// Each service runs one plugin at a time: a run that overtakes another
// (a disable after a timed-out go-active) starts once the other has
// returned. One fence attempt is in flight at a time.
//
// With a witness and no fence, the silent peer cannot be told anything:
// the active demotes itself DriftMargin before its lease ends and gives
// the lease back only once its moving groups are released, but the
// standby may be granted the lease as soon as it ends on the witness.
// Set drift_margin above the time the moving groups take to stop (or
// configure a fence as well) so that the addresses are gone by then; a
// node killed outright keeps its addresses until it is powered off,
// which only a fence does.
//
// # Swact
//
// Node.Swact moves activity away from a controller (this one or the
// peer, which gets a swact request) with §3.7's pre-checks — a peer to
// swact to, no group transitioning on either node — unless forced, and
// returns once every moving group is active on the other controller and
// standby on the first.
//
// # State
//
// Config.StateDir keeps the generation, raised and saved (fsync) at
// every start before the link sends anything, and whether the node was
// active last, saved whenever it changes, so that after both controllers
// restart the one that was active is active again. The groups' states
// are not kept: at start they are rebuilt by disabling (idempotent
// actions: removing an absent address succeeds) and following the role.
//
// Where Flock differs from StarlingX: a stopped node does not hand its
// services over (SIGTERM is a silence like a crash; use Swact first),
// and a failed node calls Options.OnFailed instead of rebooting.
package hanode
