// Bounded loading on the test bed: `essg reconcile` as an operator runs it, with a short
// --load-timeout. A valid commit that takes far longer to load and render (3,000 more
// gateways) is reported as bad, naming the bound; nothing of it is applied, the running
// gateways stay on the last good commit and keep being reconciled (a Deployment deleted by
// hand comes back), /healthz answers at every probe, and the next good commit converges.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/report/status-model.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, TEMPLATE_GATEWAYS, type TestFleet } from './helpers/fleet.ts';
import { kube, waitFor, type Kube } from './helpers/kube.ts';
import { startReconciler, type ReconcilerProcess } from './helpers/process.ts';
import { testbed } from './helpers/testbed.ts';
import { fetchAsOperator } from '../support/status-auth.ts';

/**
 * Ample for the template fleet (well under a second once the worker runs; its start is not
 * counted); far too short for 3,000 more gateways, which take about 6 s on an idle two-core
 * machine, more on a busy one.
 */
const LOAD_TIMEOUT_MS = 3000;
const BULK = 3000;

let k: Kube;
let fleet: TestFleet;
let reconciler: ReconcilerProcess;
let base: string;

async function status(): Promise<StatusSnapshot> {
  const response = await fetchAsOperator(`${base}/status`, { signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as StatusSnapshot;
}

/** Every gateway of the fleet on `revision`, as the reconciler's status says. */
async function allOn(revision: string): Promise<boolean> {
  const snapshot = await status();
  return TEMPLATE_GATEWAYS.every((g) => snapshot.gateways.find((s) => s.gateway === fleet.gateway(g))?.appliedRevision === revision);
}

/** `/healthz` asked every 200 ms; each probe has 3 s to answer (a load on the event loop takes far longer). */
function probeHealth(): { stop(): Promise<{ answered: number; failed: string[] }> } {
  let running = true;
  let answered = 0;
  const failed: string[] = [];
  const loop = (async () => {
    while (running) {
      try {
        const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(3000) });
        if (response.status === 200) answered++;
        else failed.push(`${new Date().toISOString()} HTTP ${response.status}`);
      } catch (error) {
        failed.push(`${new Date().toISOString()} ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { answered, failed };
    },
  };
}

/** Copies of acme-sh-01 on nodes of their own: a valid fleet, only a very large one. */
function bulkGateways(): Record<string, string> {
  const name = fleet.gateway('acme-sh-01');
  const source = fleet.files[fleet.gatewayFile('acme-sh-01')]!;
  const out: Record<string, string> = {};
  for (let i = 0; i < BULK; i++) {
    const copy = `${fleet.prefix}-bulk-${String(i).padStart(4, '0')}`;
    out[`gateways/acme/${copy}.yaml`] = source.replaceAll(name, copy);
  }
  return out;
}

describe('bounded loading', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createTestFleet();
    reconciler = startReconciler([
      '--repo', fleet.url, '--branch', 'main', '--approvals', 'off', '--kubeconfig', (await testbed()).kubeconfig,
      '--cache-dir', path.join(os.tmpdir(), `essg-it-load-${randomBytes(3).toString('hex')}`),
      '--interval', '*/2 * * * * *', '--listen', '127.0.0.1:0', '--load-timeout', String(LOAD_TIMEOUT_MS),
    ]);
    base = await reconciler.url();
  });

  afterAll(async () => {
    await reconciler?.stop();
    await removeTestFleet(fleet, k);
  });

  it('a commit whose load passes --load-timeout is reported bad and never applied, while the gateways stay reconciled and /healthz answers throughout', async () => {
    const health = probeHealth();
    try {
      const good = await waitFor('the first fetch', async () => (await status()).fleet.revision);
      await waitFor('every gateway on the first commit', () => allOn(good), { timeoutMs: 120_000 });
      const slow = await fleet.push(bulkGateways(), `${BULK} more gateways`);
      const bad = await waitFor('the slow commit reported bad', async () => {
        const { fleet: f } = await status();
        return f.badCommit?.revision === slow ? f.badCommit : undefined;
      }, { timeoutMs: 120_000 });
      expect(bad.problems).toEqual([{ code: 'LOAD_DEADLINE', message: `loading and rendering the fleet at ${slow.slice(0, 12)} took longer than ${LOAD_TIMEOUT_MS} ms (--load-timeout); the load worker was stopped and replaced` }]);
      const snapshot = await status();
      expect(snapshot.fleet.revision).toBe(slow);
      expect(snapshot.fleet.lastGoodRevision).toBe(good);
      expect(await allOn(good)).toBe(true);
      // Nothing of the slow commit exists: no gateway of it has an inventory or an object.
      expect(snapshot.gateways.filter((g) => g.gateway.includes('-bulk-'))).toEqual([]);
      const bulkObjects = await k.apps.listDeploymentForAllNamespaces({ labelSelector: 'essg.io/gateway' });
      expect(bulkObjects.items.filter((d) => d.metadata?.labels?.['essg.io/gateway']?.includes('-bulk-'))).toEqual([]);

      // The passes go on while the head is bad: a Deployment deleted by hand comes back.
      const namespace = fleet.namespace('globex');
      const gateway = fleet.gateway('globex-ams-01');
      const [deployment] = (await k.apps.listNamespacedDeployment({ namespace, labelSelector: `essg.io/gateway=${gateway}` })).items;
      expect(deployment?.metadata?.name).toBeDefined();
      await k.apps.deleteNamespacedDeployment({ namespace, name: deployment!.metadata!.name! });
      await waitFor('the deleted Deployment put back', async () => {
        const back = await k.apps.readNamespacedDeployment({ namespace, name: deployment!.metadata!.name! }).catch(() => undefined);
        return back && back.metadata?.uid !== deployment!.metadata?.uid;
      }, { timeoutMs: 120_000 });
      expect((await status()).fleet.badCommit?.revision).toBe(slow);

      // The fix (the bulk gateways gone again) converges.
      const fix = await fleet.push(Object.fromEntries(Object.keys(bulkGateways()).map((file) => [file, null])), 'drop the bulk gateways');
      await waitFor('every gateway on the fix', () => allOn(fix), { timeoutMs: 120_000 });
      expect((await status()).fleet.badCommit).toBeUndefined();
    } catch (error) {
      process.stderr.write(`--- reconciler log ---\n${reconciler.stderr().slice(-8000)}\n`);
      throw error;
    } finally {
      const { answered, failed } = await health.stop();
      expect(failed).toEqual([]);
      expect(answered).toBeGreaterThan(0);
    }
  }, 480_000);
});
