package installer_test

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/patching/installer"
)

func newInstaller(t testing.TB, root string, opts *installer.Options) *installer.Installer {
	t.Helper()
	in, err := installer.New(installer.Config{Root: root}, opts)
	require.NoError(t, err)
	require.NoError(t, in.Recover(t.Context()))
	return in
}

// checkRoot asserts that the root is consistent with the installer's
// Status: current resolves to the current release's tree (trees gives
// each release's expected tree), versions/ holds exactly the releases
// the status references, and no staging or temp file is left. It
// returns the status.
func checkRoot(t testing.TB, in *installer.Installer, root string, trees map[string]map[string]string) installer.Status {
	t.Helper()
	st, err := in.Status()
	require.NoError(t, err)
	assert.NotEqual(t, installer.StateInstalling, st.State, "nothing is in progress")
	target, err := os.Readlink(filepath.Join(root, "current"))
	if st.Current == "" {
		require.ErrorIs(t, err, fs.ErrNotExist, "no current link before the first install")
	} else {
		require.NoError(t, err)
		assert.Equal(t, "versions/"+st.Current, target)
		assert.Equal(t, trees[st.Current], readTree(t, filepath.Join(root, "current")+"/"), "current holds %s, whole", st.Current)
	}
	ents, err := os.ReadDir(filepath.Join(root, "versions"))
	require.NoError(t, err)
	var got, want []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	for _, id := range []string{st.Current, st.Previous, st.Pending} {
		if id != "" {
			want = append(want, id)
			assert.Equal(t, trees[id], readTree(t, filepath.Join(root, "versions", id)), "versions/%s is whole", id)
		}
	}
	slices.Sort(want)
	assert.Equal(t, want, got, "versions/ holds the referenced releases only")
	ents, err = os.ReadDir(root)
	require.NoError(t, err)
	for _, e := range ents {
		assert.Contains(t, []string{"versions", "current", installer.JournalFile}, e.Name(), "no temp file left in the root")
	}
	return st
}

var trees = map[string]map[string]string{"v1": v1Tree(), "v2": v2Tree(), "v3": v1Tree()}

func TestInstallSwitchRollbackCommit(t *testing.T) {
	root := t.TempDir()
	in := newInstaller(t, root, nil)
	ctx := t.Context()
	st := checkRoot(t, in, root, trees)
	assert.Equal(t, installer.Status{State: installer.StateIdle}, st)

	require.NoError(t, in.Install(ctx, release("v1", v1Tree())))
	st = checkRoot(t, in, root, trees)
	assert.Equal(t, installer.Status{Current: "v1", PreviousBase: true, State: installer.StateIdle, Release: "v1", Step: installer.StepDone}, st)
	b, err := os.ReadFile(filepath.Join(root, "current", "lib", "conf-link"))
	require.NoError(t, err)
	assert.Equal(t, "level=1\n", string(b), "the link inside the tree resolves")

	require.NoError(t, in.Install(ctx, release("v1", v1Tree())), "installing the current release again")
	assert.Equal(t, "v1", checkRoot(t, in, root, trees).Current)

	require.NoError(t, in.Install(ctx, release("v2", v2Tree())))
	st = checkRoot(t, in, root, trees)
	assert.Equal(t, "v2", st.Current)
	assert.Equal(t, "v1", st.Previous, "the previous release stays until commit")

	require.NoError(t, in.Rollback(ctx))
	st = checkRoot(t, in, root, trees)
	assert.Equal(t, installer.Status{Current: "v1", State: installer.StateIdle, Release: "v2"}, st, "back on v1, v2 removed")
	require.ErrorIs(t, in.Rollback(ctx), installer.ErrInvalidTransition, "nothing to roll back to")

	require.NoError(t, in.Install(ctx, release("v2", v2Tree())))
	require.NoError(t, in.Commit(ctx))
	st = checkRoot(t, in, root, trees)
	assert.Equal(t, "v2", st.Current)
	assert.Empty(t, st.Previous, "commit removed v1")
	require.ErrorIs(t, in.Rollback(ctx), installer.ErrInvalidTransition)

	// A third release drops the one before the previous.
	require.NoError(t, in.Install(ctx, release("v3", v1Tree())))
	require.NoError(t, in.Install(ctx, release("v1", v1Tree())))
	st = checkRoot(t, in, root, trees)
	assert.Equal(t, []string{"v1", "v3"}, []string{st.Current, st.Previous})

	// Another installer on the same root (a restart) reads the same.
	again := newInstaller(t, root, nil)
	st2, err := again.Status()
	require.NoError(t, err)
	assert.Equal(t, st, st2)
}

