package fault_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// heavy are the module prefixes a vendor who wants alarms only must not pay for.
var heavy = []string{"k8s.io/", "sigs.k8s.io/", "helm.sh/", "github.com/ceph/", "libvirt.org/",
	"github.com/digitalocean/go-libvirt", "github.com/digitalocean/go-qemu", "github.com/gophercloud/",
	"github.com/stmcginnis/gofish", "github.com/bougou/go-ipmi"}

func heavyDeps(deps []string) []string {
	var bad []string
	for _, d := range deps {
		for _, h := range heavy {
			if strings.HasPrefix(d, h) {
				bad = append(bad, d)
			}
		}
	}
	return bad
}

// TestImportWeight: fault, its HTTP transport and its test kit pull in no
// Kubernetes, Helm, Ceph, libvirt, QEMU, OpenStack or Redfish package.
func TestImportWeight(t *testing.T) {
	require.Equal(t, []string{"k8s.io/client-go/rest"}, heavyDeps([]string{"fmt", "k8s.io/client-go/rest"}),
		"the check itself catches a heavy import")
	goBin, err := exec.LookPath("go")
	require.NoError(t, err)
	for _, pkg := range []string{".", "./faulthttp", "./faulttest"} {
		out, err := exec.Command(goBin, "list", "-deps", pkg).CombinedOutput()
		require.NoError(t, err, "%s", out)
		deps := strings.Fields(string(out))
		require.Greater(t, len(deps), 10)
		assert.Empty(t, heavyDeps(deps), "heavy dependencies of %s", pkg)
	}
}
