package main

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgeflock/flock/inventory"
)

// hardwareCommands are the system CLI's verbs over a host's CPUs,
// memory, disks, partitions, volume groups, physical volumes and ports.
func hardwareCommands(g *globals) []*cobra.Command {
	cpuList := &cobra.Command{
		Use:   "host-cpu-list HOST",
		Short: "List a host's logical CPUs",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			cs, err := s.ListCPUs(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return g.printCPUs(cs)
		}),
	}
	memList := &cobra.Command{
		Use:   "host-memory-list HOST",
		Short: "List a host's memory, one row per processor (NUMA node)",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			ms, err := s.ListMemory(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			slices.SortStableFunc(ms, func(a, b inventory.Memory) int { return cmp.Compare(a.NumaNode, b.NumaNode) })
			t := table{header: []string{"processor", "mem_total(MiB)", "mem_platform(MiB)", "mem_avail(MiB)",
				"hugepages(hp)_configured", "vs_hp_size(MiB)", "vs_hp_total", "vs_hp_avail", "vs_hp_reqd",
				"app_total_4K", "app_hp_as_percentage", "app_hp_total_2M", "app_hp_avail_2M", "app_hp_pending_2M",
				"app_hp_total_1G", "app_hp_avail_1G", "app_hp_pending_1G", "app_hp_use_1G"}}
			for _, m := range ms {
				t.rows = append(t.rows, []string{itoa(m.NumaNode), itoa(m.MemTotalMiB), itoa(m.PlatformReservedMiB),
					itoa(m.MemAvailMiB), pyBool(m.HugepagesConfigured), itoa(m.VswitchHugepagesSizeMiB),
					itoa(m.VswitchHugepagesNr), itoa(m.VswitchHugepagesAvail), intOrNone(m.VswitchHugepagesReqd),
					itoa(m.VMHugepagesNr4K), "False", itoa(m.VMHugepagesNr2M), itoa(m.VMHugepagesAvail2M),
					intOrNone(m.VMHugepagesNr2MPending), itoa(m.VMHugepagesNr1G), itoa(m.VMHugepagesAvail1G),
					intOrNone(m.VMHugepagesNr1GPending), pyBool(m.VMHugepagesUse1G)})
			}
			if ms == nil {
				ms = []inventory.Memory{}
			}
			return g.print(ms, t)
		}),
	}
	diskList := &cobra.Command{
		Use:   "host-disk-list HOST",
		Short: "List a host's disks",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			ds, err := s.ListDisks(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			slices.SortStableFunc(ds, func(a, b inventory.Disk) int { return cmp.Compare(a.DeviceNode, b.DeviceNode) })
			t := table{header: []string{"uuid", "device_node", "device_num", "device_type", "size_gib",
				"available_gib", "rpm", "serial_id", "device_path"}}
			for _, d := range ds {
				t.rows = append(t.rows, []string{d.UUID, d.DeviceNode, itoa(d.DeviceNum), string(d.DeviceType),
					gib(d.SizeMiB), gib(d.AvailableMiB), orNone(d.RPM), orNone(d.SerialID), d.DevicePath})
			}
			if ds == nil {
				ds = []inventory.Disk{}
			}
			return g.print(ds, t)
		}),
	}
	portList := &cobra.Command{
		Use:   "host-port-list HOST",
		Short: "List a host's Ethernet ports",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			ps, err := s.ListPorts(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			slices.SortStableFunc(ps, func(a, b inventory.Port) int { return cmp.Compare(a.Name, b.Name) })
			t := table{header: []string{"uuid", "name", "type", "pci address", "device", "processor", "accelerated", "device type"}}
			for _, p := range ps {
				// Every port Flock records is an Ethernet port; it keeps no
				// PCI device id (the system CLI's "device" column).
				t.rows = append(t.rows, []string{p.UUID, p.Name, "ethernet", p.PCIAddr, "", itoa(p.NumaNode),
					pyBool(p.DPDKSupport), p.PDevice})
			}
			if ps == nil {
				ps = []inventory.Port{}
			}
			return g.print(ps, t)
		}),
	}
	cmds := []*cobra.Command{cpuList, cpuModifyCommand(g), memList, memoryModifyCommand(g), diskList, portList}
	cmds = append(cmds, partitionCommands(g)...)
	return append(cmds, lvmCommands(g)...)
}

