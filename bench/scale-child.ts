// One scale measurement in this fresh process (see scale.bench.ts):
//   validate DIR  load (validate) the fleet repo
//   render DIR    load, then render every gateway (cdk8s) on this thread
//   render-threads DIR  load, then render every gateway as the load worker does a cold
//                 commit: spread over the render threads (RenderPool, DEFAULT_RENDER_THREADS)
//   plan DIR      load, render, then plan every gateway against a synthetic live state the
//                 size of a watch cache holding the fleet (owned objects, one pod per
//                 workload, one node per gateway), as the plan step does: each gateway
//                 through the plan memo, the shared Namespaces once; then one gateway's
//                 change re-rendered and re-planned
import { isShared, groupLiveByGateway, isNoop, planGateway, type GatewayPlan, type Inventory, type LiveByGateway, type LiveObject } from '../src/diff/index.ts';
import { PlanMemo, planFleet } from '../src/engine/memo-plan.ts';
import type { FleetModel } from '../src/model/fleet-model.ts';
import { loadFleetFromDir } from '../src/model/load.ts';
import { RenderCache, renderFleet, type K8sObject, type RenderedGateway } from '../src/render/index.ts';
import { measure, measureAsync, reportFromChild } from './child.ts';
import { DEFAULT_RENDER_THREADS, renderGatewaysOn } from '../src/load/index.ts';
import { RenderPool } from '../src/render/index.ts';
import { withOneChange } from './one-change.ts';

const [mode, dir] = process.argv.slice(2) as [string, string];
const NOW = '2026-12-01T00:00:00Z';
const REVISION = 'a'.repeat(40);

const rssMiB = (): number => process.memoryUsage().rss / 2 ** 20;

async function load(): Promise<{ model: FleetModel; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const loaded = await loadFleetFromDir(dir);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (!loaded.ok) throw new Error(`synthetic fleet is invalid: ${JSON.stringify(loaded.problems.slice(0, 3))}`);
  return { model: loaded.model, ms, cpuMs: (used.user + used.system) / 1000 };
}

let serial = 0;

/** Sets the fields the server defaults where we did not set them. */
function defaulted(target: Record<string, unknown>, defaults: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(defaults)) if (target[key] === undefined) target[key] = value;
}
/** An object as the API server hands it back: its own metadata, defaulted fields and a status beside what we set. */
function asServed(object: K8sObject): LiveObject {
  const served = structuredClone(object) as Record<string, unknown> & { metadata: Record<string, unknown> };
  serial++;
  Object.assign(served.metadata, { uid: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`, resourceVersion: String(1000 + serial), generation: 1, creationTimestamp: '2026-11-30T00:00:00Z' });
  const spec = served['spec'] as Record<string, unknown> | undefined;
  const template = spec?.['template'] as { spec?: Record<string, unknown> } | undefined;
  if (spec && template?.spec) {
    defaulted(spec, { progressDeadlineSeconds: 600, revisionHistoryLimit: 10, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
    defaulted(template.spec, { dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30 });
    for (const container of (template.spec['containers'] as Record<string, unknown>[] | undefined) ?? []) defaulted(container, { imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
    served['status'] = { observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1, conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: NOW, lastTransitionTime: NOW },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet has successfully progressed.', lastUpdateTime: NOW, lastTransitionTime: NOW },
    ] };
  } else if (served['kind'] === 'Namespace') served['status'] = { phase: 'Active' };
  return served as unknown as LiveObject;
}

/** The pod a workload runs, as the watch cache keeps it. */
function podOf(workload: LiveObject, node: string): LiveObject {
  const template = (workload as unknown as { spec: { template: { metadata?: { labels?: Record<string, string> }; spec: Record<string, unknown> } } }).spec.template;
  const containers = (template.spec['containers'] as { name: string; image: string }[] | undefined) ?? [];
  serial++;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `${workload.metadata.name}-7d9c5b6f4-x${serial.toString(36)}`, namespace: workload.metadata.namespace, labels: { ...workload.metadata.labels, ...template.metadata?.labels, 'pod-template-hash': '7d9c5b6f4' }, uid: `00000000-0000-4000-9000-${String(serial).padStart(12, '0')}`, resourceVersion: String(1000 + serial), creationTimestamp: NOW, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${workload.metadata.name}-7d9c5b6f4`, uid: `rs-${serial}`, controller: true, blockOwnerDeletion: true }] },
    spec: { ...structuredClone(template.spec), nodeName: node },
    status: {
      phase: 'Running', hostIP: '127.0.0.1', podIP: '10.244.0.1', startTime: NOW, qosClass: 'Burstable',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: NOW })),
      containerStatuses: containers.map((c) => ({ name: c.name, image: c.image, imageID: c.image, containerID: `containerd://${'0'.repeat(64)}`, ready: true, started: true, restartCount: 0, state: { running: { startedAt: NOW } } })),
    },
  } as unknown as LiveObject;
}

function nodeOf(name: string): LiveObject {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'node-role.kubernetes.io/edge': '', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' }, annotations: { 'node.alpha.kubernetes.io/ttl': '0' }, uid: `node-${name}`, resourceVersion: '1' },
    spec: { taints: [{ key: 'node-role.kubernetes.io/edge', effect: 'NoSchedule' }] },
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' }, allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({ type, status: type === 'Ready' ? 'True' : 'False', lastHeartbeatTime: NOW, lastTransitionTime: NOW, reason: `Kubelet${type}`, message: type })),
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: name }],
      nodeInfo: { kubeletVersion: 'v1.32.2-kubeedge-v1.23.0', architecture: 'amd64', operatingSystem: 'linux', containerRuntimeVersion: 'containerd://1.7.0', kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12', kubeProxyVersion: '', machineID: '', systemUUID: '', bootID: '' },
    },
  } as unknown as LiveObject;
}

