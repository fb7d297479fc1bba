package patching_test

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/edgeflock/flock/patching"
)

// Build a release from a directory, sign it, then open and verify it
// as the controller does at upload and a host does before install.
func Example() {
	dir, err := os.MkdirTemp("", "release")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			panic(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			panic(err)
		}
	}
	write("src/metadata.yaml", `id: FLOCK-1.0-PATCH_0001
sw_version: "1.0"
status: REL
summary: fixes the widget
reboot_required: N
post_install: restart-widget.sh
`)
	write("src/content/usr/bin/widget", "#!/bin/sh\necho fixed\n")
	write("src/scripts/restart-widget.sh", "#!/bin/sh\nsystemctl restart widget\n")

	// The signing key (stx software build --key), and the trusted keyring
	// of controllers and hosts holding its public half.
	key, err := patching.GenerateKey(nil)
	if err != nil {
		panic(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		panic(err)
	}
	if err := patching.WriteKey(filepath.Join(dir, "keys", "release-signer"), key); err != nil {
		panic(err)
	}
	key, err = patching.ReadPrivateKey(filepath.Join(dir, "keys", "release-signer"))
	if err != nil {
		panic(err)
	}
	os.Remove(filepath.Join(dir, "keys", "release-signer")) // keep only the .pub in the keyring
	keys, err := patching.LoadKeyring(filepath.Join(dir, "keys"))
	if err != nil {
		panic(err)
	}

	var file bytes.Buffer
	if err := patching.Build(filepath.Join(dir, "src"), key, &file); err != nil {
		panic(err)
	}
	rel, err := patching.Open(bytes.NewReader(file.Bytes()), int64(file.Len()), keys)
	if err != nil {
		panic(err)
	}
	m := rel.Meta()
	fmt.Println(m.ID, "reboot required:", m.RebootRequired, "signed by:", rel.Signer())
	content, _ := rel.OpenContent()
	tr := tar.NewReader(content)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		fmt.Println(" ", h.Name)
	}
	script, _ := rel.Script(m.PostInstall)
	fmt.Printf("post_install: %q\n", script)

	// One byte changed anywhere and the release is refused.
	b := file.Bytes()
	b[bytes.Index(b, []byte("fixed"))] = 'F'
	_, err = patching.Open(bytes.NewReader(b), int64(len(b)), keys)
	fmt.Println(errors.Is(err, patching.ErrTampered))
	// Output:
	// FLOCK-1.0-PATCH_0001 reboot required: false signed by: release-signer
	//   usr/
	//   usr/bin/
	//   usr/bin/widget
	// post_install: "#!/bin/sh\nsystemctl restart widget\n"
	// true
}
