package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgeflock/flock/inventory"
)

// systemCommands are the system CLI's verbs over host labels, the
// system record (show, modify) and service parameters.
func systemCommands(g *globals) []*cobra.Command {
	cmds := labelCommands(g)
	cmds = append(cmds, showCommand(g), modifyCommand(g))
	return append(cmds, serviceParameterCommands(g)...)
}

// fieldsEach prints several records as one property table each, or,
// for json and yaml, v once.
func (g *globals) fieldsEach(v any, kvs [][][2]string) error {
	if g.format != "table" {
		return g.print(v, table{})
	}
	for _, kv := range kvs {
		if err := g.fields(nil, kv); err != nil {
			return err
		}
	}
	return nil
}

func labelCommands(g *globals) []*cobra.Command {
	list := &cobra.Command{
		Use:   "host-label-list HOST",
		Short: "List a host's labels",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			h, err := s.GetHost(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			ls, err := s.ListLabels(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			slices.SortStableFunc(ls, func(a, b inventory.Label) int { return cmp.Compare(a.LabelKey, b.LabelKey) })
			t := table{header: []string{"hostname", "label key", "label value"}}
			for _, l := range ls {
				t.rows = append(t.rows, []string{h.Hostname, l.LabelKey, l.LabelValue})
			}
			if ls == nil {
				ls = []inventory.Label{}
			}
			return g.print(ls, t)
		}),
	}
	var overwrite bool
	assign := &cobra.Command{
		Use:   "host-label-assign HOST KEY=VALUE... [--overwrite]",
		Short: "Set labels on a host",
		Args:  cobra.MinimumNArgs(2),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			kv, err := keyValues(args[1:], "labels")
			if err != nil {
				return err
			}
			m := map[string]string{}
			for _, p := range kv {
				m[p[0]] = p[1]
			}
			ls, err := s.AssignLabels(cmd.Context(), args[0], m, overwrite)
			if err != nil {
				return err
			}
			var out []inventory.Label
			var kvs [][][2]string
			for _, l := range ls {
				if _, ok := m[l.LabelKey]; ok {
					out = append(out, l)
					kvs = append(kvs, [][2]string{{"uuid", l.UUID}, {"host_uuid", l.HostUUID},
						{"label_key", l.LabelKey}, {"label_value", l.LabelValue}})
				}
			}
			if out == nil {
				out = []inventory.Label{}
			}
			return g.fieldsEach(out, kvs)
		}),
	}
	assign.Flags().BoolVar(&overwrite, "overwrite", false, "replace the value of a key the host already has")

	remove := yesFlag(&cobra.Command{
		Use:   "host-label-remove HOST KEY...",
		Short: "Remove labels from a host by key",
		Args:  cobra.MinimumNArgs(2),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			h, err := s.GetHost(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			ls, err := s.ListLabels(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			for _, k := range args[1:] {
				i := slices.IndexFunc(ls, func(l inventory.Label) bool { return l.LabelKey == k })
				if i < 0 {
					fmt.Fprintf(g.out, "Host label not found: host %s, label key %s\n", h.Hostname, k)
					continue
				}
				if err := s.RemoveLabel(cmd.Context(), ls[i].UUID); err != nil {
					return err
				}
				fmt.Fprintf(g.out, "Deleted host label %s for host %s\n", k, h.Hostname)
			}
			return nil
		}),
	})
	return []*cobra.Command{assign, list, remove}
}

// showSystem prints the system as the system CLI's show does: its
// fields sorted by name, with the capabilities it names.
func (g *globals) showSystem(sys inventory.System) error {
	kv := [][2]string{
		{"name", sys.Name}, {"system_type", string(sys.SystemType)}, {"system_mode", string(sys.SystemMode)},
		{"description", orNone(sys.Description)}, {"location", orNone(sys.Location)},
		{"latitude", orNone(sys.Latitude)}, {"longitude", orNone(sys.Longitude)}, {"contact", orNone(sys.Contact)},
		{"timezone", sys.Timezone}, {"software_version", sys.SoftwareVersion}, {"uuid", sys.UUID},
		{"created_at", when(sys.CreatedAt)}, {"updated_at", when(sys.UpdatedAt)}, {"region_name", sys.RegionName},
	}
	for _, k := range []string{"sdn_enabled", "https_enabled", "vswitch_type"} {
		if v, ok := sys.Capabilities[k]; ok && v != nil {
			kv = append(kv, [2]string{k, cell(v)})
		}
	}
	if sys.DistributedCloudRole != "" {
		kv = append(kv, [2]string{"distributed_cloud_role", string(sys.DistributedCloudRole)})
	}
	return g.fields(sys, sortedFields(kv))
}

func showCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Show the system",
		Args:  cobra.NoArgs,
		RunE: g.withInventory(func(cmd *cobra.Command, _ []string, s inventory.Service) error {
			sys, err := s.GetSystem(cmd.Context())
			if err != nil {
				return err
			}
			return g.showSystem(sys)
		}),
	}
}

// modifyCommand is modify: the system's attributes, with the system
// CLI's flags (-la and -lo as StarlingX spells them). Unlike the system
// CLI it does not ask for confirmation of a system_mode change.
func modifyCommand(g *globals) *cobra.Command {
	var name, sdn, timezone, mode, desc, contact, location, lat, long, https, vswitch string
	cmd := &cobra.Command{
		Use:   "modify [flags]",
		Short: "Change the system's attributes",
		Long: `Change the system's attributes. -la and -lo are also spelt --la and --lo.
A system_mode change (-m, duplex or duplex-direct, All-in-one systems
only) is not confirmed interactively.`,
		Args: cobra.NoArgs,
		RunE: g.withInventory(func(cmd *cobra.Command, _ []string, s inventory.Service) error {
			fl := cmd.Flags()
			var u inventory.SystemUpdate
			str := func(flag string, v *string, p **string) {
				if fl.Changed(flag) {
					*p = v
				}
			}
			str("name", &name, &u.Name)
			str("timezone", &timezone, &u.Timezone)
			str("description", &desc, &u.Description)
			str("contact", &contact, &u.Contact)
			str("location", &location, &u.Location)
			str("latitude", &lat, &u.Latitude)
			str("longitude", &long, &u.Longitude)
			sys, err := s.GetSystem(cmd.Context())
			if err != nil {
				return err
			}
			if fl.Changed("system_mode") {
				m := inventory.SystemMode(mode)
				switch {
				case sys.SystemType != inventory.SystemAllInOne:
					return fmt.Errorf("--system_mode can only be modified on an AIO system")
				case sys.SystemMode == m:
					return fmt.Errorf("--system_mode value already set to '%s'", mode)
				case m != inventory.ModeDuplex && m != inventory.ModeDuplexDirect:
					return fmt.Errorf("--system_mode: invalid value %q, it can only be modified to 'duplex' or 'duplex-direct'", mode)
				}
				u.SystemMode = &m
			}
			caps := maps.Clone(sys.Capabilities)
			if caps == nil {
				caps = map[string]any{}
			}
			capsChanged := false
			for _, b := range []struct {
				flag string
				v    *string
			}{{"sdn_enabled", &sdn}, {"https_enabled", &https}} {
				if !fl.Changed(b.flag) {
					continue
				}
				switch strings.ToLower(*b.v) {
				case "true":
					caps[b.flag] = true
				case "false":
					caps[b.flag] = false
				default:
					return fmt.Errorf("--%s: %q is not one of true, false", b.flag, *b.v)
				}
				capsChanged = true
			}
			if fl.Changed("vswitch_type") {
				caps["vswitch_type"] = vswitch
				capsChanged = true
			}
			if capsChanged {
				u.Capabilities = &caps
			}
			if sys, err = s.UpdateSystem(cmd.Context(), u); err != nil {
				return err
			}
			return g.showSystem(sys)
		}),
	}
	f := cmd.Flags()
	f.StringVarP(&name, "name", "n", "", "name of the system")
	f.StringVarP(&sdn, "sdn_enabled", "s", "", "SDN enabled: true or false")
	f.StringVarP(&timezone, "timezone", "t", "", "time zone")
	f.StringVarP(&mode, "system_mode", "m", "", "duplex or duplex-direct (All-in-one systems)")
	f.StringVarP(&desc, "description", "d", "", "description")
	f.StringVarP(&contact, "contact", "c", "", "contact")
	f.StringVarP(&location, "location", "l", "", "location")
	f.StringVar(&lat, "latitude", "", "latitude (-la)")
	f.StringVar(&long, "longitude", "", "longitude (-lo)")
	f.StringVarP(&https, "https_enabled", "p", "", "HTTPS enabled: true or false")
	f.StringVarP(&vswitch, "vswitch_type", "v", "", "vSwitch type")
	unsupported(f, noInv("security features"), [2]string{"security_feature", "S"})
	singleDashFlags(cmd, map[string]string{"-la": "--latitude", "-lo": "--longitude", "--la": "--latitude", "--lo": "--longitude"})
	return cmd
}

