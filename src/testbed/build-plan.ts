// What the test bed build does, as data: which wrapper Go module builds which binaries
// with which version stamp, and which module versions each go.mod must pin so that
// versions.json stays the one place that names them. Pure; build.ts runs it.
import { stagingVersion, type TestbedVersions } from './versions.ts';

export const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok'] as const;
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

/** Minimum Go: the wrapper modules use go.mod `tool` directives (Go 1.24). */
export const MINIMUM_GO = '1.24';

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
  ];
}

/** The versions a go.mod gives a module: in `require` lines and on the right of `replace` lines. */
export function pinnedVersions(goMod: string, module: string): readonly string[] {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const found: string[] = [];
  const require = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v[^\\s]+)`, 'gm');
  const replace = new RegExp(`=>\\s*${escaped}\\s+(v[^\\s]+)`, 'g');
  for (const match of goMod.matchAll(require)) found.push(match[1] ?? '');
  for (const match of goMod.matchAll(replace)) found.push(match[1] ?? '');
  return found;
}

/** The first pin a go.mod gets wrong, or undefined when it names exactly what versions.json does. */
export function findPinMismatch(goMod: string, pins: BuildStep['pins']): { module: string; pinned: string | null; expected: string } | undefined {
  for (const pin of pins) {
    const pinned = pinnedVersions(goMod, pin.module);
    // With a replace, the replacement wins: every version named for the module must match.
    if (pinned.length === 0 || pinned.some((v) => v !== pin.version)) {
      return { module: pin.module, pinned: pinned.find((v) => v !== pin.version) ?? null, expected: pin.version };
    }
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
