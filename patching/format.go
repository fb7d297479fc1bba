package patching

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Size limits of a release file.
const (
	// MaxMetadataSize bounds metadata.yaml.
	MaxMetadataSize = 1 << 20
	// MaxScriptSize bounds one script.
	MaxScriptSize = 1 << 20
	// MaxContentSize bounds content.tar: the largest size of the
	// ustar header of the outer archive (8 GiB - 1).
	MaxContentSize = 1<<33 - 1
	// maxSignatureSize bounds the signature member.
	maxSignatureSize = 64 << 10
)

// Member names of a release file.
const (
	memberMetadata  = "metadata.yaml"
	memberContent   = "content.tar"
	memberScripts   = "scripts/"
	memberSignature = "signature"
	archiveEntry    = "(archive)"
	blockSize       = 512
)

var epoch = time.Unix(0, 0)

// outerHeader returns the one canonical 512-byte ustar header of a
// member: mode 0644, owner 0:0, mtime 0, no user or group names.
func outerHeader(name string, size int64) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o644, ModTime: epoch, Format: tar.FormatUSTAR})
	if err != nil {
		// Names and sizes are checked before; this is a bug.
		panic("patching: outer header: " + err.Error())
	}
	return b.Bytes()[:blockSize]
}

func padding(n int64) int64 { return (blockSize - n%blockSize) % blockSize }

// Build makes a release file from dir and writes it to w, signed with
// key. dir holds metadata.yaml, a content/ tree (regular files,
// directories, symlinks that stay inside it) and scripts/ with exactly
// the scripts metadata.yaml names. Build refuses what Open would refuse,
// naming the field or the file; w then holds a partial file that the
// caller discards. The output is deterministic: the same dir and key
// give the same bytes.
func Build(dir string, key ed25519.PrivateKey, w io.Writer) error {
	if len(key) != ed25519.PrivateKeySize {
		return invalid("key", "is not an Ed25519 private key")
	}
	mb, err := readLimited(filepath.Join(dir, memberMetadata), MaxMetadataSize)
	if err != nil {
		return err
	}
	meta, err := ParseMetadata(mb)
	if err != nil {
		return fmt.Errorf("%s: %w", memberMetadata, err)
	}
	scripts, err := readScripts(filepath.Join(dir, "scripts"), meta)
	if err != nil {
		return err
	}
	tree, err := walkContent(filepath.Join(dir, "content"))
	if err != nil {
		return err
	}
	var counter countWriter
	if err := tree.write(&counter); err != nil {
		return err
	}
	if counter.n > MaxContentSize {
		return badEntry(memberContent, "larger than %d bytes", int64(MaxContentSize))
	}

	bw := bufio.NewWriterSize(w, 64<<10)
	var entries []manifestEntry
	member := func(name string, size int64, write func(io.Writer) error) error {
		if _, err := bw.Write(outerHeader(name, size)); err != nil {
			return err
		}
		h := sha256.New()
		cw := &countWriter{w: io.MultiWriter(bw, h)}
		if err := write(cw); err != nil {
			return err
		}
		if cw.n != size {
			return badEntry(name, "changed while the release was built (%d bytes, not %d)", cw.n, size)
		}
		if _, err := bw.Write(make([]byte, padding(size))); err != nil {
			return err
		}
		e := manifestEntry{name: name, size: size}
		h.Sum(e.digest[:0])
		entries = append(entries, e)
		return nil
	}
	bytesOf := func(b []byte) func(io.Writer) error {
		return func(w io.Writer) error { _, err := w.Write(b); return err }
	}
	if err := member(memberMetadata, int64(len(mb)), bytesOf(mb)); err != nil {
		return err
	}
	if err := member(memberContent, counter.n, func(w io.Writer) error { return tree.write(w) }); err != nil {
		return err
	}
	for _, s := range scripts {
		if err := member(memberScripts+s.name, int64(len(s.body)), bytesOf(s.body)); err != nil {
			return err
		}
	}
	sig := signManifest(entries, key)
	if _, err := bw.Write(outerHeader(memberSignature, int64(len(sig)))); err != nil {
		return err
	}
	if _, err := bw.Write(sig); err != nil {
		return err
	}
	if _, err := bw.Write(make([]byte, padding(int64(len(sig)))+2*blockSize)); err != nil {
		return err
	}
	return bw.Flush()
}

