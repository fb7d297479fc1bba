package testenv_test

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/testenv"
)

// Exit codes of the UDP helper run in a host's namespace.
const (
	udpAnswered = 0
	udpNoAnswer = 3
	udpSendErr  = 4
)

// TestNetLabUDPHelper is not a test: TestNetLab runs the test binary in a
// host's namespace with NETLAB_UDP=local>server to send a datagram from
// local to server and wait for the echo, which holds the source address
// the server saw.
func TestNetLabUDPHelper(t *testing.T) {
	spec := os.Getenv("NETLAB_UDP")
	if spec == "" {
		return
	}
	local, server, _ := strings.Cut(spec, ">")
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(local+":0")))
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(udpSendErr)
	}
	to := net.UDPAddrFromAddrPort(netip.MustParseAddrPort(server))
	buf := make([]byte, 100)
	for range 3 {
		if _, err := c.WriteToUDP([]byte("ping"), to); err != nil {
			fmt.Println("send:", err)
			os.Exit(udpSendErr)
		}
		_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if n, _, err := c.ReadFromUDP(buf); err == nil {
			fmt.Print(string(buf[:n]))
			os.Exit(udpAnswered)
		}
	}
	fmt.Println("no answer")
	os.Exit(udpNoAnswer)
}

// udpEcho answers every datagram on a socket bound to ip with the
// sender's address.
func udpEcho(t *testing.T, ip netip.Addr) netip.AddrPort {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 100)
		for {
			_, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			_, _ = c.WriteToUDPAddrPort([]byte(from.Addr().String()), from)
		}
	}()
	return c.LocalAddr().(*net.UDPAddr).AddrPort()
}

// TestNetLab checks the lab's plumbing with UDP from inside the hosts'
// namespaces: each host reaches the server addresses of its networks
// from its own address and no other; Drop silences one host's one
// network (sends still succeed) and nothing else; Heal restores it; the
// lab leaves nothing behind; and a new lab sweeps away what the lab of a
// dead test process left.
func TestNetLab(t *testing.T) {
	var namespaces []string
	var servers []netip.Addr
	t.Run("lab", func(t *testing.T) {
		lab := testenv.NewNetLab(t, "a", "b")
		srvA, srvB := udpEcho(t, lab.ServerIP("a")), udpEcho(t, lab.ServerIP("b"))
		require.NotEqual(t, lab.ServerIP("a"), lab.ServerIP("b"))
		h1 := lab.AddHost(t)
		h2 := lab.AddHost(t, "a")
		namespaces, servers = []string{h1.NS, h2.NS}, []netip.Addr{srvA.Addr(), srvB.Addr()}

		send := func(h *testenv.NetHost, local netip.Addr, server netip.AddrPort) (int, string) {
			t.Helper()
			cmd := h.Command(os.Args[0], "-test.run=^TestNetLabUDPHelper$")
			cmd.Env = append(os.Environ(), "NETLAB_UDP="+local.String()+">"+server.String())
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return ee.ExitCode(), string(out)
			}
			require.NoError(t, err, "%s", out)
			return 0, string(out)
		}
		answers := func(h *testenv.NetHost, network string, server netip.AddrPort) {
			t.Helper()
			code, out := send(h, h.IP(network), server)
			require.Equal(t, udpAnswered, code, "%s on %s: %s", h.NS, network, out)
			assert.Equal(t, h.IP(network).String(), out, "the server saw the host's address")
		}
		silent := func(h *testenv.NetHost, network string, server netip.AddrPort) {
			t.Helper()
			code, out := send(h, h.IP(network), server)
			require.Equal(t, udpNoAnswer, code, "%s on %s: sent without error, no answer: %s", h.NS, network, out)
		}

		answers(h1, "a", srvA)
		answers(h1, "b", srvB)
		answers(h2, "a", srvA)
		assert.NotEqual(t, h1.IP("a"), h2.IP("a"))
		// h2 has no link on b: no route to b's server.
		code, out := send(h2, h2.IP("a"), srvB)
		assert.Equal(t, udpSendErr, code, out)
		assert.Panics(t, func() { h2.IP("b") })

		h1.Drop(t, "a")
		silent(h1, "a", srvA)
		answers(h1, "b", srvB)
		answers(h2, "a", srvA)
		h1.Heal(t, "a")
		answers(h1, "a", srvA)
	})
	if t.Failed() || t.Skipped() || len(namespaces) == 0 {
		return
	}
	// The lab's cleanups ran with its subtest.
	for _, ns := range namespaces {
		_, err := os.Stat("/run/netns/" + ns)
		assert.True(t, os.IsNotExist(err), "namespace %s left behind", ns)
	}
	lo, err := testenv.Output(nil, "ip", "-4", "-o", "addr", "show", "dev", "lo")
	require.NoError(t, err)
	for _, s := range servers {
		assert.NotContains(t, lo, " "+s.String()+"/32", "server address left on lo")
	}

	// What the lab of a killed test process left behind is swept: its
	// namespaces, the processes still in them and its lo addresses.
	dead := exec.Command("true")
	require.NoError(t, dead.Run())
	pid := dead.Process.Pid
	ns := "flk-" + strconv.Itoa(pid) + "-000000-h1"
	require.NoError(t, exec.Command("ip", "netns", "add", ns).Run())
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	orphan := exec.Command("ip", "netns", "exec", ns, "sleep", "600") // an agent that outlived its test
	require.NoError(t, orphan.Start())
	t.Cleanup(func() { _ = orphan.Process.Kill() })
	exited := make(chan error, 1)
	go func() { exited <- orphan.Wait() }()
	require.Eventually(t, func() bool {
		out, _ := testenv.Output(nil, "ip", "netns", "pids", ns)
		return out == strconv.Itoa(orphan.Process.Pid)
	}, 5*time.Second, 20*time.Millisecond, "the orphan runs in the stale namespace")
	stale := "10.63.0.1/32" // outside the labs' range: not claimed by a parallel lab
	out, err := exec.Command("ip", "addr", "add", stale, "dev", "lo", "label", "lo:f"+strconv.FormatInt(int64(pid), 16)).CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { _ = exec.Command("ip", "addr", "del", stale, "dev", "lo").Run() })
	testenv.NewNetLab(t, "c")
	_, err = os.Stat("/run/netns/" + ns)
	assert.True(t, os.IsNotExist(err), "stale namespace %s swept", ns)
	select {
	case err := <-exited:
		assert.ErrorContains(t, err, "killed", "the orphan was killed")
	case <-time.After(5 * time.Second):
		t.Error("the orphan in the stale namespace was not killed")
	}
	lo, err = testenv.Output(nil, "ip", "-4", "-o", "addr", "show", "dev", "lo")
	require.NoError(t, err)
	assert.NotContains(t, lo, " "+stale, "stale lo address swept")
}
