package hawitness

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Bounds of the witness's state.
const (
	// MaxDomains is how many domains a witness with no configured domain
	// serves at once.
	MaxDomains = 64
	// MaxClients is how many client instances the witness remembers for
	// replay protection; beyond it the least recently heard is
	// forgotten (the package doc says what that risks).
	MaxClients = 64
)

// outcome is what the witness did with one request.
type outcome uint8

const (
	outDropped   outcome = iota // drop says why
	outGranted                  // acquire granted
	outRefused                  // acquire refused
	outReleased                 // release answered (whether or not it released)
	outQueried                  // query answered
	outRejected                 // rejected (code)
	outDuplicate                // a resent request: the cached answer
)

// lease is one domain's grant, on the witness's clock.
type lease struct {
	holder string
	inst   InstanceID // the instance whose acquire granted or last extended it
	end    time.Time
}

// client is the replay state of one client instance.
type client struct {
	seq    uint64
	answer Message // the answer to seq; Type 0 when not known (after a restart)
	used   uint64  // when last heard, in core.tick units, for eviction
}

// core is the witness's decision state: its leases and its clients'
// replay state. It does no I/O and reads no clock: each call gets the
// witness's time.
type core struct {
	maxLease time.Duration
	domains  map[string][]string // allowed nodes by domain; nil: any domain, any node
	leases   map[string]*lease
	clients  map[InstanceID]*client
	// hold: until then every acquire is refused (a witness that lost
	// its state holds every lease back for maxLease).
	hold time.Time
	tick uint64
}

func newCore(maxLease time.Duration, domains []Domain) *core {
	c := &core{maxLease: maxLease, leases: map[string]*lease{}, clients: map[InstanceID]*client{}}
	if len(domains) > 0 {
		c.domains = map[string][]string{}
		for _, d := range domains {
			c.domains[d.Name] = slices.Clone(d.Nodes)
		}
	}
	return c
}

// handle processes request m at now and returns the answer, what was
// done and whether the state to persist changed (it must be written
// before the answer is sent).
func (c *core) handle(m *Message, now time.Time) (ans Message, out outcome, drop DropReason, dirty bool) {
	if !m.Type.IsRequest() {
		return Message{}, outDropped, DropUnexpected, false
	}
	c.tick++
	cl := c.clients[m.Instance]
	switch {
	case cl == nil:
		cl = &client{}
		c.addClient(m.Instance, cl)
	case m.Seq < cl.seq:
		return Message{}, outDropped, DropReplayed, false
	case m.Seq == cl.seq:
		if cl.answer.Type == 0 {
			return Message{}, outDropped, DropReplayed, false
		}
		cl.used = c.tick
		return cl.answer, outDuplicate, 0, false
	}
	cl.seq, cl.used = m.Seq, c.tick
	ans, out = c.serve(m, now)
	ans.Domain, ans.Instance, ans.Seq = m.Domain, m.Instance, m.Seq
	cl.answer = ans
	// Every acquire and release advances the sequence that a replay
	// must exceed, so the witness writes it; a query changes nothing
	// that a replay could abuse.
	return ans, out, 0, m.Type != TypeQuery
}

func (c *core) addClient(id InstanceID, cl *client) {
	if len(c.clients) >= MaxClients {
		var oldest InstanceID
		var min uint64
		first := true
		for k, v := range c.clients {
			if first || v.used < min {
				oldest, min, first = k, v.used, false
			}
		}
		delete(c.clients, oldest)
	}
	cl.used = c.tick
	c.clients[id] = cl
}

func (c *core) serve(m *Message, now time.Time) (Message, outcome) {
	if c.domains != nil {
		nodes, ok := c.domains[m.Domain]
		if !ok {
			return Message{Type: TypeRejected, Code: CodeUnknownDomain}, outRejected
		}
		if len(nodes) > 0 && !slices.Contains(nodes, m.Node) {
			return Message{Type: TypeRejected, Code: CodeNodeNotAllowed}, outRejected
		}
	}
	l := c.leases[m.Domain]
	if l != nil && !now.Before(l.end) {
		delete(c.leases, m.Domain)
		l = nil
	}
	switch m.Type {
	case TypeAcquire:
		if m.Duration <= 0 {
			return Message{Type: TypeRejected, Code: CodeBadDuration}, outRejected
		}
		if l != nil && l.holder != m.Node {
			return Message{Type: TypeRefused, Node: l.holder, Duration: l.end.Sub(now)}, outRefused
		}
		if now.Before(c.hold) {
			return Message{Type: TypeRefused, Duration: c.hold.Sub(now)}, outRefused
		}
		if l == nil && c.domains == nil && len(c.leases) >= MaxDomains {
			return Message{Type: TypeRejected, Code: CodeFull}, outRejected
		}
		end := now.Add(min(m.Duration, c.maxLease))
		if l != nil && l.end.After(end) {
			// A lease is never shortened: the holder may still count on
			// the end of an earlier grant whose successor's answer it
			// never got.
			end = l.end
		}
		c.leases[m.Domain] = &lease{holder: m.Node, inst: m.Instance, end: end}
		return Message{Type: TypeGranted, Node: m.Node, Duration: end.Sub(now)}, outGranted
	case TypeRelease:
		// Only the instance that holds the lease gives it back: a
		// release replayed from a forgotten instance must not end a
		// lease its holder still counts on.
		if l != nil && l.holder == m.Node && l.inst == m.Instance {
			delete(c.leases, m.Domain)
		}
		return Message{Type: TypeReleased}, outReleased
	default: // TypeQuery
		switch {
		case l != nil:
			return Message{Type: TypeLease, Node: l.holder, Duration: l.end.Sub(now)}, outQueried
		case now.Before(c.hold):
			return Message{Type: TypeLease, Duration: c.hold.Sub(now)}, outQueried
		}
		return Message{Type: TypeLease}, outQueried
	}
}

