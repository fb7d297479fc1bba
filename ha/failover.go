package ha

// The failover decision of §3.6 (sm_failover*.c): survivor selection,
// plus the fence or witness lease Flock requires before a takeover.

import (
	"fmt"
	"slices"
	"time"
)

// FailoverPhase is the phase of the failover state machine on one node:
// StarlingX's failover states (initial, normal, fail-pending, failed,
// survived) plus Flock's fencing, lease-wait and blocked.
type FailoverPhase string

// FailoverPhase values.
const (
	// FailoverInitial: the peer has not been heard since start; after
	// FailoverConfig.WaitInterval the node decides alone.
	FailoverInitial FailoverPhase = "initial"
	// FailoverNormal: the peer is heard on at least one path.
	FailoverNormal FailoverPhase = "normal"
	// FailoverFailPending: the peer went silent on every path; survivor
	// selection runs after FailoverConfig.FailPendingDelay.
	FailoverFailPending FailoverPhase = "fail-pending"
	// FailoverFencing: this node won and asked for the peer to be
	// fenced; it waits for the confirmation.
	FailoverFencing FailoverPhase = "fencing"
	// FailoverLeaseWait: this node won and waits for the peer's lease to
	// end, then for the witness to grant it the lease.
	FailoverLeaseWait FailoverPhase = "lease-wait"
	// FailoverBlocked: this node won but has neither fence nor witness;
	// it stays standby with alarm 400.002 raised.
	FailoverBlocked FailoverPhase = "blocked"
	// FailoverSurvived: this node is active and the peer is silent.
	FailoverSurvived FailoverPhase = "survived"
	// FailoverFailed: this node lost the selection and took itself out.
	FailoverFailed FailoverPhase = "failed"
)

var failoverPhaseValues = enumValues[FailoverPhase]{"phase", []FailoverPhase{FailoverInitial, FailoverNormal, FailoverFailPending, FailoverFencing, FailoverLeaseWait, FailoverBlocked, FailoverSurvived, FailoverFailed}}

// Valid reports whether p is one of the FailoverPhase values.
func (p FailoverPhase) Valid() bool { return failoverPhaseValues.valid(p) }

// String returns the phase's name.
func (p FailoverPhase) String() string { return string(p) }

// UnmarshalText parses p strictly; a bad value is a *FieldError.
func (p *FailoverPhase) UnmarshalText(b []byte) error { return failoverPhaseValues.unmarshal(p, b) }

// FailoverEventKind is the kind of a FailoverEvent.
type FailoverEventKind string

// FailoverEventKind values.
const (
	// FailoverPathUp, FailoverPathDown: hapeer's path-up/path-down for
	// Path.
	FailoverPathUp   FailoverEventKind = "path-up"
	FailoverPathDown FailoverEventKind = "path-down"
	// FailoverPeerDown: hapeer's peer-down (every path is down).
	FailoverPeerDown FailoverEventKind = "peer-down"
	// FailoverPeerRestarted: hapeer's peer-restarted; the peer's role is
	// unknown until its next report.
	FailoverPeerRestarted FailoverEventKind = "peer-restarted"
	// FailoverPeerState: the peer's report (hello or heartbeat payload):
	// Role, Health, WasActive and, with a witness, LeaseUntil.
	FailoverPeerState FailoverEventKind = "peer-state"
	// FailoverHealth: this node's interface-down flags changed (Health).
	FailoverHealth FailoverEventKind = "health"
	// FailoverClusterView: host maintenance's cluster view changed
	// (View).
	FailoverClusterView FailoverEventKind = "cluster-view"
	// FailoverFenceConfirmed, FailoverFenceFailed: the result of a
	// request-fence action.
	FailoverFenceConfirmed FailoverEventKind = "fence-confirmed"
	FailoverFenceFailed    FailoverEventKind = "fence-failed"
	// FailoverLeaseGranted: the witness granted or renewed this node's
	// lease until LeaseUntil. FailoverLeaseFailed: it refused, or did
	// not answer in time.
	FailoverLeaseGranted FailoverEventKind = "lease-granted"
	FailoverLeaseFailed  FailoverEventKind = "lease-failed"
	// FailoverPeerLease: the witness reports the peer's lease end
	// (LeaseUntil; zero: the peer holds none).
	FailoverPeerLease FailoverEventKind = "peer-lease"
	// FailoverSwact: an operator's graceful swact: the active node yields
	// to its standby peer (§3.7). It goes standby, votes for the peer
	// and reports that it yields; the peer then wins survivor selection
	// and goes active through the usual handshake. The yield ends when
	// the peer is active, goes silent, or after SwactTimeout (the swact
	// failed: the normal rules apply again). Refused with a *RuleError
	// (RuleSwact) unless this node is active and its peer is heard and
	// standby.
	FailoverSwact FailoverEventKind = "swact"
	// FailoverTimer: NextDeadline passed.
	FailoverTimer FailoverEventKind = "timer"
)

var failoverEventKindValues = enumValues[FailoverEventKind]{"kind", []FailoverEventKind{FailoverPathUp, FailoverPathDown, FailoverPeerDown, FailoverPeerRestarted, FailoverPeerState, FailoverHealth, FailoverClusterView, FailoverFenceConfirmed, FailoverFenceFailed, FailoverLeaseGranted, FailoverLeaseFailed, FailoverPeerLease, FailoverSwact, FailoverTimer}}

