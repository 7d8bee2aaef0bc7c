// A gateway that loses its uplink goes Ready=Unknown with the unreachable taint, as a
// KubeEdge edge node does; pods that tolerate unreachable stay; it comes back when online,
// and its pods are Ready again as its kubelet reports them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { bringOnline, ensureGateways, hasTaint, kube, namespace, readyStatus, takeOffline, waitFor, type Kube } from './helpers/kube.ts';

const GATEWAY = 'it-offline-gw';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/** A one-replica Deployment pinned to the gateway that stays through an outage, as the renderer makes a daemon service. */
function autonomousDeployment(name: string, digit: string): V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, 'app-offline.kubeedge.io': 'autonomy' } },
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': GATEWAY },
          tolerations: [
            { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
            { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
          ],
          containers: [{ name, image: `registry.example.com/essg/${name}@sha256:${digit.repeat(64)}` }],
        },
      },
    },
  };
}

function podReady(pod: V1Pod | undefined): string | undefined {
  return pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

describe('test bed offline gateways', () => {
  let k: Kube;
  let ns: Awaited<ReturnType<typeof namespace>>;
  beforeAll(async () => {
    k = await kube();
    await ensureGateways([GATEWAY]);
    ns = await namespace(k, 'it-offline');
  });
  afterAll(async () => {
    await bringOnline(GATEWAY);
    await ns?.remove();
  });

  it('marks an offline gateway Ready=Unknown and tainted unreachable, keeps its tolerating pod, and recovers when online', async () => {
    await k.apps.createNamespacedDeployment({ namespace: ns.name, body: autonomousDeployment('firewall', '1') });
    const running = await waitFor('the firewall pod Running', async () => (await k.core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=firewall' })).items.find((p) => p.status?.phase === 'Running'));

    await takeOffline(GATEWAY);
    const offline = await waitFor('the gateway Ready=Unknown and tainted', async () => {
      const node = await k.core.readNode({ name: GATEWAY });
      return readyStatus(node) === 'Unknown' && hasTaint(node, UNREACHABLE, 'NoExecute') && node;
    });
    expect(hasTaint(offline, UNREACHABLE, 'NoSchedule')).toBe(true);
    // The NoExecute taint is on; a pod that tolerates it forever is still there, still bound to the gateway.
    const pods = (await k.core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=firewall' })).items;
    expect(pods.map((p) => p.metadata?.name)).toEqual([running.metadata?.name]);
    expect(pods[0]?.metadata?.deletionTimestamp).toBeUndefined();
    expect(pods[0]?.spec?.nodeName).toBe(GATEWAY);

    await bringOnline(GATEWAY);
    const online = await waitFor('the gateway Ready again without the taint', async () => {
      const node = await k.core.readNode({ name: GATEWAY });
      return readyStatus(node) === 'True' && !hasTaint(node, UNREACHABLE, 'NoExecute') && node;
    });
    expect(online.spec?.taints ?? []).not.toContainEqual(expect.objectContaining({ key: UNREACHABLE }));
  });

  it('makes a pod that was Ready before the outage Ready again once its gateway is back online, as its kubelet reports it', async () => {
    await k.apps.createNamespacedDeployment({ namespace: ns.name, body: autonomousDeployment('ids', '2') });
    const listIds = async (): Promise<V1Pod[]> => (await k.core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=ids' })).items;
    const ready = await waitFor('the ids pod Ready', async () => (await listIds()).find((p) => podReady(p) === 'True'));

    await takeOffline(GATEWAY);
    // The node lifecycle controller marks the pods of an unreachable node not Ready.
    await waitFor('the ids pod not Ready while its gateway is offline', async () => podReady((await listIds()).find((p) => p.metadata?.name === ready.metadata?.name)) === 'False');
    // Nothing plays the kubelet of an unreachable gateway: the pod stays not Ready until it is back.
    await waitFor('the gateway Ready=Unknown', async () => readyStatus(await k.core.readNode({ name: GATEWAY })) === 'Unknown');
    expect(podReady((await listIds()).find((p) => p.metadata?.name === ready.metadata?.name))).toBe('False');
    await bringOnline(GATEWAY);

    const back = await waitFor('the same ids pod Ready again', async () => (await listIds()).find((p) => p.metadata?.name === ready.metadata?.name && podReady(p) === 'True'), { timeoutMs: 120_000 });
    expect(back.metadata?.uid).toBe(ready.metadata?.uid);
    expect(back.status?.phase).toBe('Running');
    const available = await waitFor('the ids Deployment available again', async () => {
      const deployment = await k.apps.readNamespacedDeployment({ name: 'ids', namespace: ns.name });
      return (deployment.status?.availableReplicas ?? 0) >= 1 && deployment;
    });
    expect(available.status?.readyReplicas).toBe(1);
  }, 240_000);
});
