package stx_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/stx"
)

// withUmask runs f under umask m. The umask is the process's: these tests
// do not run in parallel.
func withUmask(t *testing.T, m int, f func()) {
	t.Helper()
	old := syscall.Umask(m)
	defer syscall.Umask(old)
	f()
}

func TestDataDirIsPrivateWhateverTheUmask(t *testing.T) {
	// (The database files' modes are sqlstore's; a umask that takes the
	// owner's bits is tried on the token file below.)
	for _, umask := range []int{0o000, 0o022, 0o077} {
		t.Run(fmt.Sprintf("umask %04o", umask), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "state", "flock")
			withUmask(t, umask, func() {
				sys, err := stx.Open(t.Context(), stx.Config{DataDir: dir})
				require.NoError(t, err)
				require.NoError(t, sys.Close(t.Context()))
			})
			for _, d := range []string{dir, filepath.Dir(dir)} {
				fi, err := os.Stat(d)
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), d)
			}
			fi, err := os.Stat(filepath.Join(dir, "admin.token"))
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		})
	}
}

func TestTokenFileDirectoryIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "etc", "flock", "admin.token")
	// 0277 would leave the directory 0500 (nothing can be created in it)
	// and the file 0400.
	withUmask(t, 0o277, func() {
		tok, err := stx.EnsureTokenFile(path)
		require.NoError(t, err)
		assert.Len(t, tok, 64)
	})
	for _, d := range []string{filepath.Dir(path), filepath.Dir(filepath.Dir(path))} {
		fi, err := os.Stat(d)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), d)
	}
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

func TestExistingTokenFileChecks(t *testing.T) {
	good := strings.Repeat("k", 32)
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		wantErr []string // all in the error; none means accepted
	}{
		{"private and long enough", good + "\n", 0o600, nil},
		{"owner read only", good, 0o400, nil},
		{"readable by others", good, 0o604, []string{"open to group or others", "chmod 600 "}},
		{"readable by group", good, 0o640, []string{"mode 0640", "chmod 600 "}},
		{"writable by group", good, 0o620, []string{"chmod 600 "}},
		{"short token", strings.Repeat("k", 31), 0o600, []string{"31 bytes", "at least 32"}},
		{"empty", "\n", 0o600, []string{"empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "admin.token")
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o600))
			require.NoError(t, os.Chmod(path, tt.mode))
			tok, err := stx.EnsureTokenFile(path)
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, strings.TrimSpace(tt.content), tok)
			} else {
				require.Error(t, err)
				for _, w := range tt.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				assert.Contains(t, err.Error(), path, "the error names the file")
			}
			// Open refuses the same file, before touching the database.
			dir := filepath.Dir(path)
			sys, err := stx.Open(t.Context(), stx.Config{DataDir: dir})
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.NoError(t, sys.Close(t.Context()))
			} else {
				require.Error(t, err)
				_, statErr := os.Stat(filepath.Join(dir, "flock.db"))
				assert.True(t, os.IsNotExist(statErr), "no database is created")
			}
		})
	}
}

func TestShortConfigTokenRefused(t *testing.T) {
	_, err := stx.Open(t.Context(), stx.Config{DataDir: t.TempDir(), Auth: stx.AuthConfig{Tokens: []stx.Token{
		{Token: strings.Repeat("a", 40), Role: stx.RoleAdmin},
		{Token: "short-reader-token", Role: stx.RoleReader},
	}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "auth.tokens[1].token")
	assert.Contains(t, err.Error(), "at least 32")
}