func serviceParameterKV(p inventory.ServiceParameter) [][2]string {
	return [][2]string{{"name", p.Name}, {"personality", orNone(p.Personality)}, {"resource", orNone(p.Resource)},
		{"section", p.Section}, {"service", p.Service}, {"uuid", p.UUID}, {"value", p.Value}}
}

func serviceParameterCommands(g *globals) []*cobra.Command {
	var q inventory.ServiceParameterQuery
	list := &cobra.Command{
		Use:   "service-parameter-list [--service S] [--section S] [--name N]",
		Short: "List service parameters",
		Args:  cobra.NoArgs,
		RunE: g.withInventory(func(cmd *cobra.Command, _ []string, s inventory.Service) error {
			ps, err := s.ListServiceParameters(cmd.Context(), q)
			if err != nil {
				return err
			}
			t := table{header: []string{"uuid", "service", "section", "name", "value", "personality", "resource"}}
			for _, p := range ps {
				t.rows = append(t.rows, []string{p.UUID, p.Service, p.Section, p.Name, p.Value, orNone(p.Personality), orNone(p.Resource)})
			}
			if ps == nil {
				ps = []inventory.ServiceParameter{}
			}
			return g.print(ps, t)
		}),
	}
	list.Flags().StringVar(&q.Service, "service", "", "only this service's parameters")
	list.Flags().StringVar(&q.Section, "section", "", "only this section's parameters")
	list.Flags().StringVar(&q.Name, "name", "", "only parameters of this name")

	var personality, resource string
	add := &cobra.Command{
		Use:   "service-parameter-add SERVICE SECTION NAME=VALUE... [--personality P] [--resource R]",
		Short: "Add service parameters",
		Args:  cobra.MinimumNArgs(3),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			kv, err := keyValues(args[2:], "parameters")
			if err != nil {
				return err
			}
			if len(kv) > 1 && (personality != "" || resource != "") {
				return fmt.Errorf("cannot specify multiple parameters with custom resource")
			}
			m := map[string]string{}
			for _, p := range kv {
				m[p[0]] = p[1]
			}
			ps, err := s.AddServiceParameters(cmd.Context(), args[0], args[1], m, personality, resource)
			if err != nil {
				return err
			}
			var kvs [][][2]string
			for _, p := range ps {
				kvs = append(kvs, serviceParameterKV(p))
			}
			if ps == nil {
				ps = []inventory.ServiceParameter{}
			}
			return g.fieldsEach(ps, kvs)
		}),
	}
	add.Flags().StringVar(&personality, "personality", "", "the personality of the hosts it applies to")
	add.Flags().StringVar(&resource, "resource", "", "the resource it configures")

	var mPersonality, mResource string
	modify := &cobra.Command{
		Use:   "service-parameter-modify SERVICE SECTION NAME=VALUE... [--personality P] [--resource R]",
		Short: "Change service parameters' values",
		Long: `Change service parameters' values. --personality and --resource pick the
parameter among those of the same name; they cannot be changed.`,
		Args: cobra.MinimumNArgs(3),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			kv, err := keyValues(args[2:], "parameters")
			if err != nil {
				return err
			}
			var done []inventory.ServiceParameter
			var kvs [][][2]string
			for _, p := range kv {
				ps, err := s.ListServiceParameters(cmd.Context(),
					inventory.ServiceParameterQuery{Service: args[0], Section: args[1], Name: p[0]})
				if err != nil {
					return err
				}
				i := slices.IndexFunc(ps, func(x inventory.ServiceParameter) bool {
					return x.Service == args[0] && x.Section == args[1] && x.Name == p[0] &&
						(mPersonality == "" || x.Personality == mPersonality) && (mResource == "" || x.Resource == mResource)
				})
				if i < 0 {
					return notFound("service parameter not found: service %s, section %s, name %s", args[0], args[1], p[0])
				}
				up, err := s.UpdateServiceParameter(cmd.Context(), ps[i].UUID, p[1])
				if err != nil {
					return err
				}
				done = append(done, up)
				kvs = append(kvs, serviceParameterKV(up))
			}
			return g.fieldsEach(done, kvs)
		}),
	}
	modify.Flags().StringVar(&mPersonality, "personality", "", "the parameter's personality")
	modify.Flags().StringVar(&mResource, "resource", "", "the parameter's resource")

	del := yesFlag(&cobra.Command{
		Use:   "service-parameter-delete UUID",
		Short: "Delete a service parameter",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			if err := s.DeleteServiceParameter(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(g.out, "Deleted service parameter: %s\n", args[0])
			return nil
		}),
	})
	return []*cobra.Command{list, add, modify, del}
}
