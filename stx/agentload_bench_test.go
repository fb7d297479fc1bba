package stx_test

import (
	"fmt"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// BenchmarkAgentReports1000 is 1,000 agents (simulated in this process,
// 64 at a time, over real HTTP) each sending its first full report to a
// real stx-controller process: 64 CPUs on 2 NUMA nodes, 8 disks and 6
// ports per host, every report creating its host. One op is the whole
// round of 1,000; each op's agents are new hosts.
func BenchmarkAgentReports1000(b *testing.B) {
	ctx := b.Context()
	ctl := testenv.StartController(b)
	c := inventoryhttp.NewClient(ctl.URL, &inventoryhttp.ClientOptions{Token: ctl.Token, Timeout: time.Minute})
	round := 0
	for b.Loop() {
		round++
		var g errgroup.Group
		g.SetLimit(64)
		for i := range 1000 {
			g.Go(func() error {
				mac := inventorytest.MAC(fmt.Sprintf("agent-%d-%d", round, i))
				_, err := c.ReportInventory(ctx, inventorytest.ReportFor(mac, inventorytest.WithNodes(2),
					inventorytest.WithCores(16), inventorytest.WithThreads(2), inventorytest.WithDisks(8), inventorytest.WithPorts(6)))
				return err
			})
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "reports/s")
}
