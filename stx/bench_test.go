package stx_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

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
	line, err := r.br.ReadString('\n')
	if err != nil {
		return 0, err
	}
	code, _ := strconv.Atoi(strings.Fields(line)[1])
	n := 0
	for {
		h, err := r.br.ReadString('\n')
		if err != nil {
			return 0, err
		}
		if h == "\r\n" {
			break
		}
		if v, ok := strings.CutPrefix(strings.ToLower(h), "content-length: "); ok {
			n, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	_, err = r.br.Discard(n)
	return code, err
}

func postRequest(token string, i int) []byte {
	body := fmt.Sprintf(`{"alarm_id":"100.101","alarm_state":"set","entity_type_id":"host",`+
		`"entity_instance_id":"host=compute-%d","severity":"major","reason_text":"Platform CPU threshold exceeded",`+
		`"alarm_type":"operational-violation","probable_cause":"threshold-crossed",`+
		`"proposed_repair_action":"Reduce the load","service_affecting":false,"suppression":true}`, i)
	return fmt.Appendf(nil, "POST /v1/alarms HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", token, len(body), body)
}

// BenchmarkRESTPost: one alarm per POST from 8 concurrent keep-alive
// clients on loopback, against the stx stack as stx-controller runs it
// (bearer auth, SQLite with the fault journal: every 201 is on disk),
// with 100,000 active alarms.
func BenchmarkRESTPost(b *testing.B) {
	sys, err := stx.Open(b.Context(), stx.Config{DataDir: b.TempDir()})
	require.NoError(b, err)
	b.Cleanup(func() { _ = sys.Close(b.Context()) })
	populate(b, sys.Fault, 100_000)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	srv := &http.Server{Handler: sys.Handler()}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	var n atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range 8 {
		c := dialRaw(b, ln.Addr().String())
		wg.Go(func() {
			for {
				i := int(n.Add(1))
				if i > b.N {
					return
				}
				code, err := c.do(postRequest(sys.AdminToken, i%100_000))
				if err != nil || code != http.StatusCreated {
					b.Errorf("POST: %d %v", code, err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
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
