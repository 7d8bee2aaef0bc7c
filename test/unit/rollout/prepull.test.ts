// Pre-pull first, decided pass by pass on plain data: the wave's job, the hold until the node
// reports success, the hold of a service that cannot surge when its pull fails, a surging
// service going ahead, a re-issued job for a node that was unreachable once it is back, and
// the clean-up of jobs nobody waits for.
import { describe, expect, it } from 'vitest';
import { prePullJobObject } from '../../../src/render/pre-pull-job.ts';
import {
  awaitsPull, decidePrePull, planRollouts, prePullSettings, readPrePullJob, workloadImages,
  type GatewayRolloutState, type PrePullGateway, type PrePullJobView, type RolloutPlan, type RolloutSettings,
} from '../../../src/rollout/index.ts';
import { schemaErrors } from '../render/openapi-validator.ts';
import { LABEL, MANAGED_BY } from '../../../src/contract/index.ts';

// Every gateway is a canary: wave 0 holds them all.
const settings: RolloutSettings = { canarySelector: { tier: 'canary' }, maxUnavailable: 2, soakSeconds: 0, autoRollback: true, emergencyBypassesWindows: false };
const pull = { concurrency: 10, timeoutSeconds: 600, retryTimes: 2, failureTolerate: '0.1' };
const NEW = 'registry.example.com/essg/log-collector@sha256:2222';
const HOSTPORT = 'registry.example.com/essg/firewall@sha256:4444';
const ROLLOUT = 'b'.repeat(40);
const NOW = '2026-12-01T10:00:00Z';
const on = (revision: string): GatewayRolloutState => ({ revision, renderHash: `${revision}-render`, healthy: { revision, renderHash: `${revision}-render` } });

/** The rollout's decision when gateways gw-1 (and gw-2) start wave 0 of ROLLOUT. */
function waveStarts(gateways: readonly string[]): RolloutPlan {
  return planRollouts({
    gateways: gateways.map((gateway) => ({ gateway, labels: { tier: 'canary' }, state: on('a'.repeat(40)), target: { revision: ROLLOUT, renderHash: 'new-render', emergency: false }, verdict: { status: 'ready' } })),
    settings,
    now: NOW,
  });
}

function facts(gateway: string, extra: Partial<PrePullGateway> = {}): PrePullGateway {
  return { gateway, node: `${gateway}-node`, nodeReady: true, runs: 'a'.repeat(40), needed: [NEW], cannotSurge: [], settings: pull, ...extra };
}

/** The job as KubeEdge reports it: each node's phase, reason and image results. */
function job(name: string, nodes: Record<string, { phase: string; reason?: string; failed?: string[] }>): PrePullJobView {
  return readPrePullJob({
    metadata: { name },
    spec: { imagePrePullTemplate: { images: [NEW, HOSTPORT], nodeNames: Object.keys(nodes) } },
    status: {
      phase: 'InProgress',
      nodeStatus: Object.entries(nodes).map(([nodeName, n]) => ({
        nodeName, phase: n.phase, ...(n.reason ? { reason: n.reason } : {}),
        ...(n.failed ? { imageStatus: [NEW, HOSTPORT].map((image) => ({ image, status: n.failed!.includes(image) ? 'False' : 'True', ...(n.failed!.includes(image) ? { reason: 'registry unreachable' } : {}) })) } : {}),
      })),
    },
  });
}

/** Next pass: the states the last one recorded, the rollout advancing the gateways again. */
function nextPass(previous: RolloutPlan): RolloutPlan {
  return planRollouts({
    gateways: [...previous.states].map(([gateway, state]) => ({ gateway, labels: { tier: 'canary' }, state, target: { revision: ROLLOUT, renderHash: 'new-render', emergency: false }, verdict: { status: 'progressing' } })),
    settings,
    now: NOW,
  });
}

