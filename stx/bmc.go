package stx

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/inventory"
)

// BMCLogin is a host's BMC user and password, from inventory.
type BMCLogin struct {
	Username string
	Password string
}

// BMCOpener opens one kind of BMC at u (a URL of its scheme) with the
// host's login. It does no I/O: the engine connects on its first call.
type BMCOpener func(u *url.URL, login BMCLogin) (hostmgmt.BMC, error)

// RedfishProber asks the Redfish service root at endpoint
// ("https://ip") for its version: how bm_type dynamic picks a protocol.
type RedfishProber func(ctx context.Context, endpoint string) (version string, err error)

//go:embed migrations/bmc/*.sql
var bmcMigrations embed.FS

// hostBMCs implements hostmgmt.BMCs over inventory's BMC fields and the
// scheme table: it opens each host's BMC once and again when its fields
// change, and learns the protocol of a dynamic one.
type hostBMCs struct {
	inv     inventory.BMCCredentialReader
	schemes map[string]BMCOpener
	probe   RedfishProber
	// insecureTLS: Redfish BMCs given by a bare bm_ip accept a
	// self-signed certificate (host_maintenance.bmc_insecure_tls).
	insecureTLS bool
	db          *sqlstore.DB
	log         *slog.Logger

	mu   sync.Mutex
	open map[string]openBMC // by host uuid
}

type openBMC struct {
	key string
	bmc hostmgmt.BMC
}

func newHostBMCs(ctx context.Context, db *sqlstore.DB, inv inventory.BMCCredentialReader, schemes map[string]BMCOpener, probe RedfishProber, log *slog.Logger) (*hostBMCs, error) {
	sub, err := fs.Sub(bmcMigrations, "migrations/bmc")
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, "bmc", sub); err != nil {
		return nil, err
	}
	return &hostBMCs{inv: inv, schemes: schemes, probe: probe, db: db, log: log, open: map[string]openBMC{}}, nil
}

// BMC implements hostmgmt.BMCs.
func (b *hostBMCs) BMC(ctx context.Context, uuid string) (hostmgmt.BMC, error) {
	cr, err := b.inv.BMCCredentials(ctx, uuid)
	if errors.Is(err, inventory.ErrNotFound) {
		b.forget(uuid)
		return nil, fmt.Errorf("%w: host %s", hostmgmt.ErrNotFound, uuid)
	}
	if err != nil {
		return nil, err
	}
	if cr.Type == "" || cr.Type == "none" || cr.Address == "" {
		b.forget(uuid)
		return nil, fmt.Errorf("%w: host %s", hostmgmt.ErrNoBMC, uuid)
	}
	// The engine is kept while inventory's fields stay the same: no URL
	// to build, no learned protocol to read again on every call.
	pw := sha256.Sum256([]byte(cr.Password))
	key := cr.Type + "\x00" + cr.Address + "\x00" + cr.Username + "\x00" + hex.EncodeToString(pw[:])
	b.mu.Lock()
	o, ok := b.open[uuid]
	b.mu.Unlock()
	if ok && o.key == key {
		return o.bmc, nil
	}
	u, err := b.locate(ctx, uuid, cr)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if o, ok := b.open[uuid]; ok {
		if o.key == key { // opened meanwhile
			return o.bmc, nil
		}
		delete(b.open, uuid)
		go closeBMC(o.bmc) // not under mu: a close may wait for a call in flight
	}
	open := b.schemes[u.Scheme]
	if open == nil {
		return nil, &hostmgmt.FieldError{Field: "bm_ip", Reason: fmt.Sprintf("no BMC engine for scheme %q in this build", u.Scheme)}
	}
	bmc, err := open(u, BMCLogin{Username: cr.Username, Password: cr.Password})
	if err != nil {
		return nil, fmt.Errorf("BMC of host %s: %w", uuid, err)
	}
	b.open[uuid] = openBMC{key: key, bmc: bmc}
	return bmc, nil
}

