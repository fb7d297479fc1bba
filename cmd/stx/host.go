package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgeflock/flock/inventory"
)

// hostCommands are the system CLI's host verbs: host-list, host-show,
// host-add, host-update, host-delete, host-bulk-add, host-bulk-export.
func hostCommands(g *globals) []*cobra.Command {
	var listCols []string
	list := &cobra.Command{
		Use:   "host-list",
		Short: "List the hosts",
		Args:  cobra.NoArgs,
		RunE: g.withInventory(func(cmd *cobra.Command, _ []string, s inventory.Service) error {
			hs, err := s.ListHosts(cmd.Context())
			if err != nil {
				return err
			}
			slices.SortStableFunc(hs, func(a, b inventory.Host) int { return cmp.Compare(a.ID, b.ID) })
			t := table{header: []string{"id", "hostname", "personality", "administrative", "operational", "availability"}}
			if len(listCols) > 0 {
				t.header = listCols
			}
			for _, h := range hs {
				row := []string{itoa(h.ID), h.Hostname, orNone(string(h.Personality)), string(h.Administrative), string(h.Operational), string(h.Availability)}
				if len(listCols) > 0 {
					if row, err = columns(h, "host", listCols); err != nil {
						return err
					}
				}
				t.rows = append(t.rows, row)
			}
			if hs == nil {
				hs = []inventory.Host{}
			}
			return g.print(hs, t)
		}),
	}
	list.Flags().StringArrayVar(&listCols, "column", nil, "show this field (repeatable; replaces the default columns)")

	var showCols []string
	show := &cobra.Command{
		Use:   "host-show HOST",
		Short: "Show a host (by hostname, uuid or id)",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			h, err := s.GetHost(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return g.showHost(h, showCols)
		}),
	}
	show.Flags().StringArrayVar(&showCols, "column", nil, "show only this field (repeatable)")

	return []*cobra.Command{list, show, hostAddCommand(g), hostUpdateCommand(g), hostDeleteCommand(g),
		hostBulkAddCommand(g), hostBulkExportCommand(g)}
}

// showHost prints a host as the system CLI's host-show does: its fields
// sorted by name. reboot_needed says whether applying its configuration
// needs a lock/unlock. The BMC password is never among them.
func (g *globals) showHost(h inventory.Host, cols []string) error {
	if len(cols) > 0 {
		vals, err := columns(h, "host", cols)
		if err != nil {
			return err
		}
		kv := make([][2]string, len(cols))
		for i, c := range cols {
			kv[i] = [2]string{c, vals[i]}
		}
		return g.fields(h, kv)
	}
	kv := [][2]string{
		{"id", itoa(h.ID)}, {"uuid", h.UUID}, {"personality", orNone(string(h.Personality))},
		{"hostname", orNone(h.Hostname)}, {"invprovision", orNone(string(h.InvProvision))},
		{"administrative", string(h.Administrative)}, {"operational", string(h.Operational)},
		{"availability", string(h.Availability)}, {"task", orNone(h.Task)}, {"action", orNone(h.Action)},
		{"mgmt_mac", h.MgmtMAC}, {"mgmt_ip", h.MgmtIP}, {"serialid", orNone(h.SerialID)},
		{"capabilities", jsonText(h.Capabilities)}, {"bm_type", orNone(h.BMType)},
		{"bm_username", orNone(h.BMUsername)}, {"bm_ip", orNone(h.BMIP)},
		{"config_applied", orNone(h.ConfigApplied)}, {"config_target", orNone(h.ConfigTarget)},
		{"config_status", orNone(h.ConfigStatus)}, {"location", jsonText(h.Location)},
		{"uptime", itoa(h.Uptime)}, {"created_at", when(h.CreatedAt)}, {"updated_at", when(h.UpdatedAt)},
		{"boot_device", h.BootDevice}, {"rootfs_device", h.RootfsDevice}, {"hw_settle", h.HWSettle},
		{"install_output", h.InstallOutput}, {"console", h.Console},
		{"reboot_needed", pyBool(h.RebootNeeded)}, {"sw_version", h.SWVersion},
	}
	if h.Subfunctions != string(h.Personality) {
		kv = append(kv, [2]string{"subfunctions", h.Subfunctions})
	}
	return g.fields(h, sortedFields(kv))
}