// Valid reports whether k is one of the FailoverEventKind values.
func (k FailoverEventKind) Valid() bool { return failoverEventKindValues.valid(k) }

// String returns the kind's name.
func (k FailoverEventKind) String() string { return string(k) }

// UnmarshalText parses k strictly; a bad value is a *FieldError.
func (k *FailoverEventKind) UnmarshalText(b []byte) error {
	return failoverEventKindValues.unmarshal(k, b)
}

// AllFailoverEventKinds returns every FailoverEventKind value.
func AllFailoverEventKinds() []FailoverEventKind { return slices.Clone(failoverEventKindValues.values) }

// FailoverActionKind names a FailoverAction.
type FailoverActionKind string

// FailoverActionKind values.
const (
	// FailGoActive, FailGoStandby: command every service group of this
	// node to go active / standby (StepGroup's go-active, go-standby).
	FailGoActive  FailoverActionKind = "go-active"
	FailGoStandby FailoverActionKind = "go-standby"
	// FailSelf: this node lost survivor selection: take it out (SM's
	// failed state; the caller disables its services and reboots or
	// waits for an operator).
	FailSelf FailoverActionKind = "fail"
	// FailRequestFence: fence Node (power it off through its BMC) and
	// feed fence-confirmed or fence-failed.
	FailRequestFence FailoverActionKind = "request-fence"
	// FailRequestLease, FailRenewLease, FailReleaseLease: ask the
	// witness for a lease, to extend the one held, or give it back;
	// feed lease-granted or lease-failed for the first two.
	FailRequestLease FailoverActionKind = "request-lease"
	FailRenewLease   FailoverActionKind = "renew-lease"
	FailReleaseLease FailoverActionKind = "release-lease"
	// FailRaiseAlarm, FailClearAlarm: raise or clear Alarm (400.005 for
	// Path, 400.002 when a takeover is blocked). A path's first path-up
	// clears its 400.005 whether or not it was raised (before a restart,
	// say); clearing an alarm that is not raised does nothing.
	FailRaiseAlarm FailoverActionKind = "raise-alarm"
	FailClearAlarm FailoverActionKind = "clear-alarm"
)

// Alarms of the failover state machine.
const (
	// AlarmPathLost is 400.005: communication with the peer lost on one
	// path. StarlingX debounces it 30 s and throttles it 5 s; the caller
	// (its fault.Reporter) does that.
	AlarmPathLost = "400.005"
	// AlarmNoTakeover is 400.002 (loss of redundancy): the peer is
	// silent and this node may not take over (no fence nor witness, or
	// the fence failed).
	AlarmNoTakeover = "400.002"
)

// Rules of survivor selection, named in FailoverAction.Rule.
const (
	RuleHealth          = "health"            // both alive: the healthier is active
	RuleMgmtDown        = "mgmt-down"         // both alive: a node with mgmt down is failed
	RuleSplitBrain      = "split-brain"       // both alive and both active: split_brain_recovery
	RuleTieBreak        = "tie-break"         // both alive, neither active, equal scores
	RulePeerSMStopped   = "peer-sm-stopped"   // silent: the peer's SM stopped, its host is alive
	RuleStorage0        = "storage-0"         // silent: only one side reaches storage-0
	RuleMoreHosts       = "more-hosts"        // silent: the side reaching more hosts wins
	RuleZeroHosts       = "zero-hosts"        // silent, tie with a change: a side reaching none fails
	RuleActiveSurvives  = "active-survives"   // silent, tie with a change: the active survives
	RulePeerAssumedDead = "peer-assumed-dead" // silent, tie without change
	RuleNoClusterInfo   = "no-cluster-info"   // silent, no cluster view
	RuleFenced          = "fenced"            // takeover after a confirmed fence
	RuleLeaseEnded      = "lease-ended"       // takeover after the peer's lease ended
	RuleLeaseLost       = "lease-lost"        // the active could not renew its lease
	RuleNoProtection    = "no-protection"     // neither fence nor witness
	RuleFenceFailed     = "fence-failed"      // the fence was not confirmed
	RuleSwact           = "swact"             // an operator's swact: the active yields to its standby
)

// FailoverAction is what StepFailover asks the caller to do.
type FailoverAction struct {
	Kind FailoverActionKind `json:"kind"`
	// Node: for request-fence, the node to fence.
	Node string `json:"node,omitempty"`
	// Alarm and Path: for raise-alarm and clear-alarm; Path only for
	// 400.005.
	Alarm string `json:"alarm,omitempty"`
	Path  string `json:"path,omitempty"`
	// Rule: for go-active, go-standby, fail and raise-alarm of 400.002,
	// the rule that decided (one of the Rule* constants).
	Rule string `json:"rule,omitempty"`
}

// InterfaceDown are a node's interface-down flags, which it reports to
// its peer (SM heartbeat revision 2).
type InterfaceDown struct {
	Mgmt        bool `json:"mgmt,omitempty"`
	OAM         bool `json:"oam,omitempty"`
	ClusterHost bool `json:"cluster_host,omitempty"`
}

