package agent

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
)

// LinkSource gives the host's agent its maintenance link: its key and
// the controller's heartbeat endpoints. LinkClient is the one over the
// controller's REST API.
type LinkSource interface {
	// MtceLink returns the link the controller issued to hostUUID, or an
	// error wrapping ErrLinkNotIssued if it has issued none yet.
	MtceLink(ctx context.Context, hostUUID string) (hostmgmt.LinkConfig, error)
}

// ErrLinkNotIssued is the error of a LinkSource whose controller has not
// issued the host's link yet (404): ask again later.
var ErrLinkNotIssued = errors.New("maintenance link not issued yet")

// ErrLinkRefused is the error of a LinkSource whose controller refused
// the agent's token (401 or 403).
var ErrLinkRefused = errors.New("maintenance link refused: the agent token is not accepted")

// MaxLinkBody is the largest answer to GET /v1/ihosts/{uuid}/mtce_link
// that a LinkClient reads.
const MaxLinkBody = 64 << 10

// Bounds of a link's heartbeat_period_ms: StarlingX's heartbeat_period
// range (100–1000 ms, §2.5).
const (
	minLinkPeriodMS = 100
	maxLinkPeriodMS = 1000
)

// Bounds of a link's key, in bytes.
const (
	minLinkKey = 16
	maxLinkKey = 1024
)

// LinkClientOptions configure NewLinkClient.
type LinkClientOptions struct {
	// Token is the host's agent token, sent as "Authorization: Bearer
	// <token>" as with the agent's reports.
	Token string
	// HTTPClient, if set, is used instead of a client with a 5 s dial
	// timeout.
	HTTPClient *http.Client
	// Timeout bounds a request whose context has no deadline (default
	// 30 s).
	Timeout time.Duration
}

// LinkClient is a LinkSource over the controller's REST API: GET
// /v1/ihosts/{uuid}/mtce_link, with the host's agent token.
type LinkClient struct {
	base    string
	token   string
	hc      *http.Client
	timeout time.Duration
}

var _ LinkSource = (*LinkClient)(nil)

// NewLinkClient returns a LinkClient of the controller's API at baseURL
// ("http://controller:6385").
func NewLinkClient(baseURL string, opts *LinkClientOptions) *LinkClient {
	var o LinkClientOptions
	if opts != nil {
		o = *opts
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Transport: &http.Transport{
			DialContext:     (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:    2,
			IdleConnTimeout: 90 * time.Second,
		}}
	}
	return &LinkClient{base: strings.TrimRight(baseURL, "/"), token: o.Token, hc: o.HTTPClient, timeout: o.Timeout}
}

