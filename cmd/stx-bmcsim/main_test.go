package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/qemubmc"
	"github.com/edgeflock/flock/internal/bmcsimcmd"
	"github.com/edgeflock/flock/internal/testenv"
)

// build builds stx-bmcsim into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "stx-bmcsim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// start runs the binary on a free port with args and waits until its
// service root answers.
func start(t *testing.T, bin, scheme string, client *http.Client, args ...string) (*testenv.Proc, string) {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
	p, err := testenv.Start(t, "stx-bmcsim", nil, bin, append([]string{"--listen", addr}, args...)...)
	require.NoError(t, err)
	url := scheme + "://" + addr
	require.NoError(t, testenv.WaitFor(p, 30*time.Second, func() error {
		resp, err := client.Get(url + "/redfish/v1/")
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}))
	return p, url
}

func call(t *testing.T, client *http.Client, method, url, user, pass, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.SetBasicAuth(user, pass)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	if len(data) > 0 {
		require.NoError(t, json.Unmarshal(data, &m), "%s", data)
	}
	return resp.StatusCode, m
}

func TestServesSystemsAndStopsOnSIGTERM(t *testing.T) {
	bin := build(t)
	passFile := filepath.Join(t.TempDir(), "password")
	require.NoError(t, os.WriteFile(passFile, []byte("pw-from-file\n"), 0o600))
	client := &http.Client{Timeout: 10 * time.Second}
	p, url := start(t, bin, "http", client, "--password-file", passFile, "--system", "node-a", "--system", "node-b=memory:?off=true")

	code, coll := call(t, client, http.MethodGet, url+"/redfish/v1/Systems", "admin", "pw-from-file", "")
	require.Equal(t, http.StatusOK, code)
	assert.ElementsMatch(t, []any{
		map[string]any{"@odata.id": "/redfish/v1/Systems/node-a"},
		map[string]any{"@odata.id": "/redfish/v1/Systems/node-b"},
	}, coll["Members"])
	_, sys := call(t, client, http.MethodGet, url+"/redfish/v1/Systems/node-b", "admin", "pw-from-file", "")
	assert.Equal(t, "Off", sys["PowerState"], "memory:?off=true starts off")

	code, _ = call(t, client, http.MethodPost, url+"/redfish/v1/Systems/node-a/Actions/ComputerSystem.Reset", "admin", "pw-from-file", `{"ResetType":"ForceOff"}`)
	require.Equal(t, http.StatusNoContent, code)
	_, sys = call(t, client, http.MethodGet, url+"/redfish/v1/Systems/node-a", "admin", "pw-from-file", "")
	assert.Equal(t, "Off", sys["PowerState"])
	code, body := call(t, client, http.MethodPost, url+"/redfish/v1/Systems/node-a/Actions/ComputerSystem.Reset", "admin", "pw-from-file", `{"ResetType":"Explode"}`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body["error"].(map[string]any)["message"], "ResetType@Redfish.AllowableValues")
	code, _ = call(t, client, http.MethodGet, url+"/redfish/v1/Systems/node-a", "admin", "wrong", "")
	assert.Equal(t, http.StatusUnauthorized, code)

	require.NoError(t, p.Cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-p.Exited:
	case <-time.After(15 * time.Second):
		t.Fatal("stx-bmcsim did not stop on SIGTERM")
	}
	assert.Equal(t, 0, p.Cmd.ProcessState.ExitCode(), "log:\n%s", p.Log.Tail(20))
	assert.Contains(t, p.Log.Tail(20), "stx-bmcsim: stopping")
}

func TestServesTLS(t *testing.T) {
	bin := build(t)
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	pool := x509.NewCertPool()
	pem, err := os.ReadFile(cert)
	require.NoError(t, err)
	require.True(t, pool.AppendCertsFromPEM(pem))
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	_, url := start(t, bin, "https", client, "--password", "pw", "--tls-cert", cert, "--tls-key", key)
	code, sys := call(t, client, http.MethodGet, url+"/redfish/v1/Systems/1", "admin", "pw", "")
	require.Equal(t, http.StatusOK, code, "the default system is 1")
	assert.Equal(t, "On", sys["PowerState"])
}

// selfSigned writes a certificate for 127.0.0.1 and its key into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "stx-bmcsim test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	require.NoError(t, err)
	kder, err := x509.MarshalECPrivateKey(k)
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600))
	return certFile, keyFile
}

func TestBadCommandLines(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	empty := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no-password", nil, "--password or --password-file is required"},
		{"both-passwords", []string{"--password", "a", "--password-file", empty}, "give one"},
		{"empty-password-file", []string{"--password-file", empty}, "empty first line"},
		{"missing-password-file", []string{"--password-file", "/nonexistent/pw"}, "--password-file"},
		{"tls-cert-alone", []string{"--password", "a", "--tls-cert", "c.pem"}, "--tls-cert and --tls-key go together"},
		{"unknown-backend", []string{"--password", "a", "--system", "vm1=libvirt:///vm1"}, `unknown scheme "libvirt"`},
		{"qemu-backend-host", []string{"--password", "a", "--system", "vm1=qemu+unix://host/run/qmp.sock"}, `want qemu+unix:///path/to/qmp.sock`},
		{"bad-memory-option", []string{"--password", "a", "--system", "vm1=memory:?off=maybe"}, "off="},
		{"bad-system-name", []string{"--password", "a", "--system", "a/b"}, "invalid id"},
		{"duplicate-system", []string{"--password", "a", "--system", "x", "--system", "x"}, "already served"},
		{"missing-mockup", []string{"--password", "a", "--mockup", "/nonexistent"}, "--mockup"},
		{"bad-mockup", []string{"--password", "a", "--mockup", t.TempDir()}, "no service root"},
		{"bad-log-level", []string{"--password", "a", "--log-level", "loud"}, "--log-level"},
		{"extra-argument", []string{"--password", "a", "serve"}, "unexpected arguments"},
		{"busy-port", []string{"--password", "a", "--listen", busy.Addr().String()}, "address already in use"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := bmcsimcmd.Run(tc.args, io.Discard, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestQEMUBackend: a Redfish reset of a system backed by a QEMU VM acts
// on the VM itself, as the VM's own QMP socket shows.
func TestQEMUBackend(t *testing.T) {
	vm := testenv.StartQEMU(t, nil)
	bin := build(t)
	_, url := start(t, bin, "http", http.DefaultClient, "--password", "pw", "--system", "vm1=qemu+unix://"+vm.QMP)
	watch, err := qemubmc.New(vm.Watch, nil)
	require.NoError(t, err)
	defer watch.Close()
	power := func() hostmgmt.PowerState {
		st, err := watch.PowerState(t.Context())
		require.NoError(t, err)
		return st
	}
	require.Equal(t, hostmgmt.PowerOn, power())
	reset := url + "/redfish/v1/Systems/vm1/Actions/ComputerSystem.Reset"
	code, body := call(t, http.DefaultClient, "POST", reset, "admin", "pw", `{"ResetType":"ForceOff"}`)
	require.Less(t, code, 300, "%v", body)
	assert.Equal(t, hostmgmt.PowerOff, power(), "the VM is stopped")
	code, sys := call(t, http.DefaultClient, "GET", url+"/redfish/v1/Systems/vm1", "admin", "pw", "")
	require.Equal(t, 200, code)
	assert.Equal(t, "Off", sys["PowerState"])
	code, body = call(t, http.DefaultClient, "POST", reset, "admin", "pw", `{"ResetType":"On"}`)
	require.Less(t, code, 300, "%v", body)
	assert.Equal(t, hostmgmt.PowerOn, power(), "the VM runs again")
}
