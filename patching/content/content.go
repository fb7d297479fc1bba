// Package content is software management's content store and its
// transfer to hosts: release files kept on the controller's disk under
// their SHA-256 (content-addressed: storing the same file twice keeps
// one copy), served over HTTP with ranges, and fetched by hosts with a
// resumed download and a digest check.
//
// Nothing is held in memory: Put hashes while it copies to a temporary
// file, the handler streams from the file with http.ServeContent (Range
// and If-Range by the digest as ETag), and Fetch appends to a partial
// file it resumes from, so a hundred hosts fetching a large release cost
// the controller a file descriptor and a small buffer each.
package content

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/edgeflock/flock/internal/fsutil"
)

// ErrNotFound: no content under that digest.
var ErrNotFound = errors.New("content: not found")

// ErrDigest: what was fetched does not have the expected digest.
var ErrDigest = errors.New("content: digest mismatch")

// Store keeps files under Dir/<sha256 hex>.
type Store struct {
	// Dir is created if missing.
	Dir string
}

// ValidDigest reports whether d is a SHA-256 in lower-case hex.
func ValidDigest(d string) bool {
	if len(d) != sha256.Size*2 {
		return false
	}
	for _, c := range d {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Put copies r into the store and returns its digest and size. The file
// is durable (fsync of the file and the directory) before Put returns;
// content already stored is kept as it is.
func (s *Store) Put(r io.Reader) (digest string, size int64, err error) {
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return "", 0, err
	}
	f, err := os.CreateTemp(s.Dir, ".put-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("content: store: %w", err)
	}
	digest = hex.EncodeToString(h.Sum(nil))
	dst := filepath.Join(s.Dir, digest)
	if _, err := os.Stat(dst); err == nil {
		return digest, size, nil
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("content: store: %w", err)
	}
	if err := fsutil.SyncDir(s.Dir); err != nil {
		return "", 0, fmt.Errorf("content: store: %w", err)
	}
	return digest, size, nil
}

// Open opens the content under digest.
func (s *Store) Open(digest string) (*os.File, error) {
	if !ValidDigest(digest) {
		return nil, fmt.Errorf("%w: %q is not a sha256 digest", ErrNotFound, digest)
	}
	f, err := os.Open(filepath.Join(s.Dir, digest))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, digest)
	}
	return f, err
}

// Delete removes the content under digest (nothing if absent).
func (s *Store) Delete(digest string) error {
	if !ValidDigest(digest) {
		return fmt.Errorf("%w: %q is not a sha256 digest", ErrNotFound, digest)
	}
	err := os.Remove(filepath.Join(s.Dir, digest))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return fsutil.SyncDir(s.Dir)
}

// Handler serves GET and HEAD /{digest} (mount it under a prefix with
// http.StripPrefix): the file with its digest as a strong ETag, ranges
// honoured, streamed from disk.
func (s *Store) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		digest := strings.TrimPrefix(r.URL.Path, "/")
		f, err := s.Open(digest)
		if err != nil {
			code := http.StatusInternalServerError
			if errors.Is(err, ErrNotFound) {
				code = http.StatusNotFound
			}
			http.Error(w, err.Error(), code)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("ETag", `"`+digest+`"`)
		w.Header().Set("Content-Type", "application/x-tar")
		http.ServeContent(w, r, "", st.ModTime(), f)
	})
}

// Fetch downloads url, whose content has the given digest, to dst: into
// dst+".part", resumed from what a previous attempt left there (a range
// request, If-Range on the digest), then checked against the digest,
// synced and renamed to dst. A mismatch removes the partial file and
// returns ErrDigest. A dst already there with the digest is kept.
func Fetch(ctx context.Context, client *http.Client, url, digest, dst string) error {
	if !ValidDigest(digest) {
		return fmt.Errorf("content: fetch: %q is not a sha256 digest", digest)
	}
	if client == nil {
		client = http.DefaultClient
	}
	if ok, err := hasDigest(dst, digest); err == nil && ok {
		return nil
	}
	part := dst + ".part"
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("content: fetch: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	have, err := io.Copy(h, f) // what an earlier attempt left, hashed again
	if err != nil {
		return fmt.Errorf("content: fetch: %s: %w", part, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("content: fetch: %w", err)
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
		req.Header.Set("If-Range", `"`+digest+`"`)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("content: fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
	case http.StatusOK: // from the start (no range, or the server ignored it)
		if err := f.Truncate(0); err != nil {
			return fmt.Errorf("content: fetch: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("content: fetch: %w", err)
		}
		h.Reset()
	case http.StatusRequestedRangeNotSatisfiable:
		// The partial file is longer than the content: start again.
		_ = os.Remove(part)
		return fmt.Errorf("content: fetch %s: %s (partial file discarded; retry)", url, resp.Status)
	case http.StatusNotFound:
		return fmt.Errorf("%w: %s", ErrNotFound, url)
	default:
		return fmt.Errorf("content: fetch %s: %s", url, resp.Status)
	}
	if _, err := io.Copy(io.MultiWriter(f, h), resp.Body); err != nil {
		// Keep what arrived: the next attempt resumes from it.
		_ = f.Sync()
		return fmt.Errorf("content: fetch %s: %w (partial, resumable)", url, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != digest {
		f.Close()
		_ = os.Remove(part)
		return fmt.Errorf("%w: %s has %s, want %s", ErrDigest, url, got, digest)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("content: fetch: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("content: fetch: %w", err)
	}
	if err := os.Rename(part, dst); err != nil {
		return fmt.Errorf("content: fetch: %w", err)
	}
	return fsutil.SyncDir(filepath.Dir(dst))
}

func hasDigest(path, digest string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == digest, nil
}
