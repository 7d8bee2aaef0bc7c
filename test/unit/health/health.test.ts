// Golden fixtures: testdata/<kind>-<case>.yaml → the status an operator should see.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { assessGateway, cronJobHealth, deploymentHealth, GatewayPhase, gatewayHealth, HealthStatus, isWorse, isWorsePhase, jobHealth, nodeHealth, podHealth, serviceHealth, worstPhase, type Node, type Pod, type Workload } from '../../../src/health/index.ts';
import { LABEL } from '../../../src/contract/index.ts';

const fixture = <T>(name: string): T => parse(readFileSync(fileURLToPath(new URL(`testdata/${name}.yaml`, import.meta.url)), 'utf8')) as T;
const fixtures = (name: string): Array<{ kind: string } & Record<string, unknown>> =>
  parseAllDocuments(readFileSync(fileURLToPath(new URL(`testdata/${name}.yaml`, import.meta.url)), 'utf8')).map((d) => d.toJS() as { kind: string });

describe('resource health', () => {
  it.each([
    ['deployment-healthy', HealthStatus.Healthy, deploymentHealth, undefined],
    ['deployment-new-spec-not-observed', HealthStatus.Progressing, deploymentHealth, 'waiting for the controller'],
    ['deployment-rollout-updating', HealthStatus.Progressing, deploymentHealth, '0 of 1 replicas updated'],
    ['deployment-old-replica-terminating', HealthStatus.Progressing, deploymentHealth, '1 old replica(s) pending termination'],
    ['deployment-new-replica-not-ready', HealthStatus.Progressing, deploymentHealth, '0 of 1 updated replicas available'],
    ['deployment-progress-deadline-exceeded', HealthStatus.Degraded, deploymentHealth, 'exceeded its progress deadline'],
    ['deployment-paused', HealthStatus.Suspended, deploymentHealth, 'paused'],
    ['job-complete', HealthStatus.Healthy, jobHealth, 'completed'],
    ['job-failed', HealthStatus.Degraded, jobHealth, 'BackoffLimitExceeded'],
    ['job-running', HealthStatus.Progressing, jobHealth, '1 active'],
    ['cronjob-healthy', HealthStatus.Healthy, cronJobHealth, undefined],
    ['cronjob-last-run-failed', HealthStatus.Degraded, cronJobHealth, 'did not succeed'],
    ['cronjob-suspended', HealthStatus.Suspended, cronJobHealth, 'suspended'],
    ['pod-ready', HealthStatus.Healthy, podHealth, undefined],
    ['pod-starting', HealthStatus.Progressing, podHealth, 'not ready yet'],
    ['pod-crash-loop', HealthStatus.Degraded, podHealth, 'CrashLoopBackOff'],
    ['pod-image-pull-backoff', HealthStatus.Degraded, podHealth, 'ImagePullBackOff'],
    ['pod-terminating', HealthStatus.Progressing, podHealth, 'terminating'],
  ] as const)('%s is %s', (name, status, assess, message) => {
    const health = (assess as (o: unknown) => { status: HealthStatus; message?: string })(fixture(name));
    expect(health.status).toBe(status);
    if (message) expect(health.message).toContain(message);
    else expect(health.message).toBeUndefined();
  });
});

