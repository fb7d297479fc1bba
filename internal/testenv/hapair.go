package testenv

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// HAPair is a two-node high-availability lab like the ones keepalived
// and Pacemaker are tested in: two nodes and a client, each a network
// namespace, joined on every network by a Linux bridge with a port for
// each of the three. The bridges live in a fourth namespace of the lab,
// the switch, so that nothing of the lab touches the root namespace:
// its addresses cannot clash with the machine's or another lab's, and
// removing the namespaces removes everything.
//
// Network i (in the order given to NewHAPair) is 10.<100+i>.0.0/24 on
// interface eth<i> of each namespace: node 0 is .10, node 1 is .11, the
// client is .100, and .200–.250 are left free for floating addresses
// (Floating). Each interface's MAC address is fixed, 02:00 followed by
// its IPv4 address (02:00:0a:64:00:0a for 10.100.0.10), so a test can
// tell which node answered.
//
// Drop cuts a node's port on a network silently, as NetHost.Drop does
// (a pfifo qdisc of limit 0 on both ends of the node's veth: the
// carriers stay up and sends succeed); Heal restores it. A Prober pings
// an address every few milliseconds from a namespace of the lab and
// records each answer with the MAC address it came from, to measure how
// long a floating address takes to answer from its new node; Holders
// tells which nodes hold an address, to check that two never do.
//
// The namespaces are named flk-<pid>-<tag>-{sw,n0,n1,c}, as NetLab's
// are, removed in t.Cleanup with the processes left in them, and swept
// by the next lab (HAPair's or NetLab's) if the test process died before
// its cleanups ran. It needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN),
// iproute2's ip and tc, and the kernel's bridge and veth support; where
// they are missing NewHAPair fails the test under CI=true and skips it
// elsewhere. Its methods are safe for concurrent use, save that a test
// must not Drop and Heal the same port at once.
type HAPair struct {
	tag    string
	sw     string // the switch namespace
	nodes  [2]*HANode
	client *HANode
	nets   []haNet

	mu      sync.Mutex
	dropped map[haPort]bool
}

type haNet struct {
	name   string
	prefix netip.Prefix
}

type haPort struct{ node, net int }

// HANode is a namespace of an HAPair: one of the two nodes or the
// client.
type HANode struct {
	// NS is the network namespace's name (ip netns).
	NS string
	// Name is "node-0", "node-1" or "client".
	Name string
	host byte // the last octet of its addresses
	pair *HAPair
}

// The last octets of an HAPair's addresses.
const (
	haNode0Octet  = 10
	haClientOctet = 100
	haFloatFirst  = 200
	haFloatLast   = 250
	haFirstOctet  = 100 // network i is 10.<100+i>.0.0/24
	haMaxNets     = 9
)

