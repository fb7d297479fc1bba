package bmcsim

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nonStdDeps lists the packages outside the standard library that pkg
// needs (go list -deps), itself included.
func nonStdDeps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return strings.Fields(string(out))
}

// TestImportsOnlyHostmgmt: the emulator needs nothing but the standard
// library and hostmgmt (no Redfish or other BMC library).
func TestImportsOnlyHostmgmt(t *testing.T) {
	const self = "github.com/edgeflock/flock/hostmgmt/bmcsim"
	hostmgmt := nonStdDeps(t, "github.com/edgeflock/flock/hostmgmt")
	require.Contains(t, hostmgmt, "github.com/edgeflock/flock/hostmgmt")
	var extra []string
	for _, d := range nonStdDeps(t, self) {
		if d != self && !slices.Contains(hostmgmt, d) {
			extra = append(extra, d)
		}
	}
	assert.Empty(t, extra, "packages %s imports beyond the standard library and hostmgmt", self)
}
