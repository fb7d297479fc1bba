package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/patchinghttp"
)

// swPatch runs fn with the legacy sw-patch client (the software
// management client, which speaks /patching/v1/...).
func (g *globals) swPatch(fn func(cmd *cobra.Command, args []string, c *patchinghttp.Client) error) func(*cobra.Command, []string) error {
	return g.withSoftware(func(cmd *cobra.Command, args []string, s patching.Service) error {
		c, ok := s.(*patchinghttp.Client)
		if !ok {
			return errors.New("sw-patch needs the controller's REST API")
		}
		return fn(cmd, args, c)
	})
}

// messages prints sw-patch's info, warning and error texts.
func (g *globals) messages(m patchinghttp.Messages) error {
	if g.format != "table" {
		return g.print(m, table{})
	}
	if m.Info != "" {
		fmt.Fprint(g.out, m.Info)
	}
	if m.Warning != "" {
		fmt.Fprint(g.out, "Warning:\n"+m.Warning)
	}
	if m.Error != "" {
		return errors.New(strings.TrimSpace(m.Error))
	}
	return nil
}

func yesNoWord(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// swPatchCommand is StarlingX's legacy `sw-patch` CLI (patch_client.py)
// over the same repository as `software`: query (Patch ID, RR, Release,
// Patch State) and query-hosts (Hostname, IP Address, Patch Current,
// Reboot Required, Release, State), and the verbs mapped onto USM's
// deploy as patchinghttp's legacy API documents.
func swPatchCommand(g *globals) *cobra.Command {
	sp := &cobra.Command{Use: "sw-patch", Short: "Legacy patching (sw-patch) over software management"}
	msgVerb := func(use, short string, args cobra.PositionalArgs, fn func(cmd *cobra.Command, args []string, c *patchinghttp.Client) (patchinghttp.Messages, error)) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: args,
			RunE: g.swPatch(func(cmd *cobra.Command, args []string, c *patchinghttp.Client) error {
				m, err := fn(cmd, args, c)
				if err != nil {
					return err
				}
				return g.messages(m)
			})}
	}
	var release string
	query := &cobra.Command{
		Use:   "query [all|available|applied|committed]",
		Short: "List the patches and their states",
		Args:  cobra.MaximumNArgs(1),
		RunE: g.swPatch(func(cmd *cobra.Command, args []string, c *patchinghttp.Client) error {
			show := ""
			if len(args) == 1 {
				show = args[0]
			}
			pd, err := c.SWPatchQuery(cmd.Context(), show, release)
			if err != nil {
				return err
			}
			ids := make([]string, 0, len(pd))
			showRepo := false
			for id, m := range pd {
				ids = append(ids, id)
				showRepo = showRepo || m.PatchState == patching.PatchUnknown
			}
			slices.Sort(ids)
			t := table{header: []string{"Patch ID", "RR", "Release", "Patch State"}}
			if showRepo {
				t.header = []string{"Patch ID", "RR", "Release", "Repo State", "Patch State"}
			}
			for _, id := range ids {
				m := pd[id]
				row := []string{id, m.RebootRequired, m.SWVersion, string(m.PatchState)}
				if showRepo {
					row = []string{id, m.RebootRequired, m.SWVersion, string(m.RepoState), string(m.PatchState)}
				}
				t.rows = append(t.rows, row)
			}
			return g.print(pd, t)
		}),
	}
	query.Flags().StringVar(&release, "release", "", "only patches of this release (sw_version)")

	queryHosts := &cobra.Command{
		Use:   "query-hosts",
		Short: "List the hosts' patch states",
		Args:  cobra.NoArgs,
		RunE: g.swPatch(func(cmd *cobra.Command, _ []string, c *patchinghttp.Client) error {
			hosts, err := c.SWPatchQueryHosts(cmd.Context())
			if err != nil {
				return err
			}
			t := table{header: []string{"Hostname", "IP Address", "Patch Current", "Reboot Required", "Release", "State"}}
			for _, h := range hosts {
				pc := yesNoWord(h.PatchCurrent)
				if h.InterimState {
					pc = "Pending"
				}
				if h.PatchFailed {
					pc = "Failed"
				}
				t.rows = append(t.rows, []string{h.Hostname, swNone(h.IP), pc, yesNoWord(h.RequiresReboot), swNone(h.Release), string(h.State)})
			}
			return g.print(hosts, t)
		}),
	}

	show := &cobra.Command{
		Use:   "show ID...",
		Short: "Show patches",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.swPatch(func(cmd *cobra.Command, args []string, c *patchinghttp.Client) error {
			ans, err := c.SWPatchShow(cmd.Context(), args)
			if err != nil {
				return err
			}
			if g.format != "table" {
				return g.print(ans, table{})
			}
			ids := make([]string, 0, len(ans.Metadata))
			for id := range ans.Metadata {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			for _, id := range ids {
				m := ans.Metadata[id]
				fmt.Fprintf(g.out, "%s:\n", id)
				for _, kv := range [][2]string{{"Release", m.SWVersion}, {"Patch State", string(m.PatchState)}, {"Repo State", string(m.RepoState)},
					{"Status", m.Status}, {"Unremovable", m.Unremovable}, {"RR", m.RebootRequired}, {"Summary", m.Summary},
					{"Description", m.Description}, {"Warnings", m.Warnings}, {"Requires", strings.Join(m.Requires, " ")},
					{"Digest", ans.Contents[id].Digest}} {
					if kv[1] != "" {
						fmt.Fprintf(g.out, "    %-15s %s\n", kv[0]+":", kv[1])
					}
				}
			}
			if ans.Error != "" {
				return errors.New(strings.TrimSpace(ans.Error))
			}
			return nil
		}),
	}

	var applyAll, removeUnremovable, force, recursive, dryRun bool
	apply := msgVerb("apply ID...", "Apply a patch: deploy start (forced) of the release", cobra.ArbitraryArgs,
		func(cmd *cobra.Command, args []string, c *patchinghttp.Client) (patchinghttp.Messages, error) {
			if len(args) == 0 && !applyAll {
				return patchinghttp.Messages{}, errors.New("a patch id or --all is required")
			}
			return c.SWPatchApply(cmd.Context(), args, applyAll)
		})
	apply.Flags().BoolVar(&applyAll, "all", false, "every available patch")
	remove := msgVerb("remove ID...", "Remove a patch: its deploy rolls back", cobra.MinimumNArgs(1),
		func(cmd *cobra.Command, args []string, c *patchinghttp.Client) (patchinghttp.Messages, error) {
			return c.SWPatchRemove(cmd.Context(), args, removeUnremovable)
		})
	remove.Flags().BoolVar(&removeUnremovable, "removeunremovable", false, "remove even an unremovable patch")
	_ = remove.Flags().MarkHidden("removeunremovable")
	hostInstall := msgVerb("host-install HOST", "Install the applied patches on a host (deploy host)", cobra.ExactArgs(1),
		func(cmd *cobra.Command, args []string, c *patchinghttp.Client) (patchinghttp.Messages, error) {
			return c.SWPatchHostInstall(cmd.Context(), args[0], force)
		})
	hostInstall.Flags().BoolVar(&force, "force", false, "install on an unlocked host even if a patch requires a reboot")
	commit := msgVerb("commit ID...", "Commit patches and what they require (irreversible)", cobra.MinimumNArgs(1),
		func(cmd *cobra.Command, args []string, c *patchinghttp.Client) (patchinghttp.Messages, error) {
			return c.SWPatchCommit(cmd.Context(), args, dryRun)
		})
	commit.Flags().BoolVar(&dryRun, "dry-run", false, "check only")
	queryDeps := &cobra.Command{
		Use:   "query-dependencies ID...",
		Short: "List patches and what they require",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.swPatch(func(cmd *cobra.Command, args []string, c *patchinghttp.Client) error {
			deps, err := c.SWPatchQueryDependencies(cmd.Context(), args, recursive)
			if err != nil {
				return err
			}
			if g.format != "table" {
				return g.print(deps, table{})
			}
			for _, d := range deps {
				fmt.Fprintln(g.out, d)
			}
			return nil
		}),
	}
	queryDeps.Flags().BoolVar(&recursive, "recursive", false, "everything required, directly or not")

	sp.AddCommand(
		msgVerb("upload FILE...", "Upload patch (release) files", cobra.MinimumNArgs(1),
			func(cmd *cobra.Command, args []string, c *patchinghttp.Client) (patchinghttp.Messages, error) {
				var all patchinghttp.Messages
				for _, name := range args {
					f, err := os.Open(name)
					if err != nil {
						return all, err
					}
					m, err := c.SWPatchUpload(cmd.Context(), name, f)
					f.Close()
					if err != nil {
						return all, err
					}
					all.Info += m.Info
					all.Warning += m.Warning
				}
				return all, nil
			}),
		apply, remove,
		msgVerb("delete ID...", "Delete available patches", cobra.MinimumNArgs(1),
			func(cmd *cobra.Command, args []string, c *patchinghttp.Client) (patchinghttp.Messages, error) {
				return c.SWPatchDelete(cmd.Context(), args)
			}),
		query, show, queryHosts, hostInstall, commit,
		msgVerb("what-requires ID...", "List the patches that require these", cobra.MinimumNArgs(1),
			func(cmd *cobra.Command, args []string, c *patchinghttp.Client) (patchinghttp.Messages, error) {
				return c.SWPatchWhatRequires(cmd.Context(), args)
			}),
		queryDeps,
	)
	return sp
}
