// What the test bed build does, as data: which wrapper Go module builds which binaries
// with which version stamp, and which module versions each go.mod must pin so that
// versions.json stays the one place that names them. Pure; build.ts runs it.
import { stagingVersion, type TestbedVersions } from './versions.ts';

export const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok', 'metrics-server', 'registry'] as const;
export type BinaryName = (typeof BINARIES)[number];

export interface BuildStep {
  /** The wrapper module's folder under src/testbed/go/. */
  readonly module: string;
  readonly title: string;
  /** Package paths to build; each main package becomes one binary named after its last element. */
  readonly packages: readonly string[];
  readonly binaries: readonly BinaryName[];
  readonly ldflags: readonly string[];
  /** Module versions the go.mod must name (in a require or a replace). */
  readonly pins: readonly { readonly module: string; readonly version: string }[];
}

/** Minimum Go: the wrapper modules use go.mod `tool` directives (Go 1.24), and the registry's dependencies (distribution v3.1) need 1.26. */
export const MINIMUM_GO = '1.26.0';

export function buildPlan(versions: TestbedVersions): readonly BuildStep[] {
  const [, major, minor] = /^v(\d+)\.(\d+)\./.exec(versions.kubernetes) ?? [];
  // The Kubernetes release build stamps these; without them the API server reports v0.0.0
  // and kubectl warns about version skew.
  const stamp = (pkg: string): string[] => [`-X ${pkg}.gitVersion=${versions.kubernetes}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`, `-X ${pkg}.gitTreeState=clean`];
  const staging = stagingVersion(versions.kubernetes);
  return [
    {
      module: 'etcd',
      title: `etcd ${versions.etcd}`,
      packages: ['.'],
      binaries: ['etcd'],
      ldflags: [],
      pins: [{ module: 'go.etcd.io/etcd/server/v3', version: versions.etcd }],
    },
    {
      module: 'kube',
      title: `kube-apiserver, kube-controller-manager, kube-scheduler, kubectl ${versions.kubernetes}`,
      packages: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'].map((c) => `k8s.io/kubernetes/cmd/${c}`),
      binaries: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'],
      ldflags: [...stamp('k8s.io/component-base/version'), ...stamp('k8s.io/client-go/pkg/version')],
      pins: [
        { module: 'k8s.io/kubernetes', version: versions.kubernetes },
        { module: 'k8s.io/api', version: staging },
        { module: 'k8s.io/apiserver', version: staging },
        { module: 'k8s.io/client-go', version: staging },
        { module: 'k8s.io/kubectl', version: staging },
      ],
    },
    {
      module: 'kwok',
      title: `KWOK controller ${versions.kwok}`,
      packages: ['sigs.k8s.io/kwok/cmd/kwok'],
      binaries: ['kwok'],
      ldflags: [],
      pins: [{ module: 'sigs.k8s.io/kwok', version: versions.kwok }],
    },
    {
      module: 'metrics-server',
      title: `metrics-server ${versions.metricsServer}`,
      packages: ['sigs.k8s.io/metrics-server/cmd/metrics-server'],
      binaries: ['metrics-server'],
      ldflags: [],
      pins: [{ module: 'sigs.k8s.io/metrics-server', version: versions.metricsServer }],
    },
    {
      module: 'registry',
      title: `registry (CNCF distribution) ${versions.registry}`,
      packages: ['github.com/distribution/distribution/v3/cmd/registry'],
      binaries: ['registry'],
      ldflags: [`-X github.com/distribution/distribution/v3/version.version=${versions.registry}`],
      pins: [{ module: 'github.com/distribution/distribution/v3', version: versions.registry }],
    },
  ];
}

/**
 * The version a go.mod builds a module at: the right side of its `replace`, when it has one
 * (k8s.io/kubernetes requires its staging modules at v0.0.0 and the replace decides), else
 * its `require`. Null when the go.mod does not name the module.
 */
export function effectiveVersion(goMod: string, module: string): string | null {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const replaced = new RegExp(`^\\s*(?:replace\\s+)?${escaped}(?:\\s+v\\S+)?\\s*=>\\s*${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (replaced?.[1]) return replaced[1];
  const required = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)(?!\\s*=>)`, 'm').exec(goMod);
  return required?.[1] ?? null;
}

/** The first pin a go.mod gets wrong, or undefined when it builds exactly what versions.json names. */
export function findPinMismatch(goMod: string, pins: BuildStep['pins']): { module: string; pinned: string | null; expected: string } | undefined {
  for (const pin of pins) {
    const pinned = effectiveVersion(goMod, pin.module);
    if (pinned !== pin.version) return { module: pin.module, pinned, expected: pin.version };
  }
  return undefined;
}

/** `go version` output → "1.26.8"; undefined when it is not a release version. */
export function parseGoVersion(output: string): string | undefined {
  return /\bgo(\d+\.\d+(?:\.\d+)?)\b/.exec(output)?.[1];
}

export function goAtLeast(found: string, minimum: string): boolean {
  const a = found.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/**
 * What the build copies out of the KWOK module beside the binary: its published stage YAML
 * (the defaults KWOK loads when no stage is configured) and the Stage CRD, since the test bed
 * serves stages from the API server and so installs both itself.
 */
export const KWOK_MODULE = 'sigs.k8s.io/kwok';
/** The folder beside the binaries they go to; never a binary's name (`kwok` is one). */
export const KWOK_STAGES_FOLDER = 'kwok-stages';
export const KWOK_STAGE_DIR = 'stage';
export const KWOK_CRD_DIR = 'crds';
export const KWOK_METRICS_DIR = 'metrics';
/** KWOK's kubelet /metrics/resource emulation (a Metric) and its pod usage from annotations (a ClusterResourceUsage), as kwokctl installs them. */
export const KWOK_METRICS_FILES = ['metrics-resource.yaml', 'usage-from-annotation.yaml'] as const;
export const KWOK_COPIES = [
  { from: 'kustomize/stage', to: KWOK_STAGE_DIR },
  { from: 'kustomize/crd/bases/kwok.x-k8s.io_stages.yaml', to: `${KWOK_CRD_DIR}/kwok.x-k8s.io_stages.yaml` },
  { from: 'kustomize/metrics/resource/metrics-resource.yaml', to: `${KWOK_METRICS_DIR}/metrics-resource.yaml` },
  { from: 'kustomize/metrics/usage/usage-from-annotation.yaml', to: `${KWOK_METRICS_DIR}/usage-from-annotation.yaml` },
] as const;
