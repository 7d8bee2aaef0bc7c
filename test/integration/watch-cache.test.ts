// The watch cache `essg reconcile` reads the cluster through (WatchedClusterClient), against
// the test bed's API server: it lists once and then follows watches, a read after a write
// sees the write, a resync lists beside the served picture, and a kind it may list but not
// watch is an error naming the watch, never an empty answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RbacAuthorizationV1Api, KubeConfig } from '@kubernetes/client-node';
import { WatchedClusterClient } from '../../src/apply/watch-cache.ts';
import { LABEL, MANAGED_BY } from '../../src/contract/index.ts';
import type { K8sObject } from '../../src/render/index.ts';
import { kube, namespace, waitFor, type Kube } from './helpers/kube.ts';

let k: Kube;
let sandbox: Awaited<ReturnType<typeof namespace>>;
const clients: WatchedClusterClient[] = [];
const roleName = `essg-it-no-watch-${Date.now()}`;

function started(options: Partial<ConstructorParameters<typeof WatchedClusterClient>[0]> = {}): WatchedClusterClient {
  const client = new WatchedClusterClient({ kubeconfig: k.config, ...options });
  client.start();
  clients.push(client);
  return client;
}

function configMap(name: string, data: Record<string, string>): K8sObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: sandbox.name, labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.gateway]: `${sandbox.name}-gw` } }, data };
}

async function ownedConfigMap(client: WatchedClusterClient, name: string): Promise<K8sObject | undefined> {
  return (await client.listOwned()).find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === sandbox.name && o.metadata.name === name);
}

describe('the watch cache', () => {
  beforeAll(async () => {
    k = await kube();
    sandbox = await namespace(k, 'itwc');
  });

  afterAll(async () => {
    for (const client of clients) client.stop();
    const rbac = k?.config.makeApiClient(RbacAuthorizationV1Api);
    await rbac?.deleteClusterRole({ name: roleName }).catch(() => undefined);
    await rbac?.deleteClusterRoleBinding({ name: roleName }).catch(() => undefined);
    await sandbox?.remove();
  });

  it('lists each kind once, then follows changes made by others without another request', async () => {
    const client = started();
    const nodes = await client.listEdgeNodes();
    expect(nodes.length).toBeGreaterThan(0);
    // Ten kinds and selectors: six owned kinds, inventories, histories, edge nodes, service pods.
    await client.listOwned();
    await client.listInventories();
    await client.listHistories();
    await client.listServicePods();
    const afterSync = client.watchStats;
    expect(afterSync.listings).toBe(10);
    expect(afterSync.recoveries).toBe(0);

    // Someone else creates and then edits an object we would own.
    await k.core.createNamespacedConfigMap({ namespace: sandbox.name, body: configMap('by-hand', { a: '1' }) as never });
    await waitFor('the new ConfigMap in the cache', async () => (await ownedConfigMap(client, 'by-hand'))?.data);
    await k.core.patchNamespacedConfigMap({ name: 'by-hand', namespace: sandbox.name, body: [{ op: 'replace', path: '/data/a', value: '2' }] });
    await waitFor('the edit in the cache', async () => ((await ownedConfigMap(client, 'by-hand'))?.data as { a?: string } | undefined)?.a === '2');
    await k.core.deleteNamespacedConfigMap({ name: 'by-hand', namespace: sandbox.name });
    await waitFor('the deletion in the cache', async () => (await ownedConfigMap(client, 'by-hand')) === undefined);

    const stats = client.watchStats;
    expect(stats.listings).toBe(afterSync.listings);
    expect(stats.events).toBeGreaterThanOrEqual(afterSync.events + 3);
    expect(client.requests.total).toBe(0);
    // What the server adds for field ownership is not kept.
    expect(nodes.every((n) => (n.metadata as { managedFields?: unknown }).managedFields === undefined)).toBe(true);
  });

  it('a read right after a write sees the write, whatever the watch has delivered', async () => {
    const client = started();
    await client.listOwned();
    for (let i = 0; i < 5; i++) {
      const applied = await client.apply(configMap('written', { n: String(i) }));
      const seen = await ownedConfigMap(client, 'written');
      expect(seen?.data).toEqual({ n: String(i) });
      expect((seen?.metadata as { resourceVersion?: string }).resourceVersion).toBe((applied.metadata as { resourceVersion?: string }).resourceVersion);
    }
    expect(await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: sandbox.name, name: 'written' })).toBe('deleted');
    await waitFor('the deleted ConfigMap gone from the cache', async () => (await ownedConfigMap(client, 'written')) === undefined);
  });

  it('resyncs by listing afresh beside the picture it serves', async () => {
    const client = started({ resyncMs: 300 });
    await client.listOwned();
    const before = client.watchStats.listings;
    await waitFor('two resyncs', async () => client.watchStats.listings >= before + 20, { timeoutMs: 30_000 });
    // Reads never wait on a resync, and see what is there.
    await k.core.createNamespacedConfigMap({ namespace: sandbox.name, body: configMap('during-resyncs', { a: '1' }) as never });
    await waitFor('the ConfigMap seen across resyncs', async () => (await ownedConfigMap(client, 'during-resyncs'))?.data);
    expect(client.watchStats.recoveries).toBe(0);
  });

  it('a kind the reconciler may list but not watch is an error naming the watch, never an empty answer', async () => {
    const rbac = k.config.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createClusterRole({ body: { metadata: { name: roleName }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }] } });
    await k.core.createNamespacedServiceAccount({ namespace: sandbox.name, body: { metadata: { name: 'no-watch' } } });
    await rbac.createClusterRoleBinding({ body: { metadata: { name: roleName }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'ServiceAccount', name: 'no-watch', namespace: sandbox.name }] } });
    const token = (await k.core.createNamespacedServiceAccountToken({ name: 'no-watch', namespace: sandbox.name, body: { spec: { audiences: [], expirationSeconds: 600 } } })).status?.token;
    const cluster = k.config.getCurrentCluster()!;
    const restricted = new KubeConfig();
    restricted.loadFromOptions({ clusters: [cluster], users: [{ name: 'no-watch', token }], contexts: [{ name: 'c', cluster: cluster.name, user: 'no-watch' }], currentContext: 'c' });
    const client = started({ kubeconfig: restricted });
    await expect(client.listEdgeNodes()).rejects.toThrow(/^watching Node \(node-role\.kubernetes\.io\/edge\) failed with HTTP 403: /);
    // Asked again, it tries again, and fails the same way: never an empty list.
    await expect(client.listEdgeNodes()).rejects.toThrow(/^watching Node .* 403/);
    expect(client.watchStats.listings).toBeGreaterThanOrEqual(2);
  });
});
