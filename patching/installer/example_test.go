package installer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/edgeflock/flock/patching/installer"
)

// Install two in-service releases, look at what current runs, roll back
// to the first one, then install the second again and commit it.
func Example() {
	root, err := os.MkdirTemp("", "installer-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(root)
	in, err := installer.New(installer.Config{Root: root}, nil)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	if _, err := in.Boot(ctx); err != nil { // once, at the host's start
		panic(err)
	}
	show := func() {
		st, _ := in.Status()
		app, _ := os.ReadFile(filepath.Join(in.CurrentPath(), "bin", "app"))
		fmt.Printf("current=%s previous=%q state=%s app=%q\n", st.Current, st.Previous, st.State, app)
	}
	for _, p := range []*fakePayload{release("v1", v1Tree()), release("v2", v2Tree())} {
		if err := in.Install(ctx, p); err != nil {
			panic(err)
		}
		show()
	}
	if err := in.Rollback(ctx); err != nil {
		panic(err)
	}
	show()
	err = in.Install(ctx, release("v2", v2Tree()).withScripts("#!/bin/sh\necho checking $FLOCK_RELEASE_ID\nexit 1\n", ""))
	fmt.Println(err)
	show()
	if err := in.Install(ctx, release("v2", v2Tree())); err != nil {
		panic(err)
	}
	if err := in.Commit(ctx); err != nil {
		panic(err)
	}
	show()
	// Output:
	// current=v1 previous="" state=idle app="app v1\n"
	// current=v2 previous="v1" state=idle app="app v2\n"
	// current=v1 previous="" state=idle app="app v1\n"
	// install v2: pre-install: pre_install script "pre.sh": exit status 1: checking v2
	// current=v1 previous="" state=install-failed app="app v1\n"
	// current=v2 previous="" state=idle app="app v2\n"
}
