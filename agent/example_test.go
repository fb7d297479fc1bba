package agent_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/agent/agenttest"
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
