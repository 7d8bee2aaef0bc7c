// The test bed runs workloads as a KubeEdge cluster would: the scheduler places a pod on
// the simulated gateway it is pinned to, and KWOK runs it there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Deployment } from '@kubernetes/client-node';
import { ensureGateways, kube, namespace, waitFor, type Kube } from './helpers/kube.ts';

const GATEWAY = 'it-workloads-gw';

function pinnedDeployment(name: string, node: string): V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': node, 'node-role.kubernetes.io/edge': '' },
          containers: [{ name, image: 'registry.example.com/essg/ids@sha256:' + '0'.repeat(64) }],
        },
      },
    },
  };
}

describe('test bed workloads', () => {
  let k: Kube;
  let ns: Awaited<ReturnType<typeof namespace>>;
  beforeAll(async () => {
    k = await kube();
    await ensureGateways([GATEWAY]);
    ns = await namespace(k, 'it-workloads');
  });
  afterAll(async () => ns?.remove());

  it('gives a Deployment pinned to a simulated gateway a Running, Ready pod on that gateway', async () => {
    await k.apps.createNamespacedDeployment({ namespace: ns.name, body: pinnedDeployment('ids', GATEWAY) });

    const pod = await waitFor('a Running pod of the deployment', async () => {
      const pods = await k.core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=ids' });
      return pods.items.find((p) => p.status?.phase === 'Running');
    });

    expect(pod.spec?.nodeName).toBe(GATEWAY);
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('labels its simulated gateways as KubeEdge labels edge nodes', async () => {
    const node = await k.core.readNode({ name: GATEWAY });

    expect(node.metadata?.labels).toMatchObject({ 'node-role.kubernetes.io/edge': '', 'node-role.kubernetes.io/agent': '', 'kubernetes.io/hostname': GATEWAY });
    expect(node.status?.nodeInfo?.kubeletVersion).toMatch(/-kubeedge-v\d+\.\d+\.\d+$/);
  });
});
