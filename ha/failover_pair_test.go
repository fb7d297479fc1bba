package ha_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha"
)

// pairSim runs two nodes' failover state machines against each other
// over simulated paths, a witness that grants one lease at a time, and a
// fence that powers the target off; it fails the test when both running
// nodes are active at once.
type pairSim struct {
	t       *testing.T
	cfg     [2]ha.FailoverConfig
	st      [2]ha.FailoverState
	running [2]bool
	link    []bool    // each path's cable
	seen    [2][]bool // path state each node was told
	// sent is the last report each node sent its peer.
	sent    [2]*ha.FailoverEvent
	witness struct {
		holder int
		until  time.Time
		reach  [2]bool
	}
	health [2]ha.InterfaceDown
	now    time.Time
	queue  []pairEv
	steps  int
	// delay: reports wait in inflight until a deliver operation.
	delay    bool
	inflight []pairEv
}

type pairEv struct {
	node int
	ev   ha.FailoverEvent
}

const pairLease = 2 * time.Second

func (p *pairSim) up(path int) bool { return p.link[path] && p.running[0] && p.running[1] }

func (p *pairSim) step(i int, ev ha.FailoverEvent) {
	if !p.running[i] {
		return
	}
	p.steps++
	if p.steps > 20000 {
		p.t.Fatalf("no quiescence: node %d keeps stepping (%s): %s / %s", i, ev.Kind, p.st[0], p.st[1])
	}
	next, acts, err := ha.StepFailover(p.st[i], ev, p.now, p.cfg[i])
	if err != nil {
		p.t.Fatalf("node %d: %+v: %v", i, ev, err)
	}
	p.st[i] = next
	if p.running[0] && p.running[1] && p.st[0].Role == ha.ControllerActive && p.st[1].Role == ha.ControllerActive {
		p.t.Fatalf("both active at %v after node %d's %s (fence %t, witness %t): %s / %s",
			p.now, i, ev.Kind, p.cfg[0].Fence, p.cfg[0].Witness, p.st[0], p.st[1])
	}
	for _, a := range acts {
		switch a.Kind {
		case ha.FailRequestFence:
			j := 1 - i
			if p.running[j] {
				p.running[j] = false
			}
			p.queue = append(p.queue, pairEv{i, ha.FailoverEvent{Kind: ha.FailoverFenceConfirmed}})
		case ha.FailRequestLease, ha.FailRenewLease:
			w := &p.witness
			if !w.reach[i] {
				continue // no answer: the node retries on its timer
			}
			if w.holder == -1 || w.holder == i || !p.now.Before(w.until) {
				w.holder, w.until = i, p.now.Add(pairLease)
				p.queue = append(p.queue, pairEv{i, ha.FailoverEvent{Kind: ha.FailoverLeaseGranted, LeaseUntil: w.until}})
			} else {
				p.queue = append(p.queue, pairEv{i, ha.FailoverEvent{Kind: ha.FailoverPeerLease, LeaseUntil: w.until}},
					pairEv{i, ha.FailoverEvent{Kind: ha.FailoverLeaseFailed}})
			}
		case ha.FailReleaseLease:
			if p.witness.reach[i] && p.witness.holder == i {
				p.witness.holder = -1
			}
		}
	}
}

// settle delivers path changes, reports and queued answers until nothing
// changes.
func (p *pairSim) settle() {
	for round := 0; round < 50; round++ {
		changed := false
		for i := range 2 {
			if !p.st[i].PeerAlive() && p.running[i] {
				p.sent[1-i] = nil // heard again, the peer's report is delivered again
			}
			for k, name := range p.cfg[i].Paths {
				if u := p.up(k); u != p.seen[i][k] && p.running[i] {
					p.seen[i][k] = u
					kind := ha.FailoverPathDown
					if u {
						kind = ha.FailoverPathUp
					}
					p.step(i, ha.FailoverEvent{Kind: kind, Path: name})
					changed = true
				}
			}
		}
		for len(p.queue) > 0 {
			q := p.queue[0]
			p.queue = p.queue[1:]
			p.step(q.node, q.ev)
			changed = true
		}
		for i := range 2 {
			j := 1 - i
			heard := false
			for k := range p.link {
				heard = heard || p.up(k)
			}
			if !heard || !p.running[i] {
				continue
			}
			rep := p.st[i].Report()
			if p.sent[i] == nil || *p.sent[i] != rep {
				p.sent[i] = &rep
				if p.delay {
					p.inflight = append(p.inflight, pairEv{j, rep})
				} else {
					p.step(j, rep)
				}
				changed = true
			}
		}
		if !changed {
			return
		}
	}
}

