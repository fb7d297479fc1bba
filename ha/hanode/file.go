package hanode

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hapeer"
	"github.com/edgeflock/flock/ha/hawitness"
	"github.com/edgeflock/flock/hostmgmt/redfishbmc"
)

// FileConfig is stx-ha's configuration file, which stx-controller also
// reads to run service management in its own process (YAML, decoded
// strictly by ParseFile: an unknown or mistyped field is an error
// naming it). Open builds the Node it describes.
type FileConfig struct {
	// Node and Peer are the two controllers' names.
	Node string `yaml:"node"`
	Peer string `yaml:"peer"`
	// KeyFile holds the peer protocol's HMAC key (at least 32 bytes;
	// surrounding white space is trimmed).
	KeyFile string `yaml:"key_file"`
	// StateDir keeps the generation and the was-active flag.
	StateDir string `yaml:"state_dir"`
	// ModelFile is the service model (empty: Flock's default model).
	ModelFile string `yaml:"model_file"`
	// Domain of the model (empty: its first).
	Domain string `yaml:"domain"`
	// Paths, Period and DeadInterval are the peer link's.
	Paths        []hapeer.Path `yaml:"paths"`
	Period       time.Duration `yaml:"period"`
	DeadInterval time.Duration `yaml:"dead_interval"`
	// Addresses are the floating addresses by network.
	Addresses map[string]Address `yaml:"addresses"`
	Failover  FailoverFile       `yaml:"failover"`
	Fence     FenceFile          `yaml:"fence"`
	Witness   *WitnessFile       `yaml:"witness"`
	Plugins   PluginsFile        `yaml:"plugins"`
	// API is the address sm-api's REST API is served on (empty: none;
	// StarlingX: port 7777).
	API string `yaml:"api_listen"`
	// Metrics is the address /metrics is served on (empty: none).
	Metrics string `yaml:"metrics_listen"`
	// ExitOnFailed: exit with status 3 once this node lost survivor
	// selection and disabled its services (a supervisor restarts it, as
	// StarlingX reboots the node). Default true.
	ExitOnFailed *bool `yaml:"exit_on_failed"`
}

// FailoverFile tunes survivor selection (ha.FailoverConfig's durations).
type FailoverFile struct {
	DriftMargin      time.Duration `yaml:"drift_margin"`
	WaitInterval     time.Duration `yaml:"wait_interval"`
	FailPendingDelay time.Duration `yaml:"fail_pending_delay"`
	RetryInterval    time.Duration `yaml:"retry_interval"`
	SwactTimeout     time.Duration `yaml:"swact_timeout"`
}

// FenceFile says how to fence the peer: a fence agent's command or the
// peer's Redfish BMC, not both; neither means no fence.
type FenceFile struct {
	// Command is a fence agent with its arguments; the node's name is
	// appended; exit status 0 confirms the peer is off.
	Command []string `yaml:"command"`
	// Redfish is the peer's BMC.
	Redfish *RedfishFence `yaml:"redfish"`
	// Timeout bounds one attempt (default 10 s).
	Timeout time.Duration `yaml:"timeout"`
}

// RedfishFence is the peer's BMC: its URL, account and TLS policy.
type RedfishFence struct {
	URL          string `yaml:"url"`
	Username     string `yaml:"username"`
	PasswordFile string `yaml:"password_file"`
	InsecureTLS  bool   `yaml:"insecure_tls"`
}

// WitnessFile is the witness the active must hold a lease from.
type WitnessFile struct {
	// Server is the witness's address ("ip:port").
	Server string `yaml:"server"`
	// KeyFile holds the key shared with the witness.
	KeyFile string `yaml:"key_file"`
	// Lease asks for this long a lease (default 2 s).
	Lease time.Duration `yaml:"lease"`
}

// PluginsFile configures the OCF and systemd plugins.
type PluginsFile struct {
	// OCFRoot is where OCF resource agents live (default
	// /usr/lib/ocf).
	OCFRoot string `yaml:"ocf_root"`
	// Systemctl is the systemctl program (default "systemctl").
	Systemctl string `yaml:"systemctl"`
}

// ParseFile decodes and checks a configuration file's text; an error is
// a *ha.FieldError naming the field. It reads no other file.
func ParseFile(b []byte) (FileConfig, error) {
	var c FileConfig
	if err := ha.DecodeYAML(b, "config", &c); err != nil {
		return FileConfig{}, err
	}
	switch {
	case c.Node == "":
		return c, bad("node", "empty")
	case c.Peer == "" || c.Peer == c.Node:
		return c, bad("peer", "must be set and differ from node")
	case c.KeyFile == "":
		return c, bad("key_file", "empty")
	case c.StateDir == "":
		return c, bad("state_dir", "empty")
	case len(c.Paths) == 0:
		return c, bad("paths", "no path")
	case len(c.Fence.Command) > 0 && c.Fence.Redfish != nil:
		return c, bad("fence", "give command or redfish, not both")
	case c.Fence.Redfish != nil && c.Fence.Redfish.URL == "":
		return c, bad("fence.redfish.url", "empty")
	case c.Fence.Timeout < 0:
		return c, bad("fence.timeout", "negative")
	case c.Witness != nil && c.Witness.Server == "":
		return c, bad("witness.server", "empty")
	case c.Witness != nil && c.Witness.KeyFile == "":
		return c, bad("witness.key_file", "empty")
	}
	for _, d := range []struct {
		field string
		v     time.Duration
	}{{"failover.drift_margin", c.Failover.DriftMargin}, {"failover.wait_interval", c.Failover.WaitInterval},
		{"failover.fail_pending_delay", c.Failover.FailPendingDelay}, {"failover.retry_interval", c.Failover.RetryInterval},
		{"failover.swact_timeout", c.Failover.SwactTimeout}} {
		if d.v < 0 {
			return c, bad(d.field, "negative")
		}
	}
	if c.Witness != nil && c.Witness.Lease < 0 {
		return c, bad("witness.lease", "negative")
	}
	if len(c.Fence.Command) > 0 && c.Fence.Command[0] == "" {
		return c, bad("fence.command[0]", "empty")
	}
	lc := hapeer.Config{Node: c.Node, Peer: c.Peer, Key: strings.Repeat("k", hapeer.MinKeyLen), Paths: c.Paths,
		Period: c.Period, DeadInterval: c.DeadInterval}
	if err := lc.Validate(); err != nil {
		var fe *hapeer.FieldError
		if errors.As(err, &fe) {
			return c, &ha.FieldError{Field: fe.Field, Reason: fe.Reason}
		}
		return c, err
	}
	return c, nil
}