// cpuFunctionLabel is the system CLI's name of a CPU function.
func cpuFunctionLabel(f inventory.CPUFunction) string {
	switch f {
	case inventory.CPUVswitch:
		return "vSwitch"
	case "":
		return "unknown(None)"
	}
	return string(f)
}

func (g *globals) printCPUs(cs []inventory.CPU) error {
	slices.SortStableFunc(cs, func(a, b inventory.CPU) int { return cmp.Compare(a.CPU, b.CPU) })
	t := table{header: []string{"uuid", "log_core", "processor", "phy_core", "thread", "processor_model", "assigned_function"}}
	for _, c := range cs {
		t.rows = append(t.rows, []string{c.UUID, itoa(c.CPU), itoa(c.NumaNode), itoa(c.Core), itoa(c.Thread),
			c.CPUModel, cpuFunctionLabel(c.AllocatedFunction)})
	}
	if cs == nil {
		cs = []inventory.CPU{}
	}
	return g.print(cs, t)
}

// cpuModifyCommand is host-cpu-modify HOST -f FUNCTION -p0 N [-p1 N...].
func cpuModifyCommand(g *globals) *cobra.Command {
	var function, cpulist string
	var cores [4]int
	cmd := &cobra.Command{
		Use:   "host-cpu-modify HOST -f FUNCTION -p0 N [-p1 N] [-p2 N] [-p3 N]",
		Short: "Assign physical cores of a locked host to a function",
		Long: `Assign physical cores of a locked host to a function: -pN gives the
number of physical cores of processor (NUMA node) N. -p0..-p3 are also
spelt --p0..--p3 and --num_cores_on_processor0..3. Or -c names the
logical CPUs to give the function (0-3,8); the host's other CPUs that had
it become application CPUs.`,
		Args: cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			fn := strings.ToLower(function)
			if !slices.Contains([]string{"vswitch", "shared", "platform", "application-isolated"}, fn) {
				return fmt.Errorf("--function: %q is not one of vswitch, shared, platform, application-isolated", function)
			}
			f, err := inventory.ParseCPUFunction(fn)
			if err != nil {
				return fmt.Errorf("--function: %w", err)
			}
			m := inventory.CPUModify{Function: f, Cores: map[int]int{}}
			for i := range cores {
				for _, name := range []string{"p" + strconv.Itoa(i), "num_cores_on_processor" + strconv.Itoa(i)} {
					if cmd.Flags().Changed(name) {
						m.Cores[i] = cores[i]
					}
				}
			}
			switch {
			case cpulist != "" && len(m.Cores) > 0:
				return fmt.Errorf("not allowed to specify both -c and -pX options")
			case cpulist != "":
				if m.CPUs, err = inventory.ParseCPUList(cpulist); err != nil {
					return fmt.Errorf("--cpulist: %w", err)
				}
			case len(m.Cores) == 0:
				return fmt.Errorf("number of cores on processor (socket) not provided: give -p0..-p3")
			}
			cs, err := s.ModifyCPUs(cmd.Context(), args[0], m)
			if err != nil {
				return err
			}
			return g.printCPUs(cs)
		}),
	}
	f := cmd.Flags()
	f.StringVarP(&function, "function", "f", "", "vswitch, shared, platform or application-isolated")
	f.StringVarP(&cpulist, "cpulist", "c", "", "the logical CPUs to give the function (0-3,8)")
	alias := map[string]string{}
	for i := range cores {
		n := strconv.Itoa(i)
		f.IntVar(&cores[i], "num_cores_on_processor"+n, 0, "physical cores of processor "+n+" (-p"+n+")")
		f.IntVar(&cores[i], "p"+n, 0, "physical cores of processor "+n)
		_ = f.MarkHidden("num_cores_on_processor" + n)
		alias["-p"+n] = "--p" + n
	}
	_ = cmd.MarkFlagRequired("function")
	singleDashFlags(cmd, alias)
	return cmd
}