/** The plan step over every gateway (planFleet, as the engine runs it): through the memo, what gateways share planned once. */
async function planPass({ rendered, inventories, live, memo }: { rendered: ReadonlyMap<string, RenderedGateway>; inventories: ReadonlyMap<string, Inventory>; live: LiveByGateway; memo: PlanMemo }): Promise<{ plans: readonly GatewayPlan[]; made: number }> {
  const madeBefore = memo.made;
  const fleet = { ok: true, rendered } as const;
  const { plans } = await planFleet({ memo, gateways: [...rendered.keys()], revisionOf: () => REVISION, fleetAt: () => Promise.resolve(fleet), inventories, live, owns: () => true });
  return { plans, made: memo.made - madeBefore };
}

const loaded = await load();
if (mode === 'validate') {
  reportFromChild({ ms: loaded.ms, cpuMs: loaded.cpuMs, gateways: loaded.model.gateways.size });
} else if (mode === 'render') {
  const render = measure(() => renderFleet({ model: loaded.model, now: NOW }));
  reportFromChild({ ms: render.ms, cpuMs: render.cpuMs, objects: render.result.gateways.reduce((n, g) => n + g.objects.length, 0) });
} else if (mode === 'render-threads') {
  const pool = new RenderPool({ threads: DEFAULT_RENDER_THREADS });
  const render = await measureAsync(() => renderGatewaysOn({ model: loaded.model, now: NOW, pool }));
  await pool.close();
  if (render.result.failures.size > 0) throw new Error(`${render.result.failures.size} gateways failed to render`);
  reportFromChild({ ms: render.ms, cpuMs: render.cpuMs, threads: pool.threads, offloaded: pool.offloaded, objects: [...render.result.rendered.values()].reduce((n, g) => n + g.objects.length, 0) });
} else if (mode === 'plan') {
  const { model } = loaded;
  const afterLoad = rssMiB();
  const cache = new RenderCache();
  const render = measure(() => renderFleet({ model, now: NOW, cache }));
  const rendered = new Map(render.result.gateways.map((g) => [g.gateway, g]));
  const afterRender = rssMiB();
  // First sync: every gateway planned against nothing; its plan's inventory is what the apply records.
  const first = measure(() => new Map([...rendered.values()].map((g) => {
    const plan = planGateway({ gateway: g.gateway, desired: g.objects.filter((o) => !isShared(o)), live: [], revision: REVISION, renderHash: g.inputHash });
    return [plan.gateway, plan.inventory] as const;
  })));
  const inventories = first.result;
  const served: LiveObject[] = [];
  const pods: LiveObject[] = [];
  const nodes: LiveObject[] = [];
  const namespaces = new Set<string>();
  for (const g of rendered.values()) {
    nodes.push(nodeOf(g.gateway));
    for (const object of g.objects) {
      if (isShared(object)) {
        if (namespaces.has(object.metadata.name)) continue;
        namespaces.add(object.metadata.name);
      }
      const live = asServed(object);
      served.push(live);
      if ((live as unknown as { spec?: { template?: unknown } }).spec?.template) pods.push(podOf(live, g.gateway));
    }
  }
  const live = groupLiveByGateway(served);
  const afterLive = rssMiB();
  const memo = new PlanMemo();
  const full = await measureAsync(() => planPass({ rendered, inventories, live, memo }));
  const notNoop = full.result.plans.filter((p) => !isNoop(p) || p.inventoryChanged).length;
  const sample = full.result.plans.find((p) => !isNoop(p) || p.inventoryChanged);
  if (sample) console.error(JSON.stringify({ creates: sample.creates.map((c) => c.ref), updates: sample.updates.map((u) => u.diff).slice(0, 2), deletes: sample.deletes, inventoryChanged: sample.inventoryChanged }).slice(0, 3000));
  if (notNoop > 0) throw new Error(`${notNoop} gateways planned changes against a live state that matches their render`);
  const again = await measureAsync(() => planPass({ rendered, inventories, live, memo }));
  const target = [...rendered.keys()][Math.floor(rendered.size / 2)]!;
  const changedModel = withOneChange(model, target);
  const rerender = measure(() => renderFleet({ model: changedModel, now: NOW, cache }));
  const rerendered = new Map(rerender.result.gateways.map((g) => [g.gateway, g]));
  const replan = await measureAsync(() => planPass({ rendered: rerendered, inventories, live, memo }));
  const changed = replan.result.plans.filter((p) => !isNoop(p));
  if (changed.length !== 1 || changed[0]!.gateway !== target) throw new Error(`the one-gateway change planned changes for ${changed.map((p) => p.gateway).join(', ') || 'no gateway'}`);
  reportFromChild({
    gateways: rendered.size, objects: served.length, pods: pods.length, nodes: nodes.length,
    loadMs: loaded.ms, renderMs: render.ms, firstPlanMs: first.ms,
    fullPlanMs: full.ms, fullPlanCpuMs: full.cpuMs, memoPassMs: again.ms, memoMade: again.result.made,
    rerenderMs: rerender.ms, rerenderSynthesized: rerender.result.synthesized, replanMs: replan.ms, replanMade: replan.result.made,
    rssAfterLoadMiB: afterLoad, rssAfterRenderMiB: afterRender, rssAfterLiveMiB: afterLive, rssEndMiB: rssMiB(),
  });
} else {
  throw new Error(`unknown mode ${mode}`);
}
