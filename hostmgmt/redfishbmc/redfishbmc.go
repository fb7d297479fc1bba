package redfishbmc

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stmcginnis/gofish"
	"github.com/stmcginnis/gofish/schemas"

	"github.com/edgeflock/flock/hostmgmt"
)

// Authentication modes of Options.Auth.
const (
	AuthSession = "session" // SessionService login, X-Auth-Token (default)
	AuthBasic   = "basic"   // HTTP basic authentication on every request
)

// maxConcurrent bounds the requests one BMC has in flight: BMCs are small
// machines, and reading a Sensors collection fans out one GET per sensor.
const maxConcurrent = 4

// closeTimeout bounds the logout of Close, which takes no context.
const closeTimeout = 10 * time.Second

// Options configure a BMC. The zero value (or nil) means session
// authentication without credentials, certificates verified, and the
// service's only ComputerSystem.
type Options struct {
	// Username and Password are the BMC account's credentials. Without a
	// username the engine sends no credentials at all.
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	// Auth is "session" (the default: log in through the SessionService,
	// send X-Auth-Token, log in again once when the BMC answers 401) or
	// "basic" (HTTP basic authentication on every request).
	Auth string `json:"auth,omitempty"`
	// InsecureTLS accepts a certificate that does not verify (a BMC's
	// self-signed one). Set it only when the host's configuration says
	// so. It applies to the HTTP client New builds; with HTTPClient set
	// it is refused (configure that client's transport instead).
	InsecureTLS bool `json:"insecure_tls,omitempty"`
	// HTTPClient, if set, carries every request as given (its transport
	// is not modified). Leave its Timeout zero: each call's context
	// bounds it.
	HTTPClient *http.Client `json:"-"`
	// System is the Id of the ComputerSystem to manage; empty means the
	// service's only one (an error naming "system" when it has several).
	System string `json:"system,omitempty"`
}

// BMC is a host's Redfish BMC. It is safe for concurrent use. It
// connects (reads the service root and, with session authentication,
// logs in) on its first call.
type BMC struct {
	endpoint string
	opts     Options
	hc       *http.Client
	own      bool // hc was built by New

	// lock guards client and sysURI; a channel so that waiting for it
	// honours the caller's context.
	lock   chan struct{}
	client *gofish.APIClient
	sysURI string
	// sources are the Thermal and Power resources Sensors reads, once
	// found; nil until then, or when a chassis has only a Sensors
	// collection.
	sources []sensorSource
}

// sensorSource is one chassis' Thermal and Power resources ("" for one
// it lacks).
type sensorSource struct{ thermal, power string }

var (
	_ hostmgmt.BMC             = (*BMC)(nil)
	_ hostmgmt.VirtualMedia    = (*BMC)(nil)
	_ hostmgmt.EventSubscriber = (*BMC)(nil)
)

// New returns the BMC at endpoint, "https://host[:port]" or
// "http://host:port" (emulators). It checks its arguments and does no
// I/O. Bad arguments give a *hostmgmt.FieldError naming the field
// ("endpoint", "auth", "insecure_tls", "system").
func New(endpoint string, opts *Options) (*BMC, error) {
	ep, err := checkEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	switch o.Auth {
	case "":
		o.Auth = AuthSession
	case AuthSession, AuthBasic:
	default:
		return nil, &hostmgmt.FieldError{Field: "auth", Reason: fmt.Sprintf("%q is not %q or %q", o.Auth, AuthSession, AuthBasic)}
	}
	if o.InsecureTLS && o.HTTPClient != nil {
		return nil, &hostmgmt.FieldError{Field: "insecure_tls", Reason: "set with a caller's HTTP client: configure that client's TLS instead"}
	}
	if strings.ContainsAny(o.System, "/?#") {
		return nil, &hostmgmt.FieldError{Field: "system", Reason: fmt.Sprintf("%q is not a ComputerSystem Id", o.System)}
	}
	b := &BMC{endpoint: ep, opts: o, hc: o.HTTPClient, lock: make(chan struct{}, 1)}
	if b.hc == nil {
		b.hc, b.own = newHTTPClient(o.InsecureTLS), true
	}
	return b, nil
}