// memoryModifyCommand is host-memory-modify HOST PROCESSOR [-m MiB]
// [-2M N] [-1G N] [-f vswitch|application].
func memoryModifyCommand(g *globals) *cobra.Command {
	var platform, hp2M, hp1G, function string
	cmd := &cobra.Command{
		Use:   "host-memory-modify HOST PROCESSOR [-m MiB] [-2M N] [-1G N] [-f vswitch|application]",
		Short: "Change a locked host's platform memory and huge pages on one processor",
		Long: `Change a locked host's platform reserved memory (-m, MiB) and the huge
pages of one processor (NUMA node): -2M and -1G are page counts for the
applications (-f application, the default) or vSwitch's pages (-f vswitch,
one of the two). -2M and -1G are also spelt --2M and --1G. Percentages
("50%") are not supported.`,
		Args: cobra.ExactArgs(2),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			node, err := atoi("processor", args[1])
			if err != nil {
				return err
			}
			if function != "application" && function != "vswitch" {
				return fmt.Errorf("--function: %q is not one of vswitch, application", function)
			}
			var u inventory.MemoryUpdate
			changed := false
			num := func(flag, v string) (*int, error) {
				if strings.HasSuffix(v, "%") {
					return nil, fmt.Errorf("%s %s: percentages are not supported: %s", flag, v, noInv("percentage huge page requests"))
				}
				n, err := atoi(flag, v)
				if err != nil {
					return nil, err
				}
				changed = true
				return &n, nil
			}
			fl := cmd.Flags()
			if fl.Changed("platform_reserved_mib") {
				if u.PlatformReservedMiB, err = num("-m", platform); err != nil {
					return err
				}
			}
			got2M := fl.Changed("hugepages_nr_2M_pending") || fl.Changed("2M")
			got1G := fl.Changed("hugepages_nr_1G_pending") || fl.Changed("1G")
			if function == "vswitch" {
				if got2M && got1G {
					return fmt.Errorf("-f vswitch: give one of -2M and -1G (vSwitch uses one page size)")
				}
				size, v, flag := 2, hp2M, "-2M"
				if got1G {
					size, v, flag = 1024, hp1G, "-1G"
				}
				if got2M || got1G {
					if u.VswitchHugepagesReqd, err = num(flag, v); err != nil {
						return err
					}
					u.VswitchHugepagesSizeMiB = &size
				}
			} else {
				if got2M {
					if u.VMHugepagesNr2M, err = num("-2M", hp2M); err != nil {
						return err
					}
				}
				if got1G {
					if u.VMHugepagesNr1G, err = num("-1G", hp1G); err != nil {
						return err
					}
				}
			}
			if !changed {
				return nil // as the system CLI: nothing to change, nothing sent
			}
			m, err := s.ModifyMemory(cmd.Context(), args[0], node, u)
			if err != nil {
				return err
			}
			kv := [][2]string{
				{"Memory: Usable Total (MiB)", itoa(m.MemTotalMiB)},
				{"        Platform     (MiB)", itoa(m.PlatformReservedMiB)},
				{"        Available    (MiB)", itoa(m.MemAvailMiB)},
				{"Huge Pages Configured", pyBool(m.HugepagesConfigured)},
				{"vSwitch Huge Pages: Size (MiB)", itoa(m.VswitchHugepagesSizeMiB)},
				{"                    Total", itoa(m.VswitchHugepagesNr)},
				{"                    Available", itoa(m.VswitchHugepagesAvail)},
				{"                    Required", intOrNone(m.VswitchHugepagesReqd)},
				{"Application  Pages (4K): Total", itoa(m.VMHugepagesNr4K)},
				{"Application  Huge Pages (2M): Total", itoa(m.VMHugepagesNr2M)},
			}
			if m.VMHugepagesNr2MPending != nil {
				kv = append(kv, [2]string{"                Total Pending", intOrNone(m.VMHugepagesNr2MPending)})
			}
			kv = append(kv, [2]string{"                Available", itoa(m.VMHugepagesAvail2M)},
				[2]string{"Application  Huge Pages (1G): Total", itoa(m.VMHugepagesNr1G)})
			if m.VMHugepagesNr1GPending != nil {
				kv = append(kv, [2]string{"                Total Pending", intOrNone(m.VMHugepagesNr1GPending)})
			}
			kv = append(kv, [2]string{"                Available", itoa(m.VMHugepagesAvail1G)},
				[2]string{"uuid", m.UUID}, [2]string{"ihost_uuid", m.HostUUID}, [2]string{"created_at", when(m.CreatedAt)})
			return g.fields(m, kv)
		}),
	}
	f := cmd.Flags()
	f.StringVarP(&platform, "platform_reserved_mib", "m", "", "platform reserved memory of the processor, MiB")
	f.StringVar(&hp2M, "hugepages_nr_2M_pending", "", "2M huge pages (-2M)")
	f.StringVar(&hp1G, "hugepages_nr_1G_pending", "", "1G huge pages (-1G)")
	f.StringVar(&hp2M, "2M", "", "number of 2M huge pages")
	f.StringVar(&hp1G, "1G", "", "number of 1G huge pages")
	_ = f.MarkHidden("hugepages_nr_2M_pending")
	_ = f.MarkHidden("hugepages_nr_1G_pending")
	f.StringVarP(&function, "function", "f", "application", "whose huge pages: application or vswitch")
	singleDashFlags(cmd, map[string]string{"-2M": "--2M", "-1G": "--1G"})
	return cmd
}

