package installer

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"slices"
	"strings"
)

// PAXSHA256 is the PAX record that may carry a regular file's SHA-256
// (lower-case hex) in the content tar; when present the extracted bytes
// must match it.
const PAXSHA256 = "FLOCK.sha256"

// entryKind is what checkEntry allows.
type entryKind int

const (
	kindSkip entryKind = iota // the root itself ("./")
	kindDir
	kindFile
	kindSymlink
)

// checkEntry checks one tar header against path traversal and unsafe
// types, before anything is written, and returns its cleaned name.
// links holds the names of the symbolic links seen so far; seen every
// name. Allowed: directories, regular files, and symbolic links whose
// target is relative, canonical (".." only at its start) and stays
// inside the tree; a name whose parent is one of those links is
// refused (nothing is written through a link). Refused: absolute
// names, "..", hard links, devices, FIFOs, duplicates.
func checkEntry(h *tar.Header, links, seen map[string]bool) (string, entryKind, error) {
	raw := h.Name
	bad := func(reason string) (string, entryKind, error) {
		return "", 0, &EntryError{Entry: raw, Reason: reason}
	}
	name := strings.TrimPrefix(raw, "./")
	if h.Typeflag == tar.TypeDir {
		name = strings.TrimSuffix(name, "/")
	}
	if name == "" || name == "." {
		if h.Typeflag == tar.TypeDir {
			return "", kindSkip, nil
		}
		return bad("empty name")
	}
	if strings.ContainsRune(name, 0) || strings.Contains(name, "\\") {
		return bad("NUL or backslash in the name")
	}
	if strings.HasPrefix(name, "/") {
		return bad("absolute path")
	}
	if path.Clean(name) != name {
		return bad("name is not canonical (\"..\", \".\", \"//\" or a trailing \"/\")")
	}
	for _, c := range strings.Split(name, "/") {
		if c == ".." {
			return bad("path leaves the tree (\"..\")")
		}
	}
	if seen[name] {
		return bad("duplicate entry")
	}
	for d := path.Dir(name); d != "."; d = path.Dir(d) {
		if links[d] {
			return bad(fmt.Sprintf("parent %q is a symbolic link", d))
		}
	}
	switch h.Typeflag {
	case tar.TypeDir:
		return name, kindDir, nil
	case tar.TypeReg: // archive/tar turns the old TypeRegA into TypeReg
		if h.Size < 0 {
			return bad("negative size")
		}
		// A sparse file (GNU or PAX) would expand its holes to its whole
		// declared size: a few bytes of tar could fill the disk.
		for k := range h.PAXRecords {
			if strings.HasPrefix(k, "GNU.sparse.") {
				return bad("sparse file")
			}
		}
		return name, kindFile, nil
	case tar.TypeSymlink:
		t := h.Linkname
		switch {
		case t == "":
			return bad("symbolic link with an empty target")
		case strings.ContainsRune(t, 0):
			return bad("NUL in the link target")
		case strings.HasPrefix(t, "/"):
			return bad(fmt.Sprintf("symbolic link to an absolute path %q", t))
		case path.Clean(t) != t:
			return bad(fmt.Sprintf("symbolic link target %q is not canonical", t))
		}
		ups, depth := 0, strings.Count(name, "/")
		for _, c := range strings.Split(t, "/") {
			if c != ".." {
				break
			}
			ups++
		}
		if ups > depth {
			return bad(fmt.Sprintf("symbolic link to %q leaves the tree", t))
		}
		return name, kindSymlink, nil
	case tar.TypeLink:
		return bad("hard link")
	case tar.TypeChar, tar.TypeBlock:
		return bad("device file")
	case tar.TypeFifo:
		return bad("FIFO")
	default:
		return bad(fmt.Sprintf("unsupported entry type %q", h.Typeflag))
	}
}

// extractor unpacks a content tar into a staging directory.
type extractor struct {
	root  *os.Root // the staging directory; nothing leaves it
	crash func(string)
	links map[string]bool
	seen  map[string]bool // the entries' names
	made  map[string]bool // the directories created
	dirs  []string        // the directories to fsync, staging itself first
	buf   []byte
	files int
	bytes int64
}

// extract unpacks r into dir (which exists and is empty): every file
// checked (size, optional SHA-256) and fsynced, then every directory
// fsynced. It stops at the first bad entry; the caller removes dir.
func extract(ctx context.Context, r io.Reader, dir string, crash func(string)) (files int, n int64, err error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return 0, 0, err
	}
	defer root.Close()
	x := &extractor{root: root, crash: crash, links: map[string]bool{}, seen: map[string]bool{}, made: map[string]bool{}, dirs: []string{"."}, buf: make([]byte, 256<<10)}
	cr := &countingReader{r: r, tail: tailBuffer{max: 2 * blockSize}}
	tr := tar.NewReader(cr)
	end := int64(0) // where the last entry (header and body) ended
	for {
		if err := ctx.Err(); err != nil {
			return x.files, x.bytes, err
		}
		h, err := tr.Next()
		if err == io.EOF {
			// archive/tar also stops without an error where the stream
			// ends between two entries: a download cut there would pass
			// for a smaller tree. The stream must end with the two zero
			// blocks of the end-of-archive marker, right after the last
			// entry.
			if cr.n != roundBlock(end)+2*blockSize || !allZero(cr.tail.buf) {
				return x.files, x.bytes, fmt.Errorf("read content tar: %w: corrupted content: truncated (no end-of-archive marker after %d bytes)", ErrInvalid, cr.n)
			}
			break
		}
		if err != nil {
			return x.files, x.bytes, fmt.Errorf("read content tar: %w", corrupt(err))
		}
		if err := x.entry(h, tr); err != nil {
			return x.files, x.bytes, err
		}
		end = cr.n
	}
	// Deepest first, so a directory is synced after what it holds.
	slices.SortFunc(x.dirs, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	for _, d := range x.dirs {
		f, err := root.Open(d)
		if err != nil {
			return x.files, x.bytes, fmt.Errorf("sync directory %q: %w", d, err)
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return x.files, x.bytes, fmt.Errorf("sync directory %q: %w", d, err)
		}
	}
	return x.files, x.bytes, nil
}

