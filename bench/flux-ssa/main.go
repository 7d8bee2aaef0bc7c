// The Flux peer of `npm run bench -- peers`: applies a directory of rendered manifests the
// way Flux's kustomize-controller (v1.9.x) applies a Kustomization's build, through the library
// it applies with, github.com/fluxcd/pkg/ssa v0.78.0: one ssa.ResourceManager owned by the
// field manager "kustomize-controller", its owner labels on every object, and ApplyAllStaged
// (Namespaces and other cluster definitions first, waited for, then the rest; per object a
// GET and a server-side dry-run to diff, an apply only where it drifted).
//
// The controllers themselves are not run: a Kustomization needs source-controller and its
// artifact server, and their polling intervals would be measured instead of the apply.
//
//	flux-ssa apply -dir DIR [-qps 50 -burst 300 -concurrent-ssa 4]
//	flux-ssa load -dir DIR -concurrency N
//
// `apply` prints {"seconds", "objects", "created", "configured", "unchanged", "skipped"};
// `load` is the API server's own limit: plain client-go server-side apply patches, no diff,
// no client rate limit, N workers (Namespaces first), and prints {"seconds", "objects"}.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	"github.com/fluxcd/pkg/ssa"
	"github.com/fluxcd/pkg/ssa/normalize"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// kustomize-controller's name, its field manager and owner label group.
const (
	controllerName = "kustomize-controller"
	ownerGroup     = "kustomize.toolkit.fluxcd.io"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: flux-ssa apply|load -dir DIR [flags]"))
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := flags.String("dir", "", "directory of YAML manifests")
	kubeconfig := flags.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig file")
	// kustomize-controller's defaults: --kube-api-qps 50, --kube-api-burst 300, --concurrent-ssa 4.
	qps := flags.Float64("qps", 50, "client queries per second; negative: no client rate limit")
	burst := flags.Int("burst", 300, "client burst")
	concurrentSSA := flags.Int("concurrent-ssa", 4, "ssa.ResourceManager concurrency (dry-run diffs)")
	concurrency := flags.Int("concurrency", 1, "load: concurrent apply workers")
	if err := flags.Parse(os.Args[2:]); err != nil {
		fail(err)
	}
	objects, err := readDir(*dir)
	if err != nil {
		fail(err)
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	var report any
	switch os.Args[1] {
	case "apply":
		config.QPS, config.Burst = float32(*qps), *burst
		report, err = applyStaged(ctx, config, objects, *concurrentSSA)
	case "load":
		config.QPS = -1
		report, err = load(ctx, config, objects, *concurrency)
	default:
		err = fmt.Errorf("unknown mode %q: apply or load", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(report); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "flux-ssa:", err)
	os.Exit(1)
}

// readDir reads every *.yaml file of dir, in name order, as kustomize-controller reads its build.
func readDir(dir string) ([]*unstructured.Unstructured, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no *.yaml files in %q (%v)", dir, err)
	}
	sort.Strings(files)
	var objects []*unstructured.Unstructured
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		read, err := ssautil.ReadObjects(bytes.NewReader(content))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		objects = append(objects, read...)
	}
	return objects, nil
}

type applyReport struct {
	Seconds    float64 `json:"seconds"`
	Objects    int     `json:"objects"`
	Created    int     `json:"created"`
	Configured int     `json:"configured"`
	Unchanged  int     `json:"unchanged"`
	Skipped    int     `json:"skipped"`
}

