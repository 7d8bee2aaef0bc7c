// What a service's health is made of (its workload, its pods, the versions they run), what
// health makes of objects the API server returns half-filled, and how statuses rank.
import { describe, expect, it } from 'vitest';
import {
  assessGateway, cronJobHealth, deploymentHealth, GatewayPhase, gatewayHealth, HealthStatus, isReady, isWorse, isWorsePhase, jobHealth, nodeHealth,
  podHealth, podVersion, restarts, serviceHealth, worstHealth, worstPhase, type Node, type Pod, type ServiceHealth, type Workload,
} from '../../../src/health/index.ts';
import { LABEL } from '../../../src/contract/index.ts';

const meta = (name: string, labels?: Record<string, string>) => ({ name, namespace: 'essg-acme', ...(labels ? { labels } : {}) });
const svc = (service: string, version?: string) => ({ [LABEL.service]: service, ...(version ? { [LABEL.serviceVersion]: version } : {}) });

function pod(name: string, { version = '1.1.0', service = 'ids', ready = true, phase = 'Running', waiting, labels = true }: {
  version?: string; service?: string; ready?: boolean; phase?: string; waiting?: string; labels?: boolean;
} = {}): Pod {
  return {
    metadata: meta(name, labels ? svc(service, version) : undefined),
    status: {
      phase,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: service, restartCount: waiting ? 3 : 0, state: waiting ? { waiting: { reason: waiting } } : {} }],
    },
  };
}

