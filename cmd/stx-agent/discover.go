package main

import (
	"context"
	"os"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/hwdiscovery"
)

// newHWDiscoverer returns the host's hardware discovery (/sys and /proc
// through hwdiscovery) for an agent whose management MAC is mac (""
// lets discovery choose: the port of the default route, else the first
// port up).
func newHWDiscoverer(mac string) (agent.Discoverer, error) {
	d := hwdiscovery.New(os.DirFS("/"), nil)
	return agent.DiscovererFunc(func(ctx context.Context) (inventory.Report, error) {
		facts, err := d.Discover(ctx)
		if err != nil {
			return inventory.Report{}, err
		}
		return facts.Report(mac), nil
	}), nil
}
