package hanode_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hanode"
	"github.com/edgeflock/flock/ha/hapeer"
	"github.com/edgeflock/flock/ha/hatest"
)

// Two controllers over an in-memory network, with a floating address
// run by a Go plugin: controller-0 is elected, then a swact moves the
// address to controller-1.
func Example() {
	model, err := ha.LoadModel(strings.NewReader(`
domains:
  - name: controller
    members:
      - {service_group_name: oam-services, redundancy_model: N + M, n_active: 1, m_standby: 1}
service_groups:
  - name: oam-services
    services:
      - {service_name: oam-ip, service_failure_impact: critical}
services:
  - name: oam-ip
    kind: ip
    ip: {network: oam, address: 192.0.2.10/24, interface: eth0}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	var mu sync.Mutex
	holder := map[string]bool{}
	fake := hatest.NewFakeNet(1)
	names := []string{"controller-0", "controller-1"}
	nodes := make([]*hanode.Node, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for i, name := range names {
		ip := ha.PluginFunc(func(_ context.Context, c ha.PluginCall) ha.PluginResult {
			mu.Lock()
			defer mu.Unlock()
			switch c.Action {
			case ha.ActionGoActive:
				holder[name] = true
			case ha.ActionGoStandby, ha.ActionDisable:
				delete(holder, name)
			}
			return ha.PluginResult{Result: ha.ResultSuccess}
		})
		cfg := hanode.Config{Model: model, StateDir: mustTemp(), Link: hapeer.Config{
			Node: name, Peer: names[1-i], Key: strings.Repeat("secret", 6), Period: 10 * time.Millisecond, DeadInterval: 40 * time.Millisecond,
			Paths: []hapeer.Path{{Name: "mgmt", Local: fmt.Sprintf("10.0.0.%d:2112", i+1), Peer: fmt.Sprintf("10.0.0.%d:2112", 2-i)}}},
			Failover: ha.FailoverConfig{WaitInterval: 200 * time.Millisecond}}
		fence := ha.FencerFunc(func(context.Context, string) error { return nil })
		nodes[i], err = hanode.New(cfg, &hanode.Options{Plugins: ha.Plugins{ha.PluginIP: ip}, Listen: fake.Listen, Fencer: fence})
		if err != nil {
			fmt.Println(err)
			return
		}
		wg.Go(func() { _ = nodes[i].Run(ctx) })
	}
	for nodes[0].Status().Role != ha.ControllerActive || nodes[1].Status().Role != ha.ControllerStandby {
		time.Sleep(10 * time.Millisecond)
	}
	show := func() {
		mu.Lock()
		defer mu.Unlock()
		fmt.Println(nodes[0].Status().Role, nodes[1].Status().Role, "address on controller-1:", holder["controller-1"])
	}
	show()
	if err := nodes[0].Swact(ctx, ha.SwactRequest{Node: "controller-0"}); err != nil {
		fmt.Println(err)
	}
	show()
	cancel()
	wg.Wait()
	// Output:
	// active standby address on controller-1: false
	// standby active address on controller-1: true
}
