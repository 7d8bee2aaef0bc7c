// The test bed plays CloudCore's part for ImagePrePullJobs on the real CRD: a Ready node
// pulls after the configured delay and reports each image, a NotReady node fails with
// "the node is not ready", and `essg testbed fail-pull` makes one image fail on one node as
// an unreachable registry would; the job's phase follows its nodes as KubeEdge computes it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPullConfig, setPullFailure } from '../../src/testbed/index.ts';
import { bringOnline, ensureGateways, kube, readyStatus, takeOffline, waitFor, type Kube } from './helpers/kube.ts';

const run = promisify(execFile);
const essg = (...args: string[]): Promise<{ stdout: string }> => run(process.execPath, [path.resolve('bin/essg.js'), ...args], { env: process.env });
const JOBS = { group: 'operations.kubeedge.io', version: 'v1alpha2', plural: 'imageprepulljobs' } as const;
const UP = 'it-prepull-up';
const FLAKY = 'it-prepull-flaky';
const DOWN = 'it-prepull-down';

interface NodeTask { nodeName: string; phase: string; reason?: string; imageStatus?: { image: string; status: string; reason?: string }[]; actionFlow?: { action: string; status: string; time: string }[] }
interface JobView { phase?: string; nodeStatus?: NodeTask[] }

let k: Kube;
const created: string[] = [];

const image = (name: string): string => `registry.example.com/essg/${name}@sha256:${randomBytes(32).toString('hex')}`;

async function createJob(name: string, images: string[], nodeNames: string[], failureTolerate = '0.1'): Promise<void> {
  await k.custom.createClusterCustomObject({
    ...JOBS,
    body: { apiVersion: 'operations.kubeedge.io/v1alpha2', kind: 'ImagePrePullJob', metadata: { name }, spec: { imagePrePullTemplate: { images, nodeNames, concurrency: 2, timeoutSeconds: 60, retryTimes: 0, failureTolerate } } },
  });
  created.push(name);
}

async function finished(name: string): Promise<JobView> {
  return waitFor(`${name} finished`, async () => {
    const job = (await k.custom.getClusterCustomObject({ ...JOBS, name })) as { status?: JobView };
    return (job.status?.phase === 'Completed' || job.status?.phase === 'Failure') && job.status;
  }, { timeoutMs: 60_000 });
}

describe('test bed image pre-pull controller', () => {
  beforeAll(async () => {
    k = await kube();
    await ensureGateways([UP, FLAKY, DOWN]);
    await essg('testbed', 'pull-delay', '2');
    await takeOffline(DOWN);
    await waitFor(`${DOWN} NotReady`, async () => readyStatus(await k.core.readNode({ name: DOWN })) !== 'True', { timeoutMs: 90_000, intervalMs: 500 });
  });

  afterAll(async () => {
    for (const name of created) await k.custom.deleteClusterCustomObject({ ...JOBS, name }).catch(() => undefined);
    await bringOnline(DOWN);
    for (const f of (await readPullConfig(k.config)).failures) await setPullFailure({ kubeconfig: k.config, ...f, fail: false });
    await essg('testbed', 'pull-delay', '1');
  });

  it('pulls on a Ready node after the delay, reporting each image, and fails a NotReady node with "the node is not ready"', async () => {
    const images = [image('log-collector'), image('ids')];
    const name = `it-prepull-${randomBytes(3).toString('hex')}`;
    await createJob(name, images, [UP, DOWN], '0.5');
    const status = await finished(name);
    const up = status.nodeStatus!.find((n) => n.nodeName === UP)!;
    const down = status.nodeStatus!.find((n) => n.nodeName === DOWN)!;
    expect(up.phase).toBe('Successful');
    expect(up.imageStatus).toEqual(images.map((i) => ({ image: i, status: 'True' })));
    const [check, pull] = up.actionFlow!;
    expect([check!.action, pull!.action, pull!.status]).toEqual(['Check', 'Pull', 'True']);
    expect(Date.parse(pull!.time) - Date.parse(check!.time)).toBeGreaterThanOrEqual(2000);
    expect(down).toMatchObject({ phase: 'Failure', reason: 'the node is not ready' });
    // One node of two failed: within a failureTolerate of 0.5, the job is Completed.
    expect(status.phase).toBe('Completed');
  });

  it('fails an image the test bed was told the registry cannot serve to that node, and only there', async () => {
    const broken = image('firewall');
    const fine = image('log-collector');
    const { stdout } = await essg('testbed', 'fail-pull', broken, '--node', FLAKY);
    expect(stdout).toContain(`${broken} on ${FLAKY}`);
    const name = `it-prepull-${randomBytes(3).toString('hex')}`;
    await createJob(name, [broken, fine], [FLAKY, UP]);
    const status = await finished(name);
    const flaky = status.nodeStatus!.find((n) => n.nodeName === FLAKY)!;
    expect(flaky.phase).toBe('Failure');
    expect(flaky.reason).toBe('there were some failures when pulling images');
    expect(flaky.imageStatus).toEqual([
      { image: broken, status: 'False', reason: expect.stringContaining('registry unreachable') },
      { image: fine, status: 'True' },
    ]);
    expect(status.nodeStatus!.find((n) => n.nodeName === UP)?.phase).toBe('Successful');
    // Half the nodes failed, more than the default failureTolerate of 0.1: the job failed.
    expect(status.phase).toBe('Failure');

    // Healed: the next job pulls it there.
    await essg('testbed', 'heal-pull', broken, '--node', FLAKY);
    const again = `it-prepull-${randomBytes(3).toString('hex')}`;
    await createJob(again, [broken], [FLAKY]);
    expect(await finished(again)).toMatchObject({ phase: 'Completed', nodeStatus: [{ nodeName: FLAKY, phase: 'Successful' }] });
  });
});
