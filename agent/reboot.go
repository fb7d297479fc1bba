package agent

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Reboot modes of MaintenanceOptions.Reboot.
const (
	// RebootSystem reboots the host: `systemctl reboot`, or `reboot` if
	// that fails (SystemRebooter).
	RebootSystem = "system"
	// RebootExec simulates a reboot, for labs and tests where many
	// agents share one machine: the agent records a new boot id in its
	// state directory and replaces its process image with a new run of
	// itself (ExecRebooter), whose uptime starts again at zero.
	RebootExec = "exec"
	// RebootExit simulates a reboot for an agent under a supervisor that
	// restarts it: a new boot id as with exec, then the process exits
	// with RebootExitCode (ExitRebooter).
	RebootExit = "exit"
)

// RebootExitCode is the exit status of the exit reboot mode: EX_TEMPFAIL,
// which a supervisor is told to restart on (systemd:
// RestartForceExitStatus=75).
const RebootExitCode = 75

// Rebooter reboots the host, or simulates a reboot.
type Rebooter interface {
	// Reboot starts the reboot. When it returns nil the host (or the
	// process) is going down; an error says why it is not.
	Reboot(ctx context.Context) error
}

// RebooterFunc is a function that is a Rebooter.
type RebooterFunc func(ctx context.Context) error

// Reboot calls f.
func (f RebooterFunc) Reboot(ctx context.Context) error { return f(ctx) }

// SystemRebooter reboots the host through its init system.
type SystemRebooter struct {
	// Commands are tried in turn until one exits 0; nil means
	// `systemctl reboot`, then `reboot`.
	Commands [][]string
}

var _ Rebooter = SystemRebooter{}

// Reboot runs the commands in turn; it fails if none of them succeeds.
func (r SystemRebooter) Reboot(ctx context.Context) error {
	cmds := r.Commands
	if cmds == nil {
		cmds = [][]string{{"systemctl", "reboot"}, {"reboot"}}
	}
	var errs []error
	for _, c := range cmds {
		if len(c) == 0 {
			continue
		}
		out, err := exec.CommandContext(ctx, c[0], c[1:]...).CombinedOutput()
		if err == nil {
			return nil
		}
		if line := lastLine(out); line != "" {
			err = fmt.Errorf("%w: %s", err, line)
		}
		errs = append(errs, fmt.Errorf("%s: %w", strings.Join(c, " "), err))
	}
	if len(errs) == 0 {
		return errors.New("agent: reboot: no command to run")
	}
	return fmt.Errorf("agent: reboot: %w", errors.Join(errs...))
}

// ExecRebooter simulates a reboot by replacing the process image with a
// new run of the same executable, with the same arguments and
// environment (syscall.Exec): the process keeps its pid, loses its
// memory, sockets and goroutines, and starts afresh.
type ExecRebooter struct {
	// ParentDeathSignal, if not 0, is set again on the thread that
	// execs, so the new image dies with its parent as the process did
	// (see ParentDeathSignal).
	ParentDeathSignal syscall.Signal
}

var _ Rebooter = ExecRebooter{}