func TestRebootRequiredWaitsForBoot(t *testing.T) {
	root := t.TempDir()
	in := newInstaller(t, root, nil)
	ctx := t.Context()
	require.NoError(t, in.Install(ctx, release("v1", v1Tree())))
	require.NoError(t, in.Install(ctx, release("v2", v2Tree()).rebootRequired()))
	st := checkRoot(t, in, root, trees)
	assert.Equal(t, []string{"v1", "", "v2"}, []string{st.Current, st.Previous, st.Pending}, "not switched before the boot")

	err := in.Install(ctx, release("v3", v1Tree()))
	require.ErrorIs(t, err, installer.ErrInvalidTransition)
	st = checkRoot(t, in, root, trees)
	assert.Equal(t, installer.StateInstallRejected, st.State)
	assert.Contains(t, st.Reason, "v2 is installed and waits for the next boot")
	assert.Equal(t, "v2", st.Pending, "a refusal changes nothing")

	// The host reboots: a new installer, Boot.
	in = newInstaller(t, root, nil)
	switched, err := in.Boot(ctx)
	require.NoError(t, err)
	assert.True(t, switched)
	st = checkRoot(t, in, root, trees)
	assert.Equal(t, []string{"v2", "v1", ""}, []string{st.Current, st.Previous, st.Pending})
	switched, err = in.Boot(ctx)
	require.NoError(t, err)
	assert.False(t, switched, "nothing pending")

	// A pending release is rolled back by dropping it.
	require.NoError(t, in.Commit(ctx))
	require.NoError(t, in.Install(ctx, release("v3", v1Tree()).rebootRequired()))
	require.NoError(t, in.Rollback(ctx))
	st = checkRoot(t, in, root, trees)
	assert.Equal(t, []string{"v2", "", ""}, []string{st.Current, st.Previous, st.Pending})
}

func TestScriptsEnvironment(t *testing.T) {
	t.Setenv("FLOCK_TEST_LEAK", "leaked")
	root := t.TempDir()
	in := newInstaller(t, root, nil)
	ctx := t.Context()
	require.NoError(t, in.Install(ctx, release("v1", v1Tree())))
	env := `#!/bin/sh
set -e
out="$FLOCK_ROOT/../$1"
{ echo "id=$FLOCK_RELEASE_ID"; echo "root=$FLOCK_ROOT"; echo "new=$FLOCK_NEW_ROOT"; echo "leak=$FLOCK_TEST_LEAK"; echo "pwd=$(pwd)"; echo "current=$(readlink "$FLOCK_ROOT/current")"; cat "$FLOCK_NEW_ROOT/bin/app"; } > "$FLOCK_ROOT/../%s"
`
	p := release("v2", v2Tree()).withScripts(
		strings.ReplaceAll(env, "%s", "pre.out"),
		strings.ReplaceAll(env, "%s", "post.out"),
		strings.ReplaceAll(env, "%s", "act.out"))
	require.NoError(t, in.Install(ctx, p))
	newRoot := filepath.Join(root, "versions", "v2")
	for name, cur := range map[string]string{"pre.out": "versions/v1", "post.out": "versions/v1", "act.out": "versions/v2"} {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(root), name))
		require.NoError(t, err, name)
		assert.Equal(t, "id=v2\nroot="+root+"\nnew="+newRoot+"\nleak=\npwd="+newRoot+"\ncurrent="+cur+"\napp v2\n", string(b), name)
	}
}

