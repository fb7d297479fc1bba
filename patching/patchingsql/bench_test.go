package patchingsql_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/content"
	"github.com/edgeflock/flock/patching/patchingsql"
)

// BenchmarkUpload100MiB: a signed release of 100 MiB (100 files of
// 1 MiB) uploaded to the controller: stored under its digest (hashed
// while copied, fsynced), verified (signature, every member's digest)
// and indexed in SQLite. Reported: MB/s of release file.
func BenchmarkUpload100MiB(b *testing.B) {
	dir := b.TempDir()
	key, err := patching.GenerateKey(nil)
	require.NoError(b, err)
	src := filepath.Join(dir, "src")
	require.NoError(b, os.MkdirAll(filepath.Join(src, "content"), 0o755))
	chunk := make([]byte, 1<<20)
	for i := range 100 {
		for j := range chunk {
			chunk[j] = byte(i*31 + j*7)
		}
		require.NoError(b, os.WriteFile(filepath.Join(src, "content", fmt.Sprintf("f%03d", i)), chunk, 0o644))
	}
	db, err := sqlstore.Open(b.Context(), "sqlite://"+filepath.Join(dir, "flock.db"))
	require.NoError(b, err)
	defer db.Close()
	m, err := patchingsql.New(b.Context(), db, patchingsql.Options{Store: &content.Store{Dir: filepath.Join(dir, "content")},
		Keyring: patching.Keyring{"k": key.Public().(ed25519.PublicKey)},
		Hosts:   patchingsql.HostsFunc(func(context.Context) ([]patchingsql.Host, error) { return nil, nil })})
	require.NoError(b, err)
	var file bytes.Buffer
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		file.Reset()
		require.NoError(b, os.WriteFile(filepath.Join(src, "metadata.yaml"), []byte(fmt.Sprintf("id: BIG-%d\nsw_version: \"1.0\"\nstatus: REL\n", i)), 0o644))
		require.NoError(b, patching.Build(src, key, &file))
		b.SetBytes(int64(file.Len()))
		b.StartTimer()
		if _, err := m.Upload(b.Context(), bytes.NewReader(file.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}
