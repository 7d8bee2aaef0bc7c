// A gateway that loses its uplink goes Ready=Unknown with the unreachable taint, as a
// KubeEdge edge node does; pods that tolerate unreachable stay; it comes back when online.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bringOnline, ensureGateways, hasTaint, kube, namespace, readyStatus, takeOffline, waitFor, type Kube } from './helpers/kube.ts';

const GATEWAY = 'it-offline-gw';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

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
    await k.apps.createNamespacedDeployment({
      namespace: ns.name,
      body: {
        metadata: { name: 'firewall' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'firewall' } },
          template: {
            metadata: { labels: { app: 'firewall', 'app-offline.kubeedge.io': 'autonomy' } },
            spec: {
              nodeSelector: { 'kubernetes.io/hostname': GATEWAY },
              tolerations: [
                { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
                { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
              ],
              containers: [{ name: 'firewall', image: 'registry.example.com/essg/firewall@sha256:' + '1'.repeat(64) }],
            },
          },
        },
      },
    });
    const running = await waitFor('the firewall pod Running', async () => (await k.core.listNamespacedPod({ namespace: ns.name })).items.find((p) => p.status?.phase === 'Running'));

    await takeOffline(GATEWAY);
    const offline = await waitFor('the gateway Ready=Unknown and tainted', async () => {
      const node = await k.core.readNode({ name: GATEWAY });
      return readyStatus(node) === 'Unknown' && hasTaint(node, UNREACHABLE, 'NoExecute') && node;
    });
    expect(hasTaint(offline, UNREACHABLE, 'NoSchedule')).toBe(true);
    // The NoExecute taint is on; a pod that tolerates it forever is still there, still bound to the gateway.
    const pods = (await k.core.listNamespacedPod({ namespace: ns.name })).items;
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
});