// NewHAPair sets up a lab with the named networks ("mgmt", "oam",
// "cluster-host" ...; 1–9 of them). It checks first that the machine
// can run it.
func NewHAPair(t testing.TB, networks ...string) *HAPair {
	t.Helper()
	if len(networks) == 0 || len(networks) > haMaxNets {
		t.Fatalf("testenv: NewHAPair: %d networks, want 1–%d", len(networks), haMaxNets)
	}
	install := "run the tests as root on Linux with iproute2 (apt-get install iproute2), network namespaces, veth and bridge support"
	what := "the HA pair lab (root, ip, tc, netns, veth, bridge)"
	if os.Geteuid() != 0 {
		Missing(t, what, install, errors.New("not root"))
	}
	for _, bin := range []string{"ip", "tc"} {
		if _, err := exec.LookPath(bin); err != nil {
			Missing(t, what, install, err)
		}
	}
	sweepNetLabs()
	var b [3]byte
	_, _ = rand.Read(b[:])
	p := &HAPair{tag: hex.EncodeToString(b[:]), dropped: map[haPort]bool{}}
	p.sw = netnsPrefix + strconv.Itoa(os.Getpid()) + "-" + p.tag + "-sw"
	for i, n := range networks {
		if slices.IndexFunc(p.nets, func(x haNet) bool { return x.name == n }) >= 0 {
			t.Fatalf("testenv: NewHAPair: network %q twice", n)
		}
		p.nets = append(p.nets, haNet{name: n, prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(haFirstOctet + i), 0, 0}), 24)})
	}
	for i := range p.nodes {
		p.nodes[i] = &HANode{NS: p.nsName("n" + strconv.Itoa(i)), Name: "node-" + strconv.Itoa(i), host: byte(haNode0Octet + i), pair: p}
	}
	p.client = &HANode{NS: p.nsName("c"), Name: "client", host: haClientOctet, pair: p}

	// The switch first: if it cannot be built, the machine lacks what
	// the lab needs.
	if err := p.addNS(t, p.sw); err != nil {
		Missing(t, what, install, err)
	}
	if err := ipRun("-n", p.sw, "link", "add", "br0", "type", "bridge"); err != nil {
		Missing(t, what, install, err)
	}
	fatal := func(err error) {
		t.Helper()
		t.Fatalf("testenv: HA pair lab: %v", err)
	}
	members := []*HANode{p.nodes[0], p.nodes[1], p.client}
	for _, m := range members {
		if err := p.addNS(t, m.NS); err != nil {
			fatal(err)
		}
	}
	for i, n := range p.nets {
		br := "br" + strconv.Itoa(i)
		steps := [][]string{}
		if i > 0 {
			steps = append(steps, []string{"-n", p.sw, "link", "add", br, "type", "bridge"})
		}
		steps = append(steps, []string{"-n", p.sw, "link", "set", br, "up"})
		for _, m := range members {
			port, inner := m.port(i), "eth"+strconv.Itoa(i)
			ip := m.IP(n.name)
			steps = append(steps,
				[]string{"-n", p.sw, "link", "add", port, "type", "veth", "peer", "name", inner, "address", haMAC(ip).String(), "netns", m.NS},
				[]string{"-n", p.sw, "link", "set", port, "master", br},
				[]string{"-n", p.sw, "link", "set", port, "up"},
				[]string{"-n", m.NS, "addr", "add", ip.String() + "/24", "dev", inner},
				[]string{"-n", m.NS, "link", "set", inner, "up"},
			)
		}
		for _, s := range steps {
			if err := ipRun(s...); err != nil {
				fatal(err)
			}
		}
	}
	return p
}

// addNS adds namespace ns with its loopback up, removed (its processes
// killed first) when the test ends.
func (p *HAPair) addNS(t testing.TB, ns string) error {
	if err := ipRun("netns", "add", ns); err != nil {
		return err
	}
	t.Cleanup(func() {
		killIn(ns)
		if err := ipRun("netns", "del", ns); err != nil {
			t.Errorf("testenv: HA pair lab cleanup: %v", err)
		}
	})
	return ipRun("-n", ns, "link", "set", "lo", "up")
}

func (p *HAPair) nsName(kind string) string {
	return netnsPrefix + strconv.Itoa(os.Getpid()) + "-" + p.tag + "-" + kind
}

// haMAC is the MAC address of the interface with address ip.
func haMAC(ip netip.Addr) net.HardwareAddr {
	a := ip.As4()
	return net.HardwareAddr{0x02, 0x00, a[0], a[1], a[2], a[3]}
}

// Node returns node i (0 or 1).
func (p *HAPair) Node(i int) *HANode {
	if i < 0 || i > 1 {
		panic(fmt.Sprintf("testenv: HA pair has no node %d", i))
	}
	return p.nodes[i]
}

// Client returns the client namespace.
func (p *HAPair) Client() *HANode { return p.client }

// Networks returns the networks' names, in order.
func (p *HAPair) Networks() []string {
	var s []string
	for _, n := range p.nets {
		s = append(s, n.name)
	}
	return s
}

// net returns the index of the named network; it panics for an unknown
// name (the test's bug).
func (p *HAPair) net(network string) int {
	i := slices.IndexFunc(p.nets, func(x haNet) bool { return x.name == network })
	if i < 0 {
		panic(fmt.Sprintf("testenv: HA pair has no network %q", network))
	}
	return i
}

// Prefix returns network's prefix (10.<o>.0.0/24).
func (p *HAPair) Prefix(network string) netip.Prefix { return p.nets[p.net(network)].prefix }

