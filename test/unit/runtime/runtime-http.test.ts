// The HTTP port as `essg reconcile` serves it (startRuntime with a webhook secret): bad and
// missing signatures are refused and start no pass, bodies over --webhook-max-bytes are
// refused before they are read whole, a flood of bad deliveries leaves memory where it was,
// and every answer carries the headers that keep it out of caches and frames.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../../src/runtime/runtime.ts';
import { signBody } from '../../../src/source/webhook.ts';
import { OPERATOR_HEADERS, OPERATOR_TOKEN } from '../../support/status-auth.ts';

const SECRET = 'webhook-secret-for-tests';
const MAX_BYTES = 64 * 1024;
// Nothing listens there: a pass that starts fails at its first fetch, and is counted.
const NOWHERE = 'http://127.0.0.1:1';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

let dir: string;
let runtime: Runtime;
let base: URL;

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: none, cluster: { server: "https://127.0.0.1:1" } }]
users: [{ name: none, user: { token: unused-token } }]
contexts: [{ name: none, context: { cluster: none, user: none } }]
current-context: none
`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'essg-runtime-http-'));
  await writeFile(path.join(dir, 'kubeconfig'), KUBECONFIG);
  // Before the runtime: its watch cache starts listing at once (and fails against this kubeconfig).
  socketsAtStart = tcpSockets();
  // What src/cli/reconcile.ts passes for `essg reconcile --webhook-max-bytes 65536` with ESSG_WEBHOOK_SECRET set;
  // the poll schedule is once a year, so only the webhook can start a pass here.
  runtime = await startRuntime({
    repo: `${NOWHERE}/fleet.git`, branch: 'main', cacheDir: path.join(dir, 'cache'), kubeconfig: path.join(dir, 'kubeconfig'),
    interval: '0 0 1 1 *', listen: { host: '127.0.0.1', port: 0 }, leaderElection: false,
    webhookSecret: SECRET, webhookMaxBytes: MAX_BYTES, gitTimeoutMs: 5_000, statusAuth: { statusTokens: [OPERATOR_TOKEN] },
    log: () => undefined,
  });
  base = new URL(runtime.url!);
});

afterAll(async () => {
  await runtime?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** Body bytes the client had written when the answer came. */
  readonly written: number;
}

const agent = new http.Agent({ keepAlive: false });

/** One request; `body` 'endless' keeps writing 16 KiB chunks (no Content-Length) until the server answers. */
function request({ method = 'POST', pathname = '/webhook', headers = {}, body }: {
  method?: string; pathname?: string; headers?: Record<string, string | number>; body?: Buffer | 'endless' | 'declared-only';
}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let written = 0;
    const req = http.request({ host: base.hostname, port: base.port, method, path: pathname, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, written }));
      res.on('error', reject);
    });
    // The server drops a refused upload's connection; the answer has arrived by then.
    req.on('error', (error) => (written > 0 ? undefined : reject(error)));
    if (body === 'endless') {
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      let answered = false;
      req.once('response', () => (answered = true));
      const pump = (): void => {
        while (!answered && !req.destroyed) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
      };
      pump();
    } else if (body === 'declared-only') {
      req.flushHeaders();
    } else {
      if (body) written = body.length;
      req.end(body);
    }
  });
}

const push = (after: string) => Buffer.from(JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after, forced: false, deleted: false }));
const pushHeaders = (body: Buffer, signature?: string) => ({
  'content-type': 'application/json', 'x-github-event': 'push', 'content-length': body.length,
  ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }),
});
const metric = async (name: string) => (await request({ method: 'GET', pathname: '/metrics', headers: OPERATOR_HEADERS })).body.split('\n').find((l) => l.startsWith(name));
const passes = () => runtime.store.snapshot().fleet.passes;
/**
 * Passes the deliveries of `action` started: after it, one pass is asked for by hand and
 * awaited; a pass a delivery had started ran before it, so it shows as one more.
 */
async function passesStartedBy(action: () => Promise<void>): Promise<number> {
  const before = passes();
  await action();
  await runtime.passOnce();
  return passes() - before - 1;
}
/** JavaScript heap plus the Buffers outside it (where request bodies live). */
const retained = () => {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
};
const tcpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
let socketsAtStart = 0;
/** TCP connections open in this process (client and server ends alike) that were not open before the tests. */
const openSockets = () => tcpSockets() - socketsAtStart;

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 2_000; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never saw ${what}`);
}

