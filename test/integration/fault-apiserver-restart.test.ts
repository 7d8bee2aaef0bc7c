// Fault: the kube-apiserver is restarted while the reconciler (`essg reconcile` as shipped)
// takes a change. While it is down every pass fails naming the listing or request that could
// not be made, and nothing is deleted on the strength of a listing that failed; once it is
// back the change is applied, and every object the change does not touch is the same object
// (same UID) as before: nothing was lost or recreated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartComponent } from '../../src/testbed/faults.ts';
import { flipFirewallLogging, firewallLogging } from './helpers/approval-bed.ts';
import { createFaultBed, type FaultBed } from './helpers/fault-bed.ts';
import { waitFor } from './helpers/kube.ts';

let bed: FaultBed;

describe('the kube-apiserver restarted during a change', () => {
  beforeAll(async () => {
    bed = await createFaultBed();
  }, 240_000);
  afterAll(() => bed?.remove(), 120_000);

  it('fails the passes it interrupts, naming the API request, deletes nothing, and converges on the change when the API server is back', async () => {
    const before = await bed.uids();
    const logging = await firewallLogging(bed.k, bed.fleet, 'acme-sh-01');
    const head = await bed.fleet.push(flipFirewallLogging(bed.fleet, 'acme-sh-01'), 'flip firewall logging on acme-sh-01');
    // As soon as the reconciler has fetched the change, the API server goes: the pass taking it is cut off.
    await waitFor('the change fetched', async () => (await bed.status()).fleet.revision === head, { timeoutMs: 30_000, intervalMs: 50 });
    const restarted = restartComponent({ component: 'kube-apiserver', downForMs: 6_000 });
    // While it is down, status (served from memory) says what failed.
    const failed = await waitFor('a pass failed on the API server', async () => {
      const { fleet } = await bed.status();
      return fleet.lastPass?.result === 'failed' ? fleet.lastPass.error : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    expect((await fetch(`${bed.url}/healthz`)).status).toBe(200);
    await restarted;
    expect(failed).toMatch(/listing \w+ .*failed|(apply|get|delete) \w+ .*failed|inventory .*failed|ECONNREFUSED|socket hang up/);

    await bed.converged(head);
    expect(await firewallLogging(bed.k, bed.fleet, 'acme-sh-01')).toBe(!logging);
    const after = await bed.uids();
    // The firewall's config map is changed in place (same object); nothing is gone, nothing recreated.
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [object, uid] of before) expect(after.get(object), object).toBe(uid);
  }, 240_000);
});
