package testenv_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/testenv"
)

func TestProcessFigures(t *testing.T) {
	pid := os.Getpid()
	rss, err := testenv.RSS(pid)
	require.NoError(t, err)
	assert.Greater(t, rss, int64(1<<20), "a Go test binary holds more than 1 MiB")
	t0, err := testenv.CPUTime(pid)
	require.NoError(t, err)
	// Burn CPU until the kernel has counted some of it (its clock ticks
	// are 10 ms).
	for end := time.Now().Add(200 * time.Millisecond); time.Now().Before(end); {
	}
	t1, err := testenv.CPUTime(pid)
	require.NoError(t, err)
	assert.Greater(t, t1, t0)
	_, err = testenv.RSS(-1)
	assert.Error(t, err)
}
