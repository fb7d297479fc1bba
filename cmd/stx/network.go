package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/edgeflock/flock/inventory"
)

// networkCommands are the system CLI's verbs over interfaces, platform
// networks, address pools and data networks.
func networkCommands(g *globals) []*cobra.Command {
	cmds := interfaceCommands(g)
	cmds = append(cmds, platformNetworkCommands(g)...)
	cmds = append(cmds, addrpoolCommands(g)...)
	return append(cmds, datanetworkCommands(g)...)
}

// ifPorts returns the names of the ports under each interface (by
// uuid), following uses down to the ports, and whether they all support
// DPDK.
func ifPorts(ifs []inventory.Interface, ports []inventory.Port) (names map[string][]string, accel map[string]bool) {
	own := map[string][]inventory.Port{}
	for _, p := range ports {
		own[p.InterfaceUUID] = append(own[p.InterfaceUUID], p)
	}
	byName := map[string]inventory.Interface{}
	for _, i := range ifs {
		byName[i.IfName] = i
	}
	var under func(i inventory.Interface, depth int) []inventory.Port
	under = func(i inventory.Interface, depth int) []inventory.Port {
		ps := own[i.UUID]
		if len(ps) > 0 || depth > len(ifs) {
			return ps
		}
		for _, u := range i.Uses {
			if lower, ok := byName[u]; ok {
				ps = append(ps, under(lower, depth+1)...)
			}
		}
		return ps
	}
	names, accel = map[string][]string{}, map[string]bool{}
	for _, i := range ifs {
		ok := true
		for _, p := range own[i.UUID] {
			names[i.UUID] = append(names[i.UUID], p.Name)
		}
		for _, p := range under(i, 0) {
			ok = ok && p.DPDKSupport
		}
		accel[i.UUID] = ok
	}
	return names, accel
}

// ifAttributes is the system CLI's attributes column of host-if-list.
func ifAttributes(i inventory.Interface, accelerated bool) string {
	a := "MTU=" + itoa(i.IMTU)
	if i.IfType == inventory.IfAE {
		a += ",AE_MODE=" + orNone(i.AEMode)
		if i.AEMode == "balanced" || i.AEMode == "802.3ad" {
			a += ",AE_XMIT_POLICY=" + orNone(i.TxHashPolicy)
		}
	}
	if i.IfClass == inventory.IfClassData {
		a += ",accelerated=" + pyBool(accelerated)
	}
	return a
}

func ifClassText(c inventory.IfClass) string {
	if c == inventory.IfClassNone {
		return "None"
	}
	return orNone(string(c))
}

func vlanText(i inventory.Interface) string {
	if i.VLANID == 0 {
		return "None"
	}
	return itoa(i.VLANID)
}

// showInterface prints an interface as host-if-show does, with its
// networks and data networks.
func (g *globals) showInterface(ctx context.Context, s inventory.Service, host string, i inventory.Interface) error {
	ifs, err := s.ListInterfaces(ctx, host)
	if err != nil {
		return err
	}
	ports, err := s.ListPorts(ctx, host)
	if err != nil {
		return err
	}
	names, accel := ifPorts(ifs, ports)
	kv := [][2]string{
		{"ifname", i.IfName}, {"iftype", string(i.IfType)}, {"ports", pyList(names[i.UUID])},
		{"imac", i.IMAC}, {"imtu", itoa(i.IMTU)}, {"ifclass", ifClassText(i.IfClass)},
		{"aemode", orNone(i.AEMode)}, {"txhashpolicy", orNone(i.TxHashPolicy)}, {"uuid", i.UUID},
		{"ihost_uuid", i.HostUUID}, {"vlan_id", vlanText(i)}, {"uses", pyList(i.Uses)},
		{"used_by", pyList(i.UsedBy)}, {"created_at", when(i.CreatedAt)}, {"sriov_numvfs", itoa(i.SRIOVNumVFs)},
		{"sriov_vf_driver", orNone(i.SRIOVVFDriver)}, {"networks", pyList(i.Networks)},
		{"datanetworks", pyList(i.DataNetworks)},
	}
	if len(names[i.UUID]) > 0 {
		kv = append(kv, [2]string{"accelerated", pyBool(accel[i.UUID])})
	}
	return g.fields(i, kv)
}

// choice checks a flag's value against the system CLI's choices.
func choice(flag, v string, allowed ...string) error {
	if v == "" || slices.Contains(allowed, v) {
		return nil
	}
	return fmt.Errorf("--%s: %q is not one of %s", flag, v, strings.Join(allowed, ", "))
}