const healthyDeployment = (version = '1.1.0'): Workload => ({
  kind: 'Deployment', metadata: { ...meta('gw-ids', svc('ids', version)), generation: 2 }, spec: { replicas: 1 },
  status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
});
/** `labels: null` for a Job without labels. */
const job = (conditions: { type: string; status: string }[], labels: Record<string, string> | null = svc('vuln-scanner', '2.0.0')): Workload => ({
  kind: 'Job', metadata: meta('gw-scan', labels ?? undefined), status: { conditions },
});
const cronJob = (status: Record<string, unknown>): Workload => ({ kind: 'CronJob', metadata: meta('gw-asset', svc('asset-discovery', '1.0.0')), status } as Workload);
const readyNode: Node = { metadata: { name: 'gw' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };

describe('serviceHealth', () => {
  it('a service not in the cluster is Missing', () => {
    expect(serviceHealth({ service: 'ids', desiredVersion: '1.1.0', pods: [] })).toEqual({
      service: 'ids', desiredVersion: '1.1.0', runningVersions: [], restarts: 0, ready: false, status: HealthStatus.Missing, message: 'not in the cluster',
    });
  });

  it('during a rolling update both versions serve and none is the running one', () => {
    const health = serviceHealth({ service: 'ids', desiredVersion: '1.1.0', workload: healthyDeployment(), pods: [pod('new', { version: '1.1.0' }), pod('old', { version: '1.0.0' })] });
    expect(health.runningVersions).toEqual(['1.0.0', '1.1.0']);
    expect(health).not.toHaveProperty('runningVersion');
  });

  it('only ready pods with a version label tell the running version', () => {
    const health = serviceHealth({
      service: 'ids', desiredVersion: '1.1.0', workload: healthyDeployment(),
      pods: [pod('serving', { version: '1.0.0' }), pod('starting', { version: '1.1.0', ready: false }), pod('unlabelled', { labels: false })],
    });
    expect(health).toMatchObject({ runningVersions: ['1.0.0'], runningVersion: '1.0.0' });
  });

  it('a Deployment that says it is done is not ready until a pod is', () => {
    const health = serviceHealth({ service: 'ids', desiredVersion: '1.1.0', workload: healthyDeployment(), pods: [] });
    expect(health).toMatchObject({ ready: false, status: HealthStatus.Healthy, runningVersions: [] });
    expect(health).not.toHaveProperty('runningVersion');
  });

  it('a broken pod makes the service Degraded before the Deployment notices', () => {
    const health = serviceHealth({ service: 'ids', desiredVersion: '1.1.0', workload: healthyDeployment(), pods: [pod('serving'), pod('new', { ready: false, waiting: 'ImagePullBackOff' })] });
    expect(health).toMatchObject({ ready: false, status: HealthStatus.Degraded, message: 'container ids: ImagePullBackOff', restarts: 3 });
  });

  it('a pod still starting next to a serving one does not hold a healthy Deployment back', () => {
    const health = serviceHealth({ service: 'ids', desiredVersion: '1.1.0', workload: healthyDeployment(), pods: [pod('serving'), pod('surge', { ready: false })] });
    expect(health).toMatchObject({ ready: true, status: HealthStatus.Healthy });
  });

  it('a failed Job is Degraded, a running one has no version yet', () => {
    expect(serviceHealth({ service: 'vuln-scanner', desiredVersion: '2.0.0', workload: job([{ type: 'Failed', status: 'True' }]), pods: [] })).toMatchObject({ status: HealthStatus.Degraded, ready: false });
    const running = serviceHealth({ service: 'vuln-scanner', desiredVersion: '2.0.0', workload: job([]), pods: [] });
    expect(running).toMatchObject({ status: HealthStatus.Progressing, ready: false, runningVersions: [] });
    expect(running).not.toHaveProperty('runningVersion');
  });

  it('a finished Job without a version label reports no version', () => {
    const health = serviceHealth({ service: 'vuln-scanner', desiredVersion: '2.0.0', workload: job([{ type: 'Complete', status: 'True' }], null), pods: [] });
    expect(health).toMatchObject({ ready: true, status: HealthStatus.Healthy, runningVersions: [] });
  });

  it('a CronJob is judged by its schedule; a ready pod of its run tells the version over its label', () => {
    expect(serviceHealth({ service: 'asset-discovery', desiredVersion: '1.0.0', workload: cronJob({ lastScheduleTime: '2026-06-02T03:00:00Z' }), pods: [] }))
      .toMatchObject({ status: HealthStatus.Degraded, ready: false });
    expect(serviceHealth({ service: 'asset-discovery', desiredVersion: '1.1.0', workload: cronJob({ active: [{}] }), pods: [pod('run', { service: 'asset-discovery', version: '1.1.0' })] }))
      .toMatchObject({ status: HealthStatus.Healthy, ready: true, runningVersions: ['1.1.0'], runningVersion: '1.1.0' });
  });
});

describe('assessGateway', () => {
  it('takes only workloads as a service\'s workload and only its own pods', () => {
    const health = assessGateway({
      gateway: 'gw', node: readyNode,
      services: [{ service: 'ids', version: '1.1.0' }, { service: 'vuln-scanner', version: '2.0.0' }, { service: 'asset-discovery', version: '1.0.0' }],
      objects: [
        { kind: 'ConfigMap', metadata: { labels: svc('ids', '1.1.0') } },
        { kind: 'Deployment', metadata: {} },
        job([{ type: 'Complete', status: 'True' }]),
        cronJob({}),
      ],
      pods: [pod('fw', { service: 'firewall', ready: false, waiting: 'CrashLoopBackOff' }), { metadata: { name: 'stray' } }],
    });
    expect(health.services.map((s: ServiceHealth) => [s.service, s.status, s.restarts])).toEqual([
      ['ids', HealthStatus.Missing, 0],
      ['vuln-scanner', HealthStatus.Healthy, 0],
      ['asset-discovery', HealthStatus.Healthy, 0],
    ]);
  });
});

describe('gatewayHealth: the worst service decides', () => {
  const service = (name: string, status: HealthStatus, message?: string): ServiceHealth => ({ service: name, desiredVersion: '1', runningVersions: [], ready: status === HealthStatus.Healthy, restarts: 0, status, ...(message ? { message } : {}) });

  it.each([
    ['the worse one listed first', [service('ids', HealthStatus.Degraded, 'crashing'), service('fw', HealthStatus.Healthy)], GatewayPhase.Degraded, 'ids: crashing'],
    ['the worse one listed last', [service('fw', HealthStatus.Healthy), service('ids', HealthStatus.Progressing)], GatewayPhase.Progressing, 'ids: Progressing'],
    ['the first of two equally bad ones', [service('ids', HealthStatus.Degraded, 'a'), service('fw', HealthStatus.Degraded, 'b')], GatewayPhase.Degraded, 'ids: a'],
    ['an Unknown service', [service('ids', HealthStatus.Unknown)], GatewayPhase.Degraded, 'ids: Unknown'],
    ['a suspended service is Ready', [service('asset', HealthStatus.Suspended, 'the schedule is suspended')], GatewayPhase.Ready, undefined],
  ] as const)('%s', (_, services, phase, message) => {
    const health = gatewayHealth({ gateway: 'gw', node: readyNode, services });
    expect(health.phase).toBe(phase);
    expect(health.message).toBe(message);
  });

  it('a gateway with no services on a ready node is Ready, without a message', () => {
    expect(gatewayHealth({ gateway: 'gw', node: readyNode, services: [] })).toEqual({ gateway: 'gw', phase: GatewayPhase.Ready, node: nodeHealth(readyNode), services: [] });
  });
});

describe('objects the API server returns half-filled', () => {
  it('a Deployment without spec or status is waiting for its controller or its replicas', () => {
    expect(deploymentHealth({ metadata: { name: 'd' } })).toEqual({ status: HealthStatus.Progressing, message: '0 of 1 replicas updated' });
    expect(deploymentHealth({ metadata: { name: 'd', generation: 1 } })).toEqual({ status: HealthStatus.Progressing, message: 'waiting for the controller to see the new spec' });
  });

  it('a Deployment without a Progressing condition is judged by its replicas', () => {
    expect(deploymentHealth({ metadata: { name: 'd' }, spec: { replicas: 1 }, status: { replicas: 1, updatedReplicas: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] } }))
      .toEqual({ status: HealthStatus.Healthy });
  });

  it('a Job without status is running with nothing active', () => {
    expect(jobHealth({ metadata: { name: 'j' } })).toEqual({ status: HealthStatus.Progressing, message: 'the job is running (0 active)' });
  });

  it('a CronJob without spec or status is healthy', () => {
    expect(cronJobHealth({ metadata: { name: 'c' } })).toEqual({ status: HealthStatus.Healthy });
  });

  it('a Pod without status is pending and not ready, with no restarts and no version', () => {
    const bare: Pod = { metadata: { name: 'p' } };
    expect(podHealth(bare)).toEqual({ status: HealthStatus.Progressing, message: 'Pending' });
    expect([isReady(bare), restarts(bare), podVersion(bare)]).toEqual([false, 0, undefined]);
  });

  it('a pod marked for deletion is terminating and no longer ready', () => {
    const going = { ...pod('old'), metadata: { ...pod('old').metadata, deletionTimestamp: '2026-06-01T10:00:00Z' } };
    expect([podHealth(going), isReady(going)]).toEqual([{ status: HealthStatus.Progressing, message: 'terminating' }, false]);
  });

  it('restarts add up over init and app containers', () => {
    const p: Pod = { metadata: { name: 'p' }, status: { initContainerStatuses: [{ name: 'init', restartCount: 2 }], containerStatuses: [{ name: 'a', restartCount: 3 }, { name: 'b' }] } };
    expect(restarts(p)).toBe(5);
  });

  it('a Node without spec or status is offline, with no heartbeat and no pressure', () => {
    expect(nodeHealth({ metadata: { name: 'gw' } })).toEqual({ name: 'gw', ready: 'Unknown', offline: true, pressure: [], message: 'the gateway is offline' });
  });

  it('a Ready condition with a status Kubernetes does not define counts as Unknown', () => {
    expect(nodeHealth({ metadata: { name: 'gw' }, status: { conditions: [{ type: 'Ready', status: 'Maybe' }] } })).toMatchObject({ ready: 'Unknown', offline: true });
  });

  it('another taint does not make a node offline', () => {
    expect(nodeHealth({ metadata: { name: 'gw' }, spec: { taints: [{ key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' }] }, status: readyNode.status })).toMatchObject({ offline: false });
  });
});

describe('rankings', () => {
  const statuses = Object.values(HealthStatus);
  const phases = Object.values(GatewayPhase);

  it('no status or phase is worse than itself', () => {
    for (const status of statuses) expect(isWorse(status, status)).toBe(false);
    for (const phase of phases) expect(isWorsePhase(phase, phase)).toBe(false);
  });

  it('the worst of nothing is Healthy, and of equals the first', () => {
    expect(worstHealth([])).toEqual({ status: HealthStatus.Healthy });
    expect(worstHealth([{ status: HealthStatus.Degraded, message: 'first' }, { status: HealthStatus.Degraded, message: 'second' }])).toEqual({ status: HealthStatus.Degraded, message: 'first' });
    expect(worstPhase([GatewayPhase.Offline, GatewayPhase.Offline])).toBe(GatewayPhase.Offline);
  });
});
