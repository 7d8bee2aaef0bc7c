// A gateway that was offline through three changes catches up as soon as its edge node is
// Ready again, not at the next poll: `essg reconcile` as a process, polling once a year, takes
// each change through a signed push webhook while the gateway is away, and the node's return
// alone asks for the pass that pre-pulls its images; the pull's end asks for the pass that
// brings it to the last one.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../src/source/index.ts';
import type { StatusSnapshot } from '../../src/report/status-model.ts';
import { fetchAsOperator } from '../support/status-auth.ts';
import { forgetOtherFleets } from './helpers/fleet.ts';
import { bringOnline, kube, readyStatus, takeOffline, waitFor, type Kube } from './helpers/kube.ts';
import { startReconciler, type ReconcilerProcess } from './helpers/process.ts';
import { createRolloutFleet, deployments, removeRolloutFleet, type RolloutFleet } from './helpers/rollout-fleet.ts';
import { printReconcilerLogOnFailure } from './helpers/runtime.ts';
import { testbed } from './helpers/testbed.ts';

const SECRET = 'gateway-return-webhook-secret';
const VERSIONS = ['2.4.0', '2.5.0', '2.6.0'] as const;

let k: Kube;
let fleet: RolloutFleet;
let reconciler: ReconcilerProcess | undefined;
let away: string | undefined;
let cacheDir: string;

printReconcilerLogOnFailure();

async function status(url: string): Promise<StatusSnapshot> {
  return (await fetchAsOperator(`${url}/status`)).json() as Promise<StatusSnapshot>;
}

/** What GitHub sends on a push to main, signed with the reconciler's webhook secret. */
async function deliverPush(url: string, head: string): Promise<void> {
  const body = JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after: head });
  const response = await fetch(`${url}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomBytes(8).toString('hex'), 'x-hub-signature-256': signBody({ secret: SECRET, body }) },
    body,
  });
  expect(response.status).toBe(202);
}

describe('a gateway back from an outage', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createRolloutFleet({ size: 3, canaries: 1, maxUnavailable: 2, soakSeconds: 1, prePull: true });
    // Two more catalog versions of log-collector, each its own image.
    await fleet.push({ ...fleet.publish('2.5.0', `sha256:${'5'.repeat(64)}`), ...fleet.publish('2.6.0', `sha256:${'6'.repeat(64)}`) }, 'log-collector 2.5.0 and 2.6.0 in the catalog');
    cacheDir = path.join(os.tmpdir(), `essg-it-return-${fleet.prefix}`);
  }, 180_000);

  afterAll(async () => {
    if (away) await bringOnline(away);
    await reconciler?.stop();
    await removeRolloutFleet(fleet, k);
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('takes the three changes it missed once its node is Ready again, asked for by the node, then by its pull, and no poll', async () => {
    const { kubeconfig } = await testbed();
    reconciler = startReconciler([
      '--repo', fleet.url, '--branch', 'main', '--approvals', 'off', '--kubeconfig', kubeconfig, '--cache-dir', cacheDir,
      '--listen', '127.0.0.1:0', '--interval', '0 0 1 1 *',
    ], { ESSG_WEBHOOK_SECRET: SECRET });
    const url = await reconciler.url();
    // The startup pass installs every gateway; no poll comes to see their pods Ready, so status is not waited on here.
    await waitFor('every gateway on log-collector 2.3.0', async () => {
      const live = await deployments(k, fleet);
      const gateways = (await status(url)).gateways.filter((g) => fleet.gateways.includes(g.gateway));
      return fleet.gateways.every((g) => live.get(g)?.image === fleet.image('2.3.0') && live.get(g)?.ready) && gateways.length === 3;
    }, { timeoutMs: 180_000, intervalMs: 500 });

    // GIVEN the last gateway loses its uplink, and the API server says so.
    away = fleet.gateways.at(-1)!;
    const online = fleet.gateways.filter((g) => g !== away);
    await takeOffline(away);
    await waitFor(`${away}'s node not Ready`, async () => readyStatus(await k.core.readNode({ name: away! })) !== 'True', { timeoutMs: 120_000, intervalMs: 500 });
    const before = (await deployments(k, fleet)).get(away)!;

    // WHEN three changes are pushed while it is away, each delivered by webhook and taken by the others.
    for (const version of VERSIONS) {
      const head = await fleet.push(fleet.withVersion(version), `log-collector ${version} on every gateway`);
      await deliverPush(url, head);
      await waitFor(`the online gateways on ${version}`, async () => {
        const live = await deployments(k, fleet);
        return online.every((g) => live.get(g)?.image === fleet.image(version) && live.get(g)?.ready);
      }, { timeoutMs: 120_000, intervalMs: 250 });
    }
    const last = (await status(url)).fleet.revision;
    expect((await deployments(k, fleet)).get(away)).toMatchObject({ image: before.image, generation: before.generation });
    expect((await status(url)).gateways.find((g) => g.gateway === away)).toMatchObject({ phase: 'Offline' });

    // AND it comes back.
    await bringOnline(away);
    await waitFor(`${away}'s node Ready`, async () => readyStatus(await k.core.readNode({ name: away! })) === 'True', { timeoutMs: 120_000, intervalMs: 250 });
    away = undefined;

    // THEN it converges on the last change, in a pass its node's return asked for.
    const returned = fleet.gateways.at(-1)!;
    await waitFor(`${returned} on ${VERSIONS.at(-1)}`, async () => {
      const live = (await deployments(k, fleet)).get(returned);
      const seen = (await status(url)).gateways.find((g) => g.gateway === returned);
      return live?.image === fleet.image(VERSIONS.at(-1)!) && live.ready && seen?.phase === 'Ready' && seen.appliedRevision === last;
    }, { timeoutMs: 120_000, intervalMs: 250 });
    const log = reconciler.stderr();
    expect(log).toContain(`pass asked for by node (edge node ${returned} Ready again)`);
    // Its images pulled first, in a job of its own; the job's end asked for the pass that switched it.
    const returnedAt = log.indexOf(`edge node ${returned} Ready again`);
    expect(log.slice(returnedAt)).toMatch(new RegExp(String.raw`pass asked for by [^\n]*pre-pull \(essg-pre-pull-[0-9a-f]{12}-\S+ finished on ${returned}\)`));
    // No poll came (once a year): only the rollouts' own rechecks when a soak ended.
    expect(log.split('\n').filter((line) => /pass asked for by .*\bpoll\b(?! \(rollout recheck\))/.test(line))).toEqual([]);
  }, 480_000);
});
