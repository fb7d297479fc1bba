package stx_test

import (
	"context"
	"fmt"
	"os"

	"github.com/edgeflock/flock/stx"
)

// Open a controller on the embedded defaults and serve every API.
func Example() {
	dir, _ := os.MkdirTemp("", "flock-example")
	defer os.RemoveAll(dir)
	sys, err := stx.Open(context.Background(), stx.Config{DataDir: dir})
	if err != nil {
		panic(err)
	}
	defer sys.Close(context.Background())
	_ = sys.Handler() // http.ListenAndServe(stx.DefaultListen, sys.Handler())
	fmt.Println(sys.Fault.Catalog().Len() > 40, len(sys.AdminToken))
	// Output: true 64
}
