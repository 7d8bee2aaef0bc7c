import { ApiException, type CoreV1Event } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { type EventInput, InMemoryEventRecorder, KubeEventRecorder, inventoryRef, eventRefOf } from '../../../src/report/index.ts';
import { inventoryName, REPORTING_COMPONENT, SYSTEM_NAMESPACE } from '../../../src/contract/index.ts';

const failed: EventInput = { regarding: inventoryRef('acme-sh-01'), type: 'Warning', reason: 'ApplyFailed', message: 'Deployment acme/ids: 422 invalid' };

/** A core/v1 Events API that keeps what it is sent. */
function fakeCore(options: { failCreate?: boolean; missing?: boolean } = {}) {
  const created: CoreV1Event[] = [];
  const patches: { name: string; namespace: string; body: unknown }[] = [];
  return {
    created,
    patches,
    core: {
      async createNamespacedEvent({ namespace, body }: { namespace: string; body: CoreV1Event }) {
        if (options.failCreate) throw new ApiException(403, 'forbidden', {}, {});
        created.push({ ...body, metadata: { ...body.metadata, namespace } });
        return body;
      },
      async patchNamespacedEvent({ name, namespace, body }: { name: string; namespace: string; body: unknown }) {
        if (options.missing) throw new ApiException(404, 'not found', {}, {});
        patches.push({ name, namespace, body });
        return {} as CoreV1Event;
      },
    },
  };
}

function clock() {
  let t = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

describe('KubeEventRecorder', () => {
  it('creates a core/v1 Event on the gateway inventory ConfigMap, reported by essg-fleet', async () => {
    const api = fakeCore();
    await new KubeEventRecorder({ core: api.core as never, instance: 'essg-reconciler-0' }).record(failed);
    expect(api.created).toHaveLength(1);
    expect(api.created[0]).toMatchObject({
      metadata: { namespace: SYSTEM_NAMESPACE },
      involvedObject: { apiVersion: 'v1', kind: 'ConfigMap', name: inventoryName('acme-sh-01'), namespace: SYSTEM_NAMESPACE },
      type: 'Warning',
      reason: 'ApplyFailed',
      message: 'Deployment acme/ids: 422 invalid',
      count: 1,
      source: { component: REPORTING_COMPONENT },
      reportingComponent: REPORTING_COMPONENT,
      reportingInstance: 'essg-reconciler-0',
    });
    expect(api.created[0]?.metadata.name).toMatch(new RegExp(`^${inventoryName('acme-sh-01')}\\.[0-9a-f]+$`));
  });

  it('puts Events about a managed object in that object\'s namespace, and cluster-scoped ones in default', async () => {
    const api = fakeCore();
    const recorder = new KubeEventRecorder({ core: api.core as never, instance: 'r' });
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ids', namespace: 'essg-acme', uid: 'u-1' } };
    await recorder.record({ regarding: eventRefOf(deployment), type: 'Normal', reason: 'DriftRestored', message: 'spec.replicas restored' });
    await recorder.record({ regarding: eventRefOf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'essg-acme' } }), type: 'Normal', reason: 'Applied', message: 'created' });
    expect(api.created.map((e) => e.metadata.namespace)).toEqual(['essg-acme', 'default']);
    expect(api.created[0]?.involvedObject).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ids', namespace: 'essg-acme', uid: 'u-1' });
  });

  it('folds a repeated identical Event into one Event whose count goes up', async () => {
    const api = fakeCore();
    const c = clock();
    const recorder = new KubeEventRecorder({ core: api.core as never, instance: 'r', now: c.now, repeatIntervalMs: 0 });
    await recorder.record(failed);
    c.advance(1000);
    await recorder.record(failed);
    c.advance(1000);
    await recorder.record(failed);
    expect(api.created).toHaveLength(1);
    expect(api.patches).toHaveLength(2);
    expect(api.patches[1]).toEqual({
      name: api.created[0]?.metadata.name,
      namespace: SYSTEM_NAMESPACE,
      body: [
        { op: 'replace', path: '/count', value: 3 },
        { op: 'replace', path: '/lastTimestamp', value: '2026-01-01T00:00:02Z' },
      ],
    });
  });

  it('writes a repeated Event at most once per interval, carrying the repeats in its count', async () => {
    const api = fakeCore();
    const c = clock();
    const recorder = new KubeEventRecorder({ core: api.core as never, instance: 'r', now: c.now, repeatIntervalMs: 60_000 });
    for (let i = 0; i < 10; i += 1) {
      await recorder.record(failed);
      c.advance(1000);
    }
    expect(api.created).toHaveLength(1);
    expect(api.patches).toHaveLength(0);
    c.advance(60_000);
    await recorder.record(failed);
    expect(api.patches).toHaveLength(1);
    expect((api.patches[0]?.body as { value: unknown }[])[0]?.value).toBe(11);
  });

  it('creates a new Event when the aggregated one has expired from the cluster', async () => {
    const api = fakeCore({ missing: true });
    const recorder = new KubeEventRecorder({ core: api.core as never, instance: 'r', repeatIntervalMs: 0 });
    await recorder.record(failed);
    await recorder.record(failed);
    expect(api.created).toHaveLength(2);
  });

  it('keeps different messages as separate Events', async () => {
    const api = fakeCore();
    const recorder = new KubeEventRecorder({ core: api.core as never, instance: 'r', repeatIntervalMs: 0 });
    await recorder.record(failed);
    await recorder.record({ ...failed, message: 'another failure' });
    expect(api.created).toHaveLength(2);
  });

  it('never throws when the API refuses the Event, and reports the error', async () => {
    const api = fakeCore({ failCreate: true });
    const errors: unknown[] = [];
    const recorder = new KubeEventRecorder({ core: api.core as never, instance: 'r', onError: (e) => errors.push(e) });
    await expect(recorder.record(failed)).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it('counts its writes by verb for the API request metrics', async () => {
    const api = fakeCore();
    const writes: string[] = [];
    const recorder = new KubeEventRecorder({ core: api.core as never, instance: 'r', repeatIntervalMs: 0, onWrite: (verb) => writes.push(verb) });
    await recorder.record(failed);
    await recorder.record(failed);
    expect(writes).toEqual(['create', 'patch']);
  });

  it('truncates a message to the 1024 characters Kubernetes accepts', async () => {
    const api = fakeCore();
    await new KubeEventRecorder({ core: api.core as never, instance: 'r' }).record({ ...failed, message: 'x'.repeat(5000) });
    expect(api.created[0]?.message).toHaveLength(1024);
  });
});

describe('InMemoryEventRecorder', () => {
  it('aggregates identical Events by count, as the cluster would show them', async () => {
    const recorder = new InMemoryEventRecorder();
    await recorder.record(failed);
    await recorder.record(failed);
    await recorder.record({ ...failed, reason: 'GatewayOffline', message: 'node acme-sh-01 Ready=Unknown' });
    expect(recorder.list({ reason: 'ApplyFailed' })).toEqual([expect.objectContaining({ count: 2 })]);
    expect(recorder.list({ name: inventoryName('acme-sh-01') })).toHaveLength(2);
  });
});
