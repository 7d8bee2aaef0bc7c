// Reads what the cluster holds for the fleet in one go — the objects we own, the edge nodes
// and the pods of our services — through the cluster client. A failed listing throws: it is
// never read as "nothing there", so neither the plan nor a rollout acts on it.
import { allListed, type ClusterClient } from '../apply/index.ts';
import type { Node, Pod } from '../health/index.ts';
import { groupLiveByGateway, type LiveByGateway } from '../diff/index.ts';
import { LABEL } from '../contract/index.ts';
import type { ResourceMetricsRead } from '../report/resource-usage.ts';

export interface Observed {
  readonly live: LiveByGateway;
  /** By node name. */
  readonly nodes: ReadonlyMap<string, Node>;
  /** By gateway. */
  readonly pods: ReadonlyMap<string, readonly Pod[]>;
  /** CPU and memory from the metrics API, or why there are none; never fails the pass. */
  readonly resourceMetrics: ResourceMetricsRead;
}

export async function observeCluster(client: Pick<ClusterClient, 'listOwned' | 'listEdgeNodes' | 'listServicePods' | 'readResourceMetrics'>): Promise<Observed> {
  const metricsRead = client.readResourceMetrics ? client.readResourceMetrics() : Promise.resolve<ResourceMetricsRead>({ available: false, reason: 'this cluster client reads no metrics API' });
  const [live, nodes, pods] = await allListed([client.listOwned(), client.listEdgeNodes(), client.listServicePods()] as const);
  const resourceMetrics = await metricsRead;
  const byGateway = new Map<string, Pod[]>();
  // Listings are JSON of the shapes health reads (src/health/types.ts).
  for (const pod of pods as unknown as Pod[]) {
    const gateway = pod.metadata.labels?.[LABEL.gateway];
    if (!gateway) continue;
    const pods = byGateway.get(gateway);
    if (pods) pods.push(pod);
    else byGateway.set(gateway, [pod]);
  }
  return { live: groupLiveByGateway(live), nodes: new Map((nodes as unknown as Node[]).map((n) => [n.metadata.name, n])), pods: byGateway, resourceMetrics };
}
