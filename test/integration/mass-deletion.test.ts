// An emptied fleet repo must never wipe the fleet: the reconciler, built as `essg reconcile`
// builds it, refuses the pass through the mass-deletion guard, deletes nothing, and says
// why in its status and in a Warning Event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countsSince } from '../../src/apply/index.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TemplateGateway, type TestFleet } from './helpers/fleet.ts';
import { gatewayEvents, kube, managedObjects, waitFor, type Kube } from './helpers/kube.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';
import { inventoryName, REPORTING_COMPONENT, SYSTEM_NAMESPACE } from '../../src/contract/index.ts';

const GATEWAYS: readonly TemplateGateway[] = ['acme-sh-01', 'acme-sh-02', 'globex-fra-02'];

describe('an emptied fleet repo', () => {
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
    expect((await r.pass()).result).toBe('success');
    // Converged, so the refused pass below is the only thing that could write.
    await waitFor('every gateway Ready', async () => {
      await r.pass();
      return r.store.snapshot().gateways.filter((g) => g.phase === 'Ready').length === GATEWAYS.length;
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    expect((await r.pass()).result).toBe('noop');
  });

  afterAll(async () => {
    await stopTestRuntimes();
    await removeTestFleet(fleet, k);
  });

  it('is refused by the mass-deletion guard: nothing is deleted, and status and a Warning Event say why', async () => {
    const objectsBefore = await managedObjects(k, namespaces());
    expect(objectsBefore.length).toBeGreaterThan(GATEWAYS.length);
    const head = await fleet.push(Object.fromEntries(GATEWAYS.map((g) => [fleet.gatewayFile(g), null])), 'delete every gateway file');

    const before = r.requests.snapshot();
    const pass = await r.pass();
    expect(pass).toMatchObject({ result: 'refused', head, applied: [] });
    const gateways = GATEWAYS.map((g) => fleet.gateway(g)).join(', ');
    expect(pass.error).toContain(`refusing to delete every service of 3 of 3 gateways (100%, more than the allowed 25%): ${gateways}. Nothing was deleted.`);
    expect(countsSince(before, r.requests.snapshot())).toMatchObject({ create: 0, patch: 0, update: 0, delete: 0 });

    expect(await managedObjects(k, namespaces())).toEqual(objectsBefore);
    for (const g of GATEWAYS) await expect(k.core.readNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, name: inventoryName(fleet.gateway(g)) })).resolves.toBeDefined();

    expect(r.store.snapshot().fleet.lastPass).toMatchObject({ result: 'refused', error: pass.error });
    // The Event is written beside the pass, not awaited by it.
    const warnings = await waitFor('the MassDeletionRefused Event', async () => {
      const found = (await gatewayEvents(k, { gateway: 'fleet', reason: 'MassDeletionRefused' })).filter((e) => e.message?.includes(gateways));
      return found.length > 0 && found;
    });
    expect(warnings).toMatchObject([{ type: 'Warning', message: pass.error, reportingComponent: REPORTING_COMPONENT }]);

    // The next pass refuses again: the guard holds until an operator says otherwise.
    expect((await r.pass()).result).toBe('refused');
    expect(await managedObjects(k, namespaces())).toEqual(objectsBefore);
  });
});
