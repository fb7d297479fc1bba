package ha_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/edgeflock/flock/ha"
)

// fuzzEvent decodes one event from b (at least 4 bytes) for a node with
// the given paths.
func fuzzEvent(b []byte, now time.Time, paths []string) ha.FailoverEvent {
	kinds := ha.AllFailoverEventKinds()
	roles := []ha.ControllerState{ha.ControllerActive, ha.ControllerStandby, ha.ControllerInit, ha.ControllerFailed, ha.ControllerUnknown}
	ev := ha.FailoverEvent{Kind: kinds[int(b[0])%len(kinds)]}
	ev.Path = paths[int(b[1])%len(paths)]
	ev.Role = roles[int(b[1])%len(roles)]
	ev.Health = ha.InterfaceDown{Mgmt: b[2]&1 != 0, OAM: b[2]&2 != 0, ClusterHost: b[2]&4 != 0}
	ev.WasActive = b[2]&8 != 0
	ev.Yield = b[2]&64 != 0
	ev.Elects = []string{"", "controller-0", "controller-1"}[int(b[3])%3]
	ev.Seq, ev.Ack = uint64(b[1]>>4), uint64(b[3]>>4)
	if b[2]&16 == 0 {
		ev.View = &ha.ClusterView{Hosts: int(b[3] & 3), PeerHosts: int(b[3] >> 2 & 3), Storage0Expected: b[3]&16 != 0,
			Storage0: b[3]&32 != 0, PeerStorage0: b[3]&64 != 0, PeerSMStopped: b[3]&128 != 0}
	}
	// Leases end up to 6.3 s from now, or are zero.
	if b[2]&32 != 0 || ev.Kind == ha.FailoverLeaseGranted {
		ev.LeaseUntil = now.Add(time.Duration(b[3]%64) * 100 * time.Millisecond)
		if ev.Kind == ha.FailoverLeaseGranted && b[3]%64 == 0 {
			ev.LeaseUntil = now.Add(time.Millisecond)
		}
	}
	return ev
}

// FuzzStepFailover feeds random event sequences (with random time
// steps) to StepFailover under each protection setting and checks, after
// every step:
//
//   - a go-active action is emitted only when (a) the peer is heard and
//     its last report says it has failed, or that it is not active,
//     votes for this node and acknowledges this node's current report,
//     in which this node stands, or (b) the peer is silent and a
//     fence-confirmed event was fed since it went silent, or (c) the peer
//     is silent, a witness is configured, this node holds a lease ending
//     more than DriftMargin from now, and the peer's last seen lease
//     ended at least DriftMargin ago; with a witness, every go-active
//     also holds such a lease; with neither fence nor witness only (a);
//   - with a witness, an active node's lease ends more than DriftMargin
//     from now (it demoted itself otherwise);
//   - the role matches the go-active, go-standby and fail actions;
//   - NextDeadline is zero or in the future (the caller never spins);
//   - the state is valid and refusals change nothing.
func FuzzStepFailover(f *testing.F) {
	f.Add(byte(0), []byte{1, 0, 0, 0, 5, 2, 0, 0, 0, 5, 7, 0, 0, 0, 5})
	f.Add(byte(1), []byte{3, 0, 0, 0, 10, 12, 0, 0, 0, 50, 9, 0, 32, 30, 10, 12, 0, 0, 0, 200})
	f.Add(byte(2), []byte{4, 0, 0, 0, 1, 2, 0, 0, 0, 1, 12, 0, 0, 0, 255, 9, 0, 0, 40, 1})
	f.Add(byte(3), []byte{0, 1, 0, 0, 0, 4, 2, 0, 0, 1, 2, 0, 0, 0, 1, 7, 0, 0, 0, 1, 9, 0, 0, 50, 1})
	f.Fuzz(func(t *testing.T, mode byte, data []byte) {
		cfg := ha.FailoverConfig{Node: "controller-0", Peer: "controller-1", Paths: []string{"mgmt", "oam"},
			Fence: mode&1 != 0, Witness: mode&2 != 0, RetryInterval: 500 * time.Millisecond,
			DriftMargin: 100 * time.Millisecond, WaitInterval: time.Second}
		if mode&4 != 0 {
			cfg.FailPendingDelay = 300 * time.Millisecond
		}
		if mode&8 != 0 {
			cfg.SplitBrainRecovery = ha.SplitBrainDisableAllActive
		}
		if mode&16 != 0 {
			cfg.Node, cfg.Peer = cfg.Peer, cfg.Node
		}
		now := time.Unix(1000, 0)
		var s ha.FailoverState
		fenced := false // a fence confirmed since the peer went silent
		for len(data) >= 5 {
			ev := fuzzEvent(data, now, cfg.Paths)
			now = now.Add(time.Duration(data[4]) * 10 * time.Millisecond)
			data = data[5:]
			next, acts, err := ha.StepFailover(s, ev, now, cfg)
			if err != nil {
				var re *ha.RuleError
				if ev.Kind != ha.FailoverSwact || !errors.As(err, &re) || re.Rule != ha.RuleSwact {
					t.Fatalf("%+v: %v", ev, err)
				}
				if !reflect.DeepEqual(next, s) || len(acts) != 0 {
					t.Fatalf("a refused swact changed the state: %+v -> %+v, %v", s, next, acts)
				}
				continue
			}
			if !next.PeerAlive() && s.PeerAlive() || next.PeerAlive() {
				fenced = false
			}
			if ev.Kind == ha.FailoverFenceConfirmed && !next.PeerAlive() {
				fenced = true
			}
			role := s.Role
			for _, a := range acts {
				switch a.Kind {
				case ha.FailGoActive:
					role = ha.ControllerActive
					holds := !next.LeaseUntil.IsZero() && now.Before(next.LeaseUntil.Add(-cfg.DriftMargin))
					peerEnded := next.PeerLeaseUntil.IsZero() || !now.Before(next.PeerLeaseUntil.Add(cfg.DriftMargin))
					a := next.PeerAlive() && (next.PeerRole == ha.ControllerFailed ||
						next.PeerRole != ha.ControllerActive && next.PeerElects == cfg.Node && s.Elects == cfg.Node && next.PeerAck == s.Seq)
					b := !next.PeerAlive() && fenced
					c := !next.PeerAlive() && cfg.Witness && holds && peerEnded
					if !a && !b && !c {
						t.Fatalf("go-active without a reason: event %+v, state %+v", ev, next)
					}
					if cfg.Witness && !holds {
						t.Fatalf("go-active without a lease: event %+v, state %+v", ev, next)
					}
					if !cfg.Witness && !cfg.Fence && !a {
						t.Fatalf("go-active from a silent peer without protection: %+v", next)
					}
				case ha.FailGoStandby:
					role = ha.ControllerStandby
				case ha.FailSelf:
					role = ha.ControllerFailed
				}
			}
			if s.Role == "" && role == "" {
				role = ha.ControllerInit
			}
			if role != next.Role {
				t.Fatalf("role %s after actions %+v, state says %s", role, acts, next.Role)
			}
			if cfg.Witness && next.Role == ha.ControllerActive && !now.Before(next.LeaseUntil.Add(-cfg.DriftMargin)) {
				t.Fatalf("active at %v with a lease ending %v", now, next.LeaseUntil)
			}
			if d := next.NextDeadline(cfg); !d.IsZero() && !d.After(now) {
				t.Fatalf("deadline %v not after now %v: %+v", d, now, next)
			}
			if !next.Phase.Valid() || !next.Role.Valid() {
				t.Fatalf("invalid state %+v", next)
			}
			s = next
		}
	})
}
