package hwdiscovery_test

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory/hwdiscovery"
)

// TestEmptyRoot: a root with nothing readable is a discovery full of
// unknowns, never a failure nor made-up zeros.
func TestEmptyRoot(t *testing.T) {
	f, err := hwdiscovery.New(fstest.MapFS{}, nil).Discover(t.Context())
	require.NoError(t, err)
	for _, fact := range []string{"hostname", "kernel", "uptime_seconds", "cpu.model", "memory", "numa_nodes", "pci", "disks", "ports", "rootfs", "pci.names"} {
		assert.Contains(t, f.Unknown, fact)
	}
	assert.Nil(t, f.UptimeSeconds)
	assert.Nil(t, f.Memory.TotalKiB)
	assert.Nil(t, f.CPU.MHz)
	r := f.Report("02:00:00:00:00:01")
	require.Len(t, r.Memory, 1)
	assert.Zero(t, r.Memory[0].NodeMemTotalMiB)
}

// TestUnreadableFiles: a file that cannot be read (here, a bad
// permission) leaves its fact unknown with the reason, and the rest is
// discovered.
func TestUnreadableFiles(t *testing.T) {
	root := loadTree(t, "testdata/server2s")
	errRoot := withErrors(root, map[string]error{
		"sys/devices/system/node/node1/meminfo":                fs.ErrPermission,
		"sys/devices/pci0000:17/0000:18:00.0/net/ens785f0/mtu": fs.ErrPermission,
		"sys/devices/pci0000:b0/0000:b1:00.0/vendor":           fs.ErrNotExist,
		"sys/devices/system/cpu/cpu5/topology/core_id":         fs.ErrPermission,
	})
	f, err := hwdiscovery.New(errRoot, nil).Discover(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "/sys/devices/system/node/node1/meminfo: permission denied", f.Unknown["numa_nodes[1].memory"])
	assert.Nil(t, f.NUMANodes[1].TotalKiB)
	assert.NotNil(t, f.NUMANodes[0].TotalKiB)
	assert.Contains(t, f.Unknown, "ports[ens785f0].mtu")
	assert.Equal(t, "/sys/bus/pci/devices/0000:b1:00.0/vendor: missing", f.Unknown["pci[0000:b1:00.0].vendor"])
	assert.Contains(t, f.Unknown, "cpu.logical[5].core")
	assert.Len(t, f.CPU.Logical, 15, "cpu 5's topology is unknown; the others are there")
}

// TestCanceled: a discovery stops when its context ends.
func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := hwdiscovery.New(fstest.MapFS{}, nil).Discover(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

// errFS fails reading some files.
type errFS struct {
	fstest.MapFS
	errs map[string]error
}

func withErrors(m fstest.MapFS, errs map[string]error) fs.FS { return errFS{m, errs} }

func (e errFS) Open(name string) (fs.File, error) {
	if err, ok := e.errs[name]; ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return e.MapFS.Open(name)
}

func (e errFS) ReadFile(name string) ([]byte, error) {
	if err, ok := e.errs[name]; ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return e.MapFS.ReadFile(name)
}
