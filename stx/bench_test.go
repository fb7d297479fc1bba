package stx_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/stx"
)

// rawClient is one keep-alive HTTP/1.1 connection that writes requests
// and reads answers by hand, as wrk does: a load generator that costs the
// machine little, so the benchmark measures the server.
type rawClient struct {
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(b *testing.B, addr string) *rawClient {
	c, err := net.Dial("tcp", addr)
	require.NoError(b, err)
	b.Cleanup(func() { c.Close() })
	return &rawClient{c: c, br: bufio.NewReaderSize(c, 4096)}
}

// do sends req and returns the status code of the answer.
func (r *rawClient) do(req []byte) (int, error) {
	if _, err := r.c.Write(req); err != nil {
		return 0, err
	}
	line, err := r.br.ReadSlice('\n')
	if err != nil || len(line) < 12 {
		return 0, fmt.Errorf("status line %q: %v", line, err)
	}
	code := int(line[9]-'0')*100 + int(line[10]-'0')*10 + int(line[11]-'0')
	n := 0
	for {
		h, err := r.br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(h) == 2 {
			break
		}
		if len(h) > 16 && (h[0] == 'C' || h[0] == 'c') && strings.EqualFold(string(h[:16]), "content-length: ") {
			n, _ = strconv.Atoi(strings.TrimSpace(string(h[16:])))
		}
	}
	_, err = r.br.Discard(n)
	return code, err
}

// postRequest appends the request raising alarm i to buf. It allocates
// nothing once buf is large enough: a real load generator runs in its own
// process, so the benchmark's client should cost the server's heap nothing.
func postRequest(buf []byte, token string, i int) []byte {
	const head = `{"alarm_id":"100.101","alarm_state":"set","entity_type_id":"host","entity_instance_id":"host=compute-`
	const tail = `","severity":"major","reason_text":"Platform CPU threshold exceeded",` +
		`"alarm_type":"operational-violation","probable_cause":"threshold-crossed",` +
		`"proposed_repair_action":"Reduce the load","service_affecting":false,"suppression":true}`
	var num [20]byte
	digits := strconv.AppendInt(num[:0], int64(i), 10)
	buf = append(buf[:0], "POST /v1/alarms HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer "...)
	buf = append(buf, token...)
	buf = append(buf, "\r\nContent-Type: application/json\r\nContent-Length: "...)
	buf = strconv.AppendInt(buf, int64(len(head)+len(digits)+len(tail)), 10)
	buf = append(buf, "\r\n\r\n"...)
	buf = append(buf, head...)
	buf = append(buf, digits...)
	return append(buf, tail...)
}

// BenchmarkRESTPost: one alarm per POST from 8 concurrent keep-alive
// clients on loopback, against the stx stack as stx-controller runs it
// (bearer auth, SQLite with the fault journal: every 201 is on disk),
// with 100,000 active alarms, served by stx.NewServer (net/http's server,
// as stx-controller serves). Besides
// posts/s and CPU it reports writes/commit and commit-µs, the mean time of
// one journal commit: when that is long the disk, not the code, sets the
// figure.
func BenchmarkRESTPost(b *testing.B) {
	for _, name := range []string{"net-http"} {
		b.Run("server="+name, func(b *testing.B) { benchRESTPost(b, name) })
	}
}

func benchRESTPost(b *testing.B, server string) {
	sys, err := stx.Open(b.Context(), stx.Config{DataDir: b.TempDir()})
	require.NoError(b, err)
	b.Cleanup(func() { _ = sys.Close(b.Context()) })
	populate(b, sys.Fault, 100_000)
	batches, took := commits(b, sys)
	done := postLoad(b, serve(b, server, sys.Handler()), sys.AdminToken)
	// The timed part ends when SQLite holds every write too: the journal's
	// applier works in batches of up to half a second, and its share of
	// the CPU is part of what a POST costs.
	require.NoError(b, sys.Fault.Flush(b.Context()))
	done()
	if n, t := commits(b, sys); n > batches {
		b.ReportMetric(float64(b.N)/float64(n-batches), "writes/commit")
		b.ReportMetric(float64((t-took).Microseconds())/float64(n-batches), "commit-µs")
	}
}

// BenchmarkRESTFloor is BenchmarkRESTPost's load against a handler that
// reads the body and answers 201 with a uuid, and does nothing else: what
// the clients, loopback TCP and the HTTP server cost on this machine at
// the time of the run. This VM's speed varies by ±40% within an hour, so
// BenchmarkRESTPost's figure is read against this one, run next to it
// (docs/benchmarks.md).
func BenchmarkRESTFloor(b *testing.B) {
	answer := []byte(`{"uuid":"0b9f8f4e-6a1c-4a57-9b0e-3d4f2a1b2c3d"}` + "\n")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header()["Content-Type"] = []string{"application/json"}
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(answer)
	})
	postLoad(b, serve(b, "net-http", h), "token")()
}

