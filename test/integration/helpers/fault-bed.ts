// What the fault tests share: `essg reconcile` as an operator runs it (a child process,
// polling every 2 s) on a two-gateway fleet of the test bed, converged; the identity (UID)
// of every object it owns, so a test can tell an object kept from one deleted and created
// again; and its status as an operator reads it.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { LABEL, MANAGED_BY, SYSTEM_NAMESPACE } from '../../../src/contract/index.ts';
import type { StatusSnapshot } from '../../../src/report/index.ts';
import { fetchAsOperator } from '../../support/status-auth.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './fleet.ts';
import { kube, waitFor, type Kube } from './kube.ts';
import { startReconciler, type ReconcilerProcess } from './process.ts';
import { testbed } from './testbed.ts';

export interface FaultBed {
  readonly k: Kube;
  readonly fleet: TestFleet;
  readonly reconciler: ReconcilerProcess;
  readonly url: string;
  status(): Promise<StatusSnapshot>;
  /** `Kind namespace/name` → UID of every object the reconciler owns, inventories included. */
  uids(): Promise<Map<string, string>>;
  /** Until every gateway is Ready on `revision` (default: any). */
  converged(revision?: string, timeoutMs?: number): Promise<StatusSnapshot>;
  remove(): Promise<void>;
}

export async function createFaultBed(): Promise<FaultBed> {
  const k = await kube();
  await forgetOtherFleets();
  const fleet = await createTestFleet({ gateways: ['acme-sh-01', 'globex-ams-01'] });
  const reconciler = startReconciler([
    '--repo', fleet.url, '--branch', 'main', '--approvals', 'off', '--kubeconfig', (await testbed()).kubeconfig,
    '--cache-dir', path.join(os.tmpdir(), `essg-it-fault-${randomBytes(3).toString('hex')}`), '--listen', '127.0.0.1:0', '--interval', '*/2 * * * * *',
  ]);
  const url = await reconciler.url();
  const status = async () => (await (await fetchAsOperator(`${url}/status`, { signal: AbortSignal.timeout(5_000) })).json()) as StatusSnapshot;
  const bed: FaultBed = {
    k, fleet, reconciler, url, status,
    async uids() {
      const labelSelector = `${LABEL.managedBy}=${MANAGED_BY}`;
      const out = new Map<string, string>();
      const add = (kind: string, items: readonly { metadata?: { namespace?: string; name?: string; uid?: string } }[]) => {
        for (const o of items) out.set(`${kind} ${o.metadata?.namespace}/${o.metadata?.name}`, o.metadata?.uid ?? '');
      };
      for (const namespace of [fleet.namespace('acme'), fleet.namespace('globex')]) {
        add('ConfigMap', (await k.core.listNamespacedConfigMap({ namespace, labelSelector })).items);
        add('Deployment', (await k.apps.listNamespacedDeployment({ namespace, labelSelector })).items);
      }
      add('ConfigMap', (await k.core.listNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE })).items.filter((c) => c.metadata?.name?.includes(fleet.prefix)));
      return out;
    },
    converged: (revision, timeoutMs = 120_000) => waitFor(`every gateway Ready${revision ? ` on ${revision.slice(0, 12)}` : ''}`, async () => {
      const snapshot = await status().catch(() => undefined);
      return snapshot && snapshot.gateways.length === fleet.gateways.length
        && snapshot.gateways.every((g) => g.phase === 'Ready' && (revision === undefined || g.appliedRevision === revision)) ? snapshot : undefined;
    }, { timeoutMs, intervalMs: 500 }),
    async remove() {
      await reconciler.stop();
      await removeTestFleet(fleet, k);
    },
  };
  await bed.converged();
  return bed;
}
