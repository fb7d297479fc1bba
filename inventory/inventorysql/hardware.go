package inventorysql

import (
	"context"
	"slices"
	"time"

	"github.com/edgeflock/flock/inventory"
)

// NUMA nodes, CPUs and memory.

func (c conn) nodes(ctx context.Context, hostID int64) ([]inventory.Node, error) {
	w, args := byHost("t", hostID)
	return list[inventory.Node](ctx, c, `SELECT t.id, t.body FROM inv_node t`+w+` ORDER BY t.host_id, t.numa_node`, args...)
}

func (c conn) cpus(ctx context.Context, hostID int64) ([]inventory.CPU, error) {
	w, args := byHost("t", hostID)
	rows, err := c.query(ctx, `SELECT t.id, t.uuid, h.uuid, t.cpu, t.numa_node, t.core, t.thread, t.cpu_family, t.cpu_model,
		t.allocated_function, t.created_at FROM inv_cpu t JOIN inv_host h ON h.id = t.host_id`+w+` ORDER BY t.host_id, t.cpu`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []inventory.CPU{}
	for rows.Next() {
		var v inventory.CPU
		var created int64
		if err := rows.Scan(&v.ID, &v.UUID, &v.HostUUID, &v.CPU, &v.NumaNode, &v.Core, &v.Thread, &v.CPUFamily, &v.CPUModel,
			&v.AllocatedFunction, &created); err != nil {
			return nil, err
		}
		v.CreatedAt = time.UnixMicro(created).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// putCPU writes a CPU's row (new if its ID is 0).
func (c conn) putCPU(ctx context.Context, hostID int64, v *inventory.CPU) error {
	if v.ID != 0 {
		_, err := c.exec(ctx, `UPDATE inv_cpu SET numa_node = ?, core = ?, thread = ?, cpu_family = ?, cpu_model = ?, allocated_function = ? WHERE id = ?`,
			v.NumaNode, v.Core, v.Thread, v.CPUFamily, v.CPUModel, string(v.AllocatedFunction), v.ID)
		return err
	}
	id, err := c.insert(ctx, `INSERT INTO inv_cpu (uuid, host_id, cpu, numa_node, core, thread, cpu_family, cpu_model, allocated_function, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.UUID, hostID, v.CPU, v.NumaNode, v.Core, v.Thread, v.CPUFamily, v.CPUModel,
		string(v.AllocatedFunction), v.CreatedAt.UnixMicro())
	v.ID = id
	return err
}

func (c conn) memory(ctx context.Context, hostID int64) ([]inventory.Memory, error) {
	w, args := byHost("t", hostID)
	return list[inventory.Memory](ctx, c, `SELECT t.id, t.body FROM inv_memory t`+w+` ORDER BY t.host_id, t.numa_node`, args...)
}

// hostList reads one host's records with fn.
func hostList[T any](ctx context.Context, m *Manager, op, host string, fn func(conn, context.Context, int64) ([]T, error)) ([]T, error) {
	c, err := m.read()
	if err != nil {
		return nil, err
	}
	h, err := c.host(ctx, host)
	if err != nil {
		return nil, wrap(op, err)
	}
	out, err := fn(c, ctx, h.ID)
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// ListNodes returns a host's NUMA nodes.
func (m *Manager) ListNodes(ctx context.Context, host string) ([]inventory.Node, error) {
	return hostList(ctx, m, "list nodes", host, conn.nodes)
}

// ListCPUs returns a host's logical CPUs, by cpu number.
func (m *Manager) ListCPUs(ctx context.Context, host string) ([]inventory.CPU, error) {
	return hostList(ctx, m, "list cpus", host, conn.cpus)
}

// ListMemory returns a host's memory, one record per NUMA node.
func (m *Manager) ListMemory(ctx context.Context, host string) ([]inventory.Memory, error) {
	return hostList(ctx, m, "list memory", host, conn.memory)
}

// cpuOrder is the order functions take a processor's physical cores
// in, as sysinv allocates them: platform first, application last.
var cpuOrder = [...]inventory.CPUFunction{inventory.CPUPlatform, inventory.CPUVswitch, inventory.CPUShared, inventory.CPUApplicationIsolated}

// ModifyCPUs reassigns a locked host's cores (host-cpu-modify): on each
// processor of m.Cores, that many physical cores (with their
// hyperthreads) get m.Function; the processor's cores are then allocated
// in sysinv's order — platform, vswitch, shared, application-isolated
// from the first core up — and the rest are Application. At least one
// platform core must remain on NUMA node 0.
func (m *Manager) ModifyCPUs(ctx context.Context, host string, mod inventory.CPUModify) ([]inventory.CPU, error) {
	const op = "modify cpus"
	switch mod.Function {
	case inventory.CPUPlatform, inventory.CPUVswitch, inventory.CPUShared, inventory.CPUApplicationIsolated:
	case "":
		return nil, wrap(op, inventory.Fieldf("function", "is required"))
	default:
		return nil, wrap(op, inventory.Fieldf("function", "%q is not one of Platform, Vswitch, Shared, Application-isolated", mod.Function))
	}
	switch {
	case len(mod.Cores) > 0 && len(mod.CPUs) > 0:
		return nil, wrap(op, inventory.Fieldf("cpulist", "give cores per processor or a CPU list, not both"))
	case len(mod.CPUs) > 0:
		seen := map[int]bool{}
		for _, n := range mod.CPUs {
			if n < 0 || seen[n] {
				return nil, wrap(op, inventory.Fieldf("cpulist", "CPU %d is negative or named twice", n))
			}
			seen[n] = true
		}
	case len(mod.Cores) == 0:
		return nil, wrap(op, inventory.Fieldf("cores", "name at least one processor"))
	}
	for p, n := range mod.Cores {
		if p < 0 || n < 0 {
			return nil, wrap(op, inventory.Fieldf("cores", "processor %d: %d cores is not valid", p, n))
		}
	}
	var out []inventory.CPU
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		h, err := c.host(ctx, host)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the CPU functions"); err != nil {
			return err
		}
		cpus, err := c.cpus(ctx, h.ID)
		if err != nil {
			return err
		}
		// Physical cores of each processor, ascending, and the function
		// each has now (its first thread's).
		cores := map[int][]int{}
		current := map[[2]int]inventory.CPUFunction{}
		for _, cpu := range cpus {
			k := [2]int{cpu.NumaNode, cpu.Core}
			if _, ok := current[k]; !ok {
				cores[cpu.NumaNode] = append(cores[cpu.NumaNode], cpu.Core)
				current[k] = cpu.AllocatedFunction
			}
		}
		if len(mod.CPUs) > 0 {
			return c.modifyCPUList(ctx, fx, h, cpus, mod, &out)
		}
		want := map[[2]int]inventory.CPUFunction{}
		for p, n := range mod.Cores {
			list := cores[p]
			if list == nil {
				return inventory.Fieldf("cores", "host %s has no processor %d", hostLabel(h), p)
			}
			if n > len(list) {
				return inventory.Fieldf("cores", "processor %d has %d physical cores, fewer than the %d asked for", p, len(list), n)
			}
			slices.Sort(list)
			count := map[inventory.CPUFunction]int{}
			for _, core := range list {
				count[current[[2]int{p, core}]]++
			}
			count[mod.Function] = n
			total := 0
			for _, f := range cpuOrder {
				total += count[f]
			}
			if total > len(list) {
				return inventory.Fieldf("cores", "processor %d has %d physical cores, fewer than the %d asked for", p, len(list), total)
			}
			i := 0
			for _, f := range cpuOrder {
				for range count[f] {
					want[[2]int{p, list[i]}] = f
					i++
				}
			}
			for ; i < len(list); i++ {
				want[[2]int{p, list[i]}] = inventory.CPUApplication
			}
		}
		platform0 := false
		for i := range cpus {
			cpu := &cpus[i]
			if f, ok := want[[2]int{cpu.NumaNode, cpu.Core}]; ok {
				cpu.AllocatedFunction = f
			}
			if cpu.NumaNode == 0 && cpu.AllocatedFunction == inventory.CPUPlatform {
				platform0 = true
			}
		}
		if len(cpus) > 0 && !platform0 {
			return inventory.Rulef(inventory.RulePlatformCore, "host %s needs at least one platform core on processor 0", hostLabel(h))
		}
		for _, cpu := range cpus {
			if _, ok := want[[2]int{cpu.NumaNode, cpu.Core}]; !ok {
				continue
			}
			if err := c.putCPU(ctx, h.ID, &cpu); err != nil {
				return err
			}
		}
		if err := c.reconfigure(ctx, fx, []int64{h.ID}); err != nil {
			return err
		}
		out = cpus
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// modifyCPUList gives mod.Function to exactly the logical CPUs mod.CPUs
// names; the host's other CPUs that had it become Application CPUs.
func (c conn) modifyCPUList(ctx context.Context, fx *effects, h hostBody, cpus []inventory.CPU, mod inventory.CPUModify, out *[]inventory.CPU) error {
	byNumber := map[int]int{}
	for i, cpu := range cpus {
		byNumber[cpu.CPU] = i
	}
	listed := map[int]bool{}
	for _, n := range mod.CPUs {
		if _, ok := byNumber[n]; !ok {
			return inventory.Fieldf("cpulist", "host %s has no CPU %d", hostLabel(h), n)
		}
		listed[n] = true
	}
	changed := map[int]bool{}
	platform0 := false
	for i := range cpus {
		cpu := &cpus[i]
		switch {
		case listed[cpu.CPU] && cpu.AllocatedFunction != mod.Function:
			cpu.AllocatedFunction = mod.Function
			changed[i] = true
		case !listed[cpu.CPU] && cpu.AllocatedFunction == mod.Function:
			cpu.AllocatedFunction = inventory.CPUApplication
			changed[i] = true
		}
		if cpu.NumaNode == 0 && cpu.AllocatedFunction == inventory.CPUPlatform {
			platform0 = true
		}
	}
	if len(cpus) > 0 && !platform0 {
		return inventory.Rulef(inventory.RulePlatformCore, "host %s needs at least one platform core on processor 0", hostLabel(h))
	}
	for i := range cpus {
		if changed[i] {
			if err := c.putCPU(ctx, h.ID, &cpus[i]); err != nil {
				return err
			}
		}
	}
	if err := c.reconfigure(ctx, fx, []int64{h.ID}); err != nil {
		return err
	}
	*out = cpus
	return nil
}

// ModifyMemory changes one NUMA node's memory of a locked host: the
// platform reservation, and the hugepages asked for (applied on the next
// unlock). Hugepages must fit the node's memory after the reservation:
// 2M pages × 2 MiB + 1G pages × 1024 MiB + the vswitch's pages ≤
// node_memtotal_mib − platform_reserved_mib.
func (m *Manager) ModifyMemory(ctx context.Context, host string, numaNode int, u inventory.MemoryUpdate) (inventory.Memory, error) {
	const op = "modify memory"
	for f, p := range map[string]*int{
		"platform_reserved_mib":      u.PlatformReservedMiB,
		"vm_hugepages_nr_2M_pending": u.VMHugepagesNr2M,
		"vm_hugepages_nr_1G_pending": u.VMHugepagesNr1G,
		"vswitch_hugepages_reqd":     u.VswitchHugepagesReqd,
	} {
		if p != nil && *p < 0 {
			return inventory.Memory{}, wrap(op, inventory.Fieldf(f, "must not be negative"))
		}
	}
	if u.VswitchHugepagesSizeMiB != nil && *u.VswitchHugepagesSizeMiB != 2 && *u.VswitchHugepagesSizeMiB != 1024 {
		return inventory.Memory{}, wrap(op, inventory.Fieldf("vswitch_hugepages_size_mib", "%d is not 2 or 1024", *u.VswitchHugepagesSizeMiB))
	}
	if numaNode < 0 {
		return inventory.Memory{}, wrap(op, inventory.Fieldf("numa_node", "must not be negative"))
	}
	var out inventory.Memory
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		h, err := c.host(ctx, host)
		if err != nil {
			return err
		}
		if err := requireLocked(h, "the memory"); err != nil {
			return err
		}
		mem, err := one[inventory.Memory](ctx, c, `SELECT id, body FROM inv_memory WHERE host_id = ? AND numa_node = ?`, h.ID, numaNode)
		if err != nil {
			return notFoundOr(err, "memory of NUMA node", itoa(numaNode))
		}
		total := mem.NodeMemTotalMiB
		if total == 0 {
			total = mem.MemTotalMiB + mem.PlatformReservedMiB
		}
		if u.PlatformReservedMiB != nil {
			mem.PlatformReservedMiB = *u.PlatformReservedMiB
		}
		if u.VMHugepagesNr2M != nil {
			mem.VMHugepagesNr2MPending = ptr(*u.VMHugepagesNr2M)
		}
		if u.VMHugepagesNr1G != nil {
			mem.VMHugepagesNr1GPending = ptr(*u.VMHugepagesNr1G)
		}
		if u.VswitchHugepagesReqd != nil {
			mem.VswitchHugepagesReqd = ptr(*u.VswitchHugepagesReqd)
		}
		if u.VswitchHugepagesSizeMiB != nil {
			mem.VswitchHugepagesSizeMiB = *u.VswitchHugepagesSizeMiB
		}
		if err := hugepagesFit(mem, total); err != nil {
			return err
		}
		if _, err := c.exec(ctx, `UPDATE inv_memory SET body = ? WHERE id = ?`, body(mem), mem.ID); err != nil {
			return err
		}
		if err := c.reconfigure(ctx, fx, []int64{h.ID}); err != nil {
			return err
		}
		out = mem
		return nil
	})
	return out, err
}

// hugepagesFit checks the hugepages asked for on a node fit its memory
// after the platform reservation.
func hugepagesFit(mem inventory.Memory, total int) error {
	orVal := func(p *int, v int) int {
		if p != nil {
			return *p
		}
		return v
	}
	p2m := orVal(mem.VMHugepagesNr2MPending, mem.VMHugepagesNr2M)
	p1g := orVal(mem.VMHugepagesNr1GPending, mem.VMHugepagesNr1G)
	vsPages := orVal(mem.VswitchHugepagesReqd, mem.VswitchHugepagesNr)
	avail := total - mem.PlatformReservedMiB
	if avail < 0 {
		return inventory.Rulef(inventory.RuleHugepagesFit, "the platform reservation of %d MiB exceeds NUMA node %d's %d MiB", mem.PlatformReservedMiB, mem.NumaNode, total)
	}
	// Every page is at least 1 MiB: a count above the MiB left cannot
	// fit, and refusing it first keeps the products below from
	// overflowing.
	if p2m > avail || p1g > avail || vsPages > avail || mem.VswitchHugepagesSizeMiB > 1<<20 {
		return inventory.Rulef(inventory.RuleHugepagesFit,
			"hugepages (2M: %d, 1G: %d, vswitch: %d of %d MiB) do not fit the %d MiB of NUMA node %d left after the platform reservation",
			p2m, p1g, vsPages, mem.VswitchHugepagesSizeMiB, avail, mem.NumaNode)
	}
	vs := vsPages * mem.VswitchHugepagesSizeMiB
	if need := p2m*2 + p1g*1024 + vs; need > avail {
		return inventory.Rulef(inventory.RuleHugepagesFit,
			"hugepages of %d MiB (2M: %d, 1G: %d, vswitch: %d MiB) do not fit the %d MiB of NUMA node %d left after the platform reservation",
			need, p2m, p1g, vs, avail, mem.NumaNode)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
