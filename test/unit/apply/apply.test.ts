/* eslint-disable @typescript-eslint/no-explicit-any -- objects are plain JSON; tests edit them by path */
import { describe, expect, it } from 'vitest';
import { applyGateways, DEFAULT_APPLY_CONCURRENCY } from '../../../src/apply/apply.ts';
import { planGateway, type GatewayPlan } from '../../../src/diff/index.ts';
import type { K8sObject } from '../../../src/render/index.ts';
import { MemoryCluster } from './memory-cluster.ts';
import { LABEL, MANAGED_BY } from '../../../src/contract/index.ts';

const noWait = async (): Promise<void> => {};

function objects(gateway: string, services: readonly string[]): K8sObject[] {
  const labels = (s: string) => ({ [LABEL.managedBy]: MANAGED_BY, [LABEL.gateway]: gateway, [LABEL.service]: s });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'essg-acme', labels: { [LABEL.managedBy]: MANAGED_BY } } },
    ...services.flatMap((s): K8sObject[] => [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${gateway}-${s}`, namespace: 'essg-acme', labels: labels(s) }, spec: { replicas: 1 } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${gateway}-${s}`, namespace: 'essg-acme', labels: labels(s) }, data: { v: '1' } },
    ]),
  ];
}

async function planAll(cluster: MemoryCluster, desired: Record<string, K8sObject[]>): Promise<GatewayPlan[]> {
  const live = await cluster.listOwned();
  return Object.entries(desired).map(([gateway, objs]) =>
    planGateway({ gateway, desired: objs, live: live.filter((o) => o.kind === 'Namespace' || o.metadata.labels?.[LABEL.gateway] === gateway), inventory: cluster.inventories.get(gateway), revision: 'c1', renderHash: gateway }),
  );
}

