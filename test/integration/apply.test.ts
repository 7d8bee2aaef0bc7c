// Apply, prune and drift as the reconciler does them (built as `essg reconcile --once`
// builds it) on the test bed: server-side apply of every kind of workload, no-op passes that
// write nothing, drift restored, prune of a removed service, and the mass-deletion guard
// with and without --allow-mass-deletion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countsSince } from '../../src/apply/index.ts';
import { describeRef, formatGatewayPlans } from '../../src/diff/index.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TemplateGateway, type TestFleet } from './helpers/fleet.ts';
import { kube, managedObjects, waitFor, type Kube } from './helpers/kube.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';
import { FIELD_MANAGER, inventoryName, LABEL, SYSTEM_NAMESPACE } from '../../src/contract/index.ts';

// Daemons (the firewall with host networking), a CronJob (asset-discovery) and a Job (vuln-scanner), at both customers.
const GATEWAYS: readonly TemplateGateway[] = ['acme-bj-01', 'acme-sh-01', 'acme-sh-02', 'globex-fra-02'];

describe('apply a fleet to the cluster', () => {
  let k: Kube;
  let fleet: TestFleet;
  let r: TestRuntime;
  const namespaces = () => [fleet.namespace('acme'), fleet.namespace('globex')];

  printReconcilerLogOnFailure();

  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createTestFleet({ gateways: GATEWAYS });
    r = await startTestRuntime({ repo: fleet.url });
  });

  afterAll(async () => {
    await stopTestRuntimes();
    await removeTestFleet(fleet, k);
  });

  /** Passes until one writes nothing: the fleet applied, every gateway Ready and recorded so. */
  async function converged(): Promise<void> {
    await waitFor('a pass that writes nothing', async () => {
      const before = r.requests.snapshot();
      const pass = await r.pass();
      return pass.result === 'noop' && countsSince(before, r.requests.snapshot()).patch === 0 && r.store.snapshot().gateways.every((g) => g.phase === 'Ready');
    }, { timeoutMs: 120_000, intervalMs: 1000 });
  }

  it('creates every object on the first pass and the services run on their gateway', async () => {
    const pass = await r.pass();
    expect(pass.result).toBe('success');
    expect(pass.applied.map((a) => [a.gateway, a.ok, a.errors]).sort()).toEqual(GATEWAYS.map((g) => [fleet.gateway(g), true, []]).sort());
    expect(pass.plans.every((p) => p.creates.length > 0 && p.updates.length === 0)).toBe(true);

    const gateway = fleet.gateway('acme-sh-02');
    const pods = await waitFor('a Running, Ready pod of each service on the gateway', async () => {
      const list = await k.core.listNamespacedPod({ namespace: fleet.namespace('acme'), labelSelector: `${LABEL.gateway}=${gateway}` });
      const running = list.items.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return running.length === 3 ? running : undefined;
    });
    expect(pods.map((p) => p.spec?.nodeName)).toEqual([gateway, gateway, gateway]);
    expect(pods.map((p) => p.metadata?.labels?.[LABEL.service]).sort()).toEqual(['firewall', 'ids', 'log-collector']);
    // Converged: every gateway Ready, and the reconciler has recorded it (its durable rollout state says so).
    await converged();
    const deployment = await k.apps.readNamespacedDeployment({ name: `${gateway}-ids`, namespace: fleet.namespace('acme') });
    expect(deployment.metadata?.managedFields?.some((f) => f.manager === FIELD_MANAGER && f.operation === 'Apply')).toBe(true);
    const objects = await managedObjects(k, namespaces());
    expect(objects).toContain(`CronJob ${fleet.namespace('acme')}/${fleet.gateway('acme-sh-01')}-asset-discovery`);
    expect(objects).toContain(`Deployment ${fleet.namespace('acme')}/${fleet.gateway('acme-sh-01')}-firewall`);
    // A Job's name carries its render's hash: a changed Job is a new one.
    expect(objects.filter((o) => o.startsWith(`Job ${fleet.namespace('acme')}/${fleet.gateway('acme-bj-01')}-vuln-scanner-`))).toHaveLength(1);
  });

  it('makes no write request on a second pass with nothing changed', async () => {
    const before = r.requests.snapshot();
    const pass = await r.pass();
    expect(pass.result).toBe('noop');
    const requests = countsSince(before, r.requests.snapshot());
    expect(requests).toMatchObject({ get: 0, list: 0, create: 0, patch: 0, update: 0, delete: 0 });
    expect(pass.plans.map((p) => [p.gateway, p.creates.length, p.updates.length, p.deletes.length, p.inventoryChanged]).sort()).toEqual(GATEWAYS.map((g) => [fleet.gateway(g), 0, 0, 0, false]).sort());
  });

  it('plans a hand edit of a managed Deployment as drift and restores it', async () => {
    const gateway = fleet.gateway('acme-sh-01');
    const namespace = fleet.namespace('acme');
    const name = `${gateway}-ids`;
    await k.objects.patch(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: { replicas: 3 } },
      undefined,
      undefined,
      'kubectl-edit',
      undefined,
      'application/merge-patch+json' as never,
    );

    const restored = await r.pass();
    const plan = restored.plans.find((p) => p.gateway === gateway);
    expect(plan?.drift.map((d) => [describeRef(d.ref), d.reason])).toEqual([[`Deployment ${namespace}/${name}`, 'modified']]);
    expect(formatGatewayPlans({ plans: plan ? [plan] : [], format: 'text' })).toMatch(/-\s+replicas: 3\n.*\+\s+replicas: 1/s);
    expect(restored.applied.find((a) => a.gateway === gateway)?.applied.map(describeRef)).toEqual([`Deployment ${namespace}/${name}`]);
    expect((await k.apps.readNamespacedDeployment({ name, namespace })).spec?.replicas).toBe(1);

    const before = r.requests.snapshot();
    expect((await r.pass()).result).toBe('noop');
    expect(countsSince(before, r.requests.snapshot()).patch).toBe(0);
  });

  it('deletes only the objects of a removed service', async () => {
    const gateway = fleet.gateway('acme-sh-02');
    const file = fleet.gatewayFile('acme-sh-02');
    const before = await managedObjects(k, namespaces());
    await fleet.push({ [file]: fleet.files[file]!.replace(/ {4}- name: log-collector\n(?: {6}.*\n)+/, '') }, 'stop log-collector on one gateway');

    const pass = await r.pass();
    expect(pass.result).toBe('success');
    const removed = pass.applied.find((a) => a.gateway === gateway)?.deleted.map(describeRef).sort() ?? [];
    // The gateway's image pre-pull job is replaced too: its image list changed.
    const services = [`ConfigMap ${fleet.namespace('acme')}/${gateway}-log-collector`, `Deployment ${fleet.namespace('acme')}/${gateway}-log-collector`];
    expect(removed.filter((ref) => !ref.startsWith('ImagePrePullJob'))).toEqual(services);
    expect(pass.applied.filter((a) => a.gateway !== gateway).every((a) => a.deleted.length === 0)).toBe(true);
    expect(await managedObjects(k, namespaces())).toEqual(before.filter((ref) => !services.includes(ref)));
    await expect(k.core.readNamespace({ name: fleet.namespace('acme') })).resolves.toBeDefined();
  });

  it('refuses a pass that would empty more than 25% of the gateways and deletes nothing, until run with --allow-mass-deletion', async () => {
    await converged();
    const removed = fleet.gatewayFile('acme-bj-01');
    const emptied = fleet.gatewayFile('acme-sh-01');
    // acme-bj-01's EDR action goes with it: a response may not name a gateway the fleet does not declare.
    await fleet.push({ [removed]: null, 'responses/isolate-acme-ws-0042.yaml': null, [emptied]: fleet.files[emptied]!.replace(/ {2}services:\n[\s\S]*$/, '  services: []\n') }, 'remove one gateway, stop every service of another');
    const objectsBefore = await managedObjects(k, namespaces());
    // What the cluster records of the two gateways the pass would empty: their inventories and durable rollout state.
    const records = () => Promise.all([fleet.gateway('acme-bj-01'), fleet.gateway('acme-sh-01')].map(async (g) => (await k.core.readNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, name: inventoryName(g) })).data));
    const recordsBefore = await records();

    const before = r.requests.snapshot();
    const refused = await r.pass();
    expect(refused.result).toBe('refused');
    expect(refused.error).toContain(`2 of 4 gateways (50%, more than the allowed 25%): ${fleet.gateway('acme-bj-01')}, ${fleet.gateway('acme-sh-01')}`);
    expect(refused.error).toContain('--allow-mass-deletion');
    expect(countsSince(before, r.requests.snapshot())).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(r.store.snapshot().fleet.lastPass).toMatchObject({ result: 'refused', error: refused.error });
    expect(await managedObjects(k, namespaces())).toEqual(objectsBefore);
    // The guard refuses the whole pass: nothing may record the refused gateways as moved (the untouched
    // ones may note the new revision, their render the same).
    expect(await records()).toEqual(recordsBefore);

    // The operator means it: one run with --allow-mass-deletion.
    const allowed = await (await startTestRuntime({ repo: fleet.url, allowMassDeletion: true })).pass();
    expect(allowed.result).toBe('success');
    expect(allowed.applied.every((a) => a.ok)).toBe(true);
    const left = await managedObjects(k, namespaces());
    expect(left.filter((ref) => ref.includes(`/${fleet.gateway('acme-bj-01')}-`) || ref.includes(`/${fleet.gateway('acme-sh-01')}-`))).toEqual([]);
    expect(left.filter((ref) => ref.includes(`/${fleet.gateway('acme-sh-02')}-`)).length).toBeGreaterThan(0);
    await expect(k.core.readNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, name: inventoryName(fleet.gateway('acme-bj-01')) })).rejects.toThrow();
  });
});
