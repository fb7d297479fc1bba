// Command stx-agent runs on every host of a Flock system (StarlingX's
// sysinv-agent, mtcClient and hbsClient): it discovers the host's
// hardware, reports it to the controller's inventory, applies the
// configuration the controller renders for the host, and answers host
// maintenance's heartbeat and commands (package agent).
//
//	stx-agent [--config FILE] [--controller URL] [--token-file FILE] [--state-dir DIR]
//	          [--applier none|linux|dry-run:DIR] [--mgmt-mac MAC] [--hostname NAME]
//	          [--interval D] [--poll-interval D] [--log-level LEVEL]
//	          [--mtce=true|false] [--goenabled-dir DIR] [--services-dir DIR]
//	          [--reboot system|exec|exit] [--mgmt-addr IP[:PORT]] [--cluster-host-addr IP[:PORT]]
//
// The token file holds the host's agent token, which an admin gets from
// the controller (POST /v1/ihosts/{host}/agent_token); like the
// controller's admin token file it must be private to its owner (chmod
// 600). The agent reports on start, every interval (60s) and when a poll
// (every 5s) sees a disk or NIC come or go; while the controller is down
// it retries with backoff, keeping its state in the state directory. The
// applier is none (configurations are acknowledged, not applied), linux
// (systemd-networkd, sysctl and kernel argument files under /, then
// networkctl reload and sysctl --system), or dry-run:DIR (the same files
// under DIR, nothing else). On SIGTERM or SIGINT it stops and exits 0.
//
// Host maintenance (on unless --mtce=false): once the controller knows
// the host, the agent fetches its maintenance link (GET
// /v1/ihosts/{uuid}/mtce_link, with the agent token) and joins the
// controller's heartbeat over UDP, bound per network to --mgmt-addr and
// --cluster-host-addr if given (YAML local_addrs: {mgmt: IP,
// cluster-host: IP}). The controller's goenabled command runs the
// executables of --goenabled-dir (/etc/flock/goenabled.d) in name order,
// start-services and stop-services those of --services-dir
// (/etc/flock/services.d) with "start" or "stop"; each has
// script_timeout (60s) and must exit 0. Its reboot command reboots the
// host as --reboot says: system (systemctl reboot, else reboot; the
// default), exec (a simulated reboot: a new boot id recorded in the
// state directory, and the process replaced by a new run of itself), or
// exit (the same boot id change, then exit status 75 for a supervisor
// to restart it, e.g. systemd's RestartForceExitStatus=75). Labs that run
// many agents on one machine use exec.
//
// A testing aid, left out of --help: --report-file FILE reads the
// inventory report (JSON, as POST /v1/ihosts/inventory_report takes it)
// from FILE at each poll instead of discovering the hardware.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
	"gopkg.in/yaml.v3"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/agent/linuxconfig"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/patching/hostagent"
)

// minTokenBytes is the shortest token accepted (stx.MinTokenBytes; the
// agent does not import the controller's package).
const minTokenBytes = 32

// defaultStateDir is where the agent keeps its state unless told.
const defaultStateDir = "/var/lib/flock/agent"

// Config is stx-agent's YAML config; flags override it.
type Config struct {
	// ControllerURL is the controller's REST API ("http://controller:6385").
	ControllerURL string `yaml:"controller_url"`
	// TokenFile holds the host's agent token (mode 0600).
	TokenFile string `yaml:"token_file"`
	// StateDir keeps the agent's state (default /var/lib/flock/agent).
	StateDir string `yaml:"state_dir"`
	// Applier is none, linux or dry-run:DIR (default none).
	Applier string `yaml:"applier"`
	// LogLevel is debug, info, warn or error (default info).
	LogLevel string `yaml:"log_level"`
	// Agent holds the host identity, intervals and backoff.
	Agent agent.Options `yaml:",inline"`
	// Mtce runs host maintenance's host side (default true).
	Mtce *bool `yaml:"mtce"`
	// Maintenance holds goenabled_dir, services_dir, script_timeout,
	// reboot, local_addrs and the link's intervals.
	Maintenance agent.MaintenanceOptions `yaml:",inline"`

	// SoftwareRoot is where releases are installed (versions/, the
	// current link); with SoftwareKeys set, the agent runs software
	// management's host side. Empty: off.
	SoftwareRoot string `yaml:"software_root"`
	// SoftwareKeys is a directory of the trusted release keys (*.pub).
	SoftwareKeys string `yaml:"software_keys"`
	// SoftwareInterval is the time between polls of the controller
	// (default 5 s).
	SoftwareInterval time.Duration `yaml:"software_interval"`

	reportFile string
}

