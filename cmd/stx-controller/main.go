// Command stx-controller runs a Flock controller: every service in one
// process behind one REST API.
//
//	stx-controller [--config FILE] [--listen ADDR] [--data-dir DIR] [--database URL]
//	               [--read-header-timeout D] [--read-timeout D] [--write-timeout D]
//	               [--idle-timeout D] [--max-header-bytes N] [--max-conns N] [--shutdown-grace D]
//
// By default it listens on 127.0.0.1:6385 and keeps its SQLite database and
// admin token under ~/.local/state/flock. It serves with net/http's server
// through stx.NewServer: header, read, write and idle timeouts, 64 KiB of
// headers at most, and at most 4096 connections (past that a new one
// closes the one stuck longest). On SIGTERM or SIGINT it stops accepting,
// waits up to the shutdown grace (15s) for requests in progress, cuts the
// connections still open, logs how many, and exits 0.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/ha/hanode"
	"github.com/edgeflock/flock/stx"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "stx-controller:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	cfg, level, err := config(args)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cfg.Logger = log

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// Service management, embedded: built first (Open mounts its API and
	// gives host maintenance its swacts), its alarms delivered once
	// fault management is open.
	var node *hanode.Node
	var late lateReporter
	var alarms *fault.AsyncReporter
	// haStop ends the controller when service management stops on its
	// own (an error) or this controller lost survivor selection (with
	// exit_on_failed, the default): it then exits non-zero for its
	// supervisor to restart it, as StarlingX reboots the node.
	haStop := make(chan error, 2)
	if cfg.HAConfig != "" {
		if alarms, err = fault.NewAsyncReporter(&late, &fault.AsyncOptions{Logger: log.With("service", "sm")}); err != nil {
			return err
		}
		onFailed := func() { haStop <- errors.New("service management: this controller lost survivor selection") }
		if node, err = openHA(cfg.HAConfig, cfg.DataDir, alarms, onFailed, log.With("service", "sm")); err != nil {
			return err
		}
		cfg.SM = node
	}
	sys, err := stx.Open(ctx, cfg)
	if err != nil {
		return err
	}
	late.set(sys.Fault)
	srvOpts := cfg.Server
	srvOpts.Logger, srvOpts.Registerer = log, sys.Registry
	srv, err := stx.NewServer(sys.Handler(), &srvOpts)
	if err != nil {
		_ = sys.Close(context.Background())
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		_ = sys.Close(context.Background())
		return err
	}
	log.Info("stx-controller serving", "addr", ln.Addr().String(), "token_file", sys.TokenFile)
	// The services' background work (notification delivery) runs until
	// the server has stopped; Close then delivers what is left.
	runCtx, stopRun := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- sys.Run(runCtx) }()
	haDone := make(chan error, 2)
	if node != nil {
		go func() {
			err := node.Run(runCtx)
			if err != nil {
				haStop <- fmt.Errorf("service management stopped: %w", err)
			}
			haDone <- nil
		}()
		go func() { haDone <- alarms.Run(runCtx) }()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var haErr error
	select {
	case err = <-errc:
	case haErr = <-haStop:
		log.Error("stx-controller stopping", "err", haErr)
		err = srv.Shutdown(context.Background())
		if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
	case <-ctx.Done():
		log.Info("stx-controller stopping")
		// Shutdown waits for requests in progress up to the grace period,
		// then cuts what is still open and logs how many.
		err = srv.Shutdown(context.Background())
		if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	err = errors.Join(haErr, err)
	stopRun()
	err = errors.Join(err, <-runDone)
	if node != nil {
		err = errors.Join(err, <-haDone, <-haDone)
	}
	cctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return errors.Join(err, sys.Close(cctx))
}

// config reads the config file and the flags (which win) into a Config.
func config(args []string) (stx.Config, slog.Level, error) {
	var cfg stx.Config
	var level slog.Level
	fs := flag.NewFlagSet("stx-controller", flag.ContinueOnError)
	configFile := fs.String("config", "", "YAML config file")
	listen := fs.String("listen", "", "REST address (default "+stx.DefaultListen+")")
	dataDir := fs.String("data-dir", "", "data directory (default "+stx.DefaultDataDir()+")")
	database := fs.String("database", "", "database URL: sqlite:///path.db or postgres://... (default sqlite under the data dir)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	noAuth := fs.Bool("no-auth", false, "serve without authentication (trusted networks only)")
	haConfig := fs.String("ha-config", "", "service management's file (as stx-ha's) to run it in this process")
	softwareKeys := fs.String("software-keys", "", "directory of the keys releases must be signed with (*.pub): runs software management")
	// The server's flags override the config file's server block only
	// when given (see the fs.Visit below).
	var srvFlags stx.ServerOptions
	fs.DurationVar(&srvFlags.ReadHeaderTimeout, "read-header-timeout", stx.DefaultReadHeaderTimeout, "time to read a request's headers")
	fs.DurationVar(&srvFlags.ReadTimeout, "read-timeout", stx.DefaultReadTimeout, "time to read a whole request, body included")
	fs.DurationVar(&srvFlags.WriteTimeout, "write-timeout", stx.DefaultWriteTimeout, "time from a request's headers to the end of its response")
	fs.DurationVar(&srvFlags.IdleTimeout, "idle-timeout", stx.DefaultIdleTimeout, "time a keep-alive connection may stay idle")
	fs.IntVar(&srvFlags.MaxHeaderBytes, "max-header-bytes", stx.DefaultMaxHeaderBytes, "largest request headers")
	fs.IntVar(&srvFlags.MaxConns, "max-conns", stx.DefaultMaxConns, "most open client connections; a new one past it closes the one stuck longest")
	fs.DurationVar(&srvFlags.ShutdownGrace, "shutdown-grace", stx.DefaultShutdownGrace, "on SIGTERM, time given to requests in progress before their connections are cut")
	if err := fs.Parse(args); err != nil {
		return cfg, level, err
	}
	if *configFile != "" {
		data, err := os.ReadFile(*configFile)
		if err != nil {
			return cfg, level, err
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil {
			return cfg, level, fmt.Errorf("config %s: %w", *configFile, err)
		}
	}
	if *haConfig != "" {
		cfg.HAConfig = *haConfig
	}
	if *softwareKeys != "" {
		cfg.SoftwareManagement.KeysDir = *softwareKeys
	}
	if *listen != "" {
		cfg.Listen = *listen
	}
	if cfg.Listen == "" {
		cfg.Listen = stx.DefaultListen
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	if *database != "" {
		cfg.Database = *database
	}
	if *noAuth {
		cfg.Auth.Disabled = true
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "read-header-timeout":
			cfg.Server.ReadHeaderTimeout = srvFlags.ReadHeaderTimeout
		case "read-timeout":
			cfg.Server.ReadTimeout = srvFlags.ReadTimeout
		case "write-timeout":
			cfg.Server.WriteTimeout = srvFlags.WriteTimeout
		case "idle-timeout":
			cfg.Server.IdleTimeout = srvFlags.IdleTimeout
		case "max-header-bytes":
			cfg.Server.MaxHeaderBytes = srvFlags.MaxHeaderBytes
		case "max-conns":
			cfg.Server.MaxConns = srvFlags.MaxConns
		case "shutdown-grace":
			cfg.Server.ShutdownGrace = srvFlags.ShutdownGrace
		}
	})
	if err := cfg.Server.Validate(); err != nil {
		return cfg, level, err
	}
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return cfg, level, fmt.Errorf("--log-level: %w", err)
	}
	return cfg, level, nil
}
