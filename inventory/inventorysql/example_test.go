package inventorysql_test

import (
	"context"
	"fmt"

	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorysql"
)

// A host is added, its agent reports its hardware, the operator gives it
// a platform core more while it is locked, and its agent applies the
// configuration that follows.
func Example() {
	ctx := context.Background()
	m, err := inventorysql.OpenMemory(ctx, nil) // or Open(ctx, "sqlite:///var/lib/flock/flock.db", nil)
	if err != nil {
		panic(err)
	}
	defer m.Close()

	_, err = m.AddHost(ctx, inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker, MgmtMAC: "08:00:27:00:00:01"})
	if err != nil {
		panic(err)
	}
	report := inventory.Report{MgmtMAC: "08:00:27:00:00:01", Nodes: []inventory.Node{{NumaNode: 0}}}
	for cpu := range 4 {
		report.CPUs = append(report.CPUs, inventory.CPU{CPU: cpu, Core: cpu % 2, Thread: cpu / 2})
	}
	h, err := m.ReportInventory(ctx, report)
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Hostname, h.Administrative, h.InvProvision, h.ConfigStatus)

	cpus, err := m.ModifyCPUs(ctx, "worker-0", inventory.CPUModify{Function: inventory.CPUPlatform, Cores: map[int]int{0: 2}})
	if err != nil {
		panic(err)
	}
	fmt.Println(cpus[1].CPU, cpus[1].AllocatedFunction)

	h, _ = m.GetHost(ctx, "worker-0")
	fmt.Println("reboot needed:", h.RebootNeeded)
	doc, _ := m.HostConfig(ctx, "worker-0")
	fmt.Println("platform cpus:", doc.CPUs.Platform)
	h, _ = m.ReportConfigApplied(ctx, "worker-0", doc.UUID)
	fmt.Printf("config status: %q\n", h.ConfigStatus)

	// Output:
	// worker-0 locked unprovisioned Config out-of-date
	// 1 Platform
	// reboot needed: true
	// platform cpus: [0 1 2 3]
	// config status: ""
}