// applyStaged is kustomize-controller's apply step (KustomizationReconciler.apply) without
// SOPS decryption and common metadata, which the benchmark's manifests do not use.
func applyStaged(ctx context.Context, config *rest.Config, objects []*unstructured.Unstructured, concurrentSSA int) (*applyReport, error) {
	kubeClient, err := client.New(config, client.Options{})
	if err != nil {
		return nil, err
	}
	poller := polling.NewStatusPoller(kubeClient, kubeClient.RESTMapper(), polling.Options{})
	manager := ssa.NewResourceManager(kubeClient, poller, ssa.Owner{Field: controllerName, Group: ownerGroup})
	manager.SetOwnerLabels(objects, "peers", "flux-system")
	manager.SetConcurrency(concurrentSSA)

	started := time.Now()
	if err := normalize.UnstructuredList(objects); err != nil {
		return nil, err
	}
	opts := ssa.DefaultApplyOptions()
	opts.ExclusionSelector = map[string]string{ownerGroup + "/reconcile": "disabled", ownerGroup + "/ssa": "Ignore"}
	opts.IfNotPresentSelector = map[string]string{ownerGroup + "/ssa": "IfNotPresent"}
	opts.ForceSelector = map[string]string{ownerGroup + "/force": "enabled"}
	opts.Cleanup = ssa.ApplyCleanupOptions{
		Annotations: []string{"kubectl.kubernetes.io/last-applied-configuration", ownerGroup + "/checksum", "fluxcd.io/sync-checksum"},
		Labels:      []string{"fluxcd.io/sync-gc-mark"},
		FieldManagers: []ssa.FieldManager{
			{Name: "kubectl", OperationType: metav1.ManagedFieldsOperationApply},
			{Name: "kubectl", OperationType: metav1.ManagedFieldsOperationUpdate},
			{Name: "before-first-apply", OperationType: metav1.ManagedFieldsOperationUpdate},
			{Name: controllerName, OperationType: metav1.ManagedFieldsOperationUpdate},
		},
		Exclusions: map[string]string{ownerGroup + "/ssa": "Merge"},
	}
	changeSet, err := manager.ApplyAllStaged(ctx, objects, opts)
	if err != nil {
		return nil, err
	}
	report := &applyReport{Seconds: time.Since(started).Seconds(), Objects: len(changeSet.Entries)}
	for _, entry := range changeSet.Entries {
		switch entry.Action {
		case ssa.CreatedAction:
			report.Created++
		case ssa.ConfiguredAction:
			report.Configured++
		case ssa.UnchangedAction:
			report.Unchanged++
		default:
			report.Skipped++
		}
	}
	return report, nil
}

type loadReport struct {
	Seconds float64 `json:"seconds"`
	Objects int     `json:"objects"`
}

// load applies every object once with `concurrency` workers, Namespaces first: what the API
// server accepts when the client neither diffs nor waits nor limits itself.
func load(ctx context.Context, config *rest.Config, objects []*unstructured.Unstructured, concurrency int) (*loadReport, error) {
	httpClient, err := rest.HTTPClientFor(config)
	if err != nil {
		return nil, err
	}
	mapper, err := apiutil.NewDynamicRESTMapper(config, httpClient)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfigAndClient(config, httpClient)
	if err != nil {
		return nil, err
	}
	var namespaces, rest []*unstructured.Unstructured
	for _, o := range objects {
		if o.GetKind() == "Namespace" {
			namespaces = append(namespaces, o)
		} else {
			rest = append(rest, o)
		}
	}
	apply := func(o *unstructured.Unstructured) error {
		mapping, err := mapper.RESTMapping(o.GroupVersionKind().GroupKind(), o.GroupVersionKind().Version)
		if err != nil {
			return err
		}
		resource := dyn.Resource(mapping.Resource).Namespace(o.GetNamespace())
		_, err = resource.Apply(ctx, o.GetName(), o, metav1.ApplyOptions{FieldManager: "essg-bench-load", Force: true})
		if err != nil {
			return fmt.Errorf("%s: %w", ssautil.FmtUnstructured(o), err)
		}
		return nil
	}
	started := time.Now()
	for _, stage := range [][]*unstructured.Unstructured{namespaces, rest} {
		if err := inParallel(stage, concurrency, apply); err != nil {
			return nil, err
		}
	}
	return &loadReport{Seconds: time.Since(started).Seconds(), Objects: len(objects)}, nil
}

// inParallel runs action on every object with `workers` goroutines; the first error wins.
func inParallel(objects []*unstructured.Unstructured, workers int, action func(*unstructured.Unstructured) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(objects)); i = next.Add(1) - 1 {
				if err := action(objects[i]); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
