package installer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/edgeflock/flock/internal/fsutil"
	"github.com/edgeflock/flock/patching"
)

// The names under Config.Root.
const (
	versionsDir   = "versions"
	currentLink   = "current"
	journalFile   = "installer.json"
	stagingPrefix = ".staging-"
	currentTmp    = ".current.tmp"
)

// Config is what an Installer needs.
type Config struct {
	// Root is the installer's directory: versions/<release-id>/ trees,
	// the current symbolic link and the journal. It is created if
	// missing; it must be on one file system (renames are atomic only
	// within one).
	Root string `json:"root" yaml:"root"`
}

// Options are the installer's optional settings; nil means defaults.
type Options struct {
	// ScriptTimeout bounds each release script (default 10 minutes);
	// a script still running then is killed with its process group.
	ScriptTimeout time.Duration `json:"script_timeout" yaml:"script_timeout"`
	// Logger receives what the installer does (nil: discarded).
	Logger *slog.Logger `json:"-" yaml:"-"`

	// crash, for tests, is called at each point where a kill -9 must
	// leave a consistent root (export_test.go sets it).
	crash func(point string)
}

// Status is what the installer reports: the versions, and the last or
// current operation.
type Status struct {
	// Current is the active release ("" before the first install).
	Current string `json:"current"`
	// Previous is the release kept for Rollback until Commit.
	Previous string `json:"previous,omitempty"`
	// PreviousBase: Rollback returns to the base install (no release:
	// the first install is not committed yet).
	PreviousBase bool `json:"previous_base,omitempty"`
	// Pending is a reboot-required release installed and waiting for
	// the next Boot to become current.
	Pending string `json:"pending,omitempty"`
	// State is §4.1's agent state.
	State State `json:"state"`
	// Release is the release of the last or current operation.
	Release string `json:"release,omitempty"`
	// Step is the step in progress or the one that failed.
	Step Step `json:"step,omitempty"`
	// Reason says why the last install failed or was rejected.
	Reason string `json:"reason,omitempty"`
	// Output is the tail of the failed script's output.
	Output string `json:"output,omitempty"`
}

// Installer installs releases into versioned trees under a root and
// switches between them. Its methods are for one caller at a time (the
// agent's one software-management loop): they must not be called
// concurrently, and one root must have one Installer (in one process).
type Installer struct {
	cfg       Config
	opts      Options
	log       *slog.Logger
	j         journal // the journal as last written or read
	recovered bool
}

// New returns an installer of cfg.Root. It touches nothing: Recover (or
// the first operation) reads the journal and repairs the root.
func New(cfg Config, opts *Options) (*Installer, error) {
	if cfg.Root == "" {
		return nil, &FieldError{Field: "root", Reason: "empty"}
	}
	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		return nil, &FieldError{Field: "root", Reason: err.Error()}
	}
	cfg.Root = root
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.ScriptTimeout < 0 {
		return nil, &FieldError{Field: "script_timeout", Reason: "negative"}
	}
	if o.ScriptTimeout == 0 {
		o.ScriptTimeout = 10 * time.Minute
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Installer{cfg: cfg, opts: o, log: log}, nil
}

func (in *Installer) journalPath() string { return filepath.Join(in.cfg.Root, journalFile) }
func (in *Installer) versions() string    { return filepath.Join(in.cfg.Root, versionsDir) }
func (in *Installer) version(id string) string {
	return filepath.Join(in.cfg.Root, versionsDir, id)
}

// VersionDir returns the directory of a release's tree under the root
// (whether or not it is installed).
func (in *Installer) VersionDir(id string) string { return in.version(id) }

// CurrentPath returns the path of the current symbolic link: what the
// host's software runs from.
func (in *Installer) CurrentPath() string { return filepath.Join(in.cfg.Root, currentLink) }

func (in *Installer) crash(point string) {
	if in.opts.crash != nil {
		in.opts.crash(point)
	}
}

// Status reads the journal and reports it. It repairs nothing, so it
// may be called before Recover (and from another process, for a CLI):
// an install interrupted by a crash shows as installing until Recover
// turns it into install-failed.
func (in *Installer) Status() (Status, error) {
	j, _, err := readJournal(in.journalPath())
	if err != nil {
		return Status{}, err
	}
	return Status{Current: j.Current, Previous: j.Previous, PreviousBase: j.PreviousBase, Pending: j.Pending, State: j.State,
		Release: j.Release, Step: j.Step, Reason: j.Reason, Output: j.Output}, nil
}

