package kubetestenv_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"

	"github.com/edgeflock/flock/engines/kube/kubetestenv"
)

// kube is one control plane shared by the tests of this package: it takes
// several seconds to start.
var kube struct {
	k  *kubetestenv.Kube
	cs *kubernetes.Clientset
}

func TestKube(t *testing.T) {
	k := kubetestenv.Start(t, nil)
	cs, err := kubernetes.NewForConfig(k.Config)
	require.NoError(t, err)
	kube.k, kube.cs = k, cs
	v, err := cs.Discovery().ServerVersion()
	require.NoError(t, err)
	assert.Equal(t, kubetestenv.Version, v.GitVersion, "the version ldflags of scripts/build-kube.sh")
	t.Run("Node", testNode)
	t.Run("DeploymentAndEviction", testDeploymentAndEviction)
	t.Run("Helm", testHelm)
}

// testNode creates a Node, patches its labels and cordons it, as the host
// management engine will.
func testNode(t *testing.T) {
	ctx := t.Context()
	nodes := kube.cs.CoreV1().Nodes()
	_, err := nodes.Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "edge-0",
		Labels: map[string]string{"kubernetes.io/hostname": "edge-0"}}}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = nodes.Patch(ctx, "edge-0", types.MergePatchType,
		[]byte(`{"metadata":{"labels":{"starlingx.io/personality":"worker"}}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	_, err = nodes.Patch(ctx, "edge-0", types.StrategicMergePatchType, []byte(`{"spec":{"unschedulable":true}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	n, err := nodes.Get(ctx, "edge-0", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "worker", n.Labels["starlingx.io/personality"])
	assert.Equal(t, "edge-0", n.Labels["kubernetes.io/hostname"], "a merge patch keeps the other labels")
	assert.True(t, n.Spec.Unschedulable, "cordoned")
}

// testDeploymentAndEviction creates a namespace and a Deployment, waits for
// the controllers to create its pod, evicts the pod and waits for its
// replacement.
func testDeploymentAndEviction(t *testing.T) {
	ctx := t.Context()
	cs := kube.cs
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "smoke"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	one := int32(1)
	labels := map[string]string{"app": "web"}
	_, err = cs.AppsV1().Deployments("smoke").Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "registry.local/web:1"}}},
			},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	first := waitPod(t, "")
	err = cs.PolicyV1().Evictions("smoke").Evict(ctx, &policyv1.Eviction{
		ObjectMeta: metav1.ObjectMeta{Name: first, Namespace: "smoke"}})
	require.NoError(t, err)
	second := waitPod(t, first)
	assert.NotEqual(t, first, second)
	_, err = cs.CoreV1().Pods("smoke").Get(ctx, first, metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "the evicted pod (never scheduled) is gone: %v", err)
}

// waitPod waits for a pod of the Deployment other than not and returns
// its name.
func waitPod(t *testing.T, not string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		pods, err := kube.cs.CoreV1().Pods("smoke").List(t.Context(), metav1.ListOptions{LabelSelector: "app=web"})
		require.NoError(t, err)
		for _, p := range pods.Items {
			if p.Name != not && p.DeletionTimestamp == nil {
				return p.Name
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no pod for the Deployment (other than %q) within 60 s", not)
	return ""
}

// testHelm installs, upgrades, rolls back and uninstalls a chart built on
// the fly, checking the ConfigMap it renders at each step.
func testHelm(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	writeChart(t, dir)
	ch, err := loader.Load(dir)
	require.NoError(t, err)

	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig = &kube.k.Kubeconfig
	ns := "helm-smoke"
	flags.Namespace = &ns
	cfg := new(action.Configuration)
	require.NoError(t, cfg.Init(flags, ns, "secret", t.Logf))

	greeting := func() string {
		cm, err := kube.cs.CoreV1().ConfigMaps(ns).Get(ctx, "smoke-greeting", metav1.GetOptions{})
		if err != nil {
			return "error: " + err.Error()
		}
		return cm.Data["greeting"]
	}

	in := action.NewInstall(cfg)
	in.ReleaseName, in.Namespace, in.CreateNamespace = "smoke", ns, true
	rel, err := in.RunWithContext(ctx, ch, map[string]any{"greeting": "hello"})
	require.NoError(t, err)
	assert.Equal(t, 1, rel.Version)
	assert.Equal(t, "hello", greeting())

	up := action.NewUpgrade(cfg)
	up.Namespace = ns
	rel, err = up.RunWithContext(ctx, "smoke", ch, map[string]any{"greeting": "bonjour"})
	require.NoError(t, err)
	assert.Equal(t, 2, rel.Version)
	assert.Equal(t, "bonjour", greeting())

	rb := action.NewRollback(cfg)
	rb.Version = 1
	require.NoError(t, rb.Run("smoke"))
	assert.Equal(t, "hello", greeting())
	hist, err := action.NewHistory(cfg).Run("smoke")
	require.NoError(t, err)
	assert.Len(t, hist, 3, "install, upgrade, rollback")

	_, err = action.NewUninstall(cfg).Run("smoke")
	require.NoError(t, err)
	_, err = kube.cs.CoreV1().ConfigMaps(ns).Get(ctx, "smoke-greeting", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "uninstall deletes the chart's objects: %v", err)
}

// writeChart writes a chart with one template into dir.
func writeChart(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"Chart.yaml":  "apiVersion: v2\nname: smoke\nversion: 0.1.0\nkubeVersion: \">=1.30.0-0\"\n",
		"values.yaml": "greeting: hi\n",
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-greeting\n" +
			"data:\n  greeting: {{ .Values.greeting | quote }}\n",
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	}
}
