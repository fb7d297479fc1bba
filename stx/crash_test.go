package stx_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/stx"
)

// TestKill9KeepsAcknowledgedWrites runs a controller in a child process,
// writes to it from 8 clients, kills it with SIGKILL mid-stream, and checks
// that every write it acknowledged is there after a restart, in the alarm
// list and in the event log: on SQLite (the embedded default) and on
// PostgreSQL.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	if os.Getenv("FLOCK_CONTROLLER_CHILD") != "" {
		return
	}
	t.Run("sqlite", func(t *testing.T) { kill9KeepsAcknowledgedWrites(t, "") })
	t.Run("postgres", func(t *testing.T) {
		kill9KeepsAcknowledgedWrites(t, testenv.StartPostgres(t).NewDatabase(t))
	})
}

func kill9KeepsAcknowledgedWrites(t *testing.T, database string) {
	dir := t.TempDir()
	addr, stop := startChild(t, dir, database)
	c := faulthttp.NewClient("http://"+addr, &faulthttp.ClientOptions{Token: readToken(t, dir)})
	var mu sync.Mutex
	acked := map[string]string{} // eid -> uuid
	var n atomic.Int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	for range 8 {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := n.Add(1)
				a := faulttest.CPUAlarm("compute-"+strconv.FormatInt(i, 10), fault.SeverityMajor)
				u, err := c.SetAlarm(ctx, a)
				if err != nil {
					return // the controller died under us: this write was not acknowledged
				}
				mu.Lock()
				acked[a.EntityInstanceID] = u
				mu.Unlock()
				if i == 1500 {
					stop() // SIGKILL while the other clients are mid-request
				}
			}
		})
	}
	wg.Wait()
	require.Greater(t, len(acked), 1000, "writes were acknowledged before the kill")
	sys, err := stx.Open(t.Context(), childConfig(dir, database))
	require.NoError(t, err)
	defer sys.Close(t.Context())
	as, err := sys.Fault.ListAlarms(t.Context(), fault.AlarmQuery{})
	require.NoError(t, err)
	have := map[string]string{}
	for _, a := range as {
		have[a.EntityInstanceID] = a.UUID
	}
	es, err := sys.Fault.ListEvents(t.Context(), fault.EventQuery{})
	require.NoError(t, err)
	events := map[string]bool{}
	for _, e := range es {
		events[e.AlarmUUID] = true
	}
	lost := 0
	for eid, u := range acked {
		if have[eid] != u {
			lost++
		}
		if !events[u] && len(es) < fault.DefaultEventLogSize {
			t.Errorf("event of acknowledged set %s missing", u)
		}
	}
	assert.Zero(t, lost, "acknowledged writes lost across kill -9 (of %d)", len(acked))
	t.Logf("%d acknowledged writes, %d alarms after restart", len(acked), len(as))
}

// childConfig is the controller child's configuration.
func childConfig(dir, database string) stx.Config {
	return stx.Config{DataDir: dir, Database: database}
}

// startChild starts the controller child on a free port; stop kills it
// with SIGKILL.
func startChild(t *testing.T, dir, database string) (addr string, stop func()) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr = l.Addr().String()
	l.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestControllerChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FLOCK_CONTROLLER_CHILD=1", "FLOCK_DIR="+dir, "FLOCK_ADDR="+addr, "FLOCK_DATABASE="+database)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	ready := false
	for sc.Scan() {
		if sc.Text() == "READY" {
			ready = true
			break
		}
	}
	require.True(t, ready, "controller child did not start")
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
		})
	}
	t.Cleanup(stop)
	return addr, stop
}

func readToken(t *testing.T, dir string) string {
	t.Helper()
	tok, err := stx.EnsureTokenFile(dir + "/admin.token")
	require.NoError(t, err)
	return tok
}

// TestControllerChild is the child of TestKill9KeepsAcknowledgedWrites.
func TestControllerChild(t *testing.T) {
	if os.Getenv("FLOCK_CONTROLLER_CHILD") == "" {
		return
	}
	sys, err := stx.Open(context.Background(), childConfig(os.Getenv("FLOCK_DIR"), os.Getenv("FLOCK_DATABASE")))
	require.NoError(t, err)
	l, err := net.Listen("tcp", os.Getenv("FLOCK_ADDR"))
	require.NoError(t, err)
	fmt.Println("READY")
	srv, err := stx.NewServer(sys.Handler(), nil) // as stx-controller
	require.NoError(t, err)
	_ = srv.Serve(l)
}
