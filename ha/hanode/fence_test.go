package hanode_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/ha/hanode"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
)

// TestBMCFencer: a fence is a forced power off confirmed by reading the
// power back; a BMC that refuses or never answers is no fence.
func TestBMCFencer(t *testing.T) {
	bmcs := hostmgmttest.NewFakeBMCs(nil)
	b, err := bmcs.BMC(t.Context(), "controller-1")
	require.NoError(t, err)
	f := hanode.BMCFencer{BMC: b, Poll: time.Millisecond}
	require.NoError(t, f.Fence(t.Context(), "controller-1"))
	st, _ := bmcs.Get("controller-1").State()
	assert.Equal(t, hostmgmt.PowerOff, st)
	assert.Equal(t, []hostmgmt.PowerOp{hostmgmt.OpPowerOff}, bmcs.Get("controller-1").Ops())

	bmcs.Get("controller-1").Fail(errors.New("ipmi: session refused"))
	assert.ErrorContains(t, f.Fence(t.Context(), "controller-1"), "session refused")
	bmcs.Get("controller-1").Fail(nil)
	bmcs.Get("controller-1").Hang(true)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, f.Fence(ctx, "controller-1"), context.DeadlineExceeded)
}

// TestCommandFencer: the agent gets the node's name; exit 0 confirms,
// another status fails with the agent's output, and an agent that
// hangs is killed with its children when the context ends.
func TestCommandFencer(t *testing.T) {
	dir := t.TempDir()
	agent := filepath.Join(dir, "fence_test")
	require.NoError(t, os.WriteFile(agent, []byte(`#!/bin/sh
echo "$1 $2" >> "`+dir+`/log"
case "$2" in
  controller-1) exit 0 ;;
  stuck) sleep 60 & echo $! > "`+dir+`/child"; wait ;;
  *) echo "no such port" >&2; exit 1 ;;
esac
`), 0o755))
	f := hanode.CommandFencer{Command: []string{agent, "--action=off"}}
	require.NoError(t, f.Fence(t.Context(), "controller-1"))
	log, _ := os.ReadFile(filepath.Join(dir, "log"))
	assert.Equal(t, "--action=off controller-1\n", string(log))
	assert.ErrorContains(t, f.Fence(t.Context(), "controller-9"), "no such port")

	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	require.Error(t, f.Fence(ctx, "stuck"))
	pid, err := os.ReadFile(filepath.Join(dir, "child"))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := os.Stat("/proc/" + string(pid[:len(pid)-1]))
		return err != nil
	}, 5*time.Second, 10*time.Millisecond, "the agent's child was killed with it")
	assert.Error(t, hanode.CommandFencer{}.Fence(t.Context(), "x"))
}