// advance runs the nodes' timers up to t.
func (p *pairSim) advance(t time.Time) {
	for {
		best, at := -1, t
		for i := range 2 {
			if !p.running[i] {
				continue
			}
			if d := p.st[i].NextDeadline(p.cfg[i]); !d.IsZero() && !d.After(at) {
				best, at = i, d
			}
		}
		if best < 0 {
			p.now = t
			return
		}
		p.now = at
		p.step(best, ha.FailoverEvent{Kind: ha.FailoverTimer})
		p.settle()
	}
}

func (p *pairSim) start(i int) {
	p.running[i] = true
	p.st[i] = ha.FailoverState{WasActive: p.st[i].WasActive}
	p.seen[i] = make([]bool, len(p.link))
	p.sent[0], p.sent[1] = nil, nil
	p.step(i, ha.FailoverEvent{Kind: ha.FailoverHealth, Health: p.health[i]})
}

// FuzzFailoverPair drives two nodes through random partitions (one path
// or all, silent), crashes, restarts, health changes and witness
// reachability, with a witness or a fence configured (mode), and fails
// if both running nodes are ever active at once. Without protection the
// nodes may not take over a silent peer at all, so the mode always has
// one. The simulated clocks do not drift; DriftMargin covers the
// discrete steps.
func FuzzFailoverPair(f *testing.F) {
	f.Add(byte(2), []byte{0, 0, 10, 1, 0, 100, 2, 0, 50, 0, 0, 200, 0, 1, 250})
	f.Add(byte(1), []byte{0, 0, 10, 0, 1, 100, 1, 0, 50, 3, 0, 200, 5, 1, 250})
	f.Add(byte(3), []byte{0, 0, 200, 0, 1, 0, 4, 0, 10, 4, 1, 250, 0, 0, 250, 0, 1, 100})
	f.Fuzz(func(t *testing.T, mode byte, data []byte) {
		paths := []string{"mgmt", "oam"}
		p := &pairSim{t: t, link: []bool{true, true}, now: time.Unix(1000, 0)}
		p.witness.holder = -1
		p.witness.reach = [2]bool{true, true}
		for i, n := range []string{"controller-0", "controller-1"} {
			p.cfg[i] = ha.FailoverConfig{Node: n, Peer: []string{"controller-1", "controller-0"}[i], Paths: paths,
				Fence: mode&1 != 0, Witness: mode&2 != 0 || mode&1 == 0, WaitInterval: time.Second,
				RetryInterval: 300 * time.Millisecond, DriftMargin: 100 * time.Millisecond}
			if mode&4 != 0 {
				p.cfg[i].FailPendingDelay = 500 * time.Millisecond
			}
		}
		p.delay = mode&8 != 0
		p.start(0)
		p.start(1)
		p.settle()
		for len(data) >= 3 {
			op, arg, dt := data[0], int(data[1]), data[2]
			data = data[3:]
			p.advance(p.now.Add(time.Duration(dt) * 20 * time.Millisecond))
			switch op % 8 {
			case 0: // cut or mend one path
				k := arg % len(p.link)
				p.link[k] = !p.link[k]
			case 1: // silent partition, or heal all
				all := !p.link[0]
				for k := range p.link {
					p.link[k] = all
				}
			case 2: // crash
				p.running[arg%2] = false
			case 3: // (re)start
				if !p.running[arg%2] {
					p.start(arg % 2)
				}
			case 4: // witness reachability
				p.witness.reach[arg%2] = !p.witness.reach[arg%2]
			case 5: // health
				i := arg % 2
				p.health[i] = ha.InterfaceDown{OAM: arg&2 != 0, ClusterHost: arg&4 != 0}
				p.step(i, ha.FailoverEvent{Kind: ha.FailoverHealth, Health: p.health[i]})
			case 7: // an operator's swact on the active, refused unless it applies
				i := arg % 2
				if next, _, err := ha.StepFailover(p.st[i], ha.FailoverEvent{Kind: ha.FailoverSwact}, p.now, p.cfg[i]); err == nil || !p.running[i] {
					_ = next
					p.step(i, ha.FailoverEvent{Kind: ha.FailoverSwact})
				}
			case 6: // deliver the reports in flight, if the peer is heard
				in := p.inflight
				p.inflight = nil
				for _, q := range in {
					if p.up(0) || p.up(1) {
						p.step(q.node, q.ev)
					}
				}
			}
			p.settle()
		}
		p.advance(p.now.Add(10 * time.Second))
	})
}

func newPair(t *testing.T, fence, witness bool) *pairSim {
	p := &pairSim{t: t, link: []bool{true, true}, now: time.Unix(1000, 0)}
	p.witness.holder = -1
	p.witness.reach = [2]bool{true, true}
	for i, n := range []string{"controller-0", "controller-1"} {
		p.cfg[i] = ha.FailoverConfig{Node: n, Peer: []string{"controller-1", "controller-0"}[i], Paths: []string{"mgmt", "oam"},
			Fence: fence, Witness: witness, WaitInterval: time.Second, RetryInterval: 300 * time.Millisecond, DriftMargin: 100 * time.Millisecond}
	}
	p.start(0)
	p.start(1)
	p.settle()
	return p
}

