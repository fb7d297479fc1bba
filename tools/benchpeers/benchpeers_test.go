//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault/faulthttp"
)

func TestFlockBodyIsAnAlarmTheAPITakes(t *testing.T) {
	dec := json.NewDecoder(bytes.NewReader(flockBody(nil, "rate", 4242)))
	dec.DisallowUnknownFields()
	var req faulthttp.AlarmRequest
	require.NoError(t, dec.Decode(&req))
	a, err := req.Alarm()
	require.NoError(t, err)
	assert.Equal(t, "host=rate-4242", a.EntityInstanceID)
	assert.Equal(t, "100.101", a.AlarmID)
}

func TestAlertmanagerBodyIsOneAlert(t *testing.T) {
	var alerts []struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	}
	dec := json.NewDecoder(bytes.NewReader(alertmanagerBody(nil, "pop", 7)))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&alerts))
	require.Len(t, alerts, 1)
	assert.Equal(t, "host=pop-7", alerts[0].Labels["instance"])
	assert.NotEmpty(t, alerts[0].Labels["alertname"])
}

// fakeServer answers POSTs of flockBody: 201 with a uuid, or 500 for the
// alarm numbers in fail; it records the numbers it saw.
type fakeServer struct {
	mu   sync.Mutex
	seen map[int64]int
	fail map[int64]bool
	auth []string
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req faulthttp.AlarmRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	i, err := strconv.ParseInt(strings.TrimPrefix(req.EntityInstanceID, "host=t-"), 10, 64)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.seen[i]++
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if f.fail[i] {
		http.Error(w, "no", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"uuid":"u-%d"}`, i)
}

func TestRunLoadByCount(t *testing.T) {
	f := &fakeServer{seen: map[int64]int{}, fail: map[int64]bool{13: true, 57: true}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	acked := map[int64]string{}
	res := runLoad(t.Context(), flockTarget(srv.URL, "tok"), loadConfig{clients: 4, count: 100, first: 10, prefix: "t",
		onAck: func(_ int, i int64, body []byte) {
			mu.Lock()
			defer mu.Unlock()
			acked[i] = string(body)
		}})
	assert.Equal(t, int64(98), res.requests)
	assert.Equal(t, int64(2), res.errors)
	assert.Contains(t, res.firstErr, "status 500")
	assert.Equal(t, int64(110), res.next)
	assert.Len(t, res.latency, 98)
	assert.Len(t, acked, 98)
	assert.JSONEq(t, `{"uuid":"u-42"}`, acked[42])
	assert.NotContains(t, acked, int64(13))
	require.Len(t, f.seen, 100, "every alarm number once")
	for i := int64(10); i < 110; i++ {
		assert.Equal(t, 1, f.seen[i], "alarm %d", i)
	}
	for _, a := range f.auth {
		assert.Equal(t, "Bearer tok", a)
	}
}

func TestRunLoadStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if n++; n == 50 {
			cancel()
		}
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	res := runLoad(ctx, alertmanagerTarget(srv.URL), loadConfig{clients: 2, duration: time.Hour, prefix: "t"})
	assert.GreaterOrEqual(t, res.requests+res.errors, int64(50))
	assert.Empty(t, res.firstErr, "errors after the end are not reported")
}

func TestLostAlarms(t *testing.T) {
	acked := []map[int64]string{{1: "u1", 2: "u2"}, {3: "u3", 4: "u4"}}
	for _, tc := range []struct {
		name             string
		found            map[string]string
		missing, another int
	}{
		{"all there", map[string]string{"host=kill-1": "u1", "host=kill-2": "u2", "host=kill-3": "u3", "host=kill-4": "u4", "host=pop-1": "x"}, 0, 0},
		{"one gone", map[string]string{"host=kill-1": "u1", "host=kill-2": "u2", "host=kill-4": "u4"}, 1, 0},
		{"one replaced", map[string]string{"host=kill-1": "u1", "host=kill-2": "u9", "host=kill-3": "u3", "host=kill-4": "u4"}, 0, 1},
		{"none", nil, 4, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := lostAlarms(acked, tc.found)
			assert.Equal(t, 4, k.acked)
			assert.Equal(t, tc.missing, k.missing)
			assert.Equal(t, tc.another, k.wrongUUID)
			assert.Equal(t, tc.missing+tc.another > 0, k.example != "")
		})
	}
}

func TestPercentile(t *testing.T) {
	d := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", d(7), 0.99, 7},
		{"median of four is the second", d(1, 2, 3, 4), 0.5, 2},
		{"p99 of 100", d(seq(1, 100)...), 0.99, 99},
		{"max", d(1, 2, 3), 1, 3},
		{"tiny p is the first", d(1, 2, 3), 0.0001, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, percentile(tc.sorted, tc.p))
		})
	}
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func TestParseCPULineAndSteal(t *testing.T) {
	before, err := parseCPULine("cpu  100 0 50 800 10 0 0 40 5 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n")
	require.NoError(t, err)
	after, err := parseCPULine("cpu  200 0 100 1600 20 0 0 80 9 0\n")
	require.NoError(t, err)
	assert.InDelta(t, 4.0, stealPercent(before, after), 1e-9, "40 of 1000 ticks, guest not counted")
	assert.InDelta(t, -1, stealPercent(after, before), 0, "counters going back")
	assert.InDelta(t, -1, stealPercent(nil, after), 0)

	for _, bad := range []string{"", "cpu 1 2 3", "cpu0 1 2 3 4 5 6 7 8", "cpu 1 2 3 4 5 6 7 x"} {
		_, err := parseCPULine(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestOtherPercent(t *testing.T) {
	before := []uint64{100, 0, 50, 800, 10, 0, 0, 40}
	after := []uint64{300, 0, 150, 1300, 60, 0, 0, 90} // busy 300, total 900
	assert.InDelta(t, 100.0/9, otherPercent(before, after, 200), 1e-9)
	assert.InDelta(t, 0, otherPercent(before, after, 400), 0, "own time above busy (tick rounding)")
	assert.InDelta(t, -1, otherPercent(after, before, 0), 0)
	assert.InDelta(t, -1, otherPercent(before[:5], after, 0), 0)
}

func TestParseProcStat(t *testing.T) {
	n, err := parseProcStat("4242 (stx ctl) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 25 0 0 20 0 9 0 100 0 0\n")
	require.NoError(t, err)
	assert.Equal(t, uint64(175), n)
	for _, bad := range []string{"", "1 (x) S 1 2", "1 (x) S 1 2 3 4 5 6 7 8 9 10 u s"} {
		_, err := parseProcStat(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestProcFilesOfThisMachineParse(t *testing.T) {
	stat, err := os.ReadFile("/proc/self/stat")
	require.NoError(t, err)
	_, err = parseProcStat(string(stat))
	require.NoError(t, err)
	status, err := os.ReadFile("/proc/self/status")
	require.NoError(t, err)
	m, err := parseStatus(string(status))
	require.NoError(t, err)
	assert.Positive(t, m.rss)
	assert.NotNil(t, readMachineCPU())
}

func TestParseStatus(t *testing.T) {
	m, err := parseStatus("Name:\tstx-controller\nVmHWM:\t  180224 kB\nVmRSS:\t  122880 kB\nThreads:\t9\n")
	require.NoError(t, err)
	assert.Equal(t, memory{rss: 120 << 20, peak: 176 << 20}, m)
	for _, bad := range []string{"", "VmRSS:\t12 kB\n", "VmRSS:\tlots kB\nVmHWM:\t1 kB\n", "VmRSS:\t12 MB\nVmHWM:\t1 kB\n", "VmRSS: 1 kB\nVmRSS: 2 kB\n"} {
		_, err := parseStatus(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestMetricSum(t *testing.T) {
	text := "# HELP flock_fault_commit_seconds x\nflock_fault_commit_seconds_bucket{le=\"0.001\"} 3\n" +
		"flock_fault_commit_seconds_sum 0.25\nflock_fault_commit_seconds_count 400\nother_count 1\n"
	n, s, ok := metricSum(text, "flock_fault_commit_seconds")
	require.True(t, ok)
	assert.InDelta(t, 400, n, 0)
	assert.InDelta(t, 0.25, s, 0)
	_, _, ok = metricSum("other_count 1\n", "flock_fault_commit_seconds")
	assert.False(t, ok)
}

func TestNextURL(t *testing.T) {
	for _, tc := range []struct{ cur, next, want string }{
		{"http://h/v1/alarms", "", ""},
		{"http://h/v1/alarms?q.field=a&q.value=b", "uuid-1", "http://h/v1/alarms?marker=uuid-1&q.field=a&q.value=b"},
		{"http://h/v1/alarms", "http://h/v1/alarms?limit=1000&marker=u2", "http://h/v1/alarms?limit=1000&marker=u2"},
		{"http://h/v1/alarms", "/v1/alarms?marker=u3", "http://h/v1/alarms?marker=u3"},
	} {
		got, err := nextURL(tc.cur, tc.next)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%s + %s", tc.cur, tc.next)
	}
}

func TestParseCounts(t *testing.T) {
	got, err := parseCounts("8, 64", 10_000)
	require.NoError(t, err)
	assert.Equal(t, []int{8, 64}, got)
	for _, bad := range []string{"", "8,", "0", "-1", "x", "20000"} {
		_, err := parseCounts(bad, 10_000)
		assert.Error(t, err, "%q", bad)
	}
}

func TestThousands(t *testing.T) {
	for x, want := range map[float64]string{0: "0", 999.4: "999", 1000: "1,000", 12345.6: "12,346", 1234567: "1,234,567", -4321: "-4,321"} {
		assert.Equal(t, want, thousands(x), "%v", x)
	}
}

func TestSyncTime(t *testing.T) {
	d, err := syncTime(t.TempDir(), 8)
	require.NoError(t, err)
	assert.Positive(t, d)
}

func FuzzParseCPULine(f *testing.F) {
	f.Add("cpu  100 0 50 800 10 0 0 40 5 0\n")
	f.Add("cpu 1 2 3 4 5 6 7 8")
	f.Fuzz(func(t *testing.T, s string) {
		ticks, err := parseCPULine(s)
		if err == nil {
			require.GreaterOrEqual(t, len(ticks), 8)
			p := stealPercent(ticks, ticks)
			require.InDelta(t, -1, p, 0, "no ticks passed")
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add("VmHWM:\t  180224 kB\nVmRSS:\t  122880 kB\n")
	f.Add("VmRSS: 1 kB\nVmRSS: 2 kB\n")
	f.Add("VmRSS: 1 kB\nVmHWM: 99999999999999 kB\n")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseStatus(s)
		if err == nil {
			require.GreaterOrEqual(t, m.rss, int64(0))
			require.GreaterOrEqual(t, m.peak, int64(0))
		}
	})
}

func FuzzParseProcStat(f *testing.F) {
	f.Add("4242 (stx ctl) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 25 0 0 20 0 9 0 100 0 0\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseProcStat(s)
	})
}

func FuzzMetricSum(f *testing.F) {
	f.Add("flock_fault_commit_seconds_sum 0.25\nflock_fault_commit_seconds_count 400\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, _, _ = metricSum(s, "flock_fault_commit_seconds")
	})
}
