// Fault: etcd stops for 30 s (SIGSTOP: it holds its connections and answers nothing, as a
// hung etcd does) while the reconciler (`essg reconcile` as shipped) has a change to apply.
// Its passes wait a bounded time on the API server and fail naming what they could not do;
// its own HTTP port keeps answering; once etcd is back the change is applied and every other
// object is the one it was (same UID).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pauseComponent, resumeComponent } from '../../src/testbed/faults.ts';
import { flipFirewallLogging, firewallLogging } from './helpers/approval-bed.ts';
import { createFaultBed, type FaultBed } from './helpers/fault-bed.ts';
import { waitFor } from './helpers/kube.ts';

const STOPPED_MS = 30_000;

let bed: FaultBed;
let paused = false;

describe('etcd stopped for 30 s', () => {
  beforeAll(async () => {
    bed = await createFaultBed();
  }, 240_000);
  afterAll(async () => {
    if (paused) await resumeComponent({ component: 'etcd' });
    await bed?.remove();
  }, 120_000);

  it('holds the change while the cluster cannot answer, keeps serving status, and applies it once etcd is back, losing nothing', async () => {
    const before = await bed.uids();
    const logging = await firewallLogging(bed.k, bed.fleet, 'acme-sh-01');
    await pauseComponent({ component: 'etcd' });
    paused = true;
    const stoppedAt = Date.now();
    let head: string;
    try {
      head = await bed.fleet.push(flipFirewallLogging(bed.fleet, 'acme-sh-01'), 'flip firewall logging on acme-sh-01');
      // The pass plans from the watch cache (its watches stay open, quiet), then its first
      // write waits once, bounded by the client's 30 s deadline, and the pass stops naming it.
      const failed = await waitFor('a pass that could not reach the cluster', async () => {
        const { fleet } = await bed.status();
        return fleet.revision === head && fleet.lastPass?.result === 'failed' ? fleet.lastPass.error : undefined;
      }, { timeoutMs: 90_000, intervalMs: 500 });
      expect(failed).toMatch(/^writing the inventory of gateway \S+ failed: no answer from https:\/\/\S+ within 30000 ms$/);
      expect((await fetch(`${bed.url}/healthz`)).status).toBe(200);
      const waited = Date.now() - stoppedAt;
      if (waited < STOPPED_MS) await new Promise((resolve) => setTimeout(resolve, STOPPED_MS - waited));
    } finally {
      await resumeComponent({ component: 'etcd' });
      paused = false;
    }

    await bed.converged(head, 180_000);
    expect(await firewallLogging(bed.k, bed.fleet, 'acme-sh-01')).toBe(!logging);
    const after = await bed.uids();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [object, uid] of before) expect(after.get(object), object).toBe(uid);
  }, 300_000);
});
