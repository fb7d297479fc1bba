package agent_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/agent/agenttest"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// An agent over fakes: it reports the host, applies the configuration
// the controller has for it, and says so.
func Example() {
	dir, _ := os.MkdirTemp("", "agent-example")
	defer os.RemoveAll(dir)
	ctrl := agenttest.NewController("6f1c2c8e-0000-4000-8000-000000000001")
	ctrl.SetConfig(inventory.HostConfig{UUID: "1a2b3c4d-0000-4000-8000-000000000001"})
	disc := agenttest.NewDiscoverer(inventorytest.ReportFor("52:54:00:12:34:56"))
	app := &agenttest.Applier{}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := agent.New(ctrl, disc, app, dir, nil)
	if err != nil {
		panic(err)
	}
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	// The first step reports, applies and tells at once; wait for it.
	for len(ctrl.Applied()) == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	fmt.Println("reports:", len(ctrl.Reports()))
	fmt.Println("applied:", app.Applied())
	fmt.Println("told:", ctrl.Applied())
	// Output:
	// reports: 1
	// applied: [1a2b3c4d-0000-4000-8000-000000000001]
	// told: [1a2b3c4d-0000-4000-8000-000000000001]
}

// The maintenance side of a host: the commands the controller sends
// over the heartbeat link run the host's scripts, and Status is what
// the host answers pulses with. (Run, not shown, joins the link with
// what GET /v1/ihosts/{uuid}/mtce_link gives.)
func ExampleMaintenance() {
	dir, _ := os.MkdirTemp("", "mtce-example")
	defer os.RemoveAll(dir)
	tests := filepath.Join(dir, "goenabled.d")
	_ = os.Mkdir(tests, 0o755)
	_ = os.WriteFile(filepath.Join(tests, "10-memory"), []byte("#!/bin/sh\nexit 0\n"), 0o755)
	_ = os.WriteFile(filepath.Join(tests, "20-disk"), []byte("#!/bin/sh\necho /dev/sdb is missing >&2\nexit 3\n"), 0o755)

	ctrl := agenttest.NewController("6f1c2c8e-0000-4000-8000-000000000001")
	disc := agenttest.NewDiscoverer(inventorytest.ReportFor("52:54:00:12:34:56"))
	a, err := agent.New(ctrl, disc, &agenttest.Applier{}, filepath.Join(dir, "state"), nil)
	if err != nil {
		panic(err)
	}
	links := agent.NewLinkClient("http://controller:6385", &agent.LinkClientOptions{Token: "the host's agent token"})
	m, err := agent.NewMaintenance(a, links, &agent.MaintenanceOptions{
		GoenabledDir: tests,
		ServicesDir:  filepath.Join(dir, "services.d"), // none: nothing to start
		Reboot:       agent.RebootExec,                 // a lab's simulated reboot
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	fmt.Println("goenabled:", m.Command(ctx, hostmgmt.CmdGoenabled))
	fmt.Println("start-services:", m.Command(ctx, hostmgmt.CmdStartServices))
	st := m.Status()
	fmt.Println("configured:", st.Configured, "flags:", st.Flags, "boot id:", len(st.BootID), "chars")
	// Output:
	// goenabled: goenabled: 20-disk: exit status 3: /dev/sdb is missing
	// start-services: <nil>
	// configured: false flags: 0 boot id: 36 chars
}
