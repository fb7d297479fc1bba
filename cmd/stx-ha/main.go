// Command stx-ha is Flock's service management daemon, StarlingX's SM:
// it runs on each of the two controllers, keeps the controller services
// (floating addresses, the database, stx-controller's API ...) active on
// exactly one, and moves them on failure or on request.
//
//	stx-ha --config /etc/flock/ha.yaml        # the daemon
//	stx-ha witness --listen ... --key-file ... # the witness, on a third machine
//
// The configuration file is YAML (hanode.FileConfig); the
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
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hahttp"
	"github.com/edgeflock/flock/ha/hanode"
	"github.com/edgeflock/flock/ha/haplugin"
	"github.com/edgeflock/flock/ha/hawitness"
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
	fc, err := hanode.ParseFile(b)
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	reg := prometheus.NewRegistry()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	failedc := make(chan struct{})
	opts := &hanode.Options{Logger: log, Registry: reg,
		Plugins: haplugin.New(&haplugin.Options{OCFRoot: fc.Plugins.OCFRoot, Systemctl: fc.Plugins.Systemctl})}
	if fc.ExitOnFailed == nil || *fc.ExitOnFailed {
		opts.OnFailed = func() { close(failedc); cancel() }
	}
	node, err := hanode.OpenConfig(fc, opts)
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
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, s := range servers {
			_ = s.Shutdown(sctx)
		}
	}()
	if fc.API != "" {
		if err := serve(fc.API, hahttp.NewHandler(node, nil)); err != nil {
			return false, &ha.FieldError{Field: "api_listen", Reason: err.Error()}
		}
	}
	if fc.Metrics != "" {
		if err := serve(fc.Metrics, promhttp.HandlerFor(reg, promhttp.HandlerOpts{})); err != nil {
			return false, &ha.FieldError{Field: "metrics_listen", Reason: err.Error()}
		}
	}
	log.Info("stx-ha: starting", "node", fc.Node, "peer", fc.Peer, "paths", len(fc.Paths),
		"fence", len(fc.Fence.Command) > 0 || fc.Fence.Redfish != nil, "witness", fc.Witness != nil)
	err = node.Run(ctx)
	select {
	case <-failedc:
		return true, err
	default:
	}
	return false, err
}
