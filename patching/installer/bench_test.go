package installer_test

import (
	"archive/tar"
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/patching/installer"
)

// BenchmarkInstall installs and switches to a 100 MiB release of 1,600
// files of 64 KiB in 40 directories (each file and directory fsynced),
// then commits it (removing the one before); MB/s is the content's
// size over the time.
func BenchmarkInstall(b *testing.B) {
	const files, size = 1600, 64 << 10
	rng := rand.New(rand.NewPCG(1, 2))
	body := make([]byte, size)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for k := range files {
		for i := range body {
			body[i] = byte(rng.Uint32())
		}
		require.NoError(b, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: fmt.Sprintf("d%02d/f%04d", k%40, k), Size: size, Mode: 0o644}))
		_, err := tw.Write(body)
		require.NoError(b, err)
	}
	require.NoError(b, tw.Close())
	raw := buf.Bytes()
	root := b.TempDir()
	in := newInstaller(b, root, nil)
	b.SetBytes(files * size)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		p := release("r"+strconv.Itoa(n), nil)
		p.raw = raw
		if err := in.Install(b.Context(), p); err != nil {
			b.Fatal(err)
		}
		if err := in.Commit(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	st, err := in.Status()
	require.NoError(b, err)
	require.Equal(b, installer.StateIdle, st.State)
}
