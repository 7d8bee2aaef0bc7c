// The test bed's Git server is real `git http-backend`: isomorphic-git clones from it and
// pushes to it, and with basic auth on it refuses a client without the credentials.
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitServer } from '../../src/testbed/git-server.ts';
import { clone, commitAndPush, createBareRepo } from './helpers/git.ts';
import { testbed } from './helpers/testbed.ts';

describe('test bed Git server', () => {
  it('serves a ready fleet repo at ESSG_GIT_URL that takes pushes', async () => {
    const state = await testbed();

    expect(process.env.ESSG_GIT_URL).toBe(state.git.fleetRepoUrl);
    // The receive-pack advertisement is what a push starts with; the server refuses it when push is off.
    const info = await git.getRemoteInfo2({ http, url: state.git.fleetRepoUrl, forPush: true, protocolVersion: 1 });
    expect(info.capabilities).toHaveProperty('report-status', true);
  });

  it('takes an isomorphic-git push and serves the pushed commit to a fresh isomorphic-git clone', async () => {
    const repo = await createBareRepo('it-git');

    const first = await commitAndPush({ url: repo.url, files: { 'fleet.yaml': 'kind: Fleet\n' }, message: 'first' });
    const second = await commitAndPush({ url: repo.url, files: { 'gateways/acme/acme-sh-01.yaml': 'kind: Gateway\n' }, message: 'second' });
    const dir = await clone({ url: repo.url });

    const log = await git.log({ fs, dir });
    expect(log.map((c) => c.oid)).toEqual([second, first]);
    expect(await readFile(path.join(dir, 'gateways/acme/acme-sh-01.yaml'), 'utf8')).toBe('kind: Gateway\n');
  });

  describe('with basic auth', () => {
    const auth = { username: 'fleet-bot', password: 's3cret' };
    let server: ReturnType<typeof createGitServer>;
    let url: string;
    beforeAll(async () => {
      const repo = await createBareRepo('it-auth');
      server = createGitServer({ root: path.dirname(repo.dir), auth });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${path.basename(repo.dir)}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('refuses a push without credentials and takes one with them', async () => {
      const refused = await commitAndPush({ url, files: { a: '1' }, message: 'no auth', auth: () => ({ cancel: true }) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toMatchObject({ code: expect.stringMatching(/HttpError|UserCanceledError/) });

      const oid = await commitAndPush({ url, files: { a: '1' }, message: 'with auth', auth: () => auth });
      const dir = await clone({ url, auth: () => auth });
      expect((await git.log({ fs, dir, depth: 1 }))[0]?.oid).toBe(oid);
    });
  });
});