// Reboot execs the process anew; it returns only if that fails.
func (r ExecRebooter) Reboot(context.Context) error {
	runtime.LockOSThread() // the thread that sets the signal is the one that execs
	defer runtime.UnlockOSThread()
	if r.ParentDeathSignal != 0 {
		if err := setParentDeathSignal(r.ParentDeathSignal); err != nil {
			return fmt.Errorf("agent: reboot (exec): parent-death signal: %w", err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		if exe, err = exec.LookPath(os.Args[0]); err != nil {
			return fmt.Errorf("agent: reboot (exec): find the executable: %w", err)
		}
	}
	if err := syscall.Exec(exe, os.Args, os.Environ()); err != nil {
		return fmt.Errorf("agent: reboot (exec) %s: %w", exe, err)
	}
	return nil
}

// ExitRebooter simulates a reboot by exiting the process with
// RebootExitCode, for a supervisor to start it again.
type ExitRebooter struct{}

var _ Rebooter = ExitRebooter{}

// Reboot exits the process; it does not return.
func (ExitRebooter) Reboot(context.Context) error {
	os.Exit(RebootExitCode)
	return nil
}

// SimBootFile is the name, in the agent's state directory, of the file
// that holds the simulated boot of the exec and exit reboot modes.
const SimBootFile = "sim-boot.json"

// SimBoot is a simulated boot: what the exec and exit reboot modes
// record before they go down, and what the agent reports after, instead
// of the host's own boot id and uptime.
type SimBoot struct {
	// BootID is the simulated boot's id, a random UUID as the kernel's.
	BootID string `json:"boot_id"`
	// BootedAt is when the simulated reboot happened; the uptime counts
	// from it.
	BootedAt time.Time `json:"booted_at"`
	// HostBootID is the host's own boot id when it was recorded: after a
	// real reboot it differs, and the record is stale.
	HostBootID string `json:"host_boot_id"`
}

// DecodeSimBoot decodes a simulated boot file strictly: one JSON object,
// no unknown member, every member set.
func DecodeSimBoot(data []byte) (SimBoot, error) {
	var sb SimBoot
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sb); err != nil {
		return SimBoot{}, fmt.Errorf("agent: simulated boot: %w", jsonFieldError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return SimBoot{}, errors.New("agent: simulated boot: trailing data after the JSON object")
	}
	switch {
	case !validBootID(sb.BootID):
		return SimBoot{}, fmt.Errorf("agent: simulated boot: boot_id: %q is not a boot id (a lower-case UUID)", sb.BootID)
	case sb.BootedAt.IsZero():
		return SimBoot{}, errors.New("agent: simulated boot: booted_at is required")
	case !validBootID(sb.HostBootID):
		return SimBoot{}, fmt.Errorf("agent: simulated boot: host_boot_id: %q is not a boot id (a lower-case UUID)", sb.HostBootID)
	}
	return sb, nil
}

// validBootID reports whether s has the kernel's boot_id form: a UUID in
// lower-case hex.
func validBootID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}

// newBootID returns a random boot id (a version 4 UUID).
func newBootID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// readBootID reads the kernel's boot id.
func readBootID(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("agent: boot id: %w", err)
	}
	id := strings.TrimSpace(string(data))
	if !validBootID(id) {
		return "", fmt.Errorf("agent: boot id: %s holds %q, not a boot id", path, id)
	}
	return id, nil
}

// readUptime reads the host's uptime from path (/proc/uptime).
func readUptime(path string) (time.Duration, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("agent: uptime: %w", err)
	}
	d, err := parseUptime(data)
	if err != nil {
		return 0, fmt.Errorf("agent: uptime: %s: %w", path, err)
	}
	return d, nil
}

// parseUptime parses /proc/uptime: the seconds since boot, then the idle
// seconds, both with two decimals.
func parseUptime(data []byte) (time.Duration, error) {
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0, errors.New("empty")
	}
	s, err := strconv.ParseFloat(f[0], 64)
	if err != nil || !(s >= 0 && s <= 1e9) { // NaN is neither; 1e9 s is 31 years: nonsense beyond
		return 0, fmt.Errorf("%q is not a number of seconds", f[0])
	}
	return time.Duration(s * float64(time.Second)), nil
}

// loadSimBoot reads dir's simulated boot file: ok false if there is
// none, or if it was recorded under another boot of the host (a real
// reboot since: it is removed).
func loadSimBoot(dir, hostBootID string) (SimBoot, bool, error) {
	path := filepath.Join(dir, SimBootFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return SimBoot{}, false, nil
	}
	if err != nil {
		return SimBoot{}, false, err
	}
	sb, err := DecodeSimBoot(data)
	if err != nil {
		return SimBoot{}, false, fmt.Errorf("%w (in %s: fix or remove it)", err, path)
	}
	if sb.HostBootID != hostBootID {
		if err := os.Remove(path); err != nil {
			return SimBoot{}, false, err
		}
		return SimBoot{}, false, nil
	}
	return sb, true, nil
}

// saveSimBoot records a new simulated boot in dir.
func saveSimBoot(dir string, sb SimBoot) error {
	data, err := json.Marshal(sb)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, SimBootFile), data, 0o600)
}

// lastLine returns the last non-empty line of out, trimmed, valid UTF-8,
// at most 200 bytes.
func lastLine(out []byte) string {
	s := strings.TrimRight(string(out), " \t\r\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		s = s[:200]
	}
	return strings.ToValidUTF8(s, "?")
}
