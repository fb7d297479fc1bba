package content_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/edgeflock/flock/patching/content"
)

// The controller stores a release under its digest and serves it; a
// host fetches it, resumably, and gets exactly those bytes.
func Example() {
	dir, _ := os.MkdirTemp("", "content-example")
	defer os.RemoveAll(dir)
	store := &content.Store{Dir: filepath.Join(dir, "controller")}
	digest, size, err := store.Put(strings.NewReader("a release file"))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(http.StripPrefix("/v1/content", store.Handler()))
	defer srv.Close()

	dst := filepath.Join(dir, "host-release.tar")
	if err := content.Fetch(context.Background(), srv.Client(), srv.URL+"/v1/content/"+digest, digest, dst); err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(dst)
	fmt.Println(size, string(b))
	// Output: 14 a release file
}
