package stx_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// BenchmarkInventory1000 measures a real stx-controller process holding
// a system of 1,000 hosts, each reported by its agent with 64 CPUs on 2
// NUMA nodes, 8 disks and 6 ports with their interfaces: host-list over
// REST, one host's whole inventory over REST in one request
// (host-snapshot) and as sysinv's clients read it, the host and every
// list of its records (host-inventory), and the process's resident
// memory afterwards (rss-MiB).
func BenchmarkInventory1000(b *testing.B) {
	ctx := b.Context()
	ctl := testenv.StartController(b)
	c := inventoryhttp.NewClient(ctl.URL, &inventoryhttp.ClientOptions{Token: ctl.Token})
	const hosts = 1000
	var g errgroup.Group
	g.SetLimit(4)
	for i := range hosts {
		g.Go(func() error {
			name := fmt.Sprintf("worker-%d", i)
			mac := inventorytest.MAC(name)
			if _, err := c.AddHost(ctx, inventory.HostSpec{Hostname: name, Personality: inventory.PersonalityWorker, MgmtMAC: mac}); err != nil {
				return err
			}
			_, err := c.ReportInventory(ctx, inventorytest.ReportFor(mac, inventorytest.WithNodes(2),
				inventorytest.WithCores(16), inventorytest.WithThreads(2), inventorytest.WithDisks(8), inventorytest.WithPorts(6)))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	cpus, err := c.ListCPUs(ctx, "worker-500")
	if err != nil || len(cpus) != 64 {
		b.Fatalf("worker-500 has %d cpus: %v", len(cpus), err)
	}

	b.Run("host-list", func(b *testing.B) {
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, "GET", ctl.URL+"/v1/ihosts", nil)
			req.Header.Set("X-Auth-Token", ctl.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var out struct {
				IHosts []json.RawMessage `json:"ihosts"`
			}
			err = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if err != nil || len(out.IHosts) != hosts {
				b.Fatal(len(out.IHosts), err)
			}
		}
	})
	b.Run("host-snapshot", func(b *testing.B) {
		for b.Loop() {
			snap, err := c.HostSnapshot(ctx, "worker-500")
			if err != nil || len(snap.Hosts) != 1 || len(snap.CPUs[snap.Hosts[0].UUID]) != 64 {
				b.Fatal(err)
			}
		}
	})
	b.Run("host-inventory", func(b *testing.B) {
		const host = "worker-500"
		lists := []func(context.Context, string) (int, error){
			func(ctx context.Context, h string) (int, error) { r, err := c.ListCPUs(ctx, h); return len(r), err },
			func(ctx context.Context, h string) (int, error) { r, err := c.ListNodes(ctx, h); return len(r), err },
			func(ctx context.Context, h string) (int, error) { r, err := c.ListMemory(ctx, h); return len(r), err },
			func(ctx context.Context, h string) (int, error) { r, err := c.ListDisks(ctx, h); return len(r), err },
			func(ctx context.Context, h string) (int, error) {
				r, err := c.ListPartitions(ctx, h, "")
				return len(r), err
			},
			func(ctx context.Context, h string) (int, error) { r, err := c.ListLVGs(ctx, h); return len(r), err },
			func(ctx context.Context, h string) (int, error) { r, err := c.ListPVs(ctx, h); return len(r), err },
			func(ctx context.Context, h string) (int, error) { r, err := c.ListStors(ctx, h); return len(r), err },
			func(ctx context.Context, h string) (int, error) { r, err := c.ListPorts(ctx, h); return len(r), err },
			func(ctx context.Context, h string) (int, error) {
				r, err := c.ListInterfaces(ctx, h)
				return len(r), err
			},
			func(ctx context.Context, h string) (int, error) {
				r, err := c.ListInterfaceNetworks(ctx, h)
				return len(r), err
			},
			func(ctx context.Context, h string) (int, error) {
				r, err := c.ListAddresses(ctx, h)
				return len(r), err
			},
			func(ctx context.Context, h string) (int, error) { r, err := c.ListRoutes(ctx, h); return len(r), err },
			func(ctx context.Context, h string) (int, error) { r, err := c.ListLabels(ctx, h); return len(r), err },
		}
		for b.Loop() {
			h, err := c.GetHost(ctx, host)
			if err != nil {
				b.Fatal(err)
			}
			records := 0
			for _, list := range lists {
				n, err := list(ctx, h.UUID)
				if err != nil {
					b.Fatal(err)
				}
				records += n
			}
			if records < 64+8+6 {
				b.Fatalf("only %d records", records)
			}
		}
		rss, err := testenv.RSS(ctl.PID)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rss)/(1<<20), "rss-MiB")
	})
}
