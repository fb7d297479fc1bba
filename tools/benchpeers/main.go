//go:build linux

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "load" {
		err = loadMain(ctx, os.Args[2:], os.Stdout)
	} else {
		err = runMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchpeers:", err)
		os.Exit(1)
	}
}

// config is the whole run's flags.
type config struct {
	controller   string // stx-controller binary; "" builds it
	alertmanager string // Alertmanager binary; "" looks it up
	workdir      string
	keep         bool
	alarms       int
	rounds       int
	duration     time.Duration
	clients      []int
	syncWrites   int
	fullRuns     int
	filterRuns   int
	killClients  int
	killAfter    time.Duration
}

func parseRunFlags(args []string, errOut io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("benchpeers", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintln(errOut, "usage: benchpeers [flags]       stx-controller against Alertmanager, one markdown table")
		fmt.Fprintln(errOut, "       benchpeers load [flags]  only the load generator, against a running server")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.controller, "controller", "", "stx-controller binary (default: go build ./cmd/stx-controller into the work directory)")
	fs.StringVar(&c.alertmanager, "alertmanager", "", "Alertmanager binary (default: prometheus-alertmanager or alertmanager on PATH)")
	fs.StringVar(&c.workdir, "workdir", ".", "the data directory is created under this one: put it on the disk to measure")
	fs.BoolVar(&c.keep, "keep", false, "keep the data directory and the logs")
	fs.IntVar(&c.alarms, "alarms", 100_000, "active alarms to populate before measuring")
	fs.IntVar(&c.rounds, "rounds", 3, "rounds of POST runs (each round: every client count, Flock then Alertmanager)")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "length of each POST run")
	clients := fs.String("clients", "8,64", "client counts of the POST runs, comma-separated")
	fs.IntVar(&c.syncWrites, "sync-writes", 500, "4 KiB O_DSYNC writes per sync-time measurement")
	fs.IntVar(&c.fullRuns, "full-lists", 5, "full lists timed")
	fs.IntVar(&c.filterRuns, "filtered-lists", 100, "filtered lists timed")
	fs.IntVar(&c.killClients, "kill-clients", 64, "clients posting when stx-controller is killed")
	fs.DurationVar(&c.killAfter, "kill-after", 3*time.Second, "how long they post before the SIGKILL")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.clients, err = parseCounts(*clients, 10_000); err != nil {
		return c, fmt.Errorf("-clients: %w", err)
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"alarms", c.alarms}, {"rounds", c.rounds}, {"sync-writes", c.syncWrites}, {"full-lists", c.fullRuns},
		{"filtered-lists", c.filterRuns}, {"kill-clients", c.killClients}} {
		if f.v < 1 {
			return c, fmt.Errorf("-%s: must be at least 1, not %d", f.name, f.v)
		}
	}
	if c.duration <= 0 || c.killAfter <= 0 {
		return c, errors.New("-duration and -kill-after: must be positive")
	}
	return c, nil
}

// parseCounts parses a comma-separated list of numbers from 1 to most.
func parseCounts(s string, most int) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > most {
			return nil, fmt.Errorf("%q is not a number from 1 to %d", f, most)
		}
		out = append(out, n)
	}
	return out, nil
}

// loadMain runs the load generator alone against a running server and
// prints one line.
func loadMain(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("benchpeers load", flag.ContinueOnError)
	kind := fs.String("target", "flock", "flock (POST /v1/alarms) or alertmanager (POST /api/v2/alerts)")
	base := fs.String("url", "http://127.0.0.1:6385", "the server's base URL")
	token := fs.String("token", "", "bearer token (flock; default: the admin.token file of -data-dir)")
	dataDir := fs.String("data-dir", "", "stx-controller's data directory, to read its admin.token")
	clients := fs.Int("clients", 8, "concurrent keep-alive clients")
	duration := fs.Duration("duration", 10*time.Second, "how long to post (0: post -count alarms)")
	count := fs.Int64("count", 0, "alarms to post when -duration is 0")
	prefix := fs.String("prefix", "load", "entity ids are host=PREFIX-N")
	first := fs.Int64("first", 0, "the first N")
	pids := fs.String("pids", "", "the server's process ids, comma-separated: their CPU time is left out of others=")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *clients < 1 || (*duration <= 0 && *count < 1) {
		return errors.New("-clients must be at least 1, and -duration positive or -count at least 1")
	}
	var serverPIDs []int
	if *pids != "" {
		var err error
		if serverPIDs, err = parseCounts(*pids, 1<<22); err != nil {
			return fmt.Errorf("-pids: %w", err)
		}
	}
	var t target
	switch *kind {
	case "flock":
		tok := *token
		if tok == "" && *dataDir != "" {
			var err error
			if tok, err = readToken(*dataDir); err != nil {
				return err
			}
		}
		t = flockTarget(strings.TrimRight(*base, "/"), tok)
	case "alertmanager":
		t = alertmanagerTarget(strings.TrimRight(*base, "/"))
	default:
		return fmt.Errorf("-target: %q is neither flock nor alertmanager", *kind)
	}
	r := runLoad(ctx, t, loadConfig{clients: *clients, duration: *duration, count: *count, prefix: *prefix, first: *first, pids: serverPIDs})
	fmt.Fprintf(out, "%s clients=%d requests=%d errors=%d rate=%.0f/s p50=%s p90=%s p99=%s max=%s steal=%s others=%s",
		t.name, *clients, r.requests, r.errors, r.rate(), ms(percentile(r.latency, 0.5)), ms(percentile(r.latency, 0.9)),
		ms(percentile(r.latency, 0.99)), ms(percentile(r.latency, 1)), pct(r.steal), pct(r.others))
	if r.firstErr != "" {
		fmt.Fprintf(out, " first-error=%q", r.firstErr)
	}
	fmt.Fprintln(out)
	return nil
}