// Recover brings the root to the state its journal describes, after a
// clean stop or a crash at any point: an install that was in progress
// is abandoned (install-failed, "interrupted"), current points at the
// journal's current release, and whatever the journal does not
// reference (staging trees, an abandoned new version, one removed by
// Commit or Rollback, temp files) is removed. A root without a journal
// adopts the release current points at. Every operation calls it first
// if it was not called.
func (in *Installer) Recover(ctx context.Context) error {
	if err := os.MkdirAll(in.versions(), 0o755); err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	j, found, err := readJournal(in.journalPath())
	if err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	_ = os.Remove(in.journalPath() + ".tmp")
	in.j = j
	if !found {
		if t, err := os.Readlink(in.CurrentPath()); err == nil {
			id := strings.TrimPrefix(t, versionsDir+"/")
			if checkID("current", id) == nil && id != t {
				j.Current = id
				in.log.Info("installer: adopted the current release", "release", id)
			}
		}
	}
	if j.State == StateInstalling {
		in.log.Warn("installer: an install was interrupted; back on the previous version", "release", j.Release, "step", j.Step)
		j.State = StateInstallFailed
		j.Reason = fmt.Sprintf("install of %s interrupted at step %s (the installer stopped); the host stayed on %s", j.Release, j.Step, orNone(j.Current))
		j.Output = ""
	}
	if !found || j != in.j {
		if err := in.writeJournal(j); err != nil {
			return fmt.Errorf("recover: %w", err)
		}
	}
	if err := in.apply(); err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	in.recovered = true
	return nil
}

func orNone(id string) string {
	if id == "" {
		return "no release"
	}
	return id
}

// apply makes the file system agree with the journal: current points at
// its current release, and nothing it does not reference stays.
func (in *Installer) apply() error {
	if err := in.switchTo(in.j.Current); err != nil {
		return err
	}
	return in.gc()
}

// switchTo points current at versions/<id> with one atomic rename of a
// new symbolic link over it (id "": no current), then fsyncs the root.
func (in *Installer) switchTo(id string) error {
	cur := in.CurrentPath()
	tmp := filepath.Join(in.cfg.Root, currentTmp)
	_ = os.Remove(tmp)
	if id == "" {
		if err := os.Remove(cur); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("switch: remove %s: %w", cur, err)
		}
		return fsutil.SyncDir(in.cfg.Root)
	}
	target := versionsDir + "/" + id
	if t, err := os.Readlink(cur); err == nil && t == target {
		return nil
	}
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("switch to %s: %w", id, err)
	}
	in.crash("switch-symlink")
	if err := os.Rename(tmp, cur); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("switch to %s: rename %s: %w", id, cur, err)
	}
	in.crash("switch-renamed")
	if err := fsutil.SyncDir(in.cfg.Root); err != nil {
		return fmt.Errorf("switch to %s: %w", id, err)
	}
	return nil
}