// The pair simulation itself: two starting nodes elect controller-0
// through the handshake; after a silent partition exactly one side is
// active, with a fence (the standby fences the active and takes over:
// the fenced one is off) and with a witness (the active keeps its lease,
// the standby is refused); with neither, the standby stays standby.
func TestFailoverPair(t *testing.T) {
	for _, tc := range []struct {
		name           string
		fence, witness bool
		// after the partition: which nodes run and which is active
		running [2]bool
		active  int
	}{
		{"fence", true, false, [2]bool{false, true}, 1},
		{"witness", false, true, [2]bool{true, true}, 0},
		{"neither", false, false, [2]bool{true, true}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t, tc.fence, tc.witness)
			p.advance(p.now.Add(time.Second))
			require.Equal(t, ha.ControllerActive, p.st[0].Role, "%s / %s", p.st[0], p.st[1])
			require.Equal(t, ha.ControllerStandby, p.st[1].Role)
			p.link[0], p.link[1] = false, false
			p.settle()
			p.advance(p.now.Add(10 * time.Second))
			assert.Equal(t, tc.running, p.running)
			assert.Equal(t, ha.ControllerActive, p.st[tc.active].Role, "%s / %s", p.st[0], p.st[1])
			if p.running[1-tc.active] {
				assert.NotEqual(t, ha.ControllerActive, p.st[1-tc.active].Role)
			}
			assert.Equal(t, !tc.fence && !tc.witness, p.st[1].Blocked)
		})
	}
	// With a witness, a crashed active's lease runs out and the standby
	// takes over.
	p := newPair(t, false, true)
	p.advance(p.now.Add(time.Second))
	require.Equal(t, ha.ControllerActive, p.st[0].Role)
	p.running[0] = false
	p.settle()
	p.advance(p.now.Add(time.Second))
	assert.Equal(t, ha.ControllerStandby, p.st[1].Role, "the crashed active's lease has not ended yet")
	p.advance(p.now.Add(5 * time.Second))
	assert.Equal(t, ha.ControllerActive, p.st[1].Role)
}

// TestFailoverPairSwact: a swact on the active moves activity to the
// standby through the handshake (never both active: pairSim checks every
// step), with and without a witness; refused on the standby; a swact
// whose target never takes over times out and the yielding node takes
// activity back.
func TestFailoverPairSwact(t *testing.T) {
	for _, witness := range []bool{false, true} {
		p := newPair(t, !witness, witness)
		p.advance(p.now.Add(time.Second))
		require.Equal(t, ha.ControllerActive, p.st[0].Role)
		_, _, err := ha.StepFailover(p.st[1], ha.FailoverEvent{Kind: ha.FailoverSwact}, p.now, p.cfg[1])
		var re *ha.RuleError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, ha.RuleSwact, re.Rule)

		p.step(0, ha.FailoverEvent{Kind: ha.FailoverSwact})
		p.settle()
		p.advance(p.now.Add(time.Second))
		assert.Equal(t, ha.ControllerActive, p.st[1].Role, "witness %t: %s / %s", witness, p.st[0], p.st[1])
		assert.Equal(t, ha.ControllerStandby, p.st[0].Role)
		assert.False(t, p.st[0].Yield, "the yield ends once the peer is active")
		assert.True(t, p.st[1].WasActive)

		// And back.
		p.step(1, ha.FailoverEvent{Kind: ha.FailoverSwact})
		p.settle()
		p.advance(p.now.Add(time.Second))
		assert.Equal(t, ha.ControllerActive, p.st[0].Role)
		assert.Equal(t, ha.ControllerStandby, p.st[1].Role)
	}

	// The target stops hearing reports (in flight forever): the yield
	// times out and the yielding controller-1 takes activity back (it
	// was active last; the name tie-break would pick controller-0).
	p := newPair(t, true, false)
	p.advance(p.now.Add(time.Second))
	p.step(0, ha.FailoverEvent{Kind: ha.FailoverSwact})
	p.settle()
	p.advance(p.now.Add(time.Second))
	require.Equal(t, ha.ControllerActive, p.st[1].Role)
	p.delay = true
	p.step(1, ha.FailoverEvent{Kind: ha.FailoverSwact})
	p.settle()
	p.advance(p.now.Add(5 * time.Second))
	assert.Equal(t, ha.ControllerStandby, p.st[1].Role, "still yielding")
	p.advance(p.now.Add(40 * time.Second))
	assert.False(t, p.st[1].Yield)
	p.delay = false
	p.sent[0], p.sent[1] = nil, nil
	p.settle()
	p.advance(p.now.Add(time.Second))
	assert.Equal(t, ha.ControllerActive, p.st[1].Role, "%s / %s", p.st[0], p.st[1])
}