// ifUnsupported declares the system CLI's interface flags that Flock's
// inventory has no field for.
func ifUnsupported(f *pflag.FlagSet) {
	unsupported(f, noInv("interface address modes or pools"),
		[2]string{"ipv4-mode", ""}, [2]string{"ipv6-mode", ""}, [2]string{"ipv4-pool", ""}, [2]string{"ipv6-pool", ""})
	unsupported(f, noInv("PTP roles"), [2]string{"ptp-role", ""})
	unsupported(f, noInv("interface rate limits"), [2]string{"max-tx-rate", "t"}, [2]string{"max-rx-rate", "r"})
	unsupported(f, noInv("bond primary_reselect"), [2]string{"primary-reselect", ""})
	unsupported(f, noInv("OVS access"), [2]string{"ovs-access", ""})
	unsupported(f, noInv("interface channels"), [2]string{"channels", ""}, [2]string{"vf-channels", ""})
}

func interfaceCommands(g *globals) []*cobra.Command {
	var all bool
	list := &cobra.Command{
		Use:   "host-if-list HOST [-a]",
		Short: "List a host's interfaces",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			ifs, err := s.ListInterfaces(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			ports, err := s.ListPorts(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			names, accel := ifPorts(ifs, ports)
			slices.SortStableFunc(ifs, func(a, b inventory.Interface) int { return cmp.Compare(a.UUID, b.UUID) })
			shown := []inventory.Interface{}
			t := table{header: []string{"uuid", "name", "class", "type", "vlan id", "ports", "uses i/f", "used by i/f", "attributes"}}
			for _, i := range ifs {
				if !all && (i.IfClass == "" || i.IfClass == inventory.IfClassNone) && len(i.UsedBy) == 0 {
					continue
				}
				shown = append(shown, i)
				t.rows = append(t.rows, []string{i.UUID, i.IfName, ifClassText(i.IfClass), string(i.IfType), vlanText(i),
					pyList(names[i.UUID]), pyList(i.Uses), pyList(i.UsedBy), ifAttributes(i, accel[i.UUID])})
			}
			return g.print(shown, t)
		}),
	}
	list.Flags().BoolVarP(&all, "all", "a", false, "also list the interfaces of no class that no other uses")

	var spec inventory.InterfaceSpec
	var ifclass, vlan, mtu, numVFs string
	add := &cobra.Command{
		Use:   "host-if-add HOST IFNAME IFTYPE PORT_OR_IFACE... [flags]",
		Short: "Add an interface (ethernet, vlan, ae, vf or virtual) to a locked host",
		Long: `Add an interface to a locked host. IFTYPE is ae, vlan, virtual, vf or
ethernet; an ethernet interface names its port, a vlan, ae or vf
interface the interfaces it is built on.`,
		Args: cobra.MinimumNArgs(3),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			sp := spec
			sp.IfName = args[1]
			if err := sp.IfType.UnmarshalText([]byte(args[2])); err != nil {
				return err
			}
			lower := args[3:]
			switch sp.IfType {
			case inventory.IfVirtual:
			case inventory.IfEthernet:
				if len(lower) != 1 {
					return fmt.Errorf("for Ethernet, select a single port")
				}
				sp.Port = lower[0]
			default:
				if len(lower) == 0 {
					return fmt.Errorf("a %s interface needs the interfaces it uses", sp.IfType)
				}
				sp.Uses = lower
			}
			if err := choice("aemode", sp.AEMode, "balanced", "active_standby", "802.3ad"); err != nil {
				return err
			}
			if err := choice("txhashpolicy", sp.TxHashPolicy, "layer2", "layer2+3", "layer3+4"); err != nil {
				return err
			}
			if err := choice("vf-driver", sp.SRIOVVFDriver, "netdevice", "vfio"); err != nil {
				return err
			}
			if ifclass != "" {
				if err := sp.IfClass.UnmarshalText([]byte(ifclass)); err != nil {
					return fmt.Errorf("--ifclass: %w", err)
				}
			}
			var err error
			if vlan != "" {
				if sp.VLANID, err = atoi("--vlan_id", vlan); err != nil {
					return err
				}
			}
			if mtu != "" {
				if sp.IMTU, err = atoi("--imtu", mtu); err != nil {
					return err
				}
			}
			if numVFs != "" {
				if sp.SRIOVNumVFs, err = atoi("--num-vfs", numVFs); err != nil {
					return err
				}
			}
			i, err := s.AddInterface(cmd.Context(), args[0], sp)
			if err != nil {
				return err
			}
			return g.showInterface(cmd.Context(), s, args[0], i)
		}),
	}
	f := add.Flags()
	f.StringVarP(&spec.AEMode, "aemode", "a", "", "bond mode: balanced, active_standby or 802.3ad")
	f.StringVarP(&spec.TxHashPolicy, "txhashpolicy", "x", "", "bond transmit hash policy: layer2, layer2+3 or layer3+4")
	f.StringVarP(&vlan, "vlan_id", "V", "", "VLAN id")
	f.StringVarP(&mtu, "imtu", "m", "", "MTU")
	f.StringVarP(&ifclass, "ifclass", "c", "", "platform, data, pci-passthrough, pci-sriov or none")
	f.StringVarP(&numVFs, "num-vfs", "N", "", "number of SR-IOV VFs")
	f.StringVar(&spec.SRIOVVFDriver, "vf-driver", "", "SR-IOV VF driver: netdevice or vfio")
	ifUnsupported(f)

	var newName, mmtu, maemode, mtxhash, mclass, mnumVFs, mvfDriver string
	modify := &cobra.Command{
		Use:   "host-if-modify HOST IFACE [flags]",
		Short: "Change an interface (by name or uuid) of a locked host",
		Args:  cobra.ExactArgs(2),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			i, err := findInterface(cmd.Context(), s, args[0], args[1])
			if err != nil {
				return err
			}
			var u inventory.InterfaceUpdate
			fl := cmd.Flags()
			str := func(flag string, v *string, p **string) {
				if fl.Changed(flag) {
					*p = v
				}
			}
			str("ifname", &newName, &u.IfName)
			str("aemode", &maemode, &u.AEMode)
			str("txhashpolicy", &mtxhash, &u.TxHashPolicy)
			str("vf-driver", &mvfDriver, &u.SRIOVVFDriver)
			if err := choice("aemode", maemode, "balanced", "active_standby", "802.3ad"); err != nil {
				return err
			}
			if err := choice("txhashpolicy", mtxhash, "layer2", "layer2+3", "layer3+4"); err != nil {
				return err
			}
			if err := choice("vf-driver", mvfDriver, "netdevice", "vfio"); err != nil {
				return err
			}
			if fl.Changed("ifclass") {
				var c inventory.IfClass
				if err := c.UnmarshalText([]byte(mclass)); err != nil {
					return fmt.Errorf("--ifclass: %w", err)
				}
				u.IfClass = &c
			}
			if fl.Changed("imtu") {
				n, err := atoi("--imtu", mmtu)
				if err != nil {
					return err
				}
				u.IMTU = &n
			}
			if fl.Changed("num-vfs") {
				n, err := atoi("--num-vfs", mnumVFs)
				if err != nil {
					return err
				}
				u.SRIOVNumVFs = &n
			}
			if i, err = s.UpdateInterface(cmd.Context(), i.UUID, u); err != nil {
				return err
			}
			return g.showInterface(cmd.Context(), s, args[0], i)
		}),
	}
	f = modify.Flags()
	f.StringVarP(&newName, "ifname", "n", "", "new interface name")
	f.StringVarP(&mmtu, "imtu", "m", "", "MTU")
	f.StringVarP(&maemode, "aemode", "a", "", "bond mode: balanced, active_standby or 802.3ad")
	f.StringVarP(&mtxhash, "txhashpolicy", "x", "", "bond transmit hash policy: layer2, layer2+3 or layer3+4")
	f.StringVarP(&mclass, "ifclass", "c", "", "platform, data, pci-passthrough, pci-sriov or none")
	f.StringVarP(&mnumVFs, "num-vfs", "N", "", "number of SR-IOV VFs")
	f.StringVar(&mvfDriver, "vf-driver", "", "SR-IOV VF driver: netdevice or vfio")
	ifUnsupported(f)

	del := yesFlag(&cobra.Command{
		Use:   "host-if-delete HOST IFACE",
		Short: "Delete an interface (by name or uuid) no other interface uses",
		Args:  cobra.ExactArgs(2),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			i, err := findInterface(cmd.Context(), s, args[0], args[1])
			if err != nil {
				return err
			}
			if err := s.DeleteInterface(cmd.Context(), i.UUID); err != nil {
				return err
			}
			fmt.Fprintf(g.out, "Deleted interface: host %s if %s\n", args[0], args[1])
			return nil
		}),
	})

	assign := &cobra.Command{
		Use:   "interface-network-assign HOST IFACE NETWORK",
		Short: "Put an interface (by name or uuid) on a platform network (by name, uuid or id)",
		Args:  cobra.ExactArgs(3),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			ctx := cmd.Context()
			h, err := s.GetHost(ctx, args[0])
			if err != nil {
				return err
			}
			i, err := findInterface(ctx, s, args[0], args[1])
			if err != nil {
				return err
			}
			n, err := s.GetNetwork(ctx, args[2])
			if err != nil {
				return err
			}
			in, err := s.AssignInterfaceNetwork(ctx, i.UUID, n.UUID)
			if err != nil {
				return err
			}
			return g.fields(in, [][2]string{{"hostname", h.Hostname}, {"uuid", in.UUID}, {"ifname", in.IfName},
				{"network_name", in.NetworkName}})
		}),
	}
	remove := yesFlag(&cobra.Command{
		Use:   "interface-network-remove INTERFACE_NETWORK_UUID",
		Short: "Take an interface off a network",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			if err := s.RemoveInterfaceNetwork(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(g.out, "Deleted Interface Network: %s\n", args[0])
			return nil
		}),
	})
	return []*cobra.Command{list, add, modify, del, assign, remove}
}

