// Reads what runs — edge nodes and the pods of our services — through the cluster client,
// and judges it with the health stage. A failed read is reported as unknown, never as
// "nothing runs".
import type { ClusterClient } from '../apply/index.ts';
import { isReady, nodeHealth, podVersion, restarts, type Node, type Pod } from '../health/index.ts';
import { LABEL } from '../render/labels.ts';
import type { NodeStatus, ServiceStatus } from '../report/index.ts';

export interface Observed {
  readonly nodes: ReadonlyMap<string, NodeStatus>;
  /** gateway → service → pods of it */
  readonly pods: ReadonlyMap<string, ReadonlyMap<string, readonly Pod[]>>;
}

export interface Observer {
  observe(): Promise<Observed>;
}

export class ClusterObserver implements Observer {
  constructor(private readonly client: Pick<ClusterClient, 'listEdgeNodes' | 'listServicePods'>) {}

  async observe(): Promise<Observed> {
    const [nodes, pods] = await Promise.all([this.client.listEdgeNodes(), this.client.listServicePods()]);
    const byGateway = new Map<string, Map<string, Pod[]>>();
    for (const pod of pods as unknown as Pod[]) {
      const gateway = pod.metadata.labels?.[LABEL.gateway];
      const service = pod.metadata.labels?.[LABEL.service];
      if (!gateway || !service) continue;
      const services = byGateway.get(gateway) ?? new Map<string, Pod[]>();
      services.set(service, [...(services.get(service) ?? []), pod]);
      byGateway.set(gateway, services);
    }
    return { nodes: new Map((nodes as unknown as Node[]).map((n) => [n.metadata.name, nodeStatus(n)])), pods: byGateway };
  }
}

export function nodeStatus(node: Node): NodeStatus {
  const health = nodeHealth(node);
  return {
    name: health.name,
    ready: health.offline ? 'Unknown' : health.ready,
    ...(health.lastHeartbeat ? { lastHeartbeat: health.lastHeartbeat } : {}),
    pressure: { memory: health.pressure.includes('MemoryPressure'), disk: health.pressure.includes('DiskPressure'), pid: health.pressure.includes('PIDPressure') },
  };
}

/** A service's running version: the version of its ready pods (the desired one while a rollout overlaps). */
export function serviceStatus({ name, desiredVersion, workload, pods }: { name: string; desiredVersion: string; workload: string; pods: readonly Pod[] }): Omit<ServiceStatus, 'lastTransition'> {
  const ready = pods.filter((p) => p.status?.phase === 'Running' && isReady(p));
  const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded');
  const versions = [...new Set([...ready, ...succeeded].map(podVersion).filter((v): v is string => Boolean(v)))];
  const runningVersion = versions.includes(desiredVersion) ? desiredVersion : versions.sort().at(-1);
  // A job or cronjob has done its part when a run succeeded, or (cronjob) before its first run.
  const done = workload === 'daemon' ? ready.some((p) => podVersion(p) === desiredVersion) : workload === 'cronjob' || succeeded.length > 0 || ready.length > 0;
  return { name, desiredVersion, ...(runningVersion ? { runningVersion } : {}), ready: done, restarts: pods.reduce((n, p) => n + restarts(p), 0) };
}
