package hanode_test

import "os"

// mustTemp makes a state directory for the example (tests use
// t.TempDir).
func mustTemp() string {
	d, err := os.MkdirTemp("", "hanode-example")
	if err != nil {
		panic(err)
	}
	return d
}
