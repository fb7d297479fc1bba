package hwdiscovery_test

import (
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory/hwdiscovery"
)

var update = flag.Bool("update", false, "rewrite the golden facts and reports of testdata/*")

// loadTree loads a recorded tree (see internal/record): the files under
// dir/root and the entries of dir/manifest.txt.
func loadTree(t testing.TB, dir string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	root := filepath.Join(dir, "root")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		m[filepath.ToSlash(rel)] = &fstest.MapFile{Data: b, Mode: 0o444}
		return nil
	})
	require.NoError(t, err)
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest.txt"))
	require.NoError(t, err)
	for i, ln := range strings.Split(string(manifest), "\n") {
		f := strings.Fields(ln)
		switch {
		case len(f) == 0 || strings.HasPrefix(ln, "#"):
		case f[0] == "L" && len(f) == 3:
			m[f[1]] = &fstest.MapFile{Data: []byte(f[2]), Mode: fs.ModeSymlink | 0o777}
		case f[0] == "D" && len(f) == 2:
			if m[f[1]] == nil {
				m[f[1]] = &fstest.MapFile{Mode: fs.ModeDir | 0o555}
			}
		case f[0] == "F" && len(f) == 2:
			if m[f[1]] == nil {
				m[f[1]] = &fstest.MapFile{Mode: 0o444}
			}
		default:
			t.Fatalf("%s/manifest.txt:%d: %q is not an L, D or F entry", dir, i+1, ln)
		}
	}
	return m
}

// TestRecordedTrees discovers each recorded machine and compares what
// it finds, field by field, with the golden facts and report.
func TestRecordedTrees(t *testing.T) {
	for _, tc := range []struct {
		name string
		// check adds what this shape must show whatever the golden says.
		check func(t *testing.T, f *hwdiscovery.Facts)
	}{
		{"vm", func(t *testing.T, f *hwdiscovery.Facts) {
			require.Len(t, f.Ports, 1)
			assert.Equal(t, "0000:00:03.0", f.Ports[0].PCIAddr, "a virtio NIC's address is its virtio PCI device's")
			assert.Equal(t, "virtio_net", f.Ports[0].Driver)
			assert.Contains(t, f.Unknown, "cpu.caches")
			assert.Contains(t, f.Unknown, "disks[vda].by_path")
		}},
		{"server2s", func(t *testing.T, f *hwdiscovery.Facts) {
			assert.Equal(t, 2, f.CPU.Sockets)
			require.Len(t, f.NUMANodes, 2)
			assert.NotNil(t, f.NUMANodes[1].Hugepages1G)
			kinds := map[hwdiscovery.Kind]int{}
			for _, d := range f.PCI {
				kinds[d.Kind]++
			}
			assert.Positive(t, kinds[hwdiscovery.KindQAT])
			assert.Positive(t, kinds[hwdiscovery.KindGPU])
			assert.Positive(t, kinds[hwdiscovery.KindFPGA])
		}},
		{"nonuma", func(t *testing.T, f *hwdiscovery.Facts) {
			assert.Empty(t, f.NUMANodes)
			assert.Contains(t, f.Unknown, "numa_nodes")
			for _, c := range f.CPU.Logical {
				assert.Equal(t, -1, c.NUMANode)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join("testdata", tc.name)
			d := hwdiscovery.New(loadTree(t, dir), nil)
			f, err := d.Discover(t.Context())
			require.NoError(t, err)
			r := f.Report("")
			compareGolden(t, filepath.Join(dir, "facts.json"), f)
			compareGolden(t, filepath.Join(dir, "report.json"), &r)
			tc.check(t, f)
		})
	}
}

// compareGolden compares got with the golden JSON file field by field
// (the top-level fields of got's struct, each as JSON), or rewrites the
// file under -update.
func compareGolden[T any](t *testing.T, file string, got *T) {
	t.Helper()
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(file, append(b, '\n'), 0o644))
		return
	}
	b, err := os.ReadFile(file)
	require.NoError(t, err, "run go test -update to write it")
	want := new(T)
	require.NoError(t, json.Unmarshal(b, want), file)
	wv, gv := reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem()
	for i := range wv.NumField() {
		name := wv.Type().Field(i).Name
		wj, err := json.MarshalIndent(wv.Field(i).Interface(), "", "  ")
		require.NoError(t, err)
		gj, err := json.MarshalIndent(gv.Field(i).Interface(), "", "  ")
		require.NoError(t, err)
		assert.JSONEq(t, string(wj), string(gj), "%s: field %s", file, name)
	}
}