// serve serves h on a loopback port with stx-controller's server and
// returns its address (server names the sub-benchmark only).
func serve(b *testing.B, server string, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	srv, err := stx.NewServer(h, nil)
	require.NoError(b, err)
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// postLoad starts the timed part of the REST benchmarks: b.N POSTs of one
// alarm each from 8 keep-alive clients, each answered 201. The function
// it returns ends the timed part and reports posts/s and the CPU per
// POST; the caller may add work to the timed part before calling it.
func postLoad(b *testing.B, addr, token string) (done func()) {
	var n atomic.Int64
	var wg sync.WaitGroup
	cpu := startCPU(b)
	b.ResetTimer()
	for range 8 {
		c := dialRaw(b, addr)
		wg.Go(func() {
			var req []byte
			for {
				i := int(n.Add(1))
				if i > b.N {
					return
				}
				req = postRequest(req, token, i%100_000)
				code, err := c.do(req)
				if err != nil || code != http.StatusCreated {
					b.Errorf("POST: %d %v", code, err)
					return
				}
			}
		})
	}
	wg.Wait()
	return func() {
		b.StopTimer()
		cpu.report(b)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	}
}

// commits reads the fault service's commit histograms: how many store
// commits it has made and the time they took in all. With the number of
// writes the count tells how well group commit gathers concurrent
// requests; the time is mostly the journal's synchronous write, which the
// host's disk sets.
func commits(b *testing.B, sys *stx.System) (n uint64, took time.Duration) {
	mfs, err := sys.Registry.Gather()
	require.NoError(b, err)
	for _, mf := range mfs {
		if mf.GetName() == "flock_fault_commit_seconds" {
			h := mf.GetMetric()[0].GetHistogram()
			return h.GetSampleCount(), time.Duration(h.GetSampleSum() * float64(time.Second))
		}
	}
	b.Fatal("no flock_fault_commit_seconds metric")
	return 0, 0
}

// cpuMeter measures the CPU time the whole process (server, load
// generator and background work) spends in the timed part of a benchmark,
// so a figure can be read as "limited by CPU" or "limited by waiting",
// and the machine's steal time meanwhile.
type cpuMeter struct {
	user, sys time.Duration
	cpu       []uint64 // /proc/stat's cpu line, nil where there is none
}

// machineCPU returns the counters of /proc/stat's first line (user, nice,
// system, idle, iowait, irq, softirq, steal ...), in clock ticks of all
// CPUs together; nil where the file is missing or unreadable.
func machineCPU() []uint64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return nil
	}
	var ticks []uint64
	for _, f := range fields[1:] {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil
		}
		ticks = append(ticks, n)
	}
	return ticks
}

// processCPU returns the user and system CPU time of the process.
func processCPU() (user, sys time.Duration) {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

func startCPU(b *testing.B) cpuMeter {
	if path := os.Getenv("FLOCK_BENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		require.NoError(b, err)
		require.NoError(b, pprof.StartCPUProfile(f))
		b.Cleanup(func() { pprof.StopCPUProfile(); f.Close() })
	}
	// An execution trace shows what the goroutines wait for (go tool
	// trace -pprof=sched|syscall|sync|net).
	if path := os.Getenv("FLOCK_BENCH_TRACE"); path != "" {
		f, err := os.Create(path)
		require.NoError(b, err)
		require.NoError(b, trace.Start(f))
		b.Cleanup(func() { trace.Stop(); f.Close() })
	}
	// Allocations of the timed part alone: the profile written at the
	// end, read with -base against the one written here (go tool pprof
	// -sample_index=alloc_space -base FILE.start FILE).
	if path := os.Getenv("FLOCK_BENCH_MEMPROFILE"); path != "" {
		writeAllocs(b, path+".start")
		b.Cleanup(func() { writeAllocs(b, path) })
	}
	u, s := processCPU()
	return cpuMeter{user: u, sys: s, cpu: machineCPU()}
}

// writeAllocs writes the process's allocation profile so far to path.
func writeAllocs(b *testing.B, path string) {
	runtime.GC() // the profile counts up to the last completed GC
	f, err := os.Create(path)
	require.NoError(b, err)
	defer f.Close()
	require.NoError(b, pprof.Lookup("allocs").WriteTo(f, 0))
}

// report adds cpu-µs/op, the CPU time of the process per operation, and
// sys-µs/op, the part of it spent in the kernel (system calls, network,
// disk): on this VM the kernel part is what varies from run to run. On
// Linux it also adds steal-%, the share of the machine's CPU time that the
// hypervisor gave to others while the benchmark ran. When that is above a
// few percent the VM did not have its cores, and the figure says more
// about the host than about the code.
func (m cpuMeter) report(b *testing.B) {
	u, s := processCPU()
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
	b.ReportMetric(per(u-m.user+s-m.sys), "cpu-µs/op")
	b.ReportMetric(per(s-m.sys), "sys-µs/op")
	if now := machineCPU(); m.cpu != nil && len(now) == len(m.cpu) {
		// user to steal; the guest counters after them are already
		// counted in user and nice.
		const steal = 7
		var total uint64
		for i := range steal + 1 {
			total += now[i] - m.cpu[i]
		}
		if total > 0 {
			b.ReportMetric(100*float64(now[steal]-m.cpu[steal])/float64(total), "steal-%")
		}
	}
}

func populate(b *testing.B, s fault.Service, n int) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if _, err := s.SetAlarm(b.Context(), faulttest.CPUAlarm("compute-"+strconv.Itoa(i), fault.SeverityMajor)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkSetAlarm: durable sets through the Go API of the stx stack on
// its embedded defaults (SQLite behind the fault journal), 128 concurrent
// callers, over 100,000 active alarms.
func BenchmarkSetAlarm(b *testing.B) {
	sys, err := stx.Open(b.Context(), stx.Config{DataDir: b.TempDir()})
	require.NoError(b, err)
	b.Cleanup(func() { _ = sys.Close(b.Context()) })
	populate(b, sys.Fault, 100_000)
	var n atomic.Int64
	b.SetParallelism(64)
	cpu := startCPU(b)
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
	require.NoError(b, sys.Fault.Flush(b.Context())) // as in BenchmarkRESTPost
	cpu.report(b)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sets/s")
}
