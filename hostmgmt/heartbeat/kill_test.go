package heartbeat

import (
	"encoding/json"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

// timedRecorder records when each heartbeat observation came.
type timedRecorder struct {
	mu     sync.Mutex
	failed map[hostmgmt.Network]time.Time
	seq    map[hostmgmt.Network][]hostmgmt.Health
	alive  chan struct{}
	done   chan struct{}
}

func (r *timedRecorder) Observe(host string, o hostmgmt.Observation) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	switch o.Kind {
	case hostmgmt.ObsMtcAlive:
		select {
		case r.alive <- struct{}{}:
		default:
		}
	case hostmgmt.ObsHeartbeat:
		r.seq[o.Network] = append(r.seq[o.Network], o.Health)
		if o.Health == hostmgmt.HealthFailed {
			r.failed[o.Network] = now
			if len(r.failed) == numNets {
				close(r.done)
			}
		}
	}
}

// TestKillDetection: a host's agent (a real Client in a child process)
// killed with SIGKILL is reported failed on both networks within 1.1 s
// of the kill, with the controller at the default configuration
// (100 ms, failure at 10 misses): issue 18's detection requirement.
func TestKillDetection(t *testing.T) {
	conns := map[hostmgmt.Network]*net.UDPConn{}
	link := hostmgmt.LinkConfig{HostUUID: "killed-host", Key: []byte("the killed host's key"), PeriodMS: 100, Controller: map[hostmgmt.Network]string{}}
	for _, n := range netNames {
		c := listen(t)
		defer c.Close()
		conns[n] = c
		link.Controller[n] = addrOf(c).String()
	}
	rec := &timedRecorder{failed: map[hostmgmt.Network]time.Time{}, seq: map[hostmgmt.Network][]hostmgmt.Health{},
		alive: make(chan struct{}, 1), done: make(chan struct{})}
	reg := prometheus.NewRegistry()
	ctl, err := NewController(conns, rec, Config{}, reg, nil)
	require.NoError(t, err)
	ctl.SetKey(link.HostUUID, link.Key)
	runUntilCleanup(t, ctl.Run)

	b, err := json.Marshal(link)
	require.NoError(t, err)
	child := startChild(t, "client", linkEnv+"="+string(b))
	select {
	case <-rec.alive:
	case <-time.After(waitLimit):
		t.Fatal("no mtcAlive from the child")
	}
	ctl.Monitor(link.HostUUID, true)
	// Heartbeating on both networks.
	require.Eventually(t, func() bool {
		return gathered(t, reg, "flock_heartbeat_responses_total", "network", "mgmt") >= 5 &&
			gathered(t, reg, "flock_heartbeat_responses_total", "network", "cluster-host") >= 5
	}, waitLimit, 10*time.Millisecond)

	killed := time.Now()
	require.NoError(t, child.Process.Kill())
	select {
	case <-rec.done:
	case <-time.After(waitLimit):
		t.Fatalf("not failed on both networks: %v", rec.seq)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, n := range netNames {
		d := rec.failed[n].Sub(killed)
		t.Logf("%s: failed %v after the kill", n, d.Round(time.Millisecond))
		assert.LessOrEqual(t, d, 1100*time.Millisecond, n)
		assert.Equal(t, []hostmgmt.Health{hostmgmt.HealthMinor, hostmgmt.HealthDegraded, hostmgmt.HealthFailed}, withoutFirstOK(rec.seq[n]), n)
	}
}
