// Kubernetes Events written by the reconciler's recorder, as `kubectl get events` shows them
// from the test bed's real API server: on the managed object, aggregated by count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeEventRecorder, refOf } from '../../src/report/index.ts';
import { type Kube, kube, namespace } from './helpers/kube.ts';

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
      regarding: refOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ids-config', namespace: ns.name, uid: configMap.metadata?.uid } }),
      type: 'Normal' as const,
      reason: 'DriftRestored',
      message: 'data.a changed by hand; restored',
      action: 'Apply',
    };

    await recorder.record(event);
    await recorder.record(event);
    await recorder.record(event);
    await recorder.record({ ...event, type: 'Warning', reason: 'ApplyFailed', message: 'conflict' });

    expect(errors).toEqual([]);
    const events = (await k.core.listNamespacedEvent({ namespace: ns.name, fieldSelector: 'involvedObject.name=ids-config' })).items;
    const byReason = Object.fromEntries(events.map((e) => [e.reason, e]));
    expect(events).toHaveLength(2);
    expect(byReason.DriftRestored).toMatchObject({
      count: 3,
      type: 'Normal',
      message: 'data.a changed by hand; restored',
      reportingComponent: 'essg-fleet',
      reportingInstance: 'essg-reconciler-test',
      involvedObject: { kind: 'ConfigMap', name: 'ids-config', namespace: ns.name, uid: configMap.metadata?.uid },
    });
    expect(byReason.ApplyFailed).toMatchObject({ count: 1, type: 'Warning' });
  });
});
