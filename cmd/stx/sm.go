package main

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hahttp"
)

// newSMClient builds the service management client the flags describe:
// sm-api's paths on the controller's URL (stx-controller serves them
// when it runs service management, stx.Config.SM).
func newSMClient(g *globals) (ha.API, error) {
	tok, err := g.bearer()
	if err != nil {
		return nil, err
	}
	return hahttp.NewClient(g.url, &hahttp.ClientOptions{Token: tok}), nil
}

// withSM makes a command's RunE from fn, handing it the service
// management API the flags describe.
func (g *globals) withSM(fn func(cmd *cobra.Command, args []string, sm ha.API) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := g.checkFormat(); err != nil {
			return err
		}
		newSM := g.newSM
		if newSM == nil {
			newSM = newSMClient
		}
		sm, err := newSM(g)
		if err != nil {
			return err
		}
		return fn(cmd, args, sm)
	}
}

// smState is cgts-client's state column: the state, and "-status" when
// the status is not empty.
func smState(state string, status ha.Status) string {
	if status != ha.StatusNone {
		return state + "-" + string(status)
	}
	return state
}

// smCommands are the system CLI's service management verbs, with
// cgts-client's columns (sm_servicegroup_shell.py, sm_service_nodes_shell.py,
// sm_service_shell.py): servicegroup-list, servicegroup-show,
// servicenode-list, servicenode-show, service-list, service-show.
func smCommands(g *globals) []*cobra.Command {
	return []*cobra.Command{
		{
			Use:   "servicegroup-list",
			Short: "List Service Groups",
			Args:  cobra.NoArgs,
			RunE: g.withSM(func(cmd *cobra.Command, _ []string, sm ha.API) error {
				list, err := sm.ListServiceGroups(cmd.Context())
				if err != nil {
					return err
				}
				// Sorted by service_group_name, as print_list(sortby=1).
				sorted := slices.Clone(list)
				slices.SortStableFunc(sorted, func(a, b ha.Assignment) int { return cmp.Compare(a.ServiceGroupName, b.ServiceGroupName) })
				t := table{header: []string{"uuid", "service_group_name", "hostname", "state"}}
				for _, a := range sorted {
					t.rows = append(t.rows, []string{a.UUID, a.ServiceGroupName, a.NodeName, smState(string(a.State), a.Status)})
				}
				return g.print(list, t)
			}),
		},
		{
			Use:   "servicegroup-show UUID",
			Short: "Show a Service Group",
			Args:  cobra.ExactArgs(1),
			RunE: g.withSM(func(cmd *cobra.Command, args []string, sm ha.API) error {
				a, err := sm.GetServiceGroup(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return g.fields(a, [][2]string{{"uuid", a.UUID}, {"name", a.Name}, {"hostname", a.NodeName},
					{"service_group_name", a.ServiceGroupName}, {"state", smState(string(a.State), a.Status)}})
			}),
		},
		{
			Use:   "servicenode-list",
			Short: "List Service Nodes",
			Args:  cobra.NoArgs,
			RunE: g.withSM(func(cmd *cobra.Command, _ []string, sm ha.API) error {
				list, err := sm.ListServiceNodes(cmd.Context())
				if err != nil {
					return err
				}
				sorted := slices.Clone(list)
				slices.SortStableFunc(sorted, func(a, b ha.ServiceNode) int { return cmp.Compare(a.Name, b.Name) })
				t := table{header: []string{"id", "name", "administrative", "operational", "availability", "ready_state"}}
				for _, n := range sorted {
					t.rows = append(t.rows, []string{strconv.Itoa(n.ID), n.Name, string(n.AdministrativeState),
						string(n.OperationalState), string(n.AvailabilityStatus), string(n.ReadyState)})
				}
				return g.print(list, t)
			}),
		},
		{
			Use:   "servicenode-show NODE",
			Short: "Show a Service Node's attributes",
			Args:  cobra.ExactArgs(1),
			RunE: g.withSM(func(cmd *cobra.Command, args []string, sm ha.API) error {
				n, err := sm.GetServiceNode(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return g.fields(n, [][2]string{{"id", strconv.Itoa(n.ID)}, {"name", n.Name},
					{"administrative_state", string(n.AdministrativeState)}, {"operational_state", string(n.OperationalState)},
					{"availability_status", string(n.AvailabilityStatus)}, {"ready_state", string(n.ReadyState)}})
			}),
		},
		{
			Use:   "service-list",
			Short: "List Services",
			Args:  cobra.NoArgs,
			RunE: g.withSM(func(cmd *cobra.Command, _ []string, sm ha.API) error {
				list, err := sm.ListServices(cmd.Context())
				if err != nil {
					return err
				}
				// Services in the initial state are left out, as
				// cgts-client does; sorted by service_name.
				var shown []ha.ServiceInfo
				for _, s := range list {
					if s.State != ha.ServiceInitial {
						shown = append(shown, s)
					}
				}
				slices.SortStableFunc(shown, func(a, b ha.ServiceInfo) int { return cmp.Compare(a.Name, b.Name) })
				t := table{header: []string{"id", "service_name", "hostname", "state"}}
				for _, s := range shown {
					t.rows = append(t.rows, []string{strconv.Itoa(s.ID), s.Name, s.NodeName, smState(string(s.State), s.Status)})
				}
				if shown == nil {
					shown = []ha.ServiceInfo{}
				}
				return g.print(shown, t)
			}),
		},
		{
			Use:   "service-show SERVICE",
			Short: "Show a Service",
			Args:  cobra.ExactArgs(1),
			RunE: g.withSM(func(cmd *cobra.Command, args []string, sm ha.API) error {
				s, err := sm.GetService(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return g.fields(s, [][2]string{{"id", strconv.Itoa(s.ID)}, {"service_name", s.Name},
					{"hostname", s.NodeName}, {"state", smState(string(s.State), s.Status)}})
			}),
		},
	}
}
