package installer_test

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/patching/installer"
)

// FuzzJournal: the journal parser never panics, refuses with
// ErrCorruptState, and what it accepts encodes back to a journal it
// reads the same.
func FuzzJournal(f *testing.F) {
	f.Add([]byte(`{"format":1,"state":"idle"}`))
	f.Add([]byte(`{"format":1,"current":"v2","previous":"v1","state":"idle","release":"v2","step":"done"}`))
	f.Add([]byte(`{"format":1,"current":"v1","pending":"v2","state":"install-failed","release":"v3","step":"pre-install","reason":"x","output":"y"}`))
	f.Add([]byte(`{"format":1,"current":"v1","state":"installing","release":"v2","step":"extract"}`))
	f.Add([]byte(`{"format":1,"current":"../x","state":"idle"}`))
	f.Add([]byte(`{"format":1,"current":"v1","previous":"v1","state":"idle"}`))
	f.Add([]byte(`{"format":2,"state":"idle"}`))
	f.Add([]byte(`{"format":1,"state":"idle"} {}`))
	f.Add([]byte(`{"format":1,"state":"idle","extra":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := installer.ParseJournal(b)
		if err != nil {
			require.ErrorIs(t, err, installer.ErrCorruptState)
			var fe *installer.FieldError
			require.ErrorAs(t, err, &fe, "the error names the field")
			return
		}
		require.True(t, st.State.Valid())
		enc := map[string]any{"format": 1, "current": st.Current, "previous": st.Previous, "pending": st.Pending,
			"state": st.State, "release": st.Release, "step": st.Step, "reason": st.Reason, "output": st.Output}
		for k, v := range enc {
			if v == "" || v == installer.Step("") {
				delete(enc, k)
			}
		}
		b2, err := json.Marshal(enc)
		require.NoError(t, err)
		st2, err := installer.ParseJournal(b2)
		require.NoError(t, err)
		assert.Equal(t, st, st2)
	})
}

// FuzzExtract: whatever the content tar, extraction never panics, never
// writes outside its directory, and what it leaves holds only
// directories, regular files and symbolic links that resolve inside it.
func FuzzExtract(f *testing.F) {
	f.Add(buildTar(v2Tree(), true))
	f.Add(buildTar(map[string]string{"a/b/c": "x", "l": "-> a/b", "a/up": "-> ../l"}, false))
	for _, hs := range [][]*tar.Header{
		{{Typeflag: tar.TypeReg, Name: "../evil", Size: 1}},
		{{Typeflag: tar.TypeReg, Name: "/abs", Size: 1}},
		{{Typeflag: tar.TypeSymlink, Name: "l", Linkname: "/etc"}},
		{{Typeflag: tar.TypeSymlink, Name: "a/l", Linkname: "../.."}},
		{{Typeflag: tar.TypeSymlink, Name: "l", Linkname: "."}, {Typeflag: tar.TypeReg, Name: "l/x", Size: 1}},
		{{Typeflag: tar.TypeReg, Name: "a", Size: 1}, {Typeflag: tar.TypeLink, Name: "b", Linkname: "a"}},
		{{Typeflag: tar.TypeChar, Name: "c"}},
		{{Typeflag: tar.TypeDir, Name: "d/", Mode: 0o500}, {Typeflag: tar.TypeReg, Name: "d/f", Size: 1, Mode: 0o4755}},
	} {
		f.Add(rawTar(f, hs...))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "tree")
		require.NoError(t, os.Mkdir(dir, 0o755))
		err := installer.Extract(t.Context(), bytes.NewReader(b), dir)
		if err != nil {
			require.ErrorIs(t, err, installer.ErrInvalid, "a bad tar is an invalid release: %v", err)
		}
		ents, rerr := os.ReadDir(parent)
		require.NoError(t, rerr)
		require.Len(t, ents, 1, "nothing was written beside the tree")
		require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			require.NoError(t, err)
			switch {
			case d.Type()&fs.ModeSymlink != 0:
				target, err := os.Readlink(p)
				require.NoError(t, err)
				require.False(t, filepath.IsAbs(target), "%s -> %s", p, target)
				resolved := filepath.Join(filepath.Dir(p), target)
				require.True(t, resolved == dir || strings.HasPrefix(resolved, dir+"/"), "%s -> %s leaves the tree", p, target)
				if real, err := filepath.EvalSymlinks(p); err == nil {
					require.True(t, real == dir || strings.HasPrefix(real, dir+"/"), "%s resolves to %s", p, real)
				}
			case d.IsDir(), d.Type().IsRegular():
				fi, err := d.Info()
				require.NoError(t, err)
				require.Zero(t, fi.Mode()&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky), "%s keeps no setuid bit", p)
			default:
				t.Fatalf("%s is a %s", p, d.Type())
			}
			return nil
		}))
	})
}