func TestScriptFailureStaysOnPrevious(t *testing.T) {
	for _, tc := range []struct {
		name     string
		payload  *fakePayload
		step     installer.Step
		script   string
		contains string
	}{
		{"pre_install", release("v2", v2Tree()).withScripts("#!/bin/sh\necho checking\necho 'disk too old' >&2\nexit 3\n", ""),
			installer.StepPreInstall, "pre.sh", "exit status 3: disk too old"},
		{"post_install", release("v2", v2Tree()).withScripts("#!/bin/sh\ntrue\n", "#!/bin/sh\necho 'cannot migrate'\nexit 1\n"),
			installer.StepPostInstall, "post.sh", "exit status 1: cannot migrate"},
		{"activation after the switch", release("v2", v2Tree()).withScripts("", "", "#!/bin/sh\necho ok\n", "#!/bin/sh\necho 'service did not start'\nexit 7\n"),
			installer.StepActivate, "activate-1.sh", "exit status 7: service did not start"},
		{"not executable", release("v2", v2Tree()).withScripts("garbage without a shebang \x00\x01", ""),
			installer.StepPreInstall, "pre.sh", "exec format error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			in := newInstaller(t, root, nil)
			ctx := t.Context()
			require.NoError(t, in.Install(ctx, release("v1", v1Tree())))
			err := in.Install(ctx, tc.payload)
			require.ErrorIs(t, err, installer.ErrScript)
			var se *installer.ScriptError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.script, se.Name)
			assert.Contains(t, err.Error(), "install v2: "+string(tc.step))
			assert.Contains(t, err.Error(), tc.contains)
			st := checkRoot(t, in, root, trees)
			assert.Equal(t, "v1", st.Current, "the host stays on v1")
			assert.Empty(t, st.Previous)
			assert.Equal(t, installer.StateInstallFailed, st.State)
			assert.Equal(t, "v2", st.Release)
			assert.Equal(t, tc.step, st.Step)
			assert.Equal(t, err.Error(), st.Reason)
			assert.Equal(t, se.Output, st.Output)

			// The next attempt can succeed.
			require.NoError(t, in.Install(ctx, release("v2", v2Tree())))
			assert.Equal(t, "v2", checkRoot(t, in, root, trees).Current)
		})
	}
}

func TestScriptTimeoutKillsTheGroup(t *testing.T) {
	root := t.TempDir()
	in := newInstaller(t, root, &installer.Options{ScriptTimeout: 500 * time.Millisecond})
	ctx := t.Context()
	pidFile := filepath.Join(t.TempDir(), "pid")
	// The script starts a grandchild in its group and waits for it.
	p := release("v2", v2Tree()).withScripts("#!/bin/sh\necho started\nsleep 600 &\necho $! > "+pidFile+"\nwait\n", "")
	err := in.Install(ctx, p)
	require.ErrorIs(t, err, installer.ErrScript)
	assert.Contains(t, err.Error(), "timed out after 500ms")
	st := checkRoot(t, in, root, trees)
	assert.Equal(t, installer.StateInstallFailed, st.State)
	assert.Contains(t, st.Output, "started")
	b, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	assert.Eventually(t, func() bool {
		s, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return true // gone
		}
		f := strings.Fields(string(s))
		return len(f) > 2 && f[2] == "Z" // killed, not yet reaped by init
	}, 10*time.Second, 20*time.Millisecond, "the script's background child was killed with its group")
}

