// Package stx is Flock's front door: Open wires the services of one
// controller in-process from a Config and returns a *System with a field
// per service and one http.Handler serving every API. The reference
// binary stx-controller is flags + YAML around Open.
//
// Services today: fault management, inventory (configuration
// management) and host maintenance with its heartbeat, over one
// database. More join as they are built.
package stx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faultsql"
	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hahttp"
	"github.com/edgeflock/flock/hostmgmt/hostmgmthttp"
	"github.com/edgeflock/flock/hostmgmt/hostmgmtsql"
	"github.com/edgeflock/flock/internal/httpx"
	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorysql"
	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/content"
	"github.com/edgeflock/flock/patching/patchinghttp"
	"github.com/edgeflock/flock/patching/patchingsql"
)

// DefaultListen is where stx-controller listens: sysinv's port, on loopback.
const DefaultListen = "127.0.0.1:6385"

// Config is a controller's configuration, as stx-controller reads it from
// YAML. The zero value is a working embedded controller.
type Config struct {
	// Listen is the REST address (default 127.0.0.1:6385); used by the binary.
	Listen string `yaml:"listen"`
	// DataDir holds the SQLite database and the admin token file (default
	// DefaultDataDir()).
	DataDir string `yaml:"data_dir"`
	// Database is a store URL: sqlite:///path.db or postgres://... (default
	// sqlite://<data_dir>/flock.db).
	Database string `yaml:"database"`
	// Auth configures token authentication (Authorization: Bearer, or X-Auth-Token as StarlingX clients send).
	Auth AuthConfig `yaml:"auth"`
	// Fault configures fault management.
	Fault FaultConfig `yaml:"fault"`
	// HostMgmt configures host maintenance.
	HostMgmt HostMgmtConfig `yaml:"host_maintenance"`
	// Server configures the HTTP server that stx-controller serves
	// Handler with (timeouts, connection cap, shutdown grace); Open only
	// checks it. See NewServer.
	Server ServerOptions `yaml:"server"`
	// Logger for every service; nil discards.
	Logger *slog.Logger `yaml:"-"`
	// BMCSchemes adds or replaces BMC engines by bm_ip URL scheme, over
	// BMCSchemes()'s table: how a build with the libvirt engine
	// (engines/libvirt/libvirtbmc, cgo) offers libvirt:// hosts.
	BMCSchemes map[string]BMCOpener `yaml:"-"`
	// SM, if set, is service management (the ha daemon embedded in this
	// process, or an hahttp.Client of stx-ha's API): its REST API
	// (hahttp.NewHandler: sm-api's /v1/services, /v1/nodes, /v1/sm_sda,
	// /v1/service_groups, /v1/servicenode and sysinv's /v1/servicenodes,
	// /v1/servicegroup) is served with the other services', behind the
	// same authentication. Nil: those paths are not served.
	SM ha.API `yaml:"-"`
	// HAConfig is the file of service management to run in this process
	// (hanode.FileConfig, as stx-ha reads it): stx-controller builds the
	// node from it and passes it as SM. Open ignores it.
	HAConfig string `yaml:"ha_config"`
	// Software, if set, is software management (a patchingsql.Manager,
	// or a patchinghttp.Client of another controller's API): its REST
	// API (patchinghttp.NewHandler: USM's /v1/release, /v1/upload,
	// /v1/deploy, /v1/deploy_host and the hosts' link under
	// /v1/deploy_host/{host}) is served with the other services',
	// behind the same authentication. Nil: those paths are not served.
	Software patching.Service `yaml:"-"`
	// SoftwareManagement runs software management in the controller
	// (patchingsql.Manager on this database) when its keys_dir is set
	// and Software is nil; the release files are then served to the
	// hosts' agents at /v1/content/{digest}.
	SoftwareManagement SoftwareConfig `yaml:"software"`
}

