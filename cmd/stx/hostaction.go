package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmthttp"
	"github.com/edgeflock/flock/inventory"
)

// newHostMgmtClient builds the host maintenance client the flags
// describe.
func newHostMgmtClient(g *globals) (hostmgmt.Service, error) {
	tok, err := g.bearer()
	if err != nil {
		return nil, err
	}
	return hostmgmthttp.NewClient(g.url, &hostmgmthttp.ClientOptions{Token: tok}), nil
}

// hostAction is one of the system CLI's host action verbs.
type hostAction struct {
	use, short string
	action     hostmgmt.AdminAction
	// force is the action of -f/--force, if the verb has the flag. The
	// forced forms are StarlingX's strings, sent as they are: a host
	// maintenance that does not know one refuses it naming "action".
	force     hostmgmt.AdminAction
	forceHelp string
}

// hostActions are host-lock, host-unlock, host-swact, host-reset,
// host-reboot, host-reinstall, host-power-on and host-power-off, with the
// system CLI's names and flags.
var hostActions = []hostAction{
	{use: "host-lock", short: "Lock a host", action: hostmgmt.ActionLock, force: hostmgmt.ActionForceLock,
		forceHelp: "force the lock: skip the pre-lock checks (instance migration, pod drain) and reset the host"},
	{use: "host-unlock", short: "Unlock a host", action: hostmgmt.ActionUnlock, force: "force-unlock",
		forceHelp: "force the unlock"},
	{use: "host-swact", short: "Switch activity away from this active controller", action: hostmgmt.ActionSwact,
		force: "force-swact", forceHelp: "force the swact, even with alarms on the standby"},
	{use: "host-reset", short: "Reset a locked host through its board management controller", action: hostmgmt.ActionReset},
	{use: "host-reboot", short: "Reboot a locked host", action: hostmgmt.ActionReboot},
	{use: "host-reinstall", short: "Reinstall a locked host", action: hostmgmt.ActionReinstall},
	{use: "host-power-on", short: "Power on a locked host", action: hostmgmt.ActionPowerOn},
	{use: "host-power-off", short: "Power off a locked host", action: hostmgmt.ActionPowerOff},
}

// hostActionCommands are the host action verbs. Each asks host
// maintenance for the action and prints the host as host-show does, its
// maintenance fields (administrative, operational, availability, task,
// action) as maintenance returned them; a refusal is an error whose text
// is the rule's reason.
func hostActionCommands(g *globals) []*cobra.Command {
	var cmds []*cobra.Command
	for _, v := range hostActions {
		var force bool
		cmd := &cobra.Command{
			Use:   v.use + " HOST",
			Short: v.short + " (by hostname, uuid or id)",
			Args:  cobra.ExactArgs(1),
			RunE: g.withHostMgmt(func(cmd *cobra.Command, args []string, m hostmgmt.Service, inv inventory.Service) error {
				a := v.action
				if force {
					a = v.force
				}
				st, err := m.Act(cmd.Context(), args[0], a)
				if err != nil {
					if re, ok := errors.AsType[*hostmgmt.RuleError](err); ok {
						return &refusedError{verb: v.use, host: args[0], reason: re.Reason, err: err}
					}
					return err
				}
				id := st.UUID
				if id == "" {
					id = args[0]
				}
				h, err := inv.GetHost(cmd.Context(), id)
				if err != nil {
					return fmt.Errorf("%s %s: accepted; reading the host: %w", v.use, args[0], err)
				}
				h.Administrative, h.Operational, h.Availability = st.Administrative, st.Operational, st.Availability
				h.Task, h.Action = string(st.Task), string(st.Action)
				return g.showHost(h, nil)
			}),
		}
		if v.force != "" {
			cmd.Flags().BoolVarP(&force, "force", "f", false, v.forceHelp)
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

// refusedError is an action refused by one of host maintenance's rules:
// its text is the reason, as the system CLI prints it.
type refusedError struct {
	verb, host, reason string
	err                error
}

func (e *refusedError) Error() string { return e.verb + " " + e.host + ": " + e.reason }
func (e *refusedError) Unwrap() error { return e.err }

// withHostMgmt makes a command's RunE from fn, handing it the host
// maintenance and inventory services the flags describe.
func (g *globals) withHostMgmt(fn func(cmd *cobra.Command, args []string, m hostmgmt.Service, inv inventory.Service) error) func(*cobra.Command, []string) error {
	return g.withInventory(func(cmd *cobra.Command, args []string, inv inventory.Service) error {
		m, err := g.newHostMgmt(g)
		if err != nil {
			return err
		}
		return fn(cmd, args, m, inv)
	})
}
