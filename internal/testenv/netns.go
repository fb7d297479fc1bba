package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// NetLab is a partition lab on real sockets: one network namespace per
// simulated host, joined to the root namespace by one veth pair per
// network, with no bridge. Network n's server address (ServerIP) sits on
// the root namespace's lo as 10.<o>.0.1/32, o a second octet picked free
// for the lab; host i's veth on it is 10.<o>.<i>.1/24 on the root side
// and 10.<o>.<i>.2/24 (NetHost.IP) in the host's namespace, which routes
// the server address through it. A daemon in the root namespace bound
// to a server address is thus reached by every host on that network,
// and a process run in a host's namespace (NetHost.Command) talks from
// the host's address.
//
// NetHost.Drop cuts a host off one network silently: both ends of its
// veth get a pfifo qdisc of limit 0, which drops every packet leaving
// them while send calls still succeed, as a pulled cable or a dead
// switch port looks to the sockets; NetHost.Heal restores them.
//
// Everything is named after a random tag (namespaces flk-<pid>-<tag>-h<i>)
// so that labs of parallel tests and runs never clash, and removed in
// t.Cleanup, processes still running in a host's namespace killed; a lab
// also removes what the labs of test processes that died without their
// cleanups (a test timeout) left behind: their namespaces, the processes
// still in them, and their lo addresses. It needs root (CAP_NET_ADMIN
// and CAP_SYS_ADMIN) and iproute2's ip and tc; where they are missing
// NewNetLab fails the test under CI=true and skips it elsewhere. A
// NetLab belongs to one test; its methods are not safe for concurrent
// use.
type NetLab struct {
	tag   string
	nets  map[string]*labNet
	hosts int
}

type labNet struct {
	index  int
	octet  int
	server netip.Addr
}

// NetHost is one simulated host of a NetLab: a network namespace with a
// veth on some of the lab's networks.
type NetHost struct {
	// NS is the network namespace's name (ip netns).
	NS    string
	links map[string]hostLink
}

type hostLink struct {
	root, inner string // the veth's ends: in the root namespace, in NS
	ip          netip.Addr
}

const (
	netnsPrefix = "flk-" // namespaces: flk-<pid>-<tag>-<kind>
	// Second octets tried for a lab network: 10.64–10.250.
	netLabFirst, netLabLast = 64, 250
	netLabTries             = 40
	netLabLabel             = "lo:f" // lo address labels: lo:f<pid in hex>
)

// NewNetLab sets up a lab with the named networks (one second octet of
// 10/8 each) and no hosts yet. It checks first that the machine can run
// it (root, ip, tc, network namespaces, veth and the pfifo qdisc).
func NewNetLab(t testing.TB, networks ...string) *NetLab {
	t.Helper()
	if len(networks) == 0 || len(networks) > 9 {
		t.Fatalf("testenv: NewNetLab: %d networks, want 1–9", len(networks))
	}
	install := "run the tests as root on Linux with iproute2 (apt-get install iproute2) and network namespaces"
	if os.Geteuid() != 0 {
		Missing(t, "the network namespace lab (root, ip, tc)", install, errors.New("not root"))
	}
	for _, bin := range []string{"ip", "tc"} {
		if _, err := exec.LookPath(bin); err != nil {
			Missing(t, "the network namespace lab (root, ip, tc)", install, err)
		}
	}
	sweepNetLabs()
	var b [3]byte
	_, _ = rand.Read(b[:])
	l := &NetLab{tag: hex.EncodeToString(b[:]), nets: map[string]*labNet{}}
	if err := l.probe(); err != nil {
		Missing(t, "the network namespace lab (netns, veth, tc pfifo)", install, err)
	}
	for i, n := range networks {
		if _, dup := l.nets[n]; dup {
			t.Fatalf("testenv: NewNetLab: network %q twice", n)
		}
		ln := &labNet{index: i}
		if err := l.claim(t, ln); err != nil {
			t.Fatalf("testenv: NewNetLab: network %s: %v", n, err)
		}
		l.nets[n] = ln
	}
	return l
}

// probe tries the lab's parts on a throwaway namespace.
func (l *NetLab) probe() error {
	ns := l.nsName("probe")
	if err := ipRun("netns", "add", ns); err != nil {
		return err
	}
	defer func() { _ = ipRun("netns", "del", ns) }()
	root := "fl" + l.tag + "-p"
	if err := ipRun("link", "add", root, "type", "veth", "peer", "name", "eth0", "netns", ns); err != nil {
		return err
	}
	defer func() { _ = ipRun("link", "del", root) }()
	return run(nil, "tc", "qdisc", "replace", "dev", root, "root", "pfifo", "limit", "0")
}

