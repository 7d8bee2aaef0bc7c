// A listing that fails is an error, never "nothing exists": a pass stops before it plans a
// single deletion, whether the API server is unreachable or refuses the reconciler.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { KubeClusterClient, ListFailedError } from '../../src/apply/index.ts';
import { createTestFleet, reconcileOnce, removeFromCluster, type TestFleet } from './apply-fleet.ts';
import { ensureGateways, kube, namespace, type Kube } from './helpers/kube.ts';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function kubeconfigFor({ base, server, token }: { base: KubeConfig; server?: string; token?: string }): KubeConfig {
  const cluster = base.getCurrentCluster();
  if (!cluster) throw new Error('test bed kubeconfig has no cluster');
  const user = token ? { name: 'restricted', token } : { ...(base.getCurrentUser() as object), name: 'admin' };
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ ...cluster, name: 'testbed', server: server ?? cluster.server }],
    users: [user as never],
    contexts: [{ name: 'testbed', cluster: 'testbed', user: user.name }],
    currentContext: 'testbed',
  });
  return config;
}

describe('a failed listing', () => {
  let k: Kube;
  let fleet: TestFleet;
  let admin: KubeClusterClient;
  let sandbox: Awaited<ReturnType<typeof namespace>>;
  const roleName = `essg-it-list-configmaps-${Date.now()}`;

  beforeAll(async () => {
    k = await kube();
    fleet = await createTestFleet({ prefix: 'itlf', gatewayCount: 1 });
    await ensureGateways(fleet.gateways);
    admin = new KubeClusterClient({ kubeconfig: k.config });
    const first = await reconcileOnce({ client: admin, fleet });
    expect(first.results.every((r) => r.ok)).toBe(true);
    // The fleet repo now declares nothing: a pass that read a failed listing as empty would prune everything.
    await fleet.removeGateway(fleet.gateways[0] as string);
    sandbox = await namespace(k, 'itlf');
  });

  afterAll(async () => {
    if (fleet && admin) await removeFromCluster({ client: admin, fleet });
    // The gateways' nodes are this test's own (random names): leave the shared test bed as it was.
    for (const gateway of fleet?.gateways ?? []) await k?.core.deleteNode({ name: gateway }).catch(() => undefined);
    await k?.config.makeApiClient(RbacAuthorizationV1Api).deleteClusterRole({ name: roleName }).catch(() => undefined);
    await k?.config.makeApiClient(RbacAuthorizationV1Api).deleteClusterRoleBinding({ name: roleName }).catch(() => undefined);
    await sandbox?.remove();
    await fleet?.cleanup();
  });

  async function ownedCount(): Promise<number> {
    return (await admin.listOwned({ gateway: fleet.gateways[0] as string })).filter((o) => o.kind !== 'Namespace').length;
  }

  it('raises ListFailedError when the API server cannot be reached, and nothing is deleted', async () => {
    const before = await ownedCount();
    const unreachable = new KubeClusterClient({ kubeconfig: kubeconfigFor({ base: k.config, server: `https://127.0.0.1:${await closedPort()}` }) });

    const error = await unreachable.listOwned({ gateway: fleet.gateways[0] as string }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListFailedError);
    expect((error as ListFailedError).data).toMatchObject({ status: undefined, reason: 'ECONNREFUSED' });
    await expect(reconcileOnce({ client: unreachable, fleet })).rejects.toBeInstanceOf(ListFailedError);
    expect(unreachable.requests.writes).toBe(0);
    expect(await ownedCount()).toBe(before);
  });

  it('raises ListFailedError with HTTP 403 when the reconciler may list some kinds but not others, and nothing is deleted', async () => {
    const before = await ownedCount();
    const rbac = k.config.makeApiClient(RbacAuthorizationV1Api);
    // May list Namespaces and ConfigMaps (inventories too), but not Deployments: a partial view.
    await rbac.createClusterRole({ body: { metadata: { name: roleName }, rules: [{ apiGroups: [''], resources: ['namespaces', 'configmaps'], verbs: ['get', 'list'] }] } });
    await k.core.createNamespacedServiceAccount({ namespace: sandbox.name, body: { metadata: { name: 'restricted' } } });
    await rbac.createClusterRoleBinding({ body: { metadata: { name: roleName }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'ServiceAccount', name: 'restricted', namespace: sandbox.name }] } });
    const token = (await k.core.createNamespacedServiceAccountToken({ name: 'restricted', namespace: sandbox.name, body: { spec: { audiences: [], expirationSeconds: 600 } } })).status?.token;
    const restricted = new KubeClusterClient({ kubeconfig: kubeconfigFor({ base: k.config, token }) });

    expect((await restricted.listInventories()).some((i) => i.gateway === fleet.gateways[0])).toBe(true);
    const error = await restricted.listOwned({ gateway: fleet.gateways[0] as string }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListFailedError);
    expect((error as ListFailedError).data).toMatchObject({ status: 403, reason: 'Forbidden' });
    expect((error as ListFailedError).code).toBe('CLUSTER_LIST_FAILED');
    await expect(reconcileOnce({ client: restricted, fleet, allowMassDeletion: true })).rejects.toBeInstanceOf(ListFailedError);
    expect(restricted.requests.writes).toBe(0);
    expect(await ownedCount()).toBe(before);
  });
});
