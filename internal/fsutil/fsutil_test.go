package fsutil_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/fsutil"
)

// TestWriteFileAtomic: the file holds the new content with its mode, no
// temporary file is left, and a failed write leaves the old content.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state.json")
	require.NoError(t, fsutil.WriteFileAtomic(p, []byte("one"), 0o600))
	require.NoError(t, fsutil.WriteFileAtomic(p, []byte("two"), 0o640))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "two", string(b))
	st, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), st.Mode().Perm())
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, ents, 1, "no temporary file left")

	assert.Error(t, fsutil.WriteFileAtomic(filepath.Join(dir, "missing", "x"), []byte("x"), 0o600))
	assert.Error(t, fsutil.SyncDir(filepath.Join(dir, "missing")))
	b, _ = os.ReadFile(p)
	assert.Equal(t, "two", string(b))
}

func ExampleWriteFileAtomic() {
	dir, _ := os.MkdirTemp("", "fsutil")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "state.json")
	if err := fsutil.WriteFileAtomic(p, []byte(`{"generation":1}`), 0o600); err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(p)
	fmt.Println(string(b))
	// Output: {"generation":1}
}
