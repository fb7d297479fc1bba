package testenv_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/edgeflock/flock/internal/testenv"
)

// exampleT is the little of testing.TB that Start needs, for an example
// that runs outside a test.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()          {}
func (t *exampleT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) finish() {
	for _, f := range slices.Backward(t.cleanups) {
		f()
	}
}

// A starter for a component of your own: start the process (it dies with
// the test binary, and the cleanup stops it), then wait until it answers.
// WaitFor's error carries the component's output if it exits or never
// becomes ready.
func ExampleStart() {
	t := &exampleT{}
	defer t.finish()
	dir, _ := os.MkdirTemp("", "example-")
	defer os.RemoveAll(dir)
	ready := filepath.Join(dir, "ready")

	p, err := testenv.Start(t, "mydaemon", nil, "/bin/sh", "-c", "sleep 0.2; touch "+ready+"; exec sleep 60")
	if err != nil {
		fmt.Println(err)
		return
	}
	p.Grace = time.Second
	err = testenv.WaitFor(p, 10*time.Second, func() error {
		_, err := os.Stat(ready)
		return err
	})
	fmt.Println("ready:", err == nil)
	// Output: ready: true
}
