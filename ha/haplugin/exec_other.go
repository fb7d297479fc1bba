//go:build !unix

package haplugin

import (
	"context"
	"errors"
	"time"
)

type run struct {
	code     int
	stdout   []byte
	stderr   []byte
	timedOut bool
}

// runProgram fails: process groups need a Unix system.
func runProgram(ctx context.Context, grace time.Duration, path string, args, env []string, wantStdout bool) (run, error) {
	return run{}, errors.ErrUnsupported
}

func startFailed(err error) bool { return errors.Is(err, errors.ErrUnsupported) }