// Score is §3.6's health score: 0, minus 1 for OAM down, 2 for
// cluster-host down and 4 for mgmt down. Higher is healthier.
func (d InterfaceDown) Score() int {
	s := 0
	if d.OAM {
		s--
	}
	if d.ClusterHost {
		s -= 2
	}
	if d.Mgmt {
		s -= 4
	}
	return s
}

// ClusterView is host maintenance's heartbeat view of the cluster
// (hbsAgent's cluster info, relayed by every host so each controller
// knows both controllers' counts).
type ClusterView struct {
	// Hosts and PeerHosts: how many hosts this node and the peer reach.
	Hosts     int `json:"hosts"`
	PeerHosts int `json:"peer_hosts"`
	// Storage0Expected: storage-0 is provisioned; Storage0 and
	// PeerStorage0: whether this node and the peer reach it.
	Storage0Expected bool `json:"storage0_expected,omitempty"`
	Storage0         bool `json:"storage0,omitempty"`
	PeerStorage0     bool `json:"peer_storage0,omitempty"`
	// PeerSMStopped: host maintenance still hears the peer's host while
	// its SM is silent (its SM process failed).
	PeerSMStopped bool `json:"peer_sm_stopped,omitempty"`
}

// FailoverState is the failover state machine's state on one node: what
// StepFailover reads and returns. The zero value is a node just started
// (role init, peer not heard).
type FailoverState struct {
	Phase FailoverPhase `json:"phase,omitempty"`
	// Role is this node's controller role: init, standby, active or
	// failed. It changes with the go-active, go-standby and fail actions.
	Role ControllerState `json:"role,omitempty"`
	// WasActive: this node was active last (kept across restarts by the
	// caller; prefers it on a tie when both start).
	WasActive bool `json:"was_active,omitempty"`
	// Paths: whether the peer is heard on each path; the peer is alive
	// while any is true.
	Paths map[string]bool `json:"paths,omitempty"`
	// PeerRole, PeerHealth, PeerWasActive: the peer's last report;
	// PeerRole is empty until it is heard.
	PeerRole      ControllerState `json:"peer_role,omitempty"`
	PeerHealth    InterfaceDown   `json:"peer_health,omitzero"`
	PeerWasActive bool            `json:"peer_was_active,omitempty"`
	// PeerElects, PeerSeq, PeerAck: the peer's vote, its report's
	// sequence number and the sequence number of this node's report it
	// had last seen (see Report).
	PeerElects string `json:"peer_elects,omitempty"`
	PeerSeq    uint64 `json:"peer_seq,omitempty"`
	PeerAck    uint64 `json:"peer_ack,omitempty"`
	// Elects is this node's vote: which node it would have active. Seq
	// is its report's sequence number, advanced whenever its role,
	// health, WasActive or vote change.
	Elects string `json:"elects,omitempty"`
	Seq    uint64 `json:"seq,omitempty"`
	// Health: this node's interface-down flags.
	Health InterfaceDown `json:"health,omitzero"`
	// View: host maintenance's current cluster view (nil: none).
	// ViewBefore: the view when the peer went silent.
	View       *ClusterView `json:"view,omitempty"`
	ViewBefore *ClusterView `json:"view_before,omitempty"`
	// Deadline: the phase's timer (wait interval, fail-pending, the
	// peer's lease end plus the drift margin, a retry).
	Deadline time.Time `json:"deadline,omitzero"`
	// FenceRequested: when request-fence was last sent.
	FenceRequested time.Time `json:"fence_requested,omitzero"`
	// LeaseUntil: the end of the lease this node holds (zero: none);
	// RenewAt: when to renew it. LeaseRequested: when request-lease or
	// renew-lease was sent and not yet answered.
	LeaseUntil     time.Time `json:"lease_until,omitzero"`
	RenewAt        time.Time `json:"renew_at,omitzero"`
	LeaseRequested time.Time `json:"lease_requested,omitzero"`
	// PeerLeaseUntil: the end of the peer's lease as last seen.
	PeerLeaseUntil time.Time `json:"peer_lease_until,omitzero"`
	// Yield: this node yields to its peer in a swact, until YieldUntil;
	// PeerYield: the peer's last report said it yields to this node.
	Yield      bool      `json:"yield,omitempty"`
	YieldUntil time.Time `json:"yield_until,omitzero"`
	PeerYield  bool      `json:"peer_yield,omitempty"`
	// Blocked: alarm 400.002 is raised.
	Blocked bool `json:"blocked,omitempty"`
}

// PeerAlive reports whether the peer is heard on some path (SM: the
// heartbeat is OK if any path is).
func (s FailoverState) PeerAlive() bool {
	for _, up := range s.Paths {
		if up {
			return true
		}
	}
	return false
}

// NextDeadline is when the caller must next feed a timer event; zero for
// none.
func (s FailoverState) NextDeadline(cfg FailoverConfig) time.Time {
	cfg = cfg.withDefaults()
	t := s.Deadline
	if s.Role == ControllerActive && cfg.Witness && !s.LeaseUntil.IsZero() {
		t = earliest(t, s.LeaseUntil.Add(-cfg.DriftMargin))
		if s.LeaseRequested.IsZero() {
			t = earliest(t, s.RenewAt)
		}
	}
	if !s.LeaseRequested.IsZero() {
		t = earliest(t, s.LeaseRequested.Add(cfg.RetryInterval))
	}
	if s.Yield {
		t = earliest(t, s.YieldUntil)
	}
	return t
}

