// Kubernetes Events, as `kubectl get events` shows them from the test bed's real API server:
// the recorder on its own (on the object, aggregated by count), and the Events the
// reconciler, built as `essg reconcile` builds it, writes about each gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultIdentity } from '../../src/leader/index.ts';
import { KubeEventRecorder, eventRefOf } from '../../src/report/index.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { gatewayEvents, type Kube, kube, namespace } from './helpers/kube.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes } from './helpers/runtime.ts';
import { inventoryName, REASON, REPORTING_COMPONENT, SYSTEM_NAMESPACE } from '../../src/contract/index.ts';

let k: Kube;
let ns: { readonly name: string; remove: () => Promise<void> };

beforeAll(async () => {
  k = await kube();
  ns = await namespace(k, 'it-events');
});
afterAll(async () => {
  await ns?.remove();
});

describe('Kubernetes Events of the reconciler', () => {
  it('lands on the managed object and folds repeats into one Event with a count', async () => {
    const configMap = await k.core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'ids-config' }, data: { a: '1' } } });
    const errors: unknown[] = [];
    const recorder = new KubeEventRecorder({ core: k.core, instance: 'essg-reconciler-test', repeatIntervalMs: 0, onError: (e) => errors.push(e) });
    const event = {
      regarding: eventRefOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ids-config', namespace: ns.name, uid: configMap.metadata?.uid } }),
      type: 'Normal' as const,
      reason: REASON.driftRestored,
      message: 'data.a changed by hand; restored',
      action: 'Apply',
    };

    await recorder.record(event);
    await recorder.record(event);
    await recorder.record(event);
    await recorder.record({ ...event, type: 'Warning', reason: REASON.applyFailed, message: 'conflict' });

    expect(errors).toEqual([]);
    const events = (await k.core.listNamespacedEvent({ namespace: ns.name, fieldSelector: 'involvedObject.name=ids-config' })).items;
    const byReason = Object.fromEntries(events.map((e) => [e.reason, e]));
    expect(events).toHaveLength(2);
    expect(byReason.DriftRestored).toMatchObject({
      count: 3,
      type: 'Normal',
      message: 'data.a changed by hand; restored',
      reportingComponent: REPORTING_COMPONENT,
      reportingInstance: 'essg-reconciler-test',
      involvedObject: { kind: 'ConfigMap', name: 'ids-config', namespace: ns.name, uid: configMap.metadata?.uid },
    });
    expect(byReason.ApplyFailed).toMatchObject({ count: 1, type: 'Warning' });
  });
});

describe('Kubernetes Events of the running reconciler', () => {
  let fleet: TestFleet | undefined;

  printReconcilerLogOnFailure();

  afterAll(async () => {
    await stopTestRuntimes();
    await removeTestFleet(fleet, k);
  });

  it("are about the gateway's inventory ConfigMap in essg-system, and a repeat within the interval writes no new Event", async () => {
    await forgetOtherFleets();
    fleet = await createTestFleet({ gateways: ['acme-sh-02'] });
    const gateway = fleet.gateway('acme-sh-02');
    const r = await startTestRuntime({ repo: fleet.url });
    const first = await r.pass();
    expect(first.result).toBe('success');

    expect(await gatewayEvents(k, { gateway, reason: 'Applied' })).toMatchObject([{
      type: 'Normal',
      count: 1,
      message: expect.stringMatching(new RegExp(`^applied \\d+ object\\(s\\) at ${first.head!.slice(0, 12)}$`)),
      involvedObject: { apiVersion: 'v1', kind: 'ConfigMap', namespace: SYSTEM_NAMESPACE, name: inventoryName(gateway) },
      reportingComponent: REPORTING_COMPONENT,
      reportingInstance: defaultIdentity(),
    }]);

    // The same hand edit twice, each restored by a pass: the same news, written once.
    const name = `${gateway}-ids`;
    for (let i = 0; i < 2; i++) {
      await k.apps.patchNamespacedDeployment({ namespace: fleet.namespace('acme'), name, body: [{ op: 'replace', path: '/spec/replicas', value: 2 }] });
      const pass = await r.pass();
      expect(pass.plans.find((p) => p.gateway === gateway)?.drift.map((d) => d.ref.name)).toEqual([name]);
    }
    expect(await gatewayEvents(k, { gateway, reason: 'DriftRestored' })).toMatchObject([{ type: 'Warning', count: 1, message: `restored 1 object(s) changed by hand: Deployment ${name} (modified)` }]);
  });
});