// MtceLink fetches and decodes the host's link. A 404 is
// ErrLinkNotIssued, a 401 or 403 ErrLinkRefused; an answer that does not
// decode, or that is another host's, is an error naming the member.
func (c *LinkClient) MtceLink(ctx context.Context, hostUUID string) (hostmgmt.LinkConfig, error) {
	switch hostUUID {
	case "", ".", "..":
		return hostmgmt.LinkConfig{}, fmt.Errorf("agent: mtce_link: host uuid %q", hostUUID)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	path := "/v1/ihosts/" + url.PathEscape(hostUUID) + "/mtce_link"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return hostmgmt.LinkConfig{}, fmt.Errorf("agent: mtce_link: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return hostmgmt.LinkConfig{}, fmt.Errorf("agent: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxLinkBody+1))
	if err != nil {
		return hostmgmt.LinkConfig{}, fmt.Errorf("agent: GET %s: read the answer: %w", path, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return hostmgmt.LinkConfig{}, fmt.Errorf("agent: GET %s: %w", path, ErrLinkNotIssued)
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return hostmgmt.LinkConfig{}, fmt.Errorf("agent: GET %s: %w (%s)", path, ErrLinkRefused, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return hostmgmt.LinkConfig{}, fmt.Errorf("agent: GET %s: %s: %s", path, resp.Status, lastLine(data[:min(len(data), 512)]))
	case len(data) > MaxLinkBody:
		return hostmgmt.LinkConfig{}, fmt.Errorf("agent: GET %s: the answer is larger than %d bytes", path, MaxLinkBody)
	}
	lc, err := DecodeLinkConfig(data)
	if err != nil {
		return hostmgmt.LinkConfig{}, fmt.Errorf("agent: GET %s: %w", path, err)
	}
	if lc.HostUUID != hostUUID {
		return hostmgmt.LinkConfig{}, fmt.Errorf("agent: GET %s: mtce_link: host_uuid: %q is another host's", path, lc.HostUUID)
	}
	return lc, nil
}

// linkWire is the JSON form of hostmgmt.LinkConfig, decoded before its
// members are checked one by one.
type linkWire struct {
	HostUUID   *string                    `json:"host_uuid"`
	Key        *string                    `json:"key"`
	PeriodMS   *int                       `json:"heartbeat_period_ms"`
	Controller map[string]json.RawMessage `json:"controller"`
}

// DecodeLinkConfig decodes the body of GET /v1/ihosts/{uuid}/mtce_link
// strictly: one JSON object (at most MaxLinkBody bytes) with host_uuid,
// key (base64, as encoding/json writes a []byte; 16 to 1024 bytes),
// heartbeat_period_ms (100 to 1000) and controller (an "ip:port" for
// mgmt and, if the host heartbeats on it, cluster-host), and no other
// member. An error names the member at fault.
func DecodeLinkConfig(data []byte) (hostmgmt.LinkConfig, error) {
	bad := func(format string, args ...any) (hostmgmt.LinkConfig, error) {
		return hostmgmt.LinkConfig{}, fmt.Errorf("mtce_link: "+format, args...)
	}
	if len(data) > MaxLinkBody {
		return bad("larger than %d bytes", MaxLinkBody)
	}
	var w linkWire
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return bad("%w", jsonFieldError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("trailing data after the JSON object")
	}
	var lc hostmgmt.LinkConfig
	switch {
	case w.HostUUID == nil || *w.HostUUID == "":
		return bad("host_uuid is required")
	case w.Key == nil || *w.Key == "":
		return bad("key is required")
	case w.PeriodMS == nil:
		return bad("heartbeat_period_ms is required")
	case len(w.Controller) == 0:
		return bad("controller is required (an \"ip:port\" per network)")
	}
	lc.HostUUID = *w.HostUUID
	key, err := base64.StdEncoding.Strict().DecodeString(*w.Key)
	if err != nil {
		return bad("key: not base64: %v", err)
	}
	if len(key) < minLinkKey || len(key) > maxLinkKey {
		return bad("key: %d bytes, want %d to %d", len(key), minLinkKey, maxLinkKey)
	}
	lc.Key = key
	if p := *w.PeriodMS; p < minLinkPeriodMS || p > maxLinkPeriodMS {
		return bad("heartbeat_period_ms: %d is not within %d–%d", p, minLinkPeriodMS, maxLinkPeriodMS)
	}
	lc.PeriodMS = *w.PeriodMS
	lc.Controller = make(map[hostmgmt.Network]string, len(w.Controller))
	names := make([]string, 0, len(w.Controller))
	for n := range w.Controller {
		names = append(names, n)
	}
	slices.Sort(names) // the first bad one named is always the same
	for _, n := range names {
		if !hostmgmt.Network(n).Valid() {
			return bad("controller: %q is not a heartbeat network (mgmt, cluster-host)", n)
		}
		var ep string
		if err := json.Unmarshal(w.Controller[n], &ep); err != nil {
			return bad("controller.%s: %s where an \"ip:port\" string was expected", n, jsonKindOf(w.Controller[n]))
		}
		ap, err := netip.ParseAddrPort(ep)
		if err != nil || ap.Port() == 0 || !ap.Addr().IsValid() || ap.Addr().IsUnspecified() || ap.Addr().Zone() != "" {
			return bad("controller.%s: %q is not an \"ip:port\" address", n, ep)
		}
		lc.Controller[hostmgmt.Network(n)] = ap.String()
	}
	if _, ok := lc.Controller[hostmgmt.NetworkMgmt]; !ok {
		return bad("controller.mgmt is required")
	}
	return lc, nil
}

// sameLink reports whether two links are the same.
func sameLink(a, b hostmgmt.LinkConfig) bool {
	if a.HostUUID != b.HostUUID || !bytes.Equal(a.Key, b.Key) || a.PeriodMS != b.PeriodMS || len(a.Controller) != len(b.Controller) {
		return false
	}
	for n, ep := range a.Controller {
		if b.Controller[n] != ep {
			return false
		}
	}
	return true
}

// jsonKindOf names the kind of a JSON value.
func jsonKindOf(raw json.RawMessage) string {
	switch b := bytes.TrimSpace(raw); {
	case len(b) == 0:
		return "nothing"
	case b[0] == '{':
		return "a JSON object"
	case b[0] == '[':
		return "a JSON array"
	case b[0] == '"':
		return "a JSON string"
	case b[0] == 't' || b[0] == 'f':
		return "a JSON bool"
	case b[0] == 'n':
		return "null"
	}
	return "a JSON number"
}

// jsonFieldError words an encoding/json error in the document's terms:
// the member at fault, without Go's type names.
func jsonFieldError(err error) error {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		want := "an object"
		if te.Type != nil {
			switch te.Type.Kind() {
			case reflect.String:
				want = "a string"
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
				reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
				want = "a number"
			case reflect.Bool:
				want = "true or false"
			case reflect.Slice, reflect.Array:
				want = "an array"
			}
		}
		if te.Field == "" {
			return fmt.Errorf("a JSON %s where %s was expected", te.Value, want)
		}
		return fmt.Errorf("%s: a JSON %s where %s was expected", te.Field, te.Value, want)
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Errorf("not JSON: %v (at byte %d)", se, se.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("not JSON: truncated")
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("unknown member %s", f)
	}
	return err
}