// readKey reads a key file, trimmed of surrounding white space.
func readKey(field, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &ha.FieldError{Field: field, Reason: err.Error()}
	}
	k := []byte(strings.TrimSpace(string(b)))
	if len(k) < hapeer.MinKeyLen {
		return nil, &ha.FieldError{Field: field, Reason: fmt.Sprintf("%s: the key is %d bytes, at least %d needed", path, len(k), hapeer.MinKeyLen)}
	}
	return k, nil
}

// OpenFile reads the configuration file at path and builds the node it
// describes (OpenConfig).
func OpenFile(path string, opts *Options) (*Node, FileConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, FileConfig{}, err
	}
	fc, err := ParseFile(b)
	if err != nil {
		return nil, FileConfig{}, fmt.Errorf("%s: %w", path, err)
	}
	n, err := OpenConfig(fc, opts)
	return n, fc, err
}

// OpenConfig builds the node fc describes: it reads the key files, the
// model file (none: ha.DefaultModel()) and the fence's password file,
// and sets opts' Fencer (a CommandFencer or a BMCFencer over the peer's
// Redfish BMC) and Witness (an hawitness.Client) from fc unless opts
// has them. opts' Plugins, Logger, Registry, Alarms and OnFailed are the
// caller's (the standalone daemon's plugins are haplugin.New's; a
// program embedding the node adds its Go functions).
func OpenConfig(fc FileConfig, opts *Options) (*Node, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	key, err := readKey("key_file", fc.KeyFile)
	if err != nil {
		return nil, err
	}
	model := ha.DefaultModel()
	if fc.ModelFile != "" {
		f, err := os.Open(fc.ModelFile)
		if err != nil {
			return nil, &ha.FieldError{Field: "model_file", Reason: err.Error()}
		}
		model, err = ha.LoadModel(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fc.ModelFile, err)
		}
	}
	if o.Fencer == nil {
		switch {
		case len(fc.Fence.Command) > 0:
			o.Fencer = CommandFencer{Command: fc.Fence.Command}
		case fc.Fence.Redfish != nil:
			ro := &redfishbmc.Options{Username: fc.Fence.Redfish.Username, InsecureTLS: fc.Fence.Redfish.InsecureTLS}
			if fc.Fence.Redfish.PasswordFile != "" {
				pw, err := os.ReadFile(fc.Fence.Redfish.PasswordFile)
				if err != nil {
					return nil, &ha.FieldError{Field: "fence.redfish.password_file", Reason: err.Error()}
				}
				ro.Password = strings.TrimSpace(string(pw))
			}
			bmc, err := redfishbmc.New(fc.Fence.Redfish.URL, ro)
			if err != nil {
				return nil, &ha.FieldError{Field: "fence.redfish.url", Reason: err.Error()}
			}
			o.Fencer = BMCFencer{BMC: bmc}
		}
	}
	domain := fc.Domain
	if domain == "" && len(model.Domains) > 0 {
		domain = model.Domains[0].Name
	}
	if o.Witness == nil && fc.Witness != nil {
		wkey, err := readKey("witness.key_file", fc.Witness.KeyFile)
		if err != nil {
			return nil, err
		}
		w, err := hawitness.NewClient(hawitness.ClientConfig{Server: fc.Witness.Server, Key: wkey, Domain: domain, Lease: fc.Witness.Lease}, o.Registry, nil)
		if err != nil {
			var fe *ha.FieldError
			if errors.As(err, &fe) {
				return nil, &ha.FieldError{Field: "witness." + fe.Field, Reason: fe.Reason}
			}
			return nil, fmt.Errorf("witness: %w", err)
		}
		o.Witness = w
	}
	cfg := Config{Model: model, Domain: fc.Domain, StateDir: fc.StateDir, Addresses: fc.Addresses,
		Link: hapeer.Config{Node: fc.Node, Peer: fc.Peer, Key: string(key), Paths: fc.Paths, Period: fc.Period, DeadInterval: fc.DeadInterval},
		Failover: ha.FailoverConfig{DriftMargin: fc.Failover.DriftMargin, WaitInterval: fc.Failover.WaitInterval,
			FailPendingDelay: fc.Failover.FailPendingDelay, RetryInterval: fc.Failover.RetryInterval, SwactTimeout: fc.Failover.SwactTimeout},
		FenceTimeout: fc.Fence.Timeout}
	return New(cfg, &o)
}
