package ipmibmc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/bougou/go-ipmi"

	"github.com/edgeflock/flock/hostmgmt"
)

// DefaultPort is IPMI's RMCP port.
const DefaultPort = 623

// Options configure a BMC. The zero value (or nil) means IPMI 1.5 LAN
// at administrator privilege with no credentials.
type Options struct {
	// Username and Password are the BMC user's (inventory's bm_username
	// and bm_password).
	Username string `json:"username" yaml:"username"`
	Password string `json:"password" yaml:"password"`
	// Interface is "lan" (IPMI 1.5, the default) or "lanplus" (IPMI 2.0
	// RMCP+).
	Interface string `json:"interface,omitempty" yaml:"interface,omitempty"`
	// CipherSuite is the RMCP+ cipher suite id for lanplus (3 is
	// HMAC-SHA1 with AES-128); 0 lets go-ipmi pick the best the BMC
	// offers. Unused with lan.
	CipherSuite int `json:"cipher_suite,omitempty" yaml:"cipher_suite,omitempty"`
	// Privilege is the session's privilege: "administrator" (the
	// default) or "operator" (enough for power and boot device).
	Privilege string `json:"privilege,omitempty" yaml:"privilege,omitempty"`
	// EFI asks for an EFI boot (rather than legacy BIOS) with the boot
	// device.
	EFI bool `json:"efi,omitempty" yaml:"efi,omitempty"`
	// Timeout bounds the wait for each answer when the call's context
	// allows longer; 0 means 2 s.
	Timeout time.Duration `json:"timeout,omitempty" yaml:"timeout,omitempty"`
	// SessionIdle is how long an unused session is trusted; an older one
	// is closed and a new one opened. 0 means 45 s.
	SessionIdle time.Duration `json:"session_idle,omitempty" yaml:"session_idle,omitempty"`
}

// BMC is a host's BMC reached over IPMI LAN. It is safe for concurrent
// use; calls are serialised on one session.
type BMC struct {
	host string
	port int
	opts Options

	// sem holds the session: a call takes it, honouring its context.
	sem  chan struct{}
	sess *session // nil until the first call, or after Close
}

var _ hostmgmt.BMC = (*BMC)(nil)

// session is one go-ipmi client with the socket it writes to.
type session struct {
	client *ipmi.Client
	dialer *dialer
	open   bool      // Connect succeeded
	broken bool      // a call failed: open a new session
	used   time.Time // last successful exchange
}

// New returns the BMC at addr ("host:port" or "host"; the port defaults
// to 623). It checks addr and opts and does no I/O.
func New(addr string, opts *Options) (*BMC, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	host, port, err := splitAddr(addr)
	if err != nil {
		return nil, err
	}
	switch o.Interface {
	case "":
		o.Interface = string(ipmi.InterfaceLan)
	case string(ipmi.InterfaceLan), string(ipmi.InterfaceLanplus):
	default:
		return nil, fieldError("interface", fmt.Sprintf("%q is not lan or lanplus", o.Interface))
	}
	switch o.Privilege {
	case "":
		o.Privilege = "administrator"
	case "administrator", "operator":
	default:
		return nil, fieldError("privilege", fmt.Sprintf("%q is not administrator or operator", o.Privilege))
	}
	if o.CipherSuite < 0 || o.CipherSuite > 255 {
		return nil, fieldError("cipher_suite", fmt.Sprintf("%d is not a cipher suite id (0-255)", o.CipherSuite))
	}
	if len(o.Username) > ipmi.IPMI_MAX_USER_NAME_LENGTH {
		return nil, fieldError("username", fmt.Sprintf("longer than %d bytes", ipmi.IPMI_MAX_USER_NAME_LENGTH))
	}
	if o.Timeout < 0 {
		return nil, fieldError("timeout", "negative")
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	if o.SessionIdle < 0 {
		return nil, fieldError("session_idle", "negative")
	}
	if o.SessionIdle == 0 {
		o.SessionIdle = 45 * time.Second
	}
	return &BMC{host: host, port: port, opts: o, sem: make(chan struct{}, 1)}, nil
}

func fieldError(field, msg string) error {
	return &hostmgmt.FieldError{Field: field, Reason: msg}
}

func splitAddr(addr string) (string, int, error) {
	if addr == "" {
		return "", 0, fieldError("address", "empty")
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		// No port: a bare host name or IP address (IPv6 without brackets).
		if strings.Contains(err.Error(), "missing port") || (strings.Count(addr, ":") > 1 && net.ParseIP(addr) != nil) {
			host, portStr = strings.Trim(addr, "[]"), strconv.Itoa(DefaultPort)
		} else {
			return "", 0, fieldError("address", err.Error())
		}
	}
	if host == "" {
		return "", 0, fieldError("address", fmt.Sprintf("%q has no host", addr))
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fieldError("address", fmt.Sprintf("port %q is not 1-65535", portStr))
	}
	return host, port, nil
}

// Close closes the session, if one is open: it tells the BMC (bounded by
// the BMC's timeout) and closes the socket.
func (b *BMC) Close() error {
	b.sem <- struct{}{}
	defer func() { <-b.sem }()
	if b.sess == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.Timeout)
	defer cancel()
	err := b.sess.close(ctx)
	b.sess = nil
	return err
}