// poolFamily is sysinv's primary_pool_family of a network.
func poolFamily(pools []inventory.AddressPool, uuid string) string {
	for _, p := range pools {
		if p.UUID == uuid {
			return fmt.Sprintf("IPv%d", p.Family)
		}
	}
	return "None"
}

func platformNetworkCommands(g *globals) []*cobra.Command {
	list := &cobra.Command{
		Use:   "network-list",
		Short: "List the platform networks",
		Args:  cobra.NoArgs,
		RunE: g.withInventory(func(cmd *cobra.Command, _ []string, s inventory.Service) error {
			ns, err := s.ListNetworks(cmd.Context())
			if err != nil {
				return err
			}
			pools, err := s.ListAddressPools(cmd.Context())
			if err != nil {
				return err
			}
			slices.SortStableFunc(ns, func(a, b inventory.Network) int { return cmp.Compare(a.UUID, b.UUID) })
			t := table{header: []string{"id", "uuid", "name", "type", "dynamic", "pool_uuid", "primary_pool_family"}}
			for _, n := range ns {
				t.rows = append(t.rows, []string{itoa(n.ID), n.UUID, n.Name, string(n.Type), pyBool(n.Dynamic), n.PoolUUID,
					poolFamily(pools, n.PoolUUID)})
			}
			if ns == nil {
				ns = []inventory.Network{}
			}
			return g.print(ns, t)
		}),
	}
	add := &cobra.Command{
		Use:   "network-add NAME TYPE DYNAMIC POOL",
		Short: "Add a platform network over an address pool (by uuid or name); DYNAMIC is true or false",
		Args:  cobra.ExactArgs(4),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			t, err := inventory.ParseNetworkType(args[1])
			if err != nil {
				return err
			}
			var dynamic bool
			switch strings.ToLower(args[2]) {
			case "true":
				dynamic = true
			case "false":
			default:
				return fmt.Errorf("dynamic: %q is not one of true, false", args[2])
			}
			pool, err := s.GetAddressPool(cmd.Context(), args[3])
			if err != nil {
				return err
			}
			n, err := s.AddNetwork(cmd.Context(), inventory.NetworkSpec{Name: args[0], Type: t, Dynamic: dynamic, PoolUUID: pool.UUID})
			if err != nil {
				return err
			}
			return g.fields(n, [][2]string{{"id", itoa(n.ID)}, {"uuid", n.UUID}, {"name", n.Name}, {"type", string(n.Type)},
				{"dynamic", pyBool(n.Dynamic)}, {"pool_uuid", n.PoolUUID}})
		}),
	}
	del := yesFlag(&cobra.Command{
		Use:   "network-delete NETWORK",
		Short: "Delete a platform network no interface uses",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			if err := s.DeleteNetwork(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(g.out, "Deleted Network: %s\n", args[0])
			return nil
		}),
	})
	return []*cobra.Command{list, add, del}
}

