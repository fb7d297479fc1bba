package stx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/heartbeat"
	"github.com/edgeflock/flock/hostmgmt/hostmgmtsql"
	"github.com/edgeflock/flock/internal/httpx"
	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorysql"
	"github.com/prometheus/client_golang/prometheus"
)

// HostMgmtConfig configures host maintenance.
type HostMgmtConfig struct {
	// Disabled turns host maintenance off: hosts keep the states
	// inventory has, and nothing heartbeats them.
	Disabled bool `yaml:"disabled"`
	// Listen is the heartbeat's UDP address per network ("mgmt",
	// "cluster-host"). Default: mgmt on 127.0.0.1 with a port of the
	// system's choosing. Agents learn the addresses from the controller
	// (GET /v1/ihosts/{id}/mtce_link), so a fixed port is not needed.
	Listen map[hostmgmt.Network]string `yaml:"listen"`
	// Advertise is the address per network agents send to, when it is
	// not the Listen address (a wildcard listen, NAT).
	Advertise map[hostmgmt.Network]string `yaml:"advertise"`
	// Heartbeat configures the heartbeat (period, thresholds, MNFA).
	Heartbeat heartbeat.Config `yaml:"heartbeat"`
	// ActiveController is the hostname of the controller this
	// stx-controller runs on (default controller-0): until service
	// management (issue 20) runs, it is the active controller for the
	// lock rules, and swact is refused.
	ActiveController string `yaml:"active_controller"`
	// BMCAuditInterval is how often every host's BMC is read (power
	// state, sensors); default 30s, negative turns the audit off.
	BMCAuditInterval time.Duration `yaml:"bmc_audit_interval"`
	// BMCInsecureTLS makes the Redfish BMCs of hosts whose bm_ip is a
	// bare address accept a certificate that does not verify (most
	// BMCs' self-signed one). Off by default; a host can opt in alone
	// with bm_ip redfish://ADDRESS?insecure=true.
	BMCInsecureTLS bool `yaml:"bmc_insecure_tls"`
}

// hostMgmt is host maintenance as stx runs it: the Manager, the
// heartbeat engine and its sockets.
type hostMgmt struct {
	m     *hostmgmtsql.Manager
	hb    *heartbeat.Controller
	conns []*net.UDPConn
	bmcs  *hostBMCs
}

// observerProxy lets the heartbeat engine be built before the Manager
// that observes it.
type observerProxy struct {
	mu sync.Mutex
	o  hostmgmt.Observer
}

func (p *observerProxy) Observe(host string, o hostmgmt.Observation) {
	p.mu.Lock()
	obs := p.o
	p.mu.Unlock()
	if obs != nil {
		obs.Observe(host, o)
	}
}

