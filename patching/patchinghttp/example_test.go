package patchinghttp_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/patchinghttp"
	"github.com/edgeflock/flock/patching/patchingtest"
)

// A release uploaded and deployed through the REST API.
func Example() {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	fake := patchingtest.NewFakeService(patching.Keyring{"ops": key.Public().(ed25519.PublicKey)}, nil)
	fake.SetHosts([]patchingtest.Host{{Name: "controller-0"}})
	srv := httptest.NewServer(patchinghttp.NewHandler(fake, nil))
	defer srv.Close()
	c := patchinghttp.NewClient(srv.URL, nil)
	ctx := context.Background()

	// A release directory: metadata.yaml, content/ and scripts/.
	dir, _ := os.MkdirTemp("", "release")
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "metadata.yaml"), []byte("id: FLOCK-1.0-PATCH_0001\nsw_version: \"1.0\"\nstatus: REL\nreboot_required: N\n"), 0o644)
	_ = os.MkdirAll(filepath.Join(dir, "content", "etc"), 0o755)
	_ = os.MkdirAll(filepath.Join(dir, "scripts"), 0o755)
	_ = os.WriteFile(filepath.Join(dir, "content", "etc", "motd"), []byte("patched\n"), 0o644)
	var file bytes.Buffer
	if err := patching.Build(dir, key, &file); err != nil {
		fmt.Println(err)
		return
	}

	info, err := c.Upload(ctx, &file)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(info.ID, info.State, "signed by", info.Signer)
	d, _ := c.DeployStart(ctx, info.ID, false)
	fmt.Println("deploy", d.State)
	hd, _ := c.DeployHost(ctx, "controller-0", false)
	fmt.Println(hd.Hostname, hd.State)
	// The host's agent installs and reports.
	a, _ := c.Assignment(ctx, "controller-0")
	_ = c.ReportHost(ctx, "controller-0", patching.HostStatus{State: patching.AgentIdle, Running: a.ReleaseID, Action: a.Action, ReleaseID: a.ReleaseID})
	d, _ = c.ShowDeploy(ctx)
	fmt.Println("deploy", d.State)
	// Output:
	// FLOCK-1.0-PATCH_0001 available signed by ops
	// deploy start-done
	// controller-0 deploying
	// deploy host-done
}
