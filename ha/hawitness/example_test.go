package hawitness_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hawitness"
)

// A witness on loopback and the two controllers' clients: one holds the
// lease, the other is refused until it is released.
func Example() {
	dir, err := os.MkdirTemp("", "witness")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	// First installation: nothing was ever granted.
	if err := hawitness.InitStateDir(dir); err != nil {
		panic(err)
	}
	key := []byte("an example key, 32 bytes or more, shared by all three")
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		panic(err)
	}
	addr := conn.LocalAddr().String()
	srv, err := hawitness.New(hawitness.Config{
		Listen: addr, Key: key, StateDir: dir,
		Domains: []hawitness.Domain{{Name: "controller", Nodes: []string{"controller-0", "controller-1"}}},
	}, nil, &hawitness.Options{Listen: func(netip.AddrPort) (hawitness.Conn, error) { return conn, nil }})
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- srv.Run(ctx) }()

	client := func() *hawitness.Client {
		c, err := hawitness.NewClient(hawitness.ClientConfig{Server: addr, Key: key, Domain: "controller"}, nil, nil)
		if err != nil {
			panic(err)
		}
		return c
	}
	var a, b ha.Witness = client(), client()

	_, err = a.Acquire(ctx, "controller-0")
	fmt.Println("controller-0 acquires:", err)
	_, err = b.Acquire(ctx, "controller-1")
	var held *ha.LeaseHeldError
	if errors.As(err, &held) {
		fmt.Println("controller-1 is refused; the holder is", held.Holder)
	}
	fmt.Println("controller-0 releases:", a.Release(ctx, "controller-0"))
	_, err = b.Acquire(ctx, "controller-1")
	fmt.Println("controller-1 acquires:", err)

	cancel()
	fmt.Println("witness stopped:", <-done)
	// Output:
	// controller-0 acquires: <nil>
	// controller-1 is refused; the holder is controller-0
	// controller-0 releases: <nil>
	// controller-1 acquires: <nil>
	// witness stopped: <nil>
}
