// Package openstacktestenv starts the OpenStack services the OpenStack
// engines are tested against, today Keystone (the Identity service), as
// child processes on 127.0.0.1 stopped in t.Cleanup (see internal/testenv).
// It lives in the engines/openstack module so that only the tests which
// need OpenStack link gophercloud.
package openstacktestenv

import (
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/edgeflock/flock/internal/testenv"
)

// Keystone is a running OpenStack Identity service (Debian's keystone on
// SQLite, served by uwsgi), bootstrapped with an admin user and project
// and one region.
type Keystone struct {
	// AuthURL is the identity endpoint (http://127.0.0.1:port/v3/).
	AuthURL string
	// User and Password are the bootstrap administrator's, in the
	// Default domain, with the role admin on the project admin.
	User, Password, Project, Domain string
	// Region is the region of the catalog's identity endpoint.
	Region string
}

const keystoneInstall = "apt-get install -y keystone uwsgi uwsgi-plugin-python3"

// StartKeystone configures, bootstraps and serves Keystone; it returns
// once the service answers (about 20 s: the database setup and bootstrap
// take most of it).
func StartKeystone(t testing.TB) *Keystone {
	t.Helper()
	manage := testenv.LookPath(t, "Keystone", keystoneInstall, "keystone-manage")
	uwsgi := testenv.LookPath(t, "uwsgi", keystoneInstall, "uwsgi")
	const wsgi = "/usr/bin/keystone-wsgi-public"
	if _, err := os.Stat(wsgi); err != nil {
		testenv.Missing(t, "Keystone", keystoneInstall, err)
	}
	dir := t.TempDir()
	// Keystone binds its port some 20 s after it is chosen (the
	// bootstrap writes the URL first): on 127.0.0.1, a parallel test may
	// take the port meanwhile. An address of its own in 127/8 (all of it
	// is loopback on Linux) leaves it to Keystone.
	l, err := net.Listen("tcp", fmt.Sprintf("127.%d.%d.%d:0", 1+mrand.IntN(254), mrand.IntN(256), 1+mrand.IntN(254)))
	if err != nil {
		t.Fatalf("openstacktestenv: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	k := &Keystone{AuthURL: "http://" + addr + "/v3/", User: "admin",
		Password: rand.Text()[:20], Project: "admin", Domain: "Default", Region: "RegionOne"}
	conf := filepath.Join(dir, "keystone.conf")
	body := fmt.Sprintf(`[DEFAULT]
log_file = %[1]s/keystone.log
[database]
connection = sqlite:///%[1]s/keystone.db
[token]
provider = fernet
[fernet_tokens]
key_repository = %[1]s/fernet-keys
[fernet_receipts]
key_repository = %[1]s/fernet-receipts
[credential]
key_repository = %[1]s/credential-keys
[cache]
enabled = false
`, dir)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	logTail := func() string {
		data, _ := os.ReadFile(filepath.Join(dir, "keystone.log"))
		return testenv.Tail(string(data), 30)
	}
	user := strconv.Itoa(os.Getuid())
	group := strconv.Itoa(os.Getgid())
	for _, args := range [][]string{
		{"db_sync"},
		{"fernet_setup", "--keystone-user", user, "--keystone-group", group},
		{"credential_setup", "--keystone-user", user, "--keystone-group", group},
		{"bootstrap", "--bootstrap-password", k.Password, "--bootstrap-username", k.User,
			"--bootstrap-project-name", k.Project, "--bootstrap-admin-url", k.AuthURL,
			"--bootstrap-internal-url", k.AuthURL, "--bootstrap-public-url", k.AuthURL,
			"--bootstrap-region-id", k.Region},
	} {
		if _, err := testenv.Output(nil, manage, append([]string{"--config-file", conf}, args...)...); err != nil {
			t.Fatalf("openstacktestenv: keystone-manage %s: %v\n--- keystone.log ---\n%s", args[0], err, logTail())
		}
	}
	p, err := testenv.StartEnv(t, "keystone", append(os.Environ(), "OS_KEYSTONE_CONFIG_FILES="+conf), uwsgi,
		"--http-socket", addr, "--plugins", "python3",
		"--wsgi-file", wsgi, "--master", "--processes", "1", "--threads", "4", "--die-on-term",
		"--pidfile", filepath.Join(dir, "uwsgi.pid"))
	if err != nil {
		t.Fatalf("openstacktestenv: %v", err)
	}
	err = testenv.WaitFor(p, 60*time.Second, func() error {
		resp, err := http.Get(k.AuthURL)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", k.AuthURL, resp.Status)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("openstacktestenv: %v\n--- keystone.log ---\n%s", err, logTail())
	}
	return k
}
