package content_test

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/patching/content"
)

// BenchmarkFetch100Hosts: 100 hosts fetch a 100 MiB release from the
// store's handler at once, over loopback HTTP. Reported: MB/s of all
// transfers together, and the peak heap of the whole process (server and
// clients) sampled every 10 ms, to show the content is streamed rather
// than held per host.
func BenchmarkFetch100Hosts(b *testing.B) {
	s := &content.Store{Dir: b.TempDir()}
	data := make([]byte, 100<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	d, _, err := s.Put(bytes.NewReader(data))
	require.NoError(b, err)
	data = nil
	runtime.GC()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}()
	dir := b.TempDir()
	start := time.Now()
	for n := range b.N {
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for h := range 100 {
			wg.Go(func() {
				dst := filepath.Join(dir, fmt.Sprintf("host-%d-%d.tar", n, h))
				errs <- content.Fetch(b.Context(), srv.Client(), srv.URL+"/"+d, d, dst)
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(b, err)
		}
	}
	close(stop)
	<-sampled
	b.ReportMetric(float64(b.N)*100*100*(1<<20)/1e6/time.Since(start).Seconds(), "MB/s")
	b.ReportMetric(float64(peak)/(1<<20), "MiB-peak-heap")
}
