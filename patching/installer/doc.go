// Package installer is the host side of software management: what
// stx-agent runs to install a release (a patching.Payload, already
// verified) into a versioned tree, switch the host to it, and roll it
// back or commit it. It does no networking and holds no goroutine; the
// agent calls it from its one software-management loop.
//
// # Layout
//
// Under Config.Root:
//
//	versions/<release-id>/       a release's content tree, whole
//	versions/.staging-<id>/      an install in progress (never run from)
//	current -> versions/<id>     a relative symbolic link: what the host runs
//	installer.json               the journal (below)
//
// The host's software runs from Root/current/...; nothing ever writes
// into a tree once it is placed under versions/.
//
// # Design: A/B at file level
//
// Mender and RAUC update an embedded device by writing the new image to
// the inactive one of two partitions (A/B), then flipping one boot
// variable: the flip is the only moment the system changes, and it is
// atomic. This package does the same with directories: the inactive
// slot is a new tree under versions/, the flip is rename(2) of a new
// symbolic link over current — atomic on POSIX file systems, so a reader
// resolving current sees the old tree or the new one, never a mix. The
// release that was current stays under versions/ as the previous slot
// until Commit, so Rollback is one more flip. A reboot-required release
// is installed the same way but left pending: Boot, called when the
// host starts, flips to it (as RAUC's "mark active" for the next boot).
//
// # Install, step by step
//
//  1. prepare: the release id is checked (it names a directory), and
//     the host's state (a switch already pending the next boot, the id
//     being the previous release) — a refusal is install-rejected and
//     changes nothing else.
//  2. The journal records "installing <id>, step extract".
//  3. extract: the content tar is unpacked into versions/.staging-<id>
//     through an os.Root (no operation can leave it), every entry
//     checked first (see Content below); each file's size is checked
//     against its header, its SHA-256 against the PAX record
//     FLOCK.sha256 when the tar carries one, then it is fsynced; then
//     every directory, deepest first. The tar must end with its
//     end-of-archive marker: a download cut between two entries is
//     corrupted, not a smaller tree.
//  4. place: staging renamed to versions/<id>, versions/ fsynced.
//  5. pre-install, post-install: the release's pre_install and
//     post_install scripts (Payload.Script), each written to a temp file
//     and run in its own process group with a clean environment (PATH,
//     LANG, HOME) plus FLOCK_RELEASE_ID, FLOCK_ROOT (the root) and
//     FLOCK_NEW_ROOT (versions/<id>), in FLOCK_NEW_ROOT, within
//     Options.ScriptTimeout; on timeout the whole group is killed. The
//     tail of their output is kept.
//  6. switch (in-service releases): current flipped to versions/<id>
//     (symlink to .current.tmp, rename over current, fsync the root).
//  7. activate: the release's activation scripts, with current on the
//     new release.
//  8. The journal records the new configuration: current <id>,
//     previous the old current (or pending <id> for a reboot-required
//     release), state idle. This write is the install's commit point.
//     Then the release before the previous one is removed.
//
// A failure at any step (a script's exit status or timeout, a corrupted
// or unsafe entry, ENOSPC, EACCES/EROFS ...) switches current back if it
// had moved, removes the new tree, and records install-failed with the
// step, the reason (the error, naming the step and the file, entry or
// script) and the script's output tail. The host never runs from a
// half-installed tree.
//
// # Crash safety
//
// The journal (JSON, written to a temp file, fsynced, renamed over the
// old one, directory fsynced) is the single source of truth: it names
// the current, previous and pending releases and the operation in
// progress. Every other file is either referenced by it (the trees it
// names, current pointing at its current release) or garbage. Recover —
// run by Boot, by every operation before its first step, or by the
// caller — makes the file system agree with the journal: an install
// still marked installing is abandoned (install-failed, "interrupted at
// step X"), current is flipped to the journal's current release if it
// points elsewhere, and everything under versions/ the journal does not
// reference is removed, with the temp files. So, killed at any point:
//
//   - before the install's commit point (8), the journal still names
//     the old configuration: the staging tree or the placed new tree is
//     removed, and if the switch (6) had happened it is undone with the
//     same atomic flip — the host is fully on the old release;
//   - after it, the journal names the new release: current already
//     points at it (the switch was fsynced before), and only the old
//     previous tree may remain to remove — fully on the new one.
//
// Rollback, Commit and Boot write their new configuration to the
// journal first and then apply it (flip, removals), so after a crash
// Recover finishes them. Each step that Recover repeats (a flip, a
// removal) is idempotent. Because of the journal, a crash during a
// crash's recovery is no different. The tests kill a child process with
// SIGKILL at every one of these points (every journal write before and
// after its rename, every step, after every extracted file, between
// the symlink and its rename, during removals) and check the root.
//
// Scripts are not transactional: one that ran before a crash may run
// again when the install is retried, so release scripts must be
// idempotent (as StarlingX asks of its patch scripts).
//
// # Content
//
// The payload is verified before it reaches the installer, yet every
// entry is checked again (defence in depth): absolute names, ".."
// anywhere, non-canonical names, duplicates, hard links, devices, FIFOs,
// sparse files and any other type are refused, as is a name whose
// parent is a symbolic link of the tree; a symbolic link must be
// relative, canonical ("..", if any, only at its start) and climb no
// higher than the tree's root. Modes keep their permission bits only
// (no setuid, setgid or sticky bit); ownership is the agent's. The
// error is an *EntryError naming the entry.
//
// # Differences from StarlingX
//
// StarlingX's USM deploys a release as an ostree commit: the new
// deployment is checked out beside the running one and the bootloader
// entry switched, the host reboots into it (or, in-service, the running
// deployment's /usr is updated from it); rollback boots the previous
// deployment. ostree gives content-addressed, deduplicated storage and a
// whole-OS scope. Flock installs a release's files under a versioned
// root instead: it needs no ostree, bootloader or reboot to test, works
// for one product's tree inside a larger system (containers, appliances,
// a vendor's own directory), and keeps the same guarantees that matter
// to the deploy lifecycle — the previous version stays until commit, the
// switch is atomic, a reboot-required release takes effect at the next
// boot, and the host reports idle / installing / install-failed /
// install-rejected (§4.1's agent states) truthfully after a crash. It
// costs disk (two whole trees, no deduplication) and leaves switching
// running processes to the product (restart them, or run from current
// on the next start).
//
// # Errors
//
// ErrInvalid (a bad id, an unsafe or corrupted entry: *FieldError,
// *EntryError), ErrScript (*ScriptError), ErrInvalidTransition
// (a pending switch, nothing to roll back to), ErrCorruptState (an
// unreadable journal: nothing is touched). File-system errors pass
// through wrapped: errors.Is(err, syscall.ENOSPC), fs.ErrPermission.
package installer
