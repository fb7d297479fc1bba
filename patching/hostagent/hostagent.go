// Package hostagent is the software side of a host's agent (stx-agent):
// it asks the controller what this host must run (patching.Service's
// Assignment), fetches the release file from the controller's content
// store (resumed, digest checked), verifies it again against the host's
// own keyring, installs it or rolls back with patching/installer, and
// reports what the host runs (ReportHost), every Interval and after each
// action.
//
// The truth is the installer's root on disk: after a crash or a restart
// the agent recovers it (installer.Boot also applies a switch pending
// since a reboot-required install) and reports what it finds, so the
// controller never counts an install that did not land, and an install
// that landed is not repeated: an assignment whose release is already
// current (or pending the next boot) is only reported.
package hostagent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/edgeflock/flock/internal/fsutil"
	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/content"
	"github.com/edgeflock/flock/patching/installer"
)

// Link is the controller's side the agent talks to (patchinghttp's
// Client, or a patching.Service in process).
type Link interface {
	Assignment(ctx context.Context, host string) (patching.Assignment, error)
	ReportHost(ctx context.Context, host string, st patching.HostStatus) error
}

// Fetcher downloads the release file at path (the assignment's
// ContentPath) with the given digest to dst; content.Fetch with the
// controller's base URL and client does.
type Fetcher func(ctx context.Context, path, digest, dst string) error

// Config configures an Agent.
type Config struct {
	// BootMarker is a file keeping the boot id the agent last started
	// in (default DownloadDir/../boot-id): a switch pending the next
	// boot is applied only when the boot id changed, not when the agent
	// merely restarted.
	BootMarker string
	// BootID returns the host's boot id (default: the kernel's,
	// /proc/sys/kernel/random/boot_id).
	BootID func() (string, error)
	// Host is this host's name, as the controller knows it.
	Host string
	// DownloadDir keeps fetched release files (partial ones resume).
	DownloadDir string
	// Interval between polls (default 5 s).
	Interval time.Duration
}

// Agent runs the host's software side.
type Agent struct {
	cfg   Config
	link  Link
	fetch Fetcher
	keys  patching.Keyring
	inst  *installer.Installer
	log   *slog.Logger
}

