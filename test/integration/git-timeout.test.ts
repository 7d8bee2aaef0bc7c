// A Git server that accepts connections and never answers, in front of the test bed's real
// one (a TCP proxy that stops forwarding), against the reconciler as `essg reconcile
// --once --git-timeout` builds it: each pass costs one bounded wait, ends naming the Git
// source, goes on from the last fetched commit, and writes nothing to the cluster.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countsSince, WRITE_VERBS, type RequestCounts } from '../../src/apply/index.ts';
import { createTestFleet, forgetOtherFleets, removeTestFleet, type TestFleet } from './helpers/fleet.ts';
import { kube, waitFor, type Kube } from './helpers/kube.ts';
import { printReconcilerLogOnFailure, startTestRuntime, stopTestRuntimes, type TestRuntime } from './helpers/runtime.ts';

const GIT_TIMEOUT_MS = 500;

/** Forwards to the real Git server until `silence()`; then accepts and never answers. */
interface GitProxy {
  readonly url: string;
  silence(): void;
  close(): Promise<void>;
}

async function gitProxy(upstream: string): Promise<GitProxy> {
  const target = new URL(upstream);
  let silent = false;
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = net.createServer((client) => {
    track(client);
    if (silent) return; // accepted, read, never answered
    const origin = net.connect(Number(target.port), target.hostname);
    track(origin);
    client.pipe(origin).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const proxied = new URL(upstream);
  proxied.host = `127.0.0.1:${port}`;
  return {
    url: proxied.toString(),
    silence: () => {
      silent = true;
      for (const socket of sockets) socket.destroy(); // no kept-alive connection gets through
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const writes = (delta: RequestCounts) => [...WRITE_VERBS].reduce((sum, verb) => sum + delta[verb], 0);

let k: Kube;
let fleet: TestFleet;
const proxies: GitProxy[] = [];

printReconcilerLogOnFailure();

describe('git fetch timeout', () => {
  beforeAll(async () => {
    k = await kube();
    await forgetOtherFleets();
    fleet = await createTestFleet({ gateways: ['acme-sh-01', 'globex-fra-01'] });
  });

  afterAll(async () => {
    await stopTestRuntimes();
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    await removeTestFleet(fleet, k);
  });

  it('a first pass against a Git server that never answers fails naming the Git source and leaves the cluster untouched', async () => {
    // GIVEN a Git server that accepts and never answers, and a reconciler that has never fetched
    const proxy = await gitProxy(fleet.url);
    proxies.push(proxy);
    proxy.silence();
    const r: TestRuntime = await startTestRuntime({ repo: proxy.url, gitTimeoutMs: GIT_TIMEOUT_MS });
    const before = r.requests.snapshot();
    // WHEN it runs a pass
    const pass = await r.pass();
    // THEN the pass failed on the Git source, after one bounded wait, and wrote nothing
    expect(pass.result).toBe('failed');
    expect(pass.error).toMatch(new RegExp(`^git: no answer from http://127\\.0\\.0\\.1:\\d+/.* within ${GIT_TIMEOUT_MS} ms \\(--git-timeout\\)$`));
    expect(r.store.snapshot().fleet.source).toMatchObject({ ok: false, error: pass.error });
    expect(writes(countsSince(before, r.requests.snapshot()))).toBe(0);
    expect(await k.core.readNamespace({ name: fleet.namespace('acme') }).then(() => 'exists', () => 'absent')).toBe('absent');
    expect(await k.core.readNamespace({ name: fleet.namespace('globex') }).then(() => 'exists', () => 'absent')).toBe('absent');
  });

  it('a pass after the Git server goes silent keeps the last fetched commit, says the Git source failed and changes nothing', async () => {
    // GIVEN a reconciler that converged the fleet through the proxy
    const proxy = await gitProxy(fleet.url);
    proxies.push(proxy);
    const r = await startTestRuntime({ repo: proxy.url, gitTimeoutMs: GIT_TIMEOUT_MS });
    const first = await r.pass();
    expect(first.result).toBe('success');
    await waitFor('both gateways Ready', async () => {
      await r.pass();
      return r.store.snapshot().gateways.filter((g) => g.phase === 'Ready').length === 2;
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    expect((await r.pass()).result).toBe('noop');
    // WHEN the Git server starts accepting and never answering
    proxy.silence();
    const before = r.requests.snapshot();
    const pass = await r.pass();
    // THEN the pass went on from the last fetched commit, named the Git source, and wrote nothing
    expect(pass.head).toBe(first.head);
    expect(pass.result).toBe('noop');
    const source = r.store.snapshot().fleet.source;
    expect(source.ok).toBe(false);
    expect(source).toMatchObject({ error: expect.stringMatching(new RegExp(`^git: no answer from .* within ${GIT_TIMEOUT_MS} ms`)) });
    expect(r.lines.some((line) => /fetch failed, keeping the last state: git: no answer from/.test(line))).toBe(true);
    expect(writes(countsSince(before, r.requests.snapshot()))).toBe(0);
    expect(r.store.snapshot().gateways.map((g) => [g.phase, g.appliedRevision])).toEqual([['Ready', first.head], ['Ready', first.head]]);
  });
});
