package stx_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/stx"
)

// These benchmarks explain figures; the figures themselves are measured
// on the real stx-controller process with a load generator in its own
// process (make bench-peers, docs/benchmarks.md).

// BenchmarkSetAlarm: durable sets through the Go API of the stx stack on
// its embedded defaults (SQLite, WAL, synchronous=FULL), 128 concurrent
// callers, over 100,000 active alarms.
func BenchmarkSetAlarm(b *testing.B) {
	sys := openBench(b)
	var n atomic.Int64
	b.SetParallelism(64)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			a := faulttest.CPUAlarm("compute-"+strconv.Itoa(int(n.Add(1))%100_000), fault.SeverityMajor)
			a.ReasonText = "updated"
			if _, err := sys.Fault.SetAlarm(b.Context(), a); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sets/s")
}

// BenchmarkRESTPost: one alarm per POST from 8 concurrent keep-alive
// clients on loopback (net/http's client and server), durable, over
// 100,000 active alarms.
func BenchmarkRESTPost(b *testing.B) {
	sys := openBench(b)
	url := serveLikeController(b, sys.Handler()).URL + "/v1/alarms"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.Cleanup(client.CloseIdleConnections)
	var n atomic.Int64
	b.SetParallelism(4) // 8 clients on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			a := faulttest.CPUAlarm("compute-"+strconv.Itoa(int(n.Add(1))%100_000), fault.SeverityMajor)
			body, _ := json.Marshal(faulthttp.RequestOf(a))
			req, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+sys.AdminToken)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Errorf("POST: %s", resp.Status)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkListOne: a filtered list matching one alarm of 100,000, through
// the Go API and over REST.
func BenchmarkListOne(b *testing.B) {
	sys := openBench(b)
	q := fault.AlarmQuery{AlarmID: "100.101", EntityPrefix: "host=compute-4242"}
	b.Run("go", func(b *testing.B) {
		for b.Loop() {
			as, err := sys.Fault.ListAlarms(b.Context(), q)
			if err != nil || len(as) != 1 {
				b.Fatalf("%d alarms, %v", len(as), err)
			}
		}
	})
	c := faulthttp.NewClient(serveLikeController(b, sys.Handler()).URL, &faulthttp.ClientOptions{Token: sys.AdminToken})
	b.Run("rest", func(b *testing.B) {
		for b.Loop() {
			as, err := c.ListAlarms(b.Context(), q)
			if err != nil || len(as) != 1 {
				b.Fatalf("%d alarms, %v", len(as), err)
			}
		}
	})
}

// BenchmarkListAllREST: the full list of 100,000 alarms over REST,
// decoded by the client.
func BenchmarkListAllREST(b *testing.B) {
	sys := openBench(b)
	c := faulthttp.NewClient(serveLikeController(b, sys.Handler()).URL, &faulthttp.ClientOptions{Token: sys.AdminToken})
	for b.Loop() {
		as, err := c.ListAlarms(b.Context(), fault.AlarmQuery{})
		if err != nil || len(as) != 100_000 {
			b.Fatalf("%d alarms, %v", len(as), err)
		}
	}
}

// openBench opens the stx stack on its embedded defaults with 100,000
// active alarms (100.101 on compute-0 ... compute-99999).
func openBench(b *testing.B) *stx.System {
	b.Helper()
	sys, err := stx.Open(b.Context(), stx.Config{DataDir: b.TempDir()})
	require.NoError(b, err)
	b.Cleanup(func() { _ = sys.Close(b.Context()) })
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= 100_000 {
					return
				}
				if _, err := sys.Fault.SetAlarm(b.Context(), faulttest.CPUAlarm("compute-"+strconv.Itoa(i), fault.SeverityMajor)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return sys
}
