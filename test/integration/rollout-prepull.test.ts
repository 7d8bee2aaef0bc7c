// Pre-pull first, on the test bed: the reconciler sends a wave's new images out as a KubeEdge
// ImagePrePullJob, the test bed's controller reports it as CloudCore would, and the gateway's
// Deployment changes only after the job succeeded on its node. A host-port service whose node
// cannot pull its new image is held, its old pod running on; a gateway that was offline during
// the pull gets a new job when it is back, and then updates.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiException } from '@kubernetes/client-node';
import type { PassSummary } from '../../src/engine/engine.ts';
import type { HoldReason } from '../../src/rollout/index.ts';
import { readPullConfig, setPullDelay, setPullFailure } from '../../src/testbed/index.ts';
import { forgetOtherFleets } from './helpers/fleet.ts';
import { bringOnline, kube, readyStatus, takeOffline, waitFor, type Kube } from './helpers/kube.ts';
import { createRolloutFleet, deployments, passUntil, removeRolloutFleet, viewOf, type PassRecord, type RolloutFleet } from './helpers/rollout-fleet.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';
import { LABEL } from '../../src/contract/index.ts';

const run = promisify(execFile);
const essg = (...args: string[]): Promise<{ stdout: string }> => run(process.execPath, [path.resolve('bin/essg.js'), ...args], { env: process.env });
const JOBS = { group: 'operations.kubeedge.io', version: 'v1alpha2', plural: 'imageprepulljobs' } as const;

interface JobSeen {
  readonly name: string;
  readonly created: string;
  readonly nodeNames: readonly string[];
  readonly images: readonly string[];
  readonly nodes: readonly { nodeName: string; phase?: string; reason?: string; actionFlow?: { action: string; status: string; time: string }[] }[];
}

let k: Kube;
let r: TestRuntime;
const fleets: RolloutFleet[] = [];
/** What a poller saw of every ImagePrePullJob while a test ran: the last status of each, kept after the job is deleted. */
let seen: Map<string, JobSeen>;
let poller: ReturnType<typeof setInterval> | undefined;

printReconcilerLogOnFailure();

async function listJobs(): Promise<JobSeen[]> {
  const list = (await k.custom.listClusterCustomObject({ ...JOBS })) as { items: { metadata: { name: string; creationTimestamp: string }; spec: { imagePrePullTemplate: { nodeNames: string[]; images: string[] } }; status?: { nodeStatus?: JobSeen['nodes'] } }[] };
  return list.items.map((j) => ({ name: j.metadata.name, created: j.metadata.creationTimestamp, nodeNames: j.spec.imagePrePullTemplate.nodeNames, images: j.spec.imagePrePullTemplate.images, nodes: j.status?.nodeStatus ?? [] }));
}

function watchJobs(): void {
  seen = new Map();
  poller = setInterval(() => {
    void listJobs().then((jobs) => jobs.forEach((j) => seen.set(j.name, j)), () => undefined);
  }, 100);
}

async function jobExists(name: string): Promise<boolean> {
  try {
    await k.custom.getClusterCustomObject({ ...JOBS, name });
    return true;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return false;
    throw error;
  }
}

function holdOf(summary: PassSummary, gateway: string): HoldReason | undefined {
  const decision = summary.rollout?.decisions.get(gateway);
  return decision?.action === 'hold' ? decision.hold : undefined;
}

const pullTime = (job: JobSeen | undefined, node: string): string | undefined => job?.nodes.find((n) => n.nodeName === node)?.actionFlow?.find((a) => a.action === 'Pull')?.time;

async function readyOn(fleet: RolloutFleet, image: string, service = 'log-collector'): Promise<void> {
  const gateway = fleet.gateways[0]!;
  await waitFor(`${gateway} Ready on ${image}`, async () => {
    await r.pass();
    const list = await k.apps.listNamespacedDeployment({ namespace: fleet.namespace, labelSelector: `${LABEL.service}=${service}` });
    const view = list.items.map(viewOf)[0];
    return view?.image === image && view.ready && r.store.gateway(gateway)?.phase === 'Ready';
  }, { timeoutMs: 180_000, intervalMs: 300 });
}

/** A one-gateway fleet of its own; the cluster forgets the fleets of earlier tests, so this one's reconciler does not prune theirs. */
async function newFleet(): Promise<RolloutFleet> {
  for (const fleet of fleets.splice(0)) await removeRolloutFleet(fleet, k);
  await forgetOtherFleets();
  const fleet = await createRolloutFleet({ size: 1, canaries: 1, maxUnavailable: 1, soakSeconds: 1, prePull: true });
  fleets.push(fleet);
  return fleet;
}

