// Two replicas of `essg reconcile --leader-elect` as shipped (child processes), each told
// where it is reached (--advertise-url): GitHub's push delivered to the standby (a Service
// picks any replica) reaches the leader, which passes on it at once. Polls are once a year
// here, so only the forwarded delivery can make the leader see the new commit.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/report/index.ts';
import { signBody } from '../../src/source/index.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { kube, waitFor, type Kube } from './helpers/kube.ts';
import { startReconciler, type ReconcilerProcess } from './helpers/process.ts';
import { testbed } from './helpers/testbed.ts';
import { unusedPort } from './helpers/ports.ts';
import { fetchAsOperator } from '../support/status-auth.ts';

const SECRET = randomBytes(16).toString('hex');
let k: Kube;
let fleet: TestFleet;
const replicas: { name: string; url: string; process: ReconcilerProcess }[] = [];

const status = async (url: string) => (await (await fetchAsOperator(`${url}/status`)).json()) as StatusSnapshot;

describe('a push delivered to the standby', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createTestFleet({ gateways: ['acme-sh-01'] });
    const { kubeconfig } = await testbed();
    for (const name of ['replica-a', 'replica-b']) {
      const port = await unusedPort();
      const url = `http://127.0.0.1:${port}`;
      const proc = startReconciler(
        ['--repo', fleet.url, '--approvals', 'off', '--kubeconfig', kubeconfig, '--cache-dir', path.join(os.tmpdir(), `essg-it-standby-${randomBytes(3).toString('hex')}`),
          '--interval', '0 0 1 1 *', '--listen', `127.0.0.1:${port}`, '--leader-elect', '--advertise-url', url],
        { POD_NAME: `${fleet.prefix}-${name}`, ESSG_WEBHOOK_SECRET: SECRET },
      );
      replicas.push({ name, url, process: proc });
      await proc.url();
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.process.stop()));
    await removeTestFleet(fleet, k);
  });

  it('is forwarded to the leader, which passes on it without waiting for a poll', async () => {
    // One leads and has applied the fleet as it is; the other stands by.
    const leader = await waitFor('a leader that has passed', async () => {
      for (const r of replicas) {
        const s = await status(r.url);
        if (s.fleet.replica?.leading && s.fleet.lastPass?.result) return r;
      }
      return undefined;
    }, { timeoutMs: 90_000, intervalMs: 500 });
    const standby = replicas.find((r) => r !== leader)!;
    expect((await status(standby.url)).fleet.replica?.leading).toBe(false);
    const passesBefore = (await status(leader.url)).fleet.passes;

    const head = await fleet.push({ [fleet.gatewayFile('acme-sh-01')]: fleet.files[fleet.gatewayFile('acme-sh-01')]!.replace('logDropped: true', 'logDropped: false') }, 'a change to forward');
    const body = JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after: head });
    const delivered = await fetch(`${standby.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomBytes(8).toString('hex'), 'x-hub-signature-256': signBody({ secret: SECRET, body }) },
      body,
    });
    expect(delivered.status).toBe(202);

    // A pass of the leader's fetched the pushed commit and has ended.
    await waitFor('a pass of the leader on the pushed commit', async () => {
      const { fleet: seen } = await status(leader.url);
      return seen.revision === head && seen.passes > passesBefore && !seen.currentPass;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    expect(standby.process.stderr()).toMatch(new RegExp(`push ${head.slice(0, 12)} forwarded to the leader at ${leader.url}/webhook`));
    // The standby passed on nothing itself.
    expect((await status(standby.url)).fleet.passes).toBe(0);
  });
});