// SoftwareConfig configures software management in the controller.
type SoftwareConfig struct {
	// KeysDir holds the keys releases must be signed with (*.pub, as
	// `stx software keygen` writes them); setting it turns software
	// management on.
	KeysDir string `yaml:"keys_dir"`
	// ContentDir keeps the release files (default <data_dir>/software).
	ContentDir string `yaml:"content_dir"`
	// MaxUpload bounds a release file in bytes (default 4 GiB).
	MaxUpload int64 `yaml:"max_upload"`
}

// AuthConfig configures the REST API's tokens.
type AuthConfig struct {
	// Disabled turns authentication off (trusted networks and tests only).
	Disabled bool `yaml:"disabled"`
	// TokenFile holds the admin token; it is created (mode 0600) with a
	// random token if missing. Default <data_dir>/admin.token. An
	// existing file must be private to its owner (chmod 600) and hold a
	// token of at least MinTokenBytes bytes.
	TokenFile string `yaml:"token_file"`
	// Tokens are further tokens with their roles (admin or reader), each
	// at least MinTokenBytes long.
	Tokens []Token `yaml:"tokens"`
}

// MinTokenBytes is the shortest token Open accepts.
const MinTokenBytes = 32

// Role is what a token may do.
type Role string

// Roles.
const (
	// RoleAdmin may read and write.
	RoleAdmin Role = "admin"
	// RoleReader may only read (GET and HEAD).
	RoleReader Role = "reader"
)

// Token is one token and its role.
type Token struct {
	Token string `yaml:"token"`
	Role  Role   `yaml:"role"`
}

// FaultConfig configures the fault service.
type FaultConfig struct {
	// EventLogSize is how many event log records are kept (default 4000).
	EventLogSize int `yaml:"event_log_size"`
	// NoCatalogCheck accepts alarm ids the catalog does not define.
	NoCatalogCheck bool `yaml:"no_catalog_check"`
	// CommitTimeout bounds each database commit (default 10s): past it,
	// the writes waiting for the commit fail with 503.
	CommitTimeout time.Duration `yaml:"commit_timeout"`
	// Notifiers forward alarms outside (SNMP traps, webhooks).
	Notifiers NotifierConfig `yaml:"notifiers"`
}

// DefaultDataDir is $FLOCK_DATA_DIR, else $XDG_STATE_HOME/flock, else
// ~/.local/state/flock. The CLI looks for the admin token there too.
func DefaultDataDir() string {
	if d := os.Getenv("FLOCK_DATA_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "flock")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "flock-data"
	}
	return filepath.Join(home, ".local", "state", "flock")
}

// System is one controller's services.
type System struct {
	// Fault is the fault management service.
	Fault *fault.Manager
	// Inventory is the configuration management service (sysinv's
	// API); it raises and clears its alarms (250.001) through Fault.
	Inventory *inventorysql.Manager
	// HostMgmt is host maintenance (StarlingX's mtce): the hosts' admin,
	// operational and availability states, lock/unlock and the other
	// admin actions, heartbeat and recovery. Nil when disabled.
	HostMgmt *hostmgmtsql.Manager
	// Software is software management when the controller runs it
	// (Config.SoftwareManagement); nil otherwise.
	Software *patchingsql.Manager
	// Registry holds every service's metrics (served at /metrics).
	Registry *prometheus.Registry
	// AdminToken is the token in the admin token file ("" if auth is off).
	AdminToken string
	// TokenFile is where AdminToken is kept.
	TokenFile string

	db      *sqlstore.DB
	agents  *agentTokens
	hm      *hostMgmt
	handler http.Handler
	closers []func() error // notifiers with sockets
}