func init() {
	// The main goroutine stays on the main thread, whose parent-death
	// signal is the process's (read in run).
	runtime.LockOSThread()
}

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "stx-agent:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	pdeath := agent.ParentDeathSignal() // on the main thread when called from main
	cfg, err := config(args, stderr)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return fmt.Errorf("log_level: %q is not debug, info, warn or error", cfg.LogLevel)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	tok, err := readToken(cfg.TokenFile)
	if err != nil {
		return err
	}
	app, err := applier(cfg.Applier, log)
	if err != nil {
		return err
	}
	var disc agent.Discoverer
	if cfg.reportFile != "" {
		disc = reportFile(cfg.reportFile)
	} else if disc, err = newHWDiscoverer(cfg.Agent.MgmtMAC); err != nil {
		return err
	}
	ctrl := inventoryhttp.NewClient(cfg.ControllerURL, &inventoryhttp.ClientOptions{Token: tok})
	opts := cfg.Agent
	opts.Logger = log
	a, err := agent.New(ctrl, disc, app, cfg.StateDir, &opts)
	if err != nil {
		return err
	}
	var m *agent.Maintenance
	if *cfg.Mtce {
		mopts := cfg.Maintenance
		mopts.Logger = log.With("part", "mtce")
		if mopts.Reboot == agent.RebootExec {
			// The new image dies with its parent as this process does.
			mopts.Rebooter = agent.ExecRebooter{ParentDeathSignal: pdeath}
		}
		links := agent.NewLinkClient(cfg.ControllerURL, &agent.LinkClientOptions{Token: tok})
		if m, err = agent.NewMaintenance(a, links, &mopts); err != nil {
			return err
		}
	}
	var sw *hostagent.Agent
	if cfg.SoftwareRoot != "" {
		if sw, err = softwareAgent(cfg, tok, log.With("part", "software")); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	log.Info("stx-agent running", "controller", cfg.ControllerURL, "state_dir", cfg.StateDir, "applier", cfg.Applier,
		"mtce", *cfg.Mtce, "reboot", cfg.Maintenance.Reboot)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.Run(ctx) })
	if m != nil {
		g.Go(func() error { return m.Run(ctx) })
	}
	if sw != nil {
		g.Go(func() error { return sw.Run(ctx) })
	}
	return g.Wait()
}

