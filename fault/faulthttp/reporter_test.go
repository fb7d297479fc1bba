package faulthttp_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/fault/faulttest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// serveAt starts the REST API of a fresh manager on addr.
func serveAt(t *testing.T, addr string) *fault.Manager {
	t.Helper()
	m, err := fault.Open(t.Context(), faultstore.NewMemoryStore(), nil)
	require.NoError(t, err)
	l, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	srv := &http.Server{Handler: faulthttp.NewHandler(m, nil)}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close(); _ = m.Close(t.Context()) })
	return m
}

func fastRetry(spool string) *fault.AsyncOptions {
	return &fault.AsyncOptions{SpoolDir: spool, RetryMin: 5 * time.Millisecond, RetryMax: 50 * time.Millisecond, CallTimeout: time.Second}
}

// checkDelivered checks that hosts compute-0 .. compute-(n-1) were each set
// once, in that order.
func checkDelivered(t *testing.T, m *fault.Manager, n int) {
	t.Helper()
	es, err := m.ListEvents(t.Context(), fault.EventQuery{})
	require.NoError(t, err)
	require.Len(t, es, n, "every call delivered exactly once")
	for i, e := range es { // newest first
		assert.Equal(t, fmt.Sprintf("host=compute-%d", n-1-i), e.EntityInstanceID, "order")
	}
}

func TestAsyncReporterServerDownThenUp(t *testing.T) {
	addr := freeAddr(t)
	r, err := fault.NewAsyncReporter(faulthttp.NewClient("http://"+addr, nil), fastRetry(""))
	require.NoError(t, err)
	ctx := t.Context()
	go r.Run(ctx)
	for i := range 500 {
		_, err := r.SetAlarm(ctx, faulttest.CPUAlarm("compute-"+strconv.Itoa(i), fault.SeverityMajor))
		require.NoError(t, err, "SetAlarm never blocks on the service")
	}
	assert.Equal(t, 500, r.Len(), "nothing can be delivered while the server is down")
	m := serveAt(t, addr)
	require.NoError(t, r.Flush(ctx))
	checkDelivered(t, m, 500)
	as, err := m.ListAlarms(ctx, fault.AlarmQuery{})
	require.NoError(t, err)
	assert.Len(t, as, 500)
}

func TestAsyncReporterQueueBound(t *testing.T) {
	r, err := fault.NewAsyncReporter(faulttest.NewFakeReporter(), &fault.AsyncOptions{QueueSize: 3})
	require.NoError(t, err)
	for range 3 {
		_, err := r.SetAlarm(t.Context(), faulttest.CPUAlarm("c", fault.SeverityMajor))
		require.NoError(t, err)
	}
	_, err = r.SetAlarm(t.Context(), faulttest.CPUAlarm("c", fault.SeverityMajor))
	assert.ErrorIs(t, err, fault.ErrQueueFull)
	_, err = r.SetAlarm(t.Context(), fault.Alarm{AlarmID: "bad"})
	assert.ErrorIs(t, err, fault.ErrInvalid, "bad input is refused at once, not queued")
}

func TestAsyncReporterDropsRejectedCalls(t *testing.T) {
	fake := faulttest.NewFakeReporter()
	r, err := fault.NewAsyncReporter(fake, fastRetry(""))
	require.NoError(t, err)
	go r.Run(t.Context())
	fake.FailNext(3, nil)                                                    // unavailable: retried
	require.NoError(t, r.ClearAlarm(t.Context(), "100.101", "host=nowhere")) // not found: dropped
	_, err = r.SetAlarm(t.Context(), faulttest.CPUAlarm("controller-0", fault.SeverityMajor))
	require.NoError(t, err)
	require.NoError(t, r.Flush(t.Context()))
	_, ok := fake.Active("100.101", "host=controller-0")
	assert.True(t, ok)
	assert.Len(t, fake.Calls(), 2)
}

// TestAsyncReporterSpoolSurvivesKill: a child process queues 200 sets in a
// spool while the server is down and is killed with SIGKILL; a new
// reporter over the spool delivers each set once when the server is up.
func TestAsyncReporterSpoolSurvivesKill(t *testing.T) {
	if os.Getenv("FLOCK_REPORTER_CHILD") != "" {
		return // the child's work is in TestReporterChild
	}
	spool := t.TempDir()
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestReporterChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FLOCK_REPORTER_CHILD=1", "FLOCK_SPOOL="+spool, "FLOCK_ADDR="+addr)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	queued := false
	for sc.Scan() {
		if sc.Text() == "QUEUED" {
			queued = true
			break
		}
	}
	require.True(t, queued, "child did not queue its calls")
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()

	m := serveAt(t, addr)
	r, err := fault.NewAsyncReporter(faulthttp.NewClient("http://"+addr, nil), fastRetry(spool))
	require.NoError(t, err)
	assert.Equal(t, 200, r.Len(), "the spool gives back every queued call")
	go r.Run(t.Context())
	require.NoError(t, r.Flush(t.Context()))
	require.NoError(t, r.Close())
	checkDelivered(t, m, 200)

	// A third reporter over the same spool has nothing left to send.
	r3, err := fault.NewAsyncReporter(faulthttp.NewClient("http://"+addr, nil), fastRetry(spool))
	require.NoError(t, err)
	assert.Zero(t, r3.Len())
	require.NoError(t, r3.Close())
}

// TestReporterChild is the child of TestAsyncReporterSpoolSurvivesKill.
func TestReporterChild(t *testing.T) {
	if os.Getenv("FLOCK_REPORTER_CHILD") == "" {
		return
	}
	r, err := fault.NewAsyncReporter(faulthttp.NewClient("http://"+os.Getenv("FLOCK_ADDR"), nil), fastRetry(os.Getenv("FLOCK_SPOOL")))
	require.NoError(t, err)
	go r.Run(t.Context()) // the server is down: nothing is delivered
	for i := range 200 {
		_, err := r.SetAlarm(t.Context(), faulttest.CPUAlarm("compute-"+strconv.Itoa(i), fault.SeverityMajor))
		require.NoError(t, err)
	}
	fmt.Println("QUEUED")
	select {} // until the parent kills it
}
