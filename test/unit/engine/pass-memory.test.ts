// What a pass keeps from the one before it (each gateway's plan and health, each rendered
// object's inventory entry, each pod's status) never hides a change: a pod that stops being
// ready, a node that goes away and comes back, a hand edit made while a rollout status moved,
// each shows in the very next pass's status, history and plan, as the engine wires it against
// the in-memory cluster.
import { appendFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Reconciler } from '../../../src/engine/engine.ts';
import type { GatewayPlan, LiveObject } from '../../../src/diff/index.ts';
import { FleetMetrics, InMemoryEventRecorder, StatusStore } from '../../../src/report/index.ts';
import { openLocalRepo, type GitSource } from '../../../src/source/index.ts';
import { LABEL } from '../../../src/contract/index.ts';
import { MemoryCluster } from '../apply/memory-cluster.ts';
import { templateRepo } from '../../support/template-repo.ts';

const NOW = '2026-06-01T00:00:00Z';
const GATEWAY = 'acme-sh-02';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function node(name: string, ready: 'True' | 'Unknown'): LiveObject {
  const conditions = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({ type, status: type === 'Ready' ? ready : 'False', lastHeartbeatTime: NOW }));
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'node-role.kubernetes.io/edge': '' } }, status: { conditions } } as unknown as LiveObject;
}

interface Workload { readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> }; readonly spec: { readonly template: { readonly metadata?: { readonly labels?: Record<string, string> }; readonly spec: { readonly containers: readonly { readonly name: string; readonly image: string }[] } } } }

/** The pod a Deployment runs on its gateway's node, ready or not. */
function podOf(deployment: Workload, ready: boolean): LiveObject {
  const { template } = deployment.spec;
  const status = ready ? 'True' : 'False';
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `${deployment.metadata.name}-0`, namespace: deployment.metadata.namespace, labels: { ...deployment.metadata.labels, ...template.metadata?.labels } },
    spec: { ...template.spec, nodeName: GATEWAY },
    status: {
      phase: 'Running', conditions: ['Ready', 'ContainersReady'].map((type) => ({ type, status })),
      containerStatuses: template.spec.containers.map((c) => ({ name: c.name, image: c.image, ready, started: true, restartCount: 0, state: { running: { startedAt: NOW } } })),
    },
  } as unknown as LiveObject;
}

/** The template fleet synced, its Deployments rolled out, every gateway's node Ready and every pod ready. */
async function runningFleet() {
  const repo = templateRepo('essg-pass-memory-');
  dirs.push(repo.dir);
  const cluster = new MemoryCluster();
  const store = new StatusStore();
  const store0 = openLocalRepo({ dir: repo.dir });
  const head = async () => repo.git('rev-parse', 'main');
  const source: GitSource = Object.assign(store0, { url: repo.dir, branch: 'main', gitdir: path.join(repo.dir, '.git'), fetch: async () => ({ head: await head(), previousHead: undefined }), localHead: head });
  const reconciler = new Reconciler({ source, client: cluster, store, metrics: new FleetMetrics({ phases: () => store.phaseCounts() }), events: new InMemoryEventRecorder(), now: () => NOW });
  expect((await reconciler.runPass()).result).toBe('success');
  const deployments = new Map<string, Workload>();
  for (const [key, object] of cluster.objects) {
    if (object.kind !== 'Deployment') continue;
    const rolledOut = { ...object, status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] } };
    cluster.objects.set(key, rolledOut);
    if (object.metadata.labels?.[LABEL.gateway] === GATEWAY) deployments.set(key, rolledOut as unknown as Workload);
  }
  cluster.nodes = store.gatewayNames().map((g) => node(store.recorded(g)!.node.name, 'True'));
  cluster.pods = [...deployments.values()].map((d) => podOf(d, true));
  await reconciler.runPass();
  const services = (): Record<string, boolean> => Object.fromEntries(store.recorded(GATEWAY)!.services.map((s) => [s.name, s.ready]));
  return { repo, cluster, store, reconciler, deployments: [...deployments.values()], services };
}

