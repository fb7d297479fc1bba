package main

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The figures of docs/benchmarks.md's service management section, each
// against two real stx-ha processes in network namespaces (testenv.HAPair)
// with the fence agent of lab_test.go. Run them with -benchtime 20x: one
// operation is one trial, and the metrics are the trials' median and
// maximum.

// BenchmarkFailover: kill -9 of the active's stx-ha, to the OAM floating
// address answering a client's pings (every 1 ms) from the standby's
// MAC address, with the default timing (50 ms hellos, 200 ms dead).
func BenchmarkFailover(b *testing.B) { benchFailover(b, 0, 0) }

// BenchmarkFailoverTuned: the same with 20 ms hellos and a 40 ms dead
// interval.
func BenchmarkFailoverTuned(b *testing.B) { benchFailover(b, 20*time.Millisecond, 40*time.Millisecond) }

func benchFailover(b *testing.B, period, dead time.Duration) {
	l := newHALab(b, "fence", period, dead)
	l.start(0)
	l.start(1)
	l.waitActive(0, 20*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr := l.lab.Client().Prober(b, l.oamVIP, time.Millisecond)
	go func() { _ = pr.Run(ctx) }()
	active := 0
	var took []time.Duration
	for b.Loop() {
		standby := 1 - active
		killed := time.Now()
		l.kill(active)
		rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
		r, err := pr.FirstReply(rctx, killed, l.lab.Node(standby).MAC("oam"))
		rcancel()
		if err != nil {
			b.Fatalf("trial %d: no answer from %s: %v", len(took), nodeName(standby), err)
		}
		took = append(took, r.Received.Sub(killed))
		b.StopTimer()
		l.start(active) // powered back on after the fence, as standby
		l.waitActive(standby, 20*time.Second)
		b.StartTimer()
		active = standby
	}
	report(b, took)
}

// BenchmarkSwact: a graceful swact of every group through sm-api's
// PATCH (curl in the node's namespace, as sysinv asks), from the request
// to its answer, which comes once every group is active on the other
// node and standby on the first; Flock's default services' layout.
func BenchmarkSwact(b *testing.B) {
	l := newHALab(b, "fence", 0, 0)
	l.start(0)
	l.start(1)
	l.waitActive(0, 20*time.Second)
	active := 0
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := l.swact(active, active); err != nil {
			b.Fatalf("trial %d: %v", len(took), err)
		}
		took = append(took, time.Since(start))
		b.StopTimer()
		active = 1 - active
		l.waitActive(active, 10*time.Second)
		b.StartTimer()
	}
	report(b, took)
}

// BenchmarkIdleCPU: the CPU both stx-ha processes use while nothing
// happens (heartbeats on three paths, audits), in percent of one core
// per node; one operation is one second.
func BenchmarkIdleCPU(b *testing.B) {
	l := newHALab(b, "fence", 0, 0)
	l.start(0)
	l.start(1)
	l.waitActive(0, 20*time.Second)
	time.Sleep(time.Second)
	pids := [2]int{l.procs[0].Process.Pid, l.procs[1].Process.Pid}
	var before [2][2]time.Duration
	for i, p := range pids {
		before[i] = userSys(b, p)
	}
	start := time.Now()
	for b.Loop() {
		time.Sleep(time.Second)
	}
	wall := time.Since(start)
	var user, sys time.Duration
	for i, p := range pids {
		after := userSys(b, p)
		user += after[0] - before[i][0]
		sys += after[1] - before[i][1]
	}
	b.ReportMetric(100*(user+sys).Seconds()/wall.Seconds()/2, "%core/node")
	b.ReportMetric(100*sys.Seconds()/wall.Seconds()/2, "%core-kernel/node")
}

func report(b *testing.B, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "ms-max")
	b.Logf("%d trials: %v", len(took), took)
}

// userSys is process pid's user and system CPU time (/proc/pid/stat).
func userSys(b *testing.B, pid int) [2]time.Duration {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		b.Fatal(err)
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// Fields 14 and 15 of stat(5), counted from the state (field 3).
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	const tick = 10 * time.Millisecond // USER_HZ 100
	return [2]time.Duration{time.Duration(u) * tick, time.Duration(k) * tick}
}
