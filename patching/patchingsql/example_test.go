package patchingsql_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"

	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/content"
	"github.com/edgeflock/flock/patching/patchingsql"
)

// A controller with one host: a signed release is uploaded, deployed to
// the host, which reports it installed, then activated and completed.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "patchingsql-example")
	defer os.RemoveAll(dir)
	key, _ := patching.GenerateKey(nil)
	src := filepath.Join(dir, "src")
	_ = os.MkdirAll(filepath.Join(src, "content"), 0o755)
	_ = os.WriteFile(filepath.Join(src, "metadata.yaml"), []byte("id: FLOCK-1.0-P1\nsw_version: \"1.0\"\nstatus: REL\nreboot_required: N\n"), 0o644)
	_ = os.WriteFile(filepath.Join(src, "content", "fix"), []byte("fixed"), 0o644)
	var file bytes.Buffer
	if err := patching.Build(src, key, &file); err != nil {
		fmt.Println(err)
		return
	}

	db, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(dir, "flock.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	hosts := patchingsql.HostsFunc(func(context.Context) ([]patchingsql.Host, error) {
		return []patchingsql.Host{{Hostname: "edge-1", Provisioned: true, Enabled: true, ConfigCurrent: true}}, nil
	})
	m, err := patchingsql.New(ctx, db, patchingsql.Options{Store: &content.Store{Dir: filepath.Join(dir, "content")},
		Keyring: patching.Keyring{"release": key.Public().(ed25519.PublicKey)}, Hosts: hosts})
	if err != nil {
		fmt.Println(err)
		return
	}
	rel, _ := m.Upload(ctx, &file)
	_, _ = m.DeployStart(ctx, rel.ID, false)
	_, _ = m.DeployHost(ctx, "edge-1", false)
	a, _ := m.Assignment(ctx, "edge-1")
	fmt.Println(a.Action, a.ReleaseID)
	_ = m.ReportHost(ctx, "edge-1", patching.HostStatus{Running: rel.ID, State: patching.AgentIdle, Action: a.Action, ReleaseID: a.ReleaseID})
	_, _ = m.DeployActivate(ctx)
	d, _ := m.DeployComplete(ctx)
	rel, _ = m.GetRelease(ctx, rel.ID)
	fmt.Println(d.State, rel.State)
	// Output:
	// install FLOCK-1.0-P1
	// completed deployed
}