describe('applyGateways', () => {
  it('applies in dependency order (Namespace, ConfigMap, Deployment), then writes the inventory', async () => {
    const cluster = new MemoryCluster();
    const [result] = await applyGateways({ client: cluster, plans: await planAll(cluster, { 'gw-1': objects('gw-1', ['ids']) }), sleep: noWait });
    expect(result?.ok).toBe(true);
    expect(cluster.log).toEqual(['apply Namespace essg-acme', 'apply ConfigMap essg-acme/gw-1-ids', 'apply Deployment essg-acme/gw-1-ids', 'write inventory gw-1']);
  });

  it.each([[3, 3], [undefined, DEFAULT_APPLY_CONCURRENCY]])('applies %s gateways at once (at most; the default when not given), each one\'s objects one after another', async (concurrency, atOnce) => {
    const cluster = new MemoryCluster();
    const desired = Object.fromEntries(Array.from({ length: 3 * atOnce }, (_, i) => [`gw-${i}`, objects(`gw-${i}`, ['ids'])]));
    const plans = await planAll(cluster, desired);
    const inFlight = new Map<string, number>();
    let most = 0;
    const apply = cluster.apply.bind(cluster);
    cluster.apply = async (object) => {
      const gateway = object.metadata.labels?.[LABEL.gateway];
      if (!gateway) return apply(object); // the customer's Namespace, which each gateway's plan here carries
      inFlight.set(gateway, (inFlight.get(gateway) ?? 0) + 1);
      expect(inFlight.get(gateway)).toBe(1); // never two writes of one gateway at once
      most = Math.max(most, [...inFlight.values()].filter((n) => n > 0).length);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight.set(gateway, inFlight.get(gateway)! - 1);
      return apply(object);
    };
    const results = await applyGateways({ client: cluster, plans, sleep: noWait, ...(concurrency ? { concurrency } : {}) });
    expect(results.flatMap((r) => r.errors.map((e) => e.message))).toEqual([]);
    expect(most).toBe(atOnce);
  });

  it('writes nothing at all when nothing changed', async () => {
    const cluster = new MemoryCluster();
    const desired = { 'gw-1': objects('gw-1', ['ids', 'fw']), 'gw-2': objects('gw-2', ['ids']) };
    await applyGateways({ client: cluster, plans: await planAll(cluster, desired), sleep: noWait });
    const writesBefore = cluster.requests.writes;
    const results = await applyGateways({ client: cluster, plans: await planAll(cluster, desired), sleep: noWait });
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(cluster.requests.writes - writesBefore).toBe(0);
  });

  it('prunes a removed service after the applies, workloads before their config, and records it', async () => {
    const cluster = new MemoryCluster();
    await applyGateways({ client: cluster, plans: await planAll(cluster, { 'gw-1': objects('gw-1', ['ids', 'fw']) }), sleep: noWait });
    cluster.log.length = 0;
    const [result] = await applyGateways({ client: cluster, plans: await planAll(cluster, { 'gw-1': objects('gw-1', ['ids']) }), sleep: noWait });
    expect(cluster.log).toEqual(['delete Deployment essg-acme/gw-1-fw', 'delete ConfigMap essg-acme/gw-1-fw', 'write inventory gw-1']);
    expect(result?.deleted.map((r) => r.name)).toEqual(['gw-1-fw', 'gw-1-fw']);
    expect(cluster.inventories.get('gw-1')?.objects.map((o) => `${o.kind}/${o.name}`)).toEqual(['Namespace/essg-acme', 'ConfigMap/gw-1-ids', 'Deployment/gw-1-ids']);
  });

  it.each([409, 429, 500, 503, undefined])('retries a request that failed with %s and succeeds', async (status) => {
    const cluster = new MemoryCluster();
    cluster.failures.set('apply Deployment essg-acme/gw-1-ids', { status, times: 2 });
    const waits: number[] = [];
    const [result] = await applyGateways({ client: cluster, plans: await planAll(cluster, { 'gw-1': objects('gw-1', ['ids']) }), sleep: async (ms) => void waits.push(ms), random: () => 1 });
    expect(result?.ok).toBe(true);
    expect(waits).toEqual([200, 400]);
  });

  it('does not retry a refusal (403, 422) and reports it with the component and object', async () => {
    const cluster = new MemoryCluster();
    cluster.failures.set('apply ConfigMap essg-acme/gw-1-ids', { status: 403, times: 1 });
    const [result] = await applyGateways({ client: cluster, plans: await planAll(cluster, { 'gw-1': objects('gw-1', ['ids']) }), sleep: noWait });
    expect(result?.ok).toBe(false);
    expect(result?.errors).toEqual([expect.objectContaining({ gateway: 'gw-1', component: 'ids', object: expect.objectContaining({ kind: 'ConfigMap', name: 'gw-1-ids' }), status: 403, attempts: 1, code: 'CLUSTER_REQUEST_FAILED' })]);
    // The Deployment needs its config: not applied; no inventory written for a half-applied gateway.
    expect(cluster.log).toEqual(['apply Namespace essg-acme', 'apply ConfigMap essg-acme/gw-1-ids failed']);
  });

  it('gives up after the configured attempts with backoff capped at maxMs', async () => {
    const cluster = new MemoryCluster();
    cluster.failures.set('apply Deployment essg-acme/gw-1-ids', { status: 500, times: 99 });
    const waits: number[] = [];
    const [result] = await applyGateways({ client: cluster, plans: await planAll(cluster, { 'gw-1': objects('gw-1', ['ids']) }), retry: { attempts: 5, baseMs: 200, maxMs: 1000 }, sleep: async (ms) => void waits.push(ms), random: () => 1 });
    expect(waits).toEqual([200, 400, 800, 1000]);
    expect(result?.errors[0]).toMatchObject({ attempts: 5, status: 500 });
  });

  it('keeps applying the other gateways when one fails, and does not prune the failed one', async () => {
    const cluster = new MemoryCluster();
    await applyGateways({ client: cluster, plans: await planAll(cluster, { 'gw-1': objects('gw-1', ['ids', 'fw']), 'gw-2': objects('gw-2', ['ids', 'fw']) }), sleep: noWait });
    const next = { 'gw-1': objects('gw-1', ['ids']).map((o) => (o.kind === 'ConfigMap' ? { ...o, data: { v: '2' } } : o)), 'gw-2': objects('gw-2', ['ids']) };
    cluster.failures.set('apply ConfigMap essg-acme/gw-1-ids', { status: 400, times: 1 });
    const results = await applyGateways({ client: cluster, plans: await planAll(cluster, next), concurrency: 1, sleep: noWait });
    expect(results.map((r) => [r.gateway, r.ok, r.deleted.length])).toEqual([
      ['gw-1', false, 0],
      ['gw-2', true, 2],
    ]);
  });

  it('deletes and creates again a Job whose spec changed, since a Job pod template is immutable', async () => {
    const cluster = new MemoryCluster();
    const jobOf = (image: string): K8sObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'gw-1-scan', namespace: 'essg-acme', labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.gateway]: 'gw-1' } }, spec: { template: { spec: { containers: [{ name: 'scan', image }] } } } });
    await applyGateways({ client: cluster, plans: await planAll(cluster, { 'gw-1': [jobOf('a')] }), sleep: noWait });
    (cluster.objects.values().next().value as any).spec.template.spec.containers[0].image = 'edited';
    cluster.log.length = 0;
    const [result] = await applyGateways({ client: cluster, plans: await planAll(cluster, { 'gw-1': [jobOf('a')] }), sleep: noWait });
    expect(result?.ok).toBe(true);
    expect(cluster.log).toEqual(['delete Job essg-acme/gw-1-scan', 'apply Job essg-acme/gw-1-scan']);
  });

  it('drops the inventory of a gateway removed from the fleet once its objects are gone', async () => {
    const cluster = new MemoryCluster();
    await applyGateways({ client: cluster, plans: await planAll(cluster, { 'gw-1': objects('gw-1', ['ids']) }), sleep: noWait });
    await applyGateways({ client: cluster, plans: await planAll(cluster, { 'gw-1': [] }), sleep: noWait });
    expect(cluster.inventories.has('gw-1')).toBe(false);
    expect([...cluster.objects.values()].map((o) => o.kind)).toEqual(['Namespace']);
  });
});