describe('resource health, word for word', () => {
  it.each([
    ['deployment-scaled-rollout-updating', deploymentHealth, { status: HealthStatus.Progressing, message: '1 of 3 replicas updated' }],
    ['deployment-progress-deadline-exceeded', deploymentHealth, { status: HealthStatus.Degraded, message: 'the rollout exceeded its progress deadline: ReplicaSet "gw-ids-7d9" has timed out progressing.' }],
    ['deployment-progress-deadline-exceeded-without-message', deploymentHealth, { status: HealthStatus.Degraded, message: 'the rollout exceeded its progress deadline' }],
    ['job-failed', jobHealth, { status: HealthStatus.Degraded, message: 'the job failed (BackoffLimitExceeded): Job has reached the specified backoff limit' }],
    ['job-failed-without-details', jobHealth, { status: HealthStatus.Degraded, message: 'the job failed' }],
    ['job-suspended', jobHealth, { status: HealthStatus.Suspended, message: 'the job is suspended' }],
    ['job-running', jobHealth, { status: HealthStatus.Progressing, message: 'the job is running (1 active)' }],
    ['cronjob-running', cronJobHealth, { status: HealthStatus.Healthy, message: '1 run(s) active' }],
    ['cronjob-never-scheduled', cronJobHealth, { status: HealthStatus.Healthy }],
    ['cronjob-first-run-failed', cronJobHealth, { status: HealthStatus.Degraded, message: 'the run scheduled at 2026-06-02T03:00:00Z did not succeed' }],
    ['cronjob-succeeded-within-the-second', cronJobHealth, { status: HealthStatus.Healthy }],
    ['pod-succeeded', podHealth, { status: HealthStatus.Healthy, message: 'completed' }],
    ['pod-failed', podHealth, { status: HealthStatus.Degraded, message: 'The node was low on resource: ephemeral-storage.' }],
    ['pod-failed-reason-only', podHealth, { status: HealthStatus.Degraded, message: 'DeadlineExceeded' }],
    ['pod-failed-without-details', podHealth, { status: HealthStatus.Degraded, message: 'the pod failed' }],
    ['pod-unschedulable', podHealth, { status: HealthStatus.Progressing, message: 'Pending (Unschedulable)' }],
    ['pod-init-container-crash-loop', podHealth, { status: HealthStatus.Degraded, message: 'container load-rules: CrashLoopBackOff' }],
    ['pod-crash-loop', podHealth, { status: HealthStatus.Degraded, message: 'container ids: CrashLoopBackOff (back-off 5m0s restarting failed container)' }],
    ['pod-starting', podHealth, { status: HealthStatus.Progressing, message: 'running, not ready yet' }],
    ['pod-ready', podHealth, { status: HealthStatus.Healthy }],
  ] as const)('%s', (name, assess, want) => {
    expect((assess as (o: unknown) => unknown)(fixture(name))).toEqual(want);
  });
});

describe('node health', () => {
  it.each([
    ['node-ready', { ready: 'True', offline: false, pressure: [] }],
    ['node-memory-and-disk-pressure', { ready: 'True', offline: false, pressure: ['MemoryPressure', 'DiskPressure'], message: 'the node reports MemoryPressure, DiskPressure' }],
    ['node-not-ready-without-message', { ready: 'False', offline: false, pressure: [], message: 'the node is not ready' }],
    ['node-heartbeat-lost', { ready: 'Unknown', offline: true, lastHeartbeat: '2026-06-01T10:00:00Z', message: 'the gateway is offline since its last heartbeat at 2026-06-01T10:00:00Z' }],
    ['node-unreachable-taint', { ready: 'True', offline: true }],
    ['node-ready-unknown-without-taint', { ready: 'Unknown', offline: true, lastHeartbeat: '2026-06-01T10:00:00Z', message: 'the gateway is offline since its last heartbeat at 2026-06-01T10:00:00Z' }],
    ['node-no-ready-condition', { ready: 'Unknown', offline: true, message: 'the gateway is offline' }],
    ['node-not-ready', { ready: 'False', offline: false, message: 'the node is not ready: container runtime is down' }],
    ['node-disk-pressure', { offline: false, pressure: ['DiskPressure'], message: 'the node reports DiskPressure' }],
  ])('%s', (name, want) => {
    expect(nodeHealth(fixture<Node>(name))).toMatchObject(want);
  });

  it('says nothing about a ready node without pressure', () => {
    expect(nodeHealth(fixture<Node>('node-ready'))).toEqual({ name: 'gw', ready: 'True', offline: false, lastHeartbeat: '2026-06-01T10:00:00Z', pressure: [] });
  });
});

/** A gateway fixture: its Node, and for the ids service (desired 1.1.0) its workload and pods. */
function assessFixture(name: string) {
  const docs = fixtures(name);
  const node = docs.find((d) => d.kind === 'Node') as unknown as Node;
  const workload = docs.find((d) => d.kind === 'Deployment') as unknown as Workload | undefined;
  const pods = docs.filter((d) => d.kind === 'Pod' && (d['metadata'] as { labels?: Record<string, string> }).labels?.[LABEL.service] === 'ids') as unknown as Pod[];
  const ids = serviceHealth({ service: 'ids', desiredVersion: '1.1.0', ...(workload ? { workload } : {}), pods });
  return gatewayHealth({ gateway: 'gw', node, services: [ids] });
}

