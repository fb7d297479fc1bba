package hawitness

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/edgeflock/flock/ha"
	"github.com/prometheus/client_golang/prometheus"
)

// Client defaults.
const (
	// DefaultLease is the lease duration a client asks for by default.
	DefaultLease = 2 * time.Second
	// DefaultRetry is how long a client waits for an answer before it
	// sends its request again.
	DefaultRetry = 100 * time.Millisecond
	// DefaultTimeout bounds a call whose context has no deadline.
	DefaultTimeout = time.Second
)

// ClientConfig configures a Client.
type ClientConfig struct {
	// Server is the witness's address ("ip:port").
	Server string `yaml:"server"`
	// Key is the HMAC-SHA512 key shared with the witness, at least 32
	// bytes.
	Key []byte `yaml:"-"`
	// Domain is the lease's domain, 1–64 bytes.
	Domain string `yaml:"domain"`
	// Lease is the duration Acquire asks for (default 2 s); the witness
	// grants at most its max_lease.
	Lease time.Duration `yaml:"lease"`
	// Retry is how long to wait for an answer before sending the same
	// request again (default 100 ms).
	Retry time.Duration `yaml:"retry"`
	// Timeout bounds a call whose context has no deadline (default 1 s).
	Timeout time.Duration `yaml:"timeout"`
}