// gc removes what the journal does not reference: under versions/, and
// the temp files of the root.
func (in *Installer) gc() error {
	ents, err := os.ReadDir(in.versions())
	if err != nil {
		return fmt.Errorf("clean up: %w", err)
	}
	var errs []error
	for _, e := range ents {
		if in.j.keeps(e.Name()) {
			continue
		}
		in.log.Debug("installer: removing", "dir", e.Name())
		if err := os.RemoveAll(filepath.Join(in.versions(), e.Name())); err != nil {
			errs = append(errs, err)
		}
		in.crash("gc-removed")
	}
	ents, err = os.ReadDir(in.cfg.Root)
	if err != nil {
		return fmt.Errorf("clean up: %w", err)
	}
	for _, e := range ents {
		if n := e.Name(); strings.HasPrefix(n, ".script-") || n == currentTmp {
			_ = os.Remove(filepath.Join(in.cfg.Root, n))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("clean up: %w", err)
	}
	return nil
}

func (in *Installer) ensure(ctx context.Context) error {
	if in.recovered {
		return nil
	}
	return in.Recover(ctx)
}

// Install installs p: its content unpacked, verified and synced into
// versions/.staging-<id>, renamed to versions/<id>, its pre_install and
// post_install scripts run, then, for an in-service release, current
// switched to it and its activation scripts run; a reboot-required
// release is left pending until the next Boot. The release that was
// current stays as the previous one until Commit (the one before it is
// removed). On any failure the host stays on its previous version,
// nothing of the new one is left, and Status says install-failed (or
// install-rejected for a refusal) with the reason and the script's
// output. Installing the current or the pending release again does
// nothing.
func (in *Installer) Install(ctx context.Context, p patching.Payload) error {
	if err := in.ensure(ctx); err != nil {
		return err
	}
	m := p.Meta()
	id := m.ID
	if err := checkID("id", id); err != nil {
		return in.reject(id, fmt.Errorf("install: %w", err))
	}
	if id == in.j.Current || id == in.j.Pending {
		return nil
	}
	if in.j.Pending != "" {
		return in.reject(id, fmt.Errorf("install %s: %w: %s is installed and waits for the next boot", id, ErrInvalidTransition, in.j.Pending))
	}
	if id == in.j.Previous {
		return in.reject(id, fmt.Errorf("install %s: %w: it is the previous release: roll back to it", id, ErrInvalidTransition))
	}
	old := in.j
	j := old
	j.State, j.Release, j.Step, j.Reason, j.Output = StateInstalling, id, StepExtract, "", ""
	if err := in.writeJournal(j); err != nil {
		return fmt.Errorf("install %s: %w", id, err)
	}
	in.crash("begin")
	in.log.Info("installer: installing", "release", id, "reboot_required", m.RebootRequired)
	output, err := in.install(ctx, p, m)
	if err != nil {
		return in.fail(old, id, output, err)
	}
	j = old
	j.State, j.Release, j.Step, j.Reason, j.Output = StateIdle, id, StepDone, "", ""
	if m.RebootRequired {
		j.Pending = id
	} else {
		j.Previous, j.Current, j.PreviousBase = old.Current, id, old.Current == ""
	}
	if err := in.writeJournal(j); err != nil {
		return in.fail(old, id, output, fmt.Errorf("install %s: commit: %w", id, err))
	}
	in.crash("committed")
	if err := in.gc(); err != nil {
		in.log.Warn("installer: cleaning up after the install", "err", err)
	}
	in.log.Info("installer: installed", "release", id, "pending_boot", m.RebootRequired)
	return nil
}

// install does the steps of Install; the journal is written at each.
func (in *Installer) install(ctx context.Context, p patching.Payload, m patching.Metadata) (string, error) {
	id := m.ID
	staging := filepath.Join(in.versions(), stagingPrefix+id)
	final := in.version(id)
	step := func(s Step) error {
		j := in.j
		j.Step = s
		if err := in.writeJournal(j); err != nil {
			return fmt.Errorf("install %s: %s: %w", id, s, err)
		}
		in.crash("step-" + string(s))
		return nil
	}
	// Left over from an earlier attempt (Recover removes them too).
	if err := errors.Join(os.RemoveAll(staging), os.RemoveAll(final)); err != nil {
		return "", fmt.Errorf("install %s: extract: remove leftovers: %w", id, err)
	}
	if err := os.Mkdir(staging, 0o755); err != nil {
		return "", fmt.Errorf("install %s: extract: %w", id, err)
	}
	in.crash("staging-created")
	rc, err := p.OpenContent()
	if err != nil {
		return "", fmt.Errorf("install %s: extract: open content: %w", id, err)
	}
	files, n, err := extract(ctx, rc, staging, in.crash)
	if cerr := rc.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close content: %w", cerr)
	}
	if err != nil {
		return "", fmt.Errorf("install %s: extract into %s: %w", id, staging, err)
	}
	in.log.Debug("installer: extracted", "release", id, "files", files, "bytes", n)
	if err := step(StepPlace); err != nil {
		return "", err
	}
	if err := os.Rename(staging, final); err != nil {
		return "", fmt.Errorf("install %s: place: rename %s: %w", id, staging, err)
	}
	in.crash("placed")
	if err := fsutil.SyncDir(in.versions()); err != nil {
		return "", fmt.Errorf("install %s: place: %w", id, err)
	}
	env := []string{"FLOCK_RELEASE_ID=" + id, "FLOCK_ROOT=" + in.cfg.Root, "FLOCK_NEW_ROOT=" + final}
	scripts := []struct {
		step  Step
		field string
		name  string
	}{{StepPreInstall, "pre_install", m.PreInstall}, {StepPostInstall, "post_install", m.PostInstall}}
	for _, s := range scripts {
		if s.name == "" {
			continue
		}
		if err := step(s.step); err != nil {
			return "", err
		}
		if out, err := in.script(ctx, p, s.field, s.name, env, final); err != nil {
			return out, fmt.Errorf("install %s: %s: %w", id, s.step, err)
		}
	}
	if m.RebootRequired {
		return "", nil
	}
	if err := step(StepSwitch); err != nil {
		return "", err
	}
	if err := in.switchTo(id); err != nil {
		return "", fmt.Errorf("install %s: %w", id, err)
	}
	if len(m.ActivationScripts) > 0 {
		if err := step(StepActivate); err != nil {
			return "", err
		}
		for k, name := range m.ActivationScripts {
			if out, err := in.script(ctx, p, fmt.Sprintf("activation_scripts[%d]", k), name, env, final); err != nil {
				return out, fmt.Errorf("install %s: %s: %w", id, StepActivate, err)
			}
		}
	}
	return "", nil
}

