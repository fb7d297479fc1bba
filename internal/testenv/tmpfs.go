package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// MountTmpfs mounts a tmpfs of the given size ("8m") at a new directory
// and unmounts it when the test ends, after the cleanups registered
// later (a store opened on it is closed first). Tests of what happens
// when a disk fills up use it. Mounting needs root, which CI has; where
// it fails the test fails under CI and is skipped elsewhere.
func MountTmpfs(t testing.TB, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		Missing(t, "a tmpfs mount (root)", "run the tests as root", &mountError{err, strings.TrimSpace(string(out))})
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

type mountError struct {
	err error
	out string
}

func (e *mountError) Error() string { return "mount: " + e.err.Error() + ": " + e.out }
