package installer_test

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/installer"
)

// fakePayload is a release built in memory: a tree (name -> content;
// a trailing "/" is a directory, "-> target" a symbolic link) or raw tar
// bytes, and scripts by name.
type fakePayload struct {
	meta    patching.Metadata
	tree    map[string]string
	raw     []byte // when set, the content tar as is
	scripts map[string]string
	noSums  bool // leave out the per-file SHA-256 records
}

var _ patching.Payload = (*fakePayload)(nil)

func (p *fakePayload) Meta() patching.Metadata { return p.meta }

func (p *fakePayload) OpenContent() (io.ReadCloser, error) {
	if p.raw != nil {
		return io.NopCloser(bytes.NewReader(p.raw)), nil
	}
	return io.NopCloser(bytes.NewReader(buildTar(p.tree, !p.noSums))), nil
}

func (p *fakePayload) Script(name string) ([]byte, error) {
	s, ok := p.scripts[name]
	if !ok {
		return nil, fmt.Errorf("no script %q in the release: %w", name, fs.ErrNotExist)
	}
	return []byte(s), nil
}

// buildTar makes a tar of a tree, in name order.
func buildTar(tree map[string]string, sums bool) []byte {
	names := make([]string, 0, len(tree))
	for n := range tree {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, n := range names {
		v := tree[n]
		var h *tar.Header
		switch {
		case strings.HasSuffix(n, "/"):
			h = &tar.Header{Typeflag: tar.TypeDir, Name: n, Mode: 0o755}
		case strings.HasPrefix(v, "-> "):
			h = &tar.Header{Typeflag: tar.TypeSymlink, Name: n, Linkname: strings.TrimPrefix(v, "-> "), Mode: 0o777}
		default:
			h = &tar.Header{Typeflag: tar.TypeReg, Name: n, Size: int64(len(v)), Mode: 0o644}
			if sums {
				s := sha256.Sum256([]byte(v))
				h.PAXRecords = map[string]string{installer.PAXSHA256: hex.EncodeToString(s[:])}
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			panic(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(v)); err != nil {
				panic(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// rawTar makes a tar of the headers as given (bodies are the sizes'
// worth of 'x'), for entries a tree cannot express.
func rawTar(t testing.TB, hs ...*tar.Header) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, h := range hs {
		require.NoError(t, tw.WriteHeader(h))
		if h.Size > 0 {
			_, err := tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	return b.Bytes()
}

// readTree reads a directory as a tree (the inverse of buildTar, with
// "./" for the root left out).
func readTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			tree[rel] = "-> " + target
		case d.IsDir():
			tree[rel+"/"] = ""
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			tree[rel] = string(b)
		default:
			tree[rel] = "special " + d.Type().String()
		}
		return nil
	})
	require.NoError(t, err)
	return tree
}

// v1Tree and v2Tree are two versions of a small release.
func v1Tree() map[string]string {
	return map[string]string{
		"bin/":          "",
		"bin/app":       "app v1\n",
		"etc/":          "",
		"etc/app.conf":  "level=1\n",
		"lib/":          "",
		"lib/conf-link": "-> ../etc/app.conf",
	}
}

func v2Tree() map[string]string {
	return map[string]string{
		"bin/":             "",
		"bin/app":          "app v2\n",
		"bin/helper":       "helper v2\n",
		"etc/":             "",
		"etc/app.conf":     "level=2\n",
		"lib/":             "",
		"lib/conf-link":    "-> ../etc/app.conf",
		"share/":           "",
		"share/doc/":       "",
		"share/doc/README": strings.Repeat("v2 docs ", 64),
	}
}

// release returns an in-service release with the tree and no scripts.
func release(id string, tree map[string]string) *fakePayload {
	return &fakePayload{meta: patching.Metadata{ID: id, SWVersion: "10.0", Status: "REL"}, tree: tree, scripts: map[string]string{}}
}

// withScripts adds scripts to a release's metadata and body.
func (p *fakePayload) withScripts(pre, post string, activation ...string) *fakePayload {
	if pre != "" {
		p.meta.PreInstall = "pre.sh"
		p.scripts["pre.sh"] = pre
	}
	if post != "" {
		p.meta.PostInstall = "post.sh"
		p.scripts["post.sh"] = post
	}
	for k, a := range activation {
		name := fmt.Sprintf("activate-%d.sh", k)
		p.meta.ActivationScripts = append(p.meta.ActivationScripts, name)
		p.scripts[name] = a
	}
	return p
}

func (p *fakePayload) rebootRequired() *fakePayload {
	p.meta.RebootRequired = true
	return p
}