// partitionCommands are host-disk-partition-add/list/modify/delete.
func partitionCommands(g *globals) []*cobra.Command {
	var disk string
	list := &cobra.Command{
		Use:   "host-disk-partition-list HOST [--disk DISK]",
		Short: "List a host's disk partitions",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			diskUUID := ""
			if disk != "" {
				d, err := findDisk(cmd.Context(), s, args[0], disk)
				if err != nil {
					return fmt.Errorf("--disk: %w", err)
				}
				diskUUID = d.UUID
			}
			ps, err := s.ListPartitions(cmd.Context(), args[0], diskUUID)
			if err != nil {
				return err
			}
			slices.SortStableFunc(ps, func(a, b inventory.Partition) int { return cmp.Compare(a.DevicePath, b.DevicePath) })
			t := table{header: []string{"uuid", "device_path", "device_node", "type_guid", "type_name", "size_gib", "status"}}
			for _, p := range ps {
				t.rows = append(t.rows, []string{p.UUID, p.DevicePath, p.DeviceNode, p.TypeGUID, orNone(p.TypeName),
					gib(p.SizeMiB), p.Status.String()})
			}
			if ps == nil {
				ps = []inventory.Partition{}
			}
			return g.print(ps, t)
		}),
	}
	list.Flags().StringVar(&disk, "disk", "", "only this disk's partitions (uuid, device node or path)")

	var ptype string
	add := &cobra.Command{
		Use:   "host-disk-partition-add HOST DISK SIZE_GIB [-t lvm_phys_vol]",
		Short: "Add a partition to a host's disk (by device node, path or uuid)",
		Args:  cobra.ExactArgs(3),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			size, err := strconv.Atoi(args[2])
			if err != nil || size <= 0 {
				return fmt.Errorf("partition size must be an integer greater than 0: %s", args[2])
			}
			if ptype != "lvm_phys_vol" {
				return fmt.Errorf("--partition_type: %q is not one of lvm_phys_vol", ptype)
			}
			d, err := findDisk(cmd.Context(), s, args[0], args[1])
			if err != nil {
				return err
			}
			p, err := s.AddPartition(cmd.Context(), args[0], inventory.PartitionSpec{
				DiskUUID: d.UUID, SizeMiB: size * 1024, TypeGUID: inventory.LVMPartitionType})
			if err != nil {
				return err
			}
			return g.showPartition(p)
		}),
	}
	add.Flags().StringVarP(&ptype, "partition_type", "t", "lvm_phys_vol", "partition type: lvm_phys_vol")

	var newSize string
	modify := &cobra.Command{
		Use:   "host-disk-partition-modify HOST PARTITION -s SIZE_GIB",
		Short: "Grow the last partition of a disk (by device path or uuid)",
		Args:  cobra.ExactArgs(2),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			if !cmd.Flags().Changed("size_gib") {
				return fmt.Errorf("no update parameters specified, partition is unchanged")
			}
			size, err := strconv.Atoi(newSize)
			if err != nil || size <= 0 {
				return fmt.Errorf("--size_gib: partition size must be an integer greater than 0: %s", newSize)
			}
			p, err := findPartition(cmd.Context(), s, args[0], args[1])
			if err != nil {
				return err
			}
			if p, err = s.ModifyPartition(cmd.Context(), p.UUID, size*1024); err != nil {
				return err
			}
			return g.showPartition(p)
		}),
	}
	modify.Flags().StringVarP(&newSize, "size_gib", "s", "", "new size of the partition, GiB")

	del := yesFlag(&cobra.Command{
		Use:   "host-disk-partition-delete HOST PARTITION",
		Short: "Delete the last partition of a disk (by device path or uuid)",
		Args:  cobra.ExactArgs(2),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			p, err := findPartition(cmd.Context(), s, args[0], args[1])
			if err != nil {
				return err
			}
			return s.DeletePartition(cmd.Context(), p.UUID)
		}),
	})
	return []*cobra.Command{add, list, modify, del}
}