// Open opens the database, the services and the HTTP API of cfg.
func Open(ctx context.Context, cfg Config) (*System, error) {
	if cfg.Fault.CommitTimeout < 0 {
		return nil, fmt.Errorf("stx: fault.commit_timeout must not be negative")
	}
	if cfg.DataDir == "" {
		cfg.DataDir = DefaultDataDir()
	}
	if cfg.Database == "" {
		cfg.Database = "sqlite://" + filepath.Join(cfg.DataDir, "flock.db")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Check the whole config before touching anything.
	tokens := map[string]httpx.Role{}
	for i, t := range cfg.Auth.Tokens {
		if t.Token == "" || (t.Role != RoleAdmin && t.Role != RoleReader) {
			return nil, fmt.Errorf("stx: auth.tokens[%d]: need a token and role admin or reader", i)
		}
		if len(t.Token) < MinTokenBytes {
			return nil, fmt.Errorf("stx: auth.tokens[%d].token: %d bytes, need at least %d (openssl rand -hex 32 makes one)", i, len(t.Token), MinTokenBytes)
		}
		tokens[t.Token] = httpx.Role(t.Role)
	}
	if err := cfg.Server.Validate(); err != nil {
		return nil, err
	}
	notifiers, err := cfg.Fault.Notifiers.build()
	if err != nil {
		return nil, err
	}
	if err := mkdirPrivate(cfg.DataDir); err != nil {
		return nil, fmt.Errorf("stx: data dir: %w", err)
	}
	s := &System{Registry: prometheus.NewRegistry()}
	s.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	// What is opened is closed again if a later step fails.
	var closers []func() error
	defer func() {
		if s.handler == nil {
			for i := len(closers) - 1; i >= 0; i-- {
				_ = closers[i]()
			}
		}
	}()
	for _, n := range notifiers {
		if c, ok := n.(io.Closer); ok {
			closers = append(closers, c.Close)
			s.closers = append(s.closers, c.Close)
		}
	}
	if cfg.Auth.Disabled {
		tokens = map[string]httpx.Role{}
	} else {
		s.TokenFile = cfg.Auth.TokenFile
		if s.TokenFile == "" {
			s.TokenFile = filepath.Join(cfg.DataDir, "admin.token")
		}
		if s.AdminToken, err = EnsureTokenFile(s.TokenFile); err != nil {
			return nil, err
		}
		tokens[s.AdminToken] = httpx.RoleAdmin
	}

	db, err := sqlstore.Open(ctx, cfg.Database)
	if err != nil {
		return nil, fmt.Errorf("stx: %w", err)
	}
	s.db = db
	closers = append(closers, db.Close)
	sqlStore, err := faultsql.New(ctx, db.DB, faultsql.Dialect(db.Dialect))
	if err != nil {
		return nil, fmt.Errorf("stx: %w", err)
	}
	s.Fault, err = fault.Open(ctx, sqlStore, &fault.Options{
		EventLogSize: cfg.Fault.EventLogSize, NoCatalogCheck: cfg.Fault.NoCatalogCheck,
		CommitTimeout: cfg.Fault.CommitTimeout, SuppressionNotifyDelay: cfg.Fault.Notifiers.SuppressionNotifyDelay,
		Notifiers: notifiers, Logger: log.With("service", "fault"), Registerer: s.Registry,
	})
	if err != nil {
		sqlStore.Close()
		return nil, fmt.Errorf("stx: %w", err)
	}

	s.Inventory, err = inventorysql.New(ctx, db.DB, inventorysql.Dialect(db.Dialect), &inventorysql.Options{
		Reporter: s.Fault, Logger: log.With("service", "inventory"),
	})
	if err != nil {
		_ = s.Fault.Close(ctx)
		return nil, fmt.Errorf("stx: %w", err)
	}
	// Alarms a crash kept from being published after their commit.
	if err := s.Inventory.ReconcileAlarms(ctx); err != nil {
		_ = s.Inventory.Close()
		_ = s.Fault.Close(ctx)
		return nil, fmt.Errorf("stx: %w", err)
	}
	if s.agents, err = openAgentTokens(ctx, db, s.Inventory, log.With("service", "agent-tokens")); err != nil {
		_ = s.Inventory.Close()
		_ = s.Fault.Close(ctx)
		return nil, fmt.Errorf("stx: %w", err)
	}
	if !cfg.HostMgmt.Disabled {
		if s.hm, err = openHostMgmt(ctx, cfg.HostMgmt, db, s.Inventory, s.Fault, cfg.BMCSchemes, cfg.SM, s.Registry, log.With("service", "hostmgmt")); err != nil {
			_ = s.Inventory.Close()
			_ = s.Fault.Close(ctx)
			return nil, err
		}
		s.HostMgmt = s.hm.m
		closers = append(closers, s.hm.close)
	}
	var swContent *content.Store
	if cfg.Software == nil && cfg.SoftwareManagement.KeysDir != "" {
		var sw *patchingsql.Manager
		if sw, swContent, err = s.openSoftware(ctx, cfg, db, log.With("service", "software")); err != nil {
			_ = s.Inventory.Close()
			_ = s.Fault.Close(ctx)
			return nil, err
		}
		s.Software, cfg.Software = sw, sw
	}
	openAPI, err := mergeOpenAPI(faulthttp.OpenAPI(), inventoryhttp.OpenAPI(), hostmgmthttp.OpenAPI(), []byte(agentOpenAPI), []byte(mtceLinkOpenAPI))
	if err != nil {
		_ = s.Inventory.Close()
		_ = s.Fault.Close(ctx)
		return nil, fmt.Errorf("stx: %w", err)
	}

	auth := httpx.NewAuth(tokens)
	auth.Disabled = cfg.Auth.Disabled
	// Per-host agent tokens, kept hashed in the database: each may call
	// its own host's agent endpoints only (RoleAgent).
	auth.Lookup, auth.Authorize = s.agents.lookup, s.agents.authorize
	faultAPI := faulthttp.NewHandler(s.Fault, &faulthttp.HandlerOptions{Logger: log.With("service", "fault")})
	inventoryAPI := inventoryhttp.NewHandler(s.Inventory, &inventoryhttp.HandlerOptions{Logger: log.With("service", "inventory")})
	// Healthy while the database answers and takes the services' commits.
	healthz := httpx.Healthz(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			return fmt.Errorf("database: %w", err)
		}
		return s.Fault.Health()
	})
	// Each service's paths go to its handler; what no service serves
	// gets inventory's 404 (sysinv's API is most of /v1).
	apis := http.NewServeMux()
	for _, p := range []string{"/v1/alarms", "/v1/alarms/", "/v1/event_log", "/v1/event_log/", "/v1/event_suppression", "/v1/event_suppression/"} {
		apis.Handle(p, faultAPI)
	}
	if s.HostMgmt != nil {
		// Host actions ride on inventory's PATCH /v1/ihosts/{id}, as in
		// StarlingX: host maintenance's handler takes the /action op and
		// hands the rest to inventory.
		apis.Handle("/", hostmgmthttp.NewHandler(s.HostMgmt, inventoryAPI, &hostmgmthttp.HandlerOptions{Logger: log.With("service", "hostmgmt")}))
	} else {
		apis.Handle("/", inventoryAPI)
	}
	if cfg.SM != nil {
		smAPI := hahttp.NewHandler(cfg.SM, &hahttp.HandlerOptions{Logger: log.With("service", "sm")})
		for _, p := range hahttp.Paths() {
			apis.Handle(p, smAPI)
			apis.Handle(p+"/", smAPI)
		}
	}
	if cfg.Software != nil {
		swAPI := patchinghttp.NewHandler(cfg.Software, &patchinghttp.HandlerOptions{Logger: log.With("service", "software")})
		for _, p := range patchinghttp.Paths() {
			apis.Handle(p, swAPI)
			apis.Handle(p+"/", swAPI)
		}
		// The legacy sw-patch API, under /patching/ (its own port in
		// StarlingX; its paths would clash with USM's on one port).
		if l, ok := cfg.Software.(patching.Legacy); ok {
			apis.Handle(patchinghttp.LegacyPrefix+"/", patchinghttp.NewLegacyHandler(cfg.Software, l, &patchinghttp.HandlerOptions{Logger: log.With("service", "sw-patch")}))
		}
	}
	if swContent != nil {
		apis.Handle("/v1/content/", http.StripPrefix("/v1/content", swContent.Handler()))
	}
	apis.Handle("POST /v1/ihosts/{id}/agent_token", s.agentTokenHandler(agentTokenErrors, log.With("service", "agent-tokens")))
	apis.Handle("GET /v1/ihosts/{id}/mtce_link", s.mtceLinkHandler(log.With("service", "hostmgmt")))
	metrics := httpx.Metrics(s.Registry)
	// The auth middleware's errors (401, 403) use the common envelope,
	// with OpenStack's member for StarlingX's clients, and need no
	// service's sentinels.
	api := auth.Middleware(&httpx.Errors{OpenStackEnvelope: true}, apis)
	mux := http.NewServeMux()
	mux.Handle("/healthz", healthz)
	mux.Handle("/metrics", metrics)
	mux.HandleFunc("GET /v1/openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
	mux.Handle("/", api) // behind auth; unknown paths get the service's 404
	s.handler = httpx.WithRequestID(mux)
	return s, nil
}