// parseRanges parses --ranges: start-end[,start-end...].
func parseRanges(v string) ([]inventory.AddressRange, error) {
	var out []inventory.AddressRange
	for _, r := range strings.Split(v, ",") {
		start, end, ok := strings.Cut(strings.TrimSpace(r), "-")
		if !ok || start == "" || end == "" {
			return nil, fmt.Errorf("--ranges: %q is not start-end", r)
		}
		out = append(out, inventory.AddressRange{Start: start, End: end})
	}
	return out, nil
}

func rangesText(rs []inventory.AddressRange) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.Start + "-" + r.End
	}
	return pyList(s)
}

func (g *globals) showPool(p inventory.AddressPool) error {
	return g.fields(p, [][2]string{{"uuid", p.UUID}, {"name", p.Name}, {"network", p.Network},
		{"prefix", itoa(p.Prefix)}, {"order", p.Order}, {"ranges", rangesText(p.Ranges)},
		{"floating_address", orNone(p.FloatingAddress)}, {"controller0_address", orNone(p.Controller0Address)},
		{"controller1_address", orNone(p.Controller1Address)}, {"gateway_address", orNone(p.GatewayAddress)}})
}

// poolFlags are the address flags addrpool-add and addrpool-modify share.
type poolFlags struct {
	ranges, order, floating, c0, c1, gateway string
}

