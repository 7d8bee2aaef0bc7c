import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type PushEvent, createWebhookHandler, signBody, verifyPushWebhook } from '../../../src/source/webhook.ts';

const secret = "It's a Secret to Everybody";
const pushBody = (ref = 'refs/heads/main') => Buffer.from(JSON.stringify({
  ref, before: 'a'.repeat(40), after: 'b'.repeat(40), forced: false, deleted: false, repository: { full_name: 'soc/fleet' },
}));
const headers = (body: Uint8Array, event = 'push', key = secret) => ({
  'x-github-event': event, 'x-github-delivery': 'delivery-1', 'content-type': 'application/json', 'x-hub-signature-256': signBody({ secret: key, body }),
});

describe('verifyPushWebhook', () => {
  it('matches GitHub’s documented signature example', () => {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    expect(signBody({ secret, body: 'Hello, World!' })).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });

  it('accepts a signed push to the watched branch', () => {
    const body = pushBody();
    const verdict = verifyPushWebhook({ secret, branch: 'main', request: { headers: headers(body), body } });
    expect(verdict).toEqual({
      kind: 'push',
      push: { ref: 'refs/heads/main', before: 'a'.repeat(40), after: 'b'.repeat(40), forced: false, deleted: false, repository: 'soc/fleet', deliveryId: 'delivery-1' },
    });
  });

  it('rejects a delivery signed with another secret', () => {
    const body = pushBody();
    const verdict = verifyPushWebhook({ secret, branch: 'main', request: { headers: headers(body, 'push', 'wrong secret'), body } });
    expect(verdict).toMatchObject({ kind: 'rejected', status: 401, reason: 'bad-signature' });
  });

  it('rejects a body changed after signing', () => {
    const body = pushBody();
    const tampered = Buffer.from(body.toString().replace('b'.repeat(40), 'c'.repeat(40)));
    expect(verifyPushWebhook({ secret, branch: 'main', request: { headers: headers(body), body: tampered } })).toMatchObject({ kind: 'rejected', reason: 'bad-signature' });
  });

  it('rejects an unsigned delivery and a truncated signature', () => {
    const body = pushBody();
    const { 'x-hub-signature-256': signature, ...unsigned } = headers(body);
    expect(verifyPushWebhook({ secret, branch: 'main', request: { headers: unsigned, body } })).toMatchObject({ kind: 'rejected', status: 401, reason: 'missing-signature' });
    expect(verifyPushWebhook({ secret, branch: 'main', request: { headers: { ...unsigned, 'x-hub-signature-256': signature.slice(0, 20) }, body } }))
      .toMatchObject({ kind: 'rejected', reason: 'bad-signature' });
  });

  it('ignores a push to another branch', () => {
    const body = pushBody('refs/heads/feature');
    expect(verifyPushWebhook({ secret, branch: 'main', request: { headers: headers(body), body } }))
      .toEqual({ kind: 'ignored', reason: 'other-branch', detail: 'push to refs/heads/feature, not refs/heads/main' });
  });

  it('answers a signed ping and ignores other events', () => {
    const ping = Buffer.from(JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 42 }));
    expect(verifyPushWebhook({ secret, branch: 'main', request: { headers: headers(ping, 'ping'), body: ping } })).toEqual({ kind: 'ping', hookId: 42 });
    const issue = Buffer.from('{"action":"opened"}');
    expect(verifyPushWebhook({ secret, branch: 'main', request: { headers: headers(issue, 'issues'), body: issue } })).toMatchObject({ kind: 'ignored', reason: 'other-event' });
  });

  it('reads the form-encoded payload GitHub sends when the hook is set to form content', () => {
    const body = Buffer.from(`payload=${encodeURIComponent(pushBody().toString())}`);
    const verdict = verifyPushWebhook({ secret, branch: 'main', request: { headers: { ...headers(body), 'content-type': 'application/x-www-form-urlencoded' }, body } });
    expect(verdict.kind).toBe('push');
  });

  it('rejects a signed body that is not a JSON object', () => {
    const body = Buffer.from('not json');
    expect(verifyPushWebhook({ secret, branch: 'main', request: { headers: headers(body), body } })).toMatchObject({ kind: 'rejected', status: 400, reason: 'bad-payload' });
  });
});

describe('createWebhookHandler', () => {
  let server: http.Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(onPush: (push: PushEvent) => void): Promise<string> {
    const handler = createWebhookHandler({ secret, branch: 'main', onPush });
    server = http.createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  }

  it('answers 202 to a verified push and hands it to onPush', async () => {
    const pushes: PushEvent[] = [];
    let delivered!: () => void;
    const seen = new Promise<void>((resolve) => (delivered = resolve));
    const url = await serve((push) => {
      pushes.push(push);
      delivered();
    });
    const body = pushBody();
    const res = await fetch(url, { method: 'POST', headers: headers(body), body });
    expect(res.status).toBe(202);
    await seen;
    expect(pushes.map((p) => p.after)).toEqual(['b'.repeat(40)]);
  });

  it('answers 401 to a bad signature and 200 to a ping, triggering nothing', async () => {
    const pushes: PushEvent[] = [];
    const url = await serve((push) => pushes.push(push));
    const body = pushBody();
    expect((await fetch(url, { method: 'POST', headers: headers(body, 'push', 'guess'), body })).status).toBe(401);
    const ping = Buffer.from('{"zen":"hi","hook_id":1}');
    const pong = await fetch(url, { method: 'POST', headers: headers(ping, 'ping'), body: ping });
    expect(pong.status).toBe(200);
    expect(await pong.json()).toEqual({ ok: true, pong: true });
    expect((await fetch(url, { method: 'GET' })).status).toBe(405);
    expect(pushes).toEqual([]);
  });

  it('refuses to start without a secret', () => {
    expect(() => createWebhookHandler({ secret: '', branch: 'main', onPush: () => undefined })).toThrow(/secret is required/);
  });
});
