package patching

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// testKey is a fixed signing key, so that fuzz corpora stay valid.
var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

func testKeyring() Keyring { return Keyring{"test": testKey.Public().(ed25519.PublicKey)} }

const testMeta = `id: FLOCK-1.0-PATCH_0001
sw_version: "1.0"
status: REL
summary: a test release
reboot_required: "N"
requires: []
pre_install: pre.sh
activation_scripts: [act-1.sh]
`

type entry struct {
	hdr  tar.Header
	body string
}

func file(name, body string) entry {
	return entry{tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(body))}, body}
}
func dir(name string) entry {
	return entry{tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755}, ""}
}
func symlink(name, target string) entry {
	return entry{tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777}, ""}
}

func tarOf(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		h := e.hdr
		require.NoError(t, tw.WriteHeader(&h))
		_, err := tw.Write([]byte(e.body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	return b.Bytes()
}

type rawMember struct {
	name string
	data []byte
}

// craft assembles a release file from raw members, signed with key over
// all of them (key nil: unsigned), bypassing Build's checks.
func craft(key ed25519.PrivateKey, members ...rawMember) []byte {
	var b bytes.Buffer
	var entries []manifestEntry
	add := func(name string, data []byte) {
		b.Write(outerHeader(name, int64(len(data))))
		b.Write(data)
		b.Write(make([]byte, padding(int64(len(data)))))
	}
	for _, m := range members {
		add(m.name, m.data)
		entries = append(entries, manifestEntry{name: m.name, size: int64(len(m.data)), digest: sha256.Sum256(m.data)})
	}
	if key != nil {
		add(memberSignature, signManifest(entries, key))
	}
	b.Write(make([]byte, 2*blockSize))
	return b.Bytes()
}

// craftContent is a signed release with the test metadata and scripts
// and the given content tree.
func craftContent(t testing.TB, entries ...entry) []byte {
	t.Helper()
	return craft(testKey,
		rawMember{memberMetadata, []byte(testMeta)},
		rawMember{memberContent, tarOf(t, entries...)},
		rawMember{"scripts/act-1.sh", []byte("#!/bin/sh\necho act\n")},
		rawMember{"scripts/pre.sh", []byte("#!/bin/sh\necho pre\n")},
	)
}

// makeDir writes a release directory for Build.
func makeDir(t testing.TB) string {
	t.Helper()
	d := t.TempDir()
	write := func(p, s string) {
		full := filepath.Join(d, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(s), 0o644))
	}
	write("metadata.yaml", testMeta)
	write("scripts/pre.sh", "#!/bin/sh\necho pre\n")
	write("scripts/act-1.sh", "#!/bin/sh\necho act\n")
	write("content/etc/flock/version", "1.0\n")
	write("content/usr/bin/tool", "binary")
	require.NoError(t, os.Symlink("../../usr/bin/tool", filepath.Join(d, "content/etc/flock/tool")))
	require.NoError(t, os.MkdirAll(filepath.Join(d, "content/var/empty"), 0o755))
	return d
}

func build(t testing.TB, d string) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, Build(d, testKey, &b))
	return b.Bytes()
}

func open(b []byte, kr Keyring) (*Release, error) {
	return Open(bytes.NewReader(b), int64(len(b)), kr)
}