type countWriter struct {
	w io.Writer // nil: count only
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if c.w == nil {
		return len(p), nil
	}
	return c.w.Write(p)
}

func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("patching: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("patching: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, badEntry(path, "not a regular file")
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("patching: read %s: %w", path, err)
	}
	if int64(len(b)) > max {
		return nil, badEntry(path, "larger than %d bytes", max)
	}
	return b, nil
}

type script struct {
	name string
	body []byte
}

func readScripts(dir string, meta Metadata) ([]script, error) {
	names := meta.ScriptNames()
	ents, err := os.ReadDir(dir)
	if err != nil && !(errors.Is(err, fs.ErrNotExist) && len(names) == 0) {
		return nil, fmt.Errorf("patching: scripts: %w", err)
	}
	for _, e := range ents {
		if !slices.Contains(names, e.Name()) {
			return nil, badEntry(filepath.Join(dir, e.Name()), "not a script named by %s", memberMetadata)
		}
	}
	out := make([]script, 0, len(names))
	for _, n := range names {
		b, err := readLimited(filepath.Join(dir, n), MaxScriptSize)
		if err != nil {
			return nil, err
		}
		out = append(out, script{n, b})
	}
	return out, nil
}

// contentTree is the list of a content directory's entries, checked.
type contentTree struct {
	root    string
	headers []*tar.Header
}

func walkContent(root string) (*contentTree, error) {
	st, err := os.Lstat(root)
	if err != nil {
		return nil, fmt.Errorf("patching: content: %w", err)
	}
	if !st.IsDir() {
		return nil, badEntry(root, "not a directory")
	}
	t := &contentTree{root: root}
	chk := newTreeChecker()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		info, err := d.Info()
		if err != nil {
			return err
		}
		h := &tar.Header{Name: rel, Mode: int64(info.Mode().Perm()), ModTime: epoch}
		if info.Mode()&fs.ModeSetuid != 0 {
			h.Mode |= 0o4000
		}
		if info.Mode()&fs.ModeSetgid != 0 {
			h.Mode |= 0o2000
		}
		if info.Mode()&fs.ModeSticky != 0 {
			h.Mode |= 0o1000
		}
		switch m := info.Mode(); {
		case m.IsRegular():
			h.Typeflag, h.Size = tar.TypeReg, info.Size()
		case m.IsDir():
			h.Typeflag, h.Name = tar.TypeDir, rel+"/"
		case m&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, target, 0o777
		default:
			return badEntry(contentEntry(rel), "not a regular file, directory or symlink (%s)", m.Type())
		}
		if err := chk.check(h); err != nil {
			return err
		}
		t.headers = append(t.headers, h)
		return nil
	})
	if err != nil {
		var ee *EntryError
		if errors.As(err, &ee) {
			return nil, err
		}
		return nil, fmt.Errorf("patching: content: %w", err)
	}
	return t, nil
}

// write writes the content tree as a tar stream, file data read from
// disk; the count-only first pass (w a countWriter without a writer)
// writes zeros instead, to learn the size.
func (t *contentTree) write(w io.Writer) error {
	tw := tar.NewWriter(w)
	cw, countOnly := w.(*countWriter)
	countOnly = countOnly && cw.w == nil
	for _, h := range t.headers {
		if err := tw.WriteHeader(h); err != nil {
			return badEntry(contentEntry(h.Name), "%v", err)
		}
		if h.Typeflag != tar.TypeReg || h.Size == 0 {
			continue
		}
		if countOnly {
			if _, err := io.CopyN(tw, zeroReader{}, h.Size); err != nil {
				return err
			}
			continue
		}
		if err := copyFile(tw, filepath.Join(t.root, filepath.FromSlash(h.Name)), h); err != nil {
			return err
		}
	}
	return tw.Close()
}

func copyFile(w io.Writer, p string, h *tar.Header) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("patching: content: %w", err)
	}
	defer f.Close()
	n, err := io.Copy(w, io.LimitReader(f, h.Size))
	if err != nil {
		return fmt.Errorf("patching: content: %s: %w", h.Name, err)
	}
	if n != h.Size {
		return badEntry(contentEntry(h.Name), "changed while the release was built")
	}
	return nil
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Release is a verified release file: its signature checked against a
// keyring, every member's digest checked, its metadata and content tree
// valid. It implements Payload. Its content is read from the file on
// demand, so the file must stay unchanged while the Release is used
// (a content-addressed file is); OpenContent checks the digest again as
// it streams.
type Release struct {
	meta          Metadata
	r             io.ReaderAt
	size          int64
	contentOff    int64
	contentSize   int64
	contentDigest [sha256.Size]byte
	scripts       map[string][]byte
	digest        string
	signer        string
	signerKey     ed25519.PublicKey
}

