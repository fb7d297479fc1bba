//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// target is a server under load: where to post and how to write the body
// that raises alarm number i.
type target struct {
	name  string // "flock" or "alertmanager"
	base  string // http://host:port
	token string // bearer token, "" for none
	// post is the path that takes one alarm per request.
	post string
	// body appends to buf the body raising alarm i of the series prefix.
	body func(buf []byte, prefix string, i int64) []byte
}

// flockTarget posts to stx-controller's POST /v1/alarms as the stx CLI
// does: one alarm, state set, entity host=PREFIX-I.
func flockTarget(base, token string) target {
	return target{name: "flock", base: base, token: token, post: "/v1/alarms", body: flockBody}
}

func flockBody(buf []byte, prefix string, i int64) []byte {
	buf = append(buf, `{"alarm_id":"100.101","alarm_state":"set","entity_type_id":"host","entity_instance_id":"host=`...)
	buf = append(buf, prefix...)
	buf = append(buf, '-')
	buf = strconv.AppendInt(buf, i, 10)
	return append(buf, `","severity":"major","reason_text":"Platform CPU threshold exceeded",`+
		`"alarm_type":"operational-violation","probable_cause":"threshold-crossed",`+
		`"proposed_repair_action":"Reduce the load","service_affecting":false,"suppression":true}`...)
}

// alertmanagerTarget posts to Alertmanager's POST /api/v2/alerts: an array
// of one alert, with a distinct instance label.
func alertmanagerTarget(base string) target {
	return target{name: "alertmanager", base: base, post: "/api/v2/alerts", body: alertmanagerBody}
}

func alertmanagerBody(buf []byte, prefix string, i int64) []byte {
	buf = append(buf, `[{"labels":{"alertname":"PlatformCPUThreshold","alarm_id":"100.101","instance":"host=`...)
	buf = append(buf, prefix...)
	buf = append(buf, '-')
	buf = strconv.AppendInt(buf, i, 10)
	return append(buf, `","severity":"major"},"annotations":{"summary":"Platform CPU threshold exceeded",`+
		`"repair":"Reduce the load"}}]`...)
}

// loadConfig says how long a load runs and what it posts.
type loadConfig struct {
	clients  int
	duration time.Duration // run this long; 0: run until count requests are sent
	count    int64
	prefix   string // entity ids are host=PREFIX-I
	first    int64  // the first I
	// onAck, when set, is called from the client's goroutine for every
	// 2xx answer, with the alarm's number and the answer's body.
	onAck func(client int, i int64, body []byte)
	// pids are the servers' processes, whose CPU time is not counted in
	// the result's others.
	pids []int
}

// loadResult is what one load run measured.
type loadResult struct {
	requests int64         // answered 2xx
	errors   int64         // transport errors and other answers
	firstErr string        // the first error seen, for the report
	elapsed  time.Duration // first request sent to last answer read
	latency  []time.Duration
	next     int64   // the next unused alarm number
	steal    float64 // % of the machine's CPU time taken by the hypervisor
	others   float64 // % taken by processes other than this one and pids
}

// rate returns the 2xx answers per second.
func (r loadResult) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// percentile returns the p-th percentile (0 < p ≤ 1, nearest rank) of the
// sorted durations, 0 for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// runLoad posts to t from cfg.clients keep-alive connections until the
// duration has passed, the count is reached or ctx is done.
func runLoad(ctx context.Context, t target, cfg loadConfig) loadResult {
	tr := &http.Transport{
		MaxIdleConns:        cfg.clients,
		MaxIdleConnsPerHost: cfg.clients,
		MaxConnsPerHost:     cfg.clients,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	url := t.base + t.post

	var next atomic.Int64
	next.Store(cfg.first)
	last := cfg.first + cfg.count // exclusive, when counting
	var deadline time.Time
	type clientResult struct {
		ok, failed int64
		firstErr   string
		lat        []time.Duration
	}
	results := make([]clientResult, cfg.clients)
	cpu0, own0 := readMachineCPU(), cpuTicks(cfg.pids...)
	start := time.Now()
	if cfg.duration > 0 {
		deadline = start.Add(cfg.duration)
	}
	var wg sync.WaitGroup
	for c := range cfg.clients {
		wg.Go(func() {
			res := &results[c]
			var buf []byte
			var ans bytes.Buffer
			for ctx.Err() == nil {
				now := time.Now()
				if !deadline.IsZero() && !now.Before(deadline) {
					return
				}
				i := next.Add(1) - 1
				if deadline.IsZero() && i >= last {
					return
				}
				buf = t.body(buf[:0], cfg.prefix, i)
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(buf))
				if err != nil {
					panic(err) // the URL is ours
				}
				req.Header["Content-Type"] = []string{"application/json"}
				if t.token != "" {
					req.Header["Authorization"] = []string{"Bearer " + t.token}
				}
				resp, err := client.Do(req)
				if err == nil {
					ans.Reset()
					_, err = ans.ReadFrom(resp.Body)
					resp.Body.Close()
					if err == nil && (resp.StatusCode < 200 || resp.StatusCode > 299) {
						err = fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(ans.Bytes()))
					}
				}
				if err != nil {
					res.failed++
					if res.firstErr == "" && ctx.Err() == nil {
						res.firstErr = err.Error()
					}
					continue
				}
				res.lat = append(res.lat, time.Since(now))
				res.ok++
				if cfg.onAck != nil {
					cfg.onAck(c, i, ans.Bytes())
				}
			}
		})
	}
	wg.Wait()
	cpu1, own1 := readMachineCPU(), cpuTicks(cfg.pids...)
	out := loadResult{elapsed: time.Since(start), next: next.Load(), steal: stealPercent(cpu0, cpu1),
		others: otherPercent(cpu0, cpu1, own1-min(own0, own1))}
	if deadline.IsZero() {
		out.next = min(out.next, last)
	}
	for _, r := range results {
		out.requests += r.ok
		out.errors += r.failed
		if out.firstErr == "" {
			out.firstErr = r.firstErr
		}
		out.latency = append(out.latency, r.lat...)
	}
	slices.Sort(out.latency)
	return out
}
