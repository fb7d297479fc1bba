package lint_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// heavyPackages are the import path prefixes a vendor who wants one
// service's portable package, transport or test kit must not pay for.
var heavyPackages = []string{"k8s.io/", "sigs.k8s.io/", "helm.sh/", "github.com/ceph/", "libvirt.org/",
	"github.com/digitalocean/go-libvirt", "github.com/digitalocean/go-qemu", "github.com/gophercloud/",
	"github.com/stmcginnis/gofish", "github.com/bougou/go-ipmi"}

// lightPackages are the portable packages, transports, stores and test
// kits of every service (DESIGN.md, "Import weight").
var lightPackages = []string{
	"./fault", "./fault/faulthttp", "./fault/faulttest", "./fault/faultsql", "./fault/faultstore",
	"./inventory", "./inventory/inventoryhttp", "./inventory/inventorytest", "./inventory/inventorysql", "./inventory/hwdiscovery", "./agent", "./agent/agenttest", "./agent/linuxconfig", "./hostmgmt", "./hostmgmt/hostmgmthttp", "./hostmgmt/hostmgmttest", "./hostmgmt/hostmgmtsql", "./hostmgmt/heartbeat", "./hostmgmt/bmcsim", "./ha",
}

func heavyDeps(deps []string) []string {
	var bad []string
	for _, d := range deps {
		for _, h := range heavyPackages {
			if strings.HasPrefix(d, h) {
				bad = append(bad, d)
			}
		}
	}
	return bad
}

// TestPackageImportWeight: no service's portable package, transport,
// store or test kit imports a Kubernetes, Helm, Ceph, libvirt, QEMU,
// OpenStack, Redfish or IPMI package (`go list -deps`).
func TestPackageImportWeight(t *testing.T) {
	require.Equal(t, []string{"k8s.io/client-go/rest"}, heavyDeps([]string{"fmt", "k8s.io/client-go/rest"}),
		"the check itself catches a heavy import")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	for _, pkg := range lightPackages {
		cmd := exec.CommandContext(t.Context(), "go", "list", "-deps", pkg)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		deps := strings.Fields(string(out))
		require.Greater(t, len(deps), 10)
		assert.Empty(t, heavyDeps(deps), "heavy dependencies of %s", pkg)
	}
}
