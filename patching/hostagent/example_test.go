package hostagent_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/content"
	"github.com/edgeflock/flock/patching/hostagent"
	"github.com/edgeflock/flock/patching/installer"
	"github.com/edgeflock/flock/patching/patchingsql"
)

// A controller (in process here) deploys a release; the host's agent
// fetches, verifies and installs it and reports it, which completes the
// host's part of the deploy.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "hostagent-example")
	defer os.RemoveAll(dir)
	key, _ := patching.GenerateKey(nil)
	keys := patching.Keyring{"release": key.Public().(ed25519.PublicKey)}
	src := filepath.Join(dir, "src")
	_ = os.MkdirAll(filepath.Join(src, "content"), 0o755)
	_ = os.WriteFile(filepath.Join(src, "metadata.yaml"), []byte("id: REL-1\nsw_version: \"1.0\"\nstatus: REL\nreboot_required: N\n"), 0o644)
	_ = os.WriteFile(filepath.Join(src, "content", "motd"), []byte("patched\n"), 0o644)
	var file bytes.Buffer
	_ = patching.Build(src, key, &file)

	db, _ := sqlstore.Open(ctx, "sqlite://"+filepath.Join(dir, "flock.db"))
	defer db.Close()
	store := &content.Store{Dir: filepath.Join(dir, "content")}
	ctrl, err := patchingsql.New(ctx, db, patchingsql.Options{Store: store, Keyring: keys,
		Hosts: patchingsql.HostsFunc(func(context.Context) ([]patchingsql.Host, error) {
			return []patchingsql.Host{{Hostname: "edge-1", Provisioned: true, Enabled: true, ConfigCurrent: true}}, nil
		})})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(http.StripPrefix("/v1/content", store.Handler()))
	defer srv.Close()
	_, _ = ctrl.Upload(ctx, &file)
	_, _ = ctrl.DeployStart(ctx, "REL-1", false)
	_, _ = ctrl.DeployHost(ctx, "edge-1", false)

	inst, _ := installer.New(installer.Config{Root: filepath.Join(dir, "host", "sw")}, nil)
	fetch := func(ctx context.Context, path, digest, dst string) error {
		return content.Fetch(ctx, srv.Client(), srv.URL+path, digest, dst)
	}
	agent, _ := hostagent.New(hostagent.Config{Host: "edge-1", DownloadDir: filepath.Join(dir, "host", "downloads")}, ctrl, fetch, keys, inst, nil)
	if err := agent.Once(ctx); err != nil {
		fmt.Println(err)
		return
	}
	motd, _ := os.ReadFile(filepath.Join(inst.CurrentPath(), "motd"))
	d, _ := ctrl.ShowDeploy(ctx)
	fmt.Print(string(motd))
	fmt.Println(d.State)
	// Output:
	// patched
	// host-done
}