func TestCorruptContent(t *testing.T) {
	good := buildTar(v2Tree(), true)
	// A cut at a block boundary between two entries.
	truncated := good[:len(good)/2/512*512]
	badHeader := slices.Clone(good)
	badHeader[0] ^= 0x20 // the first header's name: its checksum no longer matches
	tampered := v2Tree()
	sums := buildTar(tampered, true)
	// Change one byte of a file's body, keeping the size: the digest
	// record catches it.
	i := strings.Index(string(sums), "app v2")
	require.Positive(t, i)
	sums = slices.Clone(sums)
	sums[i+4] = 'X'
	for _, tc := range []struct {
		name     string
		raw      []byte
		contains string
	}{
		{"cut between entries", truncated, "no end-of-archive marker"},
		{"cut inside a file", good[:strings.Index(string(good), "app v2")+3], `content entry "bin/app": truncated after 3 of 7 bytes`},
		{"one zero block missing", good[:len(good)-512], "no end-of-archive marker"},
		{"empty", []byte{}, "no end-of-archive marker"},
		{"header checksum", badHeader, "corrupted content"},
		{"digest mismatch", sums, `content entry "bin/app": SHA-256 mismatch`},
		{"not a tar", []byte("<html>502 Bad Gateway</html>" + strings.Repeat(" ", 600)), "corrupted content"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			in := newInstaller(t, root, nil)
			require.NoError(t, in.Install(t.Context(), release("v1", v1Tree())))
			p := release("v2", nil)
			p.raw = tc.raw
			err := in.Install(t.Context(), p)
			require.ErrorIs(t, err, installer.ErrInvalid)
			assert.Contains(t, err.Error(), "install v2: extract")
			assert.Contains(t, err.Error(), tc.contains)
			st := checkRoot(t, in, root, trees)
			assert.Equal(t, "v1", st.Current)
			assert.Equal(t, installer.StateInstallFailed, st.State)
			assert.Equal(t, installer.StepExtract, st.Step)
		})
	}
}

func TestUnsafeEntriesRejected(t *testing.T) {
	reg := func(name string) *tar.Header {
		return &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: 1, Mode: 0o644}
	}
	link := func(name, target string) *tar.Header {
		return &tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target}
	}
	for _, tc := range []struct {
		name    string
		entries []*tar.Header
		entry   string
		reason  string
	}{
		{"dot-dot", []*tar.Header{reg("../evil")}, "../evil", "leaves the tree"},
		{"dot-dot inside", []*tar.Header{reg("a/../../evil")}, "a/../../evil", "not canonical"},
		{"leading dot-dot canonical", []*tar.Header{reg("../../etc/passwd")}, "../../etc/passwd", "leaves the tree"},
		{"absolute", []*tar.Header{reg("/etc/passwd")}, "/etc/passwd", "absolute path"},
		{"symlink absolute", []*tar.Header{link("etc", "/etc")}, "etc", "absolute path"},
		{"symlink up", []*tar.Header{link("a/up", "../..")}, "a/up", "leaves the tree"},
		{"symlink non-canonical", []*tar.Header{link("a/b", "c/../../..")}, "a/b", "not canonical"},
		{"write through a symlink", []*tar.Header{link("d", "sub"), {Typeflag: tar.TypeDir, Name: "sub/", Mode: 0o755}, reg("d/f")}, "d/f", `parent "d" is a symbolic link`},
		{"hard link", []*tar.Header{reg("a"), {Typeflag: tar.TypeLink, Name: "b", Linkname: "a"}}, "b", "hard link"},
		{"char device", []*tar.Header{{Typeflag: tar.TypeChar, Name: "null", Devmajor: 1, Devminor: 3}}, "null", "device file"},
		{"block device", []*tar.Header{{Typeflag: tar.TypeBlock, Name: "sda", Devmajor: 8}}, "sda", "device file"},
		{"fifo", []*tar.Header{{Typeflag: tar.TypeFifo, Name: "p"}}, "p", "FIFO"},
		{"duplicate", []*tar.Header{reg("a"), reg("a")}, "a", "duplicate"},
		{"file over a directory", []*tar.Header{reg("a/b"), reg("a")}, "a", "create"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			in := newInstaller(t, root, nil)
			require.NoError(t, in.Install(t.Context(), release("v1", v1Tree())))
			p := release("v2", nil)
			p.raw = rawTar(t, tc.entries...)
			err := in.Install(t.Context(), p)
			require.ErrorIs(t, err, installer.ErrInvalid)
			var ee *installer.EntryError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, tc.entry, ee.Entry)
			assert.Contains(t, err.Error(), tc.reason)
			st := checkRoot(t, in, root, trees)
			assert.Equal(t, "v1", st.Current)
			assert.Equal(t, installer.StateInstallFailed, st.State)
		})
	}
}

