package heartbeat

import (
	"fmt"
	"hash"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

// TestHotPathAllocs: a period's pulses to 100 hosts (miss counting, the
// health check, sealing, the writes) and the processing of their answers
// (decoding, the host lookup, the tag check, the sequence check) do not
// allocate.
func TestHotPathAllocs(t *testing.T) {
	rec := newRecorder()
	conn, sink := listen(t), listen(t)
	defer conn.Close()
	defer sink.Close()
	reg := prometheus.NewRegistry()
	c, err := newController(map[hostmgmt.Network]*net.UDPConn{mgmt: conn}, rec, fastConfig(), reg, nil)
	require.NoError(t, err)
	n := c.nets[0]
	from := addrOf(sink) // the hosts answer from the sink's address, where the pulses go

	const hosts = 100
	type host struct {
		uuid string
		mac  hash.Hash
		seq  uint64
		buf  [maxPacket]byte
	}
	hs := make([]*host, hosts)
	now := time.Now()
	for i := range hs {
		key := []byte(fmt.Sprintf("key-%d", i))
		h := &host{uuid: fmt.Sprintf("00000000-0000-0000-0000-%012d", i), mac: newMAC(key), seq: 1}
		hs[i] = h
		c.SetKey(h.uuid, key)
		c.Monitor(h.uuid, true)
		b := seal(h.mac, (&msg{kind: kindAlive, network: mgmt, seq: h.seq, host: h.uuid, bootID: "b"}).appendTo(nil))
		c.handle(n, b, from, now) // learns the address
	}
	require.Equal(t, hosts, rec.len(), "each host's first mtcAlive")

	runs := 0
	allocs := testing.AllocsPerRun(50, func() {
		runs++
		now = now.Add(c.cfg.Period)
		c.check(n, now)
		c.send(n, now)
		for _, h := range hs {
			h.seq++
			m := msg{kind: kindPulseRsp, network: mgmt, seq: h.seq, host: h.uuid, id: c.hosts[h.uuid].net[0].pulseSeq, time: now.UnixNano()}
			c.handle(n, seal(h.mac, m.appendTo(h.buf[:0])), from, now)
		}
	})
	assert.Zero(t, allocs)
	assert.Equal(t, float64(runs*hosts), gathered(t, reg, "flock_heartbeat_responses_total", "network", "mgmt"), "every answer was taken")
	assert.Equal(t, 2*hosts, rec.len(), "each host's first look (ok), and no host missed a pulse")
	for _, h := range hs {
		assert.Zero(t, c.hosts[h.uuid].net[0].misses)
	}
}

// TestClientPulseAllocs: a host answers a pulse without allocating.
func TestClientPulseAllocs(t *testing.T) {
	ctl, conn := listen(t), listen(t)
	defer ctl.Close()
	defer conn.Close()
	key := []byte("key")
	link := hostmgmt.LinkConfig{HostUUID: "host-1", Key: key, Controller: map[hostmgmt.Network]string{mgmt: addrOf(ctl).String()}}
	c, err := NewClient(ClientConfig{Link: link}, &fakeHandler{bootID: "b"}, nil)
	require.NoError(t, err)
	n := c.nets[0]
	n.conn = conn
	mac := newMAC(key)
	var buf [maxPacket]byte
	seq := uint64(1)
	var wg sync.WaitGroup
	allocs := testing.AllocsPerRun(100, func() {
		seq++
		m := msg{kind: kindPulseReq, network: mgmt, seq: seq, host: "host-1"}
		c.handle(t.Context(), &wg, n, seal(mac, m.appendTo(buf[:0])), addrOf(ctl))
	})
	assert.Zero(t, allocs)
	assert.Equal(t, seq, n.lastSeq, "every pulse was taken")
	ctl.SetReadDeadline(time.Now().Add(waitLimit))
	nb, _, err := ctl.ReadFromUDPAddrPort(buf[:])
	require.NoError(t, err)
	f, err := parse(buf[:nb])
	require.NoError(t, err)
	assert.Equal(t, kindPulseRsp, f.kind)
	assert.Equal(t, uint64(2), f.id, "the answer names the first pulse")
}
