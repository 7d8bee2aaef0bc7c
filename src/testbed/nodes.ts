// The simulated gateways: Node objects labelled as KubeEdge's edgecore labels an edge
// node, which KWOK keeps Ready and runs pods on while their uplink label says `up`.
import pLimit from 'p-limit';
import { ApiException, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import { resourceMetricsPath, UPLINK_LABEL } from './components.ts';
import { EDGE_ROLE_LABEL } from '../contract/index.ts';

export type Uplink = 'up' | 'down';

/** A Node as a KubeEdge edge node registers itself (keadm join defaults), plus the test bed's uplink switch. */
export function edgeNodeManifest({ name, kubeedge, kubernetes }: { name: string; kubeedge: string; kubernetes: string }): V1Node {
  const resources = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '64Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        [EDGE_ROLE_LABEL]: '',
        'node-role.kubernetes.io/agent': '',
        [UPLINK_LABEL]: 'up',
      },
      // Where metrics-server finds this node's resource metrics on KWOK's server (metrics-server ≥ 0.7 reads it).
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake', 'metrics.k8s.io/resource-metrics-path': resourceMetricsPath(name) },
    },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        osImage: 'essg-gateway',
        kernelVersion: '',
        kubeletVersion: `${kubernetes}-kubeedge-${kubeedge}`,
        kubeProxyVersion: '',
        containerRuntimeVersion: 'containerd://1.7.0',
        bootID: '',
        machineID: '',
        systemUUID: '',
      },
    },
  };
}

/** `gw-001` … for N gateways, wide enough to sort. */
export function numberedGatewayNames(count: number, prefix = 'gw'): string[] {
  const width = Math.max(3, String(count).length);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(width, '0')}`);
}

/** Creates the nodes that do not exist yet, `concurrency` requests at a time; returns the names created. */
export async function createEdgeNodes({ kubeconfig, names, kubeedge, kubernetes, concurrency = 32 }: { kubeconfig: KubeConfig; names: readonly string[]; kubeedge: string; kubernetes: string; concurrency?: number }): Promise<string[]> {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const existing = new Set((await core.listNode({ labelSelector: EDGE_ROLE_LABEL })).items.map((n) => n.metadata?.name));
  const missing = names.filter((n) => !existing.has(n));
  const limit = pLimit(concurrency);
  await Promise.all(missing.map((name) => limit(async () => {
    try {
      await core.createNode({ body: edgeNodeManifest({ name, kubeedge, kubernetes }) });
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
    }
  })));
  return missing;
}

export async function setUplink({ kubeconfig, node, uplink }: { kubeconfig: KubeConfig; node: string; uplink: Uplink }): Promise<void> {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  await core.patchNode({ name: node, body: { metadata: { labels: { [UPLINK_LABEL]: uplink } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

export interface NodeSummary {
  readonly name: string;
  readonly uplink: string;
  /** The Ready condition's status: True, False or Unknown (no condition yet: Unknown). */
  readonly ready: string;
}

export function summarizeNode(node: V1Node): NodeSummary {
  return {
    name: node.metadata?.name ?? '',
    uplink: node.metadata?.labels?.[UPLINK_LABEL] ?? 'unmanaged',
    ready: node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown',
  };
}

export async function listEdgeNodes(kubeconfig: KubeConfig): Promise<NodeSummary[]> {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  return (await core.listNode({ labelSelector: UPLINK_LABEL })).items.map(summarizeNode);
}
