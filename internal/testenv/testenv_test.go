package testenv_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/testenv"
)

// TestFailedStartReportsLogTail: a component that dies while starting is
// reported with what it printed, so CI output shows why.
func TestFailedStartReportsLogTail(t *testing.T) {
	p, err := testenv.Start(t, "broken", nil, "/bin/sh", "-c", "echo 'first line'; echo 'fatal: no such port' >&2; exit 3")
	require.NoError(t, err)
	err = testenv.WaitFor(p, 10*time.Second, func() error { return errors.New("not ready") })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "broken exited")
	assert.Contains(t, err.Error(), "fatal: no such port")
	assert.Contains(t, err.Error(), "first line")
}

// TestSlowStartReportsLogTail: a component that never becomes ready is
// reported with the last readiness error and its output.
func TestSlowStartReportsLogTail(t *testing.T) {
	p, err := testenv.Start(t, "stuck", nil, "/bin/sh", "-c", "echo 'waiting for quorum'; sleep 60")
	require.NoError(t, err)
	p.Grace = time.Second
	err = testenv.WaitFor(p, 300*time.Millisecond, func() error { return errors.New("port closed") })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stuck did not become ready: port closed")
	assert.Contains(t, err.Error(), "waiting for quorum")
}
