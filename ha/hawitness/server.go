package hawitness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/edgeflock/flock/internal/fsutil"
)

// Defaults and bounds of Config.
const (
	// DefaultMaxLease is the longest lease granted by default.
	DefaultMaxLease = 30 * time.Second
	// MaxMaxLease bounds Config.MaxLease: a restarted witness that lost
	// its state refuses every acquire for MaxLease.
	MaxMaxLease = 10 * time.Minute
	// MaxDomainNodes bounds a Domain's nodes.
	MaxDomainNodes = 8
	// StateFile is the name of the state file in Config.StateDir.
	StateFile = "witness-state.json"
)

// Domain is one lease domain and the nodes allowed to hold its lease.
type Domain struct {
	// Name is the domain's name in requests, 1–64 bytes.
	Name string `yaml:"name"`
	// Nodes are the nodes allowed to ask for its lease (the two
	// controllers); empty: any node.
	Nodes []string `yaml:"nodes"`
}

// Config configures a Server.
type Config struct {
	// Listen is the UDP address the witness listens on ("ip:port"; the
	// ip may be unspecified, 0.0.0.0 or ::).
	Listen string `yaml:"listen"`
	// Key is the HMAC-SHA512 key shared with the clients, at least 32
	// bytes (the command reads it from key_file).
	Key []byte `yaml:"-"`
	// StateDir is the directory of the state file, which must survive
	// the witness's restarts.
	StateDir string `yaml:"state_dir"`
	// MaxLease is the longest lease granted (default 30 s, at most
	// 10 min): a longer request is granted MaxLease.
	MaxLease time.Duration `yaml:"max_lease"`
	// Domains are the domains served, each with its allowed nodes; none
	// means any domain (at most MaxDomains at once) and any node.
	Domains []Domain `yaml:"domains"`
}

func (c Config) withDefaults() Config {
	if c.MaxLease == 0 {
		c.MaxLease = DefaultMaxLease
	}
	return c
}

// Validate checks c, a zero MaxLease taken as its default. The error is
// a *ha.FieldError naming the first bad field ("domains[1].nodes[0]").
func (c Config) Validate() error {
	_, err := c.parse()
	return err
}

func (c Config) parse() (netip.AddrPort, error) {
	c = c.withDefaults()
	ap, err := netip.ParseAddrPort(c.Listen)
	switch {
	case err != nil:
		return ap, bad("listen", "%q is not an ip:port", c.Listen)
	case ap.Port() == 0:
		return ap, bad("listen", "%q has no port", c.Listen)
	}
	if err := checkKey("key", c.Key); err != nil {
		return ap, err
	}
	switch {
	case c.StateDir == "":
		return ap, bad("state_dir", "empty")
	case c.MaxLease < time.Millisecond || c.MaxLease > MaxMaxLease:
		return ap, bad("max_lease", "%s is outside 1ms–%s", c.MaxLease, MaxMaxLease)
	case len(c.Domains) > MaxDomains:
		return ap, bad("domains", "%d domains is over %d", len(c.Domains), MaxDomains)
	}
	names := map[string]bool{}
	for i, d := range c.Domains {
		if !validName(d.Name) || names[d.Name] {
			return ap, bad(fmt.Sprintf("domains[%d].name", i), "%q is empty, longer than %d bytes, has a control character or is repeated", d.Name, MaxName)
		}
		names[d.Name] = true
		if len(d.Nodes) > MaxDomainNodes {
			return ap, bad(fmt.Sprintf("domains[%d].nodes", i), "%d nodes is over %d", len(d.Nodes), MaxDomainNodes)
		}
		for j, n := range d.Nodes {
			if !validName(n) || slices.Contains(d.Nodes[:j], n) {
				return ap, bad(fmt.Sprintf("domains[%d].nodes[%d]", i, j), "%q is empty, longer than %d bytes, has a control character or is repeated", n, MaxName)
			}
		}
	}
	return ap, nil
}

