// Health read from the test bed: a gateway running its services is Ready with the version
// its ready pods run; a gateway whose uplink drops is Offline with its last heartbeat, and
// follows its services again when it returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClusterClient } from '../../src/apply/index.ts';
import { assessGateway, GatewayPhase, type GatewayHealth, type Node, type Pod } from '../../src/health/index.ts';
import { createTestFleet, reconcileOnce, removeFromCluster, type TestFleet } from './apply-fleet.ts';
import { bringOnline, ensureGateways, kube, takeOffline, waitFor, type Kube } from './helpers/kube.ts';

describe('gateway health on the cluster', () => {
  let k: Kube;
  let fleet: TestFleet;
  let client: KubeClusterClient;
  let gateway: string;

  beforeAll(async () => {
    k = await kube();
    fleet = await createTestFleet({ prefix: 'itch', gatewayCount: 1 });
    gateway = fleet.gateways[0] as string;
    await ensureGateways(fleet.gateways);
    client = new KubeClusterClient({ kubeconfig: k.config });
    const pass = await reconcileOnce({ client, fleet });
    expect(pass.results.every((r) => r.ok)).toBe(true);
  });

  afterAll(async () => {
    if (gateway) await bringOnline(gateway).catch(() => undefined);
    if (fleet && client) await removeFromCluster({ client, fleet });
    for (const name of fleet?.gateways ?? []) await k?.core.deleteNode({ name }).catch(() => undefined);
    await fleet?.cleanup();
  });

  async function health(): Promise<GatewayHealth> {
    const node = (await client.listEdgeNodes()).find((n) => n.metadata.name === gateway) as unknown as Node | undefined;
    return assessGateway({
      gateway,
      ...(node ? { node } : {}),
      services: [
        { service: 'ids', version: '1.1.0' },
        { service: 'log-collector', version: '2.4.0' },
      ],
      objects: await client.listOwned({ gateway }),
      pods: (await client.listServicePods({ gateway })) as unknown as Pod[],
    });
  }

  it('is Ready once every service runs, with the version its ready pods run', async () => {
    const ready = await waitFor('the gateway Ready', async () => {
      const h = await health();
      return h.phase === GatewayPhase.Ready ? h : undefined;
    });
    expect(ready.services.map((s) => [s.service, s.desiredVersion, s.runningVersion, s.ready])).toEqual([
      ['ids', '1.1.0', '1.1.0', true],
      ['log-collector', '2.4.0', '2.4.0', true],
    ]);
    expect(ready.node).toMatchObject({ ready: 'True', offline: false });
  });

  it('is Offline with its last heartbeat when its uplink drops, and no longer Offline when it returns', async () => {
    await takeOffline(gateway);
    const offline = await waitFor('the gateway Offline', async () => {
      const h = await health();
      return h.phase === GatewayPhase.Offline ? h : undefined;
    });
    expect(offline.node?.lastHeartbeat).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(offline.message).toContain('offline since its last heartbeat');

    await bringOnline(gateway);
    // Back online, the phase follows the services again (they may still be turning Ready).
    const back = await waitFor('the gateway online again', async () => {
      const h = await health();
      return h.phase !== GatewayPhase.Offline ? h : undefined;
    });
    expect(back.node).toMatchObject({ ready: 'True', offline: false });
    expect([GatewayPhase.Ready, GatewayPhase.Progressing]).toContain(back.phase);
  });
});
