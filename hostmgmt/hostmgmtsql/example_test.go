package hostmgmtsql_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmtsql"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorysql"
)

// A Manager over SQLite maintains the hosts of an inventory: here one
// locked worker, whose agent and BMC are fakes, comes online and is
// powered off by an operator; powering it off again is refused.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "hostmgmt-example")
	defer os.RemoveAll(dir)
	inv, _ := inventorysql.OpenMemory(ctx, nil)
	defer inv.Close()
	h, _ := inv.AddHost(ctx, inventory.HostSpec{Hostname: "worker-0", Personality: inventory.PersonalityWorker, MgmtMAC: "08:00:27:00:00:01"})

	agents := hostmgmttest.NewFakeAgents()
	agents.AddHost(h.UUID)
	tm := hostmgmttest.Timings()
	m, err := hostmgmtsql.Open(ctx, "sqlite://"+filepath.Join(dir, "flock.db"), hostmgmtsql.Options{
		Inventory: inv, Agents: agents, Heartbeat: agents, BMCs: hostmgmttest.NewFakeBMCs(agents), Timings: &tm,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	agents.SetObserver(m)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = m.Run(runCtx) }()
	defer func() { stop(); <-done; agents.Wait(); m.Close() }()

	wait := func(want inventory.Availability) {
		for range 500 {
			if hs, _ := m.GetHostState(ctx, "worker-0"); hs.Availability == want && hs.Stage == hostmgmt.StageIdle {
				fmt.Printf("%s-%s-%s\n", hs.Administrative, hs.Operational, hs.Availability)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		fmt.Println("timed out waiting for", want)
	}
	_, _ = m.GetHostState(ctx, "worker-0") // the first use makes maintenance learn the host
	agents.AddHost(h.UUID)                 // its agent sends mtcAlive
	wait(inventory.AvailOnline)
	if _, err := m.Act(ctx, "worker-0", hostmgmt.ActionPowerOff); err != nil {
		fmt.Println(err)
	}
	wait(inventory.AvailPowerOff)
	_, err = m.Act(ctx, "worker-0", hostmgmt.ActionPowerOff)
	fmt.Println(err)
	// Output:
	// locked-disabled-online
	// locked-disabled-power-off
	// Host worker-0 is already powered off (rule power-state)
}
