package hawitness

import (
	"bytes"
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
	"gopkg.in/yaml.v3"
)

// FileConfig is the witness command's configuration file (YAML):
//
//	listen: 0.0.0.0:7001
//	key_file: /etc/flock/witness.key
//	state_dir: /var/lib/flock/witness
//	max_lease: 30s
//	metrics_listen: 127.0.0.1:9107
//	domains:
//	  - name: controller
//	    nodes: [controller-0, controller-1]
type FileConfig struct {
	Listen        string        `yaml:"listen"`
	KeyFile       string        `yaml:"key_file"`
	StateDir      string        `yaml:"state_dir"`
	MaxLease      time.Duration `yaml:"max_lease"`
	MetricsListen string        `yaml:"metrics_listen"`
	Domains       []Domain      `yaml:"domains"`
}

// maxConfigSize bounds what LoadConfig reads.
const maxConfigSize = 1 << 20

// LoadConfig parses a FileConfig strictly: unknown or repeated fields,
// anchors and aliases, wrong types and bad durations are a
// *ha.FieldError naming the field ("domains[0].nodes[1]"). It checks
// the syntax only; Config.Validate checks the values.
func LoadConfig(r io.Reader) (FileConfig, error) {
	var fc FileConfig
	b, err := io.ReadAll(io.LimitReader(r, maxConfigSize+1))
	if err != nil {
		return fc, fmt.Errorf("hawitness: reading config: %w", err)
	}
	if len(b) > maxConfigSize {
		return fc, bad("config", "longer than %d bytes", maxConfigSize)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return fc, nil // empty: all from flags
		}
		return fc, bad("config", "%v", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fc, bad("config", "more than one YAML document")
	}
	n := &doc
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return fc, nil
	}
	err = walkMap(n, "config", func(key string, v *yaml.Node) error {
		switch key {
		case "listen":
			return scalar(v, key, &fc.Listen)
		case "key_file":
			return scalar(v, key, &fc.KeyFile)
		case "state_dir":
			return scalar(v, key, &fc.StateDir)
		case "metrics_listen":
			return scalar(v, key, &fc.MetricsListen)
		case "max_lease":
			var s string
			if err := scalar(v, key, &s); err != nil {
				return err
			}
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				return bad(key, "%q is not a positive duration such as 30s (line %d)", s, v.Line)
			}
			fc.MaxLease = d
			return nil
		case "domains":
			return walkSeq(v, key, func(i int, field string, e *yaml.Node) error {
				var d Domain
				err := walkMap(e, field, func(k string, v *yaml.Node) error {
					f := field + "." + k
					switch k {
					case "name":
						return scalar(v, f, &d.Name)
					case "nodes":
						return walkSeq(v, f, func(_ int, nf string, e *yaml.Node) error {
							var s string
							if err := scalar(e, nf, &s); err != nil {
								return err
							}
							d.Nodes = append(d.Nodes, s)
							return nil
						})
					}
					return bad(f, "unknown field (line %d)", v.Line)
				})
				fc.Domains = append(fc.Domains, d)
				return err
			})
		}
		return bad(key, "unknown field (line %d)", v.Line)
	})
	if err != nil {
		return FileConfig{}, err
	}
	return fc, nil
}

func walkMap(n *yaml.Node, field string, f func(key string, v *yaml.Node) error) error {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return bad(field, "anchors and aliases are not allowed (line %d)", n.Line)
	}
	if n.Kind != yaml.MappingNode {
		return bad(field, "not a mapping (line %d)", n.Line)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
			return bad(field, "a key is not a string (line %d)", k.Line)
		}
		if seen[k.Value] {
			return bad(join(field, k.Value), "repeated (line %d)", k.Line)
		}
		seen[k.Value] = true
		if v.Kind == yaml.AliasNode || v.Anchor != "" {
			return bad(join(field, k.Value), "anchors and aliases are not allowed (line %d)", v.Line)
		}
		if err := f(k.Value, v); err != nil {
			return err
		}
	}
	return nil
}

func join(field, key string) string {
	if field == "config" {
		return key
	}
	return field + "." + key
}

func walkSeq(n *yaml.Node, field string, f func(i int, field string, e *yaml.Node) error) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return bad(field, "not a list (line %d)", n.Line)
	}
	for i, e := range n.Content {
		ef := fmt.Sprintf("%s[%d]", field, i)
		if e.Kind == yaml.AliasNode || e.Anchor != "" {
			return bad(ef, "anchors and aliases are not allowed (line %d)", e.Line)
		}
		if err := f(i, ef, e); err != nil {
			return err
		}
	}
	return nil
}

