package faultwal

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDirectWritesOnThisFileSystem checks that the test machine's file
// system takes direct writes, so the other tests exercise them, and that
// frames written across block boundaries read back whole with the padding
// taken as the end.
func TestDirectWritesOnThisFileSystem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	require.NoError(t, os.WriteFile(path, make([]byte, 1<<20), 0o600))
	w := openDirect(path)
	require.NotNil(t, w, "O_DIRECT refused on %s", path)
	defer w.Close()
	var want []byte
	off := int64(0)
	for i := range 50 {
		frame := make([]byte, 100+i*173)
		for j := range frame {
			frame[j] = byte(i + j%251 + 1)
		}
		require.NoError(t, w.writeAt(frame, off))
		off += int64(len(frame))
		want = append(want, frame...)
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, want, got[:len(want)])
	require.Equal(t, make([]byte, directBlock), got[len(want):len(want)+directBlock], "zeros after the last frame")
	require.Error(t, w.writeAt([]byte("x"), off+1), "a write must continue where the last ended")
}