// claim picks a free second octet for ln and puts its server address on
// lo, which is what claims it: a lab of another process that picked the
// same octet fails to add the same address and picks again.
func (l *NetLab) claim(t testing.TB, ln *labNet) error {
	var last error
	for range netLabTries {
		n, _ := rand.Int(rand.Reader, big.NewInt(netLabLast-netLabFirst+1))
		o := netLabFirst + int(n.Int64())
		prefix := fmt.Sprintf("10.%d.0.0/16", o)
		// Anything of the machine's own in that /16 rules it out.
		addrs, err := Output(nil, "ip", "-4", "-o", "addr", "show", "to", prefix)
		if err != nil {
			return err
		}
		routes, err := Output(nil, "ip", "-4", "route", "show", "table", "all", "root", prefix)
		if err != nil {
			return err
		}
		if addrs != "" || routes != "" {
			last = fmt.Errorf("%s in use", prefix)
			continue
		}
		server := netip.AddrFrom4([4]byte{10, byte(o), 0, 1})
		label := netLabLabel + strconv.FormatInt(int64(os.Getpid()), 16)
		if err := ipRun("addr", "add", server.String()+"/32", "dev", "lo", "label", label); err != nil {
			last = err
			continue
		}
		t.Cleanup(func() {
			if err := ipRun("addr", "del", server.String()+"/32", "dev", "lo"); err != nil {
				t.Errorf("testenv: net lab cleanup: %v", err)
			}
		})
		ln.octet, ln.server = o, server
		return nil
	}
	return fmt.Errorf("no free 10.x.0.0/16 in %d tries: %w", netLabTries, last)
}

// ServerIP returns network's server address: on the root namespace's
// lo, reached by every host of the lab on that network.
func (l *NetLab) ServerIP(network string) netip.Addr {
	ln := l.nets[network]
	if ln == nil {
		panic(fmt.Sprintf("testenv: no network %q in the lab", network))
	}
	return ln.server
}

// AddHost adds a host (a network namespace) with a veth on each of the
// named networks (all of the lab's if none is named). It is removed when
// the test ends, after the cleanups registered later (the processes run
// in it are stopped first).
func (l *NetLab) AddHost(t testing.TB, networks ...string) *NetHost {
	t.Helper()
	if len(networks) == 0 {
		for n := range l.nets {
			networks = append(networks, n)
		}
	}
	l.hosts++
	i := l.hosts
	if i > 254 {
		t.Fatal("testenv: a net lab has at most 254 hosts")
	}
	h := &NetHost{NS: l.nsName("h" + strconv.Itoa(i)), links: map[string]hostLink{}}
	fatal := func(err error) {
		t.Helper()
		t.Fatalf("testenv: net lab host %s: %v", h.NS, err)
	}
	if err := ipRun("netns", "add", h.NS); err != nil {
		fatal(err)
	}
	t.Cleanup(func() {
		// The test's processes in the namespace are gone by now, unless
		// one was left running: it is killed. The veths go with the
		// namespace; their root ends are removed in any case.
		killIn(h.NS)
		for _, lk := range h.links {
			_ = ipRun("link", "del", lk.root)
		}
		if err := ipRun("netns", "del", h.NS); err != nil {
			t.Errorf("testenv: net lab cleanup: %v", err)
		}
	})
	if err := ipRun("-n", h.NS, "link", "set", "lo", "up"); err != nil {
		fatal(err)
	}
	for _, n := range networks {
		ln := l.nets[n]
		if ln == nil {
			t.Fatalf("testenv: AddHost: no network %q in the lab", n)
		}
		if _, dup := h.links[n]; dup {
			t.Fatalf("testenv: AddHost: network %q twice", n)
		}
		o := byte(ln.octet)
		lk := hostLink{
			root:  fmt.Sprintf("fl%s-%d-%d", l.tag, i, ln.index),
			inner: "eth" + strconv.Itoa(ln.index),
			ip:    netip.AddrFrom4([4]byte{10, o, byte(i), 2}),
		}
		gw := netip.AddrFrom4([4]byte{10, o, byte(i), 1})
		steps := [][]string{
			{"link", "add", lk.root, "type", "veth", "peer", "name", lk.inner, "netns", h.NS},
			{"addr", "add", gw.String() + "/24", "dev", lk.root},
			{"link", "set", lk.root, "up"},
			{"-n", h.NS, "addr", "add", lk.ip.String() + "/24", "dev", lk.inner},
			{"-n", h.NS, "link", "set", lk.inner, "up"},
			{"-n", h.NS, "route", "add", ln.server.String() + "/32", "via", gw.String()},
		}
		for j, s := range steps {
			if err := ipRun(s...); err != nil {
				fatal(err)
			}
			if j == 0 {
				h.links[n] = lk
			}
		}
	}
	return h
}

