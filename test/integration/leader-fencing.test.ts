// A leader whose Lease is taken by another replica in the middle of a pass stops writing:
// from the moment it steps down its write counter stands still and the fleet's objects stay
// as they are, the pass in flight ends at once saying why, status and metrics say it stands
// by; and when the Lease is free again it leads again and finishes the job.
//
// The pass is kept in flight by an admission webhook that never answers (a slow policy
// engine in front of the API server): every write of a log-collector Deployment of this
// fleet hangs for the webhook's timeout, so the apply step outlasts the leader's renew
// deadline on any machine, with writes in flight when the leader steps down.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AdmissionregistrationV1Api, ApiException, CoordinationV1Api, V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/report/index.ts';
import { forgetOtherFleets } from './helpers/fleet.ts';
import { kube, waitFor, type Kube } from './helpers/kube.ts';
import { startReconciler, type ReconcilerProcess } from './helpers/process.ts';
import { createRolloutFleet, deployments, removeRolloutFleet, type RolloutFleet } from './helpers/rollout-fleet.ts';
import { testbed } from './helpers/testbed.ts';
import { FIELD_MANAGER, LABEL, LEASE_NAME, SYSTEM_NAMESPACE } from '../../src/contract/index.ts';
import { fetchAsOperator } from '../support/status-auth.ts';

/** Enough gateways that, with the apply's 8 workers, some wait for a worker when the leader steps down. */
const GATEWAYS = 32;
/** How long the webhook keeps each write waiting before the API server gives up on it. */
const WEBHOOK_TIMEOUT_SECONDS = 5;
/** A pass that stops "within one request" has ended well within this after its leader stepped down. */
const STOP_WITHIN_MS = 5000;

let k: Kube;
let leases: CoordinationV1Api;
let admission: AdmissionregistrationV1Api;
const webhookName = `essg-it-slow-${randomBytes(3).toString('hex')}`;
const silent = net.createServer((socket) => socket.on('error', () => undefined));
let fleet: RolloutFleet;
const cacheDir = path.join(os.tmpdir(), `essg-it-fencing-${randomBytes(3).toString('hex')}`);
const running: ReconcilerProcess[] = [];

interface Scrape {
  readonly at: number;
  readonly leader: number;
  readonly writes: number;
  readonly passes: number;
}

function parseMetrics(text: string, at: number): Scrape {
  const sum = (name: string) => [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((total, m) => total + Number(m[1]), 0);
  return { at, leader: sum('essg_leader'), writes: sum('essg_api_writes_total'), passes: sum('essg_passes_total') };
}

/** Everything of this fleet the reconciler writes, as the API server holds it: what a write would change. */
async function writtenObjects(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const cm of (await k.core.listNamespacedConfigMap({ namespace: fleet.namespace })).items) out.set(`ConfigMap/${cm.metadata?.name}`, cm.metadata?.resourceVersion ?? '');
  for (const d of (await k.apps.listNamespacedDeployment({ namespace: fleet.namespace })).items) {
    const applied = d.metadata?.managedFields?.find((m) => m.manager === FIELD_MANAGER && m.operation === 'Apply');
    out.set(`Deployment/${d.metadata?.name}`, `${d.metadata?.generation} ${applied?.time ? new Date(applied.time).toISOString() : ''}`);
  }
  for (const cm of (await k.core.listNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE, labelSelector: LABEL.inventoryOf })).items) {
    if (fleet.gateways.includes(cm.metadata?.labels?.[LABEL.inventoryOf] ?? '')) out.set(`Inventory/${cm.metadata?.name}`, cm.metadata?.resourceVersion ?? '');
  }
  return out;
}

function changedBetween(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((key) => before.get(key) !== after.get(key)).sort();
}