// FailoverEvent is an input of StepFailover.
type FailoverEvent struct {
	Kind FailoverEventKind `json:"kind"`
	// Path: for path-up and path-down.
	Path string `json:"path,omitempty"`
	// Role, Health, WasActive: for peer-state, the peer's; Health: for
	// health, this node's.
	Role      ControllerState `json:"role,omitempty"`
	Health    InterfaceDown   `json:"health,omitzero"`
	WasActive bool            `json:"was_active,omitempty"`
	// Elects, Seq, Ack: for peer-state, the peer's vote, its report's
	// sequence number and the last sequence number of this node's it
	// had seen. A report older than the last one (lower Seq) is ignored.
	Elects string `json:"elects,omitempty"`
	Seq    uint64 `json:"seq,omitempty"`
	Ack    uint64 `json:"ack,omitempty"`
	// Yield: for peer-state, the peer yields to this node (a swact).
	Yield bool `json:"yield,omitempty"`
	// View: for cluster-view (nil: the view is lost).
	View *ClusterView `json:"view,omitempty"`
	// LeaseUntil: for lease-granted, this node's lease end; for
	// peer-lease and peer-state, the peer's.
	LeaseUntil time.Time `json:"lease_until,omitzero"`
}

// FailoverConfig is what StepFailover needs besides the state.
type FailoverConfig struct {
	// Node and Peer are the two controllers' names.
	Node string
	Peer string
	// Paths are the configured path names (hapeer's); events name one.
	Paths []string
	// Fence: the peer can be fenced (its BMC is configured).
	Fence bool
	// Witness: a witness grants leases; the active must hold one.
	Witness bool
	// DriftMargin: the bound on clock drift between the nodes and the
	// witness. The active demotes itself DriftMargin before its lease
	// ends; the standby takes over no sooner than DriftMargin after the
	// peer's. Default 100 ms.
	DriftMargin time.Duration
	// WaitInterval: how long a starting node waits to hear the peer
	// before deciding alone (StarlingX: 5 s, the default).
	WaitInterval time.Duration
	// FailPendingDelay: how long after the peer went silent survivor
	// selection runs, for the cluster view to settle (StarlingX: 2 s;
	// Flock's default 0 decides at once, for the failover goal).
	FailPendingDelay time.Duration
	// RetryInterval: when an unanswered or refused fence or lease
	// request is retried. Default 1 s.
	RetryInterval time.Duration
	// SwactTimeout: how long a node that yielded in a swact waits for
	// its peer to go active before the swact is given up. Default 30 s.
	SwactTimeout time.Duration
	// SplitBrainRecovery: what to do when both nodes are active and
	// hear each other (default select-best-active).
	SplitBrainRecovery SplitBrainRecovery
}

func (c FailoverConfig) withDefaults() FailoverConfig {
	if c.DriftMargin == 0 {
		c.DriftMargin = 100 * time.Millisecond
	}
	if c.WaitInterval == 0 {
		c.WaitInterval = 5 * time.Second
	}
	if c.RetryInterval == 0 {
		c.RetryInterval = time.Second
	}
	if c.SwactTimeout == 0 {
		c.SwactTimeout = 30 * time.Second
	}
	if c.SplitBrainRecovery == "" {
		c.SplitBrainRecovery = SplitBrainSelectBestActive
	}
	return c
}

func (c FailoverConfig) validate() error {
	switch {
	case c.Node == "":
		return invalid("node", "empty")
	case c.Peer == "" || c.Peer == c.Node:
		return invalid("peer", "%q must be set and differ from node %q", c.Peer, c.Node)
	case len(c.Paths) == 0:
		return invalid("paths", "no path")
	case c.DriftMargin < 0 || c.WaitInterval < 0 || c.FailPendingDelay < 0 || c.RetryInterval < 0 || c.SwactTimeout < 0:
		return invalid("drift_margin", "durations must not be negative")
	case !c.SplitBrainRecovery.Valid():
		return invalid("split_brain_recovery", "%q is not valid", c.SplitBrainRecovery)
	}
	return nil
}