// hostAddCommand is host-add, with the system CLI's flags.
func hostAddCommand(g *globals) *cobra.Command {
	var spec inventory.HostSpec
	var personality, location, password, tokenFile string
	cmd := &cobra.Command{
		Use:   "host-add -n HOSTNAME -p PERSONALITY -m MGMT_MAC [flags]",
		Short: "Add a host",
		Args:  cobra.NoArgs,
		RunE: g.withInventory(func(cmd *cobra.Command, _ []string, s inventory.Service) error {
			h := spec
			if personality != "" {
				p, err := inventory.ParsePersonality(personality)
				if err != nil {
					return fmt.Errorf("--personality: %w", err)
				}
				h.Personality = p
			}
			if h.Subfunctions != "" && h.Subfunctions != "lowlatency" {
				return fmt.Errorf("--subfunctions: %q is not one of lowlatency", h.Subfunctions)
			}
			if h.InstallOutput != "" && h.InstallOutput != "text" && h.InstallOutput != "graphical" {
				return fmt.Errorf("--install_output: %q is not one of text, graphical", h.InstallOutput)
			}
			if cmd.Flags().Changed("location") {
				h.Location = map[string]any{"locn": location}
			}
			if cmd.Flags().Changed("bm_password") {
				p, err := bmPassword("--bm_password", password)
				if err != nil {
					return err
				}
				h.BMPassword = p
			}
			added, err := s.AddHost(cmd.Context(), h)
			if err != nil {
				return err
			}
			if tokenFile != "" {
				// The controller issues the host's agent credential with
				// the host; it is shown once, so it goes to a private file.
				tok, err := g.issueAgentToken(cmd.Context(), added.UUID)
				if err != nil {
					return fmt.Errorf("host %s added; its agent token: %w", added.Hostname, err)
				}
				if err := writeToken(tokenFile, tok.Token); err != nil {
					return fmt.Errorf("host %s added; its agent token: %w", added.Hostname, err)
				}
			}
			return g.showHost(added, nil)
		}),
	}
	f := cmd.Flags()
	f.StringVarP(&spec.Hostname, "hostname", "n", "", "hostname of the host")
	f.StringVarP(&personality, "personality", "p", "", "controller, worker, storage or edgeworker")
	f.StringVarP(&spec.Subfunctions, "subfunctions", "s", "", "lowlatency")
	f.StringVarP(&spec.MgmtMAC, "mgmt_mac", "m", "", "MAC address of the host's management interface")
	f.StringVarP(&spec.BMIP, "bm_ip", "I", "", "IP address of the host's board management controller")
	f.StringVarP(&spec.BMType, "bm_type", "T", "", "board management type (redfish, ipmi, dynamic, none)")
	f.StringVarP(&spec.BMUsername, "bm_username", "U", "", "board management user name")
	f.StringVarP(&password, "bm_password", "P", "", `board management password ("-": read $STX_BM_PASSWORD); never printed`)
	f.StringVarP(&spec.BootDevice, "boot_device", "b", "", "device for the boot partition, relative to /dev")
	f.StringVarP(&spec.RootfsDevice, "rootfs_device", "r", "", "device for the root file system, relative to /dev")
	f.StringVarP(&spec.HWSettle, "hw_settle", "R", "", "seconds to wait at the start of init for the hardware")
	f.StringVarP(&spec.InstallOutput, "install_output", "o", "", "installation output: text or graphical")
	f.StringVarP(&spec.Console, "console", "c", "", "serial console, e.g. ttyS0,115200")
	f.StringVarP(&location, "location", "l", "", "physical location of the host")
	f.StringVar(&tokenFile, "agent-token-file", "", "also issue the host's agent token, written to this file (mode 0600)")
	unsupported(f, noInv("vsc_controllers"), [2]string{"vsc_controllers", "v"})
	unsupported(f, noInv("ttys_dcd"), [2]string{"ttys_dcd", "D"})
	unsupported(f, noInv("clock_synchronization"), [2]string{"clock_synchronization", "C"})
	return cmd
}

// setHostAttr sets one host-update attribute.
func setHostAttr(u *inventory.HostUpdate, k, v string) error {
	str := func(p **string) { *p = &v }
	switch k {
	case "hostname":
		str(&u.Hostname)
	case "personality":
		p, err := inventory.ParsePersonality(v)
		if err != nil {
			return err
		}
		u.Personality = &p
	case "subfunctions":
		str(&u.Subfunctions)
	case "mgmt_mac":
		str(&u.MgmtMAC)
	case "mgmt_ip":
		str(&u.MgmtIP)
	case "bm_ip":
		str(&u.BMIP)
	case "bm_type":
		str(&u.BMType)
	case "bm_username":
		str(&u.BMUsername)
	case "bm_password":
		p, err := bmPassword("bm_password=", v)
		if err != nil {
			return err
		}
		u.BMPassword = &p
	case "boot_device":
		str(&u.BootDevice)
	case "rootfs_device":
		str(&u.RootfsDevice)
	case "hw_settle":
		str(&u.HWSettle)
	case "install_output":
		str(&u.InstallOutput)
	case "console":
		str(&u.Console)
	case "location":
		m := map[string]any{"locn": v}
		if strings.HasPrefix(strings.TrimSpace(v), "{") {
			m = nil
			if err := json.Unmarshal([]byte(v), &m); err != nil {
				return fmt.Errorf("location: want text or a JSON object: %v", err)
			}
		}
		u.Location = &m
	case "capabilities":
		var m map[string]any
		if err := json.Unmarshal([]byte(v), &m); err != nil {
			return fmt.Errorf("capabilities: want a JSON object: %v", err)
		}
		u.Capabilities = &m
	case "action", "administrative", "operational", "availability", "task", "uptime":
		return fmt.Errorf("%s is host maintenance's, not changed by host-update", k)
	default:
		return fmt.Errorf("unknown attribute %q (hostname, personality, subfunctions, mgmt_mac, mgmt_ip, bm_ip, bm_type, bm_username, bm_password, boot_device, rootfs_device, hw_settle, install_output, console, location, capabilities)", k)
	}
	return nil
}

func hostUpdateCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "host-update HOST ATTR=VALUE...",
		Short: "Change a host's attributes (hostname, personality, bm_ip, location...)",
		Args:  cobra.MinimumNArgs(2),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			kv, err := keyValues(args[1:], "attributes")
			if err != nil {
				return err
			}
			var u inventory.HostUpdate
			for _, p := range kv {
				if err := setHostAttr(&u, p[0], p[1]); err != nil {
					return fmt.Errorf("host-update: %w", err)
				}
			}
			h, err := s.UpdateHost(cmd.Context(), args[0], u)
			if err != nil {
				return err
			}
			return g.showHost(h, nil)
		}),
	}
}

// yesFlag is the system CLI's --yes of delete and remove verbs; Flock
// never prompts, so it changes nothing.
func yesFlag(cmd *cobra.Command) *cobra.Command {
	cmd.Flags().Bool("yes", false, "do not prompt (stx never prompts)")
	return cmd
}

func hostDeleteCommand(g *globals) *cobra.Command {
	return yesFlag(&cobra.Command{
		Use:   "host-delete HOST...",
		Short: "Delete locked hosts",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			for _, h := range args {
				if err := s.DeleteHost(cmd.Context(), h); err != nil {
					return err
				}
				fmt.Fprintf(g.out, "Deleted host %s\n", h)
			}
			return nil
		}),
	})
}

func hostBulkAddCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "host-bulk-add HOSTSFILE",
		Short: "Add the hosts of a StarlingX hosts XML file, all or none",
		Args:  cobra.ExactArgs(1),
		RunE: g.withInventory(func(cmd *cobra.Command, args []string, s inventory.Service) error {
			name := args[0]
			if fi, err := os.Stat(name); err == nil && fi.IsDir() {
				return fmt.Errorf("%s is a directory", name)
			}
			data, err := os.ReadFile(name)
			if err != nil {
				return fmt.Errorf("could not open file: %w", err)
			}
			specs, err := inventory.ParseBulkXML(bytes.NewReader(data))
			if err != nil {
				return fmt.Errorf("no hosts have been added: %s: %w", name, err)
			}
			hs, err := s.AddHosts(cmd.Context(), specs)
			if err != nil {
				return fmt.Errorf("no hosts have been added: %w", err)
			}
			t := table{header: []string{"Success:"}}
			for _, h := range hs {
				t.rows = append(t.rows, []string{" " + h.Hostname})
			}
			if hs == nil {
				hs = []inventory.Host{}
			}
			return g.print(hs, t)
		}),
	}
}

func hostBulkExportCommand(g *globals) *cobra.Command {
	var filename string
	cmd := &cobra.Command{
		Use:   "host-bulk-export [--filename FILE]",
		Short: "Write every host to a StarlingX hosts XML file",
		Args:  cobra.NoArgs,
		RunE: g.withInventory(func(cmd *cobra.Command, _ []string, s inventory.Service) error {
			hs, err := s.ListHosts(cmd.Context())
			if err != nil {
				return err
			}
			sys, err := s.GetSystem(cmd.Context())
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := inventory.WriteBulkXML(&buf, hs, sys.SoftwareVersion); err != nil {
				return err
			}
			if filename == "-" {
				_, err := g.out.Write(buf.Bytes())
				return err
			}
			if err := writeFileAtomic(filename, buf.Bytes()); err != nil {
				return fmt.Errorf("cannot write to file: %w", err)
			}
			fmt.Fprintf(g.out, "Export successfully to %s\n", filename)
			return nil
		}),
	}
	cmd.Flags().StringVar(&filename, "filename", "./hosts.xml", `file to write ("-": standard output)`)
	return cmd
}

// writeFileAtomic writes data to name through a temporary file in the
// same directory, so a failed export leaves no half-written file.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".hosts-*.xml")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), name); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}
