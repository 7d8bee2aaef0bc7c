import { describe, expect, it } from 'vitest';
import { FleetMetrics, type GatewayReport, StatusStore } from '../../../src/report/index.ts';
import { PHASES } from '../../../src/report/status-model.ts';

/** A fleet of `count` gateways spread over every phase, with the metric events a pass over them records. */
async function exposition(count: number): Promise<string> {
  const store = new StatusStore();
  const metrics = new FleetMetrics({ phases: () => store.phaseCounts() });
  for (let i = 0; i < count; i++) {
    const phase = PHASES[i % PHASES.length]!;
    const gateway = `gw-${String(i).padStart(5, '0')}`;
    const report: GatewayReport = {
      gateway,
      customer: `customer-${i % 50}`,
      node: { name: gateway, ready: 'True', pressure: { memory: false, disk: false, pid: false } },
      phase,
      reason: phase,
      message: `${gateway} is ${phase}`,
      appliedRevision: 'a'.repeat(40),
      services: [{ name: 'ids', desiredVersion: '1.0.0', runningVersion: '1.0.0', ready: true, restarts: 0 }],
    };
    store.reportGateway(report);
    metrics.apiRequest('PATCH');
    if (phase === 'Failed') metrics.applyError('APPLY_CONFLICT');
  }
  metrics.observePass({ durationMs: 1200, result: 'success' });
  metrics.rolledBack('b'.repeat(40));
  return (await metrics.render()).body;
}

const series = (text: string) => text.split('\n').filter((line) => line && !line.startsWith('#'));

describe('Prometheus metrics', () => {
  it('have as many series for 10,000 gateways as for 10: no label carries a gateway, customer or service', async () => {
    const small = await exposition(10);
    const large = await exposition(10_000);

    expect(series(large).length).toBe(series(small).length);
    expect(large).not.toMatch(/gw-\d|customer-\d|\bids\b/);
    // Gateway i is in phase i mod the number of phases: Ready holds every PHASES.length-th of them.
    expect(large).toContain(`essg_gateways{phase="Ready"} ${Math.ceil(10_000 / PHASES.length)}`);
  });
});
