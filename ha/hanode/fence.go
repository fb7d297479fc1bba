package hanode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
)

// BMCFencer fences the peer through its BMC: a forced power off, then
// the power state read back until it says off. Only "off" confirms; an
// unreachable BMC or any other answer is an error, and the takeover
// waits (it retries on ha's RetryInterval).
type BMCFencer struct {
	// BMC is the peer's board management controller.
	BMC hostmgmt.BMC
	// Poll is the interval between reads of the power state (default
	// 100 ms).
	Poll time.Duration
}

// Fence powers node off and waits until its BMC confirms it, within ctx.
func (f BMCFencer) Fence(ctx context.Context, node string) error {
	if err := hostmgmt.Retry(ctx, func(ctx context.Context) error { return f.BMC.Power(ctx, hostmgmt.OpPowerOff) }); err != nil {
		return fmt.Errorf("hanode: fence %s: power off: %w", node, err)
	}
	poll := f.Poll
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	for {
		st, err := f.BMC.PowerState(ctx)
		if err == nil && st == hostmgmt.PowerOff {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("power is %s", st)
			}
			return fmt.Errorf("hanode: fence %s: not confirmed off: %w (%w)", node, err, ctx.Err())
		case <-time.After(poll):
		}
	}
}

// CommandFencer runs a fence agent, as Pacemaker's stonith does
// (fence_ipmilan, fence_redfish ... or a site's own script): the command
// with its arguments and the node's name appended; exit status 0 means
// the node is confirmed off, anything else (or the context ending, which
// kills the agent's process group) is a failure.
type CommandFencer struct {
	// Command is the program and its first arguments.
	Command []string
}

// Fence runs the agent for node.
func (f CommandFencer) Fence(ctx context.Context, node string) error {
	if len(f.Command) == 0 {
		return errors.New("hanode: fence: no command configured")
	}
	args := append(append([]string(nil), f.Command[1:]...), node)
	cmd := exec.CommandContext(ctx, f.Command[0], args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if len(msg) > 512 {
			msg = msg[:512]
		}
		return fmt.Errorf("hanode: fence %s with %s: %w: %s", node, f.Command[0], err, msg)
	}
	return nil
}