describe('gateway health', () => {
  it.each([
    ['gateway-ready', { phase: GatewayPhase.Ready, services: [{ status: HealthStatus.Healthy, ready: true, runningVersion: '1.1.0', desiredVersion: '1.1.0' }] }],
    ['gateway-rolling-update', { phase: GatewayPhase.Progressing, services: [{ status: HealthStatus.Progressing, runningVersion: '1.0.0', desiredVersion: '1.1.0', ready: false }] }],
    ['gateway-new-version-crashing', { phase: GatewayPhase.Degraded, message: 'ids: container ids: CrashLoopBackOff (back-off 5m0s restarting failed container)', services: [{ status: HealthStatus.Degraded, runningVersion: '1.0.0', restarts: 7 }] }],
    ['gateway-offline', { phase: GatewayPhase.Offline, node: { lastHeartbeat: '2026-06-01T10:00:00Z' }, services: [{ status: HealthStatus.Healthy }] }],
    ['gateway-offline-without-taint', { phase: GatewayPhase.Offline, message: 'the gateway is offline since its last heartbeat at 2026-06-01T10:00:00Z', node: { ready: 'Unknown', offline: true }, services: [{ status: HealthStatus.Healthy }] }],
    ['gateway-service-missing', { phase: GatewayPhase.Progressing, services: [{ status: HealthStatus.Missing, ready: false, runningVersions: [] }] }],
    ['gateway-disk-pressure', { phase: GatewayPhase.Ready, message: 'the node reports DiskPressure', node: { pressure: ['DiskPressure'] } }],
    ['gateway-node-not-ready', { phase: GatewayPhase.Degraded, message: 'the node is not ready: container runtime is down', node: { ready: 'False', offline: false }, services: [{ status: HealthStatus.Healthy }] }],
    ['gateway-crashing-under-disk-pressure', { phase: GatewayPhase.Degraded, message: 'ids: container ids: CrashLoopBackOff (back-off 5m0s restarting failed container); the node reports DiskPressure' }],
  ])('%s', (name, want) => {
    expect(assessFixture(name)).toMatchObject(want);
  });

  it('is Unregistered, with what an operator must do, when its node has not joined', () => {
    expect(gatewayHealth({ gateway: 'gw', services: [] })).toMatchObject({ phase: GatewayPhase.Unregistered, message: "the gateway's edge node is not registered" });
    expect(gatewayHealth({ gateway: 'gw', nodeName: 'edge-gw-07', services: [] })).toMatchObject({
      phase: GatewayPhase.Unregistered,
      message: 'edge node edge-gw-07 is not registered: join the gateway with `keadm join --edgenode-name=edge-gw-07` (its node must carry the label node-role.kubernetes.io/edge that keadm gives edge nodes)',
    });
  });

  it('reports a finished Job service by the version it ran', () => {
    const job = { ...fixture<Record<string, unknown>>('job-complete'), kind: 'Job' } as unknown as Workload;
    expect(serviceHealth({ service: 'vuln-scanner', desiredVersion: '2.0.0', workload: job, pods: [] })).toMatchObject({ ready: true, runningVersion: '2.0.0', status: HealthStatus.Healthy });
  });
});

describe('rankings', () => {
  it('orders health from Healthy to Unknown', () => {
    const order = [HealthStatus.Healthy, HealthStatus.Suspended, HealthStatus.Progressing, HealthStatus.Missing, HealthStatus.Degraded, HealthStatus.Unknown];
    for (let i = 1; i < order.length; i++) expect([isWorse(order[i] as HealthStatus, order[i - 1] as HealthStatus), isWorse(order[i - 1] as HealthStatus, order[i] as HealthStatus)]).toEqual([true, false]);
  });

  it('takes the worst gateway phase, Failed and Offline above the rest', () => {
    expect(worstPhase([GatewayPhase.Ready, GatewayPhase.Progressing, GatewayPhase.AwaitingApproval])).toBe(GatewayPhase.Progressing);
    expect(worstPhase([GatewayPhase.Degraded, GatewayPhase.Offline])).toBe(GatewayPhase.Offline);
    expect(isWorsePhase(GatewayPhase.Failed, GatewayPhase.Offline)).toBe(true);
    expect(worstPhase([])).toBe(GatewayPhase.Ready);
  });
});

describe('assessGateway', () => {
  it('matches workloads and pods to the declared services by label, and reports a declared service not in the cluster as Missing', () => {
    const docs = fixtures('gateway-ready');
    const health = assessGateway({
      gateway: 'gw',
      node: docs.find((d) => d.kind === 'Node') as unknown as Node,
      services: [
        { service: 'ids', version: '1.1.0' },
        { service: 'firewall', version: '3.0.0' },
      ],
      objects: docs.filter((d) => d.kind !== 'Pod' && d.kind !== 'Node') as never,
      pods: docs.filter((d) => d.kind === 'Pod') as unknown as Pod[],
    });
    expect(health.services.map((s) => [s.service, s.status, s.runningVersion])).toEqual([
      ['ids', HealthStatus.Healthy, '1.1.0'],
      ['firewall', HealthStatus.Missing, undefined],
    ]);
    expect(health.phase).toBe(GatewayPhase.Progressing);
  });
});