// TestSparseFileRejected: a PAX sparse file (GNU 0.1 format, which
// archive/tar reads but cannot write) would expand to its declared size.
func TestSparseFileRejected(t *testing.T) {
	records := map[string]string{"GNU.sparse.major": "0", "GNU.sparse.minor": "1", "GNU.sparse.name": "s",
		"GNU.sparse.size": "1048576", "GNU.sparse.numblocks": "1", "GNU.sparse.map": "1048575,1"}
	var pax []byte
	for _, k := range slices.Sorted(maps.Keys(records)) {
		rec := " " + k + "=" + records[k] + "\n"
		n := len(rec) + 1
		for len(strconv.Itoa(n))+len(rec) != n {
			n++
		}
		pax = append(pax, strconv.Itoa(n)+rec...)
	}
	// A regular entry holding the records, turned into a PAX header.
	raw := rawTar(t, &tar.Header{Typeflag: tar.TypeReg, Name: "PaxHeaders/s", Size: int64(len(pax)), Mode: 0o644, Format: tar.FormatUSTAR})
	raw = raw[:len(raw)-1024] // without its end marker
	copy(raw[512:], pax)
	raw[156] = tar.TypeXHeader
	copy(raw[148:156], "        ")
	sum := 0
	for _, c := range raw[:512] {
		sum += int(c)
	}
	copy(raw[148:156], fmt.Sprintf("%06o\x00 ", sum))
	raw = append(raw, rawTar(t, &tar.Header{Typeflag: tar.TypeReg, Name: "s", Size: 1, Mode: 0o644, Format: tar.FormatUSTAR})...)
	hdr, err := tar.NewReader(bytes.NewReader(raw)).Next()
	require.NoError(t, err)
	require.Equal(t, "1048575,1", hdr.PAXRecords["GNU.sparse.map"], "archive/tar reads it as a sparse file")

	root := t.TempDir()
	in := newInstaller(t, root, nil)
	p := release("v1", nil)
	p.raw = raw
	err = in.Install(t.Context(), p)
	require.ErrorIs(t, err, installer.ErrInvalid)
	assert.Contains(t, err.Error(), `content entry "s": sparse file`)
	assert.Equal(t, installer.StateInstallFailed, checkRoot(t, in, root, trees).State)
}

func TestRejectedBeforeStart(t *testing.T) {
	root := t.TempDir()
	in := newInstaller(t, root, nil)
	for _, id := range []string{"", "../v1", ".staging-x", "a/b", "v 1"} {
		err := in.Install(t.Context(), release(id, v1Tree()))
		require.ErrorIs(t, err, installer.ErrInvalid, "id %q", id)
		var fe *installer.FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "id", fe.Field)
		st := checkRoot(t, in, root, trees)
		assert.Equal(t, installer.StateInstallRejected, st.State)
		assert.Empty(t, st.Current)
	}
}

func TestDiskFull(t *testing.T) {
	root := testenv.MountTmpfs(t, "1M")
	in := newInstaller(t, root, nil)
	ctx := t.Context()
	require.NoError(t, in.Install(ctx, release("v1", v1Tree())))
	big := v2Tree()
	for k := range 8 {
		big["data/blob"+strconv.Itoa(k)] = strings.Repeat(strconv.Itoa(k), 200<<10)
	}
	err := in.Install(ctx, release("v2", big))
	require.ErrorIs(t, err, syscall.ENOSPC)
	assert.Contains(t, err.Error(), `install v2: extract`)
	assert.Contains(t, err.Error(), `content entry "data/blob`)
	st := checkRoot(t, in, root, trees)
	assert.Equal(t, "v1", st.Current)
	assert.Equal(t, installer.StateInstallFailed, st.State)
	assert.Contains(t, st.Reason, "no space left on device")
	// The space came back: a smaller release installs.
	require.NoError(t, in.Install(ctx, release("v2", v2Tree())))
}