// StepFailover is the failover state machine of one controller: §3.6's
// survivor selection, plus the fence or lease Flock requires before a
// takeover. Given the state, one event, the current time and the
// configuration, it returns the next state and the actions to perform,
// doing no I/O. A bad event (unknown kind or path, a role that is not
// one) is refused with a *FieldError and changes nothing.
//
// While the peer is heard on some path (the rules of §3.6 1):
//   - the node with the higher health score (InterfaceDown.Score) is
//     active and the other standby; a node whose mgmt is down while the
//     peer's is up fails itself;
//   - a standby goes active only through a handshake: its report
//     (Report, sent in every heartbeat) votes for itself, and the peer's
//     report must say the peer is not active, vote for this node and
//     acknowledge (Ack) that report's Seq. Two nodes deciding on stale
//     reports therefore never both go active (a peer that has failed
//     itself needs no handshake);
//   - with equal scores nothing changes; if neither is active (both
//     starting), the one that was active before (WasActive) goes active,
//     and if that is a tie too, the node whose name sorts first (§3.6
//     does not say; this is Flock's rule);
//   - both active (a healed split brain): with disable-all-active both
//     go standby; with select-best-active the healthier stays, on equal
//     scores the node whose name sorts first;
//   - a lost path raises 400.005 for it and nothing else; its return
//     clears it.
//
// When the peer is silent on every path, after FailPendingDelay the
// survivor is selected by §3.6 2, in order: the peer's SM stopped (its
// host still heard) → this node; storage-0 expected and reached by one
// side only → that side; else the side reaching more hosts; on a tie
// where the counts changed since the peer went silent, a side reaching
// no host fails itself, else the active survives; on a tie without
// change the peer is assumed dead; with no cluster view this node
// survives. The loser fails itself (go-standby if active, then fail). A
// starting node that never hears its peer decides the same way after
// WaitInterval.
//
// A winning active stays active (phase survived). A winning standby
// takes over only with a protection (Flock's rule, not StarlingX's):
// with Fence it asks for the peer to be fenced and goes active on
// fence-confirmed; with Witness it waits until the peer's last seen
// lease has ended plus DriftMargin, asks the witness for the lease and
// goes active once granted (with both, the fence first, then the lease);
// with neither it stays standby and raises 400.002. With Witness, every
// go-active needs the lease; the active renews it halfway through and
// demotes itself (go-standby, release-lease, 400.002) DriftMargin before
// it ends if it was not renewed.
//
// Invariant (FuzzStepFailover checks it on random event sequences): this
// node emits go-active only when (a) the peer is heard and its last
// report says it has failed, or says it is not active, votes for this
// node and acknowledges this node's current report (in which this node
// votes for itself), or (b) the peer is silent and a fence of it was
// confirmed since it went silent, or (c) the peer is silent, a witness
// is configured, this node holds a lease that has not ended and the
// peer's last seen lease ended at least DriftMargin ago; and with a
// witness, it is never left active at or after DriftMargin before the
// end of its lease. Together with the same rule on the peer and a
// witness that grants one lease at a time, no silent partition makes
// both nodes active.
func StepFailover(s FailoverState, ev FailoverEvent, now time.Time, cfg FailoverConfig) (FailoverState, []FailoverAction, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return s, nil, err
	}
	if err := checkFailoverEvent(ev, cfg); err != nil {
		return s, nil, err
	}
	if ev.Kind == FailoverSwact {
		if err := checkSwact(s); err != nil {
			return s, nil, err
		}
	}
	st := &failoverStep{s: s, cfg: cfg, now: now}
	st.s.Paths = make(map[string]bool, len(cfg.Paths))
	for _, p := range cfg.Paths {
		st.s.Paths[p] = s.Paths[p]
	}
	if st.s.Phase == "" {
		st.s.Phase = FailoverInitial
		st.s.Deadline = now.Add(cfg.WaitInterval)
	}
	if st.s.Role == "" {
		st.s.Role = ControllerInit
	}
	st.event(ev)
	st.decide()
	n := &st.s
	if n.Role != s.Role || n.Health != s.Health || n.WasActive != s.WasActive || n.Elects != s.Elects || n.Yield != s.Yield || n.Seq == 0 {
		n.Seq++
	}
	return st.s, st.acts, nil
}

// Report is the peer-state event this node's peer must get: the caller
// puts it in every heartbeat (or sends it whenever it changes), and the
// peer feeds it to its own StepFailover. Its Ack acknowledges the
// peer's last report, so a node knows its peer has seen its current
// candidacy before it goes active.
func (s FailoverState) Report() FailoverEvent {
	r := s.Role
	if r == "" {
		r = ControllerInit
	}
	return FailoverEvent{Kind: FailoverPeerState, Role: r, Health: s.Health, WasActive: s.WasActive,
		LeaseUntil: s.LeaseUntil, Elects: s.Elects, Seq: s.Seq, Ack: s.PeerSeq, Yield: s.Yield}
}

func checkFailoverEvent(ev FailoverEvent, cfg FailoverConfig) error {
	if !ev.Kind.Valid() {
		return invalid("kind", "%q is not a failover event", ev.Kind)
	}
	switch ev.Kind {
	case FailoverPathUp, FailoverPathDown:
		if !slices.Contains(cfg.Paths, ev.Path) {
			return invalid("path", "%q is not a configured path", ev.Path)
		}
	case FailoverPeerState:
		if !ev.Role.Valid() {
			return invalid("role", "%q is not a controller state", ev.Role)
		}
	case FailoverClusterView:
		if v := ev.View; v != nil && (v.Hosts < 0 || v.PeerHosts < 0) {
			return invalid("view.hosts", "negative host count")
		}
	case FailoverLeaseGranted:
		if ev.LeaseUntil.IsZero() {
			return invalid("lease_until", "missing")
		}
	}
	return nil
}

type failoverStep struct {
	s    FailoverState
	cfg  FailoverConfig
	now  time.Time
	acts []FailoverAction
}

func (st *failoverStep) emit(a FailoverAction) { st.acts = append(st.acts, a) }