// locate returns the URL of the host's BMC: bm_ip itself when it is a
// URL, else a URL of bm_type's scheme, or of the protocol learned for a
// dynamic one.
func (b *hostBMCs) locate(ctx context.Context, uuid string, cr inventory.BMCCredentials) (*url.URL, error) {
	if strings.Contains(cr.Address, "://") {
		u, err := url.Parse(cr.Address)
		if err != nil {
			return nil, &hostmgmt.FieldError{Field: "bm_ip", Reason: err.Error()}
		}
		if !schemeFits(cr.Type, u.Scheme) {
			return nil, &hostmgmt.FieldError{Field: "bm_type", Reason: fmt.Sprintf("%q does not match bm_ip's scheme %q", cr.Type, u.Scheme)}
		}
		return u, nil
	}
	host := cr.Address
	if strings.Contains(host, ":") { // IPv6
		host = "[" + host + "]"
	}
	proto := cr.Type
	switch cr.Type {
	case "redfish", "ipmi":
	case "dynamic", "bmc":
		var err error
		if proto, err = b.learn(ctx, uuid, cr.Address, host); err != nil {
			return nil, err
		}
	default:
		return nil, &hostmgmt.FieldError{Field: "bm_type", Reason: fmt.Sprintf("%q is not a BMC type", cr.Type)}
	}
	u := &url.URL{Scheme: proto, Host: host}
	if proto == "redfish" && b.insecureTLS {
		u.RawQuery = "insecure=true"
	}
	return u, nil
}

// schemeFits reports whether a bm_ip URL's scheme suits bm_type: dynamic
// (and its legacy name bmc) takes any engine, redfish and ipmi their own.
func schemeFits(bmType, scheme string) bool {
	switch bmType {
	case "dynamic", "bmc":
		return true
	case "redfish":
		return scheme == "redfish" || scheme == "redfish+http"
	case "ipmi":
		return scheme == "ipmi"
	}
	return false
}

// learn returns the protocol of a dynamic BMC: the one learned before
// at this address, else what the Redfish service root says (Redfish 1.0
// or later: redfish; anything else: ipmi), remembered in the database.
// A probe that gets no answer in time learns nothing: the next call asks
// again.
func (b *hostBMCs) learn(ctx context.Context, uuid, address, host string) (string, error) {
	var addr, proto string
	err := b.db.QueryRowContext(ctx, b.db.Rebind(`SELECT address, protocol FROM stx_bmc_protocol WHERE host_uuid = ?`), uuid).Scan(&addr, &proto)
	if err == nil && addr == address {
		return proto, nil
	}
	proto = "ipmi"
	version, err := b.probe(ctx, "https://"+host)
	switch {
	case err == nil && redfishAtLeast1(version):
		proto = "redfish"
	case err == nil, errors.Is(err, syscall.ECONNREFUSED):
		// An answer that is not Redfish 1.0 or later, or no HTTPS
		// service at all: IPMI.
	case isNetError(err) || ctx.Err() != nil:
		// No answer (a BMC down or rebooting, a route missing): learn
		// nothing, ask again next time, as mtce learns only once the
		// BMC answers.
		return "", fmt.Errorf("BMC of host %s: probing for Redfish: %w", uuid, err)
	}
	b.log.Info("BMC protocol learned", "host", uuid, "address", address, "protocol", proto, "redfish_version", version, "probe_err", err)
	_, err = b.db.ExecContext(ctx, b.db.Rebind(`INSERT INTO stx_bmc_protocol (host_uuid, address, protocol, learned_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (host_uuid) DO UPDATE SET address = excluded.address, protocol = excluded.protocol, learned_at = excluded.learned_at`),
		uuid, address, proto, time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return "", fmt.Errorf("BMC of host %s: remembering its protocol: %w", uuid, err)
	}
	return proto, nil
}

// isNetError reports whether err is a failure to reach the peer (a
// timeout, an unreachable network, a reset connection, a name that does
// not resolve) rather than an answer.
func isNetError(err error) bool {
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.As(err, &de) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// redfishAtLeast1 reports whether a RedfishVersion ("1.6.0") is 1.0 or
// later, mtce's minimum.
func redfishAtLeast1(v string) bool {
	major, _, _ := strings.Cut(v, ".")
	if major == "" || strings.TrimLeft(major, "0123456789") != "" {
		return false
	}
	return strings.TrimLeft(major, "0") != ""
}

func (b *hostBMCs) forget(uuid string) {
	b.mu.Lock()
	o, ok := b.open[uuid]
	delete(b.open, uuid)
	b.mu.Unlock()
	if ok {
		go closeBMC(o.bmc) // a close may wait for a call in flight
	}
}

// close closes every open BMC, when the controller stops.
func (b *hostBMCs) close() {
	b.mu.Lock()
	open := b.open
	b.open = map[string]openBMC{}
	b.mu.Unlock()
	for _, o := range open {
		closeBMC(o.bmc)
	}
}

func closeBMC(b hostmgmt.BMC) {
	if c, ok := b.(io.Closer); ok {
		_ = c.Close()
	}
}