// As sets *target to the session's go-ipmi client when target is a
// **ipmi.Client, making an unconnected one (no I/O) if there is none.
func (b *BMC) As(target any) bool {
	p, ok := target.(**ipmi.Client)
	if !ok {
		return false
	}
	b.sem <- struct{}{}
	defer func() { <-b.sem }()
	if b.sess == nil || b.sess.broken {
		s, err := b.newSession()
		if err != nil {
			return false
		}
		if b.sess != nil {
			b.sess.discard()
		}
		b.sess = s
	}
	*p = b.sess.client
	return true
}

func (b *BMC) newSession() (*session, error) {
	d := &dialer{port: b.port}
	c, err := ipmi.NewClient(b.host, b.port, b.opts.Username, b.opts.Password)
	if err != nil {
		return nil, err
	}
	c.WithInterface(ipmi.Interface(b.opts.Interface)).
		WithTimeout(b.opts.Timeout).
		WithRetry(0). // engines never retry; see the package doc
		WithUDPProxy(d)
	if b.opts.Privilege == "operator" {
		c.WithMaxPrivilegeLevel(ipmi.PrivilegeLevelOperator)
	} else {
		c.WithMaxPrivilegeLevel(ipmi.PrivilegeLevelAdministrator)
	}
	if b.opts.CipherSuite != 0 {
		c.WithCipherSuiteID(ipmi.CipherSuiteID(b.opts.CipherSuite))
	}
	return &session{client: c, dialer: d}, nil
}

// do runs fn on an open session, serialised with every other call, and
// classifies its error. op names the call in errors.
func (b *BMC) do(ctx context.Context, op string, fn func(ctx context.Context, c *ipmi.Client) error) error {
	select {
	case b.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("ipmibmc: %s: waiting for the session: %w", op, ctx.Err())
	}
	defer func() { <-b.sem }()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ipmibmc: %s: %w", op, err)
	}
	if err := b.connect(ctx); err != nil {
		return fmt.Errorf("ipmibmc: %s: %w", op, withCtx(ctx, err))
	}
	s := b.sess
	sent := s.dialer.writes()
	err := fn(ctx, s.client)
	if err == nil {
		s.used = time.Now()
		return nil
	}
	var re *ipmi.ResponseError
	if !errors.As(err, &re) {
		// No answer, or one that did not parse: the session's sequence
		// numbers may be out of step. Closing the socket now also makes
		// the count of datagrams written final (go-ipmi may still hold a
		// write in a goroutine of its own).
		s.broken = true
		s.discard()
		b.sess = nil
	}
	if s.dialer.writes() == sent || refused(err) {
		err = fmt.Errorf("%w: %w", hostmgmt.ErrNotSent, err)
	}
	return fmt.Errorf("ipmibmc: %s: %w", op, withCtx(ctx, err))
}

