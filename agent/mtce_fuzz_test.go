package agent_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/hostmgmt"
)

// FuzzDecodeLinkConfig: the mtce_link decoder never panics, what it
// accepts is a link the heartbeat can use (a key of 16 bytes or more, a
// period of 100 to 1000 ms, a mgmt endpoint), and it encodes (as the
// controller does, encoding/json) and decodes back to the same link.
func FuzzDecodeLinkConfig(f *testing.F) {
	for _, s := range []string{goodLink, `{}`, `[]`, ``, `null`, goodLink + ` x`,
		strings.Replace(goodLink, `"cluster-host":"192.168.206.2:2116"`, `"cluster-host":"[fd00::2]:2116"`, 1),
		strings.Replace(goodLink, linkKey, "AAAA", 1),
		`{"host_uuid":"h","key":"` + linkKey + `","heartbeat_period_ms":1000,"controller":{"mgmt":"10.0.0.1:1"}}`,
		`{"host_uuid":"h","key":"` + linkKey + `","heartbeat_period_ms":1e3,"controller":{"mgmt":"10.0.0.1:01"}}`,
		`{"host_uuid":"h","key":"` + linkKey + `","heartbeat_period_ms":100,"controller":{"mgmt":"::ffff:10.0.0.1:1"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lc, err := agent.DecodeLinkConfig(data)
		if err != nil {
			assert.Contains(t, err.Error(), "mtce_link")
			return
		}
		require.NotEmpty(t, lc.HostUUID)
		require.GreaterOrEqual(t, len(lc.Key), 16)
		require.GreaterOrEqual(t, lc.PeriodMS, 100)
		require.LessOrEqual(t, lc.PeriodMS, 1000)
		require.Contains(t, lc.Controller, hostmgmt.NetworkMgmt)
		again, err := json.Marshal(lc)
		require.NoError(t, err)
		lc2, err := agent.DecodeLinkConfig(again)
		require.NoError(t, err, "%s", again)
		require.Equal(t, lc, lc2)
	})
}

// FuzzDecodeSimBoot: the simulated boot file's decoder never panics, and
// what it accepts encodes and decodes back to the same boot.
func FuzzDecodeSimBoot(f *testing.F) {
	good, err := json.Marshal(agent.SimBoot{BootID: "5b0e3d2c-1f4a-4b6e-8c9d-0a1b2c3d4e5f", BootedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		HostBootID: "0397759c-4e59-462e-b413-bde8dd731165"})
	require.NoError(f, err)
	for _, s := range []string{string(good), `{}`, `{"boot_id":"x"}`, string(good) + `{}`, `[]`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sb, err := agent.DecodeSimBoot(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(sb)
		require.NoError(t, err)
		sb2, err := agent.DecodeSimBoot(again)
		require.NoError(t, err)
		require.Equal(t, sb.BootID, sb2.BootID)
		require.Equal(t, sb.HostBootID, sb2.HostBootID)
		require.True(t, sb.BootedAt.Equal(sb2.BootedAt))
	})
}

// FuzzParseUptime: /proc/uptime's parser never panics and gives no
// negative uptime.
func FuzzParseUptime(f *testing.F) {
	for _, s := range []string{"6674.04 13131.00\n", "0.00 0.00", "", "-1 0", "NaN 0", "1e300 0", "12"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := agent.ParseUptime(data)
		if err == nil {
			require.GreaterOrEqual(t, d, time.Duration(0))
		}
	})
}
