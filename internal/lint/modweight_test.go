package lint_test

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// heavyModules are the module path prefixes a vendor who imports fault
// management must not find in its go.mod, go.sum or module graph: they
// belong to the engine modules under engines/ (DESIGN.md, "Modules").
// The core module's own BMC engines (gofish, go-ipmi, go-qemu with its
// go-libvirt) are pure Go and small: issue 19 keeps them in the core
// module, so they may show in the graph; TestPackageImportWeight keeps
// them out of every portable package's imports.
var heavyModules = []string{
	"k8s.io/",                 // Kubernetes
	"sigs.k8s.io/",            // Kubernetes
	"helm.sh/",                // Helm
	"github.com/ceph/go-ceph", // Ceph
	"libvirt.org/",            // libvirt (cgo)
	"github.com/gophercloud/", // OpenStack
}

// alarmsOnly is a vendor's program that uses fault management and
// inventory only: one exported name of each of their portable packages,
// transports, stores and test kits.
const alarmsOnly = `package main

import (
	"fmt"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorysql"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

var (
	_     fault.Service     = (*faulthttp.Client)(nil)
	_     inventory.Service = (*inventoryhttp.Client)(nil)
	_     inventory.Service = (*inventorysql.Manager)(nil)
	suite                   = faulttest.RunServiceSuite
	suite2                  = inventorytest.RunServiceSuite
)

func main() { fmt.Println(suite != nil, suite2 != nil) }
`

// TestImportWeight builds a throwaway module that imports fault
// management from this checkout, lets `go mod tidy` write its go.mod and
// go.sum, and checks that neither they nor its module graph (`go list -m
// all`) name a Kubernetes, Helm, Ceph, libvirt or OpenStack module: a
// vendor who wants alarms only must not get them into its build or its
// module graph.
//
// The graph is the check that catches a heavy requirement of Flock's own
// go.mod: with module graph pruning, `go mod tidy` leaves the modules of
// packages the program does not import out of its go.mod and go.sum, but
// they stay in its graph, where they raise the versions of the vendor's
// other dependencies (minimal version selection) and show in `go list -m
// all`, `go mod graph`, vulnerability scans and SBOMs.
func TestImportWeight(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(root, "go.mod"), "the repository root")

	dir := t.TempDir()
	gomod := "module example.com/alarmsonly\n\ngo 1.26.0\n\n" +
		"require github.com/edgeflock/flock v0.0.0\n\n" +
		"replace github.com/edgeflock/flock => " + root + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(alarmsOnly), 0o600))

	goCmd := func(args ...string) []byte {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), "go", args...)
		cmd.Dir = dir
		// The vendor's module stands alone: no go.work of this checkout,
		// no -mod flags of the caller.
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
		return out
	}
	goCmd("mod", "tidy")
	named := map[string][]string{
		"go.mod": modulePaths(t, filepath.Join(dir, "go.mod"), false),
		"go.sum": modulePaths(t, filepath.Join(dir, "go.sum"), true),
	}
	goCmd("build", "-o", filepath.Join(dir, "alarmsonly"), ".")
	graph := goCmd("list", "-m", "all")
	named["the module graph (go list -m all)"] = firstFields(string(graph))
	require.Contains(t, named["the module graph (go list -m all)"], "github.com/edgeflock/flock", "go list -m all:\n%s", graph)
	for where, paths := range named {
		var found []string
		for _, path := range paths {
			for _, heavy := range heavyModules {
				if strings.HasPrefix(path, heavy) && !slices.Contains(found, path) {
					found = append(found, path)
				}
			}
		}
		assert.Empty(t, found, "%s of a program that imports fault and inventory only names heavy modules", where)
	}
}

// firstFields returns the first field of every non-empty line of s.
func firstFields(s string) []string {
	var first []string
	for line := range strings.Lines(s) {
		if fields := strings.Fields(line); len(fields) > 0 {
			first = append(first, fields[0])
		}
	}
	return first
}

// modulePaths returns the words of a go.mod, or the first field of each
// line of a go.sum (sum): each module path the file names is among them.
// A go.sum may be absent (a program without dependencies).
func modulePaths(t *testing.T, file string, sum bool) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	if sum && errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	if sum {
		return firstFields(string(data))
	}
	return strings.Fields(string(data))
}
