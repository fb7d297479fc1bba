package hapeer_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/edgeflock/flock/ha/hapeer"
)

// Two controllers' links on loopback over two paths: each sees the other
// come up, and a swact request crosses once although it went on both
// paths.
func Example() {
	key := strings.Repeat("k", 32) // from the config; at least 32 bytes
	// Sockets opened first, to learn free ports; Listen hands them over.
	socks := map[string]*net.UDPConn{}
	addr := func() string {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			panic(err)
		}
		socks[c.LocalAddr().String()] = c
		return c.LocalAddr().String()
	}
	c0 := hapeer.Config{Node: "controller-0", Peer: "controller-1", Key: key}
	c1 := hapeer.Config{Node: "controller-1", Peer: "controller-0", Key: key}
	for _, name := range []string{"mgmt", "oam"} {
		a, b := addr(), addr()
		c0.Paths = append(c0.Paths, hapeer.Path{Name: name, Local: a, Peer: b})
		c1.Paths = append(c1.Paths, hapeer.Path{Name: name, Local: b, Peer: a})
	}
	listen := func(p hapeer.Path) (hapeer.Conn, error) { return socks[p.Local], nil }

	up0, up1 := make(chan hapeer.Event, 1), make(chan hapeer.Event, 1)
	got := make(chan hapeer.Message, 4)
	onUp := func(ch chan hapeer.Event) func(hapeer.Event) {
		return func(ev hapeer.Event) {
			if ev.Kind == hapeer.EventPeerUp {
				ch <- ev // once here: nothing cuts the paths
			}
		}
	}
	l0, err := hapeer.New(c0, nil, &hapeer.Options{OnEvent: onUp(up0), Listen: listen})
	if err != nil {
		fmt.Println(err)
		return
	}
	l1, err := hapeer.New(c1, nil, &hapeer.Options{OnEvent: onUp(up1), Listen: listen,
		Handler: func(m hapeer.Message) { got <- m }})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = l0.Run(ctx) })
	wg.Go(func() { _ = l1.Run(ctx) })
	fmt.Printf("controller-0 hears %s\n", (<-up0).Node)
	fmt.Printf("controller-1 hears %s\n", (<-up1).Node)

	if err := l0.Send(hapeer.TypeSwactRequest, []byte("all groups")); err != nil {
		fmt.Println(err)
	}
	m := <-got
	fmt.Printf("%s from %s: %s\n", m.Type, m.Node, m.Payload)
	cancel()
	wg.Wait()
	fmt.Println("extra deliveries:", len(got))
	// Output:
	// controller-0 hears controller-1
	// controller-1 hears controller-0
	// swact-request from controller-0: all groups
	// extra deliveries: 0
}
