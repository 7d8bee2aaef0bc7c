import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BINARIES, buildPlan, effectiveVersion, findPinMismatch, goAtLeast, KWOK_STAGES_FOLDER, parseGoVersion } from '../../../src/testbed/build-plan.ts';
import { GO_MODULES_DIR } from '../../../src/testbed/paths.ts';
import { readVersions } from '../../../src/testbed/versions.ts';

const KUBE_GO_MOD = `module essg.io/testbed/kube

require k8s.io/kubernetes v1.32.2

require (
	k8s.io/api v0.0.0 // indirect
)

replace (
	k8s.io/api => k8s.io/api v0.32.2
)
`;

describe('test bed build plan', () => {
  it('reads a staging module version from its replace, not the v0.0.0 that k8s.io/kubernetes requires', () => {
    expect(effectiveVersion(KUBE_GO_MOD, 'k8s.io/api')).toBe('v0.32.2');
    expect(effectiveVersion(KUBE_GO_MOD, 'k8s.io/kubernetes')).toBe('v1.32.2');
    expect(effectiveVersion(KUBE_GO_MOD, 'k8s.io/kubectl')).toBeNull();
  });

  it('reports a go.mod that builds another version than versions.json names', () => {
    const plan = buildPlan({ kubernetes: 'v1.32.3', kubeedge: 'v1.23.0', kwok: 'v0.7.0', etcd: 'v3.5.21', metricsServer: 'v0.8.0', registry: 'v3.1.2' });
    const kube = plan.find((s) => s.module === 'kube');

    expect(findPinMismatch(KUBE_GO_MOD, kube?.pins ?? [])).toEqual({ module: 'k8s.io/kubernetes', pinned: 'v1.32.2', expected: 'v1.32.3' });
  });

  it('finds the committed wrapper modules in step with versions.json', () => {
    for (const step of buildPlan(readVersions())) {
      const goMod = readFileSync(path.join(GO_MODULES_DIR, step.module, 'go.mod'), 'utf8');
      expect(findPinMismatch(goMod, step.pins), step.module).toBeUndefined();
    }
  });

  it('stamps the Kubernetes binaries with the release version so the API server reports it', () => {
    const kube = buildPlan({ kubernetes: 'v1.32.2', kubeedge: 'v1.23.0', kwok: 'v0.7.0', etcd: 'v3.5.21', metricsServer: 'v0.8.0', registry: 'v3.1.2' }).find((s) => s.module === 'kube');

    expect(kube?.ldflags).toContain('-X k8s.io/component-base/version.gitVersion=v1.32.2');
    expect(kube?.ldflags).toContain('-X k8s.io/component-base/version.gitMinor=32');
  });

  it('builds every binary the test bed starts, each once', () => {
    const binaries = buildPlan(readVersions()).flatMap((s) => s.binaries);

    expect([...binaries].sort()).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok', 'metrics-server', 'registry']);
  });

  it('compares Go versions numerically', () => {
    expect(parseGoVersion('go version go1.26.8 linux/amd64')).toBe('1.26.8');
    expect(goAtLeast('1.26.8', '1.24')).toBe(true);
    expect(goAtLeast('1.24', '1.24')).toBe(true);
    expect(goAtLeast('1.9.2', '1.24')).toBe(false);
  });

  it('copies KWOK’s stage YAML beside the binaries under a name no binary has', () => {
    expect(BINARIES).not.toContain(KWOK_STAGES_FOLDER);
    expect(KWOK_STAGES_FOLDER).not.toBe('crds');
  });
});