describe('webhook on the reconciler\'s HTTP port', () => {
  it('answers 401 to a missing, a wrong and a truncated signature, and to one made with another secret; none starts a pass', async () => {
    const body = push('a'.repeat(40));
    const good = signBody({ secret: SECRET, body });
    const cases = [undefined, 'sha256=' + '0'.repeat(64), good.slice(0, -2), signBody({ secret: 'another-secret', body }), good.replace('sha256=', 'sha1=')];
    expect(await passesStartedBy(async () => {
      for (const signature of cases) {
        const answer = await request({ headers: pushHeaders(body, signature), body });
        expect(answer.status, String(signature)).toBe(401);
        expect(JSON.parse(answer.body).error).toMatch(/X-Hub-Signature-256/);
      }
    })).toBe(0);
    expect(await metric('essg_webhook_deliveries_total{verdict="missing-signature"}')).toBe('essg_webhook_deliveries_total{verdict="missing-signature"} 1');
    expect(await metric('essg_webhook_deliveries_total{verdict="bad-signature"}')).toBe('essg_webhook_deliveries_total{verdict="bad-signature"} 4');
  });

  it('answers 413 to a declared Content-Length over the limit before a byte of the body is sent', async () => {
    const answer = await request({ headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'content-length': MAX_BYTES + 1 }, body: 'declared-only' });
    expect(answer.status).toBe(413);
    expect(answer.written).toBe(0);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body).error).toBe(`body larger than ${MAX_BYTES} bytes`);
  });

  it('answers 413 to a chunked body that grows past the limit, while the client is still sending', async () => {
    // The body never ends: only a server that stops reading at the limit can answer it.
    const answer = await request({ headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=00' }, body: 'endless' });
    expect(answer.status).toBe(413);
    expect(answer.written).toBeGreaterThan(MAX_BYTES);
    expect(await metric('essg_webhook_deliveries_total{verdict="too-large"}')).toBe('essg_webhook_deliveries_total{verdict="too-large"} 2');
  });

  it('a flood of 1,000 bad deliveries leaves heap and buffers where they were, holds no connection and starts nothing; a signed push then starts exactly one pass', async () => {
    const bodyNear = Buffer.alloc(MAX_BYTES - 1024, 0x62); // read whole, then refused for its signature
    const bodyOver = Buffer.alloc(MAX_BYTES + 1024, 0x63); // refused for its size
    const kinds = [
      () => request({ headers: pushHeaders(bodyNear, 'sha256=' + 'f'.repeat(64)), body: bodyNear }),
      () => request({ headers: pushHeaders(bodyNear), body: bodyNear }),
      () => request({ headers: pushHeaders(bodyOver, 'sha256=' + 'f'.repeat(64)), body: bodyOver }),
      () => request({ headers: { 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=00' }, body: 'endless' }),
    ];
    const flood = async (count: number): Promise<number[]> => {
      const statuses: number[] = [];
      for (let i = 0; i < count; i += 20) {
        statuses.push(...(await Promise.all(Array.from({ length: 20 }, (_, j) => kinds[(i + j) % kinds.length]!()))).map((a) => a.status));
      }
      return statuses;
    };
    const started = passes();
    await flood(100); // warm-up: lazily built code and buffers are not growth
    const sockets = await until('the warm-up connections to close', () => (openSockets() === 0 ? 0 : undefined));
    gc();
    gc();
    const before = retained();
    const statuses = await flood(1_000);
    gc();
    gc();
    const growth = retained() - before;
    process.stdout.write(`heap + buffer growth after 1,000 bad deliveries (${Math.round((1_000 * MAX_BYTES) / 2 ** 20)} MiB sent): ${(growth / 1024).toFixed(0)} KiB\n`);

    expect(statuses.filter((s) => s === 401)).toHaveLength(500);
    expect(statuses.filter((s) => s === 413)).toHaveLength(500);
    // 1,000 deliveries carried about 60 MiB; keeping a third of the bodies read whole would show as 10 MiB.
    expect(growth).toBeLessThan(8 * 2 ** 20);
    // Every refused connection is closed, on both ends: nothing is held for a client that went quiet.
    expect(await until('the flood\'s connections to close', () => (openSockets() === sockets ? openSockets() : undefined))).toBe(0);
    expect(passes()).toBe(started);

    // The same port starts a pass for a signed push: the verdicts above were not luck.
    const body = push('c'.repeat(40));
    const accepted = await request({ headers: pushHeaders(body, signBody({ secret: SECRET, body })), body });
    expect(accepted.status).toBe(202);
    await until('the pushed pass to finish', () => (passes() > started ? true : undefined));
    expect(passes()).toBe(started + 1);
  });
});

describe('headers and limits of the reconciler\'s HTTP port', () => {
  it('no caching of status, metrics or webhook answers; nosniff everywhere', async () => {
    for (const [method, pathname] of [['GET', '/status'], ['GET', '/status/gateways/none'], ['GET', '/metrics'], ['GET', '/healthz'], ['POST', '/webhook'], ['GET', '/nope']] as const) {
      const answer = await request({ method, pathname });
      expect(answer.headers['cache-control'], pathname).toBe('no-store');
      expect(answer.headers['x-content-type-options'], pathname).toBe('nosniff');
    }
  });

  it('the dashboard cannot be framed and loads only its own files', async () => {
    for (const pathname of ['/', '/dashboard.js', '/dashboard.css']) {
      const answer = await request({ method: 'GET', pathname, headers: OPERATOR_HEADERS });
      expect(answer.status).toBe(200);
      expect(answer.headers['x-frame-options'], pathname).toBe('DENY');
      expect(answer.headers['content-security-policy'], pathname).toContain("frame-ancestors 'none'");
      expect(answer.headers['content-security-policy'], pathname).toContain("default-src 'none'");
      expect(answer.headers['cache-control'], pathname).toBe('no-store');
    }
  });
});