var _ Payload = (*Release)(nil)

// Meta returns the release's metadata.
func (r *Release) Meta() Metadata {
	m := r.meta
	m.Requires = slices.Clone(m.Requires)
	m.ActivationScripts = slices.Clone(m.ActivationScripts)
	return m
}

// ID returns the release's id.
func (r *Release) ID() string { return r.meta.ID }

// Digest returns the SHA-256 of the whole release file, in lower-case
// hex: the release's content address.
func (r *Release) Digest() string { return r.digest }

// Size returns the size of the release file.
func (r *Release) Size() int64 { return r.size }

// Signer returns the keyring name of the key that signed the release.
func (r *Release) Signer() string { return r.signer }

// SignerKey returns the public key that signed the release.
func (r *Release) SignerKey() ed25519.PublicKey { return slices.Clone(r.signerKey) }

// OpenContent returns content.tar, streamed from the release file. The
// stream fails with ErrTampered, instead of ending, if the bytes read
// differ from the verified ones.
func (r *Release) OpenContent() (io.ReadCloser, error) {
	return &verifyingReader{r: io.NewSectionReader(r.r, r.contentOff, r.contentSize), h: sha256.New(), want: r.contentDigest}, nil
}

// Script returns the script named name by the metadata; another name is
// ErrNotFound.
func (r *Release) Script(name string) ([]byte, error) {
	b, ok := r.scripts[name]
	if !ok {
		return nil, fmt.Errorf("patching: release %s: script %q: %w", r.meta.ID, name, ErrNotFound)
	}
	return slices.Clone(b), nil
}

type verifyingReader struct {
	r    io.Reader
	h    hash.Hash
	want [sha256.Size]byte
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	if errors.Is(err, io.EOF) {
		var got [sha256.Size]byte
		if v.h.Sum(got[:0]); got != v.want {
			return n, fmt.Errorf("%s changed since it was verified: %w", memberContent, ErrTampered)
		}
	}
	return n, err
}

func (v *verifyingReader) Close() error { return nil }

// member is one member of the outer archive, from the index pass.
type member struct {
	name string
	off  int64 // of the data
	size int64
}

