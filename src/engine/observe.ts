// Reads what runs: edge nodes and the pods of our services, for the status report. A
// failed read is reported as unknown, never as "nothing runs".
import { CoreV1Api, type KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { LABEL } from '../render/labels.ts';
import type { NodeStatus, ServiceStatus } from '../report/index.ts';

export interface Observed {
  readonly nodes: ReadonlyMap<string, NodeStatus>;
  /** gateway → service → pods of it */
  readonly pods: ReadonlyMap<string, ReadonlyMap<string, readonly V1Pod[]>>;
}

export interface Observer {
  observe(): Promise<Observed>;
}

export class KubeObserver implements Observer {
  private readonly core: CoreV1Api;
  constructor(kubeconfig: KubeConfig) {
    this.core = kubeconfig.makeApiClient(CoreV1Api);
  }

  async observe(): Promise<Observed> {
    const [nodes, pods] = await Promise.all([
      this.core.listNode({ labelSelector: 'node-role.kubernetes.io/edge' }),
      this.core.listPodForAllNamespaces({ labelSelector: `${LABEL.managedBy}=essg-fleet` }),
    ]);
    const byGateway = new Map<string, Map<string, V1Pod[]>>();
    for (const pod of pods.items) {
      const labels = pod.metadata?.labels ?? {};
      const gateway = labels[LABEL.gateway];
      const service = labels[LABEL.service];
      if (!gateway || !service) continue;
      const services = byGateway.get(gateway) ?? new Map<string, V1Pod[]>();
      services.set(service, [...(services.get(service) ?? []), pod]);
      byGateway.set(gateway, services);
    }
    return { nodes: new Map(nodes.items.map((n) => [n.metadata!.name!, nodeStatus(n)])), pods: byGateway };
  }
}

export function nodeStatus(node: V1Node): NodeStatus {
  const conditions = node.status?.conditions ?? [];
  const condition = (type: string) => conditions.find((c) => c.type === type);
  const ready = condition('Ready');
  const heartbeat = ready?.lastHeartbeatTime;
  return {
    name: node.metadata?.name ?? '',
    ready: ready?.status === 'True' ? 'True' : ready?.status === 'False' ? 'False' : 'Unknown',
    ...(heartbeat ? { lastHeartbeat: new Date(heartbeat).toISOString() } : {}),
    pressure: {
      memory: condition('MemoryPressure')?.status === 'True',
      disk: condition('DiskPressure')?.status === 'True',
      pid: condition('PIDPressure')?.status === 'True',
    },
  };
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') && !pod.metadata?.deletionTimestamp;
}

/** A service's running version: the version of its ready pods (the newest while a rollout overlaps). */
export function serviceStatus({ name, desiredVersion, workload, pods }: { name: string; desiredVersion: string; workload: string; pods: readonly V1Pod[] }): Omit<ServiceStatus, 'lastTransition'> {
  const ready = pods.filter(isReady);
  const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded');
  const versions = [...new Set([...ready, ...succeeded].map((p) => p.metadata?.labels?.[LABEL.serviceVersion]).filter((v): v is string => Boolean(v)))];
  const runningVersion = versions.includes(desiredVersion) ? desiredVersion : versions.sort().at(-1);
  const restarts = pods.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m, c) => m + (c.restartCount ?? 0), 0), 0);
  // A job or cronjob has done its part when a run succeeded, or (cronjob) before its first run.
  const done = workload === 'daemon' ? ready.some((p) => p.metadata?.labels?.[LABEL.serviceVersion] === desiredVersion) : workload === 'cronjob' || succeeded.length > 0 || ready.length > 0;
  return { name, desiredVersion, ...(runningVersion ? { runningVersion } : {}), ready: done, restarts };
}
