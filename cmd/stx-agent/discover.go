package main

import (
	"errors"

	"github.com/edgeflock/flock/agent"
)

// newHWDiscoverer returns the host's hardware discovery for an agent
// whose management MAC is mac ("" lets discovery choose).
//
// LEAD: this is the one adapter to wire at merge, once inventory/hwdiscovery
// is in the tree. Expected, per its API:
//
//	d := hwdiscovery.New(os.DirFS("/"), nil)
//	return agent.DiscovererFunc(func(ctx context.Context) (inventory.Report, error) {
//		facts, err := d.Discover(ctx)
//		if err != nil {
//			return inventory.Report{}, err
//		}
//		return facts.Report(mac), nil
//	}), nil
//
// and the package doc and --help then drop "--report-file is needed".
func newHWDiscoverer(mac string) (agent.Discoverer, error) {
	_ = mac
	return nil, errors.New("hardware discovery is not built into this stx-agent yet: give --report-file FILE (a testing aid)")
}
