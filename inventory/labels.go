package inventory

import "slices"

// lockedLabels are the label keys that change how Kubernetes runs pods on
// the host (CPU, topology and memory manager policies): as in StarlingX,
// they are assigned and removed only while the host is locked. Other
// labels may change at any time.
var lockedLabels = []string{"kube-cpu-mgr-policy", "kube-topology-mgr-policy", "kube-memory-mgr-policy"}

// LabelNeedsLock reports whether assigning or removing the label key
// needs the host locked.
func LabelNeedsLock(key string) bool { return slices.Contains(lockedLabels, key) }
