// Command inventory-embedded is a tiny vendor program that embeds Flock's
// inventory: it records this machine as a host (its CPUs and Ethernet
// ports, as a Report an agent would send), prints the configuration
// document rendered for it, and serves sysinv's REST API so that
// `stx host-list --url http://127.0.0.1:18003 --token x` and StarlingX's
// own `system --system-url http://127.0.0.1:18003 --os-auth-token x
// host-list` show it. (The example serves without authentication: a
// product puts its own in front.)
//
//	go run ./examples/inventory-embedded -listen 127.0.0.1:18003
package main

import (
	"context"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorysql"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18003", "REST address")
	data := flag.String("data", filepath.Join(os.TempDir(), "inventory-embedded"), "data directory")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	m, err := inventorysql.Open(ctx, "sqlite://"+filepath.Join(*data, "inventory.db"), &inventorysql.Options{Logger: log})
	if err != nil {
		log.Error("inventory", "err", err)
		os.Exit(1)
	}
	defer m.Close()

	r := report()
	if r.MgmtMAC == "" {
		log.Error("no Ethernet port with a MAC address on this machine")
		os.Exit(1)
	}
	h, err := m.ReportInventory(ctx, r)
	if err != nil {
		log.Error("report", "err", err)
		os.Exit(1)
	}
	if h.Personality == "" {
		p := inventory.PersonalityController
		if h, err = m.UpdateHost(ctx, h.UUID, inventory.HostUpdate{Personality: &p}); err != nil {
			log.Error("personality", "err", err)
			os.Exit(1)
		}
	}
	doc, err := m.HostConfig(ctx, h.UUID)
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(1)
	}
	_ = yaml.NewEncoder(os.Stdout).Encode(doc)

	srv := &http.Server{Addr: *listen, Handler: inventoryhttp.NewHandler(m, &inventoryhttp.HandlerOptions{Logger: log}),
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("serving", "addr", *listen, "host", h.Hostname)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

// report is what this machine looks like, as simply as the standard
// library tells it: one NUMA node with its logical CPUs, and its
// Ethernet ports (the first one up identifies the host by its MAC). Flock's
// agent discovers far more.
func report() inventory.Report {
	name, _ := os.Hostname()
	r := inventory.Report{Hostname: name, Nodes: []inventory.Node{{NumaNode: 0}}}
	for i := range runtime.NumCPU() {
		r.CPUs = append(r.CPUs, inventory.CPU{CPU: i, Core: i})
	}
	ifs, _ := net.Interfaces()
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagLoopback != 0 || len(ifc.HardwareAddr) != 6 {
			continue
		}
		if r.MgmtMAC == "" && ifc.Flags&net.FlagUp != 0 {
			r.MgmtMAC = ifc.HardwareAddr.String()
		}
		r.Ports = append(r.Ports, inventory.Port{Name: ifc.Name, MAC: ifc.HardwareAddr.String(), MTU: ifc.MTU})
	}
	return r
}
