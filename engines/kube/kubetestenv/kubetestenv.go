// Package kubetestenv starts a Kubernetes control plane for tests: etcd,
// kube-apiserver and kube-controller-manager as child processes on
// 127.0.0.1, with the binaries that scripts/build-kube.sh builds from the
// Go module proxy and caches by version. There is no scheduler and no
// kubelet: pods stay Pending unless a test plays the kubelet.
//
// It lives in the engines/kube module so that only the tests which need
// Kubernetes link client-go (and Helm), and Flock's core go.mod names
// neither.
package kubetestenv

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/edgeflock/flock/internal/testenv"
)

// Version is the Kubernetes version the harness runs; tools/kube/go.mod
// pins the same.
const Version = "v1.37.0"

// Kube is a running control plane.
type Kube struct {
	// Config reaches the API server as a cluster administrator.
	Config *rest.Config
	// Kubeconfig is the path of a kubeconfig file for the same, for tools
	// that read one (Helm, kubectl).
	Kubeconfig string
	// Etcd is the control plane's etcd.
	Etcd *testenv.Etcd
}

// Options tune Start.
type Options struct {
	// NoControllerManager starts only etcd and the API server (about
	// 3 s sooner, 100 MB less): nothing then reacts to objects.
	NoControllerManager bool
}

const install = "scripts/build-kube.sh (make test runs it)"

// BinDir returns the directory holding the Kubernetes binaries:
// $FLOCK_KUBE_BIN, or scripts/build-kube.sh's cache for Version.
func BinDir() string {
	if d := os.Getenv("FLOCK_KUBE_BIN"); d != "" {
		return d
	}
	base := os.Getenv("FLOCK_KUBE_CACHE")
	if base == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache")
		}
		base = filepath.Join(cache, "flock", "kube")
	}
	return filepath.Join(base, Version)
}

// Start starts etcd, kube-apiserver and (unless opts says not)
// kube-controller-manager, and returns once the API server is ready and
// the controllers have created the default ServiceAccount.
func Start(t testing.TB, opts *Options) *Kube {
	t.Helper()
	if opts == nil {
		opts = &Options{}
	}
	bins := BinDir()
	apiserver := filepath.Join(bins, "kube-apiserver")
	if _, err := os.Stat(apiserver); err != nil {
		testenv.Missing(t, "kube-apiserver "+Version, install, err)
	}
	etcd := testenv.StartEtcd(t)
	dir := t.TempDir()
	saKey := filepath.Join(dir, "sa.key")
	writeKey(t, saKey)
	token := rand.Text()
	if err := os.WriteFile(filepath.Join(dir, "tokens.csv"), []byte(token+",admin,admin,system:masters\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	port := testenv.FreePort(t)
	pki := filepath.Join(dir, "pki")
	p, err := testenv.Start(t, "kube-apiserver", nil, apiserver,
		"--etcd-servers="+etcd.URL, "--bind-address=127.0.0.1", "--secure-port="+strconv.Itoa(port),
		"--advertise-address=127.0.0.1", "--endpoint-reconciler-type=none", "--cert-dir="+pki,
		"--service-account-issuer=https://kubernetes.default.svc", "--service-account-key-file="+saKey,
		"--service-account-signing-key-file="+saKey, "--service-cluster-ip-range=10.96.0.0/16",
		"--token-auth-file="+filepath.Join(dir, "tokens.csv"), "--authorization-mode=RBAC")
	if err != nil {
		t.Fatalf("kubetestenv: %v", err)
	}
	k := &Kube{Etcd: etcd, Kubeconfig: filepath.Join(dir, "kubeconfig")}
	k.Config = &rest.Config{
		Host:            "https://127.0.0.1:" + strconv.Itoa(port),
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{CAFile: filepath.Join(pki, "apiserver.crt")},
		QPS:             100,
		Burst:           200,
	}
	err = testenv.WaitFor(p, 90*time.Second, func() error {
		if _, err := os.Stat(k.Config.CAFile); err != nil {
			return err
		}
		cs, err := kubernetes.NewForConfig(k.Config)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return fmt.Errorf("readyz: %w: %s", err, body)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("kubetestenv: %v", err)
	}
	kubeconfig := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: flock
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: admin
  user:
    token: %s
contexts:
- name: flock
  context:
    cluster: flock
    user: admin
current-context: flock
`, k.Config.Host, k.Config.CAFile, token)
	if err := os.WriteFile(k.Kubeconfig, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	if opts.NoControllerManager {
		return k
	}
	cm, err := testenv.Start(t, "kube-controller-manager", nil, filepath.Join(bins, "kube-controller-manager"),
		"--kubeconfig="+k.Kubeconfig, "--leader-elect=false", "--secure-port=0", "--controllers=*",
		"--service-account-private-key-file="+saKey, "--root-ca-file="+k.Config.CAFile,
		"--use-service-account-credentials=false")
	if err != nil {
		t.Fatalf("kubetestenv: %v", err)
	}
	cs := kubernetes.NewForConfigOrDie(k.Config)
	err = testenv.WaitFor(cm, 90*time.Second, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := cs.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("kubetestenv: %v", err)
	}
	return k
}

func writeKey(t testing.TB, path string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der := x509.MarshalPKCS1PrivateKey(key)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
