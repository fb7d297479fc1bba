// Command stx is Flock's operator CLI. It speaks to stx-controller's REST
// API; the commands and their flags follow StarlingX's fm CLI.
//
//	stx alarm-list [-q alarm_id=100.101;severity=major] [--include-suppress]
//	stx alarm-raise --alarm-id 100.101 --eid host=controller-0 --severity major
//
// The server is --url (or $STX_URL, default http://127.0.0.1:6385); the
// token is --token, $STX_TOKEN, or the file --token-file (default the
// controller's admin token file).
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRoot(os.Stdout).Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "stx:", err)
		os.Exit(1)
	}
}

func newRoot(out io.Writer) *cobra.Command {
	g := &globals{out: out}
	root := &cobra.Command{
		Use:           "stx",
		Short:         "Operate a Flock edge cloud",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(out)
	pf := root.PersistentFlags()
	pf.StringVar(&g.url, "url", envOr("STX_URL", "http://127.0.0.1:6385"), "controller REST URL ($STX_URL)")
	pf.StringVar(&g.token, "token", os.Getenv("STX_TOKEN"), "bearer token ($STX_TOKEN)")
	pf.StringVar(&g.tokenFile, "token-file", "", "file holding the token (default the controller's admin token file)")
	pf.StringVar(&g.format, "format", "table", "output format: table, json or yaml")
	root.AddCommand(alarmCommands(g)...)
	root.AddCommand(eventCommands(g)...)
	return root
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
