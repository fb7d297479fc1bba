package heartbeat_test

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/heartbeat"
)

// observations is an Observer that hands the observations to the
// example.
type observations chan string

func (o observations) Observe(host string, ob hostmgmt.Observation) {
	switch ob.Kind {
	case hostmgmt.ObsMtcAlive:
		o <- fmt.Sprintf("%s: mtcAlive configured=%t boot=%s", host, ob.Configured, ob.BootID)
	case hostmgmt.ObsCommandResult:
		o <- fmt.Sprintf("%s: %s ok=%t", host, ob.Command, ob.OK)
	default:
		o <- fmt.Sprintf("%s: %s %s %s", host, ob.Kind, ob.Network, ob.Health)
	}
}

// agent is a host's side of the commands.
type agent struct{}

func (agent) Status() heartbeat.Status {
	return heartbeat.Status{Configured: true, BootID: "2f1c", Uptime: time.Hour}
}

func (agent) Command(ctx context.Context, cmd hostmgmt.Command) error {
	return nil // run the in-service tests, start the services ...
}

// A controller and a host's agent on loopback: the controller learns the
// host from its mtcAlive, heartbeats it, and has it run a command.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()

	// The controller, with its socket on the management network.
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	seen := make(observations, 16)
	ctl, err := heartbeat.NewController(map[hostmgmt.Network]*net.UDPConn{hostmgmt.NetworkMgmt: conn}, seen, heartbeat.Config{}, nil, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	wg.Go(func() { _ = ctl.Run(ctx) })

	// The controller issues the host its key and link.
	link := hostmgmt.LinkConfig{
		HostUUID:   "8d1b9c3e-5f1a-4c2e-9a57-0c6f2d4b1e77",
		Key:        []byte("32 random bytes from the control"),
		PeriodMS:   100,
		Controller: map[hostmgmt.Network]string{hostmgmt.NetworkMgmt: conn.LocalAddr().String()},
	}
	ctl.SetKey(link.HostUUID, link.Key)

	// The host's agent.
	client, err := heartbeat.NewClient(heartbeat.ClientConfig{Link: link}, agent{}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	wg.Go(func() { _ = client.Run(ctx) })

	fmt.Println(<-seen)
	ctl.Monitor(link.HostUUID, true)
	if err := ctl.Send(ctx, link.HostUUID, hostmgmt.CmdGoenabled); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("goenabled acknowledged")
	fmt.Println(<-seen)
	// Output:
	// 8d1b9c3e-5f1a-4c2e-9a57-0c6f2d4b1e77: mtcAlive configured=true boot=2f1c
	// goenabled acknowledged
	// 8d1b9c3e-5f1a-4c2e-9a57-0c6f2d4b1e77: goenabled ok=true
}
