// Real resource metrics: the test bed's metrics-server scrapes KWOK's emulated kubelet
// resource metrics, so `kubectl top` answers for the simulated gateways, and the reconciler
// reports each gateway's CPU and memory against its node's capacity and each service's
// against its limits. Without a metrics API the figures are absent, not zero, and status
// says why.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ApiregistrationV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../src/testbed/build.ts';
import { METRICS_API_SERVICE, registerMetricsApi } from '../../src/testbed/metrics-api.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { kube, waitFor, type Kube } from './helpers/kube.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';
import { testbed } from './helpers/testbed.ts';

const run = promisify(execFile);
let k: Kube;
let fleet: TestFleet;

printReconcilerLogOnFailure();

async function passUntil<T>(r: TestRuntime, what: string, probe: () => T | undefined): Promise<T> {
  return waitFor(what, async () => {
    await r.pass();
    return probe();
  }, { timeoutMs: 120_000, intervalMs: 2000 });
}

describe('resource metrics', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createTestFleet({ gateways: ['acme-bj-01'] });
  });

  afterAll(async () => {
    await stopTestRuntimes();
    await removeTestFleet(fleet, k);
  });

  it('kubectl top answers for a simulated gateway and its pods', async () => {
    const state = await testbed();
    const kubectl = (await readManifest())!.binaries.kubectl;
    const gateway = fleet.gateway('acme-bj-01');
    // A node is reported once it runs pods that metrics-server has scraped twice.
    await startTestRuntime({ repo: fleet.url }).then((r) => passUntil(r, 'pods running', () => r.store.gateway(gateway)?.phase === 'Ready' || undefined));
    const nodes = await waitFor('kubectl top nodes', async () => {
      const { stdout } = await run(kubectl, ['--kubeconfig', state.kubeconfig, 'top', 'nodes', gateway, '--no-headers']).catch(() => ({ stdout: '' }));
      return stdout.startsWith(gateway) ? stdout : undefined;
    }, { timeoutMs: 90_000, intervalMs: 2000 });
    expect(nodes).toMatch(new RegExp(`^${gateway}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`));
    const pods = await waitFor('kubectl top pods', async () => {
      const { stdout } = await run(kubectl, ['--kubeconfig', state.kubeconfig, 'top', 'pods', '-n', fleet.namespace('acme'), '--no-headers']).catch(() => ({ stdout: '' }));
      return stdout.includes(`${gateway}-ids-`) ? stdout : undefined;
    }, { timeoutMs: 90_000, intervalMs: 2000 });
    expect(pods).toMatch(new RegExp(`${gateway}-ids-\\S+\\s+\\d+m\\s+\\d+Mi`));
  });

  it('reports the gateway\'s CPU and memory against capacity and each service\'s against its limits', async () => {
    const gateway = fleet.gateway('acme-bj-01');
    const r = await startTestRuntime({ repo: fleet.url });
    const status = await passUntil(r, 'figures for the gateway and its ids service', () => {
      const g = r.store.gateway(gateway);
      return g?.node.usage && g.services.find((s) => s.name === 'ids')?.usage ? g : undefined;
    });
    expect(r.store.snapshot().fleet.resourceMetrics).toEqual({ available: true });
    // The test bed's edge nodes have 4 CPUs and 8 GiB (src/testbed/nodes.ts).
    expect(status.node.usage).toMatchObject({ cpuCapacityMillicores: 4000, memoryCapacityBytes: 8 * 1024 ** 3 });
    expect(status.node.usage!.memoryBytes).toBeGreaterThan(0);
    expect(status.node.pressure.disk).toBe(false);
    const pod = (await k.core.listNamespacedPod({ namespace: fleet.namespace('acme'), labelSelector: `essg.io/gateway=${gateway},essg.io/service=ids` })).items[0]!;
    const limits = pod.spec!.containers.find((c) => c.name === 'ids')!.resources!.limits!;
    const ids = status.services.find((s) => s.name === 'ids')!.usage!;
    // KWOK's usage-from-annotation gives a pod 1m and 1Mi per container unless annotated otherwise.
    expect(ids).toMatchObject({ cpuMillicores: 1, memoryBytes: 1024 ** 2 });
    expect(ids.cpuLimitMillicores).toBe(Math.round(Number.parseFloat(String(limits.cpu)) * (String(limits.cpu).endsWith('m') ? 1 : 1000)));
    expect(ids.memoryLimitBytes).toBeGreaterThan(ids.memoryBytes);
  });

  it('without a metrics API the figures are absent, not zero, and status says why', async () => {
    const state = await testbed();
    const config = new KubeConfig();
    config.loadFromFile(state.kubeconfig);
    const gateway = fleet.gateway('acme-bj-01');
    await config.makeApiClient(ApiregistrationV1Api).deleteAPIService({ name: METRICS_API_SERVICE });
    try {
      const r = await startTestRuntime({ repo: fleet.url });
      const fleetStatus = await passUntil(r, 'no metrics API', () => {
        const m = r.store.snapshot().fleet.resourceMetrics;
        return m && !m.available ? m : undefined;
      });
      expect(fleetStatus.message).toBe('no CPU or memory figures: the cluster serves no metrics API (metrics.k8s.io: install metrics-server)');
      const g = r.store.gateway(gateway)!;
      expect(g.node.usage).toBeUndefined();
      expect(g.services.every((s) => s.usage === undefined)).toBe(true);
    } finally {
      await registerMetricsApi({ kubeconfig: config, port: state.ports.metricsServer });
    }
  });
});