// Open verifies the release file read from r (size bytes) and returns
// it. The checks, in order, and their errors:
//   - structure (members, their order, canonical headers, sizes within
//     the limits): an *EntryError (ErrInvalid);
//   - no signature member: ErrUnsigned;
//   - signer not in keys: ErrUntrusted;
//   - signature does not verify, or a member differs from the manifest:
//     ErrTampered;
//   - metadata: a *FieldError naming the field;
//   - content tree and scripts: an *EntryError naming the entry.
//
// Open reads the file twice at most as far as the data goes (a header
// index, then one streaming pass that hashes everything), with small
// buffers whatever the size.
func Open(r io.ReaderAt, size int64, keys Keyring) (*Release, error) {
	members, err := indexMembers(r, size)
	if err != nil {
		return nil, err
	}
	// Structure and signature.
	last := members[len(members)-1]
	if last.name != memberSignature {
		return nil, fmt.Errorf("no %s member: %w", memberSignature, ErrUnsigned)
	}
	if last.size == 0 {
		return nil, fmt.Errorf("empty %s member: %w", memberSignature, ErrUnsigned)
	}
	if last.size > maxSignatureSize {
		return nil, badEntry(memberSignature, "larger than %d bytes", maxSignatureSize)
	}
	sigBytes := make([]byte, last.size)
	if err := readFullAt(r, sigBytes, last.off); err != nil {
		return nil, fmt.Errorf("patching: read %s: %w", memberSignature, err)
	}
	sig, err := parseSignature(sigBytes)
	if err != nil {
		return nil, err
	}
	signer, ok := keys.lookup(sig.key)
	if !ok {
		return nil, fmt.Errorf("key %s: %w", FormatPublicKey(sig.key), ErrUntrusted)
	}
	if !ed25519.Verify(sig.key, sig.signed(), sig.sig) {
		return nil, fmt.Errorf("signature by key %q: %w", signer, ErrTampered)
	}
	body := members[:len(members)-1]
	if len(sig.entries) != len(body) {
		return nil, fmt.Errorf("the manifest lists %d members, the file has %d: %w", len(sig.entries), len(body), ErrTampered)
	}
	for i, m := range body {
		if e := sig.entries[i]; e.name != m.name || e.size != m.size {
			return nil, fmt.Errorf("member %q is not the manifest's %q: %w", m.name, e.name, ErrTampered)
		}
	}

	// One streaming pass: the whole file's digest, each member's digest,
	// the content tree's rules.
	fileHash := sha256.New()
	seq := bufio.NewReaderSize(io.TeeReader(io.NewSectionReader(r, 0, size), fileHash), 128<<10)
	rel := &Release{r: r, size: size, signer: signer, signerKey: sig.key, scripts: map[string][]byte{}}
	var metaBytes []byte
	var contentErr error
	for i, m := range members {
		hdr := make([]byte, blockSize)
		if _, err := io.ReadFull(seq, hdr); err != nil {
			return nil, fmt.Errorf("patching: read %s: %w", m.name, err)
		}
		if !bytes.Equal(hdr, outerHeader(m.name, m.size)) {
			return nil, fmt.Errorf("header of %s changed while read: %w", m.name, ErrTampered)
		}
		h := sha256.New()
		data := io.TeeReader(io.LimitReader(seq, m.size), h)
		switch {
		case m.name == memberContent:
			contentErr = checkContentStream(data)
			if _, err := io.Copy(io.Discard, data); err != nil {
				return nil, fmt.Errorf("patching: read %s: %w", m.name, err)
			}
			rel.contentOff, rel.contentSize = m.off, m.size
		default:
			b, err := io.ReadAll(data)
			if err != nil {
				return nil, fmt.Errorf("patching: read %s: %w", m.name, err)
			}
			if int64(len(b)) != m.size {
				return nil, fmt.Errorf("patching: read %s: %w", m.name, io.ErrUnexpectedEOF)
			}
			switch {
			case m.name == memberMetadata:
				metaBytes = b
			case m.name == memberSignature:
				if !bytes.Equal(b, sigBytes) {
					return nil, fmt.Errorf("%s changed while read: %w", memberSignature, ErrTampered)
				}
			default:
				rel.scripts[strings.TrimPrefix(m.name, memberScripts)] = b
			}
		}
		if i < len(body) {
			var got [sha256.Size]byte
			if h.Sum(got[:0]); got != sig.entries[i].digest {
				return nil, fmt.Errorf("member %s does not match its signed digest: %w", m.name, ErrTampered)
			}
			if m.name == memberContent {
				rel.contentDigest = got
			}
		}
		if err := readZeros(seq, padding(m.size)); err != nil {
			return nil, err
		}
	}
	if err := readZeros(seq, 2*blockSize); err != nil {
		return nil, err
	}
	if _, err := seq.ReadByte(); !errors.Is(err, io.EOF) {
		return nil, badEntry(archiveEntry, "data after the end of the archive")
	}
	rel.digest = hex.EncodeToString(fileHash.Sum(nil))
	if contentErr != nil {
		return nil, contentErr
	}

	// Metadata and scripts.
	if rel.meta, err = ParseMetadata(metaBytes); err != nil {
		return nil, fmt.Errorf("%s: %w", memberMetadata, err)
	}
	names := rel.meta.ScriptNames()
	for _, n := range names {
		if _, ok := rel.scripts[n]; !ok {
			return nil, badEntry(memberScripts+n, "named by %s but missing", memberMetadata)
		}
	}
	for n := range rel.scripts {
		if !slices.Contains(names, n) {
			return nil, badEntry(memberScripts+n, "not named by %s", memberMetadata)
		}
	}
	return rel, nil
}

func readZeros(r io.Reader, n int64) error {
	var buf [blockSize]byte
	for n > 0 {
		k := min(n, blockSize)
		if _, err := io.ReadFull(r, buf[:k]); err != nil {
			return badEntry(archiveEntry, "truncated")
		}
		for _, c := range buf[:k] {
			if c != 0 {
				return badEntry(archiveEntry, "non-zero padding")
			}
		}
		n -= k
	}
	return nil
}