func scalar(n *yaml.Node, field string, dst *string) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return bad(field, "not a string (line %d)", n.Line)
	}
	*dst = n.Value
	return nil
}

// Config returns the server Config fc describes, its key read from
// KeyFile (trailing white space trimmed).
func (fc FileConfig) Config() (Config, error) {
	if fc.KeyFile == "" {
		return Config{}, bad("key_file", "empty")
	}
	key, err := os.ReadFile(fc.KeyFile)
	if err != nil {
		return Config{}, bad("key_file", "%v", err)
	}
	cfg := Config{Listen: fc.Listen, Key: bytes.TrimRight(key, " \t\r\n"), StateDir: fc.StateDir, MaxLease: fc.MaxLease, Domains: fc.Domains}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// parseDomainFlag parses --domain's "name=node,node" (or "name").
func parseDomainFlag(s string) (Domain, error) {
	name, nodes, _ := strings.Cut(s, "=")
	d := Domain{Name: name}
	if nodes != "" {
		d.Nodes = strings.Split(nodes, ",")
	}
	if !validName(name) {
		return d, bad("domain", "%q is not name=node,node", s)
	}
	return d, nil
}

// Command returns the witness command, for the daemon's main
// ("stx-ha witness --listen 0.0.0.0:7001 --key-file ... --state-dir ...").
// Flags override the --config file's fields. It logs to stderr, serves
// the metrics on --metrics-listen when set, and runs until SIGINT or
// SIGTERM.
func Command() *cobra.Command {
	var (
		configFile string
		fc         FileConfig
		domains    []string
		verbose    bool
		initOnly   bool
	)
	cmd := &cobra.Command{
		Use:   "witness",
		Short: "Run the lease witness that keeps a silent partition between the two controllers from making both active",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			file := FileConfig{}
			if configFile != "" {
				f, err := os.Open(configFile)
				if err != nil {
					return err
				}
				file, err = LoadConfig(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("%s: %w", configFile, err)
				}
			}
			flags := cmd.Flags()
			if flags.Changed("listen") {
				file.Listen = fc.Listen
			}
			if flags.Changed("key-file") {
				file.KeyFile = fc.KeyFile
			}
			if flags.Changed("state-dir") {
				file.StateDir = fc.StateDir
			}
			if flags.Changed("max-lease") {
				file.MaxLease = fc.MaxLease
			}
			if flags.Changed("metrics-listen") {
				file.MetricsListen = fc.MetricsListen
			}
			if flags.Changed("domain") {
				file.Domains = nil
				for _, s := range domains {
					d, err := parseDomainFlag(s)
					if err != nil {
						return err
					}
					file.Domains = append(file.Domains, d)
				}
			}
			if initOnly {
				if file.StateDir == "" {
					return bad("state_dir", "empty")
				}
				return InitStateDir(file.StateDir)
			}
			cfg, err := file.Config()
			if err != nil {
				return err
			}
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			reg := prometheus.NewRegistry()
			srv, err := New(cfg, reg, &Options{Logger: log})
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if file.MetricsListen != "" {
				if err := serveMetrics(ctx, file.MetricsListen, reg, log); err != nil {
					return err
				}
			}
			return srv.Run(ctx)
		},
	}
	f := cmd.Flags()
	f.StringVar(&configFile, "config", "", "YAML configuration file (flags override its fields)")
	f.StringVar(&fc.Listen, "listen", "", "UDP address to listen on (ip:port)")
	f.StringVar(&fc.KeyFile, "key-file", "", "file holding the HMAC-SHA512 key shared with the controllers (at least 32 bytes)")
	f.StringVar(&fc.StateDir, "state-dir", "", "directory of the durable lease state")
	f.DurationVar(&fc.MaxLease, "max-lease", 0, "longest lease granted (default 30s)")
	f.StringVar(&fc.MetricsListen, "metrics-listen", "", "TCP address to serve Prometheus metrics on (empty: none)")
	f.StringArrayVar(&domains, "domain", nil, "a domain served and its allowed nodes, name=node,node (repeatable; none: any)")
	f.BoolVar(&initOnly, "init", false, "create the state of a witness that never granted a lease in --state-dir, and exit (once, at installation; fails if a state exists)")
	f.BoolVar(&verbose, "verbose", false, "log every grant, refusal and drop")
	return cmd
}

// serveMetrics serves reg on addr until ctx is done.
func serveMetrics(ctx context.Context, addr string, reg *prometheus.Registry, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("hawitness: metrics listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err)
		}
	}()
	context.AfterFunc(ctx, func() { _ = hs.Close() })
	return nil
}