// checkEndpoint returns endpoint as "scheme://host[:port]", or a
// *hostmgmt.FieldError naming "endpoint".
func checkEndpoint(endpoint string) (string, error) {
	bad := func(reason string) (string, error) {
		return "", &hostmgmt.FieldError{Field: "endpoint", Reason: fmt.Sprintf("%q: %s", endpoint, reason)}
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return bad("not a URL")
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return bad("the scheme is not https or http")
	case u.Hostname() == "":
		return bad("no host")
	case u.Scheme == "http" && u.Port() == "":
		return bad("plain http needs an explicit port (an emulator's)")
	case u.User != nil, u.RawQuery != "", u.Fragment != "", u.Path != "" && u.Path != "/":
		return bad("only scheme://host[:port] is allowed")
	}
	return u.Scheme + "://" + u.Host, nil
}

// newHTTPClient returns the client of a BMC whose caller gave none: no
// proxy (a BMC sits on the management network, and a refused dial must
// be the BMC's), no overall timeout (each call's context bounds it).
func newHTTPClient(insecure bool) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.MaxIdleConnsPerHost = maxConcurrent
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure} //nolint:gosec // only when the host's config says so
	return &http.Client{Transport: tr}
}

// acquire takes b.lock, or fails when ctx ends first.
func (b *BMC) acquire(ctx context.Context) error {
	select {
	case b.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *BMC) release() { <-b.lock }

// connected returns the gofish client, connecting first if there is
// none.
func (b *BMC) connected(ctx context.Context) (*gofish.APIClient, error) {
	if err := b.acquire(ctx); err != nil {
		return nil, err
	}
	defer b.release()
	if b.client != nil {
		return b.client, nil
	}
	c, err := gofish.ConnectContext(ctx, gofish.ClientConfig{
		Endpoint:              b.endpoint,
		Username:              b.opts.Username,
		Password:              b.opts.Password,
		BasicAuth:             b.opts.Auth == AuthBasic,
		HTTPClient:            b.hc,
		MaxConcurrentRequests: maxConcurrent,
		ReuseConnections:      true,
		NoModifyTransport:     true,
	})
	if err != nil {
		return nil, err
	}
	b.client = c
	return c, nil
}

// forget drops c when it is still the current client (its session was
// refused), so that the next call logs in again.
func (b *BMC) forget(ctx context.Context, c *gofish.APIClient) error {
	if err := b.acquire(ctx); err != nil {
		return err
	}
	if b.client == c {
		b.client = nil
	}
	b.release()
	return nil
}

// call runs fn with a client bound to ctx. In session mode, a 401 (the
// BMC forgot the session) logs in again and runs fn once more: a
// refused request was not acted on. Errors are wrapped with op and
// classified (see wrap).
func (b *BMC) call(ctx context.Context, op string, fn func(c *gofish.APIClient) error) error {
	c, err := b.connected(ctx)
	if err != nil {
		return wrap(op, err)
	}
	err = fn(c.WithContext(ctx))
	if err != nil && b.opts.Auth == AuthSession && b.opts.Username != "" && status(err) == http.StatusUnauthorized && !isSent(err) {
		if ferr := b.forget(ctx, c); ferr != nil {
			return wrap(op, err)
		}
		if c, err = b.connected(ctx); err != nil {
			return wrap(op, err)
		}
		err = fn(c.WithContext(ctx))
	}
	return wrap(op, err)
}

// Close logs out the BMC's session, if it has one, and closes its idle
// connections. The BMC stays usable: the next call logs in again.
func (b *BMC) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	if err := b.acquire(ctx); err != nil {
		return err
	}
	c := b.client
	b.client = nil
	b.release()
	if c != nil && b.opts.Auth == AuthSession {
		if _, err := c.GetSession(); err == nil {
			c.WithContext(ctx).Logout()
		}
	}
	if b.own {
		b.hc.CloseIdleConnections()
	}
	return nil
}

// As sets target, a **gofish.APIClient, to the BMC's native client
// (connecting first if needed, bounded by 30 s) and reports whether it
// could; a *http.Client target receives the HTTP client.
func (b *BMC) As(target any) bool {
	switch t := target.(type) {
	case **gofish.APIClient:
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := b.connected(ctx)
		if err != nil {
			return false
		}
		*t = c
		return true
	case **http.Client:
		*t = b.hc
		return true
	}
	return false
}

// sentError marks an error of a call that had already sent an action
// to the BMC: it is never reported as unsent, and never re-sent.
type sentError struct{ err error }

func (e *sentError) Error() string { return e.err.Error() }
func (e *sentError) Unwrap() error { return e.err }