func (st *failoverStep) event(ev FailoverEvent) {
	s := &st.s
	wasAlive := s.PeerAlive()
	switch ev.Kind {
	case FailoverPathUp:
		if !s.Paths[ev.Path] {
			s.Paths[ev.Path] = true
			st.emit(FailoverAction{Kind: FailClearAlarm, Alarm: AlarmPathLost, Path: ev.Path})
		}
	case FailoverPathDown:
		st.pathDown(ev.Path)
	case FailoverPeerDown:
		for _, p := range st.cfg.Paths {
			st.pathDown(p)
		}
	case FailoverPeerRestarted:
		s.PeerRole, s.PeerElects, s.PeerSeq, s.PeerAck, s.PeerYield = ControllerUnknown, "", 0, 0, false
	case FailoverPeerState:
		if ev.Seq < s.PeerSeq {
			break // overtaken by a later report
		}
		s.PeerRole, s.PeerHealth, s.PeerWasActive = ev.Role, ev.Health, ev.WasActive
		s.PeerElects, s.PeerSeq, s.PeerAck, s.PeerYield = ev.Elects, ev.Seq, ev.Ack, ev.Yield
		if !ev.LeaseUntil.IsZero() {
			s.PeerLeaseUntil = ev.LeaseUntil
		}
	case FailoverHealth:
		s.Health = ev.Health
	case FailoverClusterView:
		if ev.View == nil {
			s.View = nil
		} else {
			v := *ev.View
			s.View = &v
		}
	case FailoverFenceConfirmed:
		if s.Phase == FailoverFencing && !s.PeerAlive() {
			s.FenceRequested = time.Time{}
			s.PeerRole = ControllerFailed
			if st.cfg.Witness {
				// The fenced peer's lease need not be waited for.
				s.PeerLeaseUntil = time.Time{}
				s.Phase, s.Deadline = FailoverLeaseWait, st.now
			} else {
				st.goActive(RuleFenced)
				s.Phase, s.Deadline = FailoverSurvived, time.Time{}
				st.unblock() // a failed attempt before may have raised 400.002
			}
		}
	case FailoverFenceFailed:
		if s.Phase == FailoverFencing {
			s.FenceRequested = time.Time{}
			s.Deadline = st.now.Add(st.cfg.RetryInterval)
			st.block(RuleFenceFailed)
		}
	case FailoverLeaseGranted:
		if !s.LeaseRequested.IsZero() || s.Role == ControllerActive {
			s.LeaseUntil = ev.LeaseUntil
			s.RenewAt = st.now.Add(ev.LeaseUntil.Sub(st.now) / 2)
		}
		s.LeaseRequested = time.Time{}
	case FailoverLeaseFailed:
		// LeaseRequested stays: the request (or renewal) is retried
		// RetryInterval after it was sent, not at once.
	case FailoverSwact:
		s.Yield, s.YieldUntil = true, st.now.Add(st.cfg.SwactTimeout)
		st.goStandby(RuleSwact)
		s.WasActive = true // until the peer has taken over: a failed swact comes back here
	case FailoverPeerLease:
		s.PeerLeaseUntil = ev.LeaseUntil
		if s.Phase == FailoverLeaseWait {
			s.Deadline = st.peerLeaseEnd()
		}
	}
	alive := s.PeerAlive()
	switch {
	case wasAlive && !alive:
		s.ViewBefore = nil
		if s.View != nil {
			v := *s.View
			s.ViewBefore = &v
		}
		s.Phase, s.Deadline = FailoverFailPending, st.now.Add(st.cfg.FailPendingDelay)
		s.FenceRequested = time.Time{}
		if s.Role == ControllerFailed {
			s.Phase, s.Deadline = FailoverFailed, time.Time{}
		}
	case !wasAlive && alive:
		// What the peer said before it went silent is stale: its role
		// is unknown until its next report.
		s.PeerRole, s.PeerElects, s.PeerSeq, s.PeerAck, s.PeerYield = ControllerUnknown, "", 0, 0, false
		s.Phase, s.Deadline = FailoverNormal, time.Time{}
		s.FenceRequested, s.ViewBefore = time.Time{}, nil
		if s.Role == ControllerFailed {
			s.Phase = FailoverFailed
		}
		st.unblock()
	}
}

func (st *failoverStep) pathDown(p string) {
	if st.s.Paths[p] {
		st.s.Paths[p] = false
		st.emit(FailoverAction{Kind: FailRaiseAlarm, Alarm: AlarmPathLost, Path: p})
	}
}

func (st *failoverStep) block(rule string) {
	if !st.s.Blocked {
		st.s.Blocked = true
		st.emit(FailoverAction{Kind: FailRaiseAlarm, Alarm: AlarmNoTakeover, Rule: rule})
	}
}

func (st *failoverStep) unblock() {
	if st.s.Blocked {
		st.s.Blocked = false
		st.emit(FailoverAction{Kind: FailClearAlarm, Alarm: AlarmNoTakeover})
	}
}

// peerLeaseEnd is when the standby may ask for the lease: DriftMargin
// after the peer's last seen lease ended.
func (st *failoverStep) peerLeaseEnd() time.Time {
	if st.s.PeerLeaseUntil.IsZero() {
		return st.now
	}
	return st.s.PeerLeaseUntil.Add(st.cfg.DriftMargin)
}

func (st *failoverStep) holdsLease() bool {
	return !st.s.LeaseUntil.IsZero() && st.now.Before(st.s.LeaseUntil.Add(-st.cfg.DriftMargin))
}