// Floating returns network's k-th spare address (k from 0 to 50:
// 10.<o>.0.200–.250), free for floating addresses.
func (p *HAPair) Floating(network string, k int) netip.Addr {
	if k < 0 || k > haFloatLast-haFloatFirst {
		panic(fmt.Sprintf("testenv: floating address %d is not 0–%d", k, haFloatLast-haFloatFirst))
	}
	return p.addr(p.net(network), byte(haFloatFirst+k))
}

func (p *HAPair) addr(ni int, host byte) netip.Addr {
	a := p.nets[ni].prefix.Addr().As4()
	a[3] = host
	return netip.AddrFrom4(a)
}

// IP returns the namespace's address on network.
func (n *HANode) IP(network string) netip.Addr { return n.pair.addr(n.pair.net(network), n.host) }

// MAC returns the MAC address of the namespace's interface on network.
func (n *HANode) MAC(network string) net.HardwareAddr { return haMAC(n.IP(network)) }

// Interface returns the name of the namespace's interface on network
// ("eth<i>"), where a floating address is added.
func (n *HANode) Interface(network string) string { return "eth" + strconv.Itoa(n.pair.net(network)) }

// port is the switch's end of the namespace's veth on network i.
func (n *HANode) port(i int) string {
	kind := "c"
	if n != n.pair.client {
		kind = "n" + strconv.Itoa(int(n.host-haNode0Octet))
	}
	return kind + "-" + strconv.Itoa(i)
}

// Command returns a command that runs name with args in the namespace
// (ip netns exec, which execs name in place: the process is name's),
// killed if ctx ends first.
func (n *HANode) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", n.NS, name}, args...)...)
}

// Drop silently drops every packet node sends or receives on network
// from now on, until Heal; the carriers stay up.
func (p *HAPair) Drop(t testing.TB, node int, network string) {
	t.Helper()
	p.setDrop(t, node, network, true)
}

// Heal undoes Drop; a port not dropped is left as it is.
func (p *HAPair) Heal(t testing.TB, node int, network string) {
	t.Helper()
	p.setDrop(t, node, network, false)
}

// DropAll drops node on every network: a silent partition with the
// carriers up.
func (p *HAPair) DropAll(t testing.TB, node int) {
	t.Helper()
	for _, n := range p.nets {
		p.setDrop(t, node, n.name, true)
	}
}

// HealAll undoes Drop and DropAll on every network of node.
func (p *HAPair) HealAll(t testing.TB, node int) {
	t.Helper()
	for _, n := range p.nets {
		p.setDrop(t, node, n.name, false)
	}
}

func (p *HAPair) setDrop(t testing.TB, node int, network string, drop bool) {
	t.Helper()
	m, i := p.Node(node), p.net(network)
	key := haPort{node, i}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !drop && !p.dropped[key] {
		return
	}
	op, spec := "del", []string(nil)
	if drop {
		op, spec = "replace", []string{"pfifo", "limit", "0"}
	}
	for _, args := range [][]string{
		{"-n", p.sw, "qdisc", op, "dev", m.port(i), "root"},
		{"-n", m.NS, "qdisc", op, "dev", m.Interface(network), "root"},
	} {
		if err := run(nil, "tc", append(args, spec...)...); err != nil {
			t.Fatalf("testenv: %s %s of %s: %v", op, network, m.Name, err)
		}
	}
	p.dropped[key] = drop
}

// Holders returns the nodes (0, 1) that have addr on an interface, in
// order.
func (p *HAPair) Holders(t testing.TB, addr netip.Addr) []int {
	t.Helper()
	var hs []int
	for i, n := range p.nodes {
		out, err := Output(nil, "ip", "-n", n.NS, "-o", "addr", "show", "to", netip.PrefixFrom(addr, addr.BitLen()).String())
		if err != nil {
			t.Fatalf("testenv: holders of %s: %v", addr, err)
		}
		if out != "" {
			hs = append(hs, i)
		}
	}
	return hs
}

// ProbeReply is an answer a Prober recorded.
type ProbeReply struct {
	// Probe is the number of the probe answered, from 0.
	Probe int
	// Sent is when the probe was sent, Received when its answer came.
	Sent, Received time.Time
	// MAC is the source MAC address of the answer's frame: the node (or
	// whatever machine) that answered.
	MAC net.HardwareAddr
}