func (p *poolFlags) register(f *pflag.FlagSet) {
	f.StringVar(&p.ranges, "ranges", "", "address ranges: start-end[,start-end...] (default the whole subnet)")
	f.StringVar(&p.order, "order", "", "allocation order: sequential or random")
	f.StringVar(&p.floating, "floating-address", "", "floating address")
	f.StringVar(&p.c0, "controller0-address", "", "controller-0's address")
	f.StringVar(&p.c1, "controller1-address", "", "controller-1's address")
	f.StringVar(&p.gateway, "gateway-address", "", "gateway address")
}

func addrpoolCommands(g *globals) []*cobra.Command {
	list := &cobra.Command{
		Use:   "addrpool-list",
		Short: "List the address pools",
		Args:  cobra.NoArgs,
		RunE: g.withInventory(func(cmd *cobra.Command, _ []string, s inventory.Service) error {
			ps, err := s.ListAddressPools(cmd.Context())
			if err != nil {
				return err
			}
			slices.SortStableFunc(ps, func(a, b inventory.AddressPool) int { return cmp.Compare(a.Name, b.Name) })
			t := table{header: []string{"uuid", "name", "network", "prefix", "order", "ranges", "floating_address",
				"controller0_address", "controller1_address", "gateway_address"}}
			for _, p := range ps {
				t.rows = append(t.rows, []string{p.UUID, p.Name, p.Network, itoa(p.Prefix), p.Order, rangesText(p.Ranges),
					orNone(p.FloatingAddress), orNone(p.Controller0Address), orNone(p.Controller1Address), orNone(p.GatewayAddress)})
			}
			if ps == nil {
				ps = []inventory.AddressPool{}
			}
			return g.print(ps, t)
		}),
	}

	var af poolFlags
	add := &cobra.Command{
		Use:   "addrpool-add NAME NETWORK PREFIX [flags]",
		Short: "Add an address pool",
		Args:  cobra.ExactArgs(3),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			prefix, err := atoi("prefix", args[2])
			if err != nil {
				return err
			}
			if err := choice("order", af.order, "sequential", "random"); err != nil {
				return err
			}
			sp := inventory.AddressPoolSpec{Name: args[0], Network: args[1], Prefix: prefix, Order: af.order,
				FloatingAddress: af.floating, Controller0Address: af.c0, Controller1Address: af.c1, GatewayAddress: af.gateway}
			if af.ranges != "" {
				if sp.Ranges, err = parseRanges(af.ranges); err != nil {
					return err
				}
			}
			p, err := s.AddAddressPool(cmd.Context(), sp)
			if err != nil {
				return err
			}
			return g.showPool(p)
		}),
	}
	af.register(add.Flags())

	var mf poolFlags
	var name string
	modify := &cobra.Command{
		Use:   "addrpool-modify POOL [flags]",
		Short: "Change an address pool (by uuid or name)",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			var u inventory.AddressPoolUpdate
			fl := cmd.Flags()
			str := func(flag string, v *string, p **string) {
				if fl.Changed(flag) {
					*p = v
				}
			}
			str("name", &name, &u.Name)
			str("order", &mf.order, &u.Order)
			str("floating-address", &mf.floating, &u.FloatingAddress)
			str("controller0-address", &mf.c0, &u.Controller0Address)
			str("controller1-address", &mf.c1, &u.Controller1Address)
			str("gateway-address", &mf.gateway, &u.GatewayAddress)
			if err := choice("order", mf.order, "sequential", "random"); err != nil {
				return err
			}
			if fl.Changed("ranges") {
				rs, err := parseRanges(mf.ranges)
				if err != nil {
					return err
				}
				u.Ranges = &rs
			}
			p, err := s.UpdateAddressPool(cmd.Context(), args[0], u)
			if err != nil {
				return err
			}
			return g.showPool(p)
		}),
	}
	mf.register(modify.Flags())
	modify.Flags().StringVar(&name, "name", "", "new name")
	unsupported(modify.Flags(), "a pool's subnet cannot change; delete it and add a new one",
		[2]string{"network", ""}, [2]string{"prefix", ""})

	del := yesFlag(&cobra.Command{
		Use:   "addrpool-delete POOL",
		Short: "Delete an address pool no network uses",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			if err := s.DeleteAddressPool(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(g.out, "Deleted address pool: %s\n", args[0])
			return nil
		}),
	})
	return []*cobra.Command{list, add, modify, del}
}

