package hwdiscovery

import (
	"fmt"
	"strings"
)

// memory reads the machine's and each NUMA node's memory.
func (r *run) memory() {
	m := &r.f.Memory
	if s, err := r.t.read("proc/meminfo"); err != nil {
		r.unknown("memory", reason("proc/meminfo", err))
	} else {
		mi := parseMeminfo(s)
		m.TotalKiB = r.kib(mi, "MemTotal", "memory.total_kib")
		m.FreeKiB = r.kib(mi, "MemFree", "memory.free_kib")
		m.AvailableKiB = r.kib(mi, "MemAvailable", "memory.available_kib")
	}
	m.InstalledBytes = r.installed()
	m.Hugepages2M = r.hugepages("memory.hugepages_2m", "sys/kernel/mm/hugepages/hugepages-2048kB")
	m.Hugepages1G = r.hugepages("memory.hugepages_1g", "sys/kernel/mm/hugepages/hugepages-1048576kB")
	for i := range r.f.NUMANodes {
		n := &r.f.NUMANodes[i]
		dir := fmt.Sprintf("sys/devices/system/node/node%d", n.Node)
		fact := fmt.Sprintf("numa_nodes[%d]", n.Node)
		if s, err := r.t.read(dir + "/meminfo"); err != nil {
			r.unknown(fact+".memory", reason(dir+"/meminfo", err))
		} else {
			mi := parseMeminfo(s)
			n.TotalKiB = r.kib(mi, "MemTotal", fact+".total_kib")
			n.FreeKiB = r.kib(mi, "MemFree", fact+".free_kib")
		}
		n.Hugepages2M = r.hugepages(fact+".hugepages_2m", dir+"/hugepages/hugepages-2048kB")
		n.Hugepages1G = r.hugepages(fact+".hugepages_1g", dir+"/hugepages/hugepages-1048576kB")
	}
}

func (r *run) kib(mi map[string]int64, key, fact string) *int64 {
	v, ok := mi[key]
	if !ok {
		r.unknown(fact, "meminfo has no "+key)
		return nil
	}
	return &v
}

// hugepages reads a hugepage pool; a size the machine does not support
// has no directory.
func (r *run) hugepages(fact, dir string) *Hugepages {
	if !r.t.has(dir) {
		r.unknown(fact, "/"+dir+": missing (the CPU or kernel does not offer this page size)")
		return nil
	}
	total, ok1 := r.readInt(fact, dir+"/nr_hugepages")
	free, ok2 := r.readInt(fact, dir+"/free_hugepages")
	if !ok1 || !ok2 {
		return nil
	}
	return &Hugepages{Total: int(total), Free: int(free)}
}

// installed counts the memory blocks.
func (r *run) installed() *int64 {
	const dir = "sys/devices/system/memory"
	s, ok := r.readLine("memory.installed_bytes", dir+"/block_size_bytes")
	if !ok {
		return nil
	}
	size, err := parseHex(s, 64)
	if err != nil || size == 0 || size > 1<<40 {
		r.unknown("memory.installed_bytes", "/"+dir+"/block_size_bytes: "+s+" is not a size")
		return nil
	}
	names, err := r.t.list(dir)
	if err != nil {
		r.unknown("memory.installed_bytes", reason(dir, err))
		return nil
	}
	n := int64(0)
	for _, name := range names {
		if strings.HasPrefix(name, "memory") {
			n++
		}
	}
	v := n * int64(size)
	return &v
}
