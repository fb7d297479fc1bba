// Package kube is the build recipe for the Kubernetes binaries the test
// harness runs (kube-apiserver, kube-controller-manager), kept as its own
// module so that Flock's go.mod does not carry k8s.io/kubernetes. Build
// with scripts/build-kube.sh, which adds the version ldflags and caches
// the binaries by version.
package kube
