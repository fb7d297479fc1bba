package installer_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/patching/installer"
)

// crashChildEnv names the helper process of TestCrashAtEveryPoint:
// "scenario root N". The helper runs the scenario on root and kills
// itself with SIGKILL at its Nth crash point (N 0: never), then prints
// how many points it passed.
const crashChildEnv = "FLOCK_TEST_INSTALLER_CRASH"

// TestMain runs the crash helper when the environment names one, and
// the tests otherwise.
func TestMain(m *testing.M) {
	if spec := os.Getenv(crashChildEnv); spec != "" {
		os.Exit(crashChild(spec))
	}
	os.Exit(m.Run())
}

// crashScript is a script of the crash scenarios' release: it leaves a
// trace outside the root (scripts may run again after a crash).
const crashScript = "#!/bin/sh\necho \"$FLOCK_RELEASE_ID\" >/dev/null\n"

// crashScenarios are the operations killed at every point, with the
// setup they start from (done in the parent) and the outcomes allowed
// after Recover: current release -> the status fields that must go
// with it.
var crashScenarios = map[string]struct {
	setup []string // releases installed first, in order
	// crashed, if set, is an operation killed at a named point after the
	// setup: the scenario starts from its wreck.
	crashed, at string
	run         func(ctx context.Context, in *installer.Installer) error
	outcomes    map[string]func(t *testing.T, st installer.Status)
}{
	"install": {
		setup: []string{"v1"},
		run: func(ctx context.Context, in *installer.Installer) error {
			return in.Install(ctx, release("v2", v2Tree()).withScripts(crashScript, crashScript, crashScript))
		},
		outcomes: map[string]func(*testing.T, installer.Status){
			"v1": func(t *testing.T, st installer.Status) {
				assert.Empty(t, st.Previous)
				if st.Release == "v2" && st.Step != installer.StepDone && st.Step != installer.StepNone {
					assert.Equal(t, installer.StateInstallFailed, st.State, "an interrupted install is reported failed")
					assert.Contains(t, st.Reason, "interrupted")
				}
			},
			"v2": func(t *testing.T, st installer.Status) {
				assert.Equal(t, "v1", st.Previous)
				assert.Equal(t, installer.StateIdle, st.State)
			},
		},
	},
	"failing install": {
		setup: []string{"v1"},
		run: func(ctx context.Context, in *installer.Installer) error {
			err := in.Install(ctx, release("v2", v2Tree()).withScripts(crashScript, "", crashScript, "#!/bin/sh\nexit 1\n"))
			if errors.Is(err, installer.ErrScript) {
				return nil
			}
			return fmt.Errorf("want a script error, got %v", err)
		},
		outcomes: map[string]func(*testing.T, installer.Status){
			"v1": func(t *testing.T, st installer.Status) {
				assert.Empty(t, st.Previous)
				assert.NotEqual(t, installer.StateInstalling, st.State)
			},
		},
	},
	"reboot-required install and boot": {
		setup: []string{"v1"},
		run: func(ctx context.Context, in *installer.Installer) error {
			if err := in.Install(ctx, release("v2", v2Tree()).rebootRequired().withScripts(crashScript, crashScript)); err != nil {
				return err
			}
			_, err := in.Boot(ctx)
			return err
		},
		outcomes: map[string]func(*testing.T, installer.Status){
			"v1": func(t *testing.T, st installer.Status) {
				assert.Empty(t, st.Previous)
			},
			"v2": func(t *testing.T, st installer.Status) {
				assert.Equal(t, "v1", st.Previous)
				assert.Empty(t, st.Pending)
			},
		},
	},
	"rollback": {
		setup: []string{"v1", "v2"},
		run:   func(ctx context.Context, in *installer.Installer) error { return in.Rollback(ctx) },
		outcomes: map[string]func(*testing.T, installer.Status){
			"v1": func(t *testing.T, st installer.Status) { assert.Empty(t, st.Previous) },
			"v2": func(t *testing.T, st installer.Status) { assert.Equal(t, "v1", st.Previous) },
		},
	},
	"recover after a crash after the switch": {
		setup: []string{"v1"}, crashed: "install", at: "switch-renamed",
		run: func(ctx context.Context, in *installer.Installer) error { return in.Recover(ctx) },
		outcomes: map[string]func(*testing.T, installer.Status){
			"v1": func(t *testing.T, st installer.Status) {
				assert.Equal(t, installer.StateInstallFailed, st.State)
				assert.Contains(t, st.Reason, "interrupted at step switch")
			},
		},
	},
	"commit": {
		setup: []string{"v1", "v2"},
		run:   func(ctx context.Context, in *installer.Installer) error { return in.Commit(ctx) },
		outcomes: map[string]func(*testing.T, installer.Status){
			"v2": func(t *testing.T, st installer.Status) {},
		},
	},
}