// config reads the config file and the flags (which win).
func config(args []string, stderr io.Writer) (Config, error) {
	var cfg Config
	fs := flag.NewFlagSet("stx-agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "YAML config file")
	var flags Config
	fs.StringVar(&flags.ControllerURL, "controller", "", "the controller's REST API URL (http://controller:6385)")
	fs.StringVar(&flags.TokenFile, "token-file", "", "file holding this host's agent token (mode 0600)")
	fs.StringVar(&flags.StateDir, "state-dir", "", "state directory (default "+defaultStateDir+")")
	fs.StringVar(&flags.Applier, "applier", "", "none, linux or dry-run:DIR (default none)")
	fs.StringVar(&flags.Agent.MgmtMAC, "mgmt-mac", "", "this host's management MAC, its identity at the controller")
	fs.StringVar(&flags.Agent.Hostname, "hostname", "", "hostname to report")
	fs.DurationVar(&flags.Agent.Interval, "interval", agent.DefaultInterval, "time between full reports")
	fs.DurationVar(&flags.Agent.PollInterval, "poll-interval", agent.DefaultPollInterval, "time between discoveries looking for a hardware change")
	fs.StringVar(&flags.LogLevel, "log-level", "", "debug, info, warn or error (default info)")
	mtce := fs.Bool("mtce", true, "run host maintenance's host side: heartbeat, goenabled, host services, reboot (default true)")
	fs.StringVar(&flags.Maintenance.GoenabledDir, "goenabled-dir", "", "in-service test scripts run by goenabled (default "+agent.DefaultGoenabledDir+")")
	fs.StringVar(&flags.Maintenance.ServicesDir, "services-dir", "", "scripts run with start or stop by start-services and stop-services (default "+agent.DefaultServicesDir+")")
	fs.StringVar(&flags.Maintenance.Reboot, "reboot", "", "how the reboot command reboots: system, exec or exit (default system; labs use exec)")
	var mgmtAddr, clusterAddr string
	fs.StringVar(&mgmtAddr, "mgmt-addr", "", "local address of the heartbeat on the management network, IP or IP:PORT (default any)")
	fs.StringVar(&clusterAddr, "cluster-host-addr", "", "local address of the heartbeat on the cluster-host network, IP or IP:PORT (default any)")
	fs.StringVar(&flags.reportFile, "report-file", "", "")
	fs.StringVar(&flags.SoftwareRoot, "software-root", "", "where releases are installed; set to run software management's host side (with --software-keys)")
	fs.StringVar(&flags.SoftwareKeys, "software-keys", "", "directory of the trusted release keys (*.pub)")
	fs.DurationVar(&flags.SoftwareInterval, "software-interval", 0, "time between polls of the controller's software deploy (default 5s)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: stx-agent [flags]")
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name != "report-file" { // a testing aid, documented in the package doc
				fmt.Fprintf(fs.Output(), "  --%s\n    \t%s\n", f.Name, f.Usage)
			}
		})
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *configFile != "" {
		data, err := os.ReadFile(*configFile)
		if err != nil {
			return cfg, err
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("config %s: %w", *configFile, err)
		}
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "controller":
			cfg.ControllerURL = flags.ControllerURL
		case "token-file":
			cfg.TokenFile = flags.TokenFile
		case "state-dir":
			cfg.StateDir = flags.StateDir
		case "applier":
			cfg.Applier = flags.Applier
		case "mgmt-mac":
			cfg.Agent.MgmtMAC = flags.Agent.MgmtMAC
		case "hostname":
			cfg.Agent.Hostname = flags.Agent.Hostname
		case "interval":
			cfg.Agent.Interval = flags.Agent.Interval
		case "poll-interval":
			cfg.Agent.PollInterval = flags.Agent.PollInterval
		case "log-level":
			cfg.LogLevel = flags.LogLevel
		case "report-file":
			cfg.reportFile = flags.reportFile
		case "software-root":
			cfg.SoftwareRoot = flags.SoftwareRoot
		case "software-keys":
			cfg.SoftwareKeys = flags.SoftwareKeys
		case "software-interval":
			cfg.SoftwareInterval = flags.SoftwareInterval
		case "mtce":
			cfg.Mtce = mtce
		case "goenabled-dir":
			cfg.Maintenance.GoenabledDir = flags.Maintenance.GoenabledDir
		case "services-dir":
			cfg.Maintenance.ServicesDir = flags.Maintenance.ServicesDir
		case "reboot":
			cfg.Maintenance.Reboot = flags.Maintenance.Reboot
		case "mgmt-addr":
			setLocal(&cfg, hostmgmt.NetworkMgmt, mgmtAddr)
		case "cluster-host-addr":
			setLocal(&cfg, hostmgmt.NetworkClusterHost, clusterAddr)
		}
	})
	if cfg.Mtce == nil {
		on := true
		cfg.Mtce = &on
	}
	if cfg.Maintenance.Reboot == "" {
		cfg.Maintenance.Reboot = agent.RebootSystem
	}
	if cfg.StateDir == "" {
		cfg.StateDir = defaultStateDir
	}
	if cfg.Applier == "" {
		cfg.Applier = "none"
	}
	if cfg.LogLevel == "" {
		cfg.LogLevel = "info"
	}
	return cfg, validate(&cfg)
}