describe('what a pass keeps from the last one', () => {
  it('shows a pod that stops being ready, and comes back, in the very next pass', async () => {
    const { cluster, store, reconciler, deployments, services } = await runningFleet();
    expect(Object.values(services()).every(Boolean)).toBe(true);
    expect(store.recorded(GATEWAY)!.phase).toBe('Ready');
    // A pass that changed nothing keeps what it found.
    expect((await reconciler.runPass()).result).toBe('noop');
    expect(store.recorded(GATEWAY)!.phase).toBe('Ready');

    const [broken] = deployments;
    const service = broken!.metadata.labels![LABEL.service]!;
    cluster.pods = cluster.pods.map((pod) => (pod.metadata.name === `${broken!.metadata.name}-0` ? podOf(broken!, false) : pod));
    await reconciler.runPass();
    expect(services()[service]).toBe(false);
    expect(store.recorded(GATEWAY)!.services.find((s) => s.name === service)!.pods?.map((p) => p.ready)).toEqual([false]);

    cluster.pods = cluster.pods.map((pod) => (pod.metadata.name === `${broken!.metadata.name}-0` ? podOf(broken!, true) : pod));
    await reconciler.runPass();
    expect(services()[service]).toBe(true);
    expect(store.recorded(GATEWAY)!.services.find((s) => s.name === service)!.pods?.map((p) => p.ready)).toEqual([true]);
  });

  it('keeps every gateway\'s record as it was through a pass that changed nothing, and still shows a commit that went bad', async () => {
    const { repo, store, reconciler } = await runningFleet();
    const records = new Map(store.gatewayNames().map((g) => [g, store.recorded(g)]));
    expect((await reconciler.runPass()).result).toBe('noop');
    for (const [gateway, record] of records) expect(store.recorded(gateway)).toBe(record);

    // Nothing in the cluster moved, but the newest commit is invalid: the very next pass says so.
    appendFileSync(path.join(repo.dir, 'fleet.yaml'), '\nspec: [unclosed\n');
    repo.git('commit', '-q', '-am', 'a broken fleet.yaml');
    await reconciler.runPass();
    expect(store.recorded(GATEWAY)!.message).toContain('is invalid and not applied');
    expect(store.recorded(GATEWAY)).not.toBe(records.get(GATEWAY));
  });

  it('records a node going offline and coming back in the history, though nothing was applied', async () => {
    const { cluster, store, reconciler } = await runningFleet();
    const nodeName = store.recorded(GATEWAY)!.node.name;
    const kinds = (): string[] => store.recorded(GATEWAY)!.history.map((e) => e.kind);
    const before = kinds();
    cluster.nodes = cluster.nodes.map((n) => (n.metadata.name === nodeName ? node(nodeName, 'Unknown') : n));
    expect((await reconciler.runPass()).applied).toEqual([]);
    expect(store.recorded(GATEWAY)!.phase).toBe('Offline');
    expect(kinds()).toEqual([...before, 'offline']);
    // Still offline: nothing more to record.
    await reconciler.runPass();
    expect(kinds()).toEqual([...before, 'offline']);

    cluster.nodes = cluster.nodes.map((n) => (n.metadata.name === nodeName ? node(nodeName, 'True') : n));
    await reconciler.runPass();
    expect(store.recorded(GATEWAY)!.phase).toBe('Ready');
    expect(kinds()).toEqual([...before, 'offline', 'online']);
  });

  it('plans a Deployment whose rollout status alone moved as before, and restores a hand edit made while it moved', async () => {
    const { cluster, reconciler } = await runningFleet();
    const planOf = (pass: { plans: readonly GatewayPlan[] }) => pass.plans.find((p) => p.gateway === GATEWAY);
    const kept = planOf(await reconciler.runPass());
    const [key, deployment] = [...cluster.objects].find(([, o]) => o.kind === 'Deployment' && o.metadata.labels?.[LABEL.gateway] === GATEWAY)!;
    const moved = (status: object, spec?: object): LiveObject => ({ ...deployment, ...(spec ? { spec } : {}), metadata: { ...deployment.metadata, resourceVersion: String(Math.random()), managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', subresource: 'status' }] }, status } as unknown as LiveObject);
    const spec = deployment['spec'] as { replicas?: number };

    cluster.objects.set(key, moved({ observedGeneration: 1, replicas: 1, readyReplicas: 0, availableReplicas: 1, updatedReplicas: 1 }));
    const statusOnly = await reconciler.runPass();
    expect(statusOnly.result).toBe('noop');
    expect(planOf(statusOnly)).toBe(kept);

    cluster.objects.set(key, moved({ observedGeneration: 2, replicas: 3 }, { ...spec, replicas: (spec.replicas ?? 1) + 2 }));
    const edited = await reconciler.runPass();
    expect(planOf(edited)!.updates.map((u) => u.drift)).toEqual([true]);
    expect((cluster.objects.get(key)!['spec'] as { replicas?: number }).replicas).toBe(spec.replicas);
  });
});
