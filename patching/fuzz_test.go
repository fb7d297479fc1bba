package patching

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func fuzzSeeds(f *testing.F) [][]byte {
	f.Helper()
	return [][]byte{
		build(f, makeDir(f)),
		craftContent(f, dir("a/"), file("a/f", "x"), symlink("a/l", "f")),
		craftContent(f, file("../x", "x")),
		craft(nil, rawMember{memberMetadata, []byte(testMeta)}, rawMember{memberContent, tarOf(f)}),
	}
}

// FuzzOpen: Open never panics, and a file it accepts satisfies the
// invariants of a verified release.
func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte{})
	f.Add(make([]byte, 1024))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := open(b, testKeyring())
		if err != nil {
			require.ErrorIs(t, err, ErrInvalid)
			return
		}
		require.NoError(t, r.Meta().Validate())
		sum := sha256.Sum256(b)
		require.Equal(t, hex.EncodeToString(sum[:]), r.Digest())
		for _, n := range r.Meta().ScriptNames() {
			_, err := r.Script(n)
			require.NoError(t, err)
		}
		rc, err := r.OpenContent()
		require.NoError(t, err)
		tr := tar.NewReader(rc)
		chk := newTreeChecker()
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			require.NoError(t, chk.check(h))
		}
		_, err = io.Copy(io.Discard, rc)
		require.NoError(t, err)
	})
}

// FuzzMetadata: ParseMetadata never panics; what it accepts is valid
// and survives a Marshal/Parse round trip unchanged.
func FuzzMetadata(f *testing.F) {
	f.Add([]byte(testMeta))
	f.Add([]byte(baseMeta + "reboot_required: N\nrequires: [a, b]\nunremovable: Y\n"))
	f.Add([]byte(baseMeta + "x: &a [*a]\n"))
	f.Add([]byte("- 1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMetadata(b)
		if err != nil {
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			return
		}
		require.NoError(t, m.Validate())
		out, err := yaml.Marshal(m)
		require.NoError(t, err)
		again, err := ParseMetadata(out)
		require.NoError(t, err, "%s", out)
		require.Equal(t, m, again)
	})
}

// FuzzSignatureInput: any change to a valid signed release (a byte
// flipped, bytes inserted, the file cut) is refused, unless the result
// is the same file.
func FuzzSignatureInput(f *testing.F) {
	good := craftContent(f, dir("a/"), file("a/f", "hello"), symlink("l", "a/f"))
	_, err := open(good, testKeyring())
	require.NoError(f, err)
	f.Add(uint32(0), byte(1), []byte{}, uint32(0))
	f.Add(uint32(600), byte(0x80), []byte{}, uint32(0))
	f.Add(uint32(len(good)-1), byte(0), []byte{0}, uint32(0))
	f.Add(uint32(0), byte(0), []byte{}, uint32(512))
	f.Add(uint32(bytes.Index(good, []byte("signature "))+12), byte(4), []byte{}, uint32(0))
	f.Fuzz(func(t *testing.T, off uint32, xor byte, insert []byte, cut uint32) {
		b := bytes.Clone(good)
		i := int(off % uint32(len(b)))
		b[i] ^= xor
		b = append(b[:i], append(bytes.Clone(insert), b[i:]...)...)
		if c := int(cut % uint32(len(b)+1)); c > 0 {
			b = b[:len(b)-c]
		}
		_, err := open(b, testKeyring())
		if bytes.Equal(b, good) {
			require.NoError(t, err)
			return
		}
		require.Error(t, err, "mutation accepted: off %d xor %#x insert %d cut %d", off, xor, len(insert), cut)
		require.ErrorIs(t, err, ErrInvalid)
	})
}