func crashChild(spec string) int {
	f := strings.Fields(spec)
	if len(f) != 3 {
		return 10
	}
	sc, ok := crashScenarios[strings.ReplaceAll(f[0], "_", " ")]
	n, err := strconv.Atoi(f[2])
	at := ""
	if err != nil {
		at, n = f[2], -1 // a point's name
	}
	if !ok {
		return 11
	}
	count := 0
	opts := &installer.Options{}
	installer.SetCrashHook(opts, func(point string) {
		count++
		fmt.Printf("point %d %s\n", count, point)
		if count == n || point == at {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	})
	in, err := installer.New(installer.Config{Root: f[1]}, opts)
	if err != nil {
		return 12
	}
	if err := sc.run(context.Background(), in); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 13
	}
	fmt.Printf("total %d\n", count)
	return 0
}

// runCrashChild runs the helper and returns its output and whether it
// was killed.
func runCrashChild(t *testing.T, scenario, root string, n any) (string, bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+strings.ReplaceAll(scenario, " ", "_")+" "+root+" "+fmt.Sprint(n))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := cmd.Run()
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return out.String(), true
		}
	}
	require.NoError(t, err, "helper: %s", errb.String())
	return out.String(), false
}

// TestCrashAtEveryPoint kills (SIGKILL) an installer process at every
// crash point of each operation — every journal write (before and after
// its rename), every step, after every extracted file, around the
// switch of current, during the clean-up — then recovers the root in
// this process and checks that it is whole: fully on the old release or
// fully on the new one, current resolving, no staging tree or temp file
// left, and Status telling which. The operation then completes when run
// again.
func TestCrashAtEveryPoint(t *testing.T) {
	for name, sc := range crashScenarios {
		t.Run(name, func(t *testing.T) {
			setup := func(t *testing.T) string {
				root := t.TempDir()
				in := newInstaller(t, root, nil)
				for _, id := range sc.setup {
					require.NoError(t, in.Install(t.Context(), release(id, trees[id])))
				}
				if sc.crashed != "" {
					_, killed := runCrashChild(t, sc.crashed, root, sc.at)
					require.True(t, killed, "the %s crashed at %s", sc.crashed, sc.at)
				}
				return root
			}
			out, killed := runCrashChild(t, name, setup(t), 0)
			require.False(t, killed)
			var total int
			var points []string
			sc := bufio.NewScanner(strings.NewReader(out))
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				if len(f) == 2 && f[0] == "total" {
					total, _ = strconv.Atoi(f[1])
				}
				if len(f) == 3 && f[0] == "point" {
					points = append(points, f[2])
				}
			}
			require.Positive(t, total)
			t.Logf("%d crash points: %s", total, strings.Join(points, " "))
			seen := map[string]int{}
			for n := 1; n <= total; n++ {
				t.Run(strconv.Itoa(n)+"-"+points[n-1], func(t *testing.T) {
					root := setup(t)
					_, killed := runCrashChild(t, name, root, n)
					require.True(t, killed, "the helper reached point %d", n)
					in := newInstaller(t, root, nil)
					st := checkRoot(t, in, root, trees)
					check, ok := crashScenarios[name].outcomes[st.Current]
					require.True(t, ok, "after a crash at %s the current release is %q", points[n-1], st.Current)
					check(t, st)
					seen[st.Current]++
					// Running the operation again completes it.
					err := crashScenarios[name].run(t.Context(), in)
					if name == "rollback" && st.Current == "v1" {
						require.ErrorIs(t, err, installer.ErrInvalidTransition, "the rollback was done")
					} else {
						require.NoError(t, err)
					}
					after := checkRoot(t, in, root, trees)
					_, ok = crashScenarios[name].outcomes[after.Current]
					assert.True(t, ok)
				})
			}
			t.Logf("outcomes: %v", seen)
			if len(crashScenarios[name].outcomes) > 1 {
				assert.Len(t, seen, len(crashScenarios[name].outcomes), "both the old and the new release were seen after a crash")
			}
		})
	}
}
