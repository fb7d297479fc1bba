package inventorytest_test

import (
	"fmt"

	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// A report of the hardware of a worker with 2 NUMA nodes of 16
// hyperthreaded cores, 8 disks and 6 ports, as its agent sends it.
func ExampleReportFor() {
	r := inventorytest.ReportFor(inventorytest.MAC("worker-0"),
		inventorytest.WithCores(16), inventorytest.WithDisks(8), inventorytest.WithPorts(6))
	perNode := map[int]int{}
	for _, c := range r.CPUs {
		perNode[c.NumaNode]++
	}
	fmt.Println(len(r.Nodes), "NUMA nodes,", len(r.CPUs), "CPUs:", perNode)
	fmt.Println(len(r.Disks), "disks, the first", r.Disks[0].DeviceNode, r.Disks[0].DeviceType, "the last", r.Disks[7].DeviceNode)
	fmt.Println(len(r.Ports), "ports, the first", r.Ports[0].Name, r.Ports[0].MAC == r.MgmtMAC)
	fmt.Println(len(r.Memory), "memory nodes of", r.Memory[0].NodeMemTotalMiB, "MiB")
	var _ inventory.Report = r
	// Output:
	// 2 NUMA nodes, 64 CPUs: map[0:32 1:32]
	// 8 disks, the first /dev/sda SSD the last /dev/sdh
	// 6 ports, the first eno1 true
	// 2 memory nodes of 32768 MiB
}