// checkContentStream reads a content.tar and checks its entries.
func checkContentStream(r io.Reader) error {
	tr := tar.NewReader(r)
	chk := newTreeChecker()
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return badEntry(memberContent, "not a tar archive: %v", err)
		}
		if err := chk.check(h); err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return badEntry(contentEntry(h.Name), "truncated: %v", err)
		}
	}
}

// maxMembers bounds the outer archive's members.
const maxMembers = 3 + MaxScripts

// indexMembers reads the outer archive's headers (skipping the data) and
// checks its structure: metadata.yaml, content.tar, scripts/<name> in
// increasing order, then signature if signed; canonical headers; zero
// end-of-archive blocks ending the file.
func indexMembers(r io.ReaderAt, size int64) ([]member, error) {
	if size < 2*blockSize || size%blockSize != 0 {
		return nil, badEntry(archiveEntry, "not a release file (size %d is not a multiple of %d)", size, blockSize)
	}
	var members []member
	block := make([]byte, blockSize)
	var pos int64
	for {
		if pos+2*blockSize > size {
			return nil, badEntry(archiveEntry, "truncated")
		}
		if err := readFullAt(r, block, pos); err != nil {
			return nil, fmt.Errorf("patching: read release: %w", err)
		}
		if isZero(block) {
			if pos+2*blockSize != size {
				return nil, badEntry(archiveEntry, "data after the end of the archive")
			}
			if err := readFullAt(r, block, pos+blockSize); err != nil {
				return nil, fmt.Errorf("patching: read release: %w", err)
			}
			if !isZero(block) {
				return nil, badEntry(archiveEntry, "bad end of archive")
			}
			break
		}
		if len(members) == maxMembers {
			return nil, badEntry(archiveEntry, "more than %d members", maxMembers)
		}
		h, err := tar.NewReader(bytes.NewReader(block)).Next()
		if err != nil {
			return nil, badEntry(archiveEntry, "bad header at offset %d: %v", pos, err)
		}
		if h.Typeflag != tar.TypeReg {
			return nil, badEntry(h.Name, "not a regular file (type %q)", h.Typeflag)
		}
		if err := checkMemberName(h.Name, len(members), members); err != nil {
			return nil, err
		}
		if limit := memberLimit(h.Name); h.Size > limit {
			return nil, badEntry(h.Name, "larger than %d bytes", limit)
		}
		if !bytes.Equal(block, outerHeader(h.Name, h.Size)) {
			return nil, badEntry(h.Name, "header not in canonical form (mode 0644, owner 0, mtime 0, ustar)")
		}
		end := pos + blockSize + h.Size + padding(h.Size)
		if end+2*blockSize > size || end < pos {
			return nil, badEntry(h.Name, "truncated")
		}
		members = append(members, member{name: h.Name, off: pos + blockSize, size: h.Size})
		pos = end
	}
	if len(members) < 2 {
		return nil, badEntry(archiveEntry, "missing %s or %s", memberMetadata, memberContent)
	}
	return members, nil
}

func memberLimit(name string) int64 {
	switch {
	case name == memberMetadata:
		return MaxMetadataSize
	case name == memberContent:
		return MaxContentSize
	case name == memberSignature:
		return maxSignatureSize
	default:
		return MaxScriptSize
	}
}

func checkMemberName(name string, i int, prev []member) error {
	switch {
	case i == 0 && name != memberMetadata:
		return badEntry(name, "the first member must be %s", memberMetadata)
	case i == 1 && name != memberContent:
		return badEntry(name, "the second member must be %s", memberContent)
	case i < 2:
		return nil
	case len(prev) > 0 && prev[len(prev)-1].name == memberSignature:
		return badEntry(name, "a member after %s", memberSignature)
	case name == memberSignature:
		return nil
	}
	s, ok := strings.CutPrefix(name, memberScripts)
	if !ok {
		return badEntry(name, "unknown member (want %s, %s, scripts/<name>, %s)", memberMetadata, memberContent, memberSignature)
	}
	if err := CheckScriptName(name, s); err != nil {
		return badEntry(name, "bad script name")
	}
	if p := prev[len(prev)-1].name; strings.HasPrefix(p, memberScripts) && p >= name {
		return badEntry(name, "scripts out of order or repeated")
	}
	return nil
}

// readFullAt reads len(p) bytes at off; io.EOF with a full read (which
// io.ReaderAt allows at the end) is no error.
func readFullAt(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
