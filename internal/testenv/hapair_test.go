package testenv_test

import (
	"context"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/testenv"
)

// haReachable reports whether addr answers pings from n within wait,
// and from which MAC address.
func haReachable(t *testing.T, n *testenv.HANode, addr netip.Addr, wait time.Duration) (bool, net.HardwareAddr) {
	t.Helper()
	pr := n.Prober(t, addr, 2*time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	w, stop := context.WithTimeout(ctx, wait)
	defer stop()
	r, err := pr.FirstReply(w, time.Time{}, nil)
	if err != nil {
		return false, nil
	}
	return true, r.MAC
}

// TestHAPair checks the lab's plumbing with pings: every namespace
// reaches every other on every network, the answers come from the
// interfaces' MAC addresses; Drop cuts one node's port on one network
// (node to node and node to client) and nothing else; Heal restores it;
// DropAll cuts the node off; and the lab leaves no namespace behind.
func TestHAPair(t *testing.T) {
	var namespaces []string
	t.Run("lab", func(t *testing.T) {
		lab := testenv.NewHAPair(t, "mgmt", "oam")
		n0, n1, c := lab.Node(0), lab.Node(1), lab.Client()
		namespaces = []string{n0.NS, n1.NS, c.NS}
		pid := "flk-" + strconv.Itoa(os.Getpid()) + "-"
		for _, ns := range namespaces {
			require.True(t, strings.HasPrefix(ns, pid), "%s is swept as NetLab's are", ns)
		}
		assert.Equal(t, []string{"mgmt", "oam"}, lab.Networks())
		assert.Equal(t, "eth1", n0.Interface("oam"))
		assert.True(t, lab.Prefix("oam").Contains(n1.IP("oam")))
		assert.True(t, lab.Prefix("mgmt").Contains(lab.Floating("mgmt", 50)))
		assert.NotEqual(t, n0.MAC("mgmt"), n1.MAC("mgmt"))
		assert.Panics(t, func() { lab.Floating("mgmt", 51) })
		assert.Panics(t, func() { n0.IP("cluster-host") })

		// The addresses and MACs are where they are said to be.
		out, err := n1.Command(t.Context(), "ip", "-o", "link", "show", "dev", n1.Interface("oam")).CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Contains(t, string(out), n1.MAC("oam").String())
		out, err = c.Command(t.Context(), "ip", "-o", "addr", "show", "dev", c.Interface("mgmt")).CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Contains(t, string(out), c.IP("mgmt").String()+"/24")

		reaches := func(from *testenv.HANode, to *testenv.HANode, network string) {
			t.Helper()
			ok, mac := haReachable(t, from, to.IP(network), 5*time.Second)
			require.True(t, ok, "%s reaches %s on %s", from, to, network)
			assert.Equal(t, to.MAC(network), mac, "%s answers from its MAC", to)
		}
		cut := func(from *testenv.HANode, to *testenv.HANode, network string) {
			t.Helper()
			// 150 pings over 300 ms, where a few ms are enough when
			// nothing is dropped.
			ok, _ := haReachable(t, from, to.IP(network), 300*time.Millisecond)
			require.False(t, ok, "%s does not reach %s on %s", from, to, network)
		}
		for _, network := range lab.Networks() {
			reaches(c, n0, network)
			reaches(c, n1, network)
			reaches(n0, n1, network)
			reaches(n1, n0, network)
		}

		lab.Drop(t, 0, "mgmt")
		cut(c, n0, "mgmt")
		cut(n1, n0, "mgmt")
		cut(n0, n1, "mgmt")
		reaches(c, n1, "mgmt")
		reaches(c, n0, "oam")
		reaches(n1, n0, "oam")
		// The carrier is up: the node sees nothing wrong with its link.
		out, err = n0.Command(t.Context(), "ip", "-o", "link", "show", "dev", n0.Interface("mgmt")).CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Contains(t, string(out), "LOWER_UP")

		lab.Heal(t, 0, "mgmt")
		lab.Heal(t, 0, "mgmt") // healing a healed port is a no-op
		reaches(c, n0, "mgmt")
		reaches(n1, n0, "mgmt")

		lab.DropAll(t, 1)
		cut(c, n1, "mgmt")
		cut(n0, n1, "oam")
		reaches(c, n0, "oam")
		lab.HealAll(t, 1)
		reaches(n0, n1, "oam")
	})
	if t.Failed() || t.Skipped() || len(namespaces) == 0 {
		return
	}
	for _, ns := range namespaces {
		_, err := os.Stat("/run/netns/" + ns)
		assert.True(t, os.IsNotExist(err), "namespace %s left behind", ns)
	}
}

// TestHAPairFloatingMove: a floating address moved from node 0 to node
// 1 (with ip addr, the client's stale neighbour entry flushed as a
// gratuitous ARP would update it) is answered by node 1; the Prober
// tells the two apart by MAC address and measures when node 1's first
// answer came; Holders follows the address, and sees both holding it
// when both do.
func TestHAPairFloatingMove(t *testing.T) {
	lab := testenv.NewHAPair(t, "mgmt")
	n0, n1, c := lab.Node(0), lab.Node(1), lab.Client()
	vip := lab.Floating("mgmt", 0)
	ip := func(n *testenv.HANode, args ...string) {
		t.Helper()
		out, err := n.Command(t.Context(), "ip", args...).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	assert.Empty(t, lab.Holders(t, vip))
	ip(n0, "addr", "add", vip.String()+"/24", "dev", n0.Interface("mgmt"))
	assert.Equal(t, []int{0}, lab.Holders(t, vip))

	pr := lab.Client().Prober(t, vip, 2*time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- pr.Run(ctx) }()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	wait, stop := context.WithTimeout(ctx, 5*time.Second)
	defer stop()
	first, err := pr.FirstReply(wait, time.Time{}, nil)
	require.NoError(t, err)
	assert.Equal(t, n0.MAC("mgmt"), first.MAC, "node 0 answers")

	moved := time.Now()
	ip(n0, "addr", "del", vip.String()+"/24", "dev", n0.Interface("mgmt"))
	ip(n1, "addr", "add", vip.String()+"/24", "dev", n1.Interface("mgmt"))
	ip(c, "neigh", "flush", "to", vip.String())
	assert.Equal(t, []int{1}, lab.Holders(t, vip))
	settled := time.Now()

	r, err := pr.FirstReply(wait, moved, n1.MAC("mgmt"))
	require.NoError(t, err)
	assert.False(t, r.Received.Before(r.Sent))
	assert.False(t, r.Sent.Before(moved))
	t.Logf("node 1 answered %s after the move began (probe %d of %d sent)", r.Received.Sub(moved), r.Probe, pr.Sent())
	// Every answer to a probe sent once the move was over is node 1's.
	after, err := pr.FirstReply(wait, settled, nil)
	require.NoError(t, err)
	assert.Equal(t, n1.MAC("mgmt"), after.MAC)
	for _, x := range pr.Replies() {
		if !x.Sent.Before(settled) {
			assert.Equal(t, n1.MAC("mgmt"), x.MAC, "probe %d", x.Probe)
		}
	}

	// Both holding it is what the never-dual-active checks look for.
	ip(n0, "addr", "add", vip.String()+"/24", "dev", n0.Interface("mgmt"))
	assert.Equal(t, []int{0, 1}, lab.Holders(t, vip))

	// A prober with no answer says so when its context ends.
	short, stop2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer stop2()
	_, err = pr.FirstReply(short, time.Now(), net.HardwareAddr{2, 0, 0, 0, 0, 1})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
