// Command stx-controller runs a Flock controller: every service in one
// process behind one REST API.
//
//	stx-controller [--config FILE] [--listen ADDR] [--data-dir DIR] [--database URL]
//
// By default it listens on 127.0.0.1:6385, keeps its SQLite database and
// admin token under ~/.local/state/flock, and stops gracefully on SIGTERM
// or SIGINT.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/edgeflock/flock/internal/http1"
	"github.com/edgeflock/flock/stx"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "stx-controller:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("stx-controller", flag.ContinueOnError)
	configFile := fs.String("config", "", "YAML config file")
	listen := fs.String("listen", "", "REST address (default "+stx.DefaultListen+")")
	dataDir := fs.String("data-dir", "", "data directory (default "+stx.DefaultDataDir()+")")
	database := fs.String("database", "", "database URL: sqlite:///path.db or postgres://... (default sqlite under the data dir)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	noAuth := fs.Bool("no-auth", false, "serve without authentication (trusted networks only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var cfg stx.Config
	if *configFile != "" {
		data, err := os.ReadFile(*configFile)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil {
			return fmt.Errorf("config %s: %w", *configFile, err)
		}
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
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cfg.Logger = log

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	sys, err := stx.Open(ctx, cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		_ = sys.Close(context.Background())
		return err
	}
	// internal/http1 rather than net/http's server: no goroutine and no
	// extra reads per request, 18% more POSTs/s (docs/benchmarks.md);
	// HTTP/1.1 only, which is all the CLI, the clients and the
	// reporters speak.
	srv := &http1.Server{Handler: sys.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second, Logger: log}
	log.Info("stx-controller serving", "addr", ln.Addr().String(), "token_file", sys.TokenFile)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		log.Info("stx-controller stopping")
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		err = srv.Shutdown(sctx)
	}
	if errors.Is(err, http1.ErrServerClosed) {
		err = nil
	}
	cctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return errors.Join(err, sys.Close(cctx))
}