func datanetworkCommands(g *globals) []*cobra.Command {
	list := &cobra.Command{
		Use:   "datanetwork-list",
		Short: "List the data networks",
		Args:  cobra.NoArgs,
		RunE: g.withInventory(func(cmd *cobra.Command, _ []string, s inventory.Service) error {
			ds, err := s.ListDataNetworks(cmd.Context())
			if err != nil {
				return err
			}
			slices.SortStableFunc(ds, func(a, b inventory.DataNetwork) int { return cmp.Compare(a.Name, b.Name) })
			t := table{header: []string{"uuid", "name", "network_type", "mtu"}}
			for _, d := range ds {
				t.rows = append(t.rows, []string{d.UUID, d.Name, string(d.NetworkType), itoa(d.MTU)})
			}
			if ds == nil {
				ds = []inventory.DataNetwork{}
			}
			return g.print(ds, t)
		}),
	}
	var desc, mtu, port, group, ttl, mode string
	add := &cobra.Command{
		Use:   "datanetwork-add NAME flat|vlan|vxlan [flags]",
		Short: "Add a data network",
		Args:  cobra.ExactArgs(2),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			d := inventory.DataNetwork{Name: args[0], Description: desc, MulticastGroup: group}
			if err := d.NetworkType.UnmarshalText([]byte(args[1])); err != nil {
				return err
			}
			var err error
			if d.MTU, err = atoi("--mtu", mtu); err != nil {
				return err
			}
			if port != "" {
				if d.PortNum, err = atoi("--port_num", port); err != nil {
					return err
				}
			}
			if ttl != "" {
				if d.TTL, err = atoi("--ttl", ttl); err != nil {
					return err
				}
			}
			if err := choice("mode", mode, "dynamic", "static"); err != nil {
				return err
			}
			if d.NetworkType == inventory.DataNetVXLAN || cmd.Flags().Changed("mode") {
				d.Mode = mode
			}
			if d, err = s.AddDataNetwork(cmd.Context(), d); err != nil {
				return err
			}
			kv := [][2]string{{"id", itoa(d.ID)}, {"uuid", d.UUID}, {"name", d.Name},
				{"network_type", string(d.NetworkType)}, {"mtu", itoa(d.MTU)}, {"description", orNone(d.Description)}}
			if d.NetworkType == inventory.DataNetVXLAN {
				kv = append(kv, [2]string{"multicast_group", orNone(d.MulticastGroup)}, [2]string{"port_num", itoa(d.PortNum)},
					[2]string{"ttl", itoa(d.TTL)}, [2]string{"mode", d.Mode})
			}
			return g.fields(d, kv)
		}),
	}
	f := add.Flags()
	f.StringVarP(&desc, "description", "d", "", "description")
	f.StringVarP(&mtu, "mtu", "m", "1500", "MTU")
	f.StringVarP(&port, "port_num", "p", "", "VXLAN UDP port")
	f.StringVarP(&group, "multicast_group", "g", "", "VXLAN multicast group")
	f.StringVarP(&ttl, "ttl", "t", "", "VXLAN time to live")
	f.StringVarP(&mode, "mode", "M", "dynamic", "VXLAN mode: dynamic or static")
	return []*cobra.Command{list, add}
}
