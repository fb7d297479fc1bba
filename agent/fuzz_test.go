package agent_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// FuzzDecodeState: the state file decoder never panics, and what it
// accepts encodes and decodes back to the same state.
func FuzzDecodeState(f *testing.F) {
	r := inventorytest.ReportFor(inventorytest.MAC("worker-0"))
	full, err := json.Marshal(agent.State{Version: 1, HostUUID: "h", Pending: &r, LastReport: &r, Fingerprint: agent.Fingerprint(r),
		AppliedConfig: "c", PendingApplied: "c"})
	require.NoError(f, err)
	for _, s := range []string{`{"version":1}`, string(full), `{"version":2}`, `{"version":1,"pending_report":{}}`, `[]`, `{"version":1} x`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := agent.DecodeState(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(st)
		require.NoError(t, err)
		st2, err := agent.DecodeState(again)
		require.NoError(t, err)
		require.Equal(t, st, st2)
	})
}