// validName: 1–MaxName bytes, no control character nor space.
func validName(s string) bool {
	if len(s) == 0 || len(s) > MaxName {
		return false
	}
	for _, b := range []byte(s) {
		if b <= ' ' || b == 0x7f {
			return false
		}
	}
	return true
}

// Conn is the witness's datagram socket. *net.UDPConn satisfies it.
type Conn interface {
	// ReadFromUDPAddrPort reads one datagram into b. After Close it
	// returns an error wrapping net.ErrClosed.
	ReadFromUDPAddrPort(b []byte) (n int, from netip.AddrPort, err error)
	// WriteToUDPAddrPort sends b as one datagram to addr.
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
	// Close closes the socket and wakes a blocked read.
	Close() error
}

var _ Conn = (*net.UDPConn)(nil)

// Options are a Server's optional settings; nil means all defaults.
type Options struct {
	// Logger gets the grants, refusals and errors (nil: discard).
	Logger *slog.Logger
	// Now is the witness's clock (nil: time.Now, whose monotonic
	// reading leases are measured on).
	Now func() time.Time
	// Listen opens the socket (nil: net.ListenUDP on Config.Listen).
	// Run closes what it returns.
	Listen func(addr netip.AddrPort) (Conn, error)
}

// Server is the witness: it grants one lease at a time per domain to
// the clients that ask over UDP. Create it with New and run it with Run.
type Server struct {
	cfg     Config
	addr    netip.AddrPort
	opts    Options
	log     *slog.Logger
	now     func() time.Time
	metrics *serverMetrics
}

// New returns a witness for cfg; it validates cfg (a *ha.FieldError
// naming the field), registers the metrics on reg (nil: none), and does
// no I/O.
func New(cfg Config, reg prometheus.Registerer, opts *Options) (*Server, error) {
	addr, err := cfg.parse()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg.withDefaults(), addr: addr, log: slog.New(slog.DiscardHandler), now: time.Now}
	s.cfg.Key = append([]byte(nil), cfg.Key...)
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.Logger != nil {
		s.log = s.opts.Logger
	}
	if s.opts.Now != nil {
		s.now = s.opts.Now
	}
	if s.metrics, err = newServerMetrics(reg); err != nil {
		return nil, err
	}
	return s, nil
}

// Run loads the state, listens and serves until ctx is done (then nil),
// or fails: an unreadable or corrupt state file, a socket that cannot
// be opened. It must not run twice at once on one state directory.
func (s *Server) Run(ctx context.Context) error {
	c := newCore(s.cfg.MaxLease, s.cfg.Domains)
	if err := s.load(c); err != nil {
		return err
	}
	var conn Conn
	var err error
	if s.opts.Listen != nil {
		conn, err = s.opts.Listen(s.addr)
	} else {
		conn, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(s.addr))
	}
	if err != nil {
		return fmt.Errorf("hawitness: listen on %s: %w", s.addr, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	defer conn.Close()
	enc, _ := NewEncoder(s.cfg.Key)
	dec, _ := NewDecoder(s.cfg.Key)
	buf := make([]byte, MaxMessage+1)
	out := make([]byte, 0, MaxMessage)
	s.log.Info("witness listening", "addr", s.addr.String(), "max_lease", s.cfg.MaxLease)
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("hawitness: socket closed: %w", err)
			}
			s.log.Debug("witness read", "err", err)
			continue
		}
		var req Message
		if err := dec.Decode(buf[:n], &req); err != nil {
			r := err.(DropReason)
			s.metrics.dropped[r].Inc()
			s.log.Debug("witness dropped a datagram", "from", from.String(), "reason", r.String())
			continue
		}
		now := s.now()
		ans, o, drop, dirty := c.handle(&req, now)
		if o == outDropped {
			s.metrics.dropped[drop].Inc()
			s.log.Debug("witness dropped a request", "from", from.String(), "reason", drop.String(), "type", req.Type.String(), "node", req.Node, "instance", req.Instance.String(), "seq", req.Seq)
			continue
		}
		if dirty {
			if err := s.save(c.snapshot(now)); err != nil {
				// Unanswered: the client does not count on what was not
				// written, and the witness keeps refusing the others.
				s.metrics.persistErrors.Inc()
				s.log.Error("witness could not write its state; request unanswered", "err", err)
				continue
			}
		}
		s.count(&req, &ans, o)
		out, err = enc.Encode(out[:0], &ans)
		if err != nil {
			s.log.Error("witness could not encode its answer", "err", err)
			continue
		}
		if _, err := conn.WriteToUDPAddrPort(out, from); err != nil {
			s.log.Debug("witness write", "to", from.String(), "err", err)
		}
	}
}

