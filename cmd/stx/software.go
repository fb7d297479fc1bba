package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/patchinghttp"
)

// newSoftwareClient builds the software management client the flags
// describe: USM's paths on the controller's URL (stx-controller serves
// them when it runs software management, stx.Config.Software).
func newSoftwareClient(g *globals) (patching.Service, error) {
	tok, err := g.bearer()
	if err != nil {
		return nil, err
	}
	return patchinghttp.NewClient(g.url, &patchinghttp.ClientOptions{Token: tok}), nil
}

// withSoftware makes a command's RunE from fn, handing it the software
// management service the flags describe.
func (g *globals) withSoftware(fn func(cmd *cobra.Command, args []string, s patching.Service) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := g.checkFormat(); err != nil {
			return err
		}
		newSW := g.newSoftware
		if newSW == nil {
			newSW = newSoftwareClient
		}
		s, err := newSW(g)
		if err != nil {
			return err
		}
		return fn(cmd, args, s)
	}
}

// yn is software-client's RR column: Y or N.
func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

func swNone(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

func (g *globals) releaseFields(r patching.ReleaseInfo) error {
	return g.fields(r, [][2]string{{"release_id", r.ID}, {"state", string(r.State)}, {"sw_version", r.SWVersion},
		{"component", swNone(r.Component)}, {"status", r.Status}, {"unremovable", yn(r.Unremovable)},
		{"summary", r.Summary}, {"description", r.Description}, {"install_instructions", r.InstallInstructions},
		{"warnings", r.Warnings}, {"reboot_required", yn(r.RebootRequired)}, {"requires", strings.Join(r.Requires, " ")},
		{"digest", r.Digest}, {"size", strconv.FormatInt(r.Size, 10)}, {"signer", r.Signer}})
}

// deployTable prints the deployment as software-client's deploy show:
// From Release, To Release, RR, State (and the reason of a failure).
func (g *globals) deployTable(d patching.Deploy) error {
	t := table{header: []string{"From Release", "To Release", "RR", "State"},
		rows: [][]string{{swNone(d.FromRelease), d.ToRelease, yn(d.RebootRequired), string(d.State)}}}
	if d.Reason != "" {
		t.header = append(t.header, "Reason")
		t.rows[0] = append(t.rows[0], d.Reason)
	}
	return g.print(d, t)
}

func hostRow(h patching.HostDeploy) []string {
	rr, to, st := yn(h.RebootRequired), swNone(h.ToRelease), swNone(string(h.State))
	if h.State == "" {
		rr = "None"
	}
	return []string{h.Hostname, swNone(h.FromRelease), to, rr, st}
}

var hostHeader = []string{"Host", "From Release", "To Release", "RR", "State"}

func (g *globals) hostTable(h patching.HostDeploy) error {
	return g.print(h, table{header: hostHeader, rows: [][]string{hostRow(h)}})
}

// softwareCommand is StarlingX's `software` CLI (software-client's
// release_shell.py and deploy_shell.py), with its columns: list
// (Release, RR, State) and deploy host-list (Host, From Release, To
// Release, RR, State); plus build and keygen, which make signed release
// files without a controller.
func softwareCommand(g *globals) *cobra.Command {
	sw := &cobra.Command{Use: "software", Short: "Software management: releases and their deployment"}
	var state string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the releases",
		Args:  cobra.NoArgs,
		RunE: g.withSoftware(func(cmd *cobra.Command, _ []string, s patching.Service) error {
			var st patching.ReleaseState
			if state != "" {
				var err error
				if st, err = patching.ParseReleaseState(state); err != nil {
					return fmt.Errorf("--state: %w", err)
				}
			}
			rels, err := s.ListReleases(cmd.Context(), st)
			if err != nil {
				return err
			}
			t := table{header: []string{"Release", "RR", "State"}}
			for _, r := range rels {
				t.rows = append(t.rows, []string{r.ID, yn(r.RebootRequired), string(r.State)})
			}
			return g.print(rels, t)
		}),
	}
	list.Flags().StringVar(&state, "state", "", "only releases in this state (available, deployed, ...)")

	var key, out string
	build := &cobra.Command{
		Use:   "build DIR --key KEY -o REL.tar",
		Short: "Build a signed release file from a directory (metadata.yaml, content/, scripts/)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if key == "" || out == "" {
				return errors.New("--key and -o are required")
			}
			priv, err := patching.ReadPrivateKey(key)
			if err != nil {
				return err
			}
			return buildRelease(args[0], priv, out)
		},
	}
	build.Flags().StringVar(&key, "key", "", "private key file (stx software keygen)")
	build.Flags().StringVarP(&out, "output", "o", "", "release file to write")

	sw.AddCommand(
		&cobra.Command{
			Use:   "upload FILE",
			Short: "Upload a release file",
			Args:  cobra.ExactArgs(1),
			RunE: g.withSoftware(func(cmd *cobra.Command, args []string, s patching.Service) error {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				r, err := s.Upload(cmd.Context(), f)
				if err != nil {
					return err
				}
				if g.format != "table" {
					return g.print(r, table{})
				}
				_, err = fmt.Fprintf(g.out, "%s is now uploaded\n", r.ID)
				return err
			}),
		},
		list,
		&cobra.Command{
			Use:   "show ID",
			Short: "Show a release",
			Args:  cobra.ExactArgs(1),
			RunE: g.withSoftware(func(cmd *cobra.Command, args []string, s patching.Service) error {
				r, err := s.GetRelease(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return g.releaseFields(r)
			}),
		},
		&cobra.Command{
			Use:   "delete ID",
			Short: "Delete a release from the repository",
			Args:  cobra.ExactArgs(1),
			RunE: g.withSoftware(func(cmd *cobra.Command, args []string, s patching.Service) error {
				if err := s.DeleteRelease(cmd.Context(), args[0]); err != nil {
					return err
				}
				_, err := fmt.Fprintf(g.out, "%s has been deleted\n", args[0])
				return err
			}),
		},
		deployCommand(g),
		build,
		&cobra.Command{
			Use:   "keygen PRIV",
			Short: "Make a release signing key: PRIV (private) and PRIV.pub (public, for the keyring)",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				k, err := patching.GenerateKey(nil)
				if err != nil {
					return err
				}
				return patching.WriteKey(args[0], k)
			},
		},
	)
	return sw
}