// script fetches and runs one of the release's scripts.
func (in *Installer) script(ctx context.Context, p patching.Payload, field, name string, env []string, dir string) (string, error) {
	body, err := p.Script(name)
	if err != nil {
		return "", fmt.Errorf("%s script %q: %w", field, name, err)
	}
	in.log.Info("installer: running script", "script", field, "name", name)
	return in.runScript(ctx, field, name, body, env, dir)
}

// fail abandons an install: back to the old configuration (current
// switched back if it had moved), the new tree removed, then the
// journal says install-failed with the reason.
func (in *Installer) fail(old journal, id, output string, cause error) error {
	in.log.Warn("installer: install failed", "release", id, "err", cause)
	step := in.j.Step
	in.j = old // apply works from the old configuration
	if err := in.apply(); err != nil {
		cause = errors.Join(cause, fmt.Errorf("clean up after the failure: %w", err))
	}
	j := old
	j.State, j.Release, j.Step, j.Reason, j.Output = StateInstallFailed, id, step, cause.Error(), output
	if err := in.writeJournal(j); err != nil {
		// The journal on disk still says installing: Recover will say
		// install-failed and finish the clean-up.
		in.recovered = false
		return errors.Join(cause, fmt.Errorf("record the failure: %w", err))
	}
	return cause
}

// reject records an install refused before it began.
func (in *Installer) reject(id string, cause error) error {
	j := in.j
	j.State, j.Release, j.Step, j.Reason, j.Output = StateInstallRejected, "", StepPrepare, cause.Error(), ""
	if checkID("id", id) == nil {
		j.Release = id
	}
	if err := in.writeJournal(j); err != nil {
		return errors.Join(cause, fmt.Errorf("record the refusal: %w", err))
	}
	return cause
}

// Rollback undoes the last install: a release pending the next boot is
// dropped; otherwise current switches back to the previous release (one
// atomic rename), or to the base install (no current link) after a first
// install not committed yet, and the release that was current is
// removed. With nothing to roll back to it returns ErrInvalidTransition.
func (in *Installer) Rollback(ctx context.Context) error {
	if err := in.ensure(ctx); err != nil {
		return err
	}
	j := in.j
	switch {
	case j.Pending != "":
		j.Release, j.Pending = j.Pending, ""
	case j.Previous != "":
		j.Release, j.Current, j.Previous = j.Current, j.Previous, ""
	case j.PreviousBase:
		j.Release, j.Current, j.PreviousBase = j.Current, "", false
	default:
		return fmt.Errorf("rollback: %w: no previous release (committed, or none installed)", ErrInvalidTransition)
	}
	j.State, j.Step, j.Reason, j.Output = StateIdle, StepNone, "", ""
	in.log.Info("installer: rolling back", "release", j.Release, "to", j.Current)
	// The journal first: from here the rollback is decided, and Recover
	// finishes it (switch and removal) if the process stops.
	if err := in.writeJournal(j); err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	in.crash("rollback-committed")
	if err := in.apply(); err != nil {
		in.recovered = false
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// Commit makes the current release permanent: the previous one is
// removed and can no longer be rolled back to. A pending release stays
// pending.
func (in *Installer) Commit(ctx context.Context) error {
	if err := in.ensure(ctx); err != nil {
		return err
	}
	if in.j.Previous == "" && !in.j.PreviousBase {
		return in.gc()
	}
	j := in.j
	j.Previous, j.PreviousBase = "", false
	if err := in.writeJournal(j); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	in.crash("commit-committed")
	if err := in.gc(); err != nil {
		in.recovered = false
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Boot is what a host calls once at start, before it starts the
// software that runs from current: it recovers the root and applies a
// switch pending the next boot (a reboot-required release installed
// before the reboot), making the release that was current the previous
// one. It reports whether it switched. The release's activation scripts
// are not run here: for a reboot-required release activation is the
// deploy's own step (§4.2's deploy activate), which the agent runs when
// the controller asks.
func (in *Installer) Boot(ctx context.Context) (switched bool, err error) {
	if err := in.Recover(ctx); err != nil {
		return false, err
	}
	if in.j.Pending == "" {
		return false, nil
	}
	j := in.j
	j.Previous, j.Current, j.Pending, j.PreviousBase = j.Current, j.Pending, "", j.Current == ""
	j.State, j.Release, j.Step, j.Reason, j.Output = StateIdle, j.Current, StepDone, "", ""
	in.log.Info("installer: switching to the release pending the boot", "release", j.Current)
	if err := in.writeJournal(j); err != nil {
		return false, fmt.Errorf("boot: %w", err)
	}
	in.crash("boot-committed")
	if err := in.apply(); err != nil {
		in.recovered = false
		return false, fmt.Errorf("boot: %w", err)
	}
	return true, nil
}
