package heartbeat

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

// The child processes: the tests and the benchmark re-execute the test
// binary with FLOCK_HB_CHILD set, to run a host's real Client
// ("client", TestKillDetection) or to simulate many hosts ("sim",
// BenchmarkController1000Hosts) in a process of their own.
const (
	childEnv = "FLOCK_HB_CHILD"
	linkEnv  = "FLOCK_HB_LINK"  // client: the LinkConfig, JSON
	hostsEnv = "FLOCK_HB_HOSTS" // sim: how many hosts
	ctlEnv   = "FLOCK_HB_CTL"   // sim: the controller's addresses, JSON
)

// startChild starts the test binary as a child of the given mode; it is
// killed at the end of the test (and with the parent, by Pdeathsig).
func startChild(t testing.TB, mode string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHeartbeatChild$", "-test.count=1", "-test.v=false")
	cmd.Env = append(append(os.Environ(), childEnv+"="+mode), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// TestHeartbeatChild is the child process; it does nothing in a normal
// run.
func TestHeartbeatChild(t *testing.T) {
	switch os.Getenv(childEnv) {
	case "":
		t.Skip("only run as a child process")
	case "client":
		var link hostmgmt.LinkConfig
		require.NoError(t, json.Unmarshal([]byte(os.Getenv(linkEnv)), &link))
		c, err := NewClient(ClientConfig{Link: link, AliveInterval: 100 * time.Millisecond}, &fakeHandler{bootID: "child"}, nil)
		require.NoError(t, err)
		require.NoError(t, c.Run(context.Background())) // until killed
	case "sim":
		n, err := strconv.Atoi(os.Getenv(hostsEnv))
		require.NoError(t, err)
		var ctl map[hostmgmt.Network]netip.AddrPort
		require.NoError(t, json.Unmarshal([]byte(os.Getenv(ctlEnv)), &ctl))
		simulate(t, n, ctl)
	}
}

// simHost is host i of the simulation: its uuid and key.
func simHost(i int) (uuid string, key []byte) {
	k := sha256.Sum256([]byte("flock heartbeat benchmark key " + strconv.Itoa(i)))
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", i), k[:]
}

// simulate answers for n hosts with one socket per network: an mtcAlive
// per host and network every second, and an answer to every pulse,
// each under its host's key.
func simulate(t *testing.T, n int, ctl map[hostmgmt.Network]netip.AddrPort) {
	type simNet struct {
		net     hostmgmt.Network
		conn    *net.UDPConn
		ctl     netip.AddrPort
		mu      sync.Mutex // seq, tx and buf
		seq     []uint64   // per host
		tx, rx  []hash.Hash
		last    []uint64
		buf     [maxPacket]byte
		rbuf    [maxPacket + 1]byte
		scratch [tagLen]byte
	}
	index := map[string]int{}
	uuids := make([]string, n)
	var nets []*simNet
	for netName, addr := range ctl {
		conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
		require.NoError(t, err)
		_ = conn.SetReadBuffer(readBuffer)
		sn := &simNet{net: netName, conn: conn, ctl: addr, seq: make([]uint64, n), tx: make([]hash.Hash, n), rx: make([]hash.Hash, n), last: make([]uint64, n)}
		start := uint64(time.Now().UnixNano())
		for i := range n {
			uuid, key := simHost(i)
			uuids[i], index[uuid] = uuid, i
			sn.seq[i], sn.tx[i], sn.rx[i] = start, newMAC(key), newMAC(key)
		}
		nets = append(nets, sn)
	}
	send := func(sn *simNet, i int, m msg) {
		sn.mu.Lock()
		sn.seq[i]++
		m.seq, m.network, m.host, m.time = sn.seq[i], sn.net, uuids[i], time.Now().UnixNano()
		_, _ = sn.conn.WriteToUDPAddrPort(seal(sn.tx[i], m.appendTo(sn.buf[:0])), sn.ctl)
		sn.mu.Unlock()
	}
	for _, sn := range nets {
		go func() {
			for {
				nb, _, err := sn.conn.ReadFromUDPAddrPort(sn.rbuf[:])
				if err != nil {
					panic(err)
				}
				f, err := parse(sn.rbuf[:nb])
				if err != nil || f.kind != kindPulseReq {
					continue
				}
				i, ok := index[string(f.host)]
				if !ok || !verify(sn.rx[i], &f, &sn.scratch) || f.seq <= sn.last[i] {
					continue
				}
				sn.last[i] = f.seq
				send(sn, i, msg{kind: kindPulseRsp, id: f.seq})
			}
		}()
	}
	for {
		for _, sn := range nets {
			for i := range n {
				send(sn, i, msg{kind: kindAlive, bits: bitConfigured, bootID: "sim", uptime: int64(time.Hour)})
			}
		}
		time.Sleep(time.Second)
	}
}