func (g *globals) showPartition(p inventory.Partition) error {
	return g.fields(p, [][2]string{
		{"device_path", p.DevicePath}, {"device_node", p.DeviceNode}, {"type_guid", p.TypeGUID},
		{"type_name", orNone(p.TypeName)}, {"start_mib", itoa(p.StartMiB)}, {"end_mib", itoa(p.EndMiB)},
		{"size_mib", itoa(p.SizeMiB)}, {"uuid", p.UUID}, {"ihost_uuid", p.HostUUID}, {"idisk_uuid", p.DiskUUID},
		{"ipv_uuid", orNone(p.PVUUID)}, {"status", p.Status.String()}, {"created_at", when(p.CreatedAt)},
	})
}

// lvgCapability returns a string capability of a volume group.
func lvgCapability(l inventory.LVG, key string) string {
	if v, ok := l.Capabilities[key]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

// onUnlock is the system CLI's note on a pending volume state.
func onUnlock(state inventory.LVGState) string {
	if state == inventory.LVGAdding || state == inventory.LVGRemoving {
		return string(state) + " (on unlock)"
	}
	return string(state)
}

// lvgAvail is a volume group's free bytes, from its free extents.
func lvgAvail(l inventory.LVG) int64 {
	if l.LVMTotalPE == 0 {
		return 0
	}
	return l.LVMVGSize / int64(l.LVMTotalPE) * int64(l.LVMFreePE)
}

// lvmCommands are host-lvg-add/list/delete and host-pv-add/list/delete.
func lvmCommands(g *globals) []*cobra.Command {
	lvgList := &cobra.Command{
		Use:   "host-lvg-list HOST",
		Short: "List a host's LVM volume groups",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			ls, err := s.ListLVGs(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			slices.SortStableFunc(ls, func(a, b inventory.LVG) int { return cmp.Compare(a.UUID, b.UUID) })
			t := table{header: []string{"UUID", "LVG Name", "State", "Function", "Type", "Pool Size", "Access",
				"Total Size (GiB)", "Avail Size (GiB)", "Current PVs", "Current LVs"}}
			for _, l := range ls {
				state := string(l.VGState)
				if lvgCapability(l, "lvm_function") == "" {
					state = onUnlock(l.VGState)
				}
				t.rows = append(t.rows, []string{l.UUID, l.LVMVGName, state, orNone(lvgCapability(l, "lvm_function")),
					orNone(lvgCapability(l, "lvm_type")), orNone(lvgCapability(l, "lvm_pool_size")), l.LVMVGAccess,
					gibBytes(l.LVMVGSize), gibBytes(lvgAvail(l)), itoa(l.LVMCurPV), itoa(l.LVMCurLV)})
			}
			if ls == nil {
				ls = []inventory.LVG{}
			}
			return g.print(ls, t)
		}),
	}
	lvgAdd := &cobra.Command{
		Use:   "host-lvg-add HOST LVG_NAME",
		Short: "Add a volume group (cgts-vg, nova-local, cinder-volumes) to a locked host",
		Args:  cobra.ExactArgs(2),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			l, err := s.AddLVG(cmd.Context(), args[0], strings.ReplaceAll(args[1], " ", ""))
			if err != nil {
				return err
			}
			return g.fields(l, [][2]string{
				{"lvm_vg_name", l.LVMVGName}, {"vg_state", onUnlock(l.VGState)}, {"uuid", l.UUID},
				{"ihost_uuid", l.HostUUID}, {"lvm_vg_access", orNone(l.LVMVGAccess)}, {"lvm_max_lv", itoa(l.LVMMaxLV)},
				{"lvm_cur_lv", itoa(l.LVMCurLV)}, {"lvm_max_pv", itoa(l.LVMMaxPV)}, {"lvm_cur_pv", itoa(l.LVMCurPV)},
				{"lvm_vg_size_gib", gibBytes(l.LVMVGSize)}, {"lvm_vg_avail_size_gib", gibBytes(lvgAvail(l))},
				{"lvm_vg_total_pe", itoa(l.LVMTotalPE)}, {"lvm_vg_free_pe", itoa(l.LVMFreePE)},
				{"created_at", when(l.CreatedAt)}, {"parameters", jsonText(l.Capabilities)},
			})
		}),
	}
	unsupported(lvgAdd.Flags(), noInv("volume group functions (lvm-csi)"),
		[2]string{"lvm_function", "f"}, [2]string{"lvm_type", "t"})
	lvgDel := yesFlag(&cobra.Command{
		Use:   "host-lvg-delete HOST LVG",
		Short: "Delete a volume group (by name, uuid or id) with no physical volume",
		Args:  cobra.ExactArgs(2),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			l, err := findLVG(cmd.Context(), s, args[0], args[1])
			if err != nil {
				return err
			}
			return s.DeleteLVG(cmd.Context(), l.UUID)
		}),
	})

	pvList := &cobra.Command{
		Use:   "host-pv-list HOST",
		Short: "List a host's LVM physical volumes",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			ps, err := s.ListPVs(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			slices.SortStableFunc(ps, func(a, b inventory.PV) int { return cmp.Compare(a.UUID, b.UUID) })
			t := table{header: []string{"uuid", "lvm_pv_name", "disk_or_part_uuid", "disk_or_part_device_node",
				"disk_or_part_device_path", "pv_state", "pv_type", "lvm_vg_name", "ihost_uuid"}}
			for _, p := range ps {
				t.rows = append(t.rows, []string{p.UUID, p.LVMPVName, p.DiskOrPartUUID, p.DiskOrPartDeviceNode,
					p.DiskOrPartDevicePath, onUnlock(p.PVState), string(p.PVType), p.LVMVGName, p.HostUUID})
			}
			if ps == nil {
				ps = []inventory.PV{}
			}
			return g.print(ps, t)
		}),
	}
	pvAdd := &cobra.Command{
		Use:   "host-pv-add HOST LVG DEVICE",
		Short: "Give a disk or partition (by device node, path or uuid) to a volume group",
		Args:  cobra.ExactArgs(3),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			ctx := cmd.Context()
			l, err := findLVG(ctx, s, args[0], args[1])
			if err != nil {
				return err
			}
			dev := ""
			d, err := findDisk(ctx, s, args[0], args[2])
			switch {
			case err == nil:
				dev = d.UUID
			case !errors.Is(err, inventory.ErrNotFound):
				return err
			default:
				p, err := findPartition(ctx, s, args[0], args[2])
				if errors.Is(err, inventory.ErrNotFound) {
					return notFound("no disk or partition found on host '%s' by device path or uuid %s", args[0], args[2])
				} else if err != nil {
					return err
				}
				dev = p.UUID
			}
			p, err := s.AddPV(ctx, args[0], inventory.PVSpec{LVGUUID: l.UUID, DiskOrPartUUID: dev})
			if err != nil {
				return err
			}
			return g.fields(p, [][2]string{
				{"uuid", p.UUID}, {"pv_state", onUnlock(p.PVState)}, {"pv_type", string(p.PVType)},
				{"disk_or_part_uuid", p.DiskOrPartUUID}, {"disk_or_part_device_node", p.DiskOrPartDeviceNode},
				{"disk_or_part_device_path", p.DiskOrPartDevicePath}, {"lvm_pv_name", p.LVMPVName},
				{"lvm_vg_name", p.LVMVGName}, {"lvm_pv_uuid", orNone(p.LVMPVUUID)}, {"lvm_pv_size_gib", gibBytes(p.LVMPVSize)},
				{"lvm_pe_total", itoa(p.LVMPETotal)}, {"lvm_pe_alloced", itoa(p.LVMPEAlloced)},
				{"ihost_uuid", p.HostUUID}, {"created_at", when(p.CreatedAt)},
			})
		}),
	}
	pvDel := yesFlag(&cobra.Command{
		Use:   "host-pv-delete PV_UUID",
		Short: "Remove a physical volume from its volume group",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			return s.DeletePV(cmd.Context(), args[0])
		}),
	})
	return []*cobra.Command{lvgAdd, lvgList, lvgDel, pvAdd, pvList, pvDel}
}