func (st *failoverStep) leaseRetryDue() bool {
	return st.s.LeaseRequested.IsZero() || !st.now.Before(st.s.LeaseRequested.Add(st.cfg.RetryInterval))
}

// leaseWait: a winning standby with a witness goes active once the
// peer's lease has ended (plus the margin) and it holds the lease.
func (st *failoverStep) leaseWait() {
	s := &st.s
	end := st.peerLeaseEnd()
	if st.now.Before(end) {
		s.Deadline = end
		return
	}
	if st.holdsLease() {
		st.goActive(RuleLeaseEnded)
		s.Phase, s.Deadline = FailoverSurvived, time.Time{}
		st.unblock()
		return
	}
	if !st.now.Before(s.Deadline) {
		st.requestLease()
		s.Deadline = st.now.Add(st.cfg.RetryInterval)
	}
}

func (st *failoverStep) requestLease() {
	if st.leaseRetryDue() {
		st.s.LeaseRequested = st.now
		st.emit(FailoverAction{Kind: FailRequestLease})
	}
}

// goActive makes this node active, through the witness's lease when one
// is configured.
func (st *failoverStep) goActive(rule string) {
	s := &st.s
	if s.Role == ControllerActive || s.Role == ControllerFailed {
		return
	}
	if st.cfg.Witness && !st.holdsLease() {
		st.requestLease()
		return
	}
	s.Role, s.WasActive = ControllerActive, true
	st.emit(FailoverAction{Kind: FailGoActive, Rule: rule})
}

func (st *failoverStep) goStandby(rule string) {
	s := &st.s
	if s.Role == ControllerStandby || s.Role == ControllerFailed {
		return
	}
	if s.Role == ControllerActive {
		s.WasActive = false
	}
	s.Role = ControllerStandby
	st.emit(FailoverAction{Kind: FailGoStandby, Rule: rule})
}

func (st *failoverStep) failSelf(rule string) {
	s := &st.s
	if s.Role == ControllerFailed {
		return
	}
	if s.Role == ControllerActive {
		s.WasActive = false
		st.emit(FailoverAction{Kind: FailGoStandby, Rule: rule})
	}
	s.Role, s.Phase, s.Deadline = ControllerFailed, FailoverFailed, time.Time{}
	st.emit(FailoverAction{Kind: FailSelf, Rule: rule})
}

func (st *failoverStep) decide() {
	s := &st.s
	cfg := st.cfg
	// A swact ends when the peer took over, went silent or timed out.
	if s.Yield && (s.PeerRole == ControllerActive || s.PeerRole == ControllerFailed || !s.PeerAlive() || !st.now.Before(s.YieldUntil)) {
		if s.PeerRole == ControllerActive {
			s.WasActive = false
		}
		s.Yield, s.YieldUntil = false, time.Time{}
	}
	// The active's lease.
	if s.Role == ControllerActive && cfg.Witness {
		switch {
		case !st.holdsLease():
			st.goStandby(RuleLeaseLost)
			if s.PeerAlive() {
				break
			}
			st.block(RuleLeaseLost)
		case !st.now.Before(s.RenewAt) && st.leaseRetryDue():
			s.LeaseRequested = st.now
			st.emit(FailoverAction{Kind: FailRenewLease})
		}
	}
	switch {
	case s.Role == ControllerFailed:
	case s.PeerAlive():
		st.alive()
	case s.Phase == FailoverInitial || s.Phase == FailoverFailPending:
		if !st.now.Before(s.Deadline) {
			st.silent()
		}
	case s.Phase == FailoverFencing:
		if !st.now.Before(s.Deadline) {
			st.requestFence()
		}
	case s.Phase == FailoverLeaseWait:
		st.leaseWait()
	case s.Phase == FailoverSurvived && s.Role != ControllerActive:
		// The survivor lost its lease: wait for it again.
		s.Phase, s.Deadline = FailoverLeaseWait, st.now.Add(cfg.RetryInterval)
	}
	// A lease held but not used goes back to the witness.
	if s.Role != ControllerActive && !s.LeaseUntil.IsZero() {
		s.LeaseUntil, s.RenewAt = time.Time{}, time.Time{}
		if cfg.Witness {
			st.emit(FailoverAction{Kind: FailReleaseLease})
		}
	}
	if s.Role != ControllerActive {
		s.RenewAt = time.Time{}
	}
	s.Elects = st.elect()
	// A request unanswered for RetryInterval is lost; whoever still
	// needs the lease has asked again above.
	if !s.LeaseRequested.IsZero() && !st.now.Before(s.LeaseRequested.Add(cfg.RetryInterval)) {
		s.LeaseRequested = time.Time{}
	}
}

func (st *failoverStep) requestFence() {
	st.s.FenceRequested = st.now
	st.s.Deadline = st.now.Add(st.cfg.RetryInterval)
	st.emit(FailoverAction{Kind: FailRequestFence, Node: st.cfg.Peer})
}

// better reports whether this node ranks before the peer for being
// active: health score, then was-active, then name.
func (st *failoverStep) better() (bool, string) {
	s := &st.s
	if s.Yield != s.PeerYield {
		return s.PeerYield, RuleSwact
	}
	ls, ps := s.Health.Score(), s.PeerHealth.Score()
	if ls != ps {
		return ls > ps, RuleHealth
	}
	if s.WasActive != s.PeerWasActive {
		return s.WasActive, RuleTieBreak
	}
	return st.cfg.Node < st.cfg.Peer, RuleTieBreak
}

