package patching

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func contentNames(t *testing.T, r *Release) []string {
	t.Helper()
	rc, err := r.OpenContent()
	require.NoError(t, err)
	defer rc.Close()
	tr := tar.NewReader(rc)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		names = append(names, h.Name+"|"+string(h.Typeflag)+"|"+h.Linkname)
	}
	_, err = io.Copy(io.Discard, rc)
	require.NoError(t, err)
	return names
}

func TestBuildOpen(t *testing.T) {
	d := makeDir(t)
	b := build(t, d)
	assert.Equal(t, b, build(t, d), "Build is deterministic")

	r, err := open(b, testKeyring())
	require.NoError(t, err)
	m := r.Meta()
	assert.Equal(t, "FLOCK-1.0-PATCH_0001", m.ID)
	assert.False(t, m.RebootRequired)
	assert.Equal(t, "pre.sh", m.PreInstall)
	assert.Equal(t, "test", r.Signer())
	sum := sha256.Sum256(b)
	assert.Equal(t, hex.EncodeToString(sum[:]), r.Digest())
	assert.Equal(t, int64(len(b)), r.Size())

	s, err := r.Script("pre.sh")
	require.NoError(t, err)
	assert.Equal(t, "#!/bin/sh\necho pre\n", string(s))
	_, err = r.Script("post.sh")
	assert.ErrorIs(t, err, ErrNotFound)

	assert.Equal(t, []string{
		"etc/|5|", "etc/flock/|5|", "etc/flock/tool|2|../../usr/bin/tool", "etc/flock/version|0|",
		"usr/|5|", "usr/bin/|5|", "usr/bin/tool|0|", "var/|5|", "var/empty/|5|",
	}, contentNames(t, r))
}