/** Writes the Lease as another replica would hold it, retrying when the leader renewed it in between. */
async function holdLease(holder: string): Promise<V1Lease> {
  return waitFor(`the Lease written for ${holder}`, async () => {
    const lease = await leases.readNamespacedLease({ name: LEASE_NAME, namespace: SYSTEM_NAMESPACE });
    const now = new V1MicroTime(Date.now());
    const mine = lease.spec?.holderIdentity === holder;
    const body: V1Lease = {
      ...lease,
      spec: {
        ...lease.spec,
        holderIdentity: holder,
        leaseDurationSeconds: 15,
        renewTime: now,
        ...(mine ? {} : { acquireTime: now, leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1 }),
      },
    };
    try {
      return await leases.replaceNamespacedLease({ name: LEASE_NAME, namespace: SYSTEM_NAMESPACE, body });
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) return undefined;
      throw error;
    }
  }, { intervalMs: 20 });
}

async function releaseLease(): Promise<void> {
  const lease = await leases.readNamespacedLease({ name: LEASE_NAME, namespace: SYSTEM_NAMESPACE });
  await leases.replaceNamespacedLease({ name: LEASE_NAME, namespace: SYSTEM_NAMESPACE, body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new V1MicroTime(Date.now()) } } });
}

/** Makes every create or update of a log-collector Deployment in the fleet's namespace wait for a webhook that never answers. */
async function slowWebhook(port: number): Promise<void> {
  await admission.createValidatingWebhookConfiguration({
    body: {
      metadata: { name: webhookName },
      webhooks: [{
        name: 'slow.essg.invalid',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: 'Fail',
        timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
        clientConfig: { url: `https://127.0.0.1:${port}/validate` },
        rules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }],
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': fleet.namespace } },
        objectSelector: { matchLabels: { [LABEL.service]: 'log-collector' } },
      }],
    },
  });
}

const removeWebhook = () => admission.deleteValidatingWebhookConfiguration({ name: webhookName }).catch(() => undefined);

