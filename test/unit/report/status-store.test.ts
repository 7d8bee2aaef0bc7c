import { describe, expect, it } from 'vitest';
import { type GatewayReport, StatusStore } from '../../../src/report/index.ts';

function clock(start = '2026-01-01T00:00:00Z'): { now: () => Date; advance: (ms: number) => void } {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

function report(overrides: Partial<GatewayReport> = {}): GatewayReport {
  return {
    gateway: 'acme-sh-01',
    customer: 'acme',
    node: { name: 'acme-sh-01', ready: 'True', pressure: { memory: false, disk: false, pid: false } },
    phase: 'Ready',
    reason: 'Converged',
    message: 'all services ready',
    appliedRevision: 'a'.repeat(40),
    services: [
      { name: 'ids', desiredVersion: '1.0.0', runningVersion: '1.0.0', ready: true, restarts: 0 },
      { name: 'log-collector', desiredVersion: '2.0.0', runningVersion: '2.0.0', ready: true, restarts: 0 },
    ],
    ...overrides,
  };
}

describe('StatusStore', () => {
  it('moves lastTransition only when the phase changes', () => {
    const c = clock();
    const store = new StatusStore({ now: c.now });
    store.reportGateway(report());
    const first = store.gateway('acme-sh-01')?.lastTransition;
    c.advance(5000);
    store.reportGateway(report());
    expect(store.gateway('acme-sh-01')?.lastTransition).toBe(first);
    c.advance(5000);
    store.reportGateway(report({ phase: 'Offline', reason: 'NodeOffline', node: { name: 'acme-sh-01', ready: 'Unknown', pressure: { memory: false, disk: false, pid: false } } }));
    const status = store.gateway('acme-sh-01');
    expect(status?.lastTransition).toBe('2026-01-01T00:00:10.000Z');
  });

  it('stamps a service transition when its running version or readiness changes, not otherwise', () => {
    const c = clock();
    const store = new StatusStore({ now: c.now });
    store.reportGateway(report());
    c.advance(1000);
    store.reportGateway(report({ services: [
      { name: 'ids', desiredVersion: '1.0.0', runningVersion: '1.0.0', ready: false, restarts: 1 },
      { name: 'log-collector', desiredVersion: '2.0.0', runningVersion: '2.0.0', ready: true, restarts: 0 },
    ] }));
    const [ids, logs] = store.gateway('acme-sh-01')?.services ?? [];
    expect(ids?.lastTransition).toBe('2026-01-01T00:00:01.000Z');
    expect(logs?.lastTransition).toBe('2026-01-01T00:00:00.000Z');
  });

  it('shows a bad commit as pending on every gateway with its FILE:LINE problems, until a good commit arrives', () => {
    const store = new StatusStore();
    store.reportGateway(report());
    store.reportGateway(report({ gateway: 'acme-bj-01', phase: 'Degraded', reason: 'ServiceDegraded', message: 'ids not ready' }));
    const bad = 'c'.repeat(40);
    store.revisionBad({ revision: bad, problems: [{ file: 'gateways/acme/acme-sh-01.yaml', line: 7, col: 9, code: 'UNKNOWN_SERVICE', message: 'unknown service "idz"' }] });

    const ready = store.gateway('acme-sh-01');
    expect(ready).toMatchObject({ pendingRevision: bad, reason: 'BadCommit', appliedRevision: 'a'.repeat(40) });
    expect(ready?.message).toContain('gateways/acme/acme-sh-01.yaml:7:9: UNKNOWN_SERVICE: unknown service "idz"');
    const degraded = store.gateway('acme-bj-01');
    expect(degraded?.reason).toBe('ServiceDegraded');
    expect(degraded?.message).toMatch(/^ids not ready; commit c{12} is not applied/);
    // Structured all the way into the API: tools read the file, line and code, not a string.
    expect(store.snapshot().fleet.badCommit).toEqual({ revision: bad, problems: [{ file: 'gateways/acme/acme-sh-01.yaml', line: 7, col: 9, code: 'UNKNOWN_SERVICE', message: 'unknown service "idz"' }] });

    store.revisionGood({ revision: 'd'.repeat(40) });
    expect(store.gateway('acme-sh-01')).toMatchObject({ reason: 'Converged', message: 'all services ready' });
    expect(store.gateway('acme-sh-01')?.pendingRevision).toBeUndefined();
    expect(store.snapshot().fleet).toMatchObject({ lastGoodRevision: 'd'.repeat(40) });
  });

  it('keeps the last state and reports the error when the fleet repo is unreachable', () => {
    const store = new StatusStore();
    store.sourceFetched({ revision: 'a'.repeat(40) });
    store.reportGateway(report());
    store.sourceFailed({ error: 'connect ECONNREFUSED 127.0.0.1:8080' });
    const { fleet, gateways } = store.snapshot();
    expect(fleet.source).toMatchObject({ ok: false, error: 'connect ECONNREFUSED 127.0.0.1:8080' });
    expect(fleet.source.lastFetched).toBeDefined();
    expect(fleet.revision).toBe('a'.repeat(40));
    expect(gateways.map((g) => g.phase)).toEqual(['Ready']);
  });

  it('times a pass from start to finish and counts passes', () => {
    const c = clock();
    const store = new StatusStore({ now: c.now });
    expect(store.hasCompletedPass()).toBe(false);
    store.passStarted();
    expect(store.snapshot().fleet.currentPass).toBeDefined();
    c.advance(1234);
    const pass = store.passFinished({ result: 'partial', error: '1 gateway failed' });
    expect(pass).toMatchObject({ durationMs: 1234, result: 'partial', error: '1 gateway failed' });
    expect(store.snapshot().fleet).toMatchObject({ passes: 1, lastPass: pass });
    expect(store.snapshot().fleet.currentPass).toBeUndefined();
    expect(store.hasCompletedPass()).toBe(true);
  });

  it('counts gateways by phase and filters by phase and customer, sorted by customer then gateway', () => {
    const store = new StatusStore();
    store.reportGateway(report({ gateway: 'zeta-01', customer: 'zeta' }));
    store.reportGateway(report({ gateway: 'acme-02', phase: 'Failed' }));
    store.reportGateway(report({ gateway: 'acme-01' }));
    expect(store.phaseCounts()).toMatchObject({ Ready: 2, Failed: 1, Offline: 0 });
    expect(store.snapshot().gateways.map((g) => g.gateway)).toEqual(['acme-01', 'acme-02', 'zeta-01']);
    expect(store.snapshot({ phase: 'Ready' }).gateways.map((g) => g.gateway)).toEqual(['acme-01', 'zeta-01']);
    expect(store.snapshot({ customer: 'zeta' }).gateways.map((g) => g.gateway)).toEqual(['zeta-01']);
    expect(store.snapshot({ customer: 'zeta' }).fleet.phases).toMatchObject({ Ready: 2, Failed: 1 });
  });


  it('keeps the history the engine recorded through later reports of the gateway', () => {
    const store = new StatusStore();
    store.reportGateway(report());
    const history = [{ time: '2026-01-01T00:00:00.000Z', kind: 'installed' as const, service: 'ids', to: '1.0.0', revision: 'a'.repeat(40), cause: 'first install of the gateway' }];
    store.setHistory('acme-sh-01', history);
    store.reportGateway(report({ phase: 'Degraded', reason: 'ServiceDegraded', message: 'ids not ready' }));
    expect(store.gateway('acme-sh-01')?.history).toEqual(history);
    expect(store.snapshot().gateways[0]?.history).toEqual(history);
  });

  it('says a node is waited for when its gateway was last seen offline or off the fleet\'s revision, and not otherwise', () => {
    const store = new StatusStore();
    const revision = 'a'.repeat(40);
    store.sourceFetched({ revision });
    store.reportGateway(report());
    store.reportGateway(report({ gateway: 'acme-bj-01', node: { name: 'acme-bj-01', ready: 'Unknown', pressure: { memory: false, disk: false, pid: false } }, phase: 'Offline', reason: 'NodeOffline' }));
    store.reportGateway(report({ gateway: 'acme-gz-01', node: { name: 'acme-gz-01', ready: 'True', pressure: { memory: false, disk: false, pid: false } }, appliedRevision: 'b'.repeat(40) }));
    expect(['acme-sh-01', 'acme-bj-01', 'acme-gz-01', 'no-such-node'].map((node) => store.awaitsNode(node))).toEqual([false, true, true, false]);
    // A new head leaves every gateway behind it until a pass moves them.
    store.sourceFetched({ revision: 'c'.repeat(40) });
    expect(store.awaitsNode('acme-sh-01')).toBe(true);
  });
});
