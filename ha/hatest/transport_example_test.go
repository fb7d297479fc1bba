package hatest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/edgeflock/flock/ha/hapeer"
	"github.com/edgeflock/flock/ha/hatest"
)

// Two controllers' links over a FakeNet: they hear each other, lose each
// other when every path is partitioned, and find each other again when
// the network heals. (In a test, run it inside synctest.Test to make its
// timing exact.)
func ExampleFakeNet() {
	fake := hatest.NewFakeNet(1)
	key := strings.Repeat("k", 32)
	c0 := hapeer.Config{Node: "controller-0", Peer: "controller-1", Key: key,
		Period: 10 * time.Millisecond, DeadInterval: 40 * time.Millisecond}
	c1 := c0
	c1.Node, c1.Peer = c0.Peer, c0.Node
	for i, name := range []string{"mgmt", "oam"} {
		a, b := fmt.Sprintf("10.0.%d.1:2000", i), fmt.Sprintf("10.0.%d.2:2000", i)
		c0.Paths = append(c0.Paths, hapeer.Path{Name: name, Local: a, Peer: b})
		c1.Paths = append(c1.Paths, hapeer.Path{Name: name, Local: b, Peer: a})
	}
	peer := make(chan hapeer.Event, 8)
	l0, err := hapeer.New(c0, nil, &hapeer.Options{Listen: fake.Listen, OnEvent: func(ev hapeer.Event) {
		if ev.Kind == hapeer.EventPeerUp || ev.Kind == hapeer.EventPeerDown {
			peer <- ev
		}
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	l1, err := hapeer.New(c1, nil, &hapeer.Options{Listen: fake.Listen})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = l0.Run(ctx) })
	wg.Go(func() { _ = l1.Run(ctx) })

	ev := <-peer
	fmt.Println(ev.Kind, ev.Node)
	for _, p := range c0.Paths {
		fake.Partition(p, hatest.NetBoth)
	}
	ev = <-peer
	fmt.Println(ev.Kind, ev.Node)
	fmt.Println("oam datagrams dropped:", fake.Stats(c0.Paths[1], hatest.NetBoth).Dropped > 0)
	fake.HealAll()
	ev = <-peer
	fmt.Println(ev.Kind, ev.Node)
	cancel()
	wg.Wait()
	// Output:
	// peer-up controller-1
	// peer-down controller-1
	// oam datagrams dropped: true
	// peer-up controller-1
}
