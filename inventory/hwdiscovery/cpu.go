package hwdiscovery

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

const cpuDir = "sys/devices/system/cpu"

// cpu reads the CPU topology, identity, flags and caches.
func (r *run) cpu() {
	c := &r.f.CPU
	var info []cpuinfoCPU
	if s, err := r.t.read("proc/cpuinfo"); err != nil {
		r.unknown("cpu.model", reason("proc/cpuinfo", err))
	} else {
		info = parseCPUInfo(s)
	}
	if len(info) > 0 {
		f := info[0].Fields
		c.Vendor, c.Model, c.Family = f["vendor_id"], f["model name"], f["cpu family"]
		if c.Model == "" {
			r.unknown("cpu.model", "/proc/cpuinfo has no model name")
		}
		if mhz, err := strconv.ParseFloat(f["cpu MHz"], 64); err == nil && mhz > 0 {
			c.MHz = &mhz
		} else {
			r.unknown("cpu.mhz", "/proc/cpuinfo has no cpu MHz")
		}
		c.Flags = []string{}
		for _, fl := range strings.Fields(f["flags"]) {
			if fl == "vmx" || fl == "svm" || strings.HasPrefix(fl, "avx512") {
				c.Flags = append(c.Flags, fl)
			}
		}
		sort.Strings(c.Flags)
	}
	if khz, ok := r.optInt(cpuDir + "/cpu0/cpufreq/cpuinfo_max_freq"); ok && khz > 0 {
		mhz := float64(khz) / 1000
		c.MaxMHz = &mhz
	} else {
		r.unknown("cpu.max_mhz", "/"+cpuDir+"/cpu0/cpufreq/cpuinfo_max_freq: missing (no cpufreq driver)")
	}

	online, err := r.t.line(cpuDir + "/online")
	var cpus []int
	if err == nil {
		cpus, err = parseList(online)
	}
	if err != nil {
		r.unknown("cpu.logical", reason(cpuDir+"/online", err))
		for _, i := range info {
			cpus = append(cpus, i.Processor)
		}
		sort.Ints(cpus)
	}

	numa := r.numaCPUs()
	type coreKey struct{ socket, coreID int }
	cores := map[coreKey][]int{} // core -> its CPUs
	sockets := map[int]bool{}
	c.Logical = []LogicalCPU{}
	for _, n := range cpus {
		topo := fmt.Sprintf("%s/cpu%d/topology/", cpuDir, n)
		l := LogicalCPU{CPU: n, NUMANode: -1}
		pkg, ok1 := r.readInt(fmt.Sprintf("cpu.logical[%d].socket", n), topo+"physical_package_id")
		core, ok2 := r.readInt(fmt.Sprintf("cpu.logical[%d].core", n), topo+"core_id")
		if !ok1 || !ok2 {
			continue
		}
		l.Socket, l.CoreID = int(pkg), int(core)
		if node, ok := numa[n]; ok {
			l.NUMANode = node
		}
		k := coreKey{l.Socket, l.CoreID}
		cores[k] = append(cores[k], n)
		sockets[l.Socket] = true
		c.Logical = append(c.Logical, l)
	}
	// Dense core indexes per socket, and thread indexes per core.
	perSocket := map[int][]int{}
	for k := range cores {
		perSocket[k.socket] = append(perSocket[k.socket], k.coreID)
	}
	for _, ids := range perSocket {
		sort.Ints(ids)
	}
	for i := range c.Logical {
		l := &c.Logical[i]
		l.Core = sort.SearchInts(perSocket[l.Socket], l.CoreID)
		l.Thread = sort.SearchInts(cores[coreKey{l.Socket, l.CoreID}], l.CPU)
	}
	c.Sockets, c.Cores, c.Threads = len(sockets), len(cores), len(c.Logical)
	r.caches(len(c.Logical))
}

// numaCPUs maps each CPU to its NUMA node, from the nodes' cpulist; it
// also fills Facts.NUMANodes with the nodes (memory comes later).
func (r *run) numaCPUs() map[int]int {
	const nodeDir = "sys/devices/system/node"
	out := map[int]int{}
	s, err := r.t.line(nodeDir + "/online")
	var nodes []int
	if err == nil {
		nodes, err = parseList(s)
	}
	if err != nil {
		r.unknown("numa_nodes", "the kernel knows no NUMA node: "+reason(nodeDir+"/online", err))
		return out
	}
	r.f.NUMANodes = []NUMANode{}
	for _, n := range nodes {
		node := NUMANode{Node: n, CPUs: []int{}}
		name := fmt.Sprintf("%s/node%d/cpulist", nodeDir, n)
		s, err := r.t.line(name)
		var cpus []int
		if err == nil {
			cpus, err = parseList(s)
		}
		if err != nil {
			r.unknown(fmt.Sprintf("numa_nodes[%d].cpus", n), reason(name, err))
		}
		for _, c := range cpus {
			out[c] = n
			node.CPUs = append(node.CPUs, c)
		}
		r.f.NUMANodes = append(r.f.NUMANodes, node)
	}
	return out
}

// caches reads cpu0's caches.
func (r *run) caches(ncpu int) {
	dir := cpuDir + "/cpu0/cache"
	names, err := r.t.list(dir)
	if err != nil {
		r.unknown("cpu.caches", reason(dir, err)+" (the hypervisor or kernel exposes no cache information)")
		return
	}
	r.f.CPU.Caches = []Cache{}
	for _, n := range names {
		if !strings.HasPrefix(n, "index") {
			continue
		}
		d := dir + "/" + n + "/"
		fact := "cpu.caches." + n
		level, ok1 := r.readInt(fact, d+"level")
		typ, ok2 := r.readLine(fact, d+"type")
		size, ok3 := r.readLine(fact, d+"size")
		if !ok1 || !ok2 || !ok3 {
			continue
		}
		kib, err := parseSizeKiB(size)
		if err != nil {
			r.unknown(fact, "/"+d+"size: "+err.Error())
			continue
		}
		c := Cache{Level: int(level), Type: typ, SizeKiB: kib}
		if s, err := r.t.line(d + "shared_cpu_list"); err == nil {
			c.SharedCPUs = s
			if l, err := parseList(s); err == nil && len(l) > 0 {
				c.Instances = (ncpu + len(l) - 1) / len(l)
			}
		}
		r.f.CPU.Caches = append(r.f.CPU.Caches, c)
	}
}