// validate names the first bad field, as in the YAML config.
func validate(cfg *Config) error {
	if cfg.ControllerURL == "" {
		return errors.New("controller_url is required (--controller http://controller:6385)")
	}
	u, err := url.Parse(cfg.ControllerURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("controller_url: %q is not an http:// or https:// URL", cfg.ControllerURL)
	}
	if cfg.TokenFile == "" {
		return errors.New("token_file is required (--token-file FILE, the host's agent token: stx host-token HOST)")
	}
	if _, err := parseApplier(cfg.Applier); err != nil {
		return err
	}
	if err := cfg.Agent.Validate(); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "agent: "))
	}
	if err := cfg.Maintenance.Validate(); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "agent: "))
	}
	if (cfg.SoftwareRoot == "") != (cfg.SoftwareKeys == "") {
		return errors.New("software_root and software_keys go together (--software-root DIR --software-keys DIR)")
	}
	if cfg.SoftwareInterval < 0 {
		return errors.New("software_interval: negative")
	}
	return nil
}

// setLocal sets the local heartbeat address of network n.
func setLocal(cfg *Config, n hostmgmt.Network, addr string) {
	if cfg.Maintenance.LocalAddrs == nil {
		cfg.Maintenance.LocalAddrs = map[string]string{}
	}
	cfg.Maintenance.LocalAddrs[string(n)] = addr
}

// parseApplier returns the root of an applier spec: "" for none, "/" for
// linux, DIR for dry-run:DIR.
func parseApplier(spec string) (string, error) {
	switch {
	case spec == "none":
		return "", nil
	case spec == "linux":
		return "/", nil
	case strings.HasPrefix(spec, "dry-run:") && len(spec) > len("dry-run:"):
		return strings.TrimPrefix(spec, "dry-run:"), nil
	}
	return "", fmt.Errorf("applier: %q is not none, linux or dry-run:DIR", spec)
}

// applier builds the applier of spec.
func applier(spec string, log *slog.Logger) (agent.Applier, error) {
	root, err := parseApplier(spec)
	if err != nil {
		return nil, err
	}
	switch root {
	case "":
		return noApplier{log: log}, nil
	case "/":
		return linuxconfig.New("/", &linuxconfig.Options{Logger: log, Activate: activate})
	}
	return linuxconfig.New(root, &linuxconfig.Options{Logger: log})
}

// activate makes a real host read what linuxconfig changed: networkd
// and sysctl reload; kernel arguments wait for the next boot.
func activate(ctx context.Context, changed []string) error {
	var nw, sc bool
	for _, p := range changed {
		nw = nw || strings.HasPrefix(p, linuxconfig.NetworkDir)
		sc = sc || p == linuxconfig.SysctlFile
	}
	var errs []error
	if nw {
		if out, err := exec.CommandContext(ctx, "networkctl", "reload").CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("networkctl reload: %w: %s", err, out))
		}
	}
	if sc {
		if out, err := exec.CommandContext(ctx, "sysctl", "--system").CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("sysctl --system: %w: %s", err, out))
		}
	}
	return errors.Join(errs...)
}

// noApplier acknowledges configurations without applying them.
type noApplier struct{ log *slog.Logger }

func (n noApplier) Apply(_ context.Context, c inventory.HostConfig) error {
	n.log.Info("configuration not applied (applier none)", "config_uuid", c.UUID)
	return nil
}

// readToken reads a token file that must be private to its owner.
func readToken(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("token_file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("token_file: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("token_file %s is open to group or others (mode %04o): run chmod 600 %s", path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return "", fmt.Errorf("token_file: %w", err)
	}
	tok := strings.TrimSpace(string(data))
	if len(tok) < minTokenBytes {
		return "", fmt.Errorf("token_file %s: token is %d bytes, need at least %d", path, len(tok), minTokenBytes)
	}
	return tok, nil
}

// reportFile is the --report-file discoverer: the report in path, read
// at each poll, decoded strictly.
func reportFile(path string) agent.Discoverer {
	return agent.DiscovererFunc(func(context.Context) (inventory.Report, error) {
		var r inventory.Report
		data, err := os.ReadFile(path)
		if err != nil {
			return r, err
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			return r, fmt.Errorf("report file %s: %w", path, err)
		}
		return r, nil
	})
}
