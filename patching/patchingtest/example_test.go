package patchingtest_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"

	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/patchingtest"
)

// A deploy on one host, the test playing the host's agent.
func ExampleFakeService() {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	f := patchingtest.NewFakeService(patching.Keyring{"ops": key.Public().(ed25519.PublicKey)}, nil)
	f.SetHosts([]patchingtest.Host{{Name: "worker-0"}})
	ctx := context.Background()

	dir, _ := os.MkdirTemp("", "release")
	defer os.RemoveAll(dir)
	var file bytes.Buffer
	if err := patchingtest.WriteReleaseDir(dir, patchingtest.Meta("R-1", true), nil); err != nil {
		fmt.Println(err)
		return
	}
	if err := patching.Build(dir, key, &file); err != nil {
		fmt.Println(err)
		return
	}
	info, _ := f.Upload(ctx, &file)
	fmt.Println(info.ID, info.State)
	_, _ = f.DeployStart(ctx, "R-1", false)
	_, err := f.DeployStart(ctx, "R-1", false)
	fmt.Println(err)
	// A reboot-required release installs on a locked host.
	_, err = f.DeployHost(ctx, "worker-0", false)
	fmt.Println(err)
	f.SetHosts([]patchingtest.Host{{Name: "worker-0", Locked: true}})
	hd, _ := f.DeployHost(ctx, "worker-0", false)
	fmt.Println(hd.Hostname, hd.State)
	a, _ := f.Assignment(ctx, "worker-0")
	fmt.Println(a.Action, a.ReleaseID, a.RebootRequired)
	_ = f.ReportHost(ctx, "worker-0", patching.HostStatus{State: patching.AgentIdle, Pending: "R-1", Action: a.Action, ReleaseID: a.ReleaseID})
	d, _ := f.ShowDeploy(ctx)
	fmt.Println(d.State)
	// Output:
	// R-1 available
	// a deployment exists (start-done): complete or delete it first (rule deploy-exists)
	// host worker-0 must be locked: the release requires a reboot (rule needs-locked)
	// worker-0 deploying
	// install R-1 true
	// host-done
}