// Handler serves every API: /v1/... (authenticated), /healthz, /metrics
// and /v1/openapi.json (open; one document for every service).
func (s *System) Handler() http.Handler { return s.handler }

// Run runs the services' background work (fault notifications, host
// maintenance and its heartbeat) until ctx ends. stx-controller runs it
// beside its HTTP server and cancels it before Close.
func (s *System) Run(ctx context.Context) error {
	if s.hm == nil {
		return s.Fault.Run(ctx)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.hm.run(ctx) }()
	err := s.Fault.Run(ctx)
	return errors.Join(err, <-errc)
}

// Close closes the services and the database.
func (s *System) Close(ctx context.Context) error {
	// Inventory first: it reports to Fault. Fault delivers queued
	// notifications as it closes.
	var errs []error
	if s.hm != nil {
		errs = append(errs, s.hm.close())
	}
	errs = append(errs, s.Inventory.Close(), s.Fault.Close(ctx))
	for _, c := range s.closers {
		errs = append(errs, c())
	}
	return errors.Join(append(errs, s.db.Close())...)
}

// EnsureTokenFile returns the token in path, creating the file (mode 0600,
// in a directory created 0700) with a fresh random token if it does not
// exist. An existing file is refused if its group or others have any
// access to it, or if its token is shorter than MinTokenBytes.
func EnsureTokenFile(path string) (string, error) {
	tok, err := readTokenFile(path)
	if !errors.Is(err, os.ErrNotExist) {
		return tok, err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok = hex.EncodeToString(b[:])
	if err := mkdirPrivate(filepath.Dir(path)); err != nil {
		return "", fmt.Errorf("stx: token file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("stx: token file: %w", err)
	}
	// The umask may have taken bits from 0600 (an owner who cannot read
	// the token back); set the mode itself.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return "", fmt.Errorf("stx: token file: %w", err)
	}
	if _, err := f.WriteString(tok + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("stx: token file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", err
	}
	return tok, f.Close()
}

// readTokenFile reads an existing token file; its error wraps
// os.ErrNotExist if there is none.
func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		return "", fmt.Errorf("stx: token file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("stx: token file: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("stx: token file %s is open to group or others (mode %04o): run chmod 600 %s", path, perm, path)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return "", fmt.Errorf("stx: token file: %w", err)
	}
	tok := strings.TrimSpace(string(data))
	if tok == "" {
		return "", fmt.Errorf("stx: token file %s is empty", path)
	}
	if len(tok) < MinTokenBytes {
		return "", fmt.Errorf("stx: token file %s: token is %d bytes, need at least %d (delete the file and a new one is made at start)", path, len(tok), MinTokenBytes)
	}
	return tok, nil
}

// mkdirPrivate creates dir and its missing parents with mode 0700 whatever
// the umask. An existing directory is left as it is.
func mkdirPrivate(dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !errors.Is(err, os.ErrNotExist) {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, d := range missing {
		if err := os.Chmod(d, 0o700); err != nil {
			return err
		}
	}
	return nil
}
