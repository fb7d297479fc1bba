package hapeer

import (
	"fmt"
	"net/netip"
	"time"
)

// Defaults. StarlingX sends its alive message every 100 ms and declares
// a path dead after 800 ms; Flock's failover budget (300 ms from the
// active's death to the floating address answering from the standby)
// needs a path declared dead within 200 ms, which leaves 100 ms to take
// the services over. The package doc gives the CPU cost.
const (
	DefaultPeriod       = 50 * time.Millisecond
	DefaultDeadInterval = 200 * time.Millisecond
)

// Bounds checked by Config.Validate.
const (
	MinPeriod       = time.Millisecond
	MaxPeriod       = 10 * time.Second
	MaxDeadInterval = time.Minute
	MaxPaths        = 8
)

// Path is one network between the two nodes, with its own addresses.
type Path struct {
	// Name names the path in messages, events and metrics: 1–32 bytes of
	// a–z, 0–9 and '-' ("mgmt", "oam", "cluster-host").
	Name string `yaml:"name"`
	// Local is this node's address and port on the path ("ip:port"); the
	// link listens there.
	Local string `yaml:"local"`
	// Peer is the peer's address and port on the path; the link sends
	// there.
	Peer string `yaml:"peer"`
}

// Config configures a Link. The zero value of Period and DeadInterval
// means their default.
type Config struct {
	// Node is this node's name (e.g. "controller-0"), 1–64 bytes.
	Node string `yaml:"node"`
	// Peer, when set, is the only node name accepted from the paths.
	Peer string `yaml:"peer"`
	// Key is the HMAC-SHA512 key shared by the two nodes, at least 32
	// bytes; every path is authenticated with it.
	Key string `yaml:"key"`
	// Generation is this node's boot or restart counter; the caller keeps
	// it across restarts and raises it at each.
	Generation uint64 `yaml:"generation"`
	// Paths are the networks the peer is heard on, 1–8 of them.
	Paths []Path `yaml:"paths"`
	// Period is the interval between heartbeats on each path (default
	// 50 ms; 1 ms–10 s).
	Period time.Duration `yaml:"period"`
	// DeadInterval is how long a path stays alive after the last valid
	// message on it (default 200 ms; at least twice Period, at most 1 min).
	DeadInterval time.Duration `yaml:"dead_interval"`
}

// withDefaults returns c with each zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Period == 0 {
		c.Period = DefaultPeriod
	}
	if c.DeadInterval == 0 {
		c.DeadInterval = DefaultDeadInterval
	}
	return c
}

// Validate checks c, its zero fields taken as their defaults. The error
// is a *FieldError naming the first bad field as in the YAML config
// ("paths[1].peer").
func (c Config) Validate() error {
	_, err := c.parse()
	return err
}

// parsedPath is a validated Path.
type parsedPath struct {
	name        string
	local, peer netip.AddrPort
}

// parse validates c and returns its paths' addresses.
func (c Config) parse() ([]parsedPath, error) {
	d := c.withDefaults()
	switch {
	case len(d.Node) == 0 || len(d.Node) > MaxNodeName:
		return nil, bad("node", "%q is not 1–%d bytes", d.Node, MaxNodeName)
	case len(d.Peer) > MaxNodeName:
		return nil, bad("peer", "%q is longer than %d bytes", d.Peer, MaxNodeName)
	case d.Peer != "" && d.Peer == d.Node:
		return nil, bad("peer", "%q is this node's own name", d.Peer)
	case len(d.Key) < MinKeyLen:
		return nil, bad("key", "%d bytes is shorter than %d", len(d.Key), MinKeyLen)
	case len(d.Paths) == 0 || len(d.Paths) > MaxPaths:
		return nil, bad("paths", "%d paths is not 1–%d", len(d.Paths), MaxPaths)
	case d.Period < MinPeriod || d.Period > MaxPeriod:
		return nil, bad("period", "%s is outside %s–%s", d.Period, MinPeriod, MaxPeriod)
	case d.DeadInterval < 2*d.Period || d.DeadInterval > MaxDeadInterval:
		return nil, bad("dead_interval", "%s is outside 2×period (%s)–%s", d.DeadInterval, 2*d.Period, MaxDeadInterval)
	}
	ps := make([]parsedPath, len(d.Paths))
	for i, p := range d.Paths {
		field := func(f string) string { return fmt.Sprintf("paths[%d].%s", i, f) }
		if !validPathName(p.Name) {
			return nil, bad(field("name"), "%q is not 1–%d bytes of a-z, 0-9 and '-'", p.Name, MaxPathName)
		}
		for _, q := range d.Paths[:i] {
			if q.Name == p.Name {
				return nil, bad(field("name"), "%q is already a path's name", p.Name)
			}
		}
		local, err := parseAddrPort(p.Local)
		if err != nil {
			return nil, bad(field("local"), "%s", err)
		}
		peer, err := parseAddrPort(p.Peer)
		if err != nil {
			return nil, bad(field("peer"), "%s", err)
		}
		ps[i] = parsedPath{name: p.Name, local: local, peer: peer}
	}
	return ps, nil
}

func validPathName(s string) bool {
	if len(s) == 0 || len(s) > MaxPathName {
		return false
	}
	for _, r := range []byte(s) {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func parseAddrPort(s string) (netip.AddrPort, error) {
	a, err := netip.ParseAddrPort(s)
	if err != nil {
		return a, fmt.Errorf("%q is not an ip:port", s)
	}
	if a.Port() == 0 || a.Addr().IsUnspecified() {
		return a, fmt.Errorf("%q needs a specific address and a port", s)
	}
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port()), nil
}