// IP returns the host's address on network.
func (h *NetHost) IP(network string) netip.Addr {
	lk, ok := h.links[network]
	if !ok {
		panic(fmt.Sprintf("testenv: host %s has no link on %q", h.NS, network))
	}
	return lk.ip
}

// Command returns a command that runs bin with args in the host's
// network namespace (ip netns exec, which execs bin in place: the
// process is bin's).
func (h *NetHost) Command(bin string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", h.NS, bin}, args...)...)
}

// Drop silently drops every packet the host sends or receives on
// network from now on, until Heal.
func (h *NetHost) Drop(t testing.TB, network string) {
	t.Helper()
	h.qdisc(t, network, "replace", "pfifo", "limit", "0")
}

// Heal undoes Drop.
func (h *NetHost) Heal(t testing.TB, network string) {
	t.Helper()
	h.qdisc(t, network, "del")
}

func (h *NetHost) qdisc(t testing.TB, network, op string, spec ...string) {
	t.Helper()
	lk, ok := h.links[network]
	if !ok {
		t.Fatalf("testenv: host %s has no link on %q", h.NS, network)
	}
	for _, args := range [][]string{
		{"qdisc", op, "dev", lk.root, "root"},
		{"-n", h.NS, "qdisc", op, "dev", lk.inner, "root"},
	} {
		if err := run(nil, "tc", append(args, spec...)...); err != nil {
			t.Fatalf("testenv: %s %s of host %s: %v", op, network, h.NS, err)
		}
	}
}

// nsName is the name of the lab's namespace of the given kind.
func (l *NetLab) nsName(kind string) string {
	return netnsPrefix + strconv.Itoa(os.Getpid()) + "-" + l.tag + "-" + kind
}

// sweepNetLabs removes the namespaces and lo addresses of labs whose
// test process is gone (killed by a timeout before its cleanups ran).
// Best effort: what cannot be removed is left.
func sweepNetLabs() {
	if entries, err := os.ReadDir("/run/netns"); err == nil {
		for _, e := range entries {
			rest, ok := strings.CutPrefix(e.Name(), netnsPrefix)
			if !ok {
				continue
			}
			pid, _, ok := strings.Cut(rest, "-")
			if n, err := strconv.Atoi(pid); ok && err == nil && !alive(n) {
				// Its processes outlived it: an agent that exec'd
				// itself (a simulated reboot) has lost its Pdeathsig.
				killIn(e.Name())
				_ = ipRun("netns", "del", e.Name())
			}
		}
	}
	out, err := Output(nil, "ip", "-4", "-o", "addr", "show", "dev", "lo")
	if err != nil {
		return
	}
	for _, line := range strings.Split(out, "\n") {
		// 1: lo    inet 10.77.0.1/32 scope global lo:f1a2b\       valid_lft ...
		f := strings.Fields(line)
		for i := 0; i+1 < len(f); i++ {
			if f[i] != "inet" {
				continue
			}
			for _, label := range f[i+2:] {
				hexPID, ok := strings.CutPrefix(label, netLabLabel)
				if !ok {
					continue
				}
				if n, err := strconv.ParseInt(strings.TrimSuffix(hexPID, `\`), 16, 32); err == nil && !alive(int(n)) {
					_ = ipRun("addr", "del", f[i+1], "dev", "lo")
				}
			}
		}
	}
}

// killIn kills the processes in network namespace ns and waits (up to
// 5 s) for them to be gone.
func killIn(ns string) {
	for range 100 {
		out, err := Output(nil, "ip", "netns", "pids", ns)
		if err != nil || out == "" {
			return
		}
		for _, f := range strings.Fields(out) {
			if pid, err := strconv.Atoi(f); err == nil && pid > 1 && pid != os.Getpid() {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// alive reports whether process pid exists.
func alive(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return err == nil
}

func ipRun(args ...string) error { return run(nil, "ip", args...) }
