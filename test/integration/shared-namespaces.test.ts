// A customer's Namespace is shared by its gateways: the reconciler, built as `essg reconcile`
// builds it, plans and applies it once per pass (not once per gateway), keeps it while any
// of the customer's gateways remains, and prunes it once the last one is gone.
import { ApiException } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRef } from '../../src/diff/index.ts';
import { LABEL, MANAGED_BY } from '../../src/contract/index.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TemplateGateway, type TestFleet } from './helpers/fleet.ts';
import { gatewayEvents, kube, managedObjects, waitFor, type Kube } from './helpers/kube.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';

const GATEWAYS: readonly TemplateGateway[] = ['acme-sh-01', 'acme-sh-02', 'globex-fra-02'];

describe('the customers\' shared Namespaces', () => {
  let k: Kube;
  let fleet: TestFleet;
  let r: TestRuntime;

  printReconcilerLogOnFailure();

  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createTestFleet({ gateways: GATEWAYS });
    // Each removal below is a third of the fleet: past the mass-deletion guard's default share.
    r = await startTestRuntime({ repo: fleet.url, allowMassDeletion: true });
  });

  afterAll(async () => {
    await stopTestRuntimes();
    await removeTestFleet(fleet, k);
  });

  /** The Namespace as the cluster holds it; undefined once it is gone or going. */
  async function liveNamespace(name: string) {
    try {
      const ns = await k.core.readNamespace({ name });
      return ns.status?.phase === 'Terminating' || ns.metadata?.deletionTimestamp ? undefined : ns;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw error;
    }
  }

  it('are applied once per pass for the whole fleet, not once per gateway', async () => {
    const first = await r.pass();
    expect(first.result).toBe('success');
    expect(first.shared?.creates.map((c) => describeRef(c.ref))).toEqual([`Namespace ${fleet.namespace('acme')}`, `Namespace ${fleet.namespace('globex')}`]);
    for (const plan of first.plans) expect([...plan.creates, ...plan.updates].filter((c) => c.ref.kind === 'Namespace')).toEqual([]);
    for (const customer of ['acme', 'globex'] as const) {
      expect((await liveNamespace(fleet.namespace(customer)))?.metadata?.labels).toMatchObject({ [LABEL.managedBy]: MANAGED_BY, [LABEL.customer]: customer });
    }
    // As desired from then on: nothing to apply again.
    const second = await r.pass();
    expect(second.shared).toMatchObject({ creates: [], updates: [], deletes: [] });
  });

  it('stays while one of its customer\'s gateways remains', async () => {
    await fleet.push({ [fleet.gatewayFile('acme-sh-01')]: null }, 'remove acme-sh-01');
    await waitFor('acme-sh-01 pruned', async () => {
      await r.pass();
      return !(await managedObjects(k, [fleet.namespace('acme')])).some((o) => o.includes(fleet.gateway('acme-sh-01')));
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const after = await r.pass();
    expect(after.shared?.deletes).toEqual([]);
    expect(await liveNamespace(fleet.namespace('acme'))).toBeDefined();
    expect((await managedObjects(k, [fleet.namespace('acme')])).some((o) => o.includes(fleet.gateway('acme-sh-02')))).toBe(true);
  });

  it('is pruned once the last of its customer\'s gateways is gone, and says so on the fleet', async () => {
    const namespace = fleet.namespace('globex');
    await fleet.push({ [fleet.gatewayFile('globex-fra-02')]: null }, 'remove globex-fra-02, globex\'s last gateway');
    // The pass that prunes the gateway's objects keeps the Namespace they were in; a later pass removes it.
    const removal = await r.pass();
    expect(removal.shared?.deletes).toEqual([]);
    const pruned = await waitFor('the globex Namespace pruned', async () => {
      const pass = await r.pass();
      return pass.shared?.deletes.length ? pass : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    expect(pruned.shared?.deletes.map(describeRef)).toEqual([`Namespace ${namespace}`]);
    expect(pruned.result).toBe('success');
    await waitFor('the globex Namespace gone', async () => (await liveNamespace(namespace)) === undefined);
    expect(await liveNamespace(fleet.namespace('acme'))).toBeDefined();
    const events = await waitFor('the Pruned Event on the fleet', async () => {
      const found = (await gatewayEvents(k, { gateway: 'fleet', reason: 'Pruned' })).filter((e) => e.message?.includes(`Namespace ${namespace}`));
      return found.length > 0 && found;
    });
    expect(events[0]!.message).toBe(`pruned Namespace ${namespace}: no gateway is left in it`);
  });
});