func isSent(err error) bool {
	var s *sentError
	return errors.As(err, &s)
}

// causes returns err's failures, looking inside gofish's
// CollectionError (which does not unwrap).
func causes(err error) []error {
	var ce *schemas.CollectionError
	if errors.As(err, &ce) && len(ce.Failures) > 0 {
		out := make([]error, 0, len(ce.Failures))
		for _, f := range ce.Failures {
			out = append(out, f)
		}
		return out
	}
	return []error{err}
}

// failures lets errors.Is and errors.As see into a CollectionError.
type failures struct{ *schemas.CollectionError }

func (f *failures) Unwrap() []error { return causes(f.CollectionError) }

// status returns the HTTP status of a Redfish error answer, or 0.
func status(err error) int {
	for _, e := range causes(err) {
		var re *schemas.Error
		if errors.As(e, &re) && re.HTTPReturnedStatusCode != 0 {
			return re.HTTPReturnedStatusCode
		}
	}
	return 0
}

// dialFailed reports whether err failed while dialing (connection
// refused, no such host, no route): no byte of any request left.
func dialFailed(err error) bool {
	cs := causes(err)
	for _, e := range cs {
		var oe *net.OpError
		if !errors.As(e, &oe) || oe.Op != "dial" {
			return false
		}
	}
	return len(cs) > 0
}

// wrap names op in err and classifies it: a dial failure before any
// action was sent wraps hostmgmt.ErrNotSent and hostmgmt.ErrUnavailable;
// other transport failures (timeouts, lost answers) wrap
// hostmgmt.ErrUnavailable only.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if ce, ok := err.(*schemas.CollectionError); ok { //nolint:errorlint // gofish returns it bare
		err = &failures{ce}
	}
	var fe *hostmgmt.FieldError
	switch {
	case errors.As(err, &fe), errors.Is(err, hostmgmt.ErrUnimplemented):
		return fmt.Errorf("redfishbmc: %s: %w", op, err)
	case !isSent(err) && dialFailed(err):
		return fmt.Errorf("redfishbmc: %s: %w: %w: %w", op, hostmgmt.ErrNotSent, hostmgmt.ErrUnavailable, err)
	case status(err) == 0 && transportFailed(err):
		return fmt.Errorf("redfishbmc: %s: %w: %w", op, hostmgmt.ErrUnavailable, err)
	}
	return fmt.Errorf("redfishbmc: %s: %w", op, err)
}

func transportFailed(err error) bool {
	for _, e := range causes(err) {
		var ne net.Error
		var ue *url.Error
		if errors.As(e, &ne) || errors.As(e, &ue) || errors.Is(e, context.DeadlineExceeded) || errors.Is(e, io.ErrUnexpectedEOF) {
			return true
		}
	}
	return false
}

// maxRoot bounds the service root Probe reads.
const maxRoot = 1 << 20

// Probe reads the service root of the Redfish service at endpoint
// without credentials and returns its RedfishVersion ("1.15.0"). It is
// how a host of bm_type dynamic learns whether its BMC speaks Redfish;
// the decision is the caller's. opts may be nil; only InsecureTLS and
// HTTPClient are used.
func Probe(ctx context.Context, endpoint string, opts *Options) (redfishVersion string, err error) {
	ep, err := checkEndpoint(endpoint)
	if err != nil {
		return "", err
	}
	hc := newHTTPClient(opts != nil && opts.InsecureTLS)
	if opts != nil && opts.HTTPClient != nil {
		hc = opts.HTTPClient
	} else {
		defer hc.CloseIdleConnections()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ep+schemas.DefaultServiceRoot, nil)
	if err != nil {
		return "", wrap("probe", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", wrap("probe", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRoot))
	if err != nil {
		return "", wrap("probe", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", wrap("probe", schemas.ConstructError(resp.StatusCode, body))
	}
	v, err := parseRoot(body)
	return v, wrap("probe", err)
}

// parseRoot returns the RedfishVersion of a service root.
func parseRoot(body []byte) (string, error) {
	var root struct {
		RedfishVersion string
	}
	if err := json.Unmarshal(body, &root); err != nil {
		return "", fmt.Errorf("service root: %w", err)
	}
	if !validVersion(root.RedfishVersion) {
		return "", fmt.Errorf("service root: RedfishVersion %q is not MAJOR.MINOR.ERRATA", root.RedfishVersion)
	}
	return root.RedfishVersion, nil
}

func validVersion(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 6 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}