func (s *Server) count(req, ans *Message, o outcome) {
	m := s.metrics
	attrs := []any{"domain", req.Domain, "node", req.Node, "instance", req.Instance.String(), "seq", req.Seq}
	switch o {
	case outGranted:
		m.grants.Inc()
		s.log.Debug("witness granted", append(attrs, "remaining", ans.Duration)...)
	case outRefused:
		m.refusals.Inc()
		s.log.Debug("witness refused", append(attrs, "holder", ans.Node, "remaining", ans.Duration)...)
	case outReleased:
		m.releases.Inc()
		s.log.Debug("witness released", attrs...)
	case outQueried:
		m.queries.Inc()
	case outRejected:
		m.rejected.WithLabelValues(ans.Code.String()).Inc()
		s.log.Warn("witness rejected a request", append(attrs, "code", ans.Code.String())...)
	case outDuplicate:
		m.duplicates.Inc()
	}
}

func (s *Server) statePath() string { return filepath.Join(s.cfg.StateDir, StateFile) }

// load reads the state file into c. With none (a first start, or a
// state lost with its disk), the witness cannot know what it granted
// before: it holds every lease back for MaxLease, and writes that at
// once so that a restart within it does not shorten it.
func (s *Server) load(c *core) error {
	now := s.now()
	b, err := os.ReadFile(s.statePath())
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.hold = now.Add(s.cfg.MaxLease)
		s.log.Warn("witness has no state: every lease is held back for max_lease", "state", s.statePath(), "max_lease", s.cfg.MaxLease)
		if err := s.save(c.snapshot(now)); err != nil {
			return err
		}
		return nil
	case err != nil:
		return fmt.Errorf("hawitness: reading state: %w", err)
	}
	st, err := parseState(b)
	if err != nil {
		return fmt.Errorf("hawitness: state file %s: %w", s.statePath(), err)
	}
	c.restore(st, now)
	for _, l := range st.Leases {
		s.log.Info("witness restarted: lease counted again in full", "domain", l.Domain, "holder", l.Holder, "remaining", time.Duration(l.RemainingNS))
	}
	return nil
}

// save writes st durably: a temporary file, fsync, rename over the
// state file, fsync of the directory.
func (s *Server) save(st stateFile) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("hawitness: encoding state: %w", err)
	}
	if err := fsutil.WriteFileAtomic(s.statePath(), b, 0o600); err != nil {
		return fmt.Errorf("hawitness: writing state: %w", err)
	}
	return nil
}

// InitStateDir writes the state of a witness that has granted nothing
// into dir (created if missing), for its first start: without it, a witness finding no state
// holds every lease back for max_lease, since it cannot tell a first
// start from a lost disk. It fails if dir already has a state file; run
// it once at installation, never on every start.
func InitStateDir(dir string) error {
	path := filepath.Join(dir, StateFile)
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("hawitness: %s exists: a witness's state is never reset", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("hawitness: %w", err)
	}
	b, err := json.Marshal(stateFile{Version: stateVersion})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("hawitness: %w", err)
	}
	if err := fsutil.WriteFileAtomic(path, b, 0o600); err != nil {
		return fmt.Errorf("hawitness: writing state: %w", err)
	}
	return nil
}