const blockSize = 512

func roundBlock(n int64) int64 { return (n + blockSize - 1) / blockSize * blockSize }

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// countingReader counts what the tar reader consumed and keeps its last
// bytes (archive/tar reads exactly what it needs, without read-ahead).
type countingReader struct {
	r    io.Reader
	n    int64
	tail tailBuffer
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	_, _ = c.tail.Write(p[:n])
	return n, err
}

// corrupt marks a tar reader's error as a corrupted content (ErrInvalid).
func corrupt(err error) error {
	if errors.Is(err, tar.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, tar.ErrFieldTooLong) || errors.Is(err, tar.ErrInsecurePath) {
		return fmt.Errorf("%w: corrupted content: %w", ErrInvalid, err)
	}
	return err
}

func (x *extractor) entry(h *tar.Header, tr io.Reader) error {
	name, kind, err := checkEntry(h, x.links, x.seen)
	if err != nil {
		return err
	}
	if kind == kindSkip {
		return nil
	}
	x.seen[name] = true
	fail := func(what string, err error) error {
		return &EntryError{Entry: h.Name, Reason: what, Err: err}
	}
	if d := path.Dir(name); d != "." {
		if err := x.mkdirAll(d); err != nil {
			return fail("create its directory", err)
		}
	}
	switch kind {
	case kindDir:
		if err := x.root.Mkdir(name, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return fail("create directory", err)
		}
		if fi, err := x.root.Lstat(name); err != nil || !fi.IsDir() {
			return fail("create directory", errors.Join(err, errors.New("exists and is not a directory")))
		}
		if err := x.root.Chmod(name, os.FileMode(h.Mode)&0o777|0o700); err != nil {
			return fail("chmod", err)
		}
		if !x.made[name] {
			x.made[name] = true
			x.dirs = append(x.dirs, name)
		}
	case kindSymlink:
		if err := x.root.Symlink(h.Linkname, name); err != nil {
			return fail("create symbolic link", err)
		}
		x.links[name] = true
	case kindFile:
		if err := x.file(name, h, tr); err != nil {
			return err
		}
	}
	return nil
}

// mkdirAll creates d and its parents (implied by a file's name),
// remembering them for the final fsync.
func (x *extractor) mkdirAll(d string) error {
	if x.made[d] {
		return nil
	}
	if p := path.Dir(d); p != "." {
		if err := x.mkdirAll(p); err != nil {
			return err
		}
	}
	if err := x.root.Mkdir(d, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	x.made[d] = true
	x.dirs = append(x.dirs, d)
	return nil
}

func (x *extractor) file(name string, h *tar.Header, tr io.Reader) error {
	fail := func(what string, err error) error {
		return &EntryError{Entry: h.Name, Reason: what, Err: err}
	}
	var sum hash.Hash
	want, hasSum := h.PAXRecords[PAXSHA256]
	if hasSum {
		if len(want) != 64 {
			return fail("bad "+PAXSHA256+" record", nil)
		}
		sum = sha256.New()
	}
	f, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, os.FileMode(h.Mode)&0o777)
	if err != nil {
		return fail("create", err)
	}
	// Hide *os.File's ReadFrom, which would allocate its own buffer for
	// each file instead of using x.buf.
	var w io.Writer = struct{ io.Writer }{f}
	if sum != nil {
		w = io.MultiWriter(f, sum)
	}
	n, err := io.CopyBuffer(w, tr, x.buf)
	if err != nil {
		f.Close()
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fail(fmt.Sprintf("truncated after %d of %d bytes", n, h.Size), corrupt(err))
		}
		return fail("write", err)
	}
	if n != h.Size {
		f.Close()
		return fail(fmt.Sprintf("size %d, header says %d", n, h.Size), nil)
	}
	if sum != nil && hex.EncodeToString(sum.Sum(nil)) != strings.ToLower(want) {
		f.Close()
		return fail("SHA-256 mismatch", nil)
	}
	if err := f.Chmod(os.FileMode(h.Mode) & 0o777); err != nil {
		f.Close()
		return fail("chmod", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fail("fsync", err)
	}
	if err := f.Close(); err != nil {
		return fail("close", err)
	}
	x.files++
	x.bytes += n
	x.crash("extract-file")
	return nil
}