func (c ClientConfig) withDefaults() ClientConfig {
	if c.Lease == 0 {
		c.Lease = DefaultLease
	}
	if c.Retry == 0 {
		c.Retry = DefaultRetry
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// ClientOptions are a Client's optional settings; nil means defaults.
type ClientOptions struct {
	// Logger gets debug logs of drops and resends (nil: discard).
	Logger *slog.Logger
	// Now is the caller's clock, which the returned times are on (nil:
	// time.Now). Socket deadlines use the real clock.
	Now func() time.Time
	// Instance is the client's instance id (zero: a random one). Two
	// clients must never share one.
	Instance InstanceID
}

// Client asks a witness Server for leases; it implements ha.Witness.
// Its calls are serialised (a call waits, within its context, for the
// one before to end), each on its own socket. It starts no goroutine.
type Client struct {
	cfg     ClientConfig
	addr    netip.AddrPort
	log     *slog.Logger
	now     func() time.Time
	inst    InstanceID
	metrics *clientMetrics
	sem     chan struct{} // one call at a time; guards what follows
	enc     *Encoder
	dec     *Decoder
	seq     uint64
}

var _ ha.Witness = (*Client)(nil)

// NewClient returns a client for cfg; it validates cfg (a *ha.FieldError
// naming the field), registers its metrics on reg (nil: none), and does
// no I/O.
func NewClient(cfg ClientConfig, reg prometheus.Registerer, opts *ClientOptions) (*Client, error) {
	cfg = cfg.withDefaults()
	addr, err := netip.ParseAddrPort(cfg.Server)
	switch {
	case err != nil || addr.Port() == 0 || addr.Addr().IsUnspecified():
		return nil, bad("server", "%q is not a specific ip:port", cfg.Server)
	case !validName(cfg.Domain):
		return nil, bad("domain", "%q is not 1–%d bytes without spaces or control characters", cfg.Domain, MaxName)
	case cfg.Lease < time.Millisecond:
		return nil, bad("lease", "%s is under 1ms", cfg.Lease)
	case cfg.Retry <= 0:
		return nil, bad("retry", "%s is not positive", cfg.Retry)
	case cfg.Timeout <= 0:
		return nil, bad("timeout", "%s is not positive", cfg.Timeout)
	}
	c := &Client{cfg: cfg, addr: addr, log: slog.New(slog.DiscardHandler), now: time.Now, sem: make(chan struct{}, 1)}
	if c.enc, err = NewEncoder(cfg.Key); err != nil {
		return nil, err
	}
	c.dec, _ = NewDecoder(cfg.Key)
	c.cfg.Key = nil // the encoder and decoder keep what they need
	if opts != nil {
		if opts.Logger != nil {
			c.log = opts.Logger
		}
		if opts.Now != nil {
			c.now = opts.Now
		}
		c.inst = opts.Instance
	}
	if c.inst.IsZero() {
		c.inst = NewInstanceID()
	}
	if c.metrics, err = newClientMetrics(reg); err != nil {
		return nil, err
	}
	return c, nil
}

// Instance returns the client's instance id.
func (c *Client) Instance() InstanceID { return c.inst }

// Acquire asks the lease for node (or extends node's), for the
// configured Lease, and returns its end on the caller's clock: the time
// the request was first sent plus the remaining time the witness
// granted, never later than the witness's own end. A refusal is a
// *ha.LeaseHeldError (wrapping ha.ErrInvalidTransition) whose Until is
// the answer's arrival plus the holder's remaining time; no answer in
// time wraps ha.ErrUnavailable; a request the witness rejects (unknown
// domain, node not allowed) is a *ha.FieldError.
func (c *Client) Acquire(ctx context.Context, node string) (time.Time, error) {
	ans, sent, arrived, err := c.call(ctx, TypeAcquire, node, c.cfg.Lease)
	if err != nil {
		return time.Time{}, err
	}
	switch ans.Type {
	case TypeGranted:
		if ans.Node != node {
			return time.Time{}, fmt.Errorf("hawitness: acquire %s: granted to %q: %w", node, ans.Node, ha.ErrUnavailable)
		}
		return sent.Add(ans.Duration), nil
	case TypeRefused:
		return time.Time{}, fmt.Errorf("hawitness: acquire %s: %w", node, &ha.LeaseHeldError{Holder: ans.Node, Until: arrived.Add(ans.Duration)})
	}
	return time.Time{}, c.unexpected("acquire", node, ans)
}

// Release gives node's lease back; nothing if node holds none, or if
// the lease was granted to another client instance (a restarted
// process's lease runs out instead).
func (c *Client) Release(ctx context.Context, node string) error {
	ans, _, _, err := c.call(ctx, TypeRelease, node, 0)
	if err != nil {
		return err
	}
	if ans.Type == TypeReleased {
		return nil
	}
	return c.unexpected("release", node, ans)
}

// Lease returns when node's lease ends on the caller's clock (zero:
// node holds none): the answer's arrival plus the remaining time, never
// earlier than the witness's end. While a witness that lost its state
// holds every lease back, that hold's end is returned for any node.
func (c *Client) Lease(ctx context.Context, node string) (time.Time, error) {
	ans, _, arrived, err := c.call(ctx, TypeQuery, node, 0)
	if err != nil {
		return time.Time{}, err
	}
	if ans.Type != TypeLease {
		return time.Time{}, c.unexpected("lease", node, ans)
	}
	if ans.Duration > 0 && (ans.Node == node || ans.Node == "") {
		return arrived.Add(ans.Duration), nil
	}
	return time.Time{}, nil
}

func (c *Client) unexpected(op, node string, ans Message) error {
	if ans.Type == TypeRejected {
		field := "node"
		switch ans.Code {
		case CodeUnknownDomain, CodeFull:
			field = "domain"
		case CodeBadDuration:
			field = "lease"
		}
		return fmt.Errorf("hawitness: %s %s: %w", op, node, bad(field, "the witness rejected the request: %s", ans.Code))
	}
	return fmt.Errorf("hawitness: %s %s: unexpected answer %s: %w", op, node, ans.Type, ha.ErrUnavailable)
}

// call sends one request and waits for its answer, sending the same
// request (same sequence) again every Retry. sent is when it was first
// sent and arrived when the answer came, on the caller's clock.
func (c *Client) call(ctx context.Context, typ Type, node string, d time.Duration) (ans Message, sent, arrived time.Time, err error) {
	if !validName(node) {
		return ans, sent, arrived, bad("node", "%q is not 1–%d bytes without spaces or control characters", node, MaxName)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.Timeout)
		defer cancel()
	}
	unavailable := func(cause error) error {
		c.metrics.unavailable.Inc()
		return fmt.Errorf("hawitness: %s %s: no answer from the witness at %s: %w: %w", typ, node, c.addr, ha.ErrUnavailable, cause)
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return ans, sent, arrived, unavailable(ctx.Err())
	}
	defer func() { <-c.sem }()

	c.seq++
	req := Message{Type: typ, Domain: c.cfg.Domain, Node: node, Instance: c.inst, Seq: c.seq, Duration: d}
	out, err := c.enc.Encode(make([]byte, 0, MaxMessage), &req)
	if err != nil {
		return ans, sent, arrived, err
	}
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(c.addr))
	if err != nil {
		return ans, sent, arrived, unavailable(err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	deadline, _ := ctx.Deadline()
	buf := make([]byte, MaxMessage+1)
	sent = c.now()
	var last error
	for first := true; ; first = false {
		if !time.Now().Before(deadline) {
			return ans, sent, arrived, unavailable(errors.Join(context.DeadlineExceeded, last))
		}
		if !first {
			c.metrics.resent.Inc()
			c.log.Debug("witness client resends", "type", typ.String(), "node", node, "seq", req.Seq)
		}
		if _, err := conn.Write(out); err != nil {
			last = err
			c.log.Debug("witness client write", "err", err)
		}
		next := time.Now().Add(c.cfg.Retry)
		if next.After(deadline) {
			next = deadline
		}
		if err := conn.SetReadDeadline(next); err != nil {
			return ans, sent, arrived, unavailable(err)
		}
		for {
			// Checked after setting the deadline: a cancellation's
			// AfterFunc cannot have been overridden unseen.
			if ctx.Err() != nil {
				return ans, sent, arrived, unavailable(errors.Join(ctx.Err(), last))
			}
			n, err := conn.Read(buf)
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					break // resend
				}
				if errors.Is(err, net.ErrClosed) {
					return ans, sent, arrived, unavailable(err)
				}
				last = err // e.g. connection refused: nobody listens yet
				c.log.Debug("witness client read", "err", err)
				continue
			}
			var m Message
			if err := c.dec.Decode(buf[:n], &m); err != nil {
				r := err.(DropReason)
				c.metrics.dropped[r].Inc()
				c.log.Debug("witness client dropped a datagram", "reason", r.String())
				continue
			}
			if !m.Type.IsAnswer() || m.Instance != c.inst || m.Seq != req.Seq || m.Domain != req.Domain {
				c.metrics.dropped[DropUnexpected].Inc()
				c.log.Debug("witness client dropped an answer to another request", "type", m.Type.String(), "seq", m.Seq)
				continue
			}
			return m, sent, c.now(), nil
		}
	}
}