// buildRelease writes the release of dir to out: a temporary file in
// out's directory, renamed once complete, so a failed build leaves no
// partial file.
func buildRelease(dir string, key []byte, out string) error {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".release-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := patching.Build(dir, key, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}

func deployCommand(g *globals) *cobra.Command {
	dep := &cobra.Command{Use: "deploy", Short: "Deploy a release: precheck, start, host, activate, complete, abort"}
	var startForce, hostForce bool
	start := &cobra.Command{
		Use:   "start ID",
		Short: "Start deploying a release",
		Args:  cobra.ExactArgs(1),
		RunE: g.withSoftware(func(cmd *cobra.Command, args []string, s patching.Service) error {
			d, err := s.DeployStart(cmd.Context(), args[0], startForce)
			if err != nil {
				return err
			}
			return g.deployTable(d)
		}),
	}
	start.Flags().BoolVarP(&startForce, "force", "f", false, "start even if the pre-checks fail")
	host := &cobra.Command{
		Use:   "host HOST",
		Short: "Install the release being deployed on a host",
		Args:  cobra.ExactArgs(1),
		RunE: g.withSoftware(func(cmd *cobra.Command, args []string, s patching.Service) error {
			h, err := s.DeployHost(cmd.Context(), args[0], hostForce)
			if err != nil {
				return err
			}
			return g.hostTable(h)
		}),
	}
	host.Flags().BoolVarP(&hostForce, "force", "f", false, "install on an unlocked host even if the release requires a reboot")
	verb := func(use, short string, fn func(patching.Service, *cobra.Command) (patching.Deploy, error)) *cobra.Command {
		return &cobra.Command{
			Use: use, Short: short, Args: cobra.NoArgs,
			RunE: g.withSoftware(func(cmd *cobra.Command, _ []string, s patching.Service) error {
				d, err := fn(s, cmd)
				if err != nil {
					return err
				}
				return g.deployTable(d)
			}),
		}
	}
	dep.AddCommand(
		&cobra.Command{
			Use:   "precheck ID",
			Short: "Run the deploy pre-checks for a release",
			Args:  cobra.ExactArgs(1),
			RunE: g.withSoftware(func(cmd *cobra.Command, args []string, s patching.Service) error {
				pc, err := s.Precheck(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				t := table{header: []string{"Check", "Result", "Detail"}}
				for _, l := range pc.Checks {
					res := "[OK]"
					if !l.OK {
						res = "[Fail]"
					}
					t.rows = append(t.rows, []string{l.Check, res, l.Detail})
				}
				if err := g.print(pc, t); err != nil {
					return err
				}
				if !pc.OK {
					return fmt.Errorf("the pre-checks of %s failed", pc.ReleaseID)
				}
				return nil
			}),
		},
		start,
		host,
		&cobra.Command{
			Use:   "host-rollback HOST",
			Short: "Roll a host back to the release it ran before the deploy",
			Args:  cobra.ExactArgs(1),
			RunE: g.withSoftware(func(cmd *cobra.Command, args []string, s patching.Service) error {
				h, err := s.DeployHostRollback(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return g.hostTable(h)
			}),
		},
		verb("activate", "Activate the deployed release", func(s patching.Service, c *cobra.Command) (patching.Deploy, error) {
			return s.DeployActivate(c.Context())
		}),
		verb("activate-rollback", "Roll the activation back", func(s patching.Service, c *cobra.Command) (patching.Deploy, error) {
			return s.DeployActivateRollback(c.Context())
		}),
		verb("complete", "Complete the deployment", func(s patching.Service, c *cobra.Command) (patching.Deploy, error) {
			return s.DeployComplete(c.Context())
		}),
		verb("abort", "Abort the deployment (then roll back)", func(s patching.Service, c *cobra.Command) (patching.Deploy, error) {
			return s.DeployAbort(c.Context())
		}),
		verb("show", "Show the deployment", func(s patching.Service, c *cobra.Command) (patching.Deploy, error) {
			return s.ShowDeploy(c.Context())
		}),
		&cobra.Command{
			Use:   "delete",
			Short: "Delete a completed or rolled back deployment",
			Args:  cobra.NoArgs,
			RunE: g.withSoftware(func(cmd *cobra.Command, _ []string, s patching.Service) error {
				if err := s.DeployDelete(cmd.Context()); err != nil {
					return err
				}
				_, err := fmt.Fprintln(g.out, "Deploy deleted with success")
				return err
			}),
		},
		&cobra.Command{
			Use:   "host-list",
			Short: "List the hosts' deploy states",
			Args:  cobra.NoArgs,
			RunE: g.withSoftware(func(cmd *cobra.Command, _ []string, s patching.Service) error {
				list, err := s.ListDeployHosts(cmd.Context())
				if err != nil {
					return err
				}
				t := table{header: hostHeader}
				for _, h := range list {
					t.rows = append(t.rows, hostRow(h))
				}
				if slices.ContainsFunc(list, func(h patching.HostDeploy) bool { return h.Reason != "" }) {
					t.header = append(slices.Clone(hostHeader), "Reason")
					for i, h := range list {
						t.rows[i] = append(t.rows[i], h.Reason)
					}
				}
				return g.print(list, t)
			}),
		},
	)
	return dep
}
