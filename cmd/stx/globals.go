package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/stx"
)

type globals struct {
	out                           io.Writer
	url, token, tokenFile, format string

	// newInventory builds the inventory client the flags describe
	// (newInventoryClient); tests may point it at their own service.
	newInventory func(g *globals) (inventory.Service, error)
	// newHostMgmt builds the host maintenance client the flags describe
	// (newHostMgmtClient); tests may point it at their own service.
	newHostMgmt func(g *globals) (hostmgmt.Service, error)
	// newSM builds the service management client the flags describe
	// (newSMClient if nil); tests may point it at their own API.
	newSM func(g *globals) (ha.API, error)
	// newSoftware builds the software management client the flags
	// describe (newSoftwareClient if nil); tests may point it at their
	// own service.
	newSoftware func(g *globals) (patching.Service, error)
}

// checkFormat rejects an unknown --format before anything is sent.
func (g *globals) checkFormat() error {
	if g.format != "table" && g.format != "json" && g.format != "yaml" {
		return fmt.Errorf("--format must be table, json or yaml, not %q", g.format)
	}
	return nil
}

// bearer returns the token: --token, else the --token-file (default the
// controller's admin token file, if it exists).
func (g *globals) bearer() (string, error) {
	if g.token != "" {
		return g.token, nil
	}
	path := g.tokenFile
	if path == "" {
		path = filepath.Join(stx.DefaultDataDir(), "admin.token")
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		return strings.TrimSpace(string(data)), nil
	case g.tokenFile != "" || !errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("token file: %w", err)
	}
	return "", nil
}

// client builds the fault client from the flags.
func (g *globals) client() (*faulthttp.Client, error) {
	if err := g.checkFormat(); err != nil {
		return nil, err
	}
	tok, err := g.bearer()
	if err != nil {
		return nil, err
	}
	return faulthttp.NewClient(g.url, &faulthttp.ClientOptions{Token: tok}), nil
}

// withInventory makes a command's RunE from fn, handing it the inventory
// service the flags describe.
func (g *globals) withInventory(fn func(cmd *cobra.Command, args []string, s inventory.Service) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := g.checkFormat(); err != nil {
			return err
		}
		if err := refuseUnsupported(cmd); err != nil {
			return err
		}
		s, err := g.newInventory(g)
		if err != nil {
			return err
		}
		return fn(cmd, args, s)
	}
}

// withClient makes a command's RunE from fn, handing it the client the
// flags describe.
func (g *globals) withClient(fn func(cmd *cobra.Command, args []string, c *faulthttp.Client) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		c, err := g.client()
		if err != nil {
			return err
		}
		return fn(cmd, args, c)
	}
}

// table is rows of cells with a header, printed as a table or, for json
// and yaml, as the raw value.
type table struct {
	header []string
	rows   [][]string
}

// print writes v as JSON or YAML, or t as an aligned table.
func (g *globals) print(v any, t table) error {
	switch g.format {
	case "json":
		enc := json.NewEncoder(g.out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "yaml":
		// Through JSON, so YAML keys are the API's field names.
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		var generic any
		if err := json.Unmarshal(data, &generic); err != nil {
			return err
		}
		return yaml.NewEncoder(g.out).Encode(generic)
	}
	tw := tabwriter.NewWriter(g.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(t.header, "\t"))
	for _, r := range t.rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// fields prints one record as a two-column property table.
func (g *globals) fields(v any, kv [][2]string) error {
	t := table{header: []string{"Property", "Value"}}
	for _, p := range kv {
		t.rows = append(t.rows, []string{p[0], p[1]})
	}
	return g.print(v, t)
}

// parseQuery parses fm's -q syntax: "k=v;k2=v2", repeatable.
func parseQuery(qs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, q := range qs {
		for _, part := range strings.Split(q, ";") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			k, v, ok := strings.Cut(part, "=")
			if !ok || k == "" {
				return nil, fmt.Errorf("-q %q: want key=value", part)
			}
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out, nil
}
