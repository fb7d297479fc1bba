//go:build linux

package agent

import (
	"syscall"
	"unsafe"
)

// ParentDeathSignal returns the calling thread's parent-death signal
// (prctl PR_GET_PDEATHSIG), 0 if none. Called on the main thread
// (runtime.LockOSThread in an init function keeps main there), it is
// the signal the process was started with, which ExecRebooter gives
// back to the new image: Linux keeps it per thread, and the Go runtime
// may exec from a thread that does not have it.
func ParentDeathSignal() syscall.Signal {
	var sig int32
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_GET_PDEATHSIG, uintptr(unsafe.Pointer(&sig)), 0); e != 0 {
		return 0
	}
	return syscall.Signal(sig)
}

func setParentDeathSignal(sig syscall.Signal) error {
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(sig), 0); e != 0 {
		return e
	}
	return nil
}
