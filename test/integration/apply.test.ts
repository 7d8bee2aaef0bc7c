// The apply stage against the test bed: server-side apply of a rendered fleet, no-op passes
// that write nothing, drift restored, prune of a removed service, and the mass-deletion guard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClusterClient } from '../../src/apply/index.ts';
import { describeRef, formatPlan } from '../../src/plan/index.ts';
import { ALL_SERVICES, createTestFleet, reconcileOnce, removeFromCluster, type TestFleet } from './apply-fleet.ts';
import { ensureGateways, kube, waitFor, type Kube } from './helpers/kube.ts';

describe('apply a rendered fleet to the cluster', () => {
  let k: Kube;
  let fleet: TestFleet;
  let client: KubeClusterClient;

  beforeAll(async () => {
    k = await kube();
    fleet = await createTestFleet({ prefix: 'itap', gatewayCount: 4 });
    // One gateway runs every kind of workload the catalog has, so the no-op pass covers them all.
    await fleet.setServices(fleet.gateways[3] as string, ALL_SERVICES);
    await ensureGateways(fleet.gateways);
    client = new KubeClusterClient({ kubeconfig: k.config });
  });

  afterAll(async () => {
    if (fleet && client) await removeFromCluster({ client, fleet });
    // The gateways' nodes are this test's own (random names): leave the shared test bed as it was.
    for (const gateway of fleet?.gateways ?? []) await k?.core.deleteNode({ name: gateway }).catch(() => undefined);
    await fleet?.cleanup();
  });

  it('creates every object on the first pass and the services run on their gateway', async () => {
    const pass = await reconcileOnce({ client, fleet });
    expect(pass.results.map((r) => [r.gateway, r.ok, r.errors])).toEqual(fleet.gateways.map((g) => [g, true, []]));
    expect(pass.plans.every((p) => p.creates.length > 0 && p.updates.length === 0)).toBe(true);

    const gateway = fleet.gateways[0] as string;
    const pods = await waitFor('a Running, Ready pod of both services on the gateway', async () => {
      const list = await k.core.listNamespacedPod({ namespace: fleet.namespace, labelSelector: `essg.io/gateway=${gateway}` });
      const running = list.items.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return running.length === 2 ? running : undefined;
    });
    expect(pods.map((p) => p.spec?.nodeName)).toEqual([gateway, gateway]);
    expect(pods.map((p) => p.metadata?.labels?.['essg.io/service']).sort()).toEqual(['ids', 'log-collector']);
    const deployment = await k.apps.readNamespacedDeployment({ name: `${gateway}-ids`, namespace: fleet.namespace });
    expect(deployment.metadata?.managedFields?.some((f) => f.manager === 'essg-fleet' && f.operation === 'Apply')).toBe(true);
  });

  it('makes no write request on a second pass with nothing changed', async () => {
    const pass = await reconcileOnce({ client, fleet });
    expect(pass.requests).toMatchObject({ create: 0, patch: 0, update: 0, delete: 0 });
    expect(pass.requests.list).toBeGreaterThan(0);
    expect(pass.plans.map((p) => [p.creates.length, p.updates.length, p.deletes.length, p.inventoryChanged])).toEqual(fleet.gateways.map(() => [0, 0, 0, false]));
  });

  it('plans a hand edit of a managed Deployment as drift and restores it', async () => {
    const gateway = fleet.gateways[1] as string;
    const name = `${gateway}-ids`;
    await k.objects.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: fleet.namespace }, spec: { replicas: 3 } },
      undefined,
      undefined,
      'kubectl-edit',
      undefined,
      'application/merge-patch+json' as never,
    );

    const planned = await reconcileOnce({ client, fleet, apply: false });
    const plan = planned.plans.find((p) => p.gateway === gateway);
    expect(plan?.drift.map((d) => [describeRef(d.ref), d.reason])).toEqual([[`Deployment ${fleet.namespace}/${name}`, 'modified']]);
    expect(formatPlan({ plans: plan ? [plan] : [], format: 'text' })).toMatch(/-\s+replicas: 3\n.*\+\s+replicas: 1/s);

    const restored = await reconcileOnce({ client, fleet });
    expect(restored.results.find((r) => r.gateway === gateway)?.applied.map(describeRef)).toEqual([`Deployment ${fleet.namespace}/${name}`]);
    expect((await k.apps.readNamespacedDeployment({ name, namespace: fleet.namespace })).spec?.replicas).toBe(1);
    expect((await reconcileOnce({ client, fleet })).requests.patch).toBe(0);
  });

  it('deletes only the objects of a removed service', async () => {
    const gateway = fleet.gateways[2] as string;
    const before = await client.listOwned();
    await fleet.setServices(gateway, ['ids']);

    const pass = await reconcileOnce({ client, fleet });
    const removed = pass.results.find((r) => r.gateway === gateway)?.deleted.map(describeRef).sort() ?? [];
    // The gateway's image pre-pull job is replaced too: its image list changed.
    expect(removed.filter((r) => !r.startsWith('ImagePrePullJob'))).toEqual([`ConfigMap ${fleet.namespace}/${gateway}-log-collector`, `Deployment ${fleet.namespace}/${gateway}-log-collector`]);
    expect(pass.results.filter((r) => r.gateway !== gateway).every((r) => r.deleted.length === 0)).toBe(true);

    const after = new Set((await client.listOwned()).map((o) => describeRef({ ...o, namespace: o.metadata.namespace, name: o.metadata.name })));
    const expected = before.map((o) => describeRef({ ...o, namespace: o.metadata.namespace, name: o.metadata.name })).filter((r) => !removed?.includes(r));
    expect(expected.filter((r) => !after.has(r))).toEqual([]);
    expect(after.has(`Namespace ${fleet.namespace}`)).toBe(true);
  });

  it('refuses a pass that would empty more than 25% of the gateways, and deletes nothing', async () => {
    const [first, second] = fleet.gateways as [string, string];
    await fleet.removeGateway(first);
    await fleet.setServices(second, []);
    const objectsBefore = (await client.listOwned()).length;

    const refused = await reconcileOnce({ client, fleet });
    expect(refused.guard.ok).toBe(false);
    expect(refused.guard.gateways).toEqual([first, second].sort());
    expect(refused.guard.ok ? '' : refused.guard.message).toContain('--allow-mass-deletion');
    expect(refused.requests).toMatchObject({ create: 0, patch: 0, update: 0, delete: 0 });
    expect((await client.listOwned()).length).toBe(objectsBefore);

    const allowed = await reconcileOnce({ client, fleet, allowMassDeletion: true });
    expect(allowed.results.every((r) => r.ok)).toBe(true);
    const left = await client.listOwned({ gateway: first });
    expect(left.filter((o) => o.kind !== 'Namespace')).toEqual([]);
    expect((await client.listInventories()).some((i) => i.gateway === first)).toBe(false);
  });
});
