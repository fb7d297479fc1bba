package heartbeat

import (
	"fmt"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
)

// Config configures the controller's side. The zero value of a field
// means its default (StarlingX's, §2.5).
type Config struct {
	Period           time.Duration `yaml:"period"`            // 100 ms (100 ms–1 s)
	MinorThreshold   int           `yaml:"minor_threshold"`   // 4
	DegradeThreshold int           `yaml:"degrade_threshold"` // 6 (4–100)
	FailureThreshold int           `yaml:"failure_threshold"` // 10 (10–100)
	MNFAThreshold    int           `yaml:"mnfa_threshold"`    // 2 (2–100)
	MNFATimeout      time.Duration `yaml:"mnfa_timeout"`      // 0 = none, else 100 s–86400 s
	// OfflineTimeout: a host whose mtcAlive has not been heard for this
	// long is reported ObsOffline (default 10 s: 100 ms × 90).
	OfflineTimeout time.Duration `yaml:"offline_timeout"`
	// CommandTimeout bounds one try of delivering a command (default
	// 200 ms); Send retries until its ctx ends.
	CommandTimeout time.Duration `yaml:"command_timeout"`
}

// Defaults (StarlingX's mtc.ini and mtc.conf).
const (
	DefaultPeriod           = 100 * time.Millisecond
	DefaultMinorThreshold   = 4
	DefaultDegradeThreshold = 6
	DefaultFailureThreshold = 10
	DefaultMNFAThreshold    = 2
	DefaultOfflineTimeout   = 10 * time.Second
	DefaultCommandTimeout   = 200 * time.Millisecond
)

// mnfaBackoff multiplies a network's period while it is in MNFA.
const mnfaBackoff = 4

// withDefaults returns c with each zero field set to its default.
func (c Config) withDefaults() Config {
	if c.Period == 0 {
		c.Period = DefaultPeriod
	}
	if c.MinorThreshold == 0 {
		c.MinorThreshold = DefaultMinorThreshold
	}
	if c.DegradeThreshold == 0 {
		c.DegradeThreshold = DefaultDegradeThreshold
	}
	if c.FailureThreshold == 0 {
		c.FailureThreshold = DefaultFailureThreshold
	}
	if c.MNFAThreshold == 0 {
		c.MNFAThreshold = DefaultMNFAThreshold
	}
	if c.OfflineTimeout == 0 {
		c.OfflineTimeout = DefaultOfflineTimeout
	}
	if c.CommandTimeout == 0 {
		c.CommandTimeout = DefaultCommandTimeout
	}
	return c
}

// Validate checks c, its zero fields taken as their defaults, against
// StarlingX's ranges: period 100 ms–1 s, degrade threshold 4–100, failure
// threshold 10–100, MNFA threshold 2–100, MNFA timeout 0 or 100 s–1 day,
// minor < degrade < failure, and positive offline and command timeouts.
// The error is a *hostmgmt.FieldError naming the first bad field as in
// the YAML config.
func (c Config) Validate() error {
	d := c.withDefaults()
	bad := func(field, format string, args ...any) error {
		return &hostmgmt.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if d.Period < 100*time.Millisecond || d.Period > time.Second {
		return bad("period", "%s is outside 100ms–1s", d.Period)
	}
	counts := []struct {
		field    string
		v        int
		min, max int
	}{
		{"minor_threshold", d.MinorThreshold, 1, 100},
		{"degrade_threshold", d.DegradeThreshold, 4, 100},
		{"failure_threshold", d.FailureThreshold, 10, 100},
		{"mnfa_threshold", d.MNFAThreshold, 2, 100},
	}
	for _, n := range counts {
		if n.v < n.min || n.v > n.max {
			return bad(n.field, "%d is outside %d–%d", n.v, n.min, n.max)
		}
	}
	if d.MinorThreshold >= d.DegradeThreshold {
		return bad("minor_threshold", "%d is not below degrade_threshold %d", d.MinorThreshold, d.DegradeThreshold)
	}
	if d.DegradeThreshold >= d.FailureThreshold {
		return bad("degrade_threshold", "%d is not below failure_threshold %d", d.DegradeThreshold, d.FailureThreshold)
	}
	if d.MNFATimeout != 0 && (d.MNFATimeout < 100*time.Second || d.MNFATimeout > 86400*time.Second) {
		return bad("mnfa_timeout", "%s is neither 0 (none) nor within 100s–86400s", d.MNFATimeout)
	}
	if d.OfflineTimeout < 0 {
		return bad("offline_timeout", "%s is negative", d.OfflineTimeout)
	}
	if d.CommandTimeout < 0 {
		return bad("command_timeout", "%s is negative", d.CommandTimeout)
	}
	return nil
}

// health is the health of count consecutive misses.
func (c *Config) health(misses int) hostmgmt.Health {
	switch {
	case misses >= c.FailureThreshold:
		return hostmgmt.HealthFailed
	case misses >= c.DegradeThreshold:
		return hostmgmt.HealthDegraded
	case misses >= c.MinorThreshold:
		return hostmgmt.HealthMinor
	}
	return hostmgmt.HealthOK
}
