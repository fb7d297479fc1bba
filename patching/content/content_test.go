package content_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/patching/content"
)

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

// TestPut: a file is stored under its digest, once however often it is
// put, and deleted.
func TestPut(t *testing.T) {
	s := &content.Store{Dir: filepath.Join(t.TempDir(), "blobs")}
	data := randomBytes(t, 100_000)
	d, n, err := s.Put(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Equal(t, sum(data), d)
	assert.Equal(t, int64(len(data)), n)
	d2, _, err := s.Put(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Equal(t, d, d2)
	entries, err := os.ReadDir(s.Dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "one copy, no temporary left")
	f, err := s.Open(d)
	require.NoError(t, err)
	got, _ := io.ReadAll(f)
	f.Close()
	assert.Equal(t, data, got)
	require.NoError(t, s.Delete(d))
	_, err = s.Open(d)
	assert.ErrorIs(t, err, content.ErrNotFound)
	_, err = s.Open("../etc/passwd")
	assert.ErrorIs(t, err, content.ErrNotFound)
	assert.False(t, content.ValidDigest(strings.Repeat("A", 64)))
}

// cutting serves the store but drops the connection after cut bytes of
// a full answer, once.
type cutting struct {
	h    http.Handler
	cut  int64
	done atomic.Bool
}

type cutWriter struct {
	http.ResponseWriter
	left int64
}

func (c *cutWriter) Write(b []byte) (int, error) {
	if int64(len(b)) > c.left {
		_, _ = c.ResponseWriter.Write(b[:c.left])
		c.left = 0
		if f, ok := c.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	c.left -= int64(len(b))
	return c.ResponseWriter.Write(b)
}

func (c *cutting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Range") == "" && !c.done.Swap(true) {
		w = &cutWriter{ResponseWriter: w, left: c.cut}
	}
	c.h.ServeHTTP(w, r)
}

// TestFetchResumes: a download cut half-way leaves a partial file; the
// next attempt asks only for the rest, and the result has the digest.
func TestFetchResumes(t *testing.T) {
	s := &content.Store{Dir: t.TempDir()}
	data := randomBytes(t, 3<<20)
	d, _, err := s.Put(bytes.NewReader(data))
	require.NoError(t, err)
	var ranges atomic.Int32
	h := &cutting{h: s.Handler(), cut: 1 << 20}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "" {
			ranges.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dst := filepath.Join(t.TempDir(), "release.tar")
	err = content.Fetch(t.Context(), srv.Client(), srv.URL+"/"+d, d, dst)
	require.Error(t, err, "the first attempt is cut")
	st, err := os.Stat(dst + ".part")
	require.NoError(t, err)
	assert.Positive(t, st.Size())
	assert.Less(t, st.Size(), int64(len(data)))

	require.NoError(t, content.Fetch(t.Context(), srv.Client(), srv.URL+"/"+d, d, dst))
	assert.Equal(t, int32(1), ranges.Load(), "resumed with a range")
	got, err := os.ReadFile(dst)
	require.NoError(t, err)
	assert.Equal(t, data, got)
	_, err = os.Stat(dst + ".part")
	assert.True(t, errors.Is(err, os.ErrNotExist))
	// Fetched already: nothing asked again.
	require.NoError(t, content.Fetch(t.Context(), srv.Client(), "http://127.0.0.1:1/unreachable", d, dst))
}

// TestFetchRejects: content that does not match its digest is not kept;
// a missing one is ErrNotFound; HEAD and other methods.
func TestFetchRejects(t *testing.T) {
	s := &content.Store{Dir: t.TempDir()}
	d, _, err := s.Put(strings.NewReader("release"))
	require.NoError(t, err)
	srv := httptest.NewServer(http.StripPrefix("/v1/content", s.Handler()))
	defer srv.Close()
	dst := filepath.Join(t.TempDir(), "r.tar")
	wrong := sum([]byte("something else"))
	// Served under the wrong name: the digest check catches it.
	require.NoError(t, os.Link(filepath.Join(s.Dir, d), filepath.Join(s.Dir, wrong)))
	err = content.Fetch(t.Context(), srv.Client(), srv.URL+"/v1/content/"+wrong, wrong, dst)
	assert.ErrorIs(t, err, content.ErrDigest)
	_, err = os.Stat(dst)
	assert.True(t, errors.Is(err, os.ErrNotExist))
	_, err = os.Stat(dst + ".part")
	assert.True(t, errors.Is(err, os.ErrNotExist), "the bad download is not resumed")

	err = content.Fetch(t.Context(), srv.Client(), srv.URL+"/v1/content/"+sum([]byte("x")), sum([]byte("x")), dst)
	assert.ErrorIs(t, err, content.ErrNotFound)
	resp, err := srv.Client().Post(srv.URL+"/v1/content/"+d, "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	resp, err = srv.Client().Head(srv.URL + "/v1/content/" + d)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, `"`+d+`"`, resp.Header.Get("ETag"))
	assert.Equal(t, int64(7), resp.ContentLength)
}
