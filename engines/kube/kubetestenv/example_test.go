package kubetestenv_test

import (
	"fmt"
	"os"

	"github.com/edgeflock/flock/engines/kube/kubetestenv"
)

// Start looks for the binaries in FLOCK_KUBE_BIN, which make test sets
// from scripts/build-kube.sh, or else in that script's cache for Version.
// In a test:
//
//	k := kubetestenv.Start(t, nil)
//	cs, err := kubernetes.NewForConfig(k.Config)
func ExampleBinDir() {
	old, had := os.LookupEnv("FLOCK_KUBE_BIN")
	os.Setenv("FLOCK_KUBE_BIN", "/opt/kube/bin")
	defer func() {
		if had {
			os.Setenv("FLOCK_KUBE_BIN", old)
		} else {
			os.Unsetenv("FLOCK_KUBE_BIN")
		}
	}()
	fmt.Println(kubetestenv.BinDir(), kubetestenv.Version)
	// Output: /opt/kube/bin v1.37.0
}