describe('pre-pull decisions', () => {
  it('sends the wave\'s new images out as one job over the wave\'s nodes and holds every gateway of the wave on the revision it runs', () => {
    const plan = waveStarts(['gw-1', 'gw-2']);
    const out = decidePrePull({ plan, gateways: new Map([['gw-1', facts('gw-1')], ['gw-2', facts('gw-2')]]), jobs: [] });
    expect(out.create).toHaveLength(1);
    expect(out.create[0]).toMatchObject({ rollout: ROLLOUT, wave: 0, attempt: 0, images: [NEW], nodes: ['gw-1-node', 'gw-2-node'] });
    expect(out.create[0]!.name).toMatch(/^essg-pre-pull-bbbbbbbbbbbb-w0-[0-9a-f]{6}$/);
    for (const gateway of ['gw-1', 'gw-2']) {
      expect(out.plan.decisions.get(gateway)).toMatchObject({ action: 'hold', revision: 'a'.repeat(40), hold: { reason: 'pre-pulling', wave: 0, job: out.create[0]!.name } });
      expect(awaitsPull(out.plan.states.get(gateway))).toBe(true);
    }
    expect(out.remove).toEqual([]);
  });

  it('switches a gateway only once the job reports success for its node, and keeps it switched after the job is gone', () => {
    const first = decidePrePull({ plan: waveStarts(['gw-1', 'gw-2']), gateways: new Map([['gw-1', facts('gw-1')], ['gw-2', facts('gw-2')]]), jobs: [] });
    const name = first.create[0]!.name;
    const gateways = new Map([['gw-1', facts('gw-1')], ['gw-2', facts('gw-2')]]);
    // WHEN KubeEdge reports gw-1's node done and gw-2's still pulling
    const second = decidePrePull({ plan: nextPass(first.plan), gateways, jobs: [job(name, { 'gw-1-node': { phase: 'Successful' }, 'gw-2-node': { phase: 'InProgress' } })] });
    expect(second.plan.decisions.get('gw-1')).toMatchObject({ action: 'advance', revision: ROLLOUT });
    expect(second.plan.states.get('gw-1')?.prePull?.outcome).toBe('pulled');
    expect(second.plan.decisions.get('gw-2')).toMatchObject({ action: 'hold', hold: { reason: 'pre-pulling' } });
    expect(second.create).toEqual([]);
    expect(second.remove).toEqual([]);
    // THEN gw-1 switched (its render applied: no longer a gateway to pull for) and gw-2 pulled: the job stays until gw-2 switched too
    const done = job(name, { 'gw-1-node': { phase: 'Successful' }, 'gw-2-node': { phase: 'Successful' } });
    const third = decidePrePull({ plan: nextPass(second.plan), gateways: new Map([['gw-2', facts('gw-2')]]), jobs: [done] });
    expect(third.plan.decisions.get('gw-2')).toMatchObject({ action: 'advance' });
    expect(third.remove).toEqual([]);
    const fourth = decidePrePull({ plan: nextPass(third.plan), gateways: new Map(), jobs: [done] });
    expect(fourth.remove).toEqual([name]);
    // and a pass without the job still advances both, asking for nothing
    const fifth = decidePrePull({ plan: nextPass(fourth.plan), gateways, jobs: [] });
    expect([...fifth.plan.decisions.values()].map((d) => d.action)).toEqual(['advance', 'advance']);
    expect(fifth.create).toEqual([]);
  });

  it('holds a gateway whose service cannot surge when its node could not pull that service\'s image, and keeps the job as the record', () => {
    const gateways = new Map([['gw-1', facts('gw-1', { needed: [NEW, HOSTPORT], cannotSurge: [HOSTPORT] })]]);
    const first = decidePrePull({ plan: waveStarts(['gw-1']), gateways, jobs: [] });
    const name = first.create[0]!.name;
    const second = decidePrePull({ plan: nextPass(first.plan), gateways, jobs: [job(name, { 'gw-1-node': { phase: 'Failure', reason: 'there were some failures when pulling images', failed: [HOSTPORT] } })] });
    expect(second.plan.decisions.get('gw-1')).toMatchObject({ action: 'hold', revision: 'a'.repeat(40), hold: { reason: 'pre-pull-failed', images: [HOSTPORT], failure: `${HOSTPORT}: registry unreachable` } });
    expect(awaitsPull(second.plan.states.get('gw-1'))).toBe(true);
    expect(second.remove).toEqual([]);
    expect(second.create).toEqual([]);
  });

  it('lets a surging service go ahead when its pull failed: the old pod keeps serving while the kubelet tries, and health judges the new one', () => {
    const gateways = new Map([['gw-1', facts('gw-1', { needed: [NEW, HOSTPORT], cannotSurge: [HOSTPORT] })]]);
    const first = decidePrePull({ plan: waveStarts(['gw-1']), gateways, jobs: [] });
    const second = decidePrePull({ plan: nextPass(first.plan), gateways, jobs: [job(first.create[0]!.name, { 'gw-1-node': { phase: 'Failure', failed: [NEW] } })] });
    expect(second.plan.decisions.get('gw-1')).toMatchObject({ action: 'advance' });
    expect(second.plan.states.get('gw-1')?.prePull?.outcome).toBe('proceeded');
    expect(second.remove).toEqual([]);
    expect(decidePrePull({ plan: nextPass(second.plan), gateways: new Map(), jobs: [job(first.create[0]!.name, {})] }).remove).toEqual([first.create[0]!.name]);
  });

  it.each([
    ['not ready', { phase: 'Failure', reason: 'the node is not ready' }],
    ['timed out', { phase: 'Unknown', reason: 'The node task has timed out' }],
  ])('re-issues a job for a node whose pull failed because it was unreachable (%s), once it is Ready again, then switches it', (_what, report) => {
    const first = decidePrePull({ plan: waveStarts(['gw-1', 'gw-2']), gateways: new Map([['gw-1', facts('gw-1')], ['gw-2', facts('gw-2')]]), jobs: [] });
    const wave = first.create[0]!.name;
    const failedOn1 = job(wave, { 'gw-1-node': report, 'gw-2-node': { phase: 'Successful' } });
    // WHILE the node is still unreachable: held, waiting for it, no new job
    const offline = decidePrePull({ plan: nextPass(first.plan), gateways: new Map([['gw-1', facts('gw-1', { nodeReady: false })], ['gw-2', facts('gw-2')]]), jobs: [failedOn1] });
    expect(offline.plan.decisions.get('gw-1')).toMatchObject({ action: 'hold', hold: { reason: 'pre-pulling', waitingForNode: report.reason } });
    expect(offline.create).toEqual([]);
    expect(offline.remove).toEqual([]);
    expect(offline.plan.decisions.get('gw-2')).toMatchObject({ action: 'advance' });
    // WHEN it is back (and gw-2 switched meanwhile): a new job over that node alone, for the images it still needs; the wave's job goes
    const back = decidePrePull({ plan: nextPass(offline.plan), gateways: new Map([['gw-1', facts('gw-1')]]), jobs: [failedOn1] });
    expect(back.create).toHaveLength(1);
    expect(back.create[0]).toMatchObject({ attempt: 1, nodes: ['gw-1-node'], images: [NEW] });
    expect(back.create[0]!.name).toMatch(new RegExp(`^${wave}-r1-[0-9a-f]{6}$`));
    expect(back.remove).toEqual([wave]);
    expect(back.plan.decisions.get('gw-1')).toMatchObject({ action: 'hold', hold: { reason: 'pre-pulling', job: back.create[0]!.name } });
    // THEN the new job succeeds and the gateway switches
    const reissued = job(back.create[0]!.name, { 'gw-1-node': { phase: 'Successful' } });
    const done = decidePrePull({ plan: nextPass(back.plan), gateways: new Map([['gw-1', facts('gw-1')]]), jobs: [reissued] });
    expect(done.plan.decisions.get('gw-1')).toMatchObject({ action: 'advance', revision: ROLLOUT });
    expect(decidePrePull({ plan: nextPass(done.plan), gateways: new Map(), jobs: [reissued] }).remove).toEqual([back.create[0]!.name]);
  });

  it('issues the job again under its name when it is gone before it reported', () => {
    const gateways = new Map([['gw-1', facts('gw-1')]]);
    const first = decidePrePull({ plan: waveStarts(['gw-1']), gateways, jobs: [] });
    const again = decidePrePull({ plan: nextPass(first.plan), gateways, jobs: [] });
    expect(again.create.map((j) => j.name)).toEqual([first.create[0]!.name]);
    expect(again.plan.decisions.get('gw-1')).toMatchObject({ action: 'hold' });
  });

  it('leaves alone a gateway that needs no new image, and deletes jobs of a rollout no gateway takes part in any more', () => {
    const out = decidePrePull({ plan: waveStarts(['gw-1']), gateways: new Map([['gw-1', facts('gw-1', { needed: [] })]]), jobs: [job('essg-pre-pull-old', { 'gw-9-node': { phase: 'InProgress' } })] });
    expect(out.plan.decisions.get('gw-1')).toMatchObject({ action: 'advance' });
    expect(out.create).toEqual([]);
    expect(out.remove).toEqual(['essg-pre-pull-old']);
  });
});

