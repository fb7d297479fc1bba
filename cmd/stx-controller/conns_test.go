package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/stx"
)

// controller is a running stx-controller process whose log is collected.
type controller struct {
	cmd   *exec.Cmd
	addr  string
	token string

	mu      sync.Mutex
	log     strings.Builder
	done    chan struct{} // closed when the process has exited
	exitErr error         // cmd.Wait's, once done is closed
}

// startController runs the binary on a fresh data dir and returns once it
// serves. Its stderr is drained all along, so that logging never blocks it.
func startController(t *testing.T, bin string, args ...string) *controller {
	t.Helper()
	dir := t.TempDir()
	c := &controller{addr: freeAddr(t), done: make(chan struct{})}
	c.cmd = exec.Command(bin, append([]string{"--listen", c.addr, "--data-dir", dir}, args...)...)
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := c.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, c.cmd.Start())
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		served := false
		for sc.Scan() {
			c.mu.Lock()
			c.log.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
			if !served && strings.Contains(sc.Text(), "stx-controller serving") {
				served = true
				ready <- true
			}
		}
		if !served {
			ready <- false
		}
		c.exitErr = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		<-c.done
	})
	require.True(t, <-ready, "stx-controller did not start")
	c.token, err = stx.EnsureTokenFile(filepath.Join(dir, "admin.token"))
	require.NoError(t, err)
	return c
}

func (c *controller) logText() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.String()
}

// metric reads one unlabelled metric from /metrics on a connection of its
// own (which the open-connections gauge counts).
func (c *controller) metric(t *testing.T, name string) float64 {
	t.Helper()
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Get("http://" + c.addr + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(t, err)
			return f
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// dialStalled opens a connection, writes req and leaves it there. It
// gives up after 60 s, so that a test waiting for the server to cut it
// fails instead of hanging.
func dialStalled(t *testing.T, addr, req string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(60*time.Second)))
	_, err = io.WriteString(c, req)
	require.NoError(t, err)
	return c
}

// requireCut reads c to its end, failing if the server did not close it
// (the read hit the connection's own deadline). It returns what was read.
func requireCut(t *testing.T, c net.Conn) string {
	t.Helper()
	b, err := io.ReadAll(c)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server never closed the connection")
	return string(b)
}

const (
	stallHeaders = "GET /v1/alarms HTTP/1.1\r\nHost: x\r\nX-Slow: "
	stallBody    = "POST /v1/alarms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"alarm_id\":"
)

// TestControllerUnder20000StalledConnections opens 20,000 connections
// that never finish a request to the real binary (from four child
// processes: the open-file limit here is 20,000 per process) and checks
// that /healthz and an authenticated request are answered while they are
// open, and that the controller held no more than its cap. The read
// timeouts are made long: only the cap makes room here.
func TestControllerUnder20000StalledConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 connections")
	}
	const children, perChild = 4, 5000
	c := startController(t, buildController(t), "--read-header-timeout", "10m", "--read-timeout", "10m")
	for i := range children {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStallChild$")
		cmd.Env = append(os.Environ(), "FLOCK_STALL_ADDR="+c.addr, "FLOCK_STALL_N="+strconv.Itoa(perChild),
			"FLOCK_STALL_HEADERS="+strconv.FormatBool(i%2 == 0))
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		stdin, err := cmd.StdinPipe()
		require.NoError(t, err)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
		line, err := bufio.NewReader(stdout).ReadString('\n')
		require.NoError(t, err, "child %d", i)
		var dialed, failed int
		_, err = fmt.Sscanf(line, "READY %d %d", &dialed, &failed)
		require.NoError(t, err, "child %d said %q", i, line)
		require.Equal(t, perChild, dialed, "child %d: %d dials failed", i, failed)
	}
	// The 20,000 are open on the clients' side now.

	hc := &http.Client{Timeout: 10 * time.Second}
	resp, err := hc.Get("http://" + c.addr + "/healthz")
	require.NoError(t, err, "/healthz under 20,000 stalled connections")
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	fc := faulthttp.NewClient("http://"+c.addr, &faulthttp.ClientOptions{Token: c.token, HTTPClient: hc})
	u, err := fc.SetAlarm(t.Context(), faulttest.CPUAlarm("controller-0", fault.SeverityMajor))
	require.NoError(t, err, "an authenticated request under 20,000 stalled connections")
	a, err := fc.GetAlarm(t.Context(), u)
	require.NoError(t, err)
	assert.Equal(t, "host=controller-0", a.EntityInstanceID)

	assert.LessOrEqual(t, c.metric(t, "flock_http_open_connections"), float64(stx.DefaultMaxConns))
	assert.GreaterOrEqual(t, c.metric(t, "flock_http_evicted_connections_total"), float64(children*perChild-stx.DefaultMaxConns))
}

