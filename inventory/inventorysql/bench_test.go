package inventorysql_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorysql"
)

// buildSystem adds n workers the way a real system gets them: host-add,
// then the agent's report of 64 CPUs on 2 NUMA nodes, 8 disks and 6
// ports (each with its ethernet interface).
func buildSystem(tb testing.TB, ctx context.Context, m *inventorysql.Manager, n int) {
	tb.Helper()
	for i := range n {
		mac := macOf(i + 1)
		_, err := m.AddHost(ctx, inventory.HostSpec{Hostname: fmt.Sprintf("worker-%d", i), Personality: inventory.PersonalityWorker,
			MgmtMAC: mac, BMIP: "10.0.0.1", BMType: "redfish", BMUsername: "root", BMPassword: "pw"})
		require.NoError(tb, err)
		_, err = m.ReportInventory(ctx, hardware(mac, 2, 16, 8, 6))
		require.NoError(tb, err)
	}
}

// system1000 is a Manager over SQLite in memory holding 1,000 hosts.
func system1000(b *testing.B) *inventorysql.Manager {
	b.Helper()
	m, err := inventorysql.OpenMemory(b.Context(), nil)
	require.NoError(b, err)
	b.Cleanup(func() { _ = m.Close() })
	buildSystem(b, b.Context(), m, 1000)
	return m
}

func BenchmarkListHosts1000(b *testing.B) {
	m := system1000(b)
	ctx := b.Context()
	for b.Loop() {
		hs, err := m.ListHosts(ctx)
		if err != nil || len(hs) != 1000 {
			b.Fatal(len(hs), err)
		}
	}
}

// BenchmarkHostInventory reads one host's whole inventory, as host-show
// and the lists of its records do, among 1,000 hosts.
func BenchmarkHostInventory(b *testing.B) {
	m := system1000(b)
	ctx := b.Context()
	const host = "worker-500"
	for b.Loop() {
		if _, err := m.GetHost(ctx, host); err != nil {
			b.Fatal(err)
		}
		cpus, err := m.ListCPUs(ctx, host)
		if err != nil || len(cpus) != 64 {
			b.Fatal(len(cpus), err)
		}
		for _, fn := range []func(context.Context, string) error{
			func(ctx context.Context, h string) error { _, err := m.ListNodes(ctx, h); return err },
			func(ctx context.Context, h string) error { _, err := m.ListMemory(ctx, h); return err },
			func(ctx context.Context, h string) error { _, err := m.ListDisks(ctx, h); return err },
			func(ctx context.Context, h string) error { _, err := m.ListPartitions(ctx, h, ""); return err },
			func(ctx context.Context, h string) error { _, err := m.ListLVGs(ctx, h); return err },
			func(ctx context.Context, h string) error { _, err := m.ListPVs(ctx, h); return err },
			func(ctx context.Context, h string) error { _, err := m.ListStors(ctx, h); return err },
			func(ctx context.Context, h string) error { _, err := m.ListPorts(ctx, h); return err },
			func(ctx context.Context, h string) error { _, err := m.ListInterfaces(ctx, h); return err },
			func(ctx context.Context, h string) error { _, err := m.ListInterfaceNetworks(ctx, h); return err },
			func(ctx context.Context, h string) error { _, err := m.ListAddresses(ctx, h); return err },
			func(ctx context.Context, h string) error { _, err := m.ListRoutes(ctx, h); return err },
			func(ctx context.Context, h string) error { _, err := m.ListLabels(ctx, h); return err },
		} {
			if err := fn(ctx, host); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRenderAll1000 reads a snapshot of 1,000 hosts and renders
// every host's document.
func BenchmarkRenderAll1000(b *testing.B) {
	m := system1000(b)
	ctx := b.Context()
	for b.Loop() {
		s, err := m.Snapshot(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, h := range s.Hosts {
			if _, err := inventory.Render(s, h.UUID); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSystemWideChange1000 changes the DNS servers of a system of
// 1,000 hosts: one transaction that renders and versions every host's
// document.
func BenchmarkSystemWideChange1000(b *testing.B) {
	m := system1000(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		i++
		if _, err := m.UpdateSystem(ctx, inventory.SystemUpdate{DNSServers: &[]string{fmt.Sprintf("10.0.%d.%d", i/250, i%250+1)}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLabelAssign is a one-host write among 1,000 hosts: a label,
// the host's document rendered and versioned, in one transaction.
func BenchmarkLabelAssign(b *testing.B) {
	m := system1000(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		i++
		if _, err := m.AssignLabels(ctx, "worker-500", map[string]string{"k": fmt.Sprint(i)}, true); err != nil {
			b.Fatal(err)
		}
	}
}
