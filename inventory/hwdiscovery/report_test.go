package hwdiscovery_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory/hwdiscovery"
	"github.com/edgeflock/flock/inventory/inventorysql"
)

// TestReportAccepted sends each recorded machine's report to the
// inventory, which must accept it and show its hardware.
func TestReportAccepted(t *testing.T) {
	for _, name := range []string{"vm", "server2s", "nonuma"} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			f, err := hwdiscovery.New(loadTree(t, filepath.Join("testdata", name)), nil).Discover(ctx)
			require.NoError(t, err)
			m, err := inventorysql.OpenMemory(ctx, nil)
			require.NoError(t, err)
			t.Cleanup(func() { _ = m.Close() })
			r := f.Report("")
			h, err := m.ReportInventory(ctx, r)
			require.NoError(t, err)
			assert.Equal(t, r.MgmtMAC, h.MgmtMAC)
			cpus, err := m.ListCPUs(ctx, h.UUID)
			require.NoError(t, err)
			assert.Len(t, cpus, len(f.CPU.Logical))
			disks, err := m.ListDisks(ctx, h.UUID)
			require.NoError(t, err)
			assert.Len(t, disks, len(f.Disks))
			ports, err := m.ListPorts(ctx, h.UUID)
			require.NoError(t, err)
			assert.Len(t, ports, len(f.Ports))
		})
	}
}

// TestReportMgmtMAC: an explicit MAC wins over the management port's.
func TestReportMgmtMAC(t *testing.T) {
	f, err := hwdiscovery.New(loadTree(t, filepath.Join("testdata", "nonuma")), nil).Discover(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "eno2", f.MgmtPort, "no default route: the first port whose link is up")
	assert.Equal(t, "00:25:90:aa:bb:02", f.Report("").MgmtMAC)
	assert.Equal(t, "00:25:90:aa:bb:01", f.Report("00:25:90:aa:bb:01").MgmtMAC)
}
