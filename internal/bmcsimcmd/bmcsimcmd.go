// Package bmcsimcmd is the command line of stx-bmcsim (cmd/stx-bmcsim,
// and engines/libvirt/cmd/stx-bmcsim-libvirt with libvirt domains), Flock's
// Redfish BMC emulator (package hostmgmt/bmcsim): one Redfish service
// whose systems are virtual hosts, for labs and tests that need BMCs
// without hardware. See cmd/stx-bmcsim for the flags.
package bmcsimcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/bmcsim"
	"github.com/edgeflock/flock/hostmgmt/qemubmc"
)

// Backend opens a system's backend from its --system NAME=BACKEND URL.
type Backend func(u *url.URL) (hostmgmt.BMC, error)

// systemsFlag collects repeated --system flags.
type systemsFlag []string

func (s *systemsFlag) String() string     { return strings.Join(*s, ",") }
func (s *systemsFlag) Set(v string) error { *s = append(*s, v); return nil }

// config is the parsed command line.
type config struct {
	listen, mockup, user, pass string
	systems                    []string
	sessionTimeout             time.Duration
	tlsCert, tlsKey            string
	level                      slog.Level
}

func parse(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("stx-bmcsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	var systems systemsFlag
	var passFile, level string
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8000", "address to listen on")
	fs.StringVar(&c.mockup, "mockup", "", "Redfish mockup directory (default: the embedded DMTF public-rackmount1)")
	fs.StringVar(&c.user, "username", "admin", "the account's user name")
	fs.StringVar(&c.pass, "password", "", "the account's password")
	fs.StringVar(&passFile, "password-file", "", "file whose first line is the account's password")
	fs.Var(&systems, "system", "a system, NAME[=BACKEND]; repeatable (default one system \"1\"); BACKEND: memory: or qemu+unix:///path/to/qmp.sock")
	fs.DurationVar(&c.sessionTimeout, "session-timeout", 30*time.Minute, "end sessions unused this long")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "TLS certificate file (with --tls-key: serve HTTPS)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "TLS key file")
	fs.StringVar(&level, "log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := c.level.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	switch {
	case c.pass != "" && passFile != "":
		return nil, errors.New("--password and --password-file: give one")
	case passFile != "":
		data, err := os.ReadFile(passFile)
		if err != nil {
			return nil, fmt.Errorf("--password-file: %w", err)
		}
		line, _, _ := strings.Cut(string(data), "\n")
		c.pass = strings.TrimRight(line, "\r")
		if c.pass == "" {
			return nil, fmt.Errorf("--password-file %s: empty first line", passFile)
		}
	case c.pass == "":
		return nil, errors.New("--password or --password-file is required")
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	c.systems = systems
	if len(c.systems) == 0 {
		c.systems = []string{"1"}
	}
	return c, nil
}

// openBackend opens a system's backend from its --system BACKEND: the
// one table of backend schemes, with extra's rows first. Empty is memory.
func openBackend(spec string, extra map[string]Backend) (hostmgmt.BMC, error) {
	if spec == "" {
		spec = "memory:"
	}
	u, err := url.Parse(spec)
	if err != nil {
		return nil, err
	}
	if open := extra[u.Scheme]; open != nil {
		return open(u)
	}
	switch u.Scheme {
	case "memory":
		q := u.Query()
		off := q.Get("off")
		if off != "" && off != "0" && off != "1" && off != "true" && off != "false" {
			return nil, fmt.Errorf("memory backend: off=%q: want true or false", off)
		}
		return bmcsim.NewMemoryHost(&bmcsim.MemoryOptions{Off: off == "1" || off == "true"}), nil
	case "qemu+unix":
		if u.Host != "" || u.Path == "" || u.RawQuery != "" {
			return nil, fmt.Errorf("backend %q: want qemu+unix:///path/to/qmp.sock", spec)
		}
		return qemubmc.New(u.Path, nil)
	}
	return nil, fmt.Errorf("backend %q: unknown scheme %q (memory:, qemu+unix:///path/to/qmp.sock%s)", spec, u.Scheme, extraNames(extra))
}

func extraNames(extra map[string]Backend) string {
	var names []string
	for k := range extra {
		names = append(names, k+":")
	}
	slices.Sort(names)
	if len(names) == 0 {
		return ""
	}
	return ", " + strings.Join(names, ", ")
}

// Run runs stx-bmcsim with args (without the program name) until
// SIGTERM or SIGINT; extra adds backend schemes to memory and qemu+unix
// (a build with the cgo libvirt engine adds libvirt).
func Run(args []string, stderr io.Writer, extra map[string]Backend) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: c.level}))
	opts := &bmcsim.Options{Username: c.user, Password: c.pass, SessionTimeout: c.sessionTimeout, Logger: log}
	if c.mockup != "" {
		if _, err := os.Stat(c.mockup); err != nil {
			return fmt.Errorf("--mockup: %w", err)
		}
		opts.Mockup = os.DirFS(c.mockup)
	}
	srv, err := bmcsim.New(opts)
	if err != nil {
		return err
	}
	for _, spec := range c.systems {
		name, backend, _ := strings.Cut(spec, "=")
		b, err := openBackend(backend, extra)
		if err != nil {
			return fmt.Errorf("--system %s: %w", spec, err)
		}
		if err := srv.AddSystem(name, b); err != nil {
			return fmt.Errorf("--system %s: %w", spec, err)
		}
	}
	l, err := net.Listen("tcp", c.listen)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	scheme := "http"
	if c.tlsCert != "" {
		scheme = "https"
	}
	log.Info("stx-bmcsim: serving", "url", scheme+"://"+l.Addr().String()+"/redfish/v1/", "systems", c.systems)
	done := make(chan error, 1)
	go func() {
		if c.tlsCert != "" {
			done <- hs.ServeTLS(l, c.tlsCert, c.tlsKey)
		} else {
			done <- hs.Serve(l)
		}
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	log.Info("stx-bmcsim: stopping")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
