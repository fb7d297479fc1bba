package patching

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkOpen100MiB builds a release of 100 MiB of content once, then
// measures Open (structure, signature, every digest, the content rules)
// reading it from disk. The allocation figures show that verification
// streams: bytes allocated per Open are a tiny fraction of the file.
func BenchmarkOpen100MiB(b *testing.B) {
	d := makeDir(b)
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i * 7)
	}
	for f := range 10 {
		p := filepath.Join(d, "content", "data", "blob-"+string(rune('a'+f)))
		require.NoError(b, os.MkdirAll(filepath.Dir(p), 0o755))
		fh, err := os.Create(p)
		require.NoError(b, err)
		for range 10 {
			_, err := fh.Write(chunk)
			require.NoError(b, err)
		}
		require.NoError(b, fh.Close())
	}
	out := filepath.Join(b.TempDir(), "rel.tar")
	fh, err := os.Create(out)
	require.NoError(b, err)
	require.NoError(b, Build(d, testKey, fh))
	st, err := fh.Stat()
	require.NoError(b, err)
	require.Greater(b, st.Size(), int64(100<<20))

	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Open(fh, st.Size(), testKeyring()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	require.NoError(b, fh.Close())
}

// TestOpenStreams fails if Open buffers the content: a 16 MiB release
// must verify with well under 1 MiB allocated.
func TestOpenStreams(t *testing.T) {
	d := makeDir(t)
	big := make([]byte, 16<<20)
	require.NoError(t, os.WriteFile(filepath.Join(d, "content", "big"), big, 0o644))
	out := filepath.Join(t.TempDir(), "rel.tar")
	fh, err := os.Create(out)
	require.NoError(t, err)
	defer fh.Close()
	require.NoError(t, Build(d, testKey, fh))
	st, err := fh.Stat()
	require.NoError(t, err)
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Open(fh, st.Size(), testKeyring()); err != nil {
				b.Fatal(err)
			}
		}
	})
	require.Less(t, res.AllocedBytesPerOp(), int64(1<<20), "Open allocated %d bytes for a %d-byte release", res.AllocedBytesPerOp(), st.Size())
}
