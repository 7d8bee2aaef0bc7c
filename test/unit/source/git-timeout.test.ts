// A Git server that accepts the connection and never answers costs one bounded wait: the
// fetch fails with an error that names the Git source, and the next fetch is not stuck
// behind the first. The servers are real TCP listeners on 127.0.0.1 that never write.
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitSource, GitUnreachableError, silenceDeadline } from '../../../src/source/index.ts';
import type { HttpClient } from 'isomorphic-git';

interface SilentServer {
  readonly url: string;
  /** Connections accepted so far. */
  readonly accepted: () => number;
  close(): Promise<void>;
}

/** Accepts every connection, reads what it is sent, and never writes a byte. */
async function silentServer(): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fleet.git`,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const servers: SilentServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('git fetch timeout', () => {
  it('fails a fetch from a server that accepts and never answers, naming the Git source', async () => {
    // GIVEN a server that accepts and says nothing, and a source with a 300 ms timeout
    const server = await silentServer();
    servers.push(server);
    const source = createGitSource({ url: server.url, branch: 'main', cacheDir: mkdtempSync(path.join(os.tmpdir(), 'essg-git-timeout-')), timeoutMs: 300 });
    // WHEN it fetches
    const error = await source.fetch().then(() => undefined, (e: unknown) => e);
    // THEN the error is the Git source's, typed as unreachable, with the URL and the timeout
    expect(error).toBeInstanceOf(GitUnreachableError);
    expect((error as GitUnreachableError).toJSON()).toEqual({
      code: 'GIT_UNREACHABLE',
      message: `git: no answer from ${server.url} within 300 ms (--git-timeout)`,
      data: { component: 'git', failure: 'unreachable', url: server.url, branch: 'main' },
    });
    expect(server.accepted()).toBe(1);
  });

  it('lets the next fetch run after a timed-out one instead of queueing behind it', async () => {
    const server = await silentServer();
    servers.push(server);
    const source = createGitSource({ url: server.url, branch: 'main', cacheDir: mkdtempSync(path.join(os.tmpdir(), 'essg-git-timeout-')), timeoutMs: 300 });
    const first = source.fetch().catch((e: unknown) => e);
    const second = source.fetch().catch((e: unknown) => e);
    expect(await first).toBeInstanceOf(GitUnreachableError);
    expect(await second).toBeInstanceOf(GitUnreachableError);
    expect(server.accepted()).toBe(2);
  });

  it('keeps the credentials out of the timeout error', async () => {
    const server = await silentServer();
    servers.push(server);
    const withCredentials = server.url.replace('http://', 'http://fleet-bot:s3cret-token@');
    const source = createGitSource({ url: withCredentials, branch: 'main', cacheDir: mkdtempSync(path.join(os.tmpdir(), 'essg-git-timeout-')), timeoutMs: 300 });
    const error = (await source.fetch().catch((e: unknown) => e)) as GitUnreachableError;
    expect(JSON.stringify(error.toJSON())).not.toMatch(/s3cret-token|fleet-bot/);
    expect(error.message).toBe(`git: no answer from ${server.url} within 300 ms (--git-timeout)`);
  });
});

describe('silence deadline', () => {
  /** An HTTP client whose body yields `chunks` with `gapMs` of server silence between them. */
  const slowBody = (chunks: number, gapMs: number): HttpClient => ({
    request: async () => ({
      url: 'http://example.invalid/', statusCode: 200, statusMessage: 'OK', headers: {},
      body: (async function* () {
        for (let i = 0; i < chunks; i++) {
          await new Promise((resolve) => setTimeout(resolve, gapMs));
          yield new Uint8Array([i]);
        }
      })(),
    }),
  });

  const drain = async (http: HttpClient): Promise<number[]> => {
    const response = await http.request({ url: 'http://example.invalid/' });
    const seen: number[] = [];
    for await (const chunk of response.body!) seen.push(chunk[0]!);
    return seen;
  };

  it('restarts with every chunk the server sends, so a slow but steady body completes', async () => {
    // GIVEN a body of 6 chunks 150 ms apart (900 ms in all) and a 600 ms silence budget
    const deadline = silenceDeadline({ http: slowBody(6, 150), timeoutMs: 600 });
    // THEN every chunk arrives: no single silence reached the budget
    expect(await drain(deadline.http)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(deadline.signal.aborted).toBe(false);
    deadline.done();
  });

  it('does not count the time the reader spends between chunks as silence', async () => {
    const deadline = silenceDeadline({ http: slowBody(2, 0), timeoutMs: 100 });
    const response = await deadline.http.request({ url: 'http://example.invalid/' });
    const seen: number[] = [];
    for await (const chunk of response.body!) {
      seen.push(chunk[0]!);
      await new Promise((resolve) => setTimeout(resolve, 250)); // the reader indexing a pack
    }
    expect(seen).toEqual([0, 1]);
    expect(deadline.signal.aborted).toBe(false);
    deadline.done();
  });

  it('aborts the request when one silence reaches the budget', async () => {
    const deadline = silenceDeadline({ http: slowBody(3, 400), timeoutMs: 100 });
    const outcome = await drain(deadline.http).catch((e: unknown) => e);
    expect(outcome).toMatchObject({ code: 'GIT_TIMEOUT', message: 'no answer within 100 ms' });
    expect(deadline.signal.aborted).toBe(true);
  });
});