describe('rollout with image pre-pull', () => {
  beforeAll(async () => {
    k = await kube();
  });

  afterEach(async () => {
    if (poller) clearInterval(poller);
    poller = undefined;
    await setPullDelay({ kubeconfig: k.config, seconds: 1 });
  });

  afterAll(async () => {
    await stopTestRuntimes();
    for (const fleet of fleets) await removeRolloutFleet(fleet, k);
    const config = await readPullConfig(k.config);
    for (const f of config.failures) await setPullFailure({ kubeconfig: k.config, ...f, fail: false });
  });

  it('pulls the new image with an ImagePrePullJob that succeeds on the node before the Deployment\'s image changes, then deletes the job', async () => {
    const fleet = await newFleet();
    const [gateway] = fleet.gateways as [string];
    r = await startTestRuntime({ repo: fleet.url });
    await readyOn(fleet, fleet.image('2.3.0'));
    // Long enough for the reconciler to look several times while the node pulls.
    await essg('testbed', 'pull-delay', '3');
    watchJobs();

    const id = await fleet.push(fleet.withVersion('2.4.0'), 'log-collector 2.4.0');
    const newImage = fleet.image('2.4.0');
    const passes: PassRecord[] = [];
    await passUntil({ pass: () => r.pass(), k, fleet, record: passes, what: 'the gateway on 2.4.0, Ready', done: (p) => p.deployments.get(gateway)?.image === newImage && p.deployments.get(gateway)?.ready === true });

    // Held while pulling, on the image it ran, with the job named for the rollout and wave.
    const held = passes.filter((p) => holdOf(p.summary, gateway)?.reason === 'pre-pulling');
    expect(held.length).toBeGreaterThan(0);
    for (const p of held) expect(p.deployments.get(gateway)?.image).toBe(fleet.image('2.3.0'));
    const hold = holdOf(held[0]!.summary, gateway) as Extract<HoldReason, { reason: 'pre-pulling' }>;
    expect(hold.job).toMatch(new RegExp(`^essg-pre-pull-${id.slice(0, 12)}-w0-[0-9a-f]{6}$`));
    expect(hold.images).toEqual([newImage]);

    // The job over the gateway's node, for the one image its node does not run yet, succeeded there …
    const job = seen.get(hold.job);
    expect(job?.nodeNames).toEqual([gateway]);
    expect(job?.images).toEqual([newImage]);
    expect(job?.nodes.find((n) => n.nodeName === gateway)?.phase).toBe('Successful');
    // … before the reconciler changed the Deployment (both in the API server's whole seconds).
    const pulled = pullTime(job, gateway)!;
    const applied = (await deployments(k, fleet)).get(gateway)!.appliedAt!;
    expect(Date.parse(pulled)).toBeGreaterThanOrEqual(Date.parse(job!.created));
    expect(Date.parse(applied)).toBeGreaterThanOrEqual(Date.parse(pulled));
    // Every gateway in it switched: the job is cleaned up.
    await waitFor('the finished job deleted', async () => (await r.pass(), !(await jobExists(hold.job))));
    await r.stop();
  }, 300_000);

  it('holds a host-port service whose node cannot pull its new image, with the reason, and its old pod keeps running', async () => {
    const fleet = await newFleet();
    const [gateway] = fleet.gateways as [string];
    r = await startTestRuntime({ repo: fleet.url });
    const oldImage = /^ {2}image: (\S+)$/m.exec(fleet.files['catalog/firewall/3.0.0.yaml']!)![1]!;
    await readyOn(fleet, oldImage, 'firewall');
    const before = (await k.core.listNamespacedPod({ namespace: fleet.namespace, labelSelector: `${LABEL.service}=firewall` })).items.map((p) => p.metadata?.uid);
    watchJobs();

    // firewall 3.1.0 (host network, fixed host port: Recreate), whose registry the node cannot reach.
    const newImage = `registry.example.com/essg/firewall@sha256:${randomBytes(32).toString('hex')}`;
    await essg('testbed', 'fail-pull', newImage, '--node', gateway);
    const changes = {
      'catalog/firewall/3.1.0.yaml': fleet.files['catalog/firewall/3.0.0.yaml']!.replace('version: 3.0.0', 'version: 3.1.0').replace(oldImage, newImage),
      [fleet.gatewayFile(gateway)]: fleet.files[fleet.gatewayFile(gateway)]!.replace(/(name: firewall\n {6}version: )3\.0\.0/, '$13.1.0'),
    };
    await fleet.push(changes, 'firewall 3.1.0');
    const summary = await waitFor('the gateway held: pull failed', async () => {
      const s = await r.pass();
      return holdOf(s, gateway)?.reason === 'pre-pull-failed' && s;
    }, { timeoutMs: 120_000, intervalMs: 300 });
    const hold = holdOf(summary, gateway) as Extract<HoldReason, { reason: 'pre-pull-failed' }>;
    expect(hold.images).toEqual([newImage]);
    expect(hold.failure).toContain('registry unreachable');
    expect(r.store.gateway(gateway)?.message).toMatch(/cannot surge/);

    // Passes later it is still held: the Deployment keeps the old image, the old pod runs on, Ready.
    for (let i = 0; i < 5; i++) expect(holdOf(await r.pass(), gateway)?.reason).toBe('pre-pull-failed');
    const firewall = (await k.apps.listNamespacedDeployment({ namespace: fleet.namespace, labelSelector: `${LABEL.service}=firewall` })).items.map(viewOf)[0]!;
    expect(firewall.image).toBe(oldImage);
    const pods = (await k.core.listNamespacedPod({ namespace: fleet.namespace, labelSelector: `${LABEL.service}=firewall` })).items;
    expect(pods.map((p) => p.metadata?.uid)).toEqual(before);
    expect(pods[0]?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    // The failed job stays as the record of why.
    expect(await jobExists(hold.job)).toBe(true);
    expect(seen.get(hold.job)?.nodes.find((n) => n.nodeName === gateway)?.phase).toBe('Failure');
    await r.stop();
  }, 300_000);

  it('gives a gateway that was offline during the pull a new job when it is back, and then updates it', async () => {
    const fleet = await newFleet();
    const [gateway] = fleet.gateways as [string];
    r = await startTestRuntime({ repo: fleet.url });
    await readyOn(fleet, fleet.image('2.3.0'));
    // The pull takes longer than the node takes to be seen offline.
    await essg('testbed', 'pull-delay', '25');
    watchJobs();

    await fleet.push(fleet.withVersion('2.4.0'), 'log-collector 2.4.0');
    const first = await waitFor('the wave\'s job issued', async () => {
      const hold = holdOf(await r.pass(), gateway);
      return hold?.reason === 'pre-pulling' && hold.job;
    }, { timeoutMs: 60_000, intervalMs: 300 });
    await takeOffline(gateway);
    await waitFor('the job failed on the offline node', async () => {
      await r.pass();
      return seen.get(first)?.nodes.find((n) => n.nodeName === gateway && n.phase === 'Failure')?.reason === 'the node is not ready';
    }, { timeoutMs: 90_000, intervalMs: 500 });
    // While it is away: held, waiting for the node, no new job.
    const away = holdOf(await r.pass(), gateway);
    expect(away).toMatchObject({ reason: 'pre-pulling', job: first, waitingForNode: 'the node is not ready' });
    expect((await deployments(k, fleet)).get(gateway)?.image).toBe(fleet.image('2.3.0'));

    await essg('testbed', 'pull-delay', '1');
    await bringOnline(gateway);
    await waitFor('the node Ready again', async () => readyStatus(await k.core.readNode({ name: gateway })) === 'True');
    const passes: PassRecord[] = [];
    await passUntil({ pass: () => r.pass(), k, fleet, record: passes, what: 'the gateway on 2.4.0 after a new job', done: (p) => p.deployments.get(gateway)?.image === fleet.image('2.4.0') && p.deployments.get(gateway)?.ready === true });

    const reissued = passes.map((p) => holdOf(p.summary, gateway)).find((h): h is Extract<HoldReason, { reason: 'pre-pulling' }> => h?.reason === 'pre-pulling' && h.job !== first);
    expect(reissued?.job).toMatch(new RegExp(`^${first}-r1-[0-9a-f]{6}$`));
    const job = seen.get(reissued!.job);
    expect(job?.nodeNames).toEqual([gateway]);
    expect(job?.images).toEqual([fleet.image('2.4.0')]);
    expect(job?.nodes.find((n) => n.nodeName === gateway)?.phase).toBe('Successful');
    const applied = (await deployments(k, fleet)).get(gateway)!.appliedAt!;
    expect(Date.parse(applied)).toBeGreaterThanOrEqual(Date.parse(pullTime(job, gateway)!));
    // Both jobs are cleaned up: the node was re-issued from the first, and switched after the second.
    await waitFor('both jobs deleted', async () => (await r.pass(), !(await jobExists(first)) && !(await jobExists(reissued!.job))));
    await r.stop();
  }, 300_000);
});
