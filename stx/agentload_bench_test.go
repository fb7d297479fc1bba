package stx_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// BenchmarkAgentReports1000 is 1,000 agents (simulated in this process,
// 64 at a time, over real HTTP, each with its own host's agent token)
// each sending a full report to a real stx-controller process: 64 CPUs
// on 2 NUMA nodes, 8 disks and 6 ports per host. One op is the whole
// round of 1,000 reports; the first round creates every host's hardware,
// the next ones replace it.
func BenchmarkAgentReports1000(b *testing.B) {
	ctx := b.Context()
	ctl := testenv.StartController(b)
	admin := inventoryhttp.NewClient(ctl.URL, &inventoryhttp.ClientOptions{Token: ctl.Token})
	type agent struct {
		mac    string
		client *inventoryhttp.Client
	}
	agents := make([]agent, 1000)
	var g errgroup.Group
	g.SetLimit(8)
	for i := range agents {
		g.Go(func() error {
			name := fmt.Sprintf("worker-%d", i)
			mac := inventorytest.MAC(name)
			if _, err := admin.AddHost(ctx, inventory.HostSpec{Hostname: name, Personality: inventory.PersonalityWorker, MgmtMAC: mac}); err != nil {
				return err
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ctl.URL+"/v1/ihosts/"+name+"/agent_token", nil)
			req.Header.Set("Authorization", "Bearer "+ctl.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			var tok struct{ Token string }
			if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Token == "" {
				return fmt.Errorf("agent token of %s: %v (status %d)", name, err, resp.StatusCode)
			}
			agents[i] = agent{mac, inventoryhttp.NewClient(ctl.URL, &inventoryhttp.ClientOptions{Token: tok.Token, Timeout: time.Minute})}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var g errgroup.Group
		g.SetLimit(64)
		for _, a := range agents {
			g.Go(func() error {
				_, err := a.client.ReportInventory(ctx, inventorytest.ReportFor(a.mac, inventorytest.WithNodes(2),
					inventorytest.WithCores(16), inventorytest.WithThreads(2), inventorytest.WithDisks(8), inventorytest.WithPorts(6)))
				return err
			})
		}
		if err := g.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(agents)*b.N)/b.Elapsed().Seconds(), "reports/s")
}