describe('pre-pull facts', () => {
  it('finds the images of every workload, and those of Deployments that cannot surge (Recreate, host ports)', () => {
    const pod = (image: string, ports: unknown[] = []) => ({ spec: { containers: [{ image, ports }] } });
    const found = workloadImages([
      { kind: 'Deployment', spec: { strategy: { type: 'RollingUpdate' }, template: pod('a') } },
      { kind: 'Deployment', spec: { strategy: { type: 'Recreate' }, template: pod('b') } },
      { kind: 'Deployment', spec: { template: pod('c', [{ containerPort: 80, hostPort: 80 }]) } },
      { kind: 'CronJob', spec: { jobTemplate: { spec: { template: pod('d') } } } },
      { kind: 'ConfigMap', data: {} } as never,
    ]);
    expect(found).toEqual({ images: ['a', 'b', 'c', 'd'], cannotSurge: ['b', 'c'] });
  });

  it('reads the fleet settings with KubeEdge\'s terms and the defaults, and nothing when pre-pull is off', () => {
    const fleet = (prePull: unknown) => ({ apiVersion: 'essg.io/v1', kind: 'Fleet', metadata: { name: 'f' }, spec: { operators: ['x'], prePull } }) as never;
    expect(prePullSettings(fleet({ enabled: true, concurrency: 3, failureTolerate: 0.25 }))).toEqual({ concurrency: 3, timeoutSeconds: 600, retryTimes: 2, failureTolerate: '0.25' });
    expect(prePullSettings(fleet({ enabled: false }))).toBeUndefined();
  });

  it('renders a job the KubeEdge CRD accepts', () => {
    const object = prePullJobObject({ name: 'essg-pre-pull-bbbbbbbbbbbb-w0-abcdef', rollout: ROLLOUT, wave: 0, images: [NEW, NEW], nodes: ['n2', 'n1'], settings: pull });
    expect(schemaErrors(JSON.parse(JSON.stringify(object)))).toEqual([]);
    expect(object.spec).toEqual({ imagePrePullTemplate: { images: [NEW], nodeNames: ['n1', 'n2'], concurrency: 10, timeoutSeconds: 600, retryTimes: 2, failureTolerate: '0.1' } });
    expect(object.metadata.labels).toMatchObject({ [LABEL.rollout]: ROLLOUT, [LABEL.wave]: '0', [LABEL.managedBy]: MANAGED_BY });
    expect(object.metadata.labels?.[LABEL.gateway]).toBeUndefined();
  });
});