// Prober pings an address from a namespace of an HAPair: an ICMP echo
// request every interval, and every answer recorded with the time it
// came and the MAC address it came from. The echo requests go through
// the namespace's routing and ARP as any packet would; the answers are
// read from a packet socket on the interface, which sees their Ethernet
// source. Create it with HANode.Prober and run it with Run; its other
// methods are safe to call while it runs.
type Prober struct {
	addr     netip.Addr
	interval time.Duration
	id       uint16
	raw, pkt int // the sockets, opened in the namespace
	closing  sync.Once
	running  sync.Mutex

	mu      sync.Mutex
	sent    []time.Time
	replies []ProbeReply
	more    chan struct{} // closed and replaced at each reply
}

// Prober opens a prober from the namespace to addr, on the lab network
// addr belongs to, sending every interval (at least 100 µs). Its
// sockets are closed when Run returns or the test ends.
func (n *HANode) Prober(t testing.TB, addr netip.Addr, interval time.Duration) *Prober {
	t.Helper()
	if !addr.Is4() {
		t.Fatalf("testenv: prober: %s is not an IPv4 address", addr)
	}
	if interval < 100*time.Microsecond {
		t.Fatalf("testenv: prober: interval %s is under 100µs", interval)
	}
	ni := slices.IndexFunc(n.pair.nets, func(x haNet) bool { return x.prefix.Contains(addr) })
	if ni < 0 {
		t.Fatalf("testenv: prober: %s is on none of the lab's networks", addr)
	}
	var id [2]byte
	_, _ = rand.Read(id[:])
	pr := &Prober{addr: addr, interval: interval, id: binary.BigEndian.Uint16(id[:]), raw: -1, pkt: -1, more: make(chan struct{})}
	ifname := "eth" + strconv.Itoa(ni)
	err := inNetns(n.NS, func() error {
		ifi, err := netInterfaceByName(ifname)
		if err != nil {
			return err
		}
		if pr.raw, err = unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMP); err != nil {
			return fmt.Errorf("raw icmp socket: %w", err)
		}
		// The answers are read from the packet socket: the raw socket
		// takes in no ICMP at all.
		if err := unix.SetsockoptInt(pr.raw, unix.SOL_RAW, unix.ICMP_FILTER, -1); err != nil {
			return fmt.Errorf("icmp filter: %w", err)
		}
		proto := int(htons(unix.ETH_P_IP))
		if pr.pkt, err = unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, proto); err != nil {
			return fmt.Errorf("packet socket: %w", err)
		}
		if err := unix.Bind(pr.pkt, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_IP), Ifindex: ifi}); err != nil {
			return fmt.Errorf("bind packet socket to %s: %w", ifname, err)
		}
		// Reads wake up now and then to see whether Run is over.
		return unix.SetsockoptTimeval(pr.pkt, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Usec: 20000})
	})
	t.Cleanup(pr.close)
	if err != nil {
		pr.close()
		t.Fatalf("testenv: prober in %s: %v", n.NS, err)
	}
	return pr
}

// netInterfaceByName is net.InterfaceByName's index, read on the calling
// thread (whose namespace it is).
func netInterfaceByName(name string) (int, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return 0, err
	}
	return ifi.Index, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

func (pr *Prober) close() {
	pr.closing.Do(func() {
		for _, fd := range []int{pr.raw, pr.pkt} {
			if fd >= 0 {
				_ = unix.Close(fd)
			}
		}
	})
}

