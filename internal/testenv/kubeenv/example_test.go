package kubeenv_test

import (
	"fmt"
	"os"

	"github.com/edgeflock/flock/internal/testenv/kubeenv"
)

// StartKube looks for the binaries in FLOCK_KUBE_BIN, which make test sets
// from scripts/build-kube.sh, or else in that script's cache for Version.
// In a test:
//
//	k := kubeenv.StartKube(t, nil)
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
	fmt.Println(kubeenv.BinDir(), kubeenv.Version)
	// Output: /opt/kube/bin v1.37.0
}
