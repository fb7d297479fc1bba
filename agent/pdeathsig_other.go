//go:build !linux

package agent

import "syscall"

// ParentDeathSignal returns 0: only Linux has a parent-death signal.
func ParentDeathSignal() syscall.Signal { return 0 }

func setParentDeathSignal(syscall.Signal) error { return nil }