describe('leader fencing', () => {
  beforeAll(async () => {
    k = await kube();
    leases = k.config.makeApiClient(CoordinationV1Api);
    admission = k.config.makeApiClient(AdmissionregistrationV1Api);
    await forgetOtherFleets();
    // A Lease left by an earlier replica would make this one wait for it to expire.
    await leases.deleteNamespacedLease({ name: LEASE_NAME, namespace: SYSTEM_NAMESPACE }).catch(() => undefined);
    fleet = await createRolloutFleet({ size: GATEWAYS, canaries: 0, maxUnavailable: '25%', soakSeconds: 2 });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    await slowWebhook((silent.address() as net.AddressInfo).port);
  }, 600_000);

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    if (admission) await removeWebhook();
    silent.close();
    await leases?.deleteNamespacedLease({ name: LEASE_NAME, namespace: SYSTEM_NAMESPACE }).catch(() => undefined);
    await removeRolloutFleet(fleet, k);
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('a leader whose Lease is taken mid-pass writes nothing more once it steps down, ends the pass at once saying why, and leads again when the Lease is free', async () => {
    const identity = `${fleet.prefix}-replica`;
    const p = startReconciler(
      ['--repo', fleet.url, '--branch', 'main', '--approvals', 'off', '--kubeconfig', (await testbed()).kubeconfig, '--cache-dir', cacheDir, '--interval', '*/2 * * * * *', '--listen', '127.0.0.1:0', '--leader-elect'],
      { POD_NAME: identity },
    );
    running.push(p);
    const url = await p.url();
    const status = async () => (await (await fetchAsOperator(`${url}/status`)).json()) as StatusSnapshot;
    /** The reconciler's log from the line where it stepped down. */
    const sinceStepDown = () => p.stderr().slice(p.stderr().indexOf('no longer the leader'));

    // The test's view of the replica, every 100 ms: whether it leads and how many writes it sent.
    const scrapes: Scrape[] = [];
    let scraping = true;
    const scraper = (async () => {
      while (scraping) {
        const text = await fetchAsOperator(`${url}/metrics`).then((r) => r.text(), () => '');
        if (text) scrapes.push(parseMetrics(text, Date.now()));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    try {
      // GIVEN the replica leads and its first sync is applying the fleet.
      await waitFor('the first sync under way', async () => (scrapes.at(-1)?.leader === 1 && scrapes.at(-1)!.writes >= 10) || undefined, { timeoutMs: 120_000, intervalMs: 50 });

      // WHEN another replica takes the Lease.
      const takenAt = Date.now();
      const taken = await holdLease('another-replica');

      // THEN the replica steps down while its pass is still applying …
      const down = await waitFor('the replica to step down', async () => scrapes.find((s) => s.at > takenAt && s.leader === 0), { timeoutMs: 60_000, intervalMs: 50 });
      const atDown = await writtenObjects();
      expect(p.stderr()).toContain('no longer the leader: standing by');
      expect(/pass \w+: head/.test(p.stderr()), 'the first sync was still running when the replica stepped down').toBe(false);
      // … the pass in flight ends (it is given a few seconds to say so) …
      const ended = await waitFor('the interrupted pass to end', async () => /pass (failed|partial|success|noop|refused)/.exec(sinceStepDown())?.[0], { timeoutMs: STOP_WITHIN_MS }).catch(() => undefined);
      const endedAt = Date.now();
      // … and from the step-down on it sends no write and nothing of the fleet changes on the API server.
      const standing = await status();
      expect(standing.fleet.replica).toEqual({ identity, leading: false });
      expect(scrapes.at(-1)!.leader).toBe(0);
      expect(scrapes.at(-1)!.writes - down.writes, 'writes sent after stepping down').toBeLessThanOrEqual(1);
      expect(changedBetween(atDown, await writtenObjects()), 'objects changed after stepping down').toHaveLength(0);
      process.stderr.write(`leader fencing: Lease taken by ${taken.spec?.holderIdentity} after ${scrapes.find((s) => s.at >= takenAt)?.writes} writes; stepped down ${down.at - takenAt} ms later at ${down.writes} writes; the pass in flight ${ended ? `ended (${ended}) within ${endedAt - down.at} ms` : `had not ended ${endedAt - down.at} ms later`}\n`);

      // WHEN the webhook is gone and the Lease is free again.
      await removeWebhook();
      await releaseLease();

      // THEN it leads again and converges the whole fleet …
      await waitFor('the replica to lead and converge again', async () => {
        const [s, d] = await Promise.all([status(), deployments(k, fleet)]);
        return s.fleet.replica?.leading && fleet.gateways.every((g) => d.get(g)?.ready) && s.gateways.filter((g) => g.phase === 'Ready').length === fleet.gateways.length;
      }, { timeoutMs: 240_000, intervalMs: 1000 });
      expect((await leases.readNamespacedLease({ name: LEASE_NAME, namespace: SYSTEM_NAMESPACE })).spec?.holderIdentity).toBe(identity);
      // … having sent no write between stepping down and leading again.
      const again = scrapes.find((x) => x.at > down.at && x.leader === 1)!;
      expect(Math.max(...scrapes.filter((s) => s.at >= down.at && s.at < again.at).map((s) => s.writes)) - down.writes, 'writes sent while standing by').toBeLessThanOrEqual(1);
      // The pass that lost its leadership stopped within one request: its first report after the
      // step-down says so, before the replica led again; it did not go on applying what it had planned.
      const log = sinceStepDown();
      const firstReport = /\S+ pass .*/.exec(log)?.[0];
      expect(firstReport, 'the first pass report after stepping down').toMatch(/pass failed: this replica no longer holds the Lease/);
      expect(log.indexOf(firstReport!), 'the interrupted pass ended before the replica led again').toBeLessThan(log.indexOf(' leads: applying'));
      expect(ended, `the interrupted pass ended within ${STOP_WITHIN_MS} ms of stepping down`).toBeDefined();
    } catch (error) {
      process.stderr.write(`\n--- reconciler log ---\n${p.stderr()}\n--- metrics scrapes (time, leader, writes, passes) ---\n${scrapes.filter((_, i) => i % 5 === 0).map((s) => `${new Date(s.at).toISOString()} ${s.leader} ${s.writes} ${s.passes}`).join('\n')}\n---\n`);
      throw error;
    } finally {
      scraping = false;
      await scraper;
    }
  }, 600_000);
});