// stateFile is the persisted state: remaining durations, not times, so
// that a restarted witness counts them again in full from its restart.
type stateFile struct {
	Version int          `json:"version"`
	HoldNS  int64        `json:"hold_ns,omitempty"`
	Leases  []stateLease `json:"leases,omitempty"`
	Clients []stateSeq   `json:"clients,omitempty"`
}

type stateLease struct {
	Domain   string `json:"domain"`
	Holder   string `json:"holder"`
	Instance string `json:"instance"`
	// RemainingNS is what was left of the lease when it was written.
	RemainingNS int64 `json:"remaining_ns"`
}

type stateSeq struct {
	Instance string `json:"instance"`
	Seq      uint64 `json:"seq"`
}

const stateVersion = 1

// snapshot is the state to persist at now.
func (c *core) snapshot(now time.Time) stateFile {
	s := stateFile{Version: stateVersion}
	if now.Before(c.hold) {
		s.HoldNS = int64(c.hold.Sub(now))
	}
	for d, l := range c.leases {
		if now.Before(l.end) {
			s.Leases = append(s.Leases, stateLease{Domain: d, Holder: l.holder, Instance: l.inst.String(), RemainingNS: int64(l.end.Sub(now))})
		}
	}
	slices.SortFunc(s.Leases, func(a, b stateLease) int { return cmpString(a.Domain, b.Domain) })
	for id, cl := range c.clients {
		s.Clients = append(s.Clients, stateSeq{Instance: id.String(), Seq: cl.seq})
	}
	slices.SortFunc(s.Clients, func(a, b stateSeq) int { return cmpString(a.Instance, b.Instance) })
	return s
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseState decodes a state file strictly.
func parseState(b []byte) (stateFile, error) {
	var s stateFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return stateFile{}, bad("state", "%v", err)
	}
	if dec.More() {
		return stateFile{}, bad("state", "data after the state")
	}
	if s.Version != stateVersion {
		return s, bad("state.version", "%d is not %d", s.Version, stateVersion)
	}
	if s.HoldNS < 0 {
		return s, bad("state.hold_ns", "negative")
	}
	if len(s.Leases) > MaxDomains || len(s.Clients) > MaxClients {
		return s, bad("state", "%d leases and %d clients: over %d and %d", len(s.Leases), len(s.Clients), MaxDomains, MaxClients)
	}
	seen := map[string]bool{}
	for i, l := range s.Leases {
		field := func(f string) string { return fmt.Sprintf("state.leases[%d].%s", i, f) }
		switch {
		case len(l.Domain) == 0 || len(l.Domain) > MaxName || seen[l.Domain]:
			return s, bad(field("domain"), "%q is empty, too long or repeated", l.Domain)
		case len(l.Holder) == 0 || len(l.Holder) > MaxName:
			return s, bad(field("holder"), "%q is not 1–%d bytes", l.Holder, MaxName)
		case l.RemainingNS <= 0:
			return s, bad(field("remaining_ns"), "%d is not positive", l.RemainingNS)
		}
		if _, err := parseInstance(l.Instance); err != nil {
			return s, bad(field("instance"), "%v", err)
		}
		seen[l.Domain] = true
	}
	for i, cl := range s.Clients {
		if _, err := parseInstance(cl.Instance); err != nil {
			return s, bad(fmt.Sprintf("state.clients[%d].instance", i), "%v", err)
		}
	}
	return s, nil
}

func parseInstance(s string) (InstanceID, error) {
	var id InstanceID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("%q is not %d hex bytes", s, len(id))
	}
	copy(id[:], b)
	if id.IsZero() {
		return id, fmt.Errorf("is zero")
	}
	return id, nil
}

// restore loads s into c at now, the witness's restart: each lease is
// counted again in full from now, since the witness cannot know how
// much of it passed while it was down. s must come from parseState.
func (c *core) restore(s stateFile, now time.Time) {
	if s.HoldNS > 0 {
		c.hold = now.Add(time.Duration(s.HoldNS))
	}
	for _, l := range s.Leases {
		id, _ := parseInstance(l.Instance)
		c.leases[l.Domain] = &lease{holder: l.Holder, inst: id, end: now.Add(time.Duration(l.RemainingNS))}
	}
	for _, cl := range s.Clients {
		id, _ := parseInstance(cl.Instance)
		c.tick++
		c.clients[id] = &client{seq: cl.Seq, used: c.tick}
	}
}