// TestStallChild is the client side of TestControllerUnder20000StalledConnections:
// it opens FLOCK_STALL_N connections, writes half a request on each (the
// headers, or the headers and part of a declared body), prints READY and
// keeps them open until its stdin closes.
func TestStallChild(t *testing.T) {
	addr := os.Getenv("FLOCK_STALL_ADDR")
	if addr == "" {
		return // only as the child of TestControllerUnder20000StalledConnections
	}
	n, err := strconv.Atoi(os.Getenv("FLOCK_STALL_N"))
	require.NoError(t, err)
	req := stallBody
	if os.Getenv("FLOCK_STALL_HEADERS") == "true" {
		req = stallHeaders
	}
	d := net.Dialer{Timeout: 30 * time.Second}
	conns := make([]net.Conn, 0, n)
	failed := 0
	for range n {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			failed++
			continue
		}
		// The server may have closed it already to make room: a write
		// error is expected then.
		_, _ = io.WriteString(c, req)
		conns = append(conns, c)
	}
	fmt.Printf("READY %d %d\n", len(conns), failed)
	_, _ = io.Copy(io.Discard, os.Stdin)
	runtime.KeepAlive(conns)
}

// TestControllerDeadlines: with short timeouts set by flags, the real
// binary cuts a request whose declared body never comes (with and without
// a token), one whose headers never end, and a client that never reads
// its responses.
func TestControllerDeadlines(t *testing.T) {
	c := startController(t, buildController(t),
		"--read-header-timeout", "1s", "--read-timeout", "1s", "--write-timeout", "2s")

	t.Run("declared body never sent, no token", func(t *testing.T) {
		conn := dialStalled(t, c.addr, stallBody)
		assert.Contains(t, requireCut(t, conn), "401 Unauthorized")
	})
	t.Run("declared body never sent, with a token", func(t *testing.T) {
		req := strings.Replace(stallBody, "Host: x\r\n", "Host: x\r\nAuthorization: Bearer "+c.token+"\r\n", 1)
		conn := dialStalled(t, c.addr, req)
		assert.Contains(t, requireCut(t, conn), "HTTP/1.1 400")
	})
	t.Run("headers never end", func(t *testing.T) {
		conn := dialStalled(t, c.addr, stallHeaders)
		assert.Empty(t, requireCut(t, conn))
	})
	t.Run("responses never read", func(t *testing.T) {
		// 2,000 alarms with long texts: a list is about 1.5 MB.
		tr := &http.Transport{MaxIdleConnsPerHost: 16}
		fc := faulthttp.NewClient("http://"+c.addr, &faulthttp.ClientOptions{Token: c.token, HTTPClient: &http.Client{Transport: tr}})
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for w := range 16 {
			wg.Go(func() {
				for i := w; i < 2000; i += 16 {
					a := faulttest.CPUAlarm(fmt.Sprintf("compute-%d", i), fault.SeverityMajor)
					a.ReasonText = strings.Repeat("CPU threshold exceeded; ", 10)
					a.ProposedRepairAction = strings.Repeat("Reduce the load. ", 14)
					if _, err := fc.SetAlarm(t.Context(), a); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		require.NoError(t, <-errs)
		tr.CloseIdleConnections()

		// 16 list requests pipelined on one connection, about 24 MB of
		// responses, none read: far more than the sockets' buffers hold.
		const lists = 16
		req := "GET /v1/alarms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + c.token + "\r\n\r\n"
		conn := dialStalled(t, c.addr, strings.Repeat(req, lists))
		// Wait for the controller to cut it: then only the /metrics
		// request itself is open.
		require.Eventually(t, func() bool { return c.metric(t, "flock_http_open_connections") == 1 },
			30*time.Second, 50*time.Millisecond, "the controller kept a client that reads nothing")
		// What the sockets held arrives, then the end: fewer than 16
		// complete responses.
		br := bufio.NewReader(conn)
		complete := 0
		for ; complete < lists; complete++ {
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				break
			}
			_, err = io.Copy(io.Discard, resp.Body)
			if err != nil {
				break
			}
		}
		assert.Less(t, complete, lists)
	})
}

// TestControllerShutdownCutsStalledConnections: SIGTERM with requests
// that never send their body (read timeout 5 minutes) ends after the
// one-second grace, exits 0 and logs how many connections it cut.
func TestControllerShutdownCutsStalledConnections(t *testing.T) {
	c := startController(t, buildController(t), "--read-timeout", "5m", "--shutdown-grace", "1s")
	const stalled = 30
	withToken := strings.Replace(stallBody, "Host: x\r\n", "Host: x\r\nAuthorization: Bearer "+c.token+"\r\n", 1)
	var conns []net.Conn
	for i := range stalled {
		req := stallBody
		if i%2 == 0 {
			req = withToken
		}
		conns = append(conns, dialStalled(t, c.addr, req))
	}
	require.Eventually(t, func() bool { return c.metric(t, "flock_http_open_connections") == stalled+1 },
		30*time.Second, 50*time.Millisecond)

	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-c.done:
		require.NoError(t, c.exitErr, "exit 0 after a SIGTERM, connections cut or not\n%s", c.logText())
	case <-time.After(60 * time.Second):
		t.Fatal("the controller waited on its stalled connections")
	}
	for _, conn := range conns {
		requireCut(t, conn)
	}
	assert.Contains(t, c.logText(), "cut_connections="+strconv.Itoa(stalled))
}
