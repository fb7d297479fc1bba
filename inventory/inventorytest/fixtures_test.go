package inventorytest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
)

func TestReportFor(t *testing.T) {
	r := ReportFor("08:00:27:3a:10:04")
	require.Len(t, r.CPUs, 16)
	seen := map[int]bool{}
	siblings := map[[2]int][]int{}
	for _, c := range r.CPUs {
		assert.False(t, seen[c.CPU], "cpu %d twice", c.CPU)
		seen[c.CPU] = true
		siblings[[2]int{c.NumaNode, c.Core}] = append(siblings[[2]int{c.NumaNode, c.Core}], c.CPU)
		assert.Empty(t, c.AllocatedFunction, "the service assigns functions")
	}
	assert.Len(t, siblings, 8, "2 nodes of 4 physical cores")
	assert.Equal(t, []int{0, 8}, siblings[[2]int{0, 0}], "Linux numbering: first threads, then siblings")
	assert.Equal(t, []int{7, 15}, siblings[[2]int{1, 3}])
	require.Len(t, r.Memory, 2)
	assert.Equal(t, PlatformReservedNode0MiB, r.Memory[0].PlatformReservedMiB)
	assert.Equal(t, 32768-PlatformReservedNode0MiB, r.Memory[0].MemTotalMiB)
	require.Len(t, r.Ports, 2)
	assert.Equal(t, "08:00:27:3a:10:04", r.Ports[0].MAC)
	assert.Equal(t, "08:00:27:3a:10:05", r.Ports[1].MAC)
	assert.Equal(t, inventory.DiskSSD, r.Disks[0].DeviceType)
	assert.Equal(t, "/dev/sdab", ReportFor("x", WithDisks(30)).Disks[27].DeviceNode)
	assert.Len(t, ReportFor("x", WithThreads(1), WithNodes(1), WithCores(3)).CPUs, 3)
}

func TestMAC(t *testing.T) {
	assert.Equal(t, MAC("worker-0"), MAC("worker-0"))
	assert.NotEqual(t, MAC("worker-0"), MAC("worker-1"))
	assert.Regexp(t, `^02(:[0-9a-f]{2}){5}$`, MAC("worker-0"))
}

func TestRebootRequired(t *testing.T) {
	assert.True(t, rebootRequired(t, "8f0c6f9e-0000-4000-8000-000000000000"))
	assert.False(t, rebootRequired(t, "7f0c6f9e-0000-4000-8000-0000000000ff"))
}