// Run sends the probes and records the answers until ctx ends, then
// closes the sockets and returns nil. A prober runs once.
func (pr *Prober) Run(ctx context.Context) error {
	if !pr.running.TryLock() {
		return errors.New("testenv: prober already ran")
	}
	var wg sync.WaitGroup
	wg.Go(func() { pr.receive(ctx) })
	defer func() {
		wg.Wait()
		pr.close()
	}()
	to := &unix.SockaddrInet4{Addr: pr.addr.As4()}
	tick := time.NewTicker(pr.interval)
	defer tick.Stop()
	for {
		pr.mu.Lock()
		seq := len(pr.sent)
		pr.sent = append(pr.sent, time.Now())
		pr.mu.Unlock()
		// An address that does not resolve fails some sends: that is
		// what the answers' absence shows.
		_ = unix.Sendto(pr.raw, echoRequest(pr.id, uint16(seq)), 0, to)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// echoRequest is an ICMP echo request.
func echoRequest(id, seq uint16) []byte {
	b := make([]byte, 8+16)
	b[0] = 8 // echo request
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	copy(b[8:], "flock-ha-prober!")
	binary.BigEndian.PutUint16(b[2:], icmpChecksum(b))
	return b
}

func icmpChecksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}

// receive records the echo replies until ctx ends.
func (pr *Prober) receive(ctx context.Context) {
	buf := make([]byte, 1500)
	want := pr.addr.As4()
	for ctx.Err() == nil {
		n, from, err := unix.Recvfrom(pr.pkt, buf, 0)
		at := time.Now()
		if err != nil {
			continue // the read timeout, mostly
		}
		ll, ok := from.(*unix.SockaddrLinklayer)
		if !ok || ll.Pkttype != unix.PACKET_HOST {
			continue
		}
		b := buf[:n]
		if len(b) < 20 || b[0]>>4 != 4 || b[9] != unix.IPPROTO_ICMP || [4]byte(b[12:16]) != want {
			continue
		}
		icmp := b[int(b[0]&0xf)*4:]
		if len(icmp) < 8 || icmp[0] != 0 || binary.BigEndian.Uint16(icmp[4:]) != pr.id {
			continue
		}
		seq := binary.BigEndian.Uint16(icmp[6:])
		mac := net.HardwareAddr(slices.Clone(ll.Addr[:min(int(ll.Halen), len(ll.Addr))]))
		pr.mu.Lock()
		// The latest probe with that 16-bit sequence number.
		last := len(pr.sent) - 1
		probe := last - int(uint16(last)-seq)
		if probe >= 0 {
			pr.replies = append(pr.replies, ProbeReply{Probe: probe, Sent: pr.sent[probe], Received: at, MAC: mac})
			close(pr.more)
			pr.more = make(chan struct{})
		}
		pr.mu.Unlock()
	}
}

// Sent returns the number of probes sent so far.
func (pr *Prober) Sent() int {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return len(pr.sent)
}

// Replies returns the answers recorded so far, in the order they came.
func (pr *Prober) Replies() []ProbeReply {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return slices.Clone(pr.replies)
}

// FirstReply waits for the first answer to a probe sent at or after
// after (so not one already on its way then) from mac (nil: from any),
// and returns it; it fails when ctx ends first.
func (pr *Prober) FirstReply(ctx context.Context, after time.Time, mac net.HardwareAddr) (ProbeReply, error) {
	seen := 0
	for {
		pr.mu.Lock()
		replies, more := pr.replies[seen:], pr.more
		seen = len(pr.replies)
		pr.mu.Unlock()
		for _, r := range replies {
			if !r.Sent.Before(after) && (mac == nil || slices.Equal(r.MAC, mac)) {
				return r, nil
			}
		}
		select {
		case <-more:
		case <-ctx.Done():
			return ProbeReply{}, fmt.Errorf("testenv: no answer from %s (%s) to a probe sent after %s: %w",
				pr.addr, macOrAny(mac), after.Format(time.RFC3339Nano), ctx.Err())
		}
	}
}

func macOrAny(mac net.HardwareAddr) string {
	if mac == nil {
		return "any MAC"
	}
	return mac.String()
}

// inNetns runs f on an OS thread moved into network namespace ns, then
// moves the thread back. A socket f opens stays in ns. If the thread
// cannot be moved back it is not reused: it ends with its goroutine.
func inNetns(ns string, f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer orig.Close()
		target, err := os.Open("/run/netns/" + ns)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("setns %s: %w", ns, err)
			return
		}
		err = f()
		if e := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); e != nil {
			errc <- errors.Join(err, fmt.Errorf("setns back: %w", e)) // the thread stays locked and dies
			return
		}
		runtime.UnlockOSThread()
		errc <- err
	}()
	return <-errc
}

// String names the namespace and its role, for messages.
func (n *HANode) String() string { return n.Name + " (" + n.NS + ")" }