// withCtx adds ctx's error to err when ctx ended: go-ipmi reports its
// own read deadline, which is ctx's when that is the earlier. That read
// deadline can fire a moment before ctx's timer marks ctx done, so a
// passed deadline counts as ended.
func withCtx(ctx context.Context, err error) error {
	cerr := ctx.Err()
	if d, ok := ctx.Deadline(); ok && cerr == nil && !time.Now().Before(d) {
		cerr = context.DeadlineExceeded
	}
	if cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// connect makes sure b.sess is an open, trusted session. Its errors wrap
// ErrNotSent when the BMC or the local host surely refused.
func (b *BMC) connect(ctx context.Context) error {
	s := b.sess
	if s != nil && s.open && !s.broken && time.Since(s.used) < b.opts.SessionIdle {
		return nil
	}
	if s != nil && s.open && !s.broken {
		// Idle too long: close it politely, within this call's budget.
		cctx, cancel := context.WithTimeout(ctx, b.opts.Timeout)
		_ = s.close(cctx)
		cancel()
		s = nil
	}
	if s != nil && (s.open || s.broken) {
		s.discard()
		s = nil
	}
	b.sess = nil
	if s == nil {
		var err error
		if s, err = b.newSession(); err != nil {
			return fmt.Errorf("%w: %w", hostmgmt.ErrNotSent, err)
		}
	}
	ip, err := resolve(ctx, b.host)
	if err != nil {
		return fmt.Errorf("%w: resolve %s: %w", hostmgmt.ErrNotSent, b.host, err)
	}
	s.dialer.ip = ip
	// go-ipmi keeps Connect's context for its keep-alive goroutine: a
	// context that ends with Connect keeps that goroutine from sending on
	// its own (it would race with this BMC's calls for sequence numbers).
	// SessionIdle replaces the keep-alive.
	cctx, cancel := context.WithCancel(ctx)
	err = s.client.Connect(cctx)
	cancel()
	if err != nil {
		s.discard()
		var re *ipmi.ResponseError
		if refused(err) || s.dialer.dialErr != nil || errors.As(err, &re) {
			return fmt.Errorf("%w: open session: %w", hostmgmt.ErrNotSent, err)
		}
		return fmt.Errorf("open session: %w", err)
	}
	s.open, s.used = true, time.Now()
	b.sess = s
	return nil
}

func resolve(ctx context.Context, host string) (net.IP, error) {
	if ip := net.ParseIP(host); ip != nil {
		return ip, nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("no address")
	}
	return addrs[0].IP, nil
}

// refused reports whether err is the BMC host's ICMP port unreachable.
func refused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// close ends the session at the BMC and closes the socket.
func (s *session) close(ctx context.Context) error {
	var err error
	if s.open {
		s.open = false
		err = closeClient(ctx, s.client) // stops go-ipmi's keep-alive goroutine
	}
	s.dialer.close()
	return err
}

// discard drops the session without waiting for the BMC: its goroutine
// is stopped and its socket closed.
func (s *session) discard() {
	if s.open {
		s.open = false
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = closeClient(ctx, s.client) // stops the keep-alive; sends nothing
	}
	s.dialer.close()
}

// closeClient closes a go-ipmi client. One closed already (through As)
// panics in go-ipmi: that is no error here.
func closeClient(ctx context.Context, c *ipmi.Client) (err error) {
	defer func() {
		if recover() != nil {
			err = nil
		}
	}()
	return c.Close(ctx)
}

// dialer is go-ipmi's UDP "proxy": it dials the resolved address itself
// so that the engine owns the socket (closing it ends a pending read)
// and counts the datagrams written.
type dialer struct {
	ip      net.IP
	port    int
	conn    *countingConn
	dialErr error
	n       atomic.Int64 // datagrams written on all its sockets
}

// Dial implements golang.org/x/net/proxy.Dialer.
func (d *dialer) Dial(network, _ string) (net.Conn, error) {
	if d.ip == nil {
		d.dialErr = errors.New("address not resolved")
		return nil, d.dialErr
	}
	c, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: d.ip, Port: d.port})
	if err != nil {
		d.dialErr = err
		return nil, err
	}
	if d.conn != nil {
		_ = d.conn.Close() // go-ipmi dials again after its Close
	}
	d.conn = &countingConn{Conn: c, n: &d.n}
	return d.conn, nil
}

func (d *dialer) writes() int64 { return d.n.Load() }

func (d *dialer) close() {
	if d.conn != nil {
		_ = d.conn.Close()
	}
}

// countingConn counts the datagrams that left. Once Close returns, no
// write is under way and the count is final.
type countingConn struct {
	net.Conn
	mu     sync.Mutex
	closed bool
	n      *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	n, err := c.Conn.Write(p)
	if err == nil {
		c.n.Add(1)
	}
	return n, err
}

// Close closes the socket; a read under way returns at once.
func (c *countingConn) Close() error {
	err := c.Conn.Close() // first: a pending read must not hold up the lock
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return err
}
