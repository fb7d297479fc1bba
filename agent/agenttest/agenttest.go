// Package agenttest has fakes of the agent's engines and of its
// controller: a Discoverer whose hardware a test changes, an Applier that
// records what it was asked, and a Controller (an inventory.Reporter)
// that can be taken down or made to fail.
package agenttest

import (
	"context"
	"errors"
	"sync"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/inventory"
)

// Discoverer is a fake agent.Discoverer: it returns the report last Set.
type Discoverer struct {
	mu    sync.Mutex
	r     inventory.Report
	err   error
	calls int
}

var _ agent.Discoverer = (*Discoverer)(nil)

// NewDiscoverer returns a Discoverer that finds r.
func NewDiscoverer(r inventory.Report) *Discoverer { return &Discoverer{r: r} }

// Set changes what the host has.
func (d *Discoverer) Set(r inventory.Report) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.r = r
}

// Fail makes Discover fail with err until Fail(nil).
func (d *Discoverer) Fail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.err = err
}

// Calls counts Discover's calls.
func (d *Discoverer) Calls() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls
}

// Discover returns the report Set, or Fail's error.
func (d *Discoverer) Discover(context.Context) (inventory.Report, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	return d.r, d.err
}

// Applier is a fake agent.Applier: it records every configuration it was
// asked to apply, and fails while Fail says so.
type Applier struct {
	mu      sync.Mutex
	applied []inventory.HostConfig
	err     error
	// OnApply, if set, is called with each configuration before Apply
	// returns (what the controller knows at that instant, say).
	OnApply func(c inventory.HostConfig)
}

var _ agent.Applier = (*Applier)(nil)

// Apply records c, or fails with Fail's error (recording nothing).
func (a *Applier) Apply(_ context.Context, c inventory.HostConfig) error {
	a.mu.Lock()
	err, hook := a.err, a.OnApply
	if err == nil {
		a.applied = append(a.applied, c)
	}
	a.mu.Unlock()
	if err == nil && hook != nil {
		hook(c)
	}
	return err
}

// Fail makes Apply fail with err until Fail(nil).
func (a *Applier) Fail(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.err = err
}

// Applied returns the UUIDs of the configurations applied, in order.
func (a *Applier) Applied() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, len(a.applied))
	for i, c := range a.applied {
		out[i] = c.UUID
	}
	return out
}

// Controller is a fake inventory.Reporter of one host: it keeps the
// reports it accepted, the configuration an operator set (SetConfig), and
// what the host said it applied. Down makes every call fail as an
// unreachable controller does (inventory.ErrUnavailable).
type Controller struct {
	mu      sync.Mutex
	host    inventory.Host
	config  *inventory.HostConfig
	reports []inventory.Report
	applied []string
	down    bool
	calls   int
}

var _ inventory.Reporter = (*Controller)(nil)

// NewController returns a controller that knows the host by hostUUID.
func NewController(hostUUID string) *Controller {
	return &Controller{host: inventory.Host{UUID: hostUUID, Hostname: "worker-0"}}
}

// ErrDown is the error of every call while the controller is down.
var ErrDown = errors.New("agenttest: controller down")

// SetDown takes the controller down (true) or up.
func (c *Controller) SetDown(down bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down = down
}

// SetConfig sets the host's configuration document, as an operator's
// change does: its UUID is the new config_target.
func (c *Controller) SetConfig(hc inventory.HostConfig) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.config = &hc
	c.host.ConfigTarget = hc.UUID
}

// Reports returns the reports accepted.
func (c *Controller) Reports() []inventory.Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]inventory.Report(nil), c.reports...)
}

// Applied returns the config UUIDs the host said it applied, in order.
func (c *Controller) Applied() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.applied...)
}

// Calls counts every call, failed ones included.
func (c *Controller) Calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// Host returns the host as the controller sees it.
func (c *Controller) Host() inventory.Host {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.host
}

func (c *Controller) enter() error {
	c.calls++
	if c.down {
		return errors.Join(ErrDown, inventory.ErrUnavailable)
	}
	return nil
}

// ReportInventory accepts r if it has a mgmt_mac.
func (c *Controller) ReportInventory(_ context.Context, r inventory.Report) (inventory.Host, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.enter(); err != nil {
		return inventory.Host{}, err
	}
	if r.MgmtMAC == "" {
		return inventory.Host{}, inventory.Fieldf("mgmt_mac", "is required")
	}
	c.reports = append(c.reports, r)
	c.host.MgmtMAC = r.MgmtMAC
	return c.host, nil
}

// HostConfig returns the configuration SetConfig set.
func (c *Controller) HostConfig(_ context.Context, host string) (inventory.HostConfig, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.enter(); err != nil {
		return inventory.HostConfig{}, err
	}
	if host != c.host.UUID || c.config == nil {
		return inventory.HostConfig{}, inventory.ErrNotFound
	}
	return *c.config, nil
}

// ReportConfigApplied records configUUID.
func (c *Controller) ReportConfigApplied(_ context.Context, host, configUUID string) (inventory.Host, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.enter(); err != nil {
		return inventory.Host{}, err
	}
	if host != c.host.UUID {
		return inventory.Host{}, inventory.ErrNotFound
	}
	c.applied = append(c.applied, configUUID)
	c.host.ConfigApplied = configUUID
	return c.host, nil
}
