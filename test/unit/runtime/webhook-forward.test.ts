// A standby's webhook: a verified push is sent on to the leader's HTTP port as received
// (body and signature), marked as forwarded so it is never sent on again; without a known
// leader, or when the leader refuses it, it is not forwarded and says why.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardDelivery } from '../../../src/runtime/webhook-forward.ts';
import { createWebhookHandler, signBody, type PushEvent } from '../../../src/source/index.ts';

const SECRET = 'forwarding-test-secret';
const received: { push: PushEvent; forwardedBy?: string }[] = [];
let leader: http.Server;
let leaderUrl: string;

beforeAll(async () => {
  // The leader's own webhook handler, as the runtime mounts it: it verifies the signature.
  const handler = createWebhookHandler({ secret: SECRET, branch: 'main', onPush: (push, delivery) => void received.push({ push, ...(delivery.forwardedBy ? { forwardedBy: delivery.forwardedBy } : {}) }) });
  leader = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => leader.listen(0, '127.0.0.1', resolve));
  leaderUrl = `http://127.0.0.1:${(leader.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => leader.close(resolve));
});

function delivery(secret = SECRET) {
  const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after: 'b'.repeat(40) }));
  return { body, headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd-1', 'x-hub-signature-256': signBody({ secret, body }) } };
}

describe('forwarding a push to the leader', () => {
  it('sends the delivery as received; the leader verifies it and sees who forwarded it', async () => {
    const outcome = await forwardDelivery({ delivery: delivery(), leaderUrl, identity: 'replica-b' });
    expect(outcome).toEqual({ kind: 'forwarded', to: `${leaderUrl}/webhook` });
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toEqual({ push: expect.objectContaining({ after: 'b'.repeat(40), deliveryId: 'd-1' }), forwardedBy: 'replica-b' });
  });

  it('does not forward a delivery that was forwarded to it, nor without a leader URL', async () => {
    expect(await forwardDelivery({ delivery: { ...delivery(), forwardedBy: 'replica-a' }, leaderUrl, identity: 'replica-b' })).toMatchObject({ kind: 'not-forwarded', reason: expect.stringContaining('forwarded here by replica-a') });
    expect(await forwardDelivery({ delivery: delivery(), leaderUrl: undefined, identity: 'replica-b' })).toMatchObject({ kind: 'not-forwarded', reason: expect.stringContaining('--advertise-url') });
  });

  it('says so when the leader refuses the delivery or does not answer', async () => {
    // Signed with another secret: the leader answers 401, and starts nothing.
    const before = received.length;
    expect(await forwardDelivery({ delivery: delivery('another-secret'), leaderUrl, identity: 'replica-b' })).toEqual({ kind: 'not-forwarded', reason: `the leader at ${leaderUrl}/webhook answered HTTP 401` });
    expect(received.length).toBe(before);
    expect(await forwardDelivery({ delivery: delivery(), leaderUrl: 'http://127.0.0.1:1', identity: 'replica-b', timeoutMs: 2000 })).toMatchObject({ kind: 'not-forwarded', reason: expect.stringMatching(/^the leader at http:\/\/127\.0\.0\.1:1\/webhook did not answer: /) });
  });
});
