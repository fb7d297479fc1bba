package patchinghttp_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/patchinghttp"
)

// BenchmarkQueryHosts1000 is GET /patching/v1/query_hosts over loopback
// HTTP with 1,000 hosts reported to a patchingsql Manager on SQLite.
func BenchmarkQueryHosts1000(b *testing.B) {
	const n = 1000
	r := newLegacyRig(b, n)
	ctx := b.Context()
	for i := range n {
		require.NoError(b, r.m.ReportHost(ctx, fmt.Sprintf("host-%04d", i), patching.HostStatus{State: patching.AgentIdle}))
	}
	get := func() {
		resp, err := http.Get(r.url + patchinghttp.LegacyPrefix + "/v1/query_hosts")
		require.NoError(b, err)
		defer resp.Body.Close()
		require.Equal(b, http.StatusOK, resp.StatusCode)
		var ans patchinghttp.LegacyHostsAnswer
		require.NoError(b, json.NewDecoder(resp.Body).Decode(&ans))
		require.Len(b, ans.Data, n)
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	get()
	for b.Loop() {
		get()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}
