package hwdiscovery_test

import (
	"context"
	"fmt"
	"io/fs"
	"testing/fstest"

	"github.com/edgeflock/flock/inventory/hwdiscovery"
)

// A Discoverer reads a machine's root; here, a tiny made-up one.
func Example() {
	root := fstest.MapFS{
		"proc/sys/kernel/hostname":      {Data: []byte("edge-1\n")},
		"proc/cpuinfo":                  {Data: []byte("processor\t: 0\nmodel name\t: Example CPU\ncpu family\t: 6\nflags\t\t: fpu vmx avx512f\n")},
		"sys/devices/system/cpu/online": {Data: []byte("0\n")},
		"sys/devices/system/cpu/cpu0/topology/physical_package_id": {Data: []byte("0\n")},
		"sys/devices/system/cpu/cpu0/topology/core_id":             {Data: []byte("0\n")},
		"sys/devices/system/node/online":                           {Data: []byte("0\n")},
		"sys/devices/system/node/node0/cpulist":                    {Data: []byte("0\n")},
		"sys/devices/system/node/node0/meminfo":                    {Data: []byte("Node 0 MemTotal: 8388608 kB\nNode 0 MemFree: 4194304 kB\n")},
		"sys/class/net/eth0":                                       {Data: []byte("../../devices/pci0000:00/0000:00:03.0/net/eth0"), Mode: 0o777 | fs.ModeSymlink},
		"sys/devices/pci0000:00/0000:00:03.0/net/eth0/address":     {Data: []byte("52:54:00:12:34:56\n")},
		"sys/devices/pci0000:00/0000:00:03.0/net/eth0/type":        {Data: []byte("1\n")},
		"sys/devices/pci0000:00/0000:00:03.0/net/eth0/mtu":         {Data: []byte("1500\n")},
		"sys/devices/pci0000:00/0000:00:03.0/net/eth0/device":      {Data: []byte("../../../0000:00:03.0"), Mode: 0o777 | fs.ModeSymlink},
		"sys/devices/pci0000:00/0000:00:03.0/net/eth0/carrier":     {Data: []byte("1\n")},
	}
	d := hwdiscovery.New(root, nil)
	f, err := d.Discover(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Hostname, f.CPU.Model, f.CPU.Flags, len(f.CPU.Logical), "CPU")
	fmt.Println("management port", f.MgmtPort, f.Ports[0].PCIAddr)
	r := f.Report("")
	fmt.Println(r.MgmtMAC, r.Memory[0].NodeMemTotalMiB, "MiB on node", r.Memory[0].NumaNode)
	fmt.Println("unknown:", f.Unknown["cpu.caches"])
	// Output:
	// edge-1 Example CPU [avx512f vmx] 1 CPU
	// management port eth0 0000:00:03.0
	// 52:54:00:12:34:56 8192 MiB on node 0
	// unknown: /sys/devices/system/cpu/cpu0/cache: missing (the hypervisor or kernel exposes no cache information)
}