// alive applies §3.6 1: the peer is heard on some path.
func (st *failoverStep) alive() {
	s := &st.s
	if s.PeerRole == "" || s.PeerRole == ControllerUnknown {
		return // wait for its report
	}
	if s.Health.Mgmt && !s.PeerHealth.Mgmt && s.PeerRole != ControllerFailed {
		st.failSelf(RuleMgmtDown)
		return
	}
	ls, ps := s.Health.Score(), s.PeerHealth.Score()
	switch s.Role {
	case ControllerActive:
		switch s.PeerRole {
		case ControllerActive:
			if st.cfg.SplitBrainRecovery == SplitBrainDisableAllActive {
				st.goStandby(RuleSplitBrain)
			} else if ls != ps {
				if ls < ps {
					st.goStandby(RuleHealth)
				}
			} else if st.cfg.Node > st.cfg.Peer {
				st.goStandby(RuleSplitBrain)
			}
		case ControllerStandby, ControllerInit:
			if ps > ls {
				st.goStandby(RuleHealth)
			}
		}
	default: // init or standby
		switch s.PeerRole {
		case ControllerActive:
			// Equal or worse: nothing changes. Better: the peer demotes
			// itself and reports standby first.
			if s.Role == ControllerInit {
				st.goStandby(RuleHealth)
			}
		case ControllerFailed:
			st.goActive(RuleHealth)
		default:
			win, rule := st.better()
			switch {
			case !win:
				if s.Role == ControllerInit {
					st.goStandby(rule)
				}
			case s.Elects == st.cfg.Node && s.PeerElects == st.cfg.Node && s.PeerAck == s.Seq:
				// The peer has seen this node's current report, in
				// which it stands, and votes for it.
				st.goActive(rule)
			}
		}
	}
}

// elect is this node's vote: the node it would have active while the
// peer is heard.
func (st *failoverStep) elect() string {
	s := &st.s
	switch {
	case s.Role == ControllerActive:
		return st.cfg.Node
	case s.Role == ControllerFailed || s.PeerRole == ControllerActive:
		return st.cfg.Peer
	case !s.PeerAlive() || s.PeerRole == "" || s.PeerRole == ControllerUnknown:
		return ""
	case s.PeerRole == ControllerFailed:
		return st.cfg.Node
	}
	if win, _ := st.better(); win {
		return st.cfg.Node
	}
	return st.cfg.Peer
}

// silent applies §3.6 2: the peer is silent on every path.
func (st *failoverStep) silent() {
	s := &st.s
	s.Deadline = time.Time{}
	win, rule := selectSurvivor(s.Role, s.PeerRole, s.View, s.ViewBefore)
	if !win {
		st.failSelf(rule)
		return
	}
	if s.Role == ControllerActive {
		s.Phase = FailoverSurvived
		return
	}
	switch {
	case st.cfg.Fence:
		s.Phase = FailoverFencing
		st.requestFence()
	case st.cfg.Witness:
		s.Phase, s.Deadline = FailoverLeaseWait, st.now
		st.leaseWait()
	default:
		s.Phase = FailoverBlocked
		if s.Role == ControllerInit {
			st.goStandby(RuleNoProtection)
		}
		st.block(RuleNoProtection)
	}
}

// selectSurvivor is sm_failover_ss_get_survivor's total-loss branch:
// whether this node survives, and the rule that decided.
func selectSurvivor(role, peerRole ControllerState, v, before *ClusterView) (bool, string) {
	if v == nil {
		return true, RuleNoClusterInfo
	}
	if v.PeerSMStopped {
		return true, RulePeerSMStopped
	}
	if v.Storage0Expected && v.Storage0 != v.PeerStorage0 {
		return v.Storage0, RuleStorage0
	}
	if v.Hosts != v.PeerHosts {
		return v.Hosts > v.PeerHosts, RuleMoreHosts
	}
	changed := before != nil && (before.Hosts != v.Hosts || before.PeerHosts != v.PeerHosts)
	if !changed {
		return true, RulePeerAssumedDead
	}
	if v.Hosts == 0 {
		return false, RuleZeroHosts
	}
	if role == ControllerActive {
		return true, RuleActiveSurvives
	}
	return peerRole != ControllerActive, RuleActiveSurvives
}

// String describes the state for logs.
func (s FailoverState) String() string {
	return fmt.Sprintf("%s/%s peer=%s alive=%t", s.Phase, s.Role, s.PeerRole, s.PeerAlive())
}

// checkSwact refuses a swact that cannot start: this node must be active
// and its peer heard and standby.
func checkSwact(s FailoverState) error {
	switch {
	case s.Role != ControllerActive:
		return refuse(RuleSwact, "this node is %s, not active", roleOr(s.Role))
	case !s.PeerAlive():
		return refuse(RuleSwact, "the peer is not heard: no controller to swact to")
	case s.PeerRole != ControllerStandby:
		return refuse(RuleSwact, "the peer is %s, not standby", roleOr(s.PeerRole))
	}
	return nil
}

func roleOr(r ControllerState) ControllerState {
	if r == "" {
		return ControllerInit
	}
	return r
}
