package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hanode"
	"github.com/edgeflock/flock/ha/hapeer"
)

// fileConfig is stx-ha's configuration file (YAML, decoded strictly:
// an unknown or mistyped field is an error naming it).
type fileConfig struct {
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
	Addresses map[string]hanode.Address `yaml:"addresses"`
	Failover  failoverFile              `yaml:"failover"`
	Fence     fenceFile                 `yaml:"fence"`
	Witness   *witnessFile              `yaml:"witness"`
	Plugins   pluginsFile               `yaml:"plugins"`
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

type failoverFile struct {
	DriftMargin      time.Duration `yaml:"drift_margin"`
	WaitInterval     time.Duration `yaml:"wait_interval"`
	FailPendingDelay time.Duration `yaml:"fail_pending_delay"`
	RetryInterval    time.Duration `yaml:"retry_interval"`
	SwactTimeout     time.Duration `yaml:"swact_timeout"`
}

// fenceFile: how to fence the peer; one of command or redfish.
type fenceFile struct {
	// Command is a fence agent with its arguments; the node's name is
	// appended; exit status 0 confirms the peer is off.
	Command []string `yaml:"command"`
	// Redfish is the peer's BMC.
	Redfish *redfishFence `yaml:"redfish"`
	// Timeout bounds one attempt (default 10 s).
	Timeout time.Duration `yaml:"timeout"`
}

type redfishFence struct {
	URL          string `yaml:"url"`
	Username     string `yaml:"username"`
	PasswordFile string `yaml:"password_file"`
	InsecureTLS  bool   `yaml:"insecure_tls"`
}

type witnessFile struct {
	// Server is the witness's address ("ip:port").
	Server string `yaml:"server"`
	// KeyFile holds the key shared with the witness.
	KeyFile string `yaml:"key_file"`
	// Lease asks for this long a lease (default 2 s).
	Lease time.Duration `yaml:"lease"`
}

type pluginsFile struct {
	// OCFRoot is where OCF resource agents live (default
	// /usr/lib/ocf).
	OCFRoot string `yaml:"ocf_root"`
	// Systemctl is the systemctl program (default "systemctl").
	Systemctl string `yaml:"systemctl"`
}

// parseConfig decodes and checks a configuration file's text. It reads
// no other file.
func parseConfig(b []byte) (fileConfig, error) {
	var c fileConfig
	if err := ha.DecodeYAML(b, "config", &c); err != nil {
		return fileConfig{}, err
	}
	bad := func(f, format string, args ...any) error {
		return &ha.FieldError{Field: f, Reason: fmt.Sprintf(format, args...)}
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
