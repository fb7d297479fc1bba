// Command stx is Flock's operator CLI. It speaks to stx-controller's REST
// API; the commands and their flags follow StarlingX's fm CLI (alarms and
// events) and system CLI (inventory, host maintenance's actions).
//
//	stx alarm-list [-q alarm_id=100.101;severity=major] [--include-suppress]
//	stx alarm-raise --alarm-id 100.101 --eid host=controller-0 --severity major
//	stx host-add -n worker-0 -p worker -m 08:00:27:aa:bb:cc -I 10.10.10.5 -T redfish -U admin -P -
//	stx host-lock worker-0; stx host-unlock worker-0; stx host-swact controller-0
//	stx host-cpu-modify worker-0 -f platform -p0 2
//	stx host-memory-modify worker-0 0 -2M 1024
//	stx software upload REL.tar; stx software deploy start ID; stx software deploy host-list
//
// Hosts are named by hostname, uuid or id everywhere. The BMC password
// (host-add -P, host-update bm_password=) is never printed; given as "-"
// it is read from $STX_BM_PASSWORD, so it stays out of the command line
// and no prompt is needed. argparse's multi-letter single-dash flags
// (-p0..-p3, -2M, -1G, -la, -lo) are accepted as StarlingX spells them,
// and as --p0, --2M, --la....
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
	return rootCommand(&globals{out: out, newInventory: newInventoryClient, newHostMgmt: newHostMgmtClient})
}

// rootCommand builds the command tree over g, whose out and inventory
// fields the caller has set.
func rootCommand(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "stx",
		Short:         "Operate a Flock edge cloud",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(g.out)
	pf := root.PersistentFlags()
	pf.StringVar(&g.url, "url", envOr("STX_URL", "http://127.0.0.1:6385"), "controller REST URL ($STX_URL)")
	pf.StringVar(&g.token, "token", os.Getenv("STX_TOKEN"), "bearer token ($STX_TOKEN)")
	pf.StringVar(&g.tokenFile, "token-file", "", "file holding the token (default the controller's admin token file)")
	pf.StringVar(&g.format, "format", "table", "output format: table, json or yaml")
	root.AddCommand(alarmCommands(g)...)
	root.AddCommand(eventCommands(g)...)
	root.AddCommand(hostCommands(g)...)
	root.AddCommand(hostActionCommands(g)...)
	root.AddCommand(hostSensorListCommand(g))
	root.AddCommand(hardwareCommands(g)...)
	root.AddCommand(networkCommands(g)...)
	root.AddCommand(systemCommands(g)...)
	root.AddCommand(agentTokenCommands(g)...)
	root.AddCommand(smCommands(g)...)
	root.AddCommand(softwareCommand(g))
	root.AddCommand(swPatchCommand(g))
	return root
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
