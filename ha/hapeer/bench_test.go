package hapeer

import (
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// BenchmarkLinkCPU: two links in this process talking over loopback on
// three paths (mgmt, oam, cluster-host) at the default period and dead
// interval, idle otherwise. One iteration is one second of wall time
// (-benchtime 5x measures five). Reported: %core-per-node, the process's
// CPU time (getrusage RUSAGE_SELF, user+system) per wall second divided
// by two, as a percentage of one core: both sides run in this process,
// so this is the mean of one side's, and it includes the Go runtime's
// share (GC, timers) and the test harness's idle cost; %core-kernel-per-
// node is its system part; msgs/s-per-node is what one side sends.
func BenchmarkLinkCPU(b *testing.B) {
	cfgA, cfgB, listenA, listenB, _ := udpPair(b, pathNames, 0, 0)
	evA, evB := newEvents(), newEvents()
	regA := prometheus.NewRegistry()
	a, err := New(cfgA, regA, &Options{OnEvent: evA.onEvent, Listen: listenA})
	require.NoError(b, err)
	l, err := New(cfgB, nil, &Options{OnEvent: evB.onEvent, Listen: listenB})
	require.NoError(b, err)
	start(b, a)
	start(b, l)
	evA.waitFor(b, 0, EventPeerUp, "")
	evB.waitFor(b, 0, EventPeerUp, "")

	var ru0, ru1 syscall.Rusage
	seq0 := a.seqNow()
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru0))
	startAt := time.Now()
	b.ResetTimer()
	for range b.N {
		time.Sleep(time.Second)
	}
	b.StopTimer()
	wall := time.Since(startAt)
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru1))
	user := time.Duration(syscall.TimevalToNsec(ru1.Utime) - syscall.TimevalToNsec(ru0.Utime))
	sys := time.Duration(syscall.TimevalToNsec(ru1.Stime) - syscall.TimevalToNsec(ru0.Stime))
	b.ReportMetric(100*(user+sys).Seconds()/wall.Seconds()/2, "%core-per-node")
	b.ReportMetric(100*sys.Seconds()/wall.Seconds()/2, "%core-kernel-per-node")
	b.ReportMetric(float64(len(pathNames))*float64(a.seqNow()-seq0)/wall.Seconds(), "msgs/s-per-node")
	for _, k := range evA.kinds(0) {
		if k == "peer-down " {
			b.Fatalf("the peer went down during the measurement: %v", evA.kinds(0))
		}
	}
}

func (l *Link) seqNow() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq
}