func TestOpenVerdicts(t *testing.T) {
	good := build(t, makeDir(t))
	other, err := GenerateKey(nil)
	require.NoError(t, err)

	t.Run("unsigned", func(t *testing.T) {
		b := craft(nil, rawMember{memberMetadata, []byte(testMeta)}, rawMember{memberContent, tarOf(t)})
		_, err := open(b, testKeyring())
		assert.ErrorIs(t, err, ErrUnsigned)
		assert.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("untrusted", func(t *testing.T) {
		_, err := open(good, Keyring{"other": other.Public().(ed25519.PublicKey)})
		assert.ErrorIs(t, err, ErrUntrusted)
		assert.NotErrorIs(t, err, ErrTampered)
	})
	t.Run("empty keyring", func(t *testing.T) {
		_, err := open(good, nil)
		assert.ErrorIs(t, err, ErrUntrusted)
	})
	t.Run("content byte flipped", func(t *testing.T) {
		b := bytes.Clone(good)
		i := bytes.Index(b, []byte("binary"))
		require.Positive(t, i)
		b[i] ^= 1
		_, err := open(b, testKeyring())
		assert.ErrorIs(t, err, ErrTampered)
		assert.ErrorContains(t, err, "content.tar")
	})
	t.Run("metadata byte flipped", func(t *testing.T) {
		b := bytes.Clone(good)
		i := bytes.Index(b, []byte("a test release"))
		b[i] = 'A'
		_, err := open(b, testKeyring())
		assert.ErrorIs(t, err, ErrTampered)
		assert.ErrorContains(t, err, "metadata.yaml")
	})
	t.Run("signature byte flipped", func(t *testing.T) {
		b := bytes.Clone(good)
		i := bytes.Index(b, []byte("\nsignature "))
		b[i+12] ^= 1
		_, err := open(b, testKeyring())
		assert.ErrorIs(t, err, ErrTampered)
	})
	t.Run("re-signed by another key", func(t *testing.T) {
		b := craft(other, rawMember{memberMetadata, []byte(testMeta)}, rawMember{memberContent, tarOf(t)})
		_, err := open(b, testKeyring())
		assert.ErrorIs(t, err, ErrUntrusted)
	})
	t.Run("member dropped", func(t *testing.T) {
		// A release whose manifest names a script the file lacks.
		full := craftContent(t)
		sig := full[bytes.Index(full, []byte(manifestHeader)):]
		sig = sig[:bytes.IndexByte(sig, 0)]
		var b bytes.Buffer
		for _, m := range []rawMember{{memberMetadata, []byte(testMeta)}, {memberContent, tarOf(t)}, {"scripts/act-1.sh", []byte("#!/bin/sh\necho act\n")}, {memberSignature, sig}} {
			b.Write(outerHeader(m.name, int64(len(m.data))))
			b.Write(m.data)
			b.Write(make([]byte, padding(int64(len(m.data)))))
		}
		b.Write(make([]byte, 1024))
		_, err := open(b.Bytes(), testKeyring())
		assert.ErrorIs(t, err, ErrTampered)
	})
	t.Run("trailing data", func(t *testing.T) {
		b := append(bytes.Clone(good), make([]byte, 512)...)
		b[len(b)-1] = 1
		_, err := open(b, testKeyring())
		var ee *EntryError
		require.ErrorAs(t, err, &ee)
	})
	t.Run("trailing zeros", func(t *testing.T) {
		_, err := open(append(bytes.Clone(good), make([]byte, 512)...), testKeyring())
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("truncated", func(t *testing.T) {
		_, err := open(good[:len(good)-1024], testKeyring())
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("non-canonical header", func(t *testing.T) {
		b := bytes.Clone(good)
		var hb bytes.Buffer
		require.NoError(t, tar.NewWriter(&hb).WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: memberMetadata, Size: int64(len(testMeta)), Mode: 0o600, Format: tar.FormatUSTAR}))
		copy(b, hb.Bytes()[:blockSize])
		_, err := open(b, testKeyring())
		var ee *EntryError
		require.ErrorAs(t, err, &ee)
		assert.Equal(t, memberMetadata, ee.Entry)
	})
}

func TestOpenMembers(t *testing.T) {
	meta := rawMember{memberMetadata, []byte(testMeta)}
	content := rawMember{memberContent, tarOf(t)}
	pre := rawMember{"scripts/pre.sh", []byte("x")}
	act := rawMember{"scripts/act-1.sh", []byte("y")}
	for _, tc := range []struct {
		name    string
		members []rawMember
		entry   string
	}{
		{"missing script", []rawMember{meta, content, act}, "scripts/pre.sh"},
		{"extra script", []rawMember{meta, content, act, {"scripts/other.sh", nil}, pre}, "scripts/other.sh"},
		{"scripts out of order", []rawMember{meta, content, pre, act}, "scripts/act-1.sh"},
		{"content first", []rawMember{content, meta}, memberContent},
		{"unknown member", []rawMember{meta, content, {"MANIFEST", nil}}, "MANIFEST"},
		{"bad script name", []rawMember{meta, content, {"scripts/../x", nil}}, "scripts/../x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := open(craft(testKey, tc.members...), testKeyring())
			var ee *EntryError
			require.ErrorAs(t, err, &ee, "%v", err)
			assert.Equal(t, tc.entry, ee.Entry)
		})
	}
	t.Run("bad metadata", func(t *testing.T) {
		_, err := open(craft(testKey, rawMember{memberMetadata, []byte("id: x\nbogus: 1\n")}, content), testKeyring())
		var fe *FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "bogus", fe.Field)
	})
}

// TestContentTraversal: one case per path traversal or refused entry;
// each release is validly signed, so only the content rules refuse it.
func TestContentTraversal(t *testing.T) {
	hard := entry{tar.Header{Typeflag: tar.TypeLink, Name: "hard", Linkname: "a"}, ""}
	chr := entry{tar.Header{Typeflag: tar.TypeChar, Name: "dev/null", Devmajor: 1, Devminor: 3}, ""}
	blk := entry{tar.Header{Typeflag: tar.TypeBlock, Name: "dev/sda", Devmajor: 8}, ""}
	fifo := entry{tar.Header{Typeflag: tar.TypeFifo, Name: "fifo"}, ""}
	for _, tc := range []struct {
		name    string
		entries []entry
		bad     string // the entry named in the error
	}{
		{"dotdot", []entry{file("../evil", "x")}, "../evil"},
		{"dotdot inside", []entry{file("a/../../evil", "x")}, "a/../../evil"},
		{"dotdot that stays inside", []entry{file("a/../b", "x")}, "a/../b"},
		{"absolute", []entry{file("/etc/passwd", "x")}, "/etc/passwd"},
		{"dot slash", []entry{file("./x", "x")}, "./x"},
		{"double slash", []entry{file("a//b", "x")}, "a//b"},
		{"hard link", []entry{file("a", "x"), hard}, "hard"},
		{"char device", []entry{chr}, "dev/null"},
		{"block device", []entry{blk}, "dev/sda"},
		{"fifo", []entry{fifo}, "fifo"},
		{"symlink absolute", []entry{symlink("etc", "/etc")}, "etc"},
		{"symlink up and out", []entry{symlink("a/b", "../../x")}, "a/b"},
		{"symlink dotdot after name", []entry{symlink("s", "d/../x")}, "s"},
		{"symlink through symlink", []entry{dir("d/"), dir("d/e/"), symlink("d/e/l", "../.."), symlink("s", "d/e/l/../..")}, "s"},
		{"write through symlink", []entry{symlink("l", "."), file("l/x", "x")}, "l/x"},
		{"write under a file", []entry{file("f", "x"), file("f/x", "x")}, "f/x"},
		{"duplicate file", []entry{file("a", "x"), file("a", "y")}, "a"},
		{"duplicate dir", []entry{dir("a/"), dir("a/")}, "a/"},
		{"file over a directory", []entry{file("a/b", "x"), file("a", "y")}, "a"},
		{"symlink over a directory", []entry{dir("a/"), symlink("a", "b")}, "a"},
		{"control character", []entry{file("a\nb", "x")}, "a\nb"},
		{"setuid beyond perms", []entry{{tar.Header{Typeflag: tar.TypeReg, Name: "m", Mode: 0o170000}, ""}}, "m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := open(craftContent(t, tc.entries...), testKeyring())
			var ee *EntryError
			require.ErrorAs(t, err, &ee, "%v", err)
			assert.Equal(t, "content.tar:"+tc.bad, ee.Entry, "%v", err)
			assert.ErrorIs(t, err, ErrInvalid)
			assert.NotErrorIs(t, err, ErrTampered)
		})
	}
	t.Run("allowed", func(t *testing.T) {
		r, err := open(craftContent(t, dir("a/"), file("a/f", "x"), symlink("a/up", "../a/f"), symlink("top", "."), dir("a/b/"), symlink("a/b/c", "../../a")), testKeyring())
		require.NoError(t, err)
		assert.Len(t, contentNames(t, r), 6)
	})
}

func TestBuildRefuses(t *testing.T) {
	t.Run("symlink out of the tree", func(t *testing.T) {
		d := makeDir(t)
		require.NoError(t, os.Symlink("../../../etc/passwd", filepath.Join(d, "content/etc/pw")))
		err := Build(d, testKey, io.Discard)
		var ee *EntryError
		require.ErrorAs(t, err, &ee)
		assert.Equal(t, "content.tar:etc/pw", ee.Entry)
	})
	t.Run("fifo", func(t *testing.T) {
		d := makeDir(t)
		require.NoError(t, syscall.Mkfifo(filepath.Join(d, "content/fifo"), 0o644))
		err := Build(d, testKey, io.Discard)
		var ee *EntryError
		require.ErrorAs(t, err, &ee)
		assert.Equal(t, "content.tar:fifo", ee.Entry)
	})
	t.Run("script not named", func(t *testing.T) {
		d := makeDir(t)
		require.NoError(t, os.WriteFile(filepath.Join(d, "scripts/extra.sh"), nil, 0o644))
		err := Build(d, testKey, io.Discard)
		var ee *EntryError
		require.ErrorAs(t, err, &ee)
		assert.True(t, strings.HasSuffix(ee.Entry, "extra.sh"))
	})
	t.Run("script missing", func(t *testing.T) {
		d := makeDir(t)
		require.NoError(t, os.Remove(filepath.Join(d, "scripts/pre.sh")))
		assert.Error(t, Build(d, testKey, io.Discard))
	})
	t.Run("bad metadata", func(t *testing.T) {
		d := makeDir(t)
		require.NoError(t, os.WriteFile(filepath.Join(d, "metadata.yaml"), []byte("id: ../x\nsw_version: '1'\nstatus: REL\n"), 0o644))
		err := Build(d, testKey, io.Discard)
		var fe *FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "id", fe.Field)
	})
	t.Run("bad key", func(t *testing.T) {
		assert.ErrorIs(t, Build(makeDir(t), nil, io.Discard), ErrInvalid)
	})
}

// TestOpenContentRechecks: content changed after Open is refused while
// streaming.
func TestOpenContentRechecks(t *testing.T) {
	b := build(t, makeDir(t))
	r, err := open(b, testKeyring())
	require.NoError(t, err)
	b[bytes.Index(b, []byte("binary"))] ^= 1
	rc, err := r.OpenContent()
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, rc)
	assert.ErrorIs(t, err, ErrTampered)
}

// eofReaderAt returns io.EOF with a full read at the end, as
// io.ReaderAt allows.
type eofReaderAt struct{ b []byte }

func (e eofReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := bytes.NewReader(e.b).ReadAt(p, off)
	if err == nil && off+int64(n) == int64(len(e.b)) {
		err = io.EOF
	}
	return n, err
}

func TestOpenReaderAtEOF(t *testing.T) {
	b := build(t, makeDir(t))
	_, err := Open(eofReaderAt{b}, int64(len(b)), testKeyring())
	require.NoError(t, err)
}
