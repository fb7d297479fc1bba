package testenv

import (
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Etcd is a running single-member etcd.
type Etcd struct {
	// URL is the client URL (http://127.0.0.1:port).
	URL string
}

const etcdInstall = "apt-get install -y etcd-server etcd-client"

// LookPath finds a component's program, or reports the component missing
// (a failure under CI, a skip elsewhere) with how to install it.
func LookPath(t testing.TB, component, install, program string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		Missing(t, component, install, err)
	}
	return path
}

// StartEtcd starts etcd (without fsync: the tests are not about etcd's
// durability) and returns it healthy.
func StartEtcd(t testing.TB) *Etcd {
	t.Helper()
	bin := LookPath(t, "etcd", etcdInstall, "etcd")
	dir := t.TempDir()
	client, peer := FreePort(t), FreePort(t)
	cu := "http://127.0.0.1:" + strconv.Itoa(client)
	pu := "http://127.0.0.1:" + strconv.Itoa(peer)
	p, err := Start(t, "etcd", nil, bin, "--name", "default", "--data-dir", dir,
		"--listen-client-urls", cu, "--advertise-client-urls", cu,
		"--listen-peer-urls", pu, "--initial-advertise-peer-urls", pu,
		"--initial-cluster", "default="+pu, "--unsafe-no-fsync", "--log-level", "warn")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	err = WaitFor(p, 30*time.Second, func() error {
		resp, err := http.Get(cu + "/health")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), `"health":"true"`) {
			return fmt.Errorf("health: %s", body)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return &Etcd{URL: cu}
}
