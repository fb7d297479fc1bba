// Command stx-ha is Flock's service management daemon, StarlingX's SM:
// it runs on each of the two controllers, keeps the controller services
// (floating addresses, the database, stx-controller's API ...) active on
// exactly one, and moves them on failure or on request.
//
//	stx-ha --config /etc/flock/ha.yaml        # the daemon
//	stx-ha witness --listen ... --key-file ... # the witness, on a third machine
//
// The configuration file is YAML (see config.go's fileConfig); the
// service model is Flock's default unless model_file names another. With
// api_listen set it serves sm-api's REST API (the stx CLI's
// servicegroup-list, servicenode-list, service-list and the swact), and
// with metrics_listen Prometheus's /metrics. It exits 3 when its node
// lost survivor selection (exit_on_failed, the default), for its
// supervisor to restart it, as StarlingX reboots the node.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hahttp"
	"github.com/edgeflock/flock/ha/hanode"
	"github.com/edgeflock/flock/ha/hapeer"
	"github.com/edgeflock/flock/ha/hawitness"
	"github.com/edgeflock/flock/hostmgmt/redfishbmc"
)

// exitFailed is the exit status of a node that lost survivor selection.
const exitFailed = 3

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	code := 0
	var configPath string
	var debug bool
	root := &cobra.Command{
		Use:           "stx-ha",
		Short:         "Flock's service management daemon (StarlingX SM)",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			level := slog.LevelInfo
			if debug {
				level = slog.LevelDebug
			}
			log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			failed, err := daemon(ctx, configPath, log)
			if failed {
				code = exitFailed
			}
			return err
		},
	}
	root.Flags().StringVar(&configPath, "config", "/etc/flock/ha.yaml", "configuration file")
	root.Flags().BoolVar(&debug, "debug", false, "log at debug level")
	root.AddCommand(hawitness.Command())
	root.SetArgs(args)
	root.SetOut(stderr)
	root.SetErr(stderr)
	if err := root.ExecuteContext(context.Background()); err != nil {
		fmt.Fprintln(stderr, "stx-ha:", err)
		return 1
	}
	return code
}

// daemon runs the node described by the file at path until ctx ends or
// the node fails (failed true).
func daemon(ctx context.Context, path string, log *slog.Logger) (failed bool, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	fc, err := parseConfig(b)
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	key, err := readKey("key_file", fc.KeyFile)
	if err != nil {
		return false, err
	}
	model := ha.DefaultModel()
	if fc.ModelFile != "" {
		f, err := os.Open(fc.ModelFile)
		if err != nil {
			return false, err
		}
		model, err = ha.LoadModel(f)
		f.Close()
		if err != nil {
			return false, fmt.Errorf("%s: %w", fc.ModelFile, err)
		}
	}
	reg := prometheus.NewRegistry()
	opts := &hanode.Options{Logger: log, Registry: reg, Plugins: plugins(fc, log)}
	switch {
	case len(fc.Fence.Command) > 0:
		opts.Fencer = hanode.CommandFencer{Command: fc.Fence.Command}
	case fc.Fence.Redfish != nil:
		ro := &redfishbmc.Options{Username: fc.Fence.Redfish.Username, InsecureTLS: fc.Fence.Redfish.InsecureTLS}
		if fc.Fence.Redfish.PasswordFile != "" {
			pw, err := os.ReadFile(fc.Fence.Redfish.PasswordFile)
			if err != nil {
				return false, &ha.FieldError{Field: "fence.redfish.password_file", Reason: err.Error()}
			}
			ro.Password = strings.TrimSpace(string(pw))
		}
		bmc, err := redfishbmc.New(fc.Fence.Redfish.URL, ro)
		if err != nil {
			return false, fmt.Errorf("fence.redfish: %w", err)
		}
		defer bmc.Close()
		opts.Fencer = hanode.BMCFencer{BMC: bmc}
	}
	domain := fc.Domain
	if domain == "" && len(model.Domains) > 0 {
		domain = model.Domains[0].Name
	}
	if fc.Witness != nil {
		wkey, err := readKey("witness.key_file", fc.Witness.KeyFile)
		if err != nil {
			return false, err
		}
		w, err := hawitness.NewClient(hawitness.ClientConfig{Server: fc.Witness.Server, Key: wkey, Domain: domain, Lease: fc.Witness.Lease}, reg, nil)
		if err != nil {
			return false, fmt.Errorf("witness: %w", err)
		}
		opts.Witness = w
	}
	exitOnFailed := fc.ExitOnFailed == nil || *fc.ExitOnFailed
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	failedc := make(chan struct{})
	if exitOnFailed {
		opts.OnFailed = func() { close(failedc); cancel() }
	}
	cfg := hanode.Config{Model: model, Domain: fc.Domain, StateDir: fc.StateDir, Addresses: fc.Addresses,
		Link: hapeer.Config{Node: fc.Node, Peer: fc.Peer, Key: string(key), Paths: fc.Paths, Period: fc.Period, DeadInterval: fc.DeadInterval},
		Failover: ha.FailoverConfig{DriftMargin: fc.Failover.DriftMargin, WaitInterval: fc.Failover.WaitInterval,
			FailPendingDelay: fc.Failover.FailPendingDelay, RetryInterval: fc.Failover.RetryInterval, SwactTimeout: fc.Failover.SwactTimeout},
		FenceTimeout: fc.Fence.Timeout}
	node, err := hanode.New(cfg, opts)
	if err != nil {
		return false, err
	}
	var servers []*http.Server
	serve := func(addr string, h http.Handler) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
		servers = append(servers, srv)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("stx-ha: serve", "addr", addr, "err", err)
			}
		}()
		return nil
	}
	if fc.API != "" {
		if err := serve(fc.API, hahttp.NewHandler(node, nil)); err != nil {
			return false, fmt.Errorf("api_listen: %w", err)
		}
	}
	if fc.Metrics != "" {
		if err := serve(fc.Metrics, promhttp.HandlerFor(reg, promhttp.HandlerOpts{})); err != nil {
			return false, fmt.Errorf("metrics_listen: %w", err)
		}
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, s := range servers {
			_ = s.Shutdown(sctx)
		}
	}()
	log.Info("stx-ha: starting", "node", fc.Node, "peer", fc.Peer, "paths", len(fc.Paths),
		"fence", opts.Fencer != nil, "witness", opts.Witness != nil)
	err = node.Run(ctx)
	select {
	case <-failedc:
		return true, err
	default:
	}
	return false, err
}