// openHostMgmt binds the heartbeat sockets and opens the Manager.
func openHostMgmt(ctx context.Context, cfg HostMgmtConfig, db *sqlstore.DB, inv *inventorysql.Manager, faults fault.Reporter, schemes map[string]BMCOpener, sm ha.API, reg prometheus.Registerer, log *slog.Logger) (*hostMgmt, error) {
	listen := cfg.Listen
	if len(listen) == 0 {
		listen = map[hostmgmt.Network]string{hostmgmt.NetworkMgmt: "127.0.0.1:0"}
	}
	hm := &hostMgmt{}
	ok := false
	defer func() {
		if !ok {
			hm.closeConns()
		}
	}()
	conns := map[hostmgmt.Network]*net.UDPConn{}
	adv := map[hostmgmt.Network]string{}
	for n, a := range listen {
		if !n.Valid() {
			return nil, fmt.Errorf("stx: host_maintenance.listen: %q is not a heartbeat network (mgmt, cluster-host)", n)
		}
		ap, err := netip.ParseAddrPort(a)
		if err != nil {
			return nil, fmt.Errorf("stx: host_maintenance.listen.%s: %q is not ip:port", n, a)
		}
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(ap))
		if err != nil {
			return nil, fmt.Errorf("stx: host_maintenance.listen.%s: %w", n, err)
		}
		hm.conns = append(hm.conns, c)
		conns[n] = c
		adv[n] = c.LocalAddr().String()
		if a := cfg.Advertise[n]; a != "" {
			if _, err := netip.ParseAddrPort(a); err != nil {
				return nil, fmt.Errorf("stx: host_maintenance.advertise.%s: %q is not ip:port", n, a)
			}
			adv[n] = a
		}
	}
	period := cfg.Heartbeat.Period
	proxy := &observerProxy{}
	hb, err := heartbeat.NewController(conns, proxy, cfg.Heartbeat, reg, log.With("part", "heartbeat"))
	if err != nil {
		return nil, fmt.Errorf("stx: host_maintenance.heartbeat: %w", err)
	}
	hm.hb = hb
	active := cfg.ActiveController
	if active == "" {
		active = "controller-0"
	}
	periodMS := 100
	if period > 0 {
		periodMS = int(period.Milliseconds())
	}
	all := BMCSchemes()
	maps.Copy(all, schemes)
	hm.bmcs, err = newHostBMCs(ctx, db, inv, all, probeRedfish, log.With("part", "bmc"))
	if err != nil {
		return nil, fmt.Errorf("stx: %w", err)
	}
	hm.bmcs.insecureTLS = cfg.BMCInsecureTLS
	hm.m, err = hostmgmtsql.New(ctx, db.DB, hostmgmtsql.Dialect(db.Dialect), hostmgmtsql.Options{
		Inventory: inv, Faults: faults, Agents: hb, Heartbeat: hb, BMCs: hm.bmcs, BMCAuditInterval: cfg.BMCAuditInterval,
		Swacter: swacter(inv, active, sm),
		Link:    hostmgmtsql.LinkOptions{Controller: adv, PeriodMS: periodMS},
		Logger:  log,
	})
	if err != nil {
		return nil, fmt.Errorf("stx: %w", err)
	}
	proxy.mu.Lock()
	proxy.o = hm.m
	proxy.mu.Unlock()
	ok = true
	return hm, nil
}

func (hm *hostMgmt) closeConns() {
	for _, c := range hm.conns {
		_ = c.Close()
	}
}

// run runs the Manager and the heartbeat engine until ctx ends.
func (hm *hostMgmt) run(ctx context.Context) error {
	errc := make(chan error, 2)
	go func() { errc <- hm.hb.Run(ctx) }()
	go func() { errc <- hm.m.Run(ctx) }()
	var errs []error
	for range 2 {
		if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (hm *hostMgmt) close() error {
	err := hm.m.Close()
	hm.bmcs.close()
	hm.closeConns()
	return err
}

// localController stands in for service management until it exists:
// the controller stx-controller runs on is the active one, there is no
// standby, and a swact is refused.
type localController struct {
	inv      inventory.HostReader
	hostname string
}

func (l *localController) Active(ctx context.Context) (string, bool, error) {
	h, err := l.inv.GetHost(ctx, l.hostname)
	if errors.Is(err, inventory.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return h.UUID, false, nil
}

func (l *localController) Swact(context.Context, string, bool) error {
	return errors.New("service management is not running: no standby controller to swact to")
}

// mtceLinkHandler serves GET /v1/ihosts/{id}/mtce_link: the host's
// heartbeat key and the controller's endpoints, for its agent.
func (s *System) mtceLinkHandler(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.hm == nil {
			hostMgmtErrors.Write(w, r, log, fmt.Errorf("%w: host maintenance is disabled", hostmgmt.ErrNotFound))
			return
		}
		lc, err := s.hm.m.LinkConfig(r.Context(), r.PathValue("id"))
		if err != nil {
			hostMgmtErrors.Write(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(lc)
	})
}

// hostMgmtErrors answers host maintenance's errors as inventory's API
// does.
var hostMgmtErrors = &httpx.Errors{
	Mappings: []httpx.Mapping{
		{Err: hostmgmt.ErrNotFound, Code: "not_found", Status: http.StatusNotFound},
		{Err: hostmgmt.ErrInvalid, Code: "invalid", Status: http.StatusBadRequest},
		{Err: hostmgmt.ErrInvalidTransition, Code: "invalid_transition", Status: http.StatusConflict},
		{Err: hostmgmt.ErrUnavailable, Code: "unavailable", Status: http.StatusServiceUnavailable},
	},
	Invalid:           hostmgmt.ErrInvalid,
	OpenStackEnvelope: true,
}