// New returns an agent; it does no I/O.
func New(cfg Config, link Link, fetch Fetcher, keys patching.Keyring, inst *installer.Installer, log *slog.Logger) (*Agent, error) {
	switch {
	case cfg.Host == "":
		return nil, &patching.FieldError{Field: "host", Reason: "empty"}
	case cfg.DownloadDir == "":
		return nil, &patching.FieldError{Field: "download_dir", Reason: "empty"}
	case len(keys) == 0:
		return nil, &patching.FieldError{Field: "keys", Reason: "no trusted key: every release would be refused"}
	case link == nil || fetch == nil || inst == nil:
		return nil, errors.New("hostagent: link, fetcher and installer are required")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Second
	}
	if cfg.BootMarker == "" {
		cfg.BootMarker = filepath.Join(filepath.Dir(filepath.Clean(cfg.DownloadDir)), "boot-id")
	}
	if cfg.BootID == nil {
		cfg.BootID = func() (string, error) {
			b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
			return strings.TrimSpace(string(b)), err
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Agent{cfg: cfg, link: link, fetch: fetch, keys: keys, inst: inst, log: log}, nil
}

// Run recovers the installer (applying a switch pending the next boot),
// then polls until ctx ends.
func (a *Agent) Run(ctx context.Context) error {
	if err := a.start(ctx); err != nil {
		// The rest of the host's agent goes on; the polls report the
		// installer's state, and the next start tries again.
		a.log.Error("software: start", "err", err)
	}
	for {
		if err := a.Once(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("software: poll", "err", err)
		}
		// Jitter, so that a hundred hosts do not poll in step.
		d := a.cfg.Interval/2 + rand.N(a.cfg.Interval)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(d):
		}
	}
}

// Once asks for the assignment, carries it out if needed, and reports.
func (a *Agent) Once(ctx context.Context) error {
	as, err := a.link.Assignment(ctx, a.cfg.Host)
	if err != nil {
		return fmt.Errorf("assignment: %w", err)
	}
	st, err := a.inst.Status()
	if err != nil {
		return fmt.Errorf("installer status: %w", err)
	}
	var actErr error
	acted := false
	switch as.Action {
	case patching.ActionInstall:
		if st.Current != as.ReleaseID && st.Pending != as.ReleaseID {
			acted, actErr = true, a.install(ctx, as)
		}
	case patching.ActionRollback:
		switch {
		case st.Current == as.ReleaseID && st.Pending == "":
			// Back on it already (or never left it).
		case st.Pending != "" && st.Current == as.ReleaseID,
			st.Previous != "" && st.Previous == as.ReleaseID,
			as.ReleaseID == "" && st.PreviousBase:
			acted = true
			if err := a.inst.Rollback(ctx); err != nil {
				actErr = fmt.Errorf("rollback to %q: %w", as.ReleaseID, err)
			}
		default:
			acted = true
			actErr = fmt.Errorf("rollback to %q: this host runs %q and can go back only to %q", as.ReleaseID, st.Current, rollbackTarget(st))
		}
	}
	if actErr != nil {
		a.log.Error("software: "+string(as.Action), "release", as.ReleaseID, "err", actErr)
	}
	st, err = a.inst.Status()
	if err != nil {
		return fmt.Errorf("installer status: %w", err)
	}
	report := patching.HostStatus{Running: st.Current, Pending: st.Pending, State: patching.AgentState(st.State),
		Action: as.Action, ReleaseID: as.ReleaseID}
	if !acted {
		// Nothing was done this time: the journal's last outcome is
		// about an earlier operation.
		report.State = patching.AgentIdle
	}
	if report.State != patching.AgentIdle {
		report.Reason = strings.TrimSpace(st.Reason + "\n" + st.Output)
	}
	if actErr != nil && report.State == patching.AgentIdle {
		// Refused before the installer started (fetch, signature):
		// rejected, with the reason.
		report.State, report.Reason = patching.AgentInstallRejected, actErr.Error()
	}
	if err := a.link.ReportHost(ctx, a.cfg.Host, report); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return actErr
}

// install fetches, verifies and installs the assigned release.
func (a *Agent) install(ctx context.Context, as patching.Assignment) error {
	if !content.ValidDigest(as.Digest) || as.ContentPath == "" {
		return fmt.Errorf("assignment of %s has no valid content (digest %q)", as.ReleaseID, as.Digest)
	}
	if err := os.MkdirAll(a.cfg.DownloadDir, 0o750); err != nil {
		return err
	}
	dst := filepath.Join(a.cfg.DownloadDir, as.Digest+".tar")
	if err := a.fetch(ctx, as.ContentPath, as.Digest, dst); err != nil {
		return fmt.Errorf("fetch %s: %w", as.ReleaseID, err)
	}
	f, err := os.Open(dst)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	rel, err := patching.Open(f, fi.Size(), a.keys)
	if err != nil {
		// A file that does not verify here is never installed; it is
		// removed so that the next poll fetches it again.
		_ = os.Remove(dst)
		return fmt.Errorf("verify %s: %w", as.ReleaseID, err)
	}
	if rel.ID() != as.ReleaseID {
		return fmt.Errorf("the file of %s holds release %s", as.ReleaseID, rel.ID())
	}
	a.log.Info("software: installing", "release", rel.ID(), "reboot_required", rel.Meta().RebootRequired)
	if err := a.inst.Install(ctx, rel); err != nil {
		return fmt.Errorf("install %s: %w", as.ReleaseID, err)
	}
	return nil
}

// start recovers the installer and, if the host booted since the agent
// last started, applies a switch pending the boot.
func (a *Agent) start(ctx context.Context) error {
	id, err := a.cfg.BootID()
	if err != nil {
		return fmt.Errorf("boot id: %w", err)
	}
	last, _ := os.ReadFile(a.cfg.BootMarker)
	if strings.TrimSpace(string(last)) == id {
		return a.inst.Recover(ctx) // a restart of the agent, not of the host
	}
	switched, err := a.inst.Boot(ctx)
	if err != nil {
		return fmt.Errorf("boot: %w", err)
	}
	if switched {
		a.log.Info("software: switched to the release installed before the reboot")
	}
	if err := os.MkdirAll(filepath.Dir(a.cfg.BootMarker), 0o750); err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(a.cfg.BootMarker, []byte(id+"\n"), 0o640)
}

func rollbackTarget(st installer.Status) string {
	switch {
	case st.Pending != "":
		return st.Current
	case st.Previous != "":
		return st.Previous
	case st.PreviousBase:
		return "" // the base install
	}
	return "nothing (committed)"
}