func TestPermissionDenied(t *testing.T) {
	root := t.TempDir()
	versions := filepath.Join(root, "versions")
	require.NoError(t, os.Mkdir(versions, 0o755))
	if os.Geteuid() == 0 {
		// Root ignores modes: a read-only tmpfs on versions/.
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", versions).CombinedOutput(); err != nil {
			testenv.Missing(t, "a tmpfs mount (root)", "run the tests as root", errors.New(strings.TrimSpace(string(out))))
		}
		t.Cleanup(func() {
			if out, err := exec.Command("umount", versions).CombinedOutput(); err != nil {
				t.Errorf("umount: %v: %s", err, out)
			}
		})
	} else {
		require.NoError(t, os.Chmod(versions, 0o555))
		t.Cleanup(func() { _ = os.Chmod(versions, 0o755) })
	}
	in := newInstaller(t, root, nil)
	err := in.Install(t.Context(), release("v1", v1Tree()))
	require.Error(t, err)
	assert.True(t, errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS), "a permission error: %v", err)
	assert.Contains(t, err.Error(), "install v1: extract")
	assert.Contains(t, err.Error(), filepath.Join(versions, ".staging-v1"))
	st, serr := in.Status()
	require.NoError(t, serr)
	assert.Equal(t, installer.StateInstallFailed, st.State)
	assert.Empty(t, st.Current)
	_, lerr := os.Lstat(filepath.Join(root, "current"))
	assert.ErrorIs(t, lerr, fs.ErrNotExist)
}

func TestStatusAndRecoverOfACorruptJournal(t *testing.T) {
	root := t.TempDir()
	in := newInstaller(t, root, nil)
	require.NoError(t, in.Install(t.Context(), release("v1", v1Tree())))
	require.NoError(t, os.WriteFile(filepath.Join(root, installer.JournalFile), []byte(`{"format":1,"state":"dancing"}`), 0o600))
	again, err := installer.New(installer.Config{Root: root}, nil)
	require.NoError(t, err)
	_, err = again.Status()
	require.ErrorIs(t, err, installer.ErrCorruptState)
	err = again.Recover(t.Context())
	require.ErrorIs(t, err, installer.ErrCorruptState)
	assert.Contains(t, err.Error(), "invalid state")
	assert.Equal(t, v1Tree(), readTree(t, filepath.Join(root, "versions", "v1")), "nothing was removed")
}

func TestRecoverWithoutJournalAdoptsCurrent(t *testing.T) {
	root := t.TempDir()
	in := newInstaller(t, root, nil)
	require.NoError(t, in.Install(t.Context(), release("v1", v1Tree())))
	require.NoError(t, os.Remove(filepath.Join(root, installer.JournalFile)))
	again := newInstaller(t, root, nil)
	st := checkRoot(t, again, root, trees)
	assert.Equal(t, "v1", st.Current)
}

func TestNewChecksConfig(t *testing.T) {
	_, err := installer.New(installer.Config{}, nil)
	var fe *installer.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "root", fe.Field)
	_, err = installer.New(installer.Config{Root: t.TempDir()}, &installer.Options{ScriptTimeout: -1})
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "script_timeout", fe.Field)
}

// TestRollbackToBase: a first install not committed yet rolls back to
// the base install: no current link, the release removed; committed, it
// cannot.
func TestRollbackToBase(t *testing.T) {
	root := t.TempDir()
	in := newInstaller(t, root, nil)
	ctx := t.Context()
	require.NoError(t, in.Install(ctx, release("v1", v1Tree())))
	require.NoError(t, in.Rollback(ctx))
	st := checkRoot(t, in, root, trees)
	assert.Equal(t, "", st.Current)
	assert.False(t, st.PreviousBase)
	_, err := os.Lstat(filepath.Join(root, "current"))
	assert.True(t, os.IsNotExist(err), "no current link: the base install")
	require.ErrorIs(t, in.Rollback(ctx), installer.ErrInvalidTransition)

	require.NoError(t, in.Install(ctx, release("v1", v1Tree())))
	require.NoError(t, in.Commit(ctx))
	st = checkRoot(t, in, root, trees)
	assert.Equal(t, "v1", st.Current)
	assert.False(t, st.PreviousBase)
	require.ErrorIs(t, in.Rollback(ctx), installer.ErrInvalidTransition, "committed")
}
