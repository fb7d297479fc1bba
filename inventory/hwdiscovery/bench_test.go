package hwdiscovery_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/edgeflock/flock/inventory/hwdiscovery"
)

// BenchmarkDiscover is one whole discovery of this machine, in process,
// with the pci.ids database already loaded (once per Discoverer).
func BenchmarkDiscover(b *testing.B) {
	d := hwdiscovery.New(os.DirFS("/"), nil)
	if _, err := d.Discover(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Discover(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiscoverFirst includes reading and parsing pci.ids: an
// agent's first discovery.
func BenchmarkDiscoverFirst(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hwdiscovery.New(os.DirFS("/"), nil).Discover(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLshw and BenchmarkLstopo time the tools operators run for
// the same facts, as processes, for the side-by-side figure.
func BenchmarkLshw(b *testing.B) { benchTool(b, "lshw", "-json") }

// BenchmarkLstopo times hwloc's lstopo writing its XML topology.
func BenchmarkLstopo(b *testing.B) { benchTool(b, "lstopo-no-graphics", "--of", "xml") }

func benchTool(b *testing.B, name string, args ...string) {
	if _, err := exec.LookPath(name); err != nil {
		b.Skipf("%s is not installed (scripts/install-deps.sh): %v", name, err)
	}
	for b.Loop() {
		if out, err := exec.CommandContext(b.Context(), name, args...).Output(); err != nil || len(out) == 0 {
			b.Fatalf("%s: %v", name, err)
		}
	}
}
