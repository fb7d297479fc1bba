package faultsql_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faultsql"
	"github.com/edgeflock/flock/fault/faulttest"
)

var benchAlarms = envInt("FLOCK_BENCH_ALARMS", 100_000)

// benchAlarm is alarm i of the population: 100.101 and 200.005 over
// 50,000 hosts, so each (alarm id, host) pair is one alarm.
func benchAlarm(i int) fault.Alarm {
	host := "compute-" + strconv.Itoa(i/2)
	if i%2 == 0 {
		return faulttest.CPUAlarm(host, fault.SeverityMajor)
	}
	return faulttest.HeartbeatAlarm(host, fault.SeverityCritical)
}

func openBenchManager(b *testing.B) *fault.Manager {
	b.Helper()
	st, err := faultsql.Open(b.Context(), "sqlite://"+b.TempDir()+"/bench.db")
	require.NoError(b, err)
	m, err := fault.Open(b.Context(), st, nil)
	require.NoError(b, err)
	b.Cleanup(func() { _ = m.Close(b.Context()) })
	return m
}

// populate raises n alarms through the Go API from 64 writers.
func populate(b *testing.B, s fault.Service, n int) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if _, err := s.SetAlarm(b.Context(), benchAlarm(i)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkSetAlarmSQLite: durable sets through the Go API, 128 concurrent
// callers (group commit batches them), over 100,000 active alarms. Each acknowledged set is fsynced.
func BenchmarkSetAlarmSQLite(b *testing.B) {
	m := openBenchManager(b)
	populate(b, m, benchAlarms)
	var n atomic.Int64
	b.SetParallelism(envInt("FLOCK_BENCH_PAR", 64))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1)) % benchAlarms
			a := benchAlarm(i)
			a.ReasonText = "updated"
			if _, err := m.SetAlarm(b.Context(), a); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sets/s")
}

// BenchmarkListOne: a filtered list matching one alarm of 100,000, through
// the Go API and over REST.
func BenchmarkListOne(b *testing.B) {
	m := openBenchManager(b)
	populate(b, m, benchAlarms)
	q := fault.AlarmQuery{AlarmID: "200.005", EntityPrefix: "host=compute-4242"}
	srv := httptest.NewServer(faulthttp.NewHandler(m, nil))
	b.Cleanup(srv.Close)
	for name, s := range map[string]fault.Service{"go": m, "rest": faulthttp.NewClient(srv.URL, nil)} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				as, err := s.ListAlarms(b.Context(), q)
				if err != nil || len(as) != 1 {
					b.Fatalf("got %d alarms, %v", len(as), err)
				}
			}
		})
	}
}

// BenchmarkListAllREST: the full list of 100,000 alarms over REST,
// decoded by the client.
func BenchmarkListAllREST(b *testing.B) {
	m := openBenchManager(b)
	populate(b, m, benchAlarms)
	srv := httptest.NewServer(faulthttp.NewHandler(m, nil))
	b.Cleanup(srv.Close)
	c := faulthttp.NewClient(srv.URL, nil)
	for b.Loop() {
		as, err := c.ListAlarms(b.Context(), fault.AlarmQuery{})
		if err != nil || len(as) != benchAlarms {
			b.Fatalf("got %d alarms, %v", len(as), err)
		}
	}
}

// BenchmarkResidentMemory reports the resident memory of this process
// with 100,000 active alarms loaded from SQLite, after a GC (RSS-MiB), and
// again once every alarm has been overwritten (RSS-written-MiB), when the
// store's write path has filled its caches.
func BenchmarkResidentMemory(b *testing.B) {
	url := "sqlite://" + b.TempDir() + "/rss.db"
	{
		st, err := faultsql.Open(b.Context(), url)
		require.NoError(b, err)
		m, err := fault.Open(b.Context(), st, nil)
		require.NoError(b, err)
		populate(b, m, benchAlarms)
		require.NoError(b, m.Close(b.Context()))
	}
	runtime.GC()
	debug.FreeOSMemory()
	before := rssMiB(b)
	var m *fault.Manager
	for b.Loop() {
		if m != nil {
			_ = m.Close(b.Context())
		}
		st, err := faultsql.Open(b.Context(), url)
		require.NoError(b, err)
		m, err = fault.Open(b.Context(), st, nil)
		require.NoError(b, err)
	}
	runtime.GC()
	debug.FreeOSMemory()
	as, _ := m.ListAlarms(b.Context(), fault.AlarmQuery{Limit: 1})
	require.Len(b, as, 1)
	b.ReportMetric(rssMiB(b), "RSS-MiB")
	b.ReportMetric(rssMiB(b)-before, "RSS-delta-MiB")
	populate(b, m, benchAlarms)
	runtime.GC()
	debug.FreeOSMemory()
	b.ReportMetric(rssMiB(b), "RSS-written-MiB")
	_ = m.Close(b.Context())
}

func rssMiB(b *testing.B) float64 {
	data, err := os.ReadFile("/proc/self/status")
	require.NoError(b, err)
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb float64
			_, err := fmt.Sscanf(strings.TrimSpace(rest), "%f kB", &kb)
			require.NoError(b, err)
			return kb / 1024
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return v
	}
	return def
}
