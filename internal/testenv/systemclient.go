package testenv

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// systemClientInstall says how to get StarlingX's system client's
// run-time dependencies.
const systemClientInstall = "scripts/install-deps.sh (apt-get install python3-venv python3-pip python3-oslo.utils python3-keystoneauth1 " +
	"python3-prettytable python3-six python3-httplib2 python3-dateutil python3-requests python3-openssl python3-pbr " +
	"python3-keyring python3-oslo.i18n python3-oslo.serialization python3-requests-toolbelt python3-yaml); " +
	"the client's source is inventory/inventoryhttp/testdata/cgts-client (or set FLOCK_CGTSCLIENT_DIR)"

// SystemClient describes StarlingX's system client (cgts-client, the
// `system` CLI), unchanged: the source in FLOCK_CGTSCLIENT_DIR, or the
// copy vendored in inventory/inventoryhttp/testdata/cgts-client. Every
// test that runs it gets the same description, so they share one venv:
//
//	py := testenv.SystemClient(t).Python(t)
//	// py -m cgtsclient.shell --system-url URL --os-auth-token TOKEN host-list
func SystemClient(t testing.TB) PythonClient {
	t.Helper()
	src := os.Getenv("FLOCK_CGTSCLIENT_DIR")
	if src == "" {
		root, err := moduleRoot()
		require.NoError(t, err)
		src = filepath.Join(root, "inventory", "inventoryhttp", "testdata", "cgts-client")
	}
	return PythonClient{
		Name:   "StarlingX's system client",
		Source: src,
		Imports: []string{"keystoneauth1", "oslo_utils", "prettytable", "six", "httplib2", "dateutil", "requests", "OpenSSL", "pbr",
			"keyring", "oslo_i18n", "oslo_serialization", "requests_toolbelt", "yaml"},
		// cgts-client imports platform_util.oidc (StarlingX's utilities)
		// at start and uses it only for OIDC authentication: a stub
		// stands in. keystoneauth1 imports osprofiler.web, if installed,
		// for its Keystone sessions, which a client given --system-url
		// and --os-auth-token does not use; importing Debian's takes most
		// of the CLI's start-up: a stub stands in.
		Stubs: map[string]string{
			"platform_util/__init__.py":        "",
			"platform_util/oidc/__init__.py":   "",
			"platform_util/oidc/oidc_utils.py": "def get_oidc_token(username):\n    return None\n",
			"osprofiler/__init__.py":           "",
			"osprofiler/web.py":                "def get_trace_id_headers():\n    return {}\n",
		},
		Install: systemClientInstall,
	}
}

// moduleRoot returns the directory of Flock's core module (the go.mod of
// github.com/edgeflock/flock), looking up from the working directory,
// which is a test's package directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && slices.Equal(strings.Fields(moduleLine(data)), []string{"module", "github.com/edgeflock/flock"}) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testenv: no go.mod of github.com/edgeflock/flock above the working directory")
		}
		dir = parent
	}
}

// moduleLine returns a go.mod's module directive line.
func moduleLine(gomod []byte) string {
	for line := range strings.Lines(string(gomod)) {
		if strings.HasPrefix(strings.TrimSpace(line), "module") {
			return line
		}
	}
	return ""
}
