package heartbeat

import (
	"context"
	"encoding/json"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

// countingObserver counts the observations and keeps none.
type countingObserver struct {
	alive, heartbeat, other atomic.Int64
}

func (o *countingObserver) Observe(host string, ob hostmgmt.Observation) {
	switch ob.Kind {
	case hostmgmt.ObsMtcAlive:
		o.alive.Add(1)
	case hostmgmt.ObsHeartbeat:
		o.heartbeat.Add(1)
	default:
		o.other.Add(1)
	}
}

// BenchmarkController1000Hosts: the controller heartbeating 1,000 hosts
// at the default period (100 ms) on two networks over loopback, with the
// hosts (their pulse answers and a mtcAlive per host and network every
// second) simulated in a child process, so that this process's CPU time
// (getrusage RUSAGE_SELF) is the controller's alone. One iteration is one
// second of wall time; -benchtime 5x measures five. Reported: %core (CPU
// time per wall second, in % of one core; %core-kernel is its system
// time part), allocs/pulse (heap
// allocations of the whole process per pulse sent), pulses/s, and
// health-changes (heartbeat observations during the measurement: 0 when
// no pulse was missed).
func BenchmarkController1000Hosts(b *testing.B) {
	const hosts = 1000
	conns := map[hostmgmt.Network]*net.UDPConn{}
	addrs := map[hostmgmt.Network]netip.AddrPort{}
	for _, n := range netNames {
		c := listen(b)
		defer c.Close()
		conns[n], addrs[n] = c, addrOf(c)
	}
	obs := &countingObserver{}
	reg := prometheus.NewRegistry()
	ctl, err := NewController(conns, obs, Config{}, reg, nil)
	require.NoError(b, err)
	for i := range hosts {
		uuid, key := simHost(i)
		ctl.SetKey(uuid, key)
		ctl.Monitor(uuid, true)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = ctl.Run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	ctlJSON, err := json.Marshal(addrs)
	require.NoError(b, err)
	startChild(b, "sim", hostsEnv+"="+strconv.Itoa(hosts), ctlEnv+"="+string(ctlJSON))

	// Every host heard on both networks, then a few periods to settle.
	require.Eventually(b, func() bool {
		ctl.mu.Lock()
		defer ctl.mu.Unlock()
		for _, h := range ctl.list {
			for i := range h.net {
				if !h.net[i].addr.IsValid() {
					return false
				}
			}
		}
		return true
	}, waitLimit, 10*time.Millisecond)
	time.Sleep(time.Second)

	pulses := func() float64 {
		return gathered(b, reg, "flock_heartbeat_pulses_total", "network", "mgmt") +
			gathered(b, reg, "flock_heartbeat_pulses_total", "network", "cluster-host")
	}
	var ru0, ru1 syscall.Rusage
	var ms0, ms1 runtime.MemStats
	hb0 := obs.heartbeat.Load()
	p0 := pulses()
	runtime.ReadMemStats(&ms0)
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru0))
	start := time.Now()
	b.ResetTimer()
	for range b.N {
		time.Sleep(time.Second)
	}
	b.StopTimer()
	wall := time.Since(start)
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru1))
	runtime.ReadMemStats(&ms1)
	sent := pulses() - p0
	user := time.Duration(syscall.TimevalToNsec(ru1.Utime) - syscall.TimevalToNsec(ru0.Utime))
	sys := time.Duration(syscall.TimevalToNsec(ru1.Stime) - syscall.TimevalToNsec(ru0.Stime))
	b.ReportMetric(100*(user+sys).Seconds()/wall.Seconds(), "%core")
	b.ReportMetric(100*sys.Seconds()/wall.Seconds(), "%core-kernel")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/sent, "allocs/pulse")
	b.ReportMetric(sent/wall.Seconds(), "pulses/s")
	b.ReportMetric(float64(obs.heartbeat.Load()-hb0), "health-changes")
}
