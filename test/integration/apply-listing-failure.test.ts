// A listing that fails is an error, never "nothing exists": the reconciler (built as
// `essg reconcile --once` builds it) ends the pass before it plans a single deletion,
// whether the API server cannot be reached or refuses it some kinds (RBAC).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { tempDir } from './helpers/git.ts';
import { kube, managedObjects, namespace, type Kube } from './helpers/kube.ts';
import { unusedPort } from './helpers/ports.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes } from './helpers/runtime.ts';

/** A kubeconfig file for `--kubeconfig`: the test bed's cluster, another server or another user. */
async function kubeconfigFile({ base, dir, server, token }: { base: KubeConfig; dir: string; server?: string; token?: string }): Promise<string> {
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
  const file = path.join(dir, `kubeconfig-${user.name}-${Date.now()}`);
  await writeFile(file, config.exportConfig(), { mode: 0o600 });
  return file;
}

describe('a failed listing', () => {
  let k: Kube;
  let fleet: TestFleet;
  let dir: string;
  let sandbox: Awaited<ReturnType<typeof namespace>>;
  const roleName = `essg-it-partial-view-${Date.now()}`;
  const namespaces = () => [fleet.namespace('acme')];

  printReconcilerLogOnFailure();

  beforeAll(async () => {
    k = await kube();
    dir = await tempDir('essg-it-kubeconfig-');
    await forgetOtherFleets();
    fleet = await createTestFleet({ gateways: ['acme-sh-02'] });
    const first = await (await startTestRuntime({ repo: fleet.url })).pass();
    expect(first.result).toBe('success');
    // The fleet repo now declares no gateway: a pass that read a failed listing as empty would prune everything.
    await fleet.push({ [fleet.gatewayFile('acme-sh-02')]: null }, 'remove the last gateway');
    sandbox = await namespace(k, 'itlf');
  });

  afterAll(async () => {
    await stopTestRuntimes();
    await removeTestFleet(fleet, k);
    const rbac = k?.config.makeApiClient(RbacAuthorizationV1Api);
    await rbac?.deleteClusterRole({ name: roleName }).catch(() => undefined);
    await rbac?.deleteClusterRoleBinding({ name: roleName }).catch(() => undefined);
    await sandbox?.remove();
  });

  it('ends the pass when the API server cannot be reached, and nothing is deleted', async () => {
    const before = await managedObjects(k, namespaces());
    const r = await startTestRuntime({ repo: fleet.url, allowMassDeletion: true, kubeconfig: await kubeconfigFile({ base: k.config, dir, server: `https://127.0.0.1:${await unusedPort()}` }) });

    const pass = await r.pass();
    expect(pass.result).toBe('failed');
    expect(pass.error).toMatch(/^listing ConfigMap .* failed: .*ECONNREFUSED/);
    expect(pass.plans).toEqual([]);
    expect(r.requests.writes).toBe(0);
    expect(r.store.snapshot().fleet.lastPass).toMatchObject({ result: 'failed', error: pass.error });
    expect(await managedObjects(k, namespaces())).toEqual(before);
  });

  it('ends the pass when RBAC lets the reconciler list some kinds but not others, and nothing is deleted', async () => {
    const before = await managedObjects(k, namespaces());
    expect(before.length).toBeGreaterThan(0);
    const rbac = k.config.makeApiClient(RbacAuthorizationV1Api);
    // Every kind the reconciler manages, most of which it may also delete, but not Deployments:
    // a partial view a pass must never take for the whole.
    await rbac.createClusterRole({
      body: {
        metadata: { name: roleName },
        rules: [
          { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] },
          { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: ['get', 'list', 'watch', 'patch', 'delete'] },
          { apiGroups: ['operations.kubeedge.io'], resources: ['imageprepulljobs'], verbs: ['get', 'list', 'watch', 'patch', 'delete'] },
        ],
      },
    });
    await k.core.createNamespacedServiceAccount({ namespace: sandbox.name, body: { metadata: { name: 'restricted' } } });
    await rbac.createClusterRoleBinding({ body: { metadata: { name: roleName }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'ServiceAccount', name: 'restricted', namespace: sandbox.name }] } });
    const token = (await k.core.createNamespacedServiceAccountToken({ name: 'restricted', namespace: sandbox.name, body: { spec: { audiences: [], expirationSeconds: 600 } } })).status?.token;
    const r = await startTestRuntime({ repo: fleet.url, allowMassDeletion: true, kubeconfig: await kubeconfigFile({ base: k.config, dir, token }) });

    const pass = await r.pass();
    expect(pass.result).toBe('failed');
    expect(pass.error).toMatch(/^listing Deployment \(app\.kubernetes\.io\/managed-by=essg-fleet\) failed with HTTP 403: /);
    expect(pass.plans).toEqual([]);
    expect(r.requests.writes).toBe(0);
    expect(r.store.snapshot().fleet.lastPass).toMatchObject({ result: 'failed', error: pass.error });
    expect(await managedObjects(k, namespaces())).toEqual(before);
  });
});
